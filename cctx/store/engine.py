"""The engines: what differs between SQLite and PostgreSQL, and nothing else.

An engine opens the connection, starts write transactions with its locking, keeps the schema version,
runs migration scripts and supplies the few SQL fragments that cannot be written once for both.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cctx.errors import CctxError, Invalid, NotFound
from cctx.times import format_ts

# A moment bound as a parameter is stored and compared as cctx's timestamp text (2026-05-01T09:00:00Z):
# the store's queries take ``datetime`` and never format one themselves.
sqlite3.register_adapter(datetime, format_ts)


class Connection(Protocol):
    """What the stores use of a connection: sqlite3's own, or the PostgreSQL adapter of the same shape."""

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ..., /) -> Any: ...

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> Any: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...

    @property
    def in_transaction(self) -> bool: ...


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


class Engine:
    """The part of the database that differs by engine. Subclasses: SqliteEngine, PostgresEngine."""

    name: str  # "sqlite" or "postgresql", as `db stats` reports it
    migrations: str  # folder of cctx/migrations
    display_name: str

    @property
    def path(self) -> Path:
        raise Invalid(f"{self.display_name} is not a SQLite file")

    def connect(self) -> Connection:
        raise NotImplementedError

    def begin_write(self, conn: Connection) -> None:
        raise NotImplementedError

    def schema_version(self, conn: Connection) -> int:
        raise NotImplementedError

    def set_schema_version(self, conn: Connection, version: int) -> None:
        raise NotImplementedError

    def prepare_for_migrations(self, conn: Connection, *, fresh: bool) -> None:
        """Settings that must precede the first table (SQLite's auto_vacuum) or every migration."""

    def run_script(self, conn: Connection, sql: str) -> None:
        raise NotImplementedError

    def table_names(self, conn: Connection) -> list[str]:
        raise NotImplementedError

    def size_bytes(self, conn: Connection) -> int:
        raise NotImplementedError

    def stored_columns(self, conn: Connection, table: str) -> list[str]:
        """The columns of ``table`` that hold values (not generated ones), in order."""
        raise NotImplementedError

    def bulk_insert(self, conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert many rows into ``table`` (a constant of the caller) the engine's fastest way; return how many."""
        raise NotImplementedError

    def stream(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """Run ``sql`` now and hand back its rows as they are read, never all held at once (SQLite's
        cursor steps through the result; PostgreSQL's server-side cursor sends it in blocks)."""
        return iter(conn.execute(sql, params))

    def execute_batch(self, conn: Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run ``sql`` once per row, the engine's fastest way (no row counts)."""
        conn.executemany(sql, rows)

    def begin_read(self, conn: Connection) -> None:
        """A read transaction: every query inside sees one state, and no write lock is taken."""
        raise NotImplementedError

    def not_initialised(self) -> CctxError:
        name = self.display_name
        return Invalid(f"{name} is not a cctx database (create one with: cctx --db {name} db init)")

    def outdated(self, version: int) -> CctxError:
        return Invalid(
            f"database {self.display_name} has schema {version}; upgrade it with: cctx --db {self.display_name} db init"
        )

    # Locks and the space deleted rows leave behind.
    def purge_lock(self, conn: Connection) -> AbstractContextManager[None]:
        raise NotImplementedError

    def clear_wal(self, conn: Connection) -> bool:
        """Deleted content out of the engine's write-ahead log, where cctx controls it; False when readers
        kept that from completing."""
        return True

    def manual_checkpoints(self, conn: Connection) -> AbstractContextManager[None]:
        return nullcontext()

    def checkpoint(self, conn: Connection) -> None:
        return None

    reclaims_space = False  # whether `history purge --vacuum` can give pages back

    def free_pages(self, conn: Connection) -> int:
        return 0

    def reclaim_pages(self, conn: Connection, pages: int) -> None:
        return None

    # Bulk loads.
    def bulk_load_settings(self, conn: Connection) -> AbstractContextManager[None]:
        """Connection settings for loading a fresh database, restored after."""
        return nullcontext()

    def analyze(self, conn: Connection, tables: Sequence[str]) -> None:
        """Refresh the planner's statistics of ``tables`` after a bulk load."""

    def secondary_indexes(self, conn: Connection, tables: Sequence[str]) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the indexes of ``tables`` that no constraint owns, in order."""
        raise NotImplementedError

    # SQL fragments where the engines differ.
    def epoch_text(self, expr: str) -> str:
        """The integer epoch seconds ``expr`` as ISO-8601 UTC text ending in Z (NULL stays NULL)."""
        raise NotImplementedError

    def zero_padded(self, expr: str, width: int) -> str:
        """The integer ``expr`` as text of ``width`` digits, zero-padded."""
        raise NotImplementedError

    def casefold(self, expr: str) -> str:
        """``expr`` folded for case-insensitive matching beyond ASCII."""
        return f"lower({expr})"

    def indexed_by(self, index: str) -> str:
        """Pin a query to ``index`` where the engine allows it (SQLite's INDEXED BY); else nothing."""
        return ""

    def query_plan(self, conn: Connection, sql: str, params: Sequence[Any]) -> list[str]:
        """How the engine runs ``sql``: one line per step (SQLite's EXPLAIN QUERY PLAN details, or
        PostgreSQL's EXPLAIN lines)."""
        return [str(row[0]) for row in conn.execute("EXPLAIN " + sql, params)]

    def json_int_list(self) -> str:
        """A subquery yielding the integers of one JSON-array parameter: any number of ids, one statement."""
        raise NotImplementedError


class SqliteEngine(Engine):
    name = "sqlite"
    migrations = "sqlite"

    def __init__(self, path: Path, busy_timeout_ms: int, *, create: bool) -> None:
        self._path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.display_name = str(path)
        if not path.exists():
            if not create:
                raise NotFound(f"database {path} does not exist (create it with: cctx --db {path} db init)")
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        elif path.is_dir():
            raise Invalid(f"database {path} is a directory")

    @property
    def path(self) -> Path:
        return self._path

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

        return locks.purge_lock(self._path)

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


def open_engine(target: str, busy_timeout_ms: int, *, create: bool) -> Engine:
    if is_postgres_url(target):
        from cctx.store.postgres import PostgresEngine

        return PostgresEngine(target, busy_timeout_ms)
    return SqliteEngine(Path(target), busy_timeout_ms, create=create)
