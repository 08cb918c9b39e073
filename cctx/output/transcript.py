"""Table views of the conversation commands: `conversation show` reads like a transcript; `list` is a worklist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cctx.output import NULL, Columns, cell
from cctx.words import plural

_HEADER_KEYS = (
    "id", "channel", "status", "queue", "contact", "customer_id", "talking_with", "started_at", "closed_at",
    "last_activity_at", "agents", "expired",
)


def _what(item: Mapping[str, Any]) -> str:
    """The text of a message or note; the event of a call event, with its recording."""
    if item["kind"] == "call_event":
        event = f"call {item['event']}"
        return f"{event}: {item['recording']}" if item.get("recording") else event
    return str(item["text"] or "")


def item_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The items as flat rows (the CSV form of `conversation show`), each with its conversation id."""
    return [{"conversation": data["id"], **item} for item in data["items"]]


def transcript(data: Mapping[str, Any]) -> str:
    """The conversation's facts, then its items one per line: time, author, kind, text or event."""
    from tabulate import tabulate

    facts = [(k, cell(data[k], NULL)) for k in _HEADER_KEYS if k in data]
    if data.get("merged_into") is not None:
        facts.append(("merged_into", f"{data['merged_into']} (at {data['merged_at']}; its items are there)"))
    counts = (plural(data["messages"], "message"), plural(data["notes"], "note"),
              plural(data["call_events"], "call event"))
    facts.append(("items", ", ".join(counts)))
    text = tabulate(facts, tablefmt="plain", disable_numparse=True)
    items = data.get("items") or []
    if items:
        rows = [(i["at"], i["author"] or "", i["kind"], _what(i)) for i in items]
        text += "\n\n" + tabulate(
            rows, headers=["time", "author", "kind", "text / event"], tablefmt="simple", disable_numparse=True
        )
    elif data.get("merged_into") is not None:
        text += f"\n\nNo items: merged into conversation {data['merged_into']}."
    else:
        text += "\n\nNo items."
    return text


WORKLIST_HEADERS = (
    "id", "started", "channel", "status", "queue", "contact", "customer", "talking with", "msgs", "notes", "calls",
)
ITEM_COLUMNS = ("conversation", "at", "kind", "author", "text", "event", "recording")


def _worklist_line(row: Mapping[str, Any]) -> list[Any]:
    """The summary line plus the contact and the linked customer, what a relink decides on."""
    from cctx.output.summaries import summary_line

    line = summary_line(row)
    customer = "-" if row["customer_id"] is None else row["customer_id"]
    return [*line[:5], row["contact"], customer, *line[5:]]


# `conversation list`: id and the counts are numbers; contact and customer are text (phones, "-").
worklist_table = Columns(WORKLIST_HEADERS, _worklist_line, numeric={0, 8, 9, 10})
