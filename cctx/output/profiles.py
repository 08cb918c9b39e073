"""Table view of `customer duplicates`: one line per group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cctx.output import rows_table


def duplicates_view(groups: Sequence[Mapping[str, Any]]) -> str:
    return rows_table(groups, ["people", "reasons", "names"])
