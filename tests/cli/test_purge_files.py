"""What a purge leaves in the files: deleted text gone from the database file and its WAL, whoever else has
the file open; and one purge at a time per file, whatever path names it. Real processes, real files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from cctx.errors import Busy
from cctx.store import locks
from tests.cli.test_purge_processes import assert_consistent, build_world, count, wait_until_deleting
from tests.conftest import NOW, Cli, query, write

MARKER = f"secret-{uuid.uuid4().hex}"


def fixture(marker: str) -> str:
    return f"""
agents:
  - name: ana
conversations:
  - channel: whatsapp
    contact: "+385911111111"
    status: closed
    created_at: 2025-01-02T09:00:00Z
    closed_at: 2025-01-02T09:30:00Z
    items:
      - {{at: 2025-01-02T09:00:00Z, kind: message, author: customer, text: "{marker} one"}}
      - {{at: 2025-01-02T09:01:00Z, kind: message, author: ana, text: "{marker} two"}}
  - channel: whatsapp
    contact: "+385911111111"
    status: open
    created_at: 2026-11-02T09:00:00Z
    items:
      - {{at: 2026-11-02T09:00:00Z, kind: message, author: customer, text: "still here"}}
"""


def run(db: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CCTX_NOW": NOW, "CCTX_ACTOR": "cron", "CCTX_CONFIG": str(config or ""), "CCTX_FORMAT": ""}
    return subprocess.run([sys.executable, "-m", "cctx", "--db", str(db), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def files_holding(db: Path, text: str) -> list[str]:
    """Which of the database file, its -wal and -shm hold ``text`` in their raw bytes, as grep finds it.

    grep reads them in its own process: opening and closing the file here would drop the POSIX locks
    this process's sqlite3 connections hold on it."""
    paths = [str(p) for p in (Path(f"{db}{s}") for s in ("", "-wal", "-shm")) if p.exists()]
    found = subprocess.run(["grep", "-l", "-a", "-F", text, *paths], capture_output=True, text=True)
    assert found.returncode in (0, 1), found.stderr
    return [Path(line).name for line in found.stdout.splitlines()]


@pytest.fixture
def marked(tmp_path: Path) -> Path:
    db = tmp_path / "cctx.db"
    Cli(db).ok("db", "init")
    return db


def test_purged_text_is_gone_from_the_wal_while_another_connection_has_the_file_open(marked: Path) -> None:
    idle = sqlite3.connect(marked, isolation_level=None)
    try:
        idle.execute("SELECT count(*) FROM sqlite_master").fetchall()  # opens the WAL; no transaction kept
        imported = run(marked, "db", "import", str(write(marked.parent / "f.yaml", fixture(MARKER))))
        assert imported.returncode == 0, imported.stderr
        # the idle connection keeps the file open, so the import's pages stay in the WAL
        assert "cctx.db-wal" in files_holding(marked, MARKER)
        purged = run(marked, "history", "purge", "--older-than", "90d", "-f", "json")
        assert purged.returncode == 0, purged.stderr
        result = json.loads(purged.stdout)
        assert result["conversations"] == 1 and result["items"] == 2
        assert result["wal_cleared"] is True
        assert "Warning" not in purged.stderr
        assert files_holding(marked, MARKER) == []
        assert os.path.getsize(f"{marked}-wal") == 0  # truncated (stat opens nothing)
        # the other connection still reads a consistent database
        assert idle.execute("SELECT count(*) FROM conversations").fetchone() == (1,)
    finally:
        idle.close()
    assert_consistent_small(marked)


def assert_consistent_small(db: Path) -> None:
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT text FROM items") == [("still here",)]


