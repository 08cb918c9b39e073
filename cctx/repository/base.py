"""The connection: opening, pragmas, transactions and schema migrations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence, Sized
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from cctx.errors import Invalid, NotFound

CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on bound variables


def storable(an_id: int) -> bool:
    """An id SQLite can hold as an integer; no row has any other."""
    return -(2**63) <= an_id < 2**63


def placeholders(values: Sized) -> str:
    """``?,?,...``: one parameter for each of ``values``, for an IN (...) or VALUES (...) list."""
    return ",".join("?" * len(values))


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[tuple[list[Any], str]]:
    """Slices of ``values`` with their ``?,?,...`` placeholders, for IN (...) lists."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        yield chunk, placeholders(chunk)


def filtered(select: str, where: list[str], order_by: str, limit: int | None, params: list[Any]) -> str:
    """``select`` with the ``where`` conditions ANDed, ordered and limited; appends the limit to ``params``."""
    sql = select + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order_by}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql


def existing_ids(conn: sqlite3.Connection, table: str, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` are rows of ``table`` (a constant of the caller, never input)."""
    found: set[int] = set()
    for chunk, marks in chunks(list(ids)):
        found.update(r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk))
    return found


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "sqlite"


def _migration_files() -> list[tuple[int, Path]]:
    """(version, path) of every migration shipped in cctx/migrations, in order."""
    return sorted((int(p.name[:4]), p) for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.sql"))


def schema_version() -> int:
    """The schema version this cctx writes."""
    return _migration_files()[-1][0]


class Database:
    """One SQLite connection in autocommit mode; writes go through ``transaction()``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    @classmethod
    def open(cls, path: Path, busy_timeout_ms: int, *, create: bool = False) -> Self:
        """Open ``path``; only with ``create`` may the file be created (mode 0600)."""
        if not path.exists():
            if not create:
                raise NotFound(f"database {path} does not exist (create it with: cctx --db {path} db init)")
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        elif path.is_dir():
            raise Invalid(f"database {path} is a directory")
        conn = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout_ms / 1000)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA secure_delete = ON")
        db = cls(conn, path)
        if not create:
            db.check_version()
        return db

    def close(self) -> None:
        self.conn.close()

    @property
    def user_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def check_version(self) -> None:
        version = self.user_version
        if version == 0:
            raise Invalid(f"{self.path} is not a cctx database (create one with: cctx db init)")
        if version < schema_version():
            raise Invalid(f"database {self.path} has schema {version}; upgrade it with: cctx db init")
        if version > schema_version():
            raise Invalid(f"database {self.path} has schema {version}, newer than this cctx understands")

    def migrate(self) -> tuple[int, int]:
        """Apply the migrations the file lacks, each in its own transaction; return (before, after)."""
        before = self.user_version
        if before == 0:
            # Must precede the first table; lets `history purge --vacuum` give pages back.
            self.conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        self.conn.execute("PRAGMA journal_mode = WAL")
        for version, path in _migration_files():
            if version > self.user_version:
                sql = path.read_text(encoding="utf-8")
                try:
                    self.conn.executescript(
                        f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
                    )
                except sqlite3.Error:
                    if self.conn.in_transaction:
                        self.conn.rollback()
                    raise
        return before, self.user_version

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception. Nested calls join."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.commit()
        finally:
            self._depth = 0
