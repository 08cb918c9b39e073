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

    body = [(r["at"], r["actor"], r["action"], _short(r["subject"], 30), _short(_counts_first(r["details"])))
            for r in rows]
    return tabulate(body, headers=["at", "actor", "action", "subject", "details"], tablefmt="simple")
