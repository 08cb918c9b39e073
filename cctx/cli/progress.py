"""Progress bars on stderr, only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

Advance = Callable[[int], None]


def _ignore(_: int) -> None:
    return None


@contextmanager
def progress(length: int, label: str) -> Iterator[Advance]:
    """Yield ``advance(n)``; draws a bar on stderr for a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        yield _ignore
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update
