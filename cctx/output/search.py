"""Table view of search results: the summary's main cells and the snippet with its matches in [ ]."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SEARCH_HEADERS = ("id", "started", "channel", "status", "talking with", "snippet")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible(value: Any) -> str:
    """Text for a terminal: control characters (ESC, BEL, CR, other C0 and C1, DEL) as escapes (``\\x1b``)."""
    from cctx.output import cell

    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", cell(value))


def search_table(rows: list[Mapping[str, Any]]) -> str:
    """One line per conversation found, best match first."""
    from tabulate import tabulate

    lines = [
        [r["id"], r["started_at"], r["channel"], r["status"], visible(r["talking_with"]), visible(r["snippet"])]
        for r in rows
    ]
    return tabulate(lines, headers=SEARCH_HEADERS, tablefmt="simple", disable_numparse=[1, 2, 3, 4, 5])
