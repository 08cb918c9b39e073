"""Table views of `history policy` and `history purge`."""

from __future__ import annotations

from typing import Any

from cctx.words import plural


def _counts(by_channel: dict[str, int]) -> str:
    nonzero = [f"{slug} {n}" for slug, n in by_channel.items() if n]
    return ", ".join(nonzero)


def purge_summary(result: dict[str, Any]) -> str:
    """One line for cron mail: what was (or would be) purged, by channel, the horizon(s) and the time."""
    verb = "Dry run: would purge" if result["dry_run"] else "Purged"
    line = f"{verb} {plural(result['conversations'], 'conversation')} ({plural(result['items'], 'item')})"
    by_channel = _counts(result["by_channel"])
    if by_channel:
        line += f": {by_channel}"
    horizon = result["horizon"]
    others = {slug: cut for slug, cut in result["horizons"].items() if cut != horizon}
    if horizon is not None:
        line += f"; horizon {horizon}"
    if others:
        shown = sorted(set(others.values()))
        line += "; " + ", ".join(
            " ".join(sorted(s for s, c in others.items() if c == cut)) + f" {cut}" for cut in shown
        )
    if not result["horizons"]:
        line += "; no channel in scope expires"
    if result.get("held"):
        line += f"; {result['held']} expired kept by holds"
    if "bytes_freed" in result:
        line += f"; {plural(result['bytes_freed'], 'byte')} freed"
    return line + f"; {result['seconds']:.1f} s"


def policy_table(result: dict[str, Any]) -> str:
    from tabulate import tabulate

    rows: list[tuple[str, str]] = [
        ("default", "keep forever" if result["default_days"] is None else plural(result["default_days"], "day"))
    ]
    rows += [(slug, plural(days, "day")) for slug, days in result["channels"].items()]
    text = tabulate(rows, headers=["channel", "retention"], tablefmt="simple")
    if result["default_days"] is None and not result["channels"]:
        text += "\nNo retention policy: nothing expires; `history purge` needs --older-than."
    return text
