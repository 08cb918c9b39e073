"""The card's panel is laid out without tabulate; it must read exactly as tabulate's "plain" format did."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tabulate import tabulate

from cctx.output import label_value_lines

# Printable text as a card cell holds it (control characters are escaped before layout), spaces included.
cells = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20)


@given(st.lists(st.tuples(cells, cells), min_size=1, max_size=10))
def test_the_same_text_as_tabulate_plain(rows: list[tuple[str, str]]) -> None:
    assert label_value_lines(rows) == tabulate(rows, tablefmt="plain", disable_numparse=True)
