from __future__ import annotations

import json

import pytest

from cctx.output import cell, render


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
