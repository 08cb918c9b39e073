"""Benchmark `cctx db seed` at full size: 1,000,000 conversations with 10,000,000 items, into a fresh file.

Target: under 180 s on the 2-core reference machine. Prints and records in bench/RESULTS.md the wall
time of the process, rows per second, the file size and the peak memory; then makes sure the cached
database of bench/common.py exists for the other benchmarks.

Usage:
    python bench/bench_seed.py
"""

from __future__ import annotations

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
    file_size_mb,
    remove_db,
    seed_into,
    seeded_db,
)

TARGET_SECONDS = 180


def main() -> int:
    db = BENCH / "seed-bench.db"
    print(f"seeding {db.name}: cctx db seed {' '.join(SEED_ARGS)} (CCTX_NOW={SEED_NOW}) ...", flush=True)
    run = seed_into(db)
    result = json.loads(run.stdout)
    size = file_size_mb(db)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    remove_db(db)
    rows = result["conversations"] + result["items"]
    verdict = "within" if run.seconds < TARGET_SECONDS else "OVER"
    lines = [
        f"- command: `CCTX_NOW={SEED_NOW} cctx --db seed-bench.db db seed {' '.join(SEED_ARGS)}` "
        "(after `db init` of a fresh file)",
        f"- wall time: **{run.seconds:.1f} s** ({verdict} the {TARGET_SECONDS} s target); "
        f"the command's own figure: {result['seconds']} s",
        f"- rows: {result['people']:,} people, {result['conversations']:,} conversations, "
        f"{result['items']:,} items, {result['agents']} agents, {result['queues']} queues",
        f"- speed: {rows / run.seconds:,.0f} conversations+items per second "
        f"({result['items'] / run.seconds:,.0f} items/s)",
        f"- file size: {size:,.0f} MB; peak memory of the process: {peak_mb:,.0f} MB",
    ]
    body = "\n".join(lines)
    print(body)
    append_results("db seed: 1M conversations, 10M items", body)
    seeded_db()
    return 0 if run.seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
