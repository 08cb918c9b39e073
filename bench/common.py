"""Shared benchmark helpers: the cached seeded database, copies, timed cctx runs, targets and results.

Every run appends its figures to bench/results/runs.md, which git ignores; only `--record` (`make
bench-record`) also appends them to the tracked bench/RESULTS.md. A benchmark that misses a target exits
with MISSED_EXIT after printing its figures, so `make bench` fails and says MISSED.

The seeded database (bench/seed-1m.db) is built once with

    CCTX_NOW=2026-11-25T12:00:00Z cctx db seed --people 200000 --conversations 1000000 --items 10000000 --seed 1

and rebuilt when missing or when the seed code changed (a stamp file records what built it). Benchmarks
that write must work on a copy (``copy_db``), never on the cached file.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "RESULTS.md"  # tracked: figures recorded on purpose (--record)
LOCAL_RESULTS = BENCH / "results" / "runs.md"  # every run's figures; ignored by git
MISSED_EXIT = 4  # a benchmark ran to its end but missed a target (1 is an exception's exit status)
RECORD_ENV = "CCTX_BENCH_RECORD"  # set to 1 by `run.py --record`: the default of every benchmark's --record
SEED_DB = BENCH / "seed-1m.db"
SEED_NOW = "2026-11-25T12:00:00Z"

# A customer's history written by hand: the query of what `cctx history show ID -f json` prints, for the
# benchmarks that time cctx against it. {person} is the person's id, or each driver's placeholder.
HISTORY_SQL = (
    "SELECT c.id, c.channel, c.status, q.name AS queue, c.contact, c.person_id AS customer_id, "
    "c.display_name AS talking_with, c.created_at AS started_at, c.closed_at, c.last_activity_at, "
    "c.messages, c.notes, c.call_events FROM conversations c LEFT JOIN queues q ON q.id = c.queue_id "
    "WHERE c.person_id = {person} AND c.status <> 'merged' "
    "AND c.channel NOT IN ('facebook_posts', 'instagram_posts', 'google_play_reviews') "
    "ORDER BY c.created_at, c.id"
)
SEED_ARGS = ("--people", "200000", "--conversations", "1000000", "--items", "10000000", "--seed", "1")
# What the cached seeded database is built from: the seed code and the schema (a new migration makes the
# cached file one that cctx refuses to open until upgraded).
SEED_SOURCES = (
    ROOT / "cctx" / "services" / "seed.py",
    ROOT / "cctx" / "services" / "seed_words.py",
    ROOT / "cctx" / "store" / "seed.py",
    *sorted((ROOT / "cctx" / "migrations").glob("*/*.sql")),
)


def bin_dir() -> Path:
    """The directory holding the cctx script: the project's .venv, else this interpreter's."""
    venv = ROOT / ".venv" / "bin"
    return venv if (venv / "cctx").exists() else Path(sys.executable).parent


CCTX = str(bin_dir() / "cctx")


@dataclass(frozen=True)
class Run:
    seconds: float
    returncode: int
    stdout: str
    stderr: str


def bench_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a benchmarked command: fixed clock and actor, no stray config or format."""
    env = {**os.environ, "CCTX_NOW": SEED_NOW, "CCTX_ACTOR": "bench", "CCTX_CONFIG": "", "CCTX_FORMAT": ""}
    env.pop("CCTX_DB", None)
    return {**env, **(extra or {})}


def run_cctx(
    db: Path | str, *args: str, env: dict[str, str] | None = None, input: str | None = None, check: bool = True
) -> Run:
    """Run ``cctx --db DB ARGS...`` as a separate process and time it (wall clock)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [CCTX, "--db", str(db), *args], env=bench_env(env), input=input, capture_output=True, text=True
    )
    run = Run(time.perf_counter() - started, proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        raise RuntimeError(f"cctx {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
    return run


def run_command(argv: Sequence[str], env: dict[str, str] | None = None, check: bool = True) -> Run:
    """Run any command (e.g. sqlite-utils, python -c) and time it."""
    started = time.perf_counter()
    proc = subprocess.run(list(argv), env=bench_env(env), capture_output=True, text=True)
    run = Run(time.perf_counter() - started, proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {proc.stderr.strip()}")
    return run


def copy_db(src: Path, dst: Path) -> Path:
    """Copy a database with its -wal (if any) to ``dst``, replacing what was there; mode 0600."""
    remove_db(dst)
    shutil.copyfile(src, dst)
    wal = Path(f"{src}-wal")
    if wal.exists():
        shutil.copyfile(wal, f"{dst}-wal")
    os.chmod(dst, 0o600)
    return dst


def remove_db(path: Path) -> None:
    """Delete a database file with its -wal and -shm."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def seed_stamp() -> str:
    """What the cached database was built from: the seed arguments, clock and seed code."""
    digest = hashlib.sha256(" ".join((*SEED_ARGS, SEED_NOW)).encode())
    for source in SEED_SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def seed_into(db: Path, args: Sequence[str] = SEED_ARGS) -> Run:
    """`db init` and `db seed ARGS` into a fresh file ``db``; return the timed seed run."""
    remove_db(db)
    run_cctx(db, "db", "init")
    return run_cctx(db, "db", "seed", *args, "-f", "json")


