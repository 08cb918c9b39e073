"""The database: one connection to either engine, transactions with SAVEPOINT nesting, and migrations.

Queries are written once, with ``?`` placeholders, and run unchanged on SQLite and PostgreSQL; where the
engines differ (locking, pragmas, schema bookkeeping, bulk loads) the engine supplies that one piece.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator, Sequence, Sized
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Self

from cctx.store.engine import Connection, Engine, is_postgres_url

if TYPE_CHECKING:
    from pathlib import Path

CHUNK = 500  # ids per IN (...) list, well under either engine's limit on bound parameters


def storable(an_id: int) -> bool:
    """An id either engine can hold as a 64-bit integer; no row has any other."""
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


def existing_ids(conn: Connection, table: str, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` are rows of ``table`` (a constant of the caller, never input)."""
    found: set[int] = set()
    for chunk, marks in chunks([i for i in ids if storable(i)]):
        found.update(r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk))
    return found


# The schema version this cctx writes, the same on both engines: the number of the last migration of each
# series (a test checks it), so that opening a database reads no folder.
SCHEMA_VERSION = 8


def migration_files(engine: str) -> list[tuple[int, Path]]:
    """(version, path) of every migration shipped for ``engine`` ("sqlite" or "postgres"), in order."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "migrations" / engine
    return sorted((int(p.name[:4]), p) for p in folder.glob("[0-9][0-9][0-9][0-9]_*.sql"))


# Work in Python that a migration's SQL cannot do, run in that migration's transaction after its SQL:
# version -> (module, function taking the Database). Imported only when the step runs.
MIGRATION_STEPS = {
    3: ("cctx.store.profiles", "renormalise_phones"),  # phones as libphonenumber writes them
    4: ("cctx.store.search", "build_search_index"),  # fold stored item text, build the full-text index
    8: ("cctx.store.search", "merge_after_erasure_only"),  # a purge merges the index in steps of its own
}


def open_engine(target: str, busy_timeout_ms: int, *, create: bool) -> Engine:
    """The engine of ``target``: a ``postgresql://`` URL, else a SQLite file path."""
    if is_postgres_url(target):
        from cctx.store.postgres import PostgresEngine

        return PostgresEngine(target, busy_timeout_ms)
    from cctx.store.sqlite import SqliteEngine

    return SqliteEngine(target, busy_timeout_ms, create=create)


class Database:
    """One connection in autocommit mode; writes go through ``transaction()``."""

    def __init__(self, conn: Connection, engine: Engine) -> None:
        self.conn = conn
        self.engine = engine
        self._depth = 0

    @classmethod
    def open(cls, target: str | os.PathLike[str], busy_timeout_ms: int, *, create: bool = False) -> Self:
        """Open ``target``: a file path (SQLite) or a ``postgresql://`` URL. Only with ``create`` may a
        SQLite file be created (mode 0600); PostgreSQL databases are never created by cctx."""
        engine = open_engine(str(target), busy_timeout_ms, create=create)
        db = cls(engine.connect(), engine)
        if not create:
            db.check_version()
        return db

    @property
    def name(self) -> str:
        """The database as users may see it: the file path, or the URL with its password hidden."""
        return self.engine.display_name

    @property
    def path(self) -> Path:
        """The SQLite file (engine-specific work only)."""
        return self.engine.path

    def close(self) -> None:
        self.conn.close()

    @property
    def user_version(self) -> int:
        return self.engine.schema_version(self.conn)

    def check_version(self) -> None:
        version = self.user_version
        if version == 0:
            raise self.engine.not_initialised()
        if version < SCHEMA_VERSION:
            raise self.engine.outdated(version)
        if version > SCHEMA_VERSION:
            from cctx.errors import Invalid

            raise Invalid(f"database {self.name} has schema {version}, newer than this cctx understands")

    def migrate(self) -> tuple[int, int]:
        """Apply the migrations the database lacks, each in its own transaction; return (before, after)."""
        before = self.user_version
        self.engine.prepare_for_migrations(self.conn, fresh=before == 0)
        for version, path in migration_files(self.engine.migrations):
            if version > self.user_version:
                with self.transaction():
                    self.engine.run_script(self.conn, path.read_text(encoding="utf-8"))
                    if version in MIGRATION_STEPS:
                        module, function = MIGRATION_STEPS[version]
                        getattr(importlib.import_module(module), function)(self)
                    self.engine.set_schema_version(self.conn, version)
        return before, self.user_version

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite; ``BEGIN`` and the writers' lock on PostgreSQL)
        committed on success, rolled back on any exception. A nested call is a SAVEPOINT: its failure rolls
        back only its own work when the caller handles it, and the outer transaction decides the rest."""
        if self._depth:
            name = f"cctx_{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self.conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            else:
                self.conn.execute(f"RELEASE SAVEPOINT {name}")
            finally:
                self._depth -= 1
            return
        self.engine.begin_write(self.conn)
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


class AggregateStore:
    """The queries of one aggregate (people, conversations, holds, ...) over a Database's connection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
        return self.db.conn

    @property
    def engine(self) -> Engine:
        return self.db.engine

    def transaction(self) -> AbstractContextManager[None]:
        return self.db.transaction()
