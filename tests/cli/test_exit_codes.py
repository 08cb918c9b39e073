"""How cctx ends when it is stopped: real processes, real signals and real pipes.

Ctrl-C is exit 130 with `Interrupted` and what was committed stays committed; a reader that closes stdout
early (`cctx ... | head`) is exit 141 with nothing on stderr, in every format and however early.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import NOW

pytestmark = pytest.mark.sqlite_only


def env() -> dict[str, str]:
    return {**os.environ, "CCTX_NOW": NOW, "CCTX_ACTOR": "tester", "CCTX_CONFIG": "", "CCTX_FORMAT": ""}


def cctx(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cctx", "--db", str(db), *args], env=env(), capture_output=True,
                          text=True, timeout=120)


def start(db: Path, *args: str, stdout: int = subprocess.PIPE) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "cctx", "--db", str(db), *args], env=env(), stdout=stdout,
                            stderr=subprocess.PIPE)


def seeded(db: Path, conversations: int) -> Path:
    assert cctx(db, "db", "init").returncode == 0
    seed = cctx(db, "db", "seed", "--people", str(conversations // 4), "--conversations", str(conversations),
                "--items", str(conversations))
    assert seed.returncode == 0, seed.stderr
    return db


def conversations(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM conversations").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="module")
def listing_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 conversations: every listing of them is far larger than a pipe's buffer."""
    return seeded(tmp_path_factory.mktemp("exits") / "cctx.db", 5000)


def test_ctrl_c_during_a_purge_is_130_interrupted_and_keeps_the_batches_committed(tmp_path: Path) -> None:
    db = seeded(tmp_path / "cctx.db", 5000)
    before = conversations(db)
    due = json.loads(cctx(db, "history", "purge", "--older-than", "30d", "--dry-run", "-f", "json").stdout)
    assert due["conversations"] > 1000
    purge = start(db, "history", "purge", "--older-than", "30d", "--batch-size", "5", "-f", "json")
    deadline = time.monotonic() + 30
    while conversations(db) == before:
        assert purge.poll() is None, purge.communicate()
        assert time.monotonic() < deadline, "the purge never deleted anything"
        time.sleep(0.01)
    purge.send_signal(signal.SIGINT)
    out, err = purge.communicate(timeout=30)
    assert purge.returncode == 130
    assert err.decode().strip() == "Interrupted"
    assert out == b""
    interrupted_at = conversations(db)
    assert before - due["conversations"] < interrupted_at < before  # committed batches stayed deleted
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    rerun = cctx(db, "history", "purge", "--older-than", "30d", "-f", "json")  # the next run finishes the work
    assert rerun.returncode == 0, rerun.stderr
    assert conversations(db) == before - due["conversations"]


def test_ctrl_c_while_listing_is_130(listing_db: Path) -> None:
    listing = start(listing_db, "conversation", "list", "-f", "yaml")
    assert listing.stdout is not None
    listing.stdout.readline()  # it is writing; the pipe is full and it waits for us
    listing.send_signal(signal.SIGINT)
    _, err = listing.communicate(timeout=30)
    assert listing.returncode == 130
    assert err.decode().strip() == "Interrupted"


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "yaml"])
@pytest.mark.parametrize("command", [["conversation", "list"], ["customer", "list"]])
def test_a_reader_closing_stdout_early_is_141_and_silent(listing_db: Path, command: list[str], fmt: str) -> None:
    reader = start(listing_db, *command, "-f", fmt)
    assert reader.stdout is not None
    assert reader.stdout.readline()
    reader.stdout.close()  # as `| head -1` does
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 141
    assert err == b""


@pytest.mark.parametrize("args", [["db", "stats", "-f", "json"], ["--help"], ["history", "show", "1", "--limit", "1"]])
def test_stdout_closed_before_the_first_write_is_141_and_silent(listing_db: Path, args: list[str]) -> None:
    """Short output waits in stdout's buffer and meets the closed pipe only at the last flush."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = start(listing_db, *args, stdout=write_end)
    finally:
        os.close(write_end)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141
    assert err == b""


def test_a_full_read_still_ends_0(listing_db: Path) -> None:
    done = cctx(listing_db, "conversation", "list", "-f", "csv")
    assert done.returncode == 0 and done.stderr == ""
    listed = sqlite3.connect(listing_db).execute("SELECT count(*) FROM conversations WHERE status != 'merged'")
    assert len(done.stdout.splitlines()) == 1 + listed.fetchone()[0]
