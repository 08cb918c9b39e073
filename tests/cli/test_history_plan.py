"""The history query reads through one index, in order: no full scan, no temporary B-tree for ORDER BY."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from cctx.store import Store
from cctx.store.history import HistoryQuery, history_sql
from tests.conftest import Cli

# SQLite's planner and its statistics; PostgreSQL's plans are checked in test_postgres_plans.py.
pytestmark = pytest.mark.sqlite_only

HORIZONS: dict[str, str | None] = {"sms": "2025-01-01T00:00:00Z", "voice": "2026-01-01T00:00:00Z", "email": None}
VARIANTS = [
    {"channels": (), "statuses": (), "horizons": {}, "agent_id": None, "limit": None},
    {"channels": ("sms", "voice"), "statuses": ("open", "closed"), "horizons": HORIZONS, "agent_id": 1, "limit": 5},
]
SCOPES = [
    ("conversations_by_person", {"person_id": 1}),
    ("conversations_by_contact", {"contact_type": "phone", "contact": "+385981112233"}),
]


@pytest.fixture
def store(demo_cli: Cli) -> Store:
    # Statistics of a big file where a person has ~3 conversations and a contact ~10: left to itself, the
    # planner then reads `person_id IS NULL` through conversations_by_person, every unlinked conversation.
    conn = sqlite3.connect(demo_cli.db)
    conn.execute("ANALYZE")
    conn.execute("UPDATE sqlite_stat1 SET stat = '1000000 3 3' WHERE idx = 'conversations_by_person'")
    conn.execute("UPDATE sqlite_stat1 SET stat = '1000000 100000 10 10' WHERE idx = 'conversations_by_contact'")
    conn.commit()
    conn.close()
    return Store.open(demo_cli.db, 1000)


@pytest.mark.parametrize(("index", "scope"), SCOPES, ids=["person", "contact"])
@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest", "newest"])
@pytest.mark.parametrize("variant", VARIANTS, ids=["plain", "filtered-as-agent"])
def test_history_plan_uses_the_index_only(
    store: Store, index: str, scope: dict, newest_first: bool, variant: dict
) -> None:
    query = HistoryQuery(**scope, newest_first=newest_first, **variant)
    plan = store.history.plan(query)
    assert plan[0].startswith(f"SEARCH c USING INDEX {index} ("), plan
    assert not any("SCAN" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
    assert all(step.startswith("SEARCH") or "SUBQUERY" in step for step in plan), plan
    sql, _ = history_sql(query, store.engine)
    assert ("DESC" in sql) is newest_first


def test_those_statistics_would_mislead_the_planner_without_indexed_by(store: Store) -> None:
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM conversations c WHERE c.contact_type = 'phone' AND c.contact = 'x' "
        "AND c.person_id IS NULL ORDER BY c.created_at"
    ).fetchall()
    if "conversations_by_person" not in plan[0][3]:
        pytest.skip(f"SQLite {sqlite3.sqlite_version} is not misled by these statistics")


def test_the_access_filter_is_part_of_the_sql(store: Store) -> None:
    sql, params = history_sql(HistoryQuery(person_id=1, agent_id=7), store.engine)
    assert "agent_queues" in sql and "participants" in sql
    assert params.count(7) == 2
    assert "agent_queues" not in history_sql(HistoryQuery(person_id=1), store.engine)[0]


def test_history_needs_a_person_or_a_contact(store: Store) -> None:
    with pytest.raises(ValueError):
        history_sql(HistoryQuery(), store.engine)


def test_every_combination_returns_the_rows_of_the_plain_query_in_order(store: Store) -> None:
    everything = [c.id for c in store.history.conversations(HistoryQuery(person_id=1))]
    for newest_first, limit in itertools.product([False, True], [None, 1, 3]):
        query = HistoryQuery(person_id=1, newest_first=newest_first, limit=limit)
        got = [c.id for c in store.history.conversations(query)]
        expected = everything[::-1] if newest_first else everything
        assert got == expected[:limit]

