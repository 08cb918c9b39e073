"""`cctx db seed`: deterministic, spread like real traffic, counters right, a valid cctx database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cctx.channels import CHANNEL_SLUGS, STATUSES
from tests.conftest import Cli, query, table_counts

SMALL = ("--people", "50", "--conversations", "500", "--items", "3000")
DATA_TABLES = ("people", "destinations", "tags", "queues", "agents", "agent_queues", "conversations",
               "participants", "items", "audit")


def _seeded(tmp_path: Path, name: str, *args: str) -> Cli:
    cli = Cli(tmp_path / name)
    cli.ok("db", "init")
    cli.ok("db", "seed", *(args or SMALL), "-f", "json")
    return cli


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small seeded database shared by the read-only checks below."""
    cli = _seeded(tmp_path_factory.mktemp("seed"), "seed.db")
    return cli.db


def _dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in DATA_TABLES}
    finally:
        conn.close()


def test_seed_reports_its_counts(empty_cli: Cli) -> None:
    result = empty_cli.json("db", "seed", *SMALL)
    assert {k: result[k] for k in ("people", "conversations", "items", "agents", "queues")} == {
        "people": 50, "conversations": 500, "items": 3000, "agents": 40, "queues": 8,
    }
    assert isinstance(result["seconds"], float)
    stats = empty_cli.json("db", "stats")
    assert (stats["people"], stats["conversations"], stats["items"]) == (50, 500, 3000)
    assert (stats["agents"], stats["queues"]) == (40, 8)
    counts = table_counts(empty_cli.db)
    for table in ("people", "destinations", "tags", "conversations", "items", "participants", "audit"):
        assert stats[table] == counts[table]
    assert sum(stats["conversations_by_status"].values()) == 500


def test_same_arguments_and_now_give_the_same_content(tmp_path: Path) -> None:
    first = _seeded(tmp_path, "a.db")
    second = _seeded(tmp_path, "b.db")
    assert _dump(first.db) == _dump(second.db)


def test_another_seed_or_now_gives_other_content(tmp_path: Path) -> None:
    base = _dump(_seeded(tmp_path, "a.db").db)
    other_seed = _dump(_seeded(tmp_path, "b.db", *SMALL, "--seed", "2").db)
    assert base["conversations"] != other_seed["conversations"]
    later = Cli(tmp_path / "c.db", env={"CCTX_NOW": "2027-01-01T00:00:00Z"})
    later.ok("db", "init")
    later.ok("db", "seed", *SMALL)
    assert _dump(later.db)["conversations"] != base["conversations"]


def test_every_channel_status_and_link_kind_appears(seeded: Path) -> None:
    assert {r[0] for r in query(seeded, "SELECT DISTINCT channel FROM conversations")} == set(CHANNEL_SLUGS)
    by_status = dict(query(seeded, "SELECT status, count(*) FROM conversations GROUP BY status"))
    assert set(by_status) == set(STATUSES)
    assert by_status["closed"] > sum(by_status.values()) / 2
    owned = "EXISTS (SELECT 1 FROM destinations d WHERE d.type = c.contact_type AND d.value = c.contact"
    kinds = {
        "auto-linked": f"c.person_id IS NOT NULL AND {owned} AND d.person_id = c.person_id)",
        "linked explicitly": f"c.person_id IS NOT NULL AND NOT {owned})",
        "unlinked explicitly": f"c.person_id IS NULL AND c.unlinked_explicitly = 1 AND {owned})",
        "unknown": f"c.person_id IS NULL AND c.unlinked_explicitly = 0 AND NOT {owned})",
    }
    for kind, where in kinds.items():
        assert query(seeded, f"SELECT count(*) FROM conversations c WHERE {where}")[0][0] > 0, kind
    # Rule 1: an unlinked conversation on an owned contact is always one unlinked on purpose.
    stray = f"c.person_id IS NULL AND c.unlinked_explicitly = 0 AND {owned})"
    assert query(seeded, f"SELECT count(*) FROM conversations c WHERE {stray}") == [(0,)]
    # A linked conversation never sits on a contact owned by somebody else.
    foreign = f"c.person_id IS NOT NULL AND {owned} AND d.person_id != c.person_id)"
    assert query(seeded, f"SELECT count(*) FROM conversations c WHERE {foreign}") == [(0,)]


