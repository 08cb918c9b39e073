"""Benchmark `cctx conversation relink` of 100,000 conversations against hand-written SQL.

On copies of one database (by default the cached seeded database of bench/common.py: 1,000,000
conversations), it times, as whole processes and as the median of several runs:
  - `cctx --db COPY conversation relink relink.csv -f json`   (every row checked, one transaction, audit)
  - `python hand_relink.py COPY relink.csv`                    (the same updates as hand-written SQL through
                                                                sqlite3 in one transaction, nothing checked)
  - `python hand_relink.py COPY relink.csv sorted`             (the same, the updates sorted by id)
checks that both leave the same links, and appends the figures to bench/RESULTS.md.

The file mixes what an admin sends: 80% person ids, 10% destinations (phone or TYPE:VALUE) someone owns,
10% empty customers (unlink).

Usage:
    python bench/bench_relink.py                       # the seeded database (built once if missing)
    python bench/bench_relink.py --db PATH             # any cctx database
    python bench/bench_relink.py --rows 100000 --runs 3
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench import common  # noqa: E402

WORK = BENCH / ".cache" / "relink"

# The hand-written version: read the CSV, run the updates in one transaction, no checks at all.
HAND_SCRIPT = '''
import csv, sqlite3, sys, time
db, path = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA foreign_keys = ON")
conn.execute("PRAGMA synchronous = NORMAL")
by_id, by_destination, unlink = [], [], []
with open(path, newline="") as handle:
    reader = csv.reader(handle)
    next(reader)
    for conversation, customer in reader:
        if not customer:
            unlink.append((int(conversation),))
        elif customer.isdigit():
            by_id.append((int(customer), int(conversation)))
        else:
            kind, _, value = customer.partition(":") if not customer.startswith("+") else ("phone", "", customer)
            by_destination.append((kind, value, int(conversation)))
if sys.argv[3:] == ["sorted"]:  # the same updates in id order, as cctx writes them
    by_id.sort(key=lambda r: r[-1])
    by_destination.sort(key=lambda r: r[-1])
    unlink.sort()
started = time.perf_counter()
conn.execute("BEGIN IMMEDIATE")
conn.executemany("UPDATE conversations SET person_id = ?, unlinked_explicitly = 0 WHERE id = ?", by_id)
conn.executemany(
    "UPDATE conversations SET person_id = (SELECT person_id FROM destinations WHERE type = ? AND value = ?), "
    "unlinked_explicitly = 0 WHERE id = ?", by_destination)
conn.executemany("UPDATE conversations SET person_id = NULL, unlinked_explicitly = 1 WHERE id = ?", unlink)
conn.execute("COMMIT")
print(f"{time.perf_counter() - started:.3f}")
'''


def write_relink_file(db: Path, rows: int, path: Path, seed: int = 7) -> dict[str, int]:
    """A relink CSV over ``rows`` random live conversations; returns the mix of customers."""
    with common.read_only(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM conversations WHERE status != 'merged'")]
        people = [r[0] for r in conn.execute("SELECT id FROM people")]
        destinations = conn.execute(
            "SELECT type, value FROM destinations WHERE id IN (SELECT id FROM destinations ORDER BY random() "
            "LIMIT 20000)"
        ).fetchall()
    rng = random.Random(seed)
    chosen = rng.sample(ids, min(rows, len(ids)))
    mix = {"person": 0, "destination": 0, "unlink": 0}
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["conversation", "customer"])
        for conversation in chosen:
            roll = rng.random()
            if roll < 0.8:
                customer, kind = str(rng.choice(people)), "person"
            elif roll < 0.9:
                dest_type, value = rng.choice(destinations)
                customer, kind = (value if dest_type == "phone" else f"{dest_type}:{value}"), "destination"
            else:
                customer, kind = "", "unlink"
            mix[kind] += 1
            out.writerow([conversation, customer])
    return mix


def links_digest(db: Path) -> str:
    """A digest of every conversation's link, to prove both ways end in the same state."""
    return common.rows_digest(db, "SELECT id, person_id, unlinked_explicitly FROM conversations ORDER BY id")


def main() -> int:
    parser = common.bench_arguments(__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    source = args.db or common.seeded_db()
    WORK.mkdir(parents=True, exist_ok=True)
    relink_csv, hand_py = WORK / "relink.csv", WORK / "hand_relink.py"
    hand_py.write_text(HAND_SCRIPT)
    mix = write_relink_file(source, args.rows, relink_csv)
    cctx_copy, hand_copy = WORK / "cctx.db", WORK / "hand.db"
    with common.read_only(source) as conn:
        conversations = conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
    print(f"{source}: {conversations} conversations; relinking {sum(mix.values())} ({mix})", file=sys.stderr)

    cctx_times, hand_times, hand_sql_times, sorted_times, result = [], [], [], [], ""
    for run in range(args.runs):
        common.copy_db(source, cctx_copy)
        timed = common.run_cctx(cctx_copy, "conversation", "relink", str(relink_csv), "-f", "json")
        cctx_times.append(timed.seconds)
        result = timed.stdout.strip().replace("\n", " ")
        common.copy_db(source, hand_copy)
        hand = common.run_command([sys.executable, str(hand_py), str(hand_copy), str(relink_csv)])
        hand_times.append(hand.seconds)
        hand_sql_times.append(float(hand.stdout.strip()))
        if run == 0:
            assert links_digest(cctx_copy) == links_digest(hand_copy), "cctx and the hand-written SQL differ"
        common.copy_db(source, hand_copy)
        ordered = common.run_command([sys.executable, str(hand_py), str(hand_copy), str(relink_csv), "sorted"])
        sorted_times.append(ordered.seconds)
        print(f"run {run + 1}: cctx {cctx_times[-1]:.2f} s, hand-written {hand_times[-1]:.2f} s "
              f"(SQL alone {hand_sql_times[-1]:.2f} s), hand-written in id order {sorted_times[-1]:.2f} s",
              file=sys.stderr)
    for path in (cctx_copy, hand_copy):
        common.remove_db(path)

    cctx_s, hand_s, sql_s, sorted_s = (
        statistics.median(t) for t in (cctx_times, hand_times, hand_sql_times, sorted_times)
    )
    body = f"""\
Relink of {sum(mix.values()):,} conversations (mix {mix}) on a copy of `{source.name}` ({conversations:,}
conversations), median of {args.runs} runs, whole processes, wall clock. Command: `python bench/bench_relink.py
{'--db ' + str(args.db) + ' ' if args.db else ''}--rows {args.rows} --runs {args.runs}`.

| what | seconds |
|---|---|
| `cctx conversation relink relink.csv -f json` (all rows checked, one transaction, audit record) | {cctx_s:.2f} |
| hand-written SQL through sqlite3, one transaction (process: read CSV + updates) | {hand_s:.2f} |
| of which the UPDATEs and COMMIT alone | {sql_s:.2f} |
| **ratio cctx / hand-written process** | **{cctx_s / hand_s:.2f}x** (target: within 2x) |
| ratio cctx / hand-written UPDATEs alone | {cctx_s / sql_s:.2f}x |
| hand-written process with the updates sorted by id (as cctx writes them) | {sorted_s:.2f} |
| ratio cctx / hand-written sorted | {cctx_s / sorted_s:.2f}x |

cctx printed: `{result}`. Both copies end with identical links (checked by digest).
"""
    print(body)
    targets = [common.at_most("cctx / hand-written process", cctx_s / hand_s, 2, "x")]
    common.append_results(f"conversation relink: {sum(mix.values()):,} conversations", body, targets,
                          record=args.record)
    return common.verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
