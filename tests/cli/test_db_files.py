"""The database file stays as cctx needs it: in WAL mode after a killed seed, private (0600) after
`db init`, which also puts it back in WAL mode. Real processes on real files (SQLite only)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import NOW, Cli, write


def cctx(db: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CCTX_NOW": NOW, "CCTX_ACTOR": "tester", "CCTX_CONFIG": str(config or ""),
           "CCTX_FORMAT": ""}
    return subprocess.run([sys.executable, "-m", "cctx", "--db", str(db), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def journal_mode(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def holds_the_write_lock(db: Path) -> bool:
    """Whether another connection holds the write lock of ``db`` (a write transaction is open)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    db = tmp_path / "cctx.db"
    Cli(db).ok("db", "init")
    return db


def test_a_seed_killed_mid_load_leaves_the_file_in_wal_mode_and_normal_traffic_works(
    fresh: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "CCTX_NOW": NOW, "CCTX_ACTOR": "tester", "CCTX_CONFIG": "", "CCTX_FORMAT": ""}
    seed = subprocess.Popen([sys.executable, "-m", "cctx", "--db", str(fresh), "db", "seed", "--people", "20000",
                             "--conversations", "100000", "--items", "1000000"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not holds_the_write_lock(fresh):  # the load's transaction has begun
        assert seed.poll() is None, seed.communicate()
        assert time.monotonic() < deadline, "the seed did not start its transaction"
        time.sleep(0.02)
    time.sleep(0.5)  # well into the load
    assert seed.poll() is None, "the seed finished before it could be killed"
    os.kill(seed.pid, signal.SIGKILL)
    seed.communicate()
    assert seed.returncode == -signal.SIGKILL
    assert journal_mode(fresh) == "wal"
    # normal traffic: a writer while a reader keeps a read transaction open (WAL lets both go on)
    config = write(tmp_path / "fast.yaml", "busy_timeout_ms: 300\n")
    reader = sqlite3.connect(fresh, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM people").fetchall()
        created = cctx(fresh, "customer", "create", "--first-name", "Ana", "-f", "json", config=config)
        assert created.returncode == 0, created.stderr
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    stats = json.loads(cctx(fresh, "db", "stats", "-f", "json").stdout)
    assert stats["people"] == 1 and stats["conversations"] == 0  # the killed load left nothing behind
    assert journal_mode(fresh) == "wal"


def test_a_finished_seed_leaves_wal_mode_and_an_empty_wal(fresh: Path) -> None:
    done = cctx(fresh, "db", "seed", "--people", "50", "--conversations", "200", "--items", "1000", "-f", "json")
    assert done.returncode == 0, done.stderr
    assert journal_mode(fresh) == "wal"
    assert not Path(f"{fresh}-wal").exists() or os.path.getsize(f"{fresh}-wal") == 0


def test_db_init_makes_an_existing_file_and_its_wal_and_shm_private_and_says_so(fresh: Path) -> None:
    os.chmod(fresh, 0o644)
    holder = sqlite3.connect(fresh)  # keeps -wal and -shm in place, created 0644 like the file
    try:
        holder.execute("SELECT count(*) FROM people").fetchall()
        assert mode(f"{fresh}-wal") == 0o644 and mode(f"{fresh}-shm") == 0o644
        done = cctx(fresh, "db", "init", "-f", "json")
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["files_tightened"] == [
            {"file": str(fresh), "mode_before": "0644"},
            {"file": f"{fresh}-wal", "mode_before": "0644"},
            {"file": f"{fresh}-shm", "mode_before": "0644"},
        ]
        assert result["wal_restored_from"] is None
        lines = done.stderr.splitlines()
        assert lines == [f"Made {fresh}{s} private: mode 0644 -> 0600 (it holds personal data)."
                         for s in ("", "-wal", "-shm")]
        assert mode(fresh) == mode(f"{fresh}-wal") == mode(f"{fresh}-shm") == 0o600
    finally:
        holder.close()
    again = cctx(fresh, "db", "init")
    assert again.returncode == 0 and again.stderr == f"Database {fresh} is at schema version " \
        f"{json.loads(cctx(fresh, 'db', 'init', '-f', 'json').stdout)['schema_version']}.\n"


def test_db_init_puts_a_file_left_in_another_journal_mode_back_in_wal(fresh: Path) -> None:
    conn = sqlite3.connect(fresh)
    assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    conn.close()
    assert journal_mode(fresh) == "delete"
    done = cctx(fresh, "db", "init", "-f", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["wal_restored_from"] == "delete"
    assert done.stderr == "Restored WAL journal mode (the file was in delete mode).\n"
    assert journal_mode(fresh) == "wal"


def test_a_new_file_gets_0600_and_no_repair_messages(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    done = cctx(db, "db", "init", "-f", "json")
    assert done.returncode == 0 and done.stderr == ""
    result = json.loads(done.stdout)
    assert result["files_tightened"] == [] and result["wal_restored_from"] is None
    assert mode(db) == 0o600 and journal_mode(db) == "wal"
