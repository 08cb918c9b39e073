"""`history purge` as cron runs it: real processes on a real file, killed with SIGKILL, run twice at once,
and facing a database another process keeps locked."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cctx.store import Store
from tests.conftest import NOW, query, write

CHANNELS = ("whatsapp", "sms", "voice", "email", "telegram")
HORIZON = "2026-08-27T12:00:00Z"  # --older-than 90d at NOW


def build_world(db: Path, conversations: int, *, items_per: int = 3, seed: int = 7) -> set[int]:
    """A database written through the store: closed conversations old and recent, open ones, and
    tombstones merged into both. Returns the ids a purge with --older-than 90d must delete."""
    rng = random.Random(seed)
    store = Store.open(db, 5000, create=True)
    store.migrate()
    expired: set[int] = set()
    merged_into: dict[int, int] = {}
    with store.transaction():
        store.agents.add_agent("ana")
        items = []
        for cid in range(1, conversations + 1):
            channel = CHANNELS[cid % len(CHANNELS)]
            status = rng.choice(("closed", "closed", "closed", "open", "solved", "waiting"))
            old = rng.random() < 0.7
            day = rng.randint(1, 28)
            closed_at = f"{'2025-03' if old else '2026-11'}-{day:02d}T10:00:00Z"
            created = f"{'2025-02' if old else '2026-10'}-{day:02d}T10:00:00Z"
            store.conversations.add({
                "id": cid, "channel": channel, "contact_type": "phone", "contact": f"+3859{cid:07d}",
                "status": status, "display_name": f"+3859{cid:07d}", "created_at": created,
                "closed_at": closed_at if status == "closed" else None,
                "messages": items_per, "notes": 0, "call_events": 0, "last_activity_at": created,
                "unlinked_explicitly": 0,
            })
            items += [(cid, created, "note" if channel == "voice" else "message", "ana", f"text {cid}.{i}", None, None)
                      for i in range(items_per)]
            store.conversations.add_participants(cid, ["ana"])
            if status == "closed" and old:
                expired.add(cid)
            # every 10th conversation becomes a tombstone merged into an earlier one
            if cid % 10 == 0 and cid > 10:
                target = rng.randint(1, cid - 1)
                if target not in merged_into:
                    merged_into[cid] = target
        store.conversations.add_items(items)
        for source, target in merged_into.items():
            merged_at = rng.choice(("2025-04-01T10:00:00Z", "2026-11-20T10:00:00Z"))
            store.conn.execute("UPDATE conversations SET status = 'merged', merged_into = ?, merged_at = ?, "
                              "closed_at = NULL WHERE id = ?", (target, merged_at, source))
            expired.discard(source)
            if merged_at < HORIZON:
                expired.add(source)
    store.close()
    # the tombstones of what is deleted go too, transitively
    changed = True
    while changed:
        more = {s for s, t in merged_into.items() if t in expired and s not in expired}
        expired |= more
        changed = bool(more)
    return expired


def cctx(db: Path, *args: str, config: Path | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "CCTX_NOW": NOW, "CCTX_ACTOR": "cron", "CCTX_CONFIG": str(config or ""),
           "CCTX_FORMAT": ""}
    return subprocess.Popen([sys.executable, "-m", "cctx", "--db", str(db), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def count(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM conversations").fetchone()[0])
    finally:
        conn.close()


def wait_until_deleting(db: Path, proc: subprocess.Popen[str], start: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while count(db) == start:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the purge did not start deleting"
        time.sleep(0.01)


def assert_consistent(db: Path) -> None:
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "PRAGMA foreign_key_check") == []
    assert query(db, "SELECT count(*) FROM items WHERE conversation_id NOT IN (SELECT id FROM conversations)") \
        == [(0,)]
    assert query(db, "SELECT count(*) FROM participants WHERE conversation_id NOT IN "
                     "(SELECT id FROM conversations)") == [(0,)]
    # a conversation is never half-deleted: every survivor still has all its items and its participant
    assert query(db, "SELECT count(*) FROM conversations c WHERE c.status != 'merged' AND "
                     "(SELECT count(*) FROM items i WHERE i.conversation_id = c.id) != 3") == [(0,)]
    assert query(db, "SELECT count(*) FROM conversations c WHERE NOT EXISTS "
                     "(SELECT 1 FROM participants p WHERE p.conversation_id = c.id)") == [(0,)]


@pytest.fixture
def big(tmp_path: Path) -> tuple[Path, set[int]]:
    db = tmp_path / "big.db"
    return db, build_world(db, 6000)


def test_killed_at_any_instant_the_database_is_consistent_and_a_rerun_finishes(big: tuple[Path, set[int]]) -> None:
    db, expired = big
    total = count(db)
    kills = 0
    for delay in (0.0, 0.05, 0.15):  # before any batch, and in the middle of the run
        proc = cctx(db, "history", "purge", "--older-than", "90d", "--batch-size", "1")
        if delay:
            wait_until_deleting(db, proc, count(db))
            time.sleep(delay)
        else:
            time.sleep(0.3)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.communicate()
        assert_consistent(db)
        left = {r[0] for r in query(db, "SELECT id FROM conversations")}
        assert left >= ({r for r in range(1, total + 1)} - expired)  # nothing unexpired was touched
    assert kills >= 2
    assert count(db) > total - len(expired)  # the kills left work to do
    assert query(db, "SELECT count(*) FROM purge_progress") == [(1,)]
    rerun = cctx(db, "history", "purge", "--older-than", "90d", "-f", "json")
    out, err = rerun.communicate(timeout=30)
    assert rerun.returncode == 0, err
    assert "interrupted purge" in err
    json.loads(out)
    assert_consistent(db)
    assert {r[0] for r in query(db, "SELECT id FROM conversations")} == set(range(1, total + 1)) - expired
    # one audit record, and it accounts for every conversation deleted by the killed runs and the rerun
    records = [json.loads(r[0]) for r in query(db, "SELECT details FROM audit WHERE action = 'history.purge'")]
    assert len(records) == 1
    assert records[0]["conversations"] == len(expired)
    assert records[0]["items"] == 3 * len(expired)  # here tombstones kept their 3 items too
    assert query(db, "SELECT count(*) FROM purge_progress") == [(0,)]
    again = cctx(db, "history", "purge", "--older-than", "90d", "-f", "json")
    assert json.loads(again.communicate(timeout=30)[0])["conversations"] == 0


def test_a_second_concurrent_purge_exits_3_and_the_lock_dies_with_its_holder(big: tuple[Path, set[int]]) -> None:
    db, expired = big
    first = cctx(db, "history", "purge", "--older-than", "90d", "--batch-size", "1")
    wait_until_deleting(db, first, count(db))
    second = cctx(db, "history", "purge", "--older-than", "90d")
    out, err = second.communicate(timeout=30)
    assert second.returncode == 3, err
    assert err.startswith("Error: another purge is running") and "Traceback" not in err
    assert out == ""
    # a dry run does not need the lock
    dry = cctx(db, "history", "purge", "--older-than", "90d", "--dry-run", "-f", "json")
    assert dry.wait(timeout=30) == 0
    assert first.poll() is None, "the first purge should still be running"
    os.kill(first.pid, signal.SIGKILL)
    first.communicate()
    third = cctx(db, "history", "purge", "--older-than", "90d", "-f", "json")
    out, err = third.communicate(timeout=30)
    assert third.returncode == 0, err
    assert {r[0] for r in query(db, "SELECT id FROM conversations")} == set(range(1, 6001)) - expired
    assert len(query(db, "SELECT 1 FROM audit WHERE action = 'history.purge'")) == 1


def test_a_database_locked_past_the_busy_timeout_exits_3(big: tuple[Path, set[int]], tmp_path: Path) -> None:
    db, _ = big
    config = write(tmp_path / "fast.yaml", "busy_timeout_ms: 200\n")
    before = count(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer keeps the write lock
    try:
        proc = cctx(db, "history", "purge", "--older-than", "90d", config=config)
        started = time.monotonic()
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 3, err
        assert time.monotonic() - started < 5
        assert err.startswith("Error: the database stayed locked") and "Traceback" not in err
        assert out == ""
        # a dry run only reads: a writer does not block it
        dry = cctx(db, "history", "purge", "--older-than", "90d", "--dry-run", "-f", "json", config=config)
        out, err = dry.communicate(timeout=30)
        assert dry.returncode == 0, err
        assert json.loads(out)["conversations"] > 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert count(db) == before
    assert query(db, "SELECT count(*) FROM audit WHERE action = 'history.purge'") == [(0,)]


def test_another_writer_gets_in_during_a_purge(big: tuple[Path, set[int]]) -> None:
    """An admin's write started during the purge waits at most for one short batch."""
    db, expired = big
    purge = cctx(db, "history", "purge", "--older-than", "90d", "--batch-size", "50")
    wait_until_deleting(db, purge, count(db))
    survivor = min(set(range(1, 6001)) - expired)
    waits = []
    conn = sqlite3.connect(db, isolation_level=None, timeout=5)
    try:
        for _ in range(5):
            if purge.poll() is not None:
                break
            started = time.monotonic()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE conversations SET display_name = 'Ana' WHERE id = ?", (survivor,))
            conn.execute("COMMIT")
            waits.append(time.monotonic() - started)
            time.sleep(0.02)
    finally:
        conn.close()
    purge.communicate(timeout=30)
    assert purge.returncode == 0
    assert waits and max(waits) < 1.0, waits