def test_items_fit_their_channel(seeded: Path) -> None:
    rows = query(
        seeded,
        "SELECT c.channel IN ('voice', 'video'), i.kind, count(*) FROM items i "
        "JOIN conversations c ON c.id = i.conversation_id GROUP BY 1, 2",
    )
    kinds = {(bool(call), kind) for call, kind, _ in rows}
    assert kinds == {(False, "message"), (False, "note"), (True, "call_event"), (True, "note")}
    events = dict(query(seeded, "SELECT event, count(*) FROM items WHERE kind = 'call_event' GROUP BY event"))
    assert set(events) == {"started", "answered", "ended", "recording"}
    assert query(seeded, "SELECT count(*) FROM items WHERE (event = 'recording') != (recording IS NOT NULL)") == [(0,)]
    assert query(seeded, "SELECT count(*) FROM items WHERE kind = 'note' AND author = 'customer'") == [(0,)]
    assert query(seeded, "SELECT count(*) FROM items WHERE kind != 'call_event' AND text IS NULL") == [(0,)]


def test_counters_and_times_match_the_items(seeded: Path) -> None:
    wrong = query(
        seeded,
        "SELECT c.id FROM conversations c LEFT JOIN (SELECT conversation_id AS id, "
        "sum(kind = 'message') AS m, sum(kind = 'note') AS n, sum(kind = 'call_event') AS e, max(at) AS last "
        "FROM items GROUP BY conversation_id) i ON i.id = c.id "
        "WHERE c.messages != coalesce(i.m, 0) OR c.notes != coalesce(i.n, 0) OR c.call_events != coalesce(i.e, 0) "
        "OR c.last_activity_at != coalesce(i.last, c.created_at)",
    )
    assert wrong == []
    assert query(seeded, "SELECT sum(messages + notes + call_events) FROM conversations") == [(3000,)]
    bad_times = query(
        seeded,
        "SELECT count(*) FROM conversations WHERE created_at > last_activity_at OR last_activity_at > ? "
        "OR (status = 'closed') != (closed_at IS NOT NULL) OR closed_at < last_activity_at",
        ("2026-11-25T12:00:00Z",),
    )
    assert bad_times == [(0,)]
    assert query(seeded, "SELECT count(*) FROM items i JOIN conversations c ON c.id = i.conversation_id "
                         "WHERE i.at < c.created_at") == [(0,)]


def test_ages_spread_over_three_years(seeded: Path) -> None:
    oldest, newest = query(seeded, "SELECT min(created_at), max(created_at) FROM conversations")[0]
    assert "2023-11-25T12:00:00Z" <= oldest < "2024-03-01"
    assert newest > "2026-11-01"
    years = {r[0] for r in query(seeded, "SELECT DISTINCT substr(created_at, 1, 4) FROM conversations")}
    assert years == {"2023", "2024", "2025", "2026"}


def test_display_names_and_contact_types(seeded: Path) -> None:
    wrong_name = query(
        seeded,
        "SELECT count(*) FROM conversations c LEFT JOIN people p ON p.id = c.person_id WHERE c.display_name != "
        "CASE WHEN p.first_name IS NULL THEN c.contact WHEN p.last_name IS NULL THEN p.first_name "
        "ELSE p.first_name || ' ' || p.last_name END",
    )
    assert wrong_name == [(0,)]
    from cctx.channels import CHANNELS

    for channel, contact_type in query(seeded, "SELECT DISTINCT channel, contact_type FROM conversations"):
        assert CHANNELS[channel].destination_type == contact_type
    assert query(seeded, "SELECT count(*) FROM conversations WHERE display_name = contact AND person_id IS NOT NULL")[
        0
    ][0] > 0


def test_queues_agents_and_participants(seeded: Path) -> None:
    assert query(seeded, "SELECT count(*) FROM queues q WHERE NOT EXISTS "
                         "(SELECT 1 FROM agent_queues aq WHERE aq.queue_id = q.id)") == [(0,)]
    not_participant = query(
        seeded,
        "SELECT count(*) FROM items i WHERE i.author IS NOT NULL AND i.author != 'customer' AND NOT EXISTS "
        "(SELECT 1 FROM participants p JOIN agents a ON a.id = p.agent_id "
        "WHERE p.conversation_id = i.conversation_id AND a.name = i.author)",
    )
    assert not_participant == [(0,)]
    assert query(seeded, "SELECT count(*) FROM conversations c WHERE NOT EXISTS "
                         "(SELECT 1 FROM participants p WHERE p.conversation_id = c.id)") == [(0,)]
    assert query(seeded, "SELECT count(*) FROM conversations WHERE queue_id IS NULL")[0][0] > 0


