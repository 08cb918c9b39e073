"""The repository on a real file: transactions commit or roll back as a whole, migrations are idempotent."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cctx.errors import Conflict, Invalid, NotFound
from cctx.repository import Repository
from cctx.repository.base import schema_version
from cctx.services import agents
from tests.conftest import NOW, query


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    created = Repository.open(tmp_path / "cctx.db", 5000, create=True)
    created.migrate()
    yield created
    created.close()


def test_a_transaction_commits_everything_or_nothing(repo: Repository) -> None:
    with repo.transaction():
        repo.insert_queue("billing")
        repo.record_audit(NOW, "tester", "queue.add", [1], {"name": "billing"})
    with pytest.raises(RuntimeError), repo.transaction():
        repo.insert_queue("sales")
        repo.record_audit(NOW, "tester", "queue.add", [2], {"name": "sales"})
        raise RuntimeError("interrupted")
    assert repo.queue_names() == ["billing"]
    assert len(repo.audit_records()) == 1


def test_a_nested_transaction_joins_the_outer_one(repo: Repository) -> None:
    with pytest.raises(RuntimeError), repo.transaction():
        with repo.transaction():
            repo.insert_queue("inner")
        assert repo.conn.in_transaction  # the inner block did not commit
        raise RuntimeError("outer fails")
    assert repo.queue_names() == []


def test_a_refused_service_call_writes_nothing(repo: Repository) -> None:
    agents.add_queue(repo, "billing", now=NOW, actor="tester")
    with pytest.raises(NotFound):
        agents.add_agent(repo, "mia", ["billing", "nowhere"], now=NOW, actor="tester")
    with pytest.raises(Conflict):
        agents.add_queue(repo, "billing", now=NOW, actor="tester")
    assert repo.agent_names() == []
    assert [r.action for r in repo.audit_records()] == ["queue.add"]


def test_writes_take_the_lock_at_begin(repo: Repository, tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a second writer waits for the lock instead of failing later mid-transaction."""
    other = sqlite3.connect(tmp_path / "cctx.db", isolation_level=None, timeout=0.05)
    try:
        with repo.transaction():
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.rollback()
    finally:
        other.close()


def test_migrations_are_idempotent_and_the_file_is_private(repo: Repository, tmp_path: Path) -> None:
    assert repo.user_version == schema_version()
    assert repo.migrate() == (schema_version(), schema_version())
    assert stat.S_IMODE((tmp_path / "cctx.db").stat().st_mode) == 0o600
    assert query(tmp_path / "cctx.db", "PRAGMA journal_mode") == [("wal",)]


def test_opening_checks_the_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        Repository.open(tmp_path / "missing.db", 5000)
    assert not (tmp_path / "missing.db").exists()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(Invalid, match="not a cctx database"):
        Repository.open(empty, 5000)
