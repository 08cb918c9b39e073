"""Counts in words, the one place a count gets its noun: ``1 conversation``, ``2 conversations``."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """``count`` with ``one`` when it is 1, else with ``many`` (by default ``one`` + "s"):
    ``plural(1, "item")`` is ``1 item``, ``plural(0, "item")`` is ``0 items``, ``plural(2, "person",
    "people")`` is ``2 people``."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
