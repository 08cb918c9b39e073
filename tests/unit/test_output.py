from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cctx.output import _json_text, cell, render


def test_cells() -> None:
    assert cell(None) == "NULL"
    assert cell(None, "") == ""
    assert cell(True) == "yes"
    assert cell(["vip", "b2b"]) == "vip, b2b"
    assert cell({"plan": "gold", "x": None}) == "plan=gold, x=NULL"


def test_json_streams_an_iterator_as_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    render(({"id": i} for i in range(3)), "json")
    assert json.loads(capsys.readouterr().out) == [{"id": 0}, {"id": 1}, {"id": 2}]
    render(iter([]), "json")
    assert json.loads(capsys.readouterr().out) == []


def test_csv_and_empty_table(capsys: pytest.CaptureFixture[str]) -> None:
    render([{"a": 1, "b": None, "c": {"k": 1}}], "csv")
    assert capsys.readouterr().out == 'a,b,c\n1,,"{""k"": 1}"\n'
    render([], "table", empty="No conversation history")
    assert capsys.readouterr().out == "No conversation history\n"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(value=st.dictionaries(st.text(), JSON_VALUES, max_size=8) | JSON_VALUES)
def test_json_rows_are_written_as_json_dumps_writes_them(value: object) -> None:
    """The rows written without json's indenting encoder are the same text as with it, and anything else
    goes through it."""
    assert _json_text(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_a_listing_in_json_is_indented_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    render([{"id": 1, "name": "Ana \"A\" Ä\n", "vip": True, "closed_at": None}], "json")
    assert capsys.readouterr().out == (
        '[\n  {\n    "id": 1,\n    "name": "Ana \\"A\\" Ä\\n",\n    "vip": true,\n    "closed_at": null\n  }\n]\n'
    )
