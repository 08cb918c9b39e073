"""Progress bars on stderr, only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import click

from cctx.services.progress import Advance, ProgressBar, no_progress


@contextmanager
def progress(length: int, label: str) -> Iterator[Advance]:
    """Yield ``advance(n)``; draws a bar on stderr for a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        with no_progress(length) as advance:
            yield advance
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as drawn:
        yield drawn.update


def progress_bar(label: str) -> ProgressBar:
    """What a service takes as ``progress``: ``progress_bar("Importing")(total)`` opens the bar."""

    def open_bar(length: int) -> AbstractContextManager[Advance]:
        return progress(length, label)

    return open_bar
