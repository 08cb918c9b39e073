"""Table view of conversation summaries: one line per conversation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cctx.output import Columns

SUMMARY_HEADERS = ("id", "started", "channel", "status", "queue", "talking with", "msgs", "notes", "calls")


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


# id and the counts are numbers; "talking with" stays text even when it is a phone number.
summaries_table = Columns(SUMMARY_HEADERS, summary_line, numeric={0, 6, 7, 8})
