"""Shared fixtures: real databases built through the real CLI, on both engines.

Every test that takes ``empty_cli``, ``demo_cli`` or ``db_target`` runs twice: on a fresh SQLite file and
on a fresh database of a real PostgreSQL server that the test session starts itself (``pgserver``, from
the dev extra) and stops at the end. Tests of the file itself (permissions, WAL, pragmas, raw bytes, query
plans), and the SQLite side of a property test whose PostgreSQL variant runs beside it, are marked
``sqlite_only`` and are skipped, with that reason, on PostgreSQL. ``CCTX_TEST_ENGINES=sqlite`` narrows a
local run to one engine.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cctx.cli import main
from cctx.times import parse_ts

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEMO = FIXTURES / "demo.yaml"
NOW = "2026-11-25T12:00:00Z"
NOW_AT = parse_ts(NOW)  # as services and stores take it


ENGINES = [e for e in os.environ.get("CCTX_TEST_ENGINES", "sqlite,postgresql").split(",") if e]


def is_url(target: Path | str) -> bool:
    return str(target).startswith("postgresql://")


def run_main(runner: CliRunner, argv: list[str], input: str | None = None, env: dict[str, str] | None = None
             ) -> Result:
    """``cctx ARGV`` in-process, as the executable runs it: the fast path of the reads, else click (so that
    every test of a read goes the way a script's does)."""
    code: int = 0
    error: BaseException | None = None
    with runner.isolation(input=input, env=env) as (stdout, stderr, output):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # --debug lets an error out, as a traceback and exit 1
            code, error = 1, exc
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    return Result(runner, stdout.getvalue(), stderr.getvalue(), output.getvalue(), None, code, error, exc_info)


class Cli:
    """Runs `cctx --db DB ...` in-process with a fixed clock and actor. ``db`` is a SQLite file's path or a
    PostgreSQL URL."""

    def __init__(self, db: Path | str, env: dict[str, str] | None = None) -> None:
        self.db = db
        self.env = {"CCTX_NOW": NOW, "CCTX_ACTOR": "tester", "CCTX_CONFIG": "", "CCTX_FORMAT": "", **(env or {})}
        self.runner = CliRunner()

    def run(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        merged = {**self.env, **(env or {})}
        return run_main(self.runner, ["--db", str(self.db), *args], input=input, env=merged)

    def ok(self, *args: str, **kwargs: Any) -> Result:
        result = self.run(*args, **kwargs)
        assert result.exit_code == 0, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        return result

    def json(self, *args: str, **kwargs: Any) -> Any:
        return json.loads(self.ok(*args, "-f", "json", **kwargs).stdout)

    def fail(self, *args: str, code: int = 1, **kwargs: Any) -> Result:
        result = self.run(*args, **kwargs)
        assert result.exit_code == code, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        if code != 2:
            assert result.stderr.startswith("Error: "), result.stderr
            assert "Traceback" not in result.stderr
        return result


def table_counts(db: Path | str) -> dict[str, int]:
    """Row counts of every table, read directly from the database."""
    if is_url(db):
        names = [r[0] for r in query(db, "SELECT table_name FROM information_schema.tables "
                                         "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")]
    else:
        names = [r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: query(db, f"SELECT count(*) FROM {n}")[0][0] for n in names}


def query(db: Path | str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read the database directly (plain SQL with ``?`` placeholders), to check what a command really stored
    or to plant a problem behind cctx's back."""
    if is_url(db):
        import psycopg2

        pg = psycopg2.connect(str(db))
        try:
            with pg.cursor() as cur:
                cur.execute(sql.replace("%", "%%").replace("?", "%s"), params)
                rows = cur.fetchall() if cur.description else []
            pg.commit()
            return [tuple(r) for r in rows]
        finally:
            pg.close()
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(sql, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def _no_stray_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Run every test in an empty directory, so no ./cctx.yaml or ./cctx.db leaks in."""
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A PostgreSQL server of the test session's own, on a unix socket in a temporary directory of its
    own (short, for the socket's path, and apart from pytest's rotated temporary directories)."""
    import pgserver

    data = tempfile.mkdtemp(prefix="cctx-pg-")
    server = pgserver.get_server(data, cleanup_mode="delete")
    # A server of throw-away databases: no need to wait for the disk (crash safety is not under test).
    server.psql("ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off; "
                "ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


_database_numbers = itertools.count(1)


def fresh_postgres_database(server: Any) -> str:
    """A new, empty database on ``server``; its URL."""
    import psycopg2

    name = f"cctx_test_{next(_database_numbers)}"
    admin = psycopg2.connect(server.get_uri("postgres"))
    try:
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name}")
    finally:
        admin.close()
    return str(server.get_uri(name))


@contextmanager
def clone_of(template: Path | str) -> Iterator[Path | str]:
    """A throw-away copy of the database ``template`` (a file, or a PostgreSQL database used as template),
    for tests that start many times from one state, such as property tests."""
    if not is_url(template):
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / Path(template).name
            shutil.copy(template, copy)
            yield copy
        return
    import psycopg2

    address, options = str(template).split("?", 1)
    base, source = address.rsplit("/", 1)
    name = f"cctx_clone_{next(_database_numbers)}"
    admin = psycopg2.connect(f"{base}/postgres?{options}")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name} TEMPLATE {source}")
    finally:
        admin.close()
    yield f"{base}/{name}?{options}"  # left for the server's end: dropping waits for a checkpoint


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a test runs on: "sqlite" or "postgresql"."""
    if request.param == "postgresql" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite only: a test of the file itself, or one with a PostgreSQL variant beside it")
    if request.param == "sqlite" and request.node.get_closest_marker("postgresql_only"):
        pytest.skip("the PostgreSQL variant of a test that has its own SQLite one")
    return str(request.param)


@pytest.fixture
def db_target(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A database that does not hold the schema yet: a new file's path, or a new PostgreSQL database's URL."""
    if engine == "sqlite":
        return tmp_path / "cctx.db"
    return fresh_postgres_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def empty_cli(db_target: Path | str) -> Cli:
    """A Cli on a freshly initialised, empty database."""
    c = Cli(db_target)
    c.ok("db", "init")
    return c


@pytest.fixture
def demo_cli(empty_cli: Cli) -> Cli:
    """A Cli on a database holding fixtures/demo.yaml."""
    empty_cli.ok("db", "import", str(DEMO))
    return empty_cli


class ProgressRecorder:
    """A ``progress`` for a service that records how the bar was sized and advanced."""

    def __init__(self) -> None:
        self.length = -1
        self.advanced = 0

    @contextmanager
    def __call__(self, length: int) -> Iterator[Callable[[int], None]]:
        self.length = length

        def advance(n: int) -> None:
            self.advanced += n

        yield advance


def run_on_terminal(
    cli: Cli, args: list[str], *, answer: bytes | None = None, only_stderr: bool = False,
    env: dict[str, str] | None = None, seconds: float = 60,
) -> tuple[int, str]:
    """Run cctx as its own process with its output on a pseudo-terminal: all three streams, or with
    ``only_stderr`` stderr alone (stdin and stdout then go nowhere). ``answer`` is typed at its first
    ``[y/N]`` question. Returns the exit status and what the terminal showed."""
    import pty
    import select
    import subprocess
    import sys
    import time

    primary, secondary = pty.openpty()
    elsewhere = subprocess.DEVNULL if only_stderr else secondary
    proc = subprocess.Popen(
        [sys.executable, "-m", "cctx", "--db", str(cli.db), *args], stdin=elsewhere, stdout=elsewhere,
        stderr=secondary, env={**os.environ, **cli.env, **(env or {})}, close_fds=True,
    )
    os.close(secondary)
    seen = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if answer is not None and b"[y/N]" in seen:
                os.write(primary, answer)
                answer = None
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=30)
    os.close(primary)
    return code, seen.decode(errors="replace")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
