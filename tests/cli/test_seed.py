"""`cctx db seed`: deterministic, spread like real traffic, counters right, a valid cctx database."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from cctx.channels import ALL_STATUSES, CHANNEL_SLUGS, CHANNELS, HISTORY_CHANNELS
from tests.conftest import NOW as NOW_TS
from tests.conftest import Cli, is_url, query, table_counts

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
        # An audit record's `at` is the real clock (never CCTX_NOW): two seeds a second apart differ there only.
        columns = {"audit": "id, actor, action, subject, details"}
        return {t: conn.execute(f"SELECT {columns.get(t, '*')} FROM {t} ORDER BY 1, 2").fetchall() for t in DATA_TABLES}
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
    assert set(by_status) == set(ALL_STATUSES)
    assert by_status["closed"] > sum(by_status.values()) / 2
    assert by_status["merged"] == 5  # 1% of 500
    owned = "EXISTS (SELECT 1 FROM destinations d WHERE d.type = c.contact_type AND d.value = c.contact"
    kinds = {
        "auto-linked": f"c.person_id IS NOT NULL AND {owned} AND d.person_id = c.person_id)",
        "linked explicitly": f"c.person_id IS NOT NULL AND NOT {owned})",
        "unlinked explicitly": f"c.person_id IS NULL AND c.unlinked_explicitly = 1 AND {owned})",
        "unknown": f"c.person_id IS NULL AND c.unlinked_explicitly = 0 AND NOT {owned})",
    }
    for kind, where in kinds.items():
        assert query(seeded, f"SELECT count(*) FROM conversations c WHERE {where}")[0][0] > 0, kind
    # Auto-link: an unlinked conversation on an owned contact is always one unlinked on purpose.
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
        "OR (status = 'closed' AND closed_at IS NULL) OR (status IN ('open', 'waiting', 'solved') AND "
        "closed_at IS NOT NULL) OR closed_at < last_activity_at OR closed_at > merged_at",
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
    assert (actor, action, subject) == ("tester", "seed", "[]")
    assert at != NOW_TS and len(at) == 20 and at.endswith("Z")  # the real clock; the fixed one is in details
    assert f'"as_of": "{NOW_TS}"' in details
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
        "SELECT count(*) FROM conversations WHERE person_id = 1 AND status != 'merged' AND channel NOT IN "
        "('facebook_posts', 'instagram_posts', 'google_play_reviews')",
    )
    assert history == [(200,)]
    shown = cli.json("history", "show", "1")
    assert len(shown) == 200 and all(h["status"] != "merged" for h in shown)
    tombstones = query(cli.db, "SELECT count(*) FROM conversations WHERE person_id = 1 AND status = 'merged'")
    assert tombstones[0][0] >= 1  # person 1 has merged duplicates, and history still shows exactly 200
    assert query(cli.db, "SELECT count(*) FROM conversations WHERE status = 'merged'") == [(200,)]
    heavy = query(cli.db, "SELECT count(*) FROM conversations WHERE person_id BETWEEN 2 AND 10 "
                          "GROUP BY person_id HAVING count(*) >= 150")
    assert len(heavy) == 9


def test_seed_refuses_a_database_that_holds_data(demo_cli: Cli) -> None:
    before = table_counts(demo_cli.db)
    result = demo_cli.fail("db", "seed", *SMALL)
    assert "empty database" in result.stderr
    assert table_counts(demo_cli.db) == before
    if not is_url(demo_cli.db):
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
    if not is_url(empty_cli.db):
        assert query(empty_cli.db, "PRAGMA foreign_key_check") == []


def test_bad_arguments_are_usage_errors(empty_cli: Cli) -> None:
    empty_cli.fail("db", "seed", "--people", "0", "--conversations", "1", "--items", "1", code=2)
    empty_cli.fail("db", "seed", "--people", "1", "--conversations", "-1", "--items", "1", code=2)
    empty_cli.fail("db", "seed", "--people", "1", code=2)


def test_missing_database_is_not_created(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "nope.db")
    cli.fail("db", "seed", *SMALL)
    assert not (tmp_path / "nope.db").exists()


# Merge tombstones: ~1% of the conversations, as if an admin had merged an emptied duplicate.

MERGED_WORLD = ("--people", "200", "--conversations", "3000", "--items", "20000")
TOMBSTONES = (
    "SELECT t.id, x.id, t.merged_at, x.status, x.closed_at, t.person_id, t.contact_type, t.contact "
    "FROM conversations t JOIN conversations x ON x.id = t.merged_into WHERE t.status = 'merged' ORDER BY t.id"
)


@pytest.fixture(scope="module")
def merged_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded database large enough to hold tombstones of every kind; read-only (copy before writing)."""
    return _seeded(tmp_path_factory.mktemp("merged"), "merged.db", *MERGED_WORLD).db


