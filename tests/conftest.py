"""Shared fixtures: real SQLite files built through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cctx.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEMO = FIXTURES / "demo.yaml"
NOW = "2026-11-25T12:00:00Z"


class Cli:
    """Runs `cctx --db DB ...` in-process with a fixed clock and actor."""

    def __init__(self, db: Path, env: dict[str, str] | None = None) -> None:
        self.db = db
        self.env = {"CCTX_NOW": NOW, "CCTX_ACTOR": "tester", "CCTX_CONFIG": "", "CCTX_FORMAT": "", **(env or {})}
        self.runner = CliRunner()

    def run(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        merged = {**self.env, **(env or {})}
        return self.runner.invoke(cli, ["--db", str(self.db), *args], input=input, env=merged)

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


def table_counts(db: Path) -> dict[str, int]:
    """Row counts of every table, read directly from the file."""
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
    finally:
        conn.close()


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read the file directly, to check what a command really stored."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def _no_stray_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Run every test in an empty directory, so no ./cctx.yaml or ./cctx.db leaks in."""
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def empty_cli(tmp_path: Path) -> Cli:
    """A Cli on a freshly initialised, empty database."""
    c = Cli(tmp_path / "cctx.db")
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


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
