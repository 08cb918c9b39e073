"""cctx/output: control characters made visible in tables only, every format written as rows arrive,
counts in words, numbers written out in full."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cctx.output import PAGE, Columns, key_value_table, render, safe, visible
from cctx.words import plural

HOSTILE = "red\x1b[31mtext\x07bell\rover\nline\ttab\x00nul\x7fdel\x9bcsi\u202eevil\u2028sep"


def test_visible_escapes_every_control_character_as_python_writes_it() -> None:
    assert visible(HOSTILE) == (
        "red\\x1b[31mtext\\x07bell\\rover\\nline\\ttab\\x00nul\\x7fdel\\x9bcsi\\u202eevil\\u2028sep"
    )
    assert visible("Ivana Kovač 🙂 +385 91") == "Ivana Kovač 🙂 +385 91"


@given(st.text())
def test_visible_text_holds_no_control_character(text: str) -> None:
    shown = visible(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert visible(shown) == shown


def test_safe_reaches_keys_and_nested_values() -> None:
    assert safe({"a\x1b": ["b\x07", {"c": "\r"}], "n": 3}) == {"a\\x1b": ["b\\x07", {"c": "\\r"}], "n": 3}


ROW = {"id": 1, "name": HOSTILE, "tags": ["v\x1bip"], "attributes": {"k\x1b": "v\x07"}}


@pytest.mark.parametrize("table", [None, Columns(("id", "name", "tags"), lambda r: [r["id"], r["name"], r["tags"]])])
def test_a_table_never_prints_a_control_character(table: Columns | None, capsys: pytest.CaptureFixture[str]) -> None:
    render([ROW], "table", table=table)
    out = capsys.readouterr().out
    assert "\\x1b[31m" in out and "\\u202e" in out
    assert not any(ord(c) < 0x20 and c != "\n" for c in out) and "\x7f" not in out and "\x9b" not in out
    assert len(out.splitlines()) == 3  # header, rule, one row: the row's line feed did not break it


def test_a_record_and_a_view_of_it_never_print_a_control_character(capsys: pytest.CaptureFixture[str]) -> None:
    render(ROW, "table")
    render(ROW, "table", table=lambda r: f"{r['name']} / {r['attributes']}")
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b[31m" in out and "k\\x1b" in out


def test_json_csv_and_yaml_keep_the_exact_text(capsys: pytest.CaptureFixture[str]) -> None:
    render([ROW], "json")
    assert json.loads(capsys.readouterr().out) == [ROW]
    render([ROW], "yaml")
    assert yaml.safe_load(capsys.readouterr().out) == [ROW]
    render([ROW], "csv")
    out = capsys.readouterr().out
    assert HOSTILE in out


def test_an_empty_list_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    for fmt, expected in (("json", "[]\n"), ("yaml", "[]\n"), ("csv", "id,name\n"), ("table", "None\n")):
        render(iter(()), fmt, empty="None", columns=("id", "name"))
        assert capsys.readouterr().out == expected, fmt


class Source:
    """Rows handed out one at a time, counting how many were taken."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.taken = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for i in range(self.count):
            self.taken += 1
            yield {"id": i, "name": f"n{i}"}


class Watch:
    """A stdout that records how many rows had been taken when the first text was written."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.taken_at_first_write: int | None = None
        self.text: list[str] = []

    def write(self, text: str) -> int:
        if self.taken_at_first_write is None:
            self.taken_at_first_write = self.source.taken
        self.text.append(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("fmt", ["json", "csv", "yaml", "table"])
def test_every_format_writes_before_it_has_read_every_row(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = Source(PAGE * 5)
    out = Watch(source)
    monkeypatch.setattr("sys.stdout", out)
    render(source, fmt, table=Columns(("id", "name"), lambda r: [r["id"], r["name"]]))
    assert out.taken_at_first_write is not None and out.taken_at_first_write <= PAGE
    assert source.taken == PAGE * 5


def test_table_pages_keep_their_columns_aligned_and_only_widen(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"id": i, "name": "x"} for i in range(PAGE)] + [{"id": PAGE, "name": "a much longer name"}]
    render(rows, "table", table=Columns(("id", "name"), lambda r: [r["id"], r["name"]], numeric={0}))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "  id  name" and lines[1] == "----  ------"
    assert lines[2] == "   0  x" and lines[-2] == " 999  x"
    assert lines[-1] == "1000  a much longer name"
    assert len(lines) == PAGE + 3  # one header for all pages


def test_integers_stay_integers_in_a_record_table() -> None:
    seeded = {"people": 200000, "conversations": 1000000, "items": 10000000, "seconds": 42.5}
    assert key_value_table(seeded).splitlines() == [
        "people           200000",
        "conversations   1000000",
        "items          10000000",
        "seconds            42.5",
    ]


def test_plural() -> None:
    assert [plural(n, "conversation") for n in (0, 1, 2)] == ["0 conversations", "1 conversation", "2 conversations"]
    assert plural(1, "person", "people") == "1 person" and plural(7, "person", "people") == "7 people"
