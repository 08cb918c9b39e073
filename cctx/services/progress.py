"""Progress as the services see it: ``progress(total)`` opens a bar and yields ``advance(n)``.

The command line decides how a bar looks (and whether one is drawn at all); services only report.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

Advance = Callable[[int], None]
ProgressBar = Callable[[int], AbstractContextManager[Advance]]


def _ignore(_: int) -> None:
    return None


def no_progress(_total: int) -> AbstractContextManager[Advance]:
    """The default: report to nobody."""
    return nullcontext(_ignore)
