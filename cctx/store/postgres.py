"""The PostgreSQL engine: psycopg2, lock_timeout for the busy timeout, advisory locks, COPY for bulk loads.

Imported only for a ``postgresql://`` URL, so SQLite users never pay for the driver. The connection
adapter gives the stores the same shape as sqlite3's: ``execute`` with ``?`` placeholders, rows readable
by position and by column name, ``rowcount``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any

from cctx.errors import Busy, CctxError, Invalid
from cctx.store.engine import Connection, Engine
from cctx.times import format_ts

try:
    import psycopg2
    import psycopg2.extensions
except ImportError:  # the `postgres` extra is not installed
    psycopg2 = None  # type: ignore[assignment]
else:
    # A moment bound as a parameter is cctx's timestamp text (2026-05-01T09:00:00Z), as on SQLite.
    psycopg2.extensions.register_adapter(datetime, lambda moment: psycopg2.extensions.QuotedString(format_ts(moment)))

# One key for the writers' lock and one for the purge lock, per database (advisory locks are per database).
WRITE_LOCK_KEY = 0x63637478_0001
PURGE_LOCK_KEY = 0x63637478_0002

STREAM_BLOCK = 1000  # rows per round trip of a server-side cursor
_cursor_numbers = itertools.count(1)

LOCK_ERRORS = {"55P03", "40P01", "57014"}  # lock_not_available, deadlock_detected, query_canceled
UNDEFINED_TABLE = "42P01"  # undefined_table: a database without cctx's schema


def hide_password(url: str) -> str:
    """``url`` with any password shown as ``***`` (in the authority and in a ``password=`` parameter)."""
    from urllib.parse import urlsplit, urlunsplit  # only when a message names the database

    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r":[^:@/]*@", ":***@", url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    query = re.sub(r"(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """``?`` placeholders as psycopg2's ``%s``, and a literal ``%`` doubled. No cctx query has a ``?`` or
    ``%`` inside a string literal it means literally."""
    return sql.replace("%", "%%").replace("?", "%s")


class Row(tuple[Any, ...]):
    """A row readable by position and by column name, like sqlite3.Row."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


class PgCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        description = cursor.description
        self._index = {d[0]: i for i, d in enumerate(description)} if description else {}

    def _row(self, values: Sequence[Any] | None) -> Row | None:
        return None if values is None else Row(values, self._index)

    def fetchone(self) -> Row | None:
        return self._row(self._cursor.fetchone())

    def fetchall(self) -> list[Row]:
        return [Row(v, self._index) for v in self._cursor.fetchall()]

    def __iter__(self) -> Iterator[Row]:
        while True:
            batch = self._cursor.fetchmany(STREAM_BLOCK)
            if not batch:
                return
            for values in batch:
                yield Row(values, self._index)


