"""The only place that prints data: table, JSON, CSV or YAML on stdout.

Commands hand over plain data (a dict, or a list/iterator of dicts) and, for table form, optionally a
view that turns it into text. Messages go to stderr through ``message``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO

FORMATS = ("table", "json", "csv", "yaml")
NULL = "NULL"

TableView = Callable[[Any], str]


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
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        if all(not isinstance(v, dict | list) for v in value.values()):
            return ", ".join(f"{k}={cell(v, null)}" for k, v in value.items())
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def key_value_table(data: Mapping[str, Any], null: str = NULL) -> str:
    """A record as two columns: field, value."""
    from tabulate import tabulate

    return tabulate([(k, cell(v, null)) for k, v in data.items()], tablefmt="plain")


def rows_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, null: str = "") -> str:
    """Records as a table with a header line."""
    from tabulate import tabulate

    if not rows:
        return ""
    columns = columns or list(rows[0])
    return tabulate([[cell(r.get(c), null) for c in columns] for r in rows], headers=columns, tablefmt="simple")


def _write_json(data: Any, out: TextIO) -> None:
    if isinstance(data, Mapping) or not isinstance(data, Iterable) or isinstance(data, str):
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    out.write("[")
    first = True
    for row in data:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  "))
        first = False
    out.write("\n]\n" if not first else "]\n")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _write_csv(data: Any, out: TextIO, columns: Sequence[str] | None) -> None:
    """A header, then one line per row; with no rows, the header of ``columns`` if known."""
    import csv

    writer = csv.writer(out, lineterminator="\n")
    rows: Iterator[Mapping[str, Any]] = iter([data]) if isinstance(data, Mapping) else iter(data)
    header = list(columns) if columns else None
    if header:
        writer.writerow(header)
    for row in rows:
        if header is None:
            header = list(row)
            writer.writerow(header)
        writer.writerow([_csv_value(row.get(c)) for c in header])


def _write_yaml(data: Any, out: TextIO) -> None:
    import yaml

    if not isinstance(data, Mapping) and isinstance(data, Iterable):
        data = list(data)
    out.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False))


def render(
    data: Any,
    fmt: str,
    *,
    table: TableView | None = None,
    empty: str | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """Print ``data`` in ``fmt``; in table form use ``table`` if given, and ``empty`` for no rows.

    ``columns`` names the CSV header, so that an empty result still prints it.
    """
    out = sys.stdout
    if fmt == "json":
        _write_json(data, out)
    elif fmt == "csv":
        _write_csv(data, out, columns)
    elif fmt == "yaml":
        _write_yaml(data, out)
    else:
        if not isinstance(data, Mapping) and isinstance(data, Iterable):
            data = list(data)
        if not data and empty is not None:
            out.write(empty + "\n")
            return
        if table is not None:
            text = table(data)
        elif isinstance(data, Mapping):
            text = key_value_table(data)
        else:
            text = rows_table(data)
        if text:
            out.write(text.rstrip("\n") + "\n")
