"""The table view of `db doctor`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cctx.output import cell


def doctor_table(report: Mapping[str, Any]) -> str:
    """What was repaired, then one line per problem; a healthy database says so in one line."""
    from tabulate import tabulate

    lines = []
    fixed = report.get("fixed")
    if fixed:
        lines.append("Fixed: " + ", ".join(f"{name} ({count})" for name, count in fixed.items()))
    elif fixed is not None:
        lines.append("Nothing to fix.")
    if report["ok"]:
        lines.append(f"No problems found ({len(report['checks'])} checks: {', '.join(report['checks'])}).")
        return "\n".join(lines)
    body = [(p["check"], p["count"], cell(p["examples"]), "yes" if p["fixable"] else "no") for p in report["problems"]]
    lines.append(tabulate(body, headers=["check", "problems", "examples", "fixable"], tablefmt="simple"))
    return "\n".join(lines)
