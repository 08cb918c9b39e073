"""The table view of `audit list`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cctx.output import Columns


def _short(value: Any, width: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 1] + "…"


def _counts_first(details: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values (counts, before/after ids) before lists and objects, so a short line tells the most."""
    return dict(sorted(details.items(), key=lambda kv: isinstance(kv[1], dict | list)))


def _audit_line(r: Mapping[str, Any]) -> list[Any]:
    return [r["id"], r["at"], r["actor"], r["action"], _short(r["subject"], 30), _short(_counts_first(r["details"])),
            r["undone_by"]]


# The keys of a record, in order: the CSV header of `audit list`, also when it lists nothing.
AUDIT_COLUMNS = ("id", "at", "actor", "action", "subject", "details", "undone_by")

# One line per record; long subjects and details are shortened (use -f json for all of it).
audit_table = Columns(AUDIT_COLUMNS, _audit_line, numeric={0, 6})


def audit_record_table(record: Mapping[str, Any]) -> str:
    """One record as field / value lines; the details in full, as indented JSON."""
    from tabulate import tabulate

    lines = [(k, _short(v, 1000) if k == "subject" else v) for k, v in record.items() if k != "details"]
    text = tabulate([(k, "NULL" if v is None else v) for k, v in lines], tablefmt="plain")
    return text + "\ndetails:\n" + json.dumps(record["details"], indent=2, ensure_ascii=False)
