"""The table view of `audit list`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def _short(value: Any, width: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 1] + "…"


def audit_table(rows: list[Mapping[str, Any]]) -> str:
    """One line per record; long subjects and details are shortened (use -f json for all of it)."""
    from tabulate import tabulate

    body = [(r["at"], r["actor"], r["action"], _short(r["subject"], 30), _short(r["details"])) for r in rows]
    return tabulate(body, headers=["at", "actor", "action", "subject", "details"], tablefmt="simple")
