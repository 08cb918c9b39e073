"""The commands docs/retention.md and docs/audit.md show exist, with the options they use."""

from __future__ import annotations

import shlex

import pytest

from tests.cli.test_readme import ROOT_OPTIONS, _resolve
from tests.conftest import ROOT


def _commands(page: str) -> list[str]:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return [line[2:] for line in text.splitlines() if line.startswith("$ cctx ") or line.startswith("$ CCTX_NOW=")]


@pytest.mark.parametrize("page", ["retention.md", "audit.md"])
def test_every_command_of_the_page_exists_with_its_options(page: str) -> None:
    lines = _commands(page)
    assert len(lines) >= 6
    for line in lines:
        segment = line.split("|")[0].split(";")[0].split("&&")[0].split(">")[0]
        words = shlex.split(segment)
        command, rest = _resolve(words[words.index("cctx") + 1:])
        known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | ROOT_OPTIONS
        assert all(w in known for w in rest if w.startswith("--")), line