def seeded_db() -> Path:
    """The cached seeded database (1M conversations, 10M items), built now if missing or stale.

    Read-only use only: copy it (``copy_db``) before running anything that writes.
    """
    stamp_file = Path(f"{SEED_DB}.stamp")
    with _locked(Path(f"{SEED_DB}.lock")):
        stamp = seed_stamp()
        if SEED_DB.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
            return SEED_DB
        building = BENCH / "seed-1m.building.db"
        print(f"building {SEED_DB.name} (about a minute) ...", file=sys.stderr)
        run = seed_into(building)
        print(f"built in {run.seconds:.1f} s", file=sys.stderr)
        remove_db(SEED_DB)
        os.replace(building, SEED_DB)
        stamp_file.write_text(stamp)
    return SEED_DB


def machine() -> str:
    """One line about where the figures were measured."""
    return (
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


@dataclass(frozen=True)
class Target:
    """One target of a benchmark: what is measured, the figure, the limit, and whether it was met."""

    what: str
    figure: str
    limit: str
    met: bool

    def line(self) -> str:
        return f"- target {self.what}: {self.figure} ({self.limit}): {'ok' if self.met else 'MISSED'}"


def below(what: str, value: float, limit: float, unit: str = "") -> Target:
    """The target ``value < limit``."""
    return Target(what, f"{value:,.2f}{unit}", f"target below {limit:,g}{unit}", value < limit)


def at_most(what: str, value: float, limit: float, unit: str = "") -> Target:
    """The target ``value <= limit``."""
    return Target(what, f"{value:,.2f}{unit}", f"target within {limit:,g}{unit}", value <= limit)


def verdict(targets: Sequence[Target]) -> int:
    """Print each target with ok or MISSED; the exit status: 0, or MISSED_EXIT when any was missed."""
    for target in targets:
        print(target.line(), flush=True)
    return 0 if all(t.met for t in targets) else MISSED_EXIT


def _append(path: Path, section: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        try:
            out.write(section)
        finally:
            fcntl.flock(out, fcntl.LOCK_UN)


def append_results(title: str, body: str, targets: Sequence[Target] = (), *, record: bool = False) -> None:
    """Append a section ``## title`` (date and machine under it, ``body``, then the targets met or missed)
    to bench/results/runs.md, and with ``record`` to the tracked bench/RESULTS.md too."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    checks = "\n".join(t.line() for t in targets)
    section = f"\n## {title}\n\n_{when}; {machine()}_\n\n{body.strip()}\n" + (f"\n{checks}\n" if checks else "")
    _append(LOCAL_RESULTS, section)
    print(f"figures appended to {LOCAL_RESULTS.relative_to(ROOT)}", file=sys.stderr)
    if record:
        _append(RESULTS, section)
        print(f"figures recorded in {RESULTS.relative_to(ROOT)}", file=sys.stderr)


def file_size_mb(path: Path) -> float:
    """Size of a database with its -wal, in MB."""
    total = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
    return total / 1e6


def recording() -> bool:
    """Whether figures go to the tracked bench/RESULTS.md by default: `run.py --record` says so."""
    return os.environ.get(RECORD_ENV) == "1"


def bench_arguments(doc: str | None) -> argparse.ArgumentParser:
    """The options every benchmark takes: --db (default: the seeded database) and --record."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="a cctx database (default: the seeded one of bench/common.py)")
    parser.add_argument("--record", action="store_true", default=recording(),
                        help="also append the figures to the tracked bench/RESULTS.md (else only to the "
                             "ignored bench/results/runs.md)")
    parser.add_argument("--no-record", action="store_true", help=argparse.SUPPRESS)  # the default now
    return parser


@contextmanager
def read_only(db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``db``, closed on leaving the block."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def rows_digest(db: Path, sql: str) -> str:
    """A digest of the rows ``sql`` reads from ``db``, to prove two ways end in the same state."""
    digest = hashlib.sha256()
    with read_only(db) as conn:
        for row in conn.execute(sql):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