def test_database_is_consistent_with_its_indexes(seeded: Path) -> None:
    assert query(seeded, "PRAGMA foreign_key_check") == []
    assert query(seeded, "PRAGMA integrity_check") == [("ok",)]
    assert query(seeded, "PRAGMA journal_mode") == [("wal",)]
    indexes = {r[0] for r in query(seeded, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    fresh = Cli(seeded.parent / "fresh.db")
    fresh.ok("db", "init")
    expected = query(fresh.db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    assert set(query(seeded, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")) == set(
        expected
    )
    assert "items_by_conversation" in indexes


def test_one_seed_audit_record(seeded: Path) -> None:
    rows = query(seeded, "SELECT at, actor, action, subject, details FROM audit")
    assert len(rows) == 1
    at, actor, action, subject, details = rows[0]
    assert (at, actor, action, subject) == ("2026-11-25T12:00:00Z", "tester", "seed", "[]")
    assert '"conversations": 500' in details and '"items": 3000' in details and '"seed": 1' in details


def test_other_commands_work_on_a_seeded_database(seeded: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(seeded.read_bytes())
    cli = Cli(db)
    conversation = cli.json("conversation", "show", "1")
    assert conversation["id"] == 1
    assert len(conversation["items"]) == conversation["messages"] + conversation["notes"] + conversation[
        "call_events"
    ]
    history = cli.json("history", "show", "1")
    assert history and all(h["customer_id"] == 1 for h in history)
    assert cli.json("customer", "show", "1")["customer_id"] == 1


def test_heavy_customer_has_200_history_conversations(tmp_path: Path) -> None:
    cli = _seeded(tmp_path, "big.db", "--people", "300", "--conversations", "20000", "--items", "20000")
    history = query(
        cli.db,
        "SELECT count(*) FROM conversations WHERE person_id = 1 AND channel NOT IN "
        "('facebook_posts', 'instagram_posts', 'google_play_reviews')",
    )
    assert history == [(200,)]
    assert len(cli.json("history", "show", "1")) == 200
    heavy = query(cli.db, "SELECT count(*) FROM conversations WHERE person_id BETWEEN 2 AND 10 "
                          "GROUP BY person_id HAVING count(*) >= 150")
    assert len(heavy) == 9


def test_seed_refuses_a_database_that_holds_data(demo_cli: Cli) -> None:
    before = table_counts(demo_cli.db)
    result = demo_cli.fail("db", "seed", *SMALL)
    assert "empty database" in result.stderr
    assert table_counts(demo_cli.db) == before
    assert query(demo_cli.db, "PRAGMA journal_mode") == [("wal",)]


def test_seed_twice_is_refused(empty_cli: Cli) -> None:
    empty_cli.ok("db", "seed", *SMALL)
    before = table_counts(empty_cli.db)
    empty_cli.fail("db", "seed", *SMALL)
    assert table_counts(empty_cli.db) == before


def test_items_without_conversations_are_refused(empty_cli: Cli) -> None:
    empty_cli.fail("db", "seed", "--people", "5", "--conversations", "0", "--items", "10")
    assert table_counts(empty_cli.db)["people"] == 0


def test_small_and_empty_seeds(empty_cli: Cli) -> None:
    result = empty_cli.json("db", "seed", "--people", "3", "--conversations", "7", "--items", "2")
    assert (result["people"], result["conversations"], result["items"]) == (3, 7, 2)
    assert query(empty_cli.db, "PRAGMA foreign_key_check") == []


def test_bad_arguments_are_usage_errors(empty_cli: Cli) -> None:
    empty_cli.fail("db", "seed", "--people", "0", "--conversations", "1", "--items", "1", code=2)
    empty_cli.fail("db", "seed", "--people", "1", "--conversations", "-1", "--items", "1", code=2)
    empty_cli.fail("db", "seed", "--people", "1", code=2)


def test_missing_database_is_not_created(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "nope.db")
    cli.fail("db", "seed", *SMALL)
    assert not (tmp_path / "nope.db").exists()
