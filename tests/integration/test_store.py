"""The store on a real file: transactions commit or roll back as a whole, migrations are idempotent."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cctx.errors import Conflict, Invalid, NotFound
from cctx.services import agents
from cctx.store import Store
from cctx.store.base import SCHEMA_VERSION
from tests.conftest import NOW_AT, query


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    created = Store.open(tmp_path / "cctx.db", 5000, create=True)
    created.migrate()
    yield created
    created.close()


def test_a_transaction_commits_everything_or_nothing(store: Store) -> None:
    with store.transaction():
        store.agents.add_queue("billing")
        store.audit.record(NOW_AT, "tester", "queue.add", [1], {"name": "billing"})
    with pytest.raises(RuntimeError), store.transaction():
        store.agents.add_queue("sales")
        store.audit.record(NOW_AT, "tester", "queue.add", [2], {"name": "sales"})
        raise RuntimeError("interrupted")
    assert store.agents.queue_names() == ["billing"]
    assert len(store.audit.records()) == 1


def test_a_nested_transaction_joins_the_outer_one(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction():
            store.agents.add_queue("inner")
        assert store.conn.in_transaction  # the inner block did not commit
        raise RuntimeError("outer fails")
    assert store.agents.queue_names() == []


def test_a_refused_service_call_writes_nothing(store: Store) -> None:
    agents.add_queue(store, "billing", now=NOW_AT, actor="tester")
    with pytest.raises(NotFound):
        agents.add_agent(store, "mia", ["billing", "nowhere"], now=NOW_AT, actor="tester")
    with pytest.raises(Conflict):
        agents.add_queue(store, "billing", now=NOW_AT, actor="tester")
    assert store.agents.agent_names() == []
    assert [r.action for r in store.audit.records()] == ["queue.add"]


def test_writes_take_the_lock_at_begin(store: Store, tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a second writer waits for the lock instead of failing later mid-transaction."""
    other = sqlite3.connect(tmp_path / "cctx.db", isolation_level=None, timeout=0.05)
    try:
        with store.transaction():
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.rollback()
    finally:
        other.close()


def test_migrations_are_idempotent_and_the_file_is_private(store: Store, tmp_path: Path) -> None:
    assert store.user_version == SCHEMA_VERSION
    assert store.migrate() == (SCHEMA_VERSION, SCHEMA_VERSION)
    assert stat.S_IMODE((tmp_path / "cctx.db").stat().st_mode) == 0o600
    assert query(tmp_path / "cctx.db", "PRAGMA journal_mode") == [("wal",)]


def test_opening_checks_the_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        Store.open(tmp_path / "missing.db", 5000)
    assert not (tmp_path / "missing.db").exists()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(Invalid, match="not a cctx database"):
        Store.open(empty, 5000)


def test_the_schema_version_is_the_last_migration_of_each_engine() -> None:
    from cctx.store.base import SCHEMA_VERSION, migration_files

    for engine in ("sqlite", "postgres"):
        versions = [v for v, _ in migration_files(engine)]
        assert versions == list(range(1, SCHEMA_VERSION + 1)), engine
