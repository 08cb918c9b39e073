"""Table view of `history forecast`: a line per week with a bar of what expires in it."""

from __future__ import annotations

from typing import Any

from cctx.words import plural

BAR_WIDTH = 40


def bar(n: int, largest: int, width: int = BAR_WIDTH) -> str:
    """``#`` characters in proportion to ``n``; at least one for any nonzero count."""
    if n <= 0 or largest <= 0:
        return ""
    return "#" * max(1, round(n * width / largest))


def forecast_table(result: dict[str, Any]) -> str:
    from tabulate import tabulate

    already = result["already_expired"]
    weeks = result["weeks"]
    largest = max((w["conversations"] for w in weeks), default=0)
    rows = [
        (w["from"][:10], w["to"][:10], w["conversations"], w["items"], bar(w["conversations"], largest))
        for w in weeks
    ]
    head = (f"Already expired (the next purge deletes them): {plural(already['conversations'], 'conversation')}, "
            f"{plural(already['items'], 'item')}")
    table = tabulate(rows, headers=["from", "to", "conversations", "items", ""], tablefmt="simple",
                     disable_numparse=True, colalign=("left", "left", "right", "right", "left"))
    return head + "\n" + table