class PgConnection:
    """psycopg2's connection in the shape of sqlite3's: autocommit unless BEGIN was executed."""

    def __init__(self, raw: Any, url: str) -> None:
        self.raw = raw
        self.url = url

    @property
    def display_name(self) -> str:
        """The URL with its password hidden, for a message."""
        return hide_password(self.url)

    @property
    def in_transaction(self) -> bool:
        return bool(self.raw.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE)

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> PgCursor:
        cursor = self.raw.cursor()
        try:
            if isinstance(parameters, dict):
                cursor.execute(re.sub(r":(\w+)", r"%(\1)s", sql.replace("%", "%%")), parameters)
            elif parameters:
                cursor.execute(to_pyformat(sql), tuple(parameters))
            else:
                cursor.execute(sql)
        except psycopg2.Error as exc:
            raise self.translate(exc) from None
        return PgCursor(cursor)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any]) -> PgCursor:
        total = 0
        last: PgCursor | None = None
        for parameters in seq_of_parameters:
            last = self.execute(sql, parameters)
            total += max(last.rowcount, 0)
        cursor = last or PgCursor(self.raw.cursor())
        cursor.rowcount = total
        return cursor

    def stream(self, sql: str, parameters: Sequence[Any] = ()) -> Iterator[Row]:
        """Run ``sql`` now through a server-side cursor and yield its rows block by block, so a listing of
        millions starts at once and holds one block in memory. The transaction the cursor lives in, the
        cursor and its first block take one round trip, and a result of less than a block one more (the
        end of the transaction). Inside a transaction already open, the rows come through an ordinary
        cursor."""
        if self.in_transaction:
            return iter(self.execute(sql, parameters))
        name = f"cctx_stream_{next(_cursor_numbers)}"
        query = to_pyformat(sql) if parameters else sql
        cursor = self.raw.cursor()
        try:
            cursor.execute(f"BEGIN; DECLARE {name} NO SCROLL CURSOR FOR {query}; "
                           f"FETCH FORWARD {STREAM_BLOCK} FROM {name}", tuple(parameters) or None)
            first = cursor.fetchall()
        except psycopg2.Error as exc:
            self.rollback()
            raise self.translate(exc) from None
        return self._rows(cursor, name, first)

    def _rows(self, cursor: Any, name: str, block: list[Any]) -> Iterator[Row]:
        try:
            index = {d[0]: i for i, d in enumerate(cursor.description or ())}
            while block:
                for values in block:
                    yield Row(values, index)
                if len(block) < STREAM_BLOCK:
                    break
                cursor.execute(f"FETCH FORWARD {STREAM_BLOCK} FROM {name}")
                block = cursor.fetchall()
        except psycopg2.Error as exc:
            raise self.translate(exc) from None
        finally:
            if not self.raw.closed:
                self.rollback()  # read only: nothing to keep, and the cursor ends with its transaction

    def execute_batch(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]]) -> None:
        """Many rows in pages of statements per round trip (psycopg2's execute_batch); no row count."""
        import psycopg2.extras

        cursor = self.raw.cursor()
        try:
            psycopg2.extras.execute_batch(cursor, to_pyformat(sql), seq_of_parameters, page_size=500)
        except psycopg2.Error as exc:
            raise self.translate(exc) from None

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """COPY ``rows`` into ``table`` (a constant of the caller); return how many."""
        from cctx.store.pg_copy import RowStream

        stream = RowStream(rows)
        cursor = self.raw.cursor()
        try:
            cursor.copy_expert(f"COPY {table} ({','.join(columns)}) FROM STDIN", stream)
        except psycopg2.Error as exc:
            raise self.translate(exc) from None
        return stream.count

    # The connection is in autocommit mode and transactions are explicit SQL (BEGIN from the engine, as on
    # SQLite), so psycopg2's own commit() and rollback() would do nothing.
    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.cursor().execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()

    def translate(self, exc: Exception) -> CctxError:
        code = getattr(exc, "pgcode", None)
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if code in LOCK_ERRORS:
            return Busy(f"the database stayed locked by another process past the busy timeout ({self.display_name})")
        return DatabaseError(f"database error ({self.display_name}: {text})")


def _version_in_transaction(conn: Connection) -> int:
    """The schema version, asking first whether the table is there: inside a transaction, a failed statement
    would abort it."""
    if not conn.execute("SELECT to_regclass('cctx_schema') IS NOT NULL").fetchone()[0]:
        return 0
    return int(conn.execute("SELECT version FROM cctx_schema").fetchone()[0])


class DatabaseError(CctxError):
    """An error reported by the PostgreSQL server."""