def test_a_reader_that_keeps_the_wal_gets_a_warning_and_wal_cleared_false(marked: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "fast.yaml", "busy_timeout_ms: 300\n")
    imported = run(marked, "db", "import", str(write(tmp_path / "f.yaml", fixture(MARKER))))
    assert imported.returncode == 0, imported.stderr
    assert files_holding(marked, MARKER)
    reader = sqlite3.connect(marked, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM items").fetchone() == (3,)  # a read transaction, kept open
        purged = run(marked, "history", "purge", "--older-than", "90d", "-f", "json", config=config)
        assert purged.returncode == 0, purged.stderr
        result = json.loads(purged.stdout)
        assert result["conversations"] == 1
        assert result["wal_cleared"] is False
        warning = [line for line in purged.stderr.splitlines() if line.startswith("Warning: ")]
        assert len(warning) == 1 and "cctx.db-wal" in warning[0] and "deleted content" in warning[0]
        # the reader still sees its snapshot, whose pages hold the text: it cannot be gone yet
        assert reader.execute("SELECT count(*) FROM items").fetchone() == (3,)
        assert files_holding(marked, MARKER)
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    # once the reader is gone, a purge with nothing left to delete clears the WAL
    again = run(marked, "history", "purge", "--older-than", "90d", "-f", "json", config=config)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["conversations"] == 0
    assert json.loads(again.stdout)["wal_cleared"] is True
    assert "Warning" not in again.stderr
    assert files_holding(marked, MARKER) == []
    assert_consistent_small(marked)


def test_a_table_purge_warns_too_and_a_dry_run_has_no_wal_verdict(marked: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "fast.yaml", "busy_timeout_ms: 200\n")
    assert run(marked, "db", "import", str(write(tmp_path / "f.yaml", fixture(MARKER)))).returncode == 0
    dry = run(marked, "history", "purge", "--older-than", "90d", "--dry-run", "-f", "json")
    assert "wal_cleared" not in json.loads(dry.stdout)
    reader = sqlite3.connect(marked, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM items").fetchall()
        purged = run(marked, "history", "purge", "--older-than", "90d", config=config)
    finally:
        reader.close()
    assert purged.returncode == 0
    assert purged.stdout.startswith("Purged 1 conversation")
    assert purged.stderr.startswith("Warning: ")


# --- one purge at a time per file ----------------------------------------------------------------------


@pytest.fixture
def big(tmp_path: Path) -> tuple[Path, set[int]]:
    db = tmp_path / "big.db"
    return db, build_world(db, 6000)


def _purge(db: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CCTX_NOW": NOW, "CCTX_ACTOR": "cron", "CCTX_CONFIG": "", "CCTX_FORMAT": ""}
    return subprocess.Popen([sys.executable, "-m", "cctx", "--db", str(db), "history", "purge", "--older-than", "90d",
                             *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("second_path", ["symlink", "dotdot"])
def test_a_second_purge_through_another_path_to_the_same_file_exits_3(
    big: tuple[Path, set[int]], tmp_path: Path, second_path: str
) -> None:
    db, expired = big
    if second_path == "symlink":
        other = tmp_path / "elsewhere" / "link.db"
        other.parent.mkdir()
        other.symlink_to(db)
    else:
        (tmp_path / "sub").mkdir()
        other = tmp_path / "sub" / ".." / db.name
    first = _purge(db, "--batch-size", "1", "-f", "json")
    wait_until_deleting(db, first, count(db))
    second = _purge(other, "-f", "json")
    out, err = second.communicate(timeout=30)
    assert second.returncode == 3, err
    assert out == ""
    assert err.startswith("Error: another purge is running on ") and "Traceback" not in err
    assert "interrupted purge" not in err
    assert first.poll() is None, "the first purge should still be running"
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "interrupted purge" not in err
    assert json.loads(out)["conversations"] == len(expired)
    assert_consistent(db)
    # every deleted conversation is counted in exactly one audit record
    records = [json.loads(r[0]) for r in query(db, "SELECT details FROM audit WHERE action = 'history.purge'")]
    assert [r["conversations"] for r in records] == [len(expired)]
    assert "resumed" not in records[0]
    assert query(db, "SELECT count(*) FROM purge_progress") == [(0,)]
    # the lock died with its holder: the other path purges now (nothing left)
    third = _purge(other, "-f", "json")
    out, err = third.communicate(timeout=30)
    assert third.returncode == 0, err
    assert json.loads(out)["conversations"] == 0
    assert not Path(f"{db}.purge.lock").exists() and not Path(f"{other}.purge.lock").exists()


def test_the_purge_lock_is_one_per_file_in_one_process_too(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Cli(db).ok("db", "init")
    link = tmp_path / "b.db"
    link.symlink_to(db)
    with locks.purge_lock(db):
        with pytest.raises(Busy, match="another purge is running"):
            with locks.purge_lock(link):
                pass
    with locks.purge_lock(link):  # released on leaving
        pass
