"""Rows as PostgreSQL's COPY text format, read by psycopg2's ``copy_expert`` a block at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_ESCAPES)


def copy_line(row: Sequence[Any]) -> str:
    """One row as a line of COPY's text format (the common types inline: this runs for every row)."""
    return "\t".join([
        "\\N" if v is None else v.translate(_ESCAPES) if v.__class__ is str else copy_field(v) for v in row
    ]) + "\n"


class RowStream:
    """A file-like reader over ``rows``; ``count`` is how many rows were read so far."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self._lines: Iterator[str] = map(copy_line, rows)
        self._buffer = b""
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        want = size if size > 0 else 1 << 16
        parts = [self._buffer]
        length = len(self._buffer)
        for line in self._lines:
            data = line.encode("utf-8")
            parts.append(data)
            length += len(data)
            self.count += 1
            if length >= want:
                break
        joined = b"".join(parts)
        self._buffer = joined[want:]
        return joined[:want]
