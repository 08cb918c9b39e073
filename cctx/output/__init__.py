"""The only place that prints data: table, JSON, CSV or YAML on stdout.

Commands hand over plain data (a dict, or a list/iterator of dicts) and, for table form, optionally a
view that turns it into text. Messages go to stderr through ``message``.

Every format streams a list: JSON is written a row at a time (``[``, row, row, ``]``), CSV a line at a
time, YAML an item at a time, and a table (given as ``Columns``) a page of ``PAGE`` rows at a time, its
column widths taken from the first page and widened, never narrowed, by a later page that needs more.

Table and plain-text output never prints a control character held in the data: ``visible`` shows it as
an escape (``\\x1b``, ``\\n``); JSON, CSV and YAML keep the exact text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import cache
from itertools import islice
from typing import Any, NamedTuple, TextIO

FORMATS = ("table", "json", "csv", "yaml")
NULL = "NULL"
PAGE = 1000  # rows of a table laid out together

TableView = Callable[[Any], str]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@cache
def _unsafe() -> re.Pattern[str]:
    """C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and the bidirectional
    embeddings, overrides and isolates (which reorder what a terminal shows after them). Compiled when
    first used: JSON, CSV and YAML output never need it."""
    return re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """``text`` safe to show on a terminal: each control character as an escape, as Python writes it
    (ESC as ``\\x1b``, a line feed as ``\\n``, U+202E as ``\\u202e``); anything else unchanged."""
    unsafe = _unsafe()
    return unsafe.sub(_escape, text) if unsafe.search(text) else text


def safe(value: Any) -> Any:
    """``value`` with ``visible`` applied to every string in it, keys of mappings included."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, Mapping):
        return {safe(k): safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [safe(v) for v in value]
    return value


def message(text: str) -> None:
    """A message for the person at the terminal: stderr, never stdout."""
    print(text, file=sys.stderr)


def cell(value: Any, null: str = NULL) -> str:
    """One value as table or CSV text."""
    if value is None:
        return null
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        if all(not isinstance(v, dict | list) for v in value):
            return ", ".join(cell(v, null) for v in value)
        return _json_line(value)
    if isinstance(value, dict):
        if all(not isinstance(v, dict | list) for v in value.values()):
            return ", ".join(f"{k}={cell(v, null)}" for k, v in value.items())
        return _json_line(value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Columns(NamedTuple):
    """The table view of a list: a header line, the cells of one row, and which columns hold numbers
    (right-aligned; None: the columns whose values on the first page are all numbers).

    ``cells`` gets a row as it is; each value it returns is shown through ``cell`` (None as ``null``)
    and ``visible``.
    """

    headers: Sequence[str]
    cells: Callable[[Mapping[str, Any]], Sequence[Any]]
    numeric: Collection[int] | None = None
    null: str = ""


def _line(texts: Sequence[str], widths: Sequence[int], numeric: Collection[int]) -> str:
    padded = (t.rjust(w) if i in numeric else t.ljust(w) for i, (t, w) in enumerate(zip(texts, widths, strict=True)))
    return "  ".join(padded).rstrip()


def _write_pages(first: Mapping[str, Any], rest: Iterator[Mapping[str, Any]], view: Columns, out: TextIO) -> None:
    """The table a page at a time: the header and the first page, then each further page."""
    widths = [len(h) + 2 for h in view.headers]
    numeric: Collection[int] = ()
    page: list[Mapping[str, Any]] = [first, *islice(rest, PAGE - 1)]
    header = True
    while page:
        values = [list(view.cells(row)) for row in page]
        if header:
            numeric = view.numeric if view.numeric is not None else {
                i for i in range(len(view.headers)) if all(_is_number(v[i]) or v[i] is None for v in values)
            }
        texts = [[visible(cell(v, view.null)) for v in row] for row in values]
        widths = [max(w, *(len(t[i]) for t in texts)) for i, w in enumerate(widths)]
        lines = [_line(t, widths, numeric) for t in texts]
        if header:
            lines[:0] = [_line(view.headers, widths, numeric), _line(["-" * w for w in widths], widths, ())]
            header = False
        out.write("\n".join(lines) + "\n")
        out.flush()
        page = list(islice(rest, PAGE))


def key_value_table(data: Mapping[str, Any], null: str = NULL) -> str:
    """A record as two columns, field and value; numbers right-aligned and written out in full."""
    pairs = [(str(k), cell(v, null)) for k, v in data.items()]
    if not pairs:
        return ""
    numeric = {1} if all(_is_number(v) for v in data.values()) else set()
    widths = [max(len(p[0]) for p in pairs), max(len(p[1]) for p in pairs)]
    return "\n".join(_line(p, widths, numeric) for p in pairs)


def label_value_lines(rows: Sequence[tuple[str, str]]) -> str:
    """Label and value pairs as two left-aligned columns two spaces apart, each cell trimmed and no line
    ending in white space (what tabulate's "plain" format makes of them, without importing it)."""
    pairs = [(label.strip(), value.strip()) for label, value in rows]
    width = max((len(label) for label, _ in pairs), default=0)
    return "\n".join(f"{label:<{width}}  {value}".rstrip() for label, value in pairs)


def rows_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, null: str = "") -> str:
    """Records as a table with a header line (for a list already in memory; ``Columns`` streams)."""
    from tabulate import tabulate

    if not rows:
        return ""
    columns = columns or list(rows[0])
    return tabulate([[cell(r.get(c), null) for c in columns] for r in rows], headers=columns, tablefmt="simple")


def generic_columns(first: Mapping[str, Any]) -> Columns:
    """Every key of the first row as a column, numbers found on the first page."""
    keys = list(first)
    return Columns(keys, lambda row: [row.get(k) for k in keys])


_END = object()


# json is imported by the output that uses it, not by every command (--help prints none).
def _json_text(value: Any) -> str:
    """``value`` as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it. A row of text, whole
    numbers, booleans and nulls (every listing's) is written here, three times as fast: json's C encoder
    does not indent, and its Python one does it a value at a time."""
    import json
    from json.encoder import encode_basestring

    if isinstance(value, dict) and value:
        fields = []
        for key, item in value.items():
            if type(key) is not str:
                break
            if type(item) is str:
                text = encode_basestring(item)
            elif type(item) is int:
                text = int.__repr__(item)
            elif item is None or type(item) is bool:
                text = _JSON_CONSTANTS[item]
            else:
                break
            fields.append(f"  {encode_basestring(key)}: {text}")
        else:
            return "{\n" + ",\n".join(fields) + "\n}"
    return json.dumps(value, indent=2, ensure_ascii=False)


_JSON_CONSTANTS = {None: "null", True: "true", False: "false"}


def _json_line(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _write_json(first: Any, rest: Iterator[Any], out: TextIO) -> None:
    """``[``, each row as it comes, ``]``: one JSON document, however many rows."""
    if first is _END:
        out.write("[]\n")
        return
    out.write("[\n  " + _json_text(first).replace("\n", "\n  "))
    out.flush()
    for row in rest:
        out.write(",\n  " + _json_text(row).replace("\n", "\n  "))
    out.write("\n]\n")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return _json_line(value)
    return str(value)


def _write_csv(first: Any, rest: Iterator[Mapping[str, Any]], out: TextIO, columns: Sequence[str] | None) -> None:
    """A header, then one line per row. The header is the first row's keys, or ``columns`` when there is
    no row: an empty result still has its header line."""
    import csv

    writer = csv.writer(out, lineterminator="\n")
    if first is _END:
        if columns:
            writer.writerow(columns)
        return
    header = list(first)
    writer.writerow(header)
    writer.writerow([_csv_value(first.get(c)) for c in header])
    out.flush()
    for row in rest:
        writer.writerow([_csv_value(row.get(c)) for c in header])


def _yaml_text(data: Any) -> str:
    """YAML of ``data`` as safe_dump writes it, through libyaml when PyYAML has it (several times faster)."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False))


def _write_yaml(first: Any, rest: Iterator[Any], out: TextIO) -> None:
    """A YAML sequence written an item at a time (``[]`` when empty)."""
    if first is _END:
        out.write("[]\n")
        return
    out.write(_yaml_text([first]))
    out.flush()
    for item in rest:
        out.write(_yaml_text([item]))


def _write_table(first: Any, rest: Iterator[Any], out: TextIO, table: TableView | Columns | None,
                 empty: str | None) -> None:
    if first is _END:
        if empty is not None:
            out.write(empty + "\n")
        return
    if isinstance(table, Columns) or table is None:
        _write_pages(first, rest, table or generic_columns(first), out)
        return
    text = table(safe([first, *rest]))  # a view of the whole list (not streamed)
    if text:
        out.write(text.rstrip("\n") + "\n")


def _is_record(data: Any) -> bool:
    return isinstance(data, Mapping) or not isinstance(data, Iterable) or isinstance(data, str)


def render(
    data: Any,
    fmt: str,
    *,
    table: TableView | Columns | None = None,
    empty: str | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """Print ``data`` in ``fmt``; in table form use ``table`` if given, and ``empty`` for no rows.

    ``data`` is one record (a mapping) or rows (any iterable of mappings, read once, as it is written); a
    typed result (cctx/results/), or rows of them, is shown as its ``to_dict()``, the JSON contract.
    For rows, ``table`` is ``Columns`` (streamed a page at a time) or a view of the whole list; for a
    record, a view of it. ``columns`` names the CSV header, so that an empty result still prints it.
    """
    out = sys.stdout
    if hasattr(data, "to_dict"):
        data = data.to_dict()
    if _is_record(data):
        if fmt == "json":
            out.write(_json_text(data) + "\n")
        elif fmt == "csv":
            _write_csv(data, iter(()), out, columns)
        elif fmt == "yaml":
            out.write(_yaml_text(data))
        else:
            shown = safe(data)
            text = table(shown) if callable(table) else key_value_table(shown)
            if text:
                out.write(text.rstrip("\n") + "\n")
        return
    rows = (r.to_dict() if hasattr(r, "to_dict") else r for r in data)
    first = next(rows, _END)  # a failing query fails here, before anything is written
    if fmt == "json":
        _write_json(first, rows, out)
    elif fmt == "csv":
        _write_csv(first, rows, out, columns)
    elif fmt == "yaml":
        _write_yaml(first, rows, out)
    else:
        _write_table(first, rows, out, table, empty)
