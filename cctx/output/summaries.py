"""Table view of conversation summaries: one line per conversation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SUMMARY_HEADERS = ("id", "started", "channel", "status", "queue", "talking with", "msgs", "notes", "calls")
_TEXT_COLUMNS = [1, 2, 3, 4, 5]  # never read as numbers: a "talking with" may be a phone number


def summary_line(row: Mapping[str, Any]) -> list[Any]:
    """The cells of one conversation summary: start, channel, status, queue, talking with, counts."""
    return [
        row["id"],
        row["started_at"],
        row["channel"],
        row["status"],
        row["queue"] if row["queue"] is not None else "-",
        row["talking_with"],
        row["messages"],
        row["notes"],
        row["call_events"],
    ]


def summaries_table(rows: list[Mapping[str, Any]]) -> str:
    """Conversation summaries (the contract's summary dicts) as a table with a header line."""
    from tabulate import tabulate

    return tabulate(
        [summary_line(r) for r in rows], headers=SUMMARY_HEADERS, tablefmt="simple", disable_numparse=_TEXT_COLUMNS
    )