def test_progress_bar_only_on_a_terminal_and_stdout_holds_only_the_summary(big: tuple[Path, set[int]]) -> None:
    import pty

    db, expired = big
    master, slave = pty.openpty()
    env = {**os.environ, "CCTX_NOW": NOW, "CCTX_ACTOR": "cron", "CCTX_CONFIG": "", "CCTX_FORMAT": ""}
    proc = subprocess.Popen([sys.executable, "-m", "cctx", "--db", str(db), "history", "purge", "--older-than", "90d",
                             "--batch-size", "100"], env=env, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=30)
    os.close(master)
    assert proc.returncode == 0
    assert b"Purging" in seen and b"100%" in seen
    assert out.count("\n") == 1 and out.startswith(f"Purged {len(expired)} conversations")


def test_an_admin_link_started_during_the_purge_succeeds_promptly(big: tuple[Path, set[int]]) -> None:
    db, expired = big
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO people (id, first_name, created_at, updated_at) VALUES (1, 'Maja', ?, ?)",
                     (NOW, NOW))
    conn.close()
    survivors = sorted(i for i, in query(db, "SELECT id FROM conversations WHERE status = 'open'"))
    purge = cctx(db, "history", "purge", "--older-than", "90d", "--batch-size", "1")
    wait_until_deleting(db, purge, count(db))
    started = time.monotonic()
    link = cctx(db, "conversation", "link", str(survivors[0]), "1", "-f", "json")
    out, err = link.communicate(timeout=30)
    elapsed = time.monotonic() - started
    assert link.returncode == 0, err
    assert json.loads(out) == {"conversation": survivors[0], "customer": 1, "changed": True}
    assert purge.poll() is None, "the purge should still be running while the admin links"
    assert elapsed < 2.0  # a whole Python process; the wait for the lock is a small part of it
    purge.communicate(timeout=30)
    assert purge.returncode == 0
    assert query(db, "SELECT person_id FROM conversations WHERE id = ?", (survivors[0],)) == [(1,)]
    assert count(db) == 6000 - len(expired)
