"""Unit tests read phone numbers without a default region unless they set one: a command run in-process
before them (tests/cli) leaves its configuration's region set, as a real process would until it ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cctx.refs import phone_region


@pytest.fixture(autouse=True)
def _no_phone_region() -> Iterator[None]:
    with phone_region(None):
        yield
