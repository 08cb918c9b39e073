"""The customer export: one JSON document written as it is read, and the private file it goes to."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from cctx.errors import CctxError


def _indented(value: Any, indent: str) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)


def write_document(parts: Iterable[tuple[str, Any]], out: TextIO) -> None:
    """``{"key": value, ...}`` with each iterator value written as a list, one element at a time: a
    customer with ten thousand conversations never sits in memory whole."""
    out.write("{")
    first_key = True
    for key, value in parts:
        out.write(("\n  " if first_key else ",\n  ") + json.dumps(key) + ": ")
        first_key = False
        if isinstance(value, Iterator):
            out.write("[")
            empty = True
            for element in value:
                out.write(("\n    " if empty else ",\n    ") + _indented(element, "    "))
                empty = False
            out.write("]" if empty else "\n  ]")
        else:
            out.write(_indented(value, "  "))
    out.write("\n}\n")


@contextmanager
def private_output(path: Path | None) -> Iterator[TextIO]:
    """stdout, or ``path`` written through a temporary file created 0600 beside it and renamed into
    place when complete: a failed export leaves no partial file, and nobody else can read it."""
    if path is None:
        yield sys.stdout
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a leftover .partial of another mode is tightened too
    except OSError as exc:
        raise CctxError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
