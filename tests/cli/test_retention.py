"""`cctx history policy` and `cctx history purge` (retention) on a small purpose-built world."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli, is_url, query, table_counts, write

# NOW is 2026-11-25T12:00:00Z. With POLICY the horizons are: default 2025-11-25T12:00:00Z,
# sms 2026-08-27T12:00:00Z, voice 2026-10-26T12:00:00Z.
POLICY = "retention:\n  default_days: 365\n  channels: {sms: 90, voice: 30}\n"
NOW_TS = "2026-11-25T12:00:00Z"
DEFAULT_HORIZON = "2025-11-25T12:00:00Z"
SMS_HORIZON = "2026-08-27T12:00:00Z"
VOICE_HORIZON = "2026-10-26T12:00:00Z"

WORLD = """
queues: [{name: billing}]
agents: [{name: ana, queues: [billing]}]
people:
  - id: 1
    first_name: Maja
    tags: [vip]
    destinations: [{type: phone, value: "+385911234567"}]
conversations:
  - id: 10
    channel: sms
    contact: "+385911234567"
    agents: [ana]
    status: closed
    created_at: 2025-12-31T10:00:00Z
    closed_at: 2026-01-01T10:00:00Z
    items:
      - {at: 2025-12-31T10:00:00Z, kind: message, author: customer, text: "SECRET-TEXT-10"}
      - {at: 2025-12-31T10:01:00Z, kind: note, author: ana, text: "note 10"}
  - {id: 11, channel: sms, contact: "+385911234567", status: closed, created_at: 2026-09-30T10:00:00Z,
     closed_at: 2026-10-01T10:00:00Z, items: [{at: 2026-09-30T10:00:00Z, kind: message, author: customer, text: hi}]}
  - id: 12
    channel: whatsapp
    contact: "+385911234567"
    status: closed
    created_at: 2025-05-30T10:00:00Z
    closed_at: 2025-06-01T10:00:00Z
    items:
      - {at: 2025-05-30T10:00:00Z, kind: message, author: customer, text: one}
      - {at: 2025-05-30T10:01:00Z, kind: message, author: ana, text: two}
      - {at: 2025-05-30T10:02:00Z, kind: note, author: ana, text: three}
  - {id: 13, channel: whatsapp, contact: "+385911234567", status: open, created_at: 2023-01-01T10:00:00Z,
     items: [{at: 2023-01-01T10:00:00Z, kind: message, author: customer, text: old but open}]}
  - {id: 14, channel: whatsapp, contact: "+385911234567", status: solved, created_at: 2023-01-02T10:00:00Z}
  - {id: 15, channel: voice, contact: "+385911234567", status: waiting, created_at: 2023-01-03T10:00:00Z}
  - id: 16
    channel: voice
    contact: "+385911234567"
    status: closed
    created_at: 2025-01-01T09:00:00Z
    closed_at: 2025-01-01T10:00:00Z
    items:
      - {at: 2025-01-01T09:00:00Z, kind: call_event, event: started}
      - {at: 2025-01-01T09:10:00Z, kind: call_event, event: ended}
  - {id: 17, channel: email, contact: "maja@example.com", status: closed, created_at: 2026-11-19T10:00:00Z,
     closed_at: 2026-11-20T10:00:00Z}
  - {id: 18, channel: whatsapp, contact: "+385911234567", status: closed, created_at: 2026-10-31T10:00:00Z,
     closed_at: 2026-11-01T10:00:00Z, items: [{at: 2026-10-31T10:00:00Z, kind: message, author: customer, text: x}]}
  - {id: 19, channel: whatsapp, contact: "+385911234567", agents: [ana], status: closed,
     created_at: 2025-05-01T10:00:00Z, closed_at: 2025-05-02T10:00:00Z}
  - {id: 20, channel: viber, contact: "+385911234567", status: closed, created_at: 2025-05-01T10:00:00Z,
     closed_at: 2025-05-02T10:00:00Z}
  - {id: 21, channel: whatsapp, contact: "+385911234567", status: closed, created_at: 2025-02-01T10:00:00Z,
     closed_at: 2025-02-02T10:00:00Z}
