"""The SQLite engine: one file in WAL mode, BEGIN IMMEDIATE for writes, the busy timeout, the purge lock
by file identity, incremental vacuum and SQLite's own fragments of SQL."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cctx.errors import Invalid, NotFound
from cctx.store.engine import Connection, Engine
from cctx.times import format_ts

if TYPE_CHECKING:
    from pathlib import Path

# A moment bound as a parameter is stored and compared as cctx's timestamp text (2026-05-01T09:00:00Z):
# the store's queries take ``datetime`` and never format one themselves.
sqlite3.register_adapter(datetime, format_ts)


class SqliteEngine(Engine):
    name = "sqlite"
    migrations = "sqlite"

    def __init__(self, path: str, busy_timeout_ms: int, *, create: bool) -> None:
        self._path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.display_name = path
        if not os.path.exists(path):
            if not create:
                raise NotFound(f"database {path} does not exist (create it with: cctx --db {path} db init)")
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        elif os.path.isdir(path):
            raise Invalid(f"database {path} is a directory")

    @property
    def path(self) -> Path:
        from pathlib import Path  # file work only (the purge lock, modes); a read needs none

        return Path(self._path)

    def connect(self) -> Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, timeout=self.busy_timeout_ms / 1000)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA secure_delete = ON")
        conn.create_function("cctx_fold", 1, _casefold, deterministic=True)
        return conn

    def begin_write(self, conn: Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def schema_version(self, conn: Connection) -> int:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, conn: Connection, version: int) -> None:
        conn.execute(f"PRAGMA user_version = {int(version)}")

    def prepare_for_migrations(self, conn: Connection, *, fresh: bool) -> None:
        if fresh:
            # Must precede the first table; lets `history purge --vacuum` give pages back.
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute("PRAGMA journal_mode = WAL")

    def run_script(self, conn: Connection, sql: str) -> None:
        for statement in split_statements(sql):
            conn.execute(statement)

    def table_names(self, conn: Connection) -> list[str]:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [r[0] for r in rows]

    def size_bytes(self, conn: Connection) -> int:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        page_count = conn.execute("PRAGMA page_count").fetchone()[0]
        return int(page_size) * int(page_count)

    @contextmanager
    def bulk_load_settings(self, conn: Connection) -> Iterator[None]:
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA threads = 2")
        conn.execute("PRAGMA foreign_keys = OFF")  # rows are consistent by construction; tests check it
        try:
            yield
        finally:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA cache_size = -2000")
            conn.execute("PRAGMA temp_store = DEFAULT")

    def secondary_indexes(self, conn: Connection, tables: Sequence[str]) -> list[tuple[str, str]]:
        marks = ",".join("?" * len(tables))
        rows = conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY rowid",
            list(tables),
        )
        return [(r[0], r[1]) for r in rows]

    def epoch_text(self, expr: str) -> str:
        return f"strftime('%Y-%m-%dT%H:%M:%SZ', {expr}, 'unixepoch')"

    def zero_padded(self, expr: str, width: int) -> str:
        return f"printf('%0{int(width)}d', {expr})"

    def casefold(self, expr: str) -> str:
        return f"cctx_fold({expr})"  # SQLite's lower() only folds A-Z

    def stored_columns(self, conn: Connection, table: str) -> list[str]:
        # table_info leaves out generated columns (table_xinfo would list them).
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]

    def bulk_insert(self, conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        counted = _Counted(rows)
        marks = ",".join("?" * len(columns))
        conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", counted)
        return counted.count

    def begin_read(self, conn: Connection) -> None:
        conn.execute("BEGIN DEFERRED")

    def purge_lock(self, conn: Connection) -> AbstractContextManager[None]:
        from cctx.store import locks

        return locks.purge_lock(self.path)

    def clear_wal(self, conn: Connection) -> bool:
        from cctx.store import locks

        return locks.truncate_wal(conn)

    @contextmanager
    def manual_checkpoints(self, conn: Connection) -> Iterator[None]:
        previous = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA wal_autocheckpoint = {previous}")

    def checkpoint(self, conn: Connection) -> None:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    reclaims_space = True

    def free_pages(self, conn: Connection) -> int:
        return int(conn.execute("PRAGMA freelist_count").fetchone()[0])

    def reclaim_pages(self, conn: Connection, pages: int) -> None:
        # Stepped to its end: one step of the pragma frees a single page.
        conn.execute(f"PRAGMA incremental_vacuum({int(pages)})").fetchall()

    def indexed_by(self, index: str) -> str:
        return f"INDEXED BY {index}"

    def query_plan(self, conn: Connection, sql: str, params: Sequence[Any]) -> list[str]:
        return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]

    def json_int_list(self) -> str:
        return "(SELECT value FROM json_each(?))"


class _Counted:
    """An iterable that counts what it yields."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self._rows:
            self.count += 1
            yield row


def _casefold(value: object) -> str | None:
    return None if value is None else str(value).casefold()


def split_statements(sql: str) -> Iterator[str]:
    """The statements of a SQLite script, one at a time (``executescript`` would commit the open
    transaction first). A statement ends where SQLite says it is complete: trigger bodies, strings and
    comments are read as SQLite reads them."""
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            if statement.strip():
                yield statement
            statement = ""
    if statement.strip() and not all(ln.strip().startswith("--") or not ln.strip() for ln in statement.splitlines()):
        yield statement
