"""The table view of `audit list`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def _short(value: Any, width: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 1] + "…"


def _counts_first(details: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values (counts, before/after ids) before lists and objects, so a short line tells the most."""
    return dict(sorted(details.items(), key=lambda kv: isinstance(kv[1], dict | list)))


def audit_table(rows: list[Mapping[str, Any]]) -> str:
    """One line per record; long subjects and details are shortened (use -f json for all of it)."""
    from tabulate import tabulate

    body = [(r["id"], r["at"], r["actor"], r["action"], _short(r["subject"], 30),
             _short(_counts_first(r["details"])), "" if r["undone_by"] is None else r["undone_by"])
            for r in rows]
    headers = ["id", "at", "actor", "action", "subject", "details", "undone_by"]
    return tabulate(body, headers=headers, tablefmt="simple")


def audit_record_table(record: Mapping[str, Any]) -> str:
    """One record as field / value lines; the details in full, as indented JSON."""
    from tabulate import tabulate

    lines = [(k, _short(v, 1000) if k == "subject" else v) for k, v in record.items() if k != "details"]
    text = tabulate([(k, "NULL" if v is None else v) for k, v in lines], tablefmt="plain")
    return text + "\ndetails:\n" + json.dumps(record["details"], indent=2, ensure_ascii=False)
