"""Benchmark `cctx history purge` against hand-written batched DELETE SQL, and other writers during it.

On copies of one database (by default the cached seeded database of bench/common.py: 1,000,000
conversations, 10,000,000 items), with `--older-than 365d` at CCTX_NOW (about 560,000 expired
conversations with 5,600,000 items):
  1. `cctx --db COPY history purge --older-than 365d -f json` alone, as a whole process: conversations/s,
     items/s, the longest batch transaction (BEGIN IMMEDIATE to COMMIT, reported by cctx), the largest
     WAL file seen (polled every 2 ms); then `--vacuum` on the purged copy: bytes freed and time;
  2. the same purge again on a fresh copy while an admin runs `cctx conversation link ID PERSON` every
     ~1.5 s (each a whole process, timed; compared with the same command on an idle copy) and a probe
     connection writes a one-row transaction every 50-150 ms (time to get the write lock);
  3. hand-written batched DELETE through Python's sqlite3 (`hand_purge.py`, same batches of 1000 in id
     order, same pragmas as cctx's connection, nothing counted, no audit, no fairness pauses; then, where
     the search index keeps deleted words, its 'optimize' at once), on another copy of the same file;
checks that both leave exactly the same conversations, and appends the figures to bench/RESULTS.md.

Usage:
    python bench/bench_purge.py                        # the seeded database (built once if missing)
    python bench/bench_purge.py --db PATH --older-than 180d
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench import common  # noqa: E402
from cctx.times import format_ts, parse_duration, parse_ts  # noqa: E402

WORK = BENCH / ".cache" / "purge"
HAND_WHAT = ("hand-written batched DELETE via sqlite3 (1000 per batch, id order, then the search index's "
             "`optimize`; no counts, audit or pauses)")

# The hand-written version: batches of 1000 expired conversations in id order, each deleted (items,
# participants, conversation, and the tombstones merged into them) in one transaction; then, where the
# search index keeps deleted words until it is merged (SQLite before 3.44), its 'optimize', which a purge
# needs as much as the DELETEs (the purged words must leave the file). Prints seconds, longest
# transaction (ms), conversations.
HAND_SCRIPT = '''
import sqlite3, sys, time
db, horizon, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA foreign_keys = ON")
conn.execute("PRAGMA synchronous = NORMAL")
conn.execute("PRAGMA secure_delete = ON")
started = time.perf_counter()
last, deleted, longest = 0, 0, 0.0
while True:
    began = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM conversations WHERE id > ? AND ((status = 'closed' AND closed_at < ?)"
        " OR (status = 'merged' AND merged_at < ?)) ORDER BY id LIMIT ?",
        (last, horizon, horizon, size))]
    if not ids:
        conn.execute("COMMIT")
        break
    last = ids[-1]
    marks = ",".join("?" * len(ids))
    # the tombstones merged into this batch go with it (seeded merges are one level deep)
    ids += [r[0] for r in conn.execute(
        f"SELECT id FROM conversations WHERE merged_into IN ({marks}) AND id NOT IN ({marks})", ids + ids)]
    marks = ",".join("?" * len(ids))
    conn.execute(f"DELETE FROM items WHERE conversation_id IN ({marks})", ids)
    conn.execute(f"DELETE FROM participants WHERE conversation_id IN ({marks})", ids)
    conn.execute(f"DELETE FROM conversations WHERE id IN ({marks})", ids)
    conn.execute("COMMIT")
    longest = max(longest, time.perf_counter() - began)
    deleted += len(ids)
if not conn.execute("SELECT count(*) FROM items_fts_config WHERE k = 'secure-delete' AND v = 1").fetchone()[0]:
    began = time.perf_counter()
    conn.execute("INSERT INTO items_fts (items_fts) VALUES ('optimize')")
    longest = max(longest, time.perf_counter() - began)
print(f"{time.perf_counter() - started:.3f} {longest * 1000:.1f} {deleted}")
'''


class WalWatcher:
    """The largest size the -wal file reaches while it runs (polled every 2 ms)."""

    def __init__(self, db: Path) -> None:
        self.wal = Path(f"{db}-wal")
        self.largest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self.largest = max(self.largest, self.wal.stat().st_size)
            except OSError:
                pass
            time.sleep(0.002)

    def __enter__(self) -> WalWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def start_purge(db: Path, older_than: str) -> tuple[subprocess.Popen[str], float]:
    argv = [common.CCTX, "--db", str(db), "history", "purge", "--older-than", older_than, "-f", "json"]
    return subprocess.Popen(argv, env=common.bench_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True), time.perf_counter()


def finish(proc: subprocess.Popen[str], started: float) -> tuple[dict, float]:
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"cctx history purge exited {proc.returncode}: {err.strip()}")
    return json.loads(out), seconds


def link_targets(db: Path, n: int) -> list[tuple[int, int]]:
    """(open unlinked conversation, person) pairs: each link really changes something, none is purged."""
    with common.read_only(db) as conn:
        conversations = [r[0] for r in conn.execute(
            "SELECT id FROM conversations WHERE status = 'open' AND person_id IS NULL LIMIT ?", (n,))]
        people = [r[0] for r in conn.execute("SELECT id FROM people LIMIT ?", (n,))]
    return list(zip(conversations, people, strict=False))


def link(db: Path, conversation: int, person: int) -> float:
    run = common.run_cctx(db, "conversation", "link", str(conversation), str(person), "-f", "json")
    assert json.loads(run.stdout)["changed"] is True, run.stdout
    return run.seconds


def probe_writes(db: Path, conversations: list[int], stop: threading.Event, waits: list[float]) -> None:
    """One-row write transactions at random intervals; records how long each waited for the write lock."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=5)
    rng = random.Random(3)
    try:
        while not stop.is_set():
            began = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            waits.append(time.perf_counter() - began)
            conn.execute("UPDATE conversations SET display_name = display_name || '' WHERE id = ?",
                         (rng.choice(conversations),))
            conn.execute("COMMIT")
            time.sleep(rng.uniform(0.05, 0.15))
    finally:
        conn.close()


