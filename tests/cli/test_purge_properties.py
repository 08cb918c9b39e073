"""Property tests of the purge over random small databases and a random `now`: it never deletes a
conversation that is not closed or a tombstone, deletes exactly what the dry run counted, and leaves no
orphan item or participant."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cctx.cli.root import cli
from cctx.store import Store
from cctx.times import format_ts
from tests.conftest import fresh_postgres_database, is_url, query, table_counts

CHANNELS = ("whatsapp", "sms", "voice", "facebook_posts")
STATUSES = ("open", "waiting", "solved", "closed", "closed", "merged", "merged")
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

conversation = st.fixed_dictionaries({
    "channel": st.sampled_from(CHANNELS),
    "status": st.sampled_from(STATUSES),
    "day": st.integers(0, 900),          # closed (or merged) this many days after EPOCH
    "items": st.integers(0, 3),
    "agent": st.booleans(),
    "target": st.integers(0, 1000),      # a tombstone merges into a later conversation
})
policy = st.one_of(
    st.none(),
    st.fixed_dictionaries({
        "default_days": st.one_of(st.none(), st.integers(1, 700)),
        "channels": st.dictionaries(st.sampled_from(CHANNELS), st.integers(1, 700), max_size=3),
    }),
)


def build(db: Path | str, rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    store = Store.open(db, 5000, create=True)
    store.migrate()
    stored: dict[int, dict[str, Any]] = {}
    with store.transaction():
        store.agents.add_agent("ana")
        n = len(rows)
        for i, row in enumerate(rows, start=1):
            at = format_ts(EPOCH + timedelta(days=row["day"], hours=row["day"] % 24))
            status = row["status"]
            if status == "merged" and i == n:
                status = "closed"  # the last one has nothing later to merge into
            # into one of the next three: chains (a tombstone merged into a later tombstone) and several
            # tombstones per target are common
            merged_into = i + 1 + row["target"] % min(3, n - i) if status == "merged" else None
            store.conversations.add({
                "id": i, "channel": row["channel"], "contact_type": "phone", "contact": "+38591000",
                "status": status, "display_name": "x", "created_at": format_ts(EPOCH),
                "closed_at": at if status == "closed" else None, "unlinked_explicitly": 0,
                "messages": 0, "notes": 0, "call_events": 0, "last_activity_at": format_ts(EPOCH),
            })
            stored[i] = {"channel": row["channel"], "status": status, "at": at, "merged_into": merged_into}
            kind = "note"
            store.conversations.add_items([(i, at, kind, "ana", "t", None, None)] * row["items"])
            if row["agent"]:
                store.conversations.add_participants(i, ["ana"])
        for i, c in stored.items():  # targets exist now
            if c["merged_into"] is not None:
                store.conn.execute("UPDATE conversations SET merged_into = ?, merged_at = ? WHERE id = ?",
                                  (c["merged_into"], c["at"], i))
    store.close()
    return stored


def oracle(stored: dict[int, dict[str, Any]], horizons: dict[str, str | None]) -> set[int]:
    """Retention written out plainly: expired closed conversations and tombstones, plus every tombstone merged
    (transitively) into something deleted."""
    doomed = {
        i for i, c in stored.items()
        if c["status"] in ("closed", "merged") and horizons.get(c["channel"]) is not None
        and c["at"] < horizons[c["channel"]]
    }
    while more := {i for i, c in stored.items() if c["merged_into"] in doomed and i not in doomed}:
        doomed |= more
    return doomed


# Random small worlds, a random now, policy, --older-than, --channel scope and batch size.
purge_cases = given(
    rows=st.lists(conversation, max_size=25),
    now_day=st.integers(0, 1200),
    retention=policy,
    older_than_days=st.one_of(st.none(), st.integers(1, 900)),
    scope=st.lists(st.sampled_from(CHANNELS), max_size=2, unique=True),
    batch_size=st.integers(1, 6),
)


@pytest.mark.sqlite_only
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@purge_cases
def test_purge_properties(
    engine: str, request: pytest.FixtureRequest,
    rows: list[dict[str, Any]], now_day: int, retention: dict[str, Any] | None, older_than_days: int | None,
    scope: list[str], batch_size: int,
) -> None:
    purge_properties(engine, request, rows, now_day, retention, older_than_days, scope, batch_size)


# The same properties on PostgreSQL, with fewer examples: each builds a fresh database.
@pytest.mark.postgresql_only
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@purge_cases
def test_purge_properties_on_postgresql(
    engine: str, request: pytest.FixtureRequest,
    rows: list[dict[str, Any]], now_day: int, retention: dict[str, Any] | None, older_than_days: int | None,
    scope: list[str], batch_size: int,
) -> None:
    purge_properties(engine, request, rows, now_day, retention, older_than_days, scope, batch_size)


def purge_properties(
    engine: str, request: pytest.FixtureRequest,
    rows: list[dict[str, Any]], now_day: int, retention: dict[str, Any] | None, older_than_days: int | None,
    scope: list[str], batch_size: int,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db: Path | str = Path(tmp) / "p.db"
        if engine == "postgresql":
            db = fresh_postgres_database(request.getfixturevalue("pg_server"))
        stored = build(db, rows)
        config = Path(tmp) / "cctx.yaml"
        config.write_text(json.dumps({"retention": retention}) if retention else "{}\n")
        now = EPOCH + timedelta(days=now_day, hours=7)
        env = {"CCTX_NOW": format_ts(now), "CCTX_ACTOR": "prop", "CCTX_FORMAT": ""}
        args = ["--db", str(db), "--config", str(config), "history", "purge", "-f", "json",
                "--batch-size", str(batch_size)]
        if older_than_days is not None:
            args += ["--older-than", f"{older_than_days}d"]
        for slug in scope:
            args += ["--channel", slug]

        has_policy = retention is not None and (retention["default_days"] is not None or retention["channels"])
        before = table_counts(db)
        dry = CliRunner().invoke(cli, [*args, "--dry-run"], env=env)
        if older_than_days is None and not has_policy:
            assert dry.exit_code == 1 and "no retention policy" in dry.stderr
            assert table_counts(db) == before
            return
        assert dry.exit_code == 0, dry.stderr
        assert table_counts(db) == before  # a dry run writes nothing

        if older_than_days is not None:
            cut: dict[str, str | None] = {c: format_ts(now - timedelta(days=older_than_days)) for c in CHANNELS}
        else:
            assert retention is not None
            days = {c: retention["channels"].get(c, retention["default_days"]) for c in CHANNELS}
            cut = {c: None if d is None else format_ts(now - timedelta(days=d)) for c, d in days.items()}
        if scope:
            cut = {c: (h if c in scope else None) for c, h in cut.items()}
        expected = oracle(stored, cut)

        real = CliRunner().invoke(cli, args, env=env)
        assert real.exit_code == 0, real.stderr
        planned, done = json.loads(dry.stdout), json.loads(real.stdout)
        left = {r[0] for r in query(db, "SELECT id FROM conversations")}
        deleted = set(stored) - left

        assert deleted == expected
        assert all(stored[i]["status"] in ("closed", "merged") for i in deleted)
        for key in ("conversations", "items", "by_channel", "items_by_channel", "horizons", "horizon"):
            assert planned[key] == done[key], key
        assert done["conversations"] == len(deleted)
        assert done["items"] == before["items"] - table_counts(db)["items"]
        assert query(db, "SELECT count(*) FROM items WHERE conversation_id NOT IN (SELECT id FROM conversations)") \
            == [(0,)]
        assert query(db, "SELECT count(*) FROM participants WHERE conversation_id NOT IN "
                         "(SELECT id FROM conversations)") == [(0,)]
        if not is_url(db):
            assert query(db, "PRAGMA foreign_key_check") == []
        audits = query(db, "SELECT details FROM audit WHERE action = 'history.purge'")
        assert len(audits) == (1 if deleted else 0)
        if deleted:
            assert json.loads(audits[0][0])["conversations"] == len(deleted)
