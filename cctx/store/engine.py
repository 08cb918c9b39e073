"""What an engine is: what differs between SQLite (store/sqlite.py) and PostgreSQL (store/postgres.py),
and nothing else.

An engine opens the connection, starts write transactions with its locking, keeps the schema version,
runs migration scripts and supplies the few SQL fragments that cannot be written once for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, Protocol

from cctx.errors import CctxError, Invalid

if TYPE_CHECKING:
    from pathlib import Path


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
