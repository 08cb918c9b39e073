"""On PostgreSQL the indexes match the queries, as on SQLite (test_history_plan.py, test_db.py).

The planner is asked with sequential scans priced out of reach (``enable_seqscan = off``), so the test
fails exactly when no index can serve a query, whatever the size of the test database.
"""

from __future__ import annotations

from typing import Any

import pytest

from cctx.store import Store
from cctx.store.history import HistoryQuery, history_sql
from tests.conftest import DEMO, Cli, fresh_postgres_database, query

HORIZONS: dict[str, str | None] = {"sms": "2025-01-01T00:00:00Z", "voice": "2026-01-01T00:00:00Z", "email": None}


@pytest.fixture
def store(pg_server: Any) -> Store:
    cli = Cli(fresh_postgres_database(pg_server))
    cli.ok("db", "init")
    cli.ok("db", "import", str(DEMO))
    db = Store.open(str(cli.db), 1000)
    db.conn.execute("SET enable_seqscan = off")
    return db


def plan(store: Store, sql: str, params: list[Any]) -> str:
    return "\n".join(store.engine.query_plan(store.conn, sql, params))


@pytest.mark.parametrize(
    ("index", "scope"),
    [("conversations_by_person", {"person_id": 1}),
     ("conversations_by_contact", {"contact_type": "phone", "contact": "+385981112233"})],
)
@pytest.mark.parametrize("agent_id", [None, 1])
def test_history_reads_through_its_index(store: Store, index: str, scope: dict, agent_id: int | None) -> None:
    query_ = HistoryQuery(**scope, horizons=HORIZONS, agent_id=agent_id, channels=("sms", "voice"))
    sql, params = history_sql(query_, store.engine)
    text = plan(store, sql, params)
    assert f"Index Scan using {index} on conversations" in text or f"Bitmap Index Scan on {index}" in text, text
    assert "Seq Scan on conversations" not in text, text


def test_every_foreign_key_a_delete_cascades_through_leads_an_index(store: Store) -> None:
    for table, column in [("items", "conversation_id"), ("participants", "conversation_id"),
                          ("destinations", "person_id"), ("tags", "person_id")]:
        text = plan(store, f"SELECT 1 FROM {table} WHERE {column} = ?", [1])
        assert "Index" in text and "Seq Scan" not in text, (table, text)


def test_the_expiry_index_serves_the_purge(store: Store) -> None:
    sql = ("SELECT id FROM conversations WHERE channel = ? AND expires_from < ? "
           "AND status IN ('closed', 'merged')")
    text = plan(store, sql, ["sms", "2026-01-01T00:00:00Z"])
    assert "conversations_expiry" in text, text


def test_the_indexes_are_those_of_sqlite(store: Store) -> None:
    url = store.name.replace("***", "")
    names = {r[0] for r in query(url, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
    for index in ("conversations_by_person", "conversations_by_contact", "conversations_expiry",
                  "items_by_conversation", "destinations_by_person", "tags_by_tag", "participants_by_agent"):
        assert index in names