def _copy(db: Path, tmp_path: Path) -> Cli:
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    return Cli(copy)


def test_tombstones_point_to_a_live_conversation_of_the_same_customer_and_kind(merged_world: Path) -> None:
    rows = query(
        merged_world,
        "SELECT t.id, t.channel, t.person_id, t.unlinked_explicitly, t.contact_type, t.contact, t.created_at, "
        "t.merged_at, t.closed_at, x.id, x.channel, x.person_id, x.unlinked_explicitly, x.contact_type, x.contact, "
        "x.created_at, x.status, x.closed_at FROM conversations t LEFT JOIN conversations x ON x.id = t.merged_into "
        "WHERE t.status = 'merged'",
    )
    assert len(rows) == 30  # 1% of 3000
    for (tid, tch, tpid, tunl, ttype, tcontact, tcreated, merged_at, tclosed,
         xid, xch, xpid, xunl, xtype, xcontact, xcreated, xstatus, xclosed) in rows:
        assert xid is not None and xstatus != "merged", tid
        assert CHANNELS[tch].kind == CHANNELS[xch].kind, tid
        if xpid is None:
            assert (tpid, ttype, tcontact) == (None, xtype, xcontact), tid
        else:
            assert tpid == xpid, tid
        assert tunl == xunl, tid
        assert tcreated < merged_at <= NOW_TS and xcreated < merged_at, tid
        if tclosed is not None:  # closed before the merge, and the target (closed too) took the later closed_at
            assert tcreated <= tclosed < merged_at and xstatus == "closed" and tclosed <= xclosed, tid
        elif xstatus == "closed":  # merged while the target was open: it was closed afterwards
            assert merged_at <= xclosed, tid
    kinds = {CHANNELS[r[1]].kind for r in rows}
    assert kinds == {"messaging", "call", "posts"}
    assert any(r[2] is None for r in rows) and any(r[2] is not None for r in rows)
    assert any(r[1] != r[10] for r in rows)  # different channels of one kind merge too
    assert any(r[8] is not None for r in rows) and any(r[8] is None and r[16] == "closed" for r in rows)


def test_tombstones_hold_no_items_and_no_extra_participants(merged_world: Path) -> None:
    wrong = query(
        merged_world,
        "SELECT id FROM conversations c WHERE status = 'merged' AND (messages + notes + call_events != 0 "
        "OR last_activity_at != created_at OR EXISTS (SELECT 1 FROM items i WHERE i.conversation_id = c.id))",
    )
    assert wrong == []
    assert query(merged_world, "SELECT count(*) FROM items") == [(20000,)]
    # A merge: a tombstone's agents are participants of its target.
    stray = query(
        merged_world,
        "SELECT count(*) FROM conversations t JOIN participants p ON p.conversation_id = t.id "
        "WHERE t.status = 'merged' AND NOT EXISTS (SELECT 1 FROM participants q "
        "WHERE q.conversation_id = t.merged_into AND q.agent_id = p.agent_id)",
    )
    assert stray == [(0,)]
    targets = query(merged_world, "SELECT min(messages + notes + call_events) FROM conversations WHERE id IN "
                                  "(SELECT merged_into FROM conversations WHERE status = 'merged')")
    assert targets[0][0] > 0