"""

# Tombstones (merge is not part of this fixture format): 19 merged into 12 recently, 20 merged into 19
# (transitively into 12), 21 merged into the recent 18 long ago.
TOMBSTONES = [(19, 12, "2026-11-10T10:00:00Z"), (20, 19, "2026-11-20T10:00:00Z"), (21, 18, "2025-03-01T10:00:00Z")]

POLICY_DELETES = {10, 12, 16, 19, 20, 21}


def make_tombstones(db: Path | str, tombstones: list[tuple[int, int, str]]) -> None:
    for source, target, at in tombstones:
        query(db, "UPDATE conversations SET status = 'merged', merged_into = ?, merged_at = ? WHERE id = ?",
              (target, at, source))


@pytest.fixture
def world(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    make_tombstones(empty_cli.db, TOMBSTONES)
    write(tmp_path / "cctx.yaml", POLICY)  # ./cctx.yaml: the tests run in tmp_path
    return empty_cli


def ids(db: Path) -> set[int]:
    return {r[0] for r in query(db, "SELECT id FROM conversations")}


def purge_audits(db: Path) -> list[dict]:
    return [json.loads(r[0]) for r in query(db, "SELECT details FROM audit WHERE action = 'history.purge'")]


def test_policy_shows_the_configuration(world: Cli, tmp_path: Path) -> None:
    assert world.json("history", "policy") == {"default_days": 365, "channels": {"sms": 90, "voice": 30}}
    table = world.ok("history", "policy").stdout
    assert "365 days" in table and "sms" in table and "90 days" in table


def test_policy_without_configuration(empty_cli: Cli) -> None:
    assert empty_cli.json("history", "policy") == {"default_days": None, "channels": {}}
    assert "No retention policy" in empty_cli.ok("history", "policy").stdout


def test_purge_without_policy_or_older_than_is_refused_and_deletes_nothing(world: Cli, tmp_path: Path) -> None:
    (tmp_path / "cctx.yaml").unlink()
    before = table_counts(world.db)
    result = world.fail("history", "purge")
    assert "no retention policy" in result.stderr and "--older-than" in result.stderr
    assert result.stdout == ""
    assert table_counts(world.db) == before
    # an empty policy keeps everything: refused the same way
    write(tmp_path / "cctx.yaml", "retention: {}\n")
    world.fail("history", "purge")
    assert table_counts(world.db) == before


def test_purge_follows_the_policy_per_channel(world: Cli) -> None:
    people_before = query(world.db, "SELECT * FROM people")
    destinations_before = query(world.db, "SELECT * FROM destinations")
    tags_before = query(world.db, "SELECT * FROM tags")
    result = world.json("history", "purge")
    assert result["conversations"] == 6 and result["items"] == 7
    assert result["dry_run"] is False
    assert result["horizon"] == DEFAULT_HORIZON
    assert result["horizons"]["sms"] == SMS_HORIZON
    assert result["horizons"]["voice"] == VOICE_HORIZON
    assert result["horizons"]["whatsapp"] == DEFAULT_HORIZON
    assert {k: v for k, v in result["by_channel"].items() if v} == {"sms": 1, "whatsapp": 3, "viber": 1, "voice": 1}
    assert {k: v for k, v in result["items_by_channel"].items() if v} == {"sms": 2, "whatsapp": 3, "voice": 2}
    assert isinstance(result["seconds"], float) and result["longest_batch_ms"] >= 0
    assert ids(world.db) == {11, 13, 14, 15, 17, 18}
    # no orphans; people, destinations and tags untouched
    assert query(world.db, "SELECT count(*) FROM items WHERE conversation_id NOT IN (SELECT id FROM conversations)") \
        == [(0,)]
    assert query(world.db, "SELECT count(*) FROM participants WHERE conversation_id NOT IN "
                           "(SELECT id FROM conversations)") == [(0,)]
    if not is_url(world.db):
        assert query(world.db, "PRAGMA foreign_key_check") == []
    assert query(world.db, "SELECT * FROM people") == people_before
    assert query(world.db, "SELECT * FROM destinations") == destinations_before
    assert query(world.db, "SELECT * FROM tags") == tags_before


def test_open_waiting_and_solved_are_never_purged_however_old(world: Cli) -> None:
    world.json("history", "purge", "--older-than", "1h")
    assert {13, 14, 15} <= ids(world.db)
    assert query(world.db, "SELECT DISTINCT status FROM conversations ORDER BY 1") == [("open",), ("solved",),
                                                                                        ("waiting",)]


def test_older_than_replaces_the_policy_for_every_channel(world: Cli) -> None:
    result = world.json("history", "purge", "--older-than", "30d")
    assert result["horizon"] == VOICE_HORIZON
    assert set(result["horizons"].values()) == {VOICE_HORIZON}
    assert ids(world.db) == {13, 14, 15, 17, 18}
    assert result["conversations"] == 7


def test_older_than_works_without_a_policy(world: Cli, tmp_path: Path) -> None:
    (tmp_path / "cctx.yaml").unlink()
    assert world.json("history", "purge", "--older-than", "12w")["conversations"] == 6
    assert world.json("history", "purge", "--older-than", "36h")["conversations"] == 3  # 11, 17, 18


def test_bad_durations_are_refused(world: Cli) -> None:
    before = table_counts(world.db)
    for bad in ("90", "0d", "-3d", "2y", "1.5d"):
        assert "duration" in world.fail("history", "purge", "--older-than", bad).stderr
    world.fail("history", "purge", "--channel", "pigeon", code=2)
    world.fail("history", "purge", "--batch-size", "0", code=2)
    assert table_counts(world.db) == before


def test_channel_limits_the_purge(world: Cli) -> None:
    result = world.json("history", "purge", "--channel", "sms")
    assert result["conversations"] == 1 and result["horizons"] == {"sms": SMS_HORIZON}
    assert result["by_channel"] == {"sms": 1}
    assert ids(world.db) == {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}
    # the tombstones merged into a purged conversation go with it, whatever their channel (20 is viber)
    result = world.json("history", "purge", "--channel", "whatsapp")
    assert result["by_channel"] == {"whatsapp": 3, "viber": 1}
    assert ids(world.db) == {11, 13, 14, 15, 16, 17, 18}


def test_a_channel_without_a_horizon_never_expires(world: Cli, tmp_path: Path) -> None:
    write(tmp_path / "cctx.yaml", "retention:\n  channels: {sms: 90}\n")
    result = world.json("history", "purge", "--channel", "whatsapp", "--channel", "sms")
    assert result["horizon"] is None and result["horizons"] == {"sms": SMS_HORIZON}
    assert result["conversations"] == 1
    assert "no channel in scope expires" in world.ok("history", "purge", "--channel", "voice").stdout


def test_tombstones_expire_from_their_merge_and_go_with_their_target(world: Cli) -> None:
    # 21 (merged long ago into the recent 18) expires on its own; 18 stays.
    # 19 and 20 were merged recently, but into 12 (transitively), which expires: they go with it.
    world.json("history", "purge", "--channel", "whatsapp")
    assert 18 in ids(world.db) and not {12, 19, 20, 21} & ids(world.db)
    assert query(world.db, "SELECT count(*) FROM participants WHERE conversation_id = 19") == [(0,)]


def test_dry_run_counts_exactly_what_the_purge_deletes_and_writes_nothing(world: Cli) -> None:
    before = table_counts(world.db)
    mtime = None if is_url(world.db) else Path(world.db).stat().st_mtime_ns
    dry = world.json("history", "purge", "--dry-run")
    assert dry["dry_run"] is True
    assert table_counts(world.db) == before and purge_audits(world.db) == []
    assert mtime is None or Path(world.db).stat().st_mtime_ns == mtime
    assert "Dry run: would purge 6 conversations (7 items)" in world.ok("history", "purge", "--dry-run").stdout
    real = world.json("history", "purge", "--batch-size", "2")
    for key in ("conversations", "items", "by_channel", "items_by_channel", "horizon", "horizons"):
        assert dry[key] == real[key], key
    assert before["conversations"] - table_counts(world.db)["conversations"] == dry["conversations"]
    assert before["items"] - table_counts(world.db)["items"] == dry["items"]


def test_dry_run_with_small_batches_counts_tombstones_once(world: Cli) -> None:
    full = world.json("history", "purge", "--dry-run")
    for size in ("1", "2", "3"):
        small = world.json("history", "purge", "--dry-run", "--batch-size", size)
        assert (small["conversations"], small["by_channel"]) == (full["conversations"], full["by_channel"]), size


def test_purge_is_idempotent_and_audited_once_without_content(world: Cli) -> None:
    world.json("history", "purge", "--batch-size", "1")
    again = world.json("history", "purge")
    assert again["conversations"] == 0 and again["items"] == 0
    audits = query(world.db, "SELECT actor, action, subject, details FROM audit WHERE action = 'history.purge'")
    assert len(audits) == 1
    actor, _, subject, details = audits[0]
    assert actor == "tester" and json.loads(subject) == []
    details = json.loads(details)
    assert details["conversations"] == 6 and details["items"] == 7 and details["batches"] == 4  # 19, 20 go with 12
    assert details["horizon"] == DEFAULT_HORIZON and details["horizons"]["sms"] == SMS_HORIZON
    assert details["by_channel"] == {"whatsapp": 3, "viber": 1, "sms": 1, "voice": 1}  # what was deleted
    assert details["items_by_channel"] == {"whatsapp": 3, "sms": 2, "voice": 2}
    assert "SECRET" not in audits[0][3] and "resumed" not in details
    assert query(world.db, "SELECT count(*) FROM purge_progress") == [(0,)]
    audit_list = world.json("audit", "list", "--action", "history.purge")
    assert len(audit_list) == 1 and audit_list[0]["details"]["conversations"] == 6


def test_table_output_is_one_line_on_stdout(world: Cli) -> None:
    result = world.ok("history", "purge")
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Purged 6 conversations (7 items): whatsapp 3, viber 1, sms 1, voice 1")
    assert f"horizon {DEFAULT_HORIZON}" in lines[0]
    assert f"sms {SMS_HORIZON}" in lines[0] and f"voice {VOICE_HORIZON}" in lines[0]
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    nothing = world.ok("history", "purge").stdout
    assert nothing.startswith("Purged 0 conversations (0 items); horizon")


def test_json_has_the_contract_keys(world: Cli) -> None:
    result = world.json("history", "purge", "--dry-run")
    assert {"conversations", "items", "dry_run", "horizon", "horizons", "by_channel", "seconds"} <= set(result)
    assert "bytes_freed" not in result and "longest_batch_ms" not in result  # no write transaction in a dry run


@pytest.mark.sqlite_only
def test_vacuum_gives_space_back(world: Cli, tmp_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(world.db)
    with conn:  # make the expired conversations heavy, so deleting them frees whole pages
        conn.execute("UPDATE items SET text = hex(randomblob(3000)) WHERE conversation_id IN (10, 12, 16)")
    conn.close()
    size_before = world.db.stat().st_size
    assert world.json("history", "purge", "--dry-run", "--vacuum")["bytes_freed"] == 0
    result = world.json("history", "purge", "--vacuum")
    assert result["bytes_freed"] > 20000
    assert query(world.db, "PRAGMA freelist_count") == [(0,)]
    query(world.db, "PRAGMA wal_checkpoint(TRUNCATE)")
    assert world.db.stat().st_size <= size_before - result["bytes_freed"] + 4096
    assert query(world.db, "PRAGMA integrity_check") == [("ok",)]
    assert "bytes freed" in world.ok("history", "purge", "--vacuum").stdout


def test_an_interrupted_run_is_recorded_by_the_next_one(world: Cli) -> None:
    # What a purge killed after one batch leaves: the batch is gone, its totals wait in purge_progress.
    for table in ("items", "participants"):
        query(world.db, f"DELETE FROM {table} WHERE conversation_id = 10")
    query(world.db, "DELETE FROM conversations WHERE id = 10")
    query(world.db,
          "INSERT INTO purge_progress (id, started_at, actor, details) VALUES (1, ?, 'cron', ?)",
          ("2026-11-25T03:00:00Z", json.dumps({"conversations": 1, "items": 2, "by_channel": {"sms": 1},
                                               "items_by_channel": {"sms": 2}, "horizon": DEFAULT_HORIZON,
                                               "horizons": {"sms": SMS_HORIZON}, "batches": 1})))
    result = world.run("history", "purge", "-f", "json")
    assert result.exit_code == 0
    assert "interrupted purge started at 2026-11-25T03:00:00Z" in result.stderr
    out = json.loads(result.stdout)
    assert out["conversations"] == 5  # what this run deleted
    [details] = purge_audits(world.db)
    assert details["conversations"] == 6 and details["items"] == 7 and details["by_channel"]["sms"] == 1
    assert details["resumed"][0]["started_at"] == "2026-11-25T03:00:00Z"
    assert details["resumed"][0]["conversations"] == 1
    assert query(world.db, "SELECT count(*) FROM purge_progress") == [(0,)]


def test_an_interrupted_run_with_nothing_left_is_still_recorded(world: Cli) -> None:
    query(world.db,
          "INSERT INTO purge_progress (id, started_at, actor, details) VALUES (1, ?, 'cron', ?)",
          ("2026-11-25T03:00:00Z", json.dumps({"conversations": 4, "items": 9, "by_channel": {"sms": 4},
                                               "items_by_channel": {"sms": 9}, "horizon": None,
                                               "horizons": {"sms": SMS_HORIZON}, "batches": 2})))
    assert world.json("history", "purge", "--channel", "email")["conversations"] == 0
    [details] = purge_audits(world.db)
    assert details["conversations"] == 4 and details["resumed"][0]["items"] == 9
    world.json("history", "purge", "--channel", "email")
    assert len(purge_audits(world.db)) == 1


def test_demo_database_purge(demo_cli: Cli) -> None:
    dry = demo_cli.json("history", "purge", "--older-than", "365d", "--dry-run")
    real = demo_cli.json("history", "purge", "--older-than", "365d")
    assert dry["conversations"] == real["conversations"] > 0
    assert query(demo_cli.db, "SELECT count(*) FROM conversations WHERE status NOT IN ('closed', 'merged') "
                              "AND id NOT IN (SELECT id FROM conversations)") == [(0,)]
    assert query(demo_cli.db, "SELECT count(*) FROM conversations WHERE expires_from < ?", (DEFAULT_HORIZON,)) \
        == [(0,)]


def test_a_conversation_reopened_after_planning_is_kept(world: Cli, tmp_path: Path) -> None:
    """Each batch checks, inside its own transaction, that what the plan found is still expired."""
    from datetime import timedelta

    from cctx.config import Retention
    from cctx.services import purge
    from cctx.store import Store
    from cctx.times import parse_ts

    store = Store.open(world.db, 5000)
    try:
        scope = purge.purge_scope(Retention(365, {}), parse_ts(NOW_TS), timedelta(days=30))
        plan = purge.plan_purge(store, scope, batch_size=2)
        assert {10, 12, 16} <= set(plan.candidates)
        with store.transaction():  # an admin reopens 12 and merges 16 into 18 after the plan was made
            store.conn.execute("UPDATE conversations SET status = 'open', closed_at = NULL WHERE id = 12")
            store.conn.execute("UPDATE conversations SET status = 'merged', merged_into = 18, merged_at = ? "
                              "WHERE id = 16", (NOW_TS,))
        result = purge.purge(store, plan, now=parse_ts(NOW_TS), actor="tester")
    finally:
        store.close()
    left = ids(world.db)
    assert {12, 16, 19, 20} <= left and 10 not in left
    assert result.conversations == len({10, 11, 21})