def survivors_digest(db: Path) -> str:
    return common.rows_digest(db, "SELECT id FROM conversations ORDER BY id")


def main() -> int:
    parser = common.bench_arguments(__doc__)
    parser.add_argument("--older-than", default="365d")
    args = parser.parse_args()

    source = args.db or common.seeded_db()
    WORK.mkdir(parents=True, exist_ok=True)
    hand_py = WORK / "hand_purge.py"
    hand_py.write_text(HAND_SCRIPT)
    cctx_copy, hand_copy = WORK / "cctx.db", WORK / "hand.db"
    horizon = format_ts(parse_ts(common.SEED_NOW) - parse_duration(args.older_than))
    with common.read_only(source) as conn:
        conversations, items = conn.execute("SELECT count(*), sum(messages + notes + call_events) "
                                             "FROM conversations").fetchone()
    print(f"{source}: {conversations} conversations, {items} items; horizon {horizon}", file=sys.stderr)

    # 1. the purge alone
    common.copy_db(source, cctx_copy)
    with WalWatcher(cctx_copy) as wal:
        result, wall = finish(*start_purge(cctx_copy, args.older_than))
    print(f"cctx alone: {wall:.1f} s, {json.dumps({k: result[k] for k in ('conversations', 'items')})}, "
          f"longest batch {result['longest_batch_ms']} ms, WAL {wal.largest / 2**20:.1f} MiB", file=sys.stderr)
    cctx_digest = survivors_digest(cctx_copy)
    size_before = cctx_copy.stat().st_size
    with WalWatcher(cctx_copy) as vacuum_wal:
        vacuumed = common.run_cctx(cctx_copy, "history", "purge", "--older-than", args.older_than, "--vacuum",
                                   "-f", "json")
    freed = json.loads(vacuumed.stdout)["bytes_freed"]
    print(f"vacuum: {freed / 2**20:.0f} MiB freed in {vacuumed.seconds:.1f} s", file=sys.stderr)

    # 2. the purge with an admin linking conversations and a probe writing
    common.copy_db(source, cctx_copy)
    targets = link_targets(cctx_copy, 80)
    idle = sorted(link(cctx_copy, c, p) for c, p in targets[:5])
    idle_median = idle[len(idle) // 2]
    stop, waits = threading.Event(), []
    probe = threading.Thread(target=probe_writes, args=(cctx_copy, [c for c, _ in targets[-20:]], stop, waits))
    links: list[float] = []
    with WalWatcher(cctx_copy) as busy_wal:
        proc, began = start_purge(cctx_copy, args.older_than)
        probe.start()
        time.sleep(2.0)  # planning done, deleting
        for conversation, person in targets[5:60]:
            if proc.poll() is not None:
                break
            links.append(link(cctx_copy, conversation, person))
            time.sleep(random.uniform(1.0, 2.0))
        busy_result, busy_wall = finish(proc, began)
        stop.set()
        probe.join()
    waits.sort()
    print(f"cctx with writers: {busy_wall:.1f} s; {len(links)} links, slowest {max(links):.2f} s "
          f"(idle {idle_median:.2f} s); probe: {len(waits)} writes, longest wait {waits[-1] * 1000:.0f} ms",
          file=sys.stderr)

    # 3. hand-written SQL
    common.copy_db(source, hand_copy)
    with WalWatcher(hand_copy) as hand_wal:
        hand = common.run_command([sys.executable, str(hand_py), str(hand_copy), horizon, "1000"])
    hand_sql_s, hand_longest_ms, hand_deleted = hand.stdout.split()
    print(f"hand-written: {hand.seconds:.1f} s, longest {hand_longest_ms} ms", file=sys.stderr)
    assert int(hand_deleted) == result["conversations"], (hand_deleted, result["conversations"])
    assert survivors_digest(hand_copy) == cctx_digest, "cctx and the hand-written SQL left different conversations"
    for path in (cctx_copy, hand_copy):
        common.remove_db(path)

    n, m = result["conversations"], result["items"]
    mib = 2**20
    hand_row = (f"{hand.seconds:.1f} s (longest transaction {hand_longest_ms} ms, "
                f"WAL {hand_wal.largest / mib:.1f} MiB)")
    link_row = (f"slowest {max(links):.2f} s, median {sorted(links)[len(links) // 2]:.2f} s; "
                f"idle median {idle_median:.2f} s")
    probe_row = (f"longest {waits[-1] * 1000:.0f} ms, p99 {waits[int(len(waits) * 0.99)] * 1000:.0f} ms, "
                 f"median {waits[len(waits) // 2] * 1000:.1f} ms")
    vacuum_row = (f"{freed / mib:.0f} MiB freed (file {size_before / mib:.0f} -> "
                  f"{(size_before - freed) / mib:.0f} MiB) in {vacuumed.seconds:.1f} s, "
                  f"WAL {vacuum_wal.largest / mib:.1f} MiB")
    printed = json.dumps({k: result[k] for k in ("conversations", "items", "batches", "longest_batch_ms", "seconds")})
    command = f"python bench/bench_purge.py{' --db ' + str(args.db) if args.db else ''} --older-than {args.older_than}"
    body = f"""\
Purge of {n:,} expired conversations with {m:,} items (`--older-than {args.older_than}`, horizon {horizon})
from a copy of `{source.name}` ({conversations:,} conversations, {items:,} items); whole processes, wall clock.
Command: `{command}`.

| what | figure |
|---|---|
| `cctx history purge --older-than {args.older_than} -f json` (default batches of 1000), alone | {wall:.1f} s |
| throughput | {n / wall:,.0f} conversations/s, {m / wall:,.0f} items/s |
| longest batch transaction (BEGIN IMMEDIATE to COMMIT) | {result['longest_batch_ms']} ms (target < 250 ms) |
| largest WAL file | {wal.largest / mib:.1f} MiB (target < 20 MiB) |
| {HAND_WHAT} | {hand_row} |
| **ratio cctx / hand-written** | **{wall / hand.seconds:.2f}x** (target: within 1.3x) |
| then `history purge --older-than {args.older_than} --vacuum` (nothing left to purge) | {vacuum_row} |
| the purge again with an admin and a probe writing | {busy_wall:.1f} s, WAL {busy_wal.largest / mib:.1f} MiB |
| `cctx conversation link` during the purge ({len(links)} runs, whole processes) | {link_row} |
| probe write transactions during the purge ({len(waits)}): wait for the write lock | {probe_row} |

cctx printed (alone): `{printed}`.
Both copies end with exactly the same conversations (checked by digest).
"""
    print(body)
    targets = [
        common.below("longest batch transaction", float(result["longest_batch_ms"]), 250, " ms"),
        common.below("largest WAL file", wal.largest / mib, 20, " MiB"),
        common.at_most("cctx / hand-written", wall / hand.seconds, 1.3, "x"),
    ]
    common.append_results(f"history purge: {n:,} conversations", body, targets, record=args.record)
    return common.verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
