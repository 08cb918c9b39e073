"""Benchmark `cctx db seed` at full size: 1,000,000 conversations with 10,000,000 items, into a fresh file.

Target: under 180 s on the 2-core reference machine. Prints the wall time of the process, rows per
second, the file size and the peak memory (appended to bench/results/runs.md; with --record to
bench/RESULTS.md too); then makes sure the cached database of bench/common.py exists for the other
benchmarks. Exits with common.MISSED_EXIT when the target is missed.

Usage:
    python bench/bench_seed.py [--record]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH,
    SEED_ARGS,
    SEED_NOW,
    append_results,
    below,
    file_size_mb,
    recording,
    remove_db,
    seed_into,
    seeded_db,
    verdict,
)

TARGET_SECONDS = 180


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", default=recording(),
                        help="also append the figures to bench/RESULTS.md")
    args = parser.parse_args()
    db = BENCH / "seed-bench.db"
    print(f"seeding {db.name}: cctx db seed {' '.join(SEED_ARGS)} (CCTX_NOW={SEED_NOW}) ...", flush=True)
    run = seed_into(db)
    result = json.loads(run.stdout)
    size = file_size_mb(db)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    remove_db(db)
    rows = result["conversations"] + result["items"]
    within = "within" if run.seconds < TARGET_SECONDS else "OVER"
    lines = [
        f"- command: `CCTX_NOW={SEED_NOW} cctx --db seed-bench.db db seed {' '.join(SEED_ARGS)}` "
        "(after `db init` of a fresh file)",
        f"- wall time: **{run.seconds:.1f} s** ({within} the {TARGET_SECONDS} s target); "
        f"the command's own figure: {result['seconds']} s",
        f"- rows: {result['people']:,} people, {result['conversations']:,} conversations, "
        f"{result['items']:,} items, {result['agents']} agents, {result['queues']} queues",
        f"- speed: {rows / run.seconds:,.0f} conversations+items per second "
        f"({result['items'] / run.seconds:,.0f} items/s)",
        f"- file size: {size:,.0f} MB; peak memory of the process: {peak_mb:,.0f} MB",
    ]
    body = "\n".join(lines)
    print(body)
    targets = [below("wall time of db seed", run.seconds, TARGET_SECONDS, " s")]
    append_results("db seed: 1M conversations, 10M items", body, targets, record=args.record)
    seeded_db()
    return verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