def test_history_never_lists_tombstones(merged_world: Path) -> None:
    cli = Cli(merged_world)
    tombstones = {r[0] for r in query(merged_world, TOMBSTONES)}
    on_history = f"status = 'merged' AND channel IN ({','.join('?' * len(HISTORY_CHANNELS))})"
    (person,), = query(merged_world, f"SELECT min(person_id) FROM conversations WHERE {on_history}", HISTORY_CHANNELS)
    (contact_type, contact), = query(
        merged_world,
        f"SELECT contact_type, contact FROM conversations WHERE {on_history} AND person_id IS NULL "
        "AND unlinked_explicitly = 0 ORDER BY id LIMIT 1",
        HISTORY_CHANNELS,
    )
    unlinked = "person_id IS NULL AND contact_type = ? AND contact = ?"
    for ref, where, params in (
        (str(person), "person_id = ?", (person,)),
        (f"{contact_type}:{contact}", unlinked, (contact_type, contact)),
    ):
        shown = cli.json("history", "show", ref, "--status", "open", "--status", "waiting", "--status", "solved",
                         "--status", "closed")
        assert shown and not {h["id"] for h in shown} & tombstones, ref
        assert all(h["status"] != "merged" for h in shown)
        live = query(
            merged_world,
            f"SELECT count(*) FROM conversations WHERE {where} AND status != 'merged' "
            f"AND channel IN ({','.join('?' * len(HISTORY_CHANNELS))})",
            (*params, *HISTORY_CHANNELS),
        )
        assert len(shown) == live[0][0], ref
        assert len(cli.json("history", "show", ref)) == live[0][0], ref


def test_conversation_show_reports_the_merge(merged_world: Path) -> None:
    tid, xid, merged_at, *_ = query(merged_world, TOMBSTONES)[0]
    shown = Cli(merged_world).json("conversation", "show", str(tid))
    assert (shown["status"], shown["merged_into"], shown["merged_at"]) == ("merged", xid, merged_at)
    assert shown["items"] == [] and (shown["messages"], shown["notes"], shown["call_events"]) == (0, 0, 0)
    assert shown["last_activity_at"] == shown["started_at"]
    target = Cli(merged_world).json("conversation", "show", str(xid))
    assert target["status"] != "merged" and target["merged_into"] is None and target["items"]


def _hours_ago(ts: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(NOW_TS.replace("Z", "+00:00")) -
            datetime.fromisoformat(ts.replace("Z", "+00:00"))).total_seconds() / 3600


def test_purge_takes_a_tombstone_with_its_target(merged_world: Path, tmp_path: Path) -> None:
    # A tombstone merged after its (closed) target was closed: a horizon between the two expires the target
    # only, and retention takes the tombstone along with it.
    tid, xid, merged_at, _, xclosed, *_ = next(
        r for r in query(merged_world, TOMBSTONES) if r[3] == "closed" and _hours_ago(r[4]) - _hours_ago(r[2]) > 2
    )
    hours = math.ceil(_hours_ago(merged_at))
    cli = _copy(merged_world, tmp_path)
    result = cli.json("history", "purge", "--older-than", f"{hours}h")
    assert xclosed < result["horizon"] <= merged_at  # the target expired, the tombstone not on its own
    assert query(cli.db, "SELECT count(*) FROM conversations WHERE id IN (?, ?)", (tid, xid)) == [(0,)]
    assert query(cli.db, "SELECT count(*) FROM participants WHERE conversation_id IN (?, ?)", (tid, xid)) == [(0,)]
    _check_after_purge(cli.db)


def test_purge_takes_an_old_tombstone_and_keeps_its_live_target(merged_world: Path, tmp_path: Path) -> None:
    tid, xid, merged_at, *_ = next(
        r for r in query(merged_world, TOMBSTONES) if r[3] != "closed" and _hours_ago(r[2]) > 2
    )
    before = query(merged_world, "SELECT * FROM items WHERE conversation_id = ? ORDER BY id", (xid,))
    cli = _copy(merged_world, tmp_path)
    cli.json("history", "purge", "--older-than", f"{math.floor(_hours_ago(merged_at)) - 1}h")
    assert query(cli.db, "SELECT id FROM conversations WHERE id IN (?, ?)", (tid, xid)) == [(xid,)]
    assert query(cli.db, "SELECT * FROM items WHERE conversation_id = ? ORDER BY id", (xid,)) == before
    _check_after_purge(cli.db)


def _check_after_purge(db: Path) -> None:
    assert query(db, "PRAGMA foreign_key_check") == []
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    dangling = "SELECT count(*) FROM conversations t WHERE t.merged_into IS NOT NULL AND NOT EXISTS " \
               "(SELECT 1 FROM conversations x WHERE x.id = t.merged_into)"
    assert query(db, dangling) == [(0,)]