class PostgresEngine(Engine):
    name = "postgresql"
    migrations = "postgres"

    def __init__(self, url: str, busy_timeout_ms: int) -> None:
        if psycopg2 is None:
            raise CctxError("PostgreSQL support is not installed: pip install 'cctx[postgres]'")
        self.url = url
        self.busy_timeout_ms = busy_timeout_ms

    @cached_property
    def display_name(self) -> str:  # type: ignore[override]
        """The URL with its password hidden; worked out when a message needs it."""
        return hide_password(self.url)

    def _where(self) -> str:
        """``host H, database D`` of the URL, for errors (never the password)."""
        try:
            params = psycopg2.extensions.parse_dsn(self.url)
        except psycopg2.Error:
            return self.display_name
        host = params.get("host") or "localhost"
        port = params.get("port")
        database = params.get("dbname") or params.get("user") or "(default)"
        return f"host {host}{':' + port if port else ''}, database {database}"

    def connect(self) -> Connection:
        try:
            # The busy timeout and UTC are session settings sent with the connection: no round trip of their own.
            raw = psycopg2.connect(
                self.url, connect_timeout=10, application_name="cctx",
                options=f"-c lock_timeout={int(self.busy_timeout_ms)} -c TimeZone=UTC",
            )
        except psycopg2.ProgrammingError as exc:  # a malformed URL
            raise Invalid(f"invalid PostgreSQL URL {self.display_name}: {_first_line(exc)}") from None
        except psycopg2.OperationalError as exc:
            raise CctxError(f"cannot connect to PostgreSQL ({self._where()}): {_first_line(exc)}") from None
        raw.autocommit = True
        return PgConnection(raw, self.url)

    def begin_write(self, conn: Connection) -> None:
        # One writer at a time, as on SQLite: services check and then write, inside one transaction.
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))

    def schema_version(self, conn: Connection) -> int:
        """The version cctx_schema holds; 0 without the table. Outside a transaction (opening a database,
        every command) one round trip: a statement that fails in autocommit leaves nothing to roll back."""
        if conn.in_transaction or not isinstance(conn, PgConnection):
            return _version_in_transaction(conn)
        cursor = conn.raw.cursor()
        try:
            cursor.execute("SELECT version FROM cctx_schema")
        except psycopg2.Error as exc:
            if exc.pgcode == UNDEFINED_TABLE:
                return 0
            raise conn.translate(exc) from None
        return int(cursor.fetchone()[0])

    def set_schema_version(self, conn: Connection, version: int) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS cctx_schema (version INTEGER NOT NULL)")
        conn.execute("DELETE FROM cctx_schema")
        conn.execute("INSERT INTO cctx_schema (version) VALUES (?)", (version,))

    def run_script(self, conn: Connection, sql: str) -> None:
        conn.execute(sql)

    def table_names(self, conn: Connection) -> list[str]:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' AND table_name <> 'cctx_schema' ORDER BY table_name"
        )
        return [r[0] for r in rows]

    def size_bytes(self, conn: Connection) -> int:
        return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])

    def stored_columns(self, conn: Connection, table: str) -> list[str]:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position",
            (table,),
        )
        return [r[0] for r in rows]

    def bulk_insert(self, conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        assert isinstance(conn, PgConnection)
        return conn.copy_rows(table, columns, rows)

    def stream(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        assert isinstance(conn, PgConnection)
        return conn.stream(sql, params)

    def execute_batch(self, conn: Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        assert isinstance(conn, PgConnection)
        conn.execute_batch(sql, rows)

    def begin_read(self, conn: Connection) -> None:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    @contextmanager
    def purge_lock(self, conn: Connection) -> Iterator[None]:
        got = conn.execute("SELECT pg_try_advisory_lock(?)", (PURGE_LOCK_KEY,)).fetchone()[0]
        if not got:
            raise Busy(f"another purge is running on {self.display_name}; try again when it has finished")
        try:
            yield
        finally:
            if conn.in_transaction:
                conn.rollback()
            conn.execute("SELECT pg_advisory_unlock(?)", (PURGE_LOCK_KEY,))

    def analyze(self, conn: Connection, tables: Sequence[str]) -> None:
        conn.execute(f"ANALYZE {', '.join(tables)}")

    def secondary_indexes(self, conn: Connection, tables: Sequence[str]) -> list[tuple[str, str]]:
        rows = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            f"AND i.tablename IN ({','.join('?' * len(tables))}) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname",
            list(tables),
        )
        return [(r[0], r[1]) for r in rows]

    def epoch_text(self, expr: str) -> str:
        return f"to_char(to_timestamp({expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

    def zero_padded(self, expr: str, width: int) -> str:
        return f"lpad(({expr})::text, {int(width)}, '0')"

    def json_int_list(self) -> str:
        return "(SELECT value::bigint FROM jsonb_array_elements_text(CAST(? AS jsonb)) AS j(value))"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
