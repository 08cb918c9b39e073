"""Run every benchmark: bench/bench_*.py in order (bench_startup.py, then bench_seed.py, then the others by
name), each as its own process. The start-up budgets come first, while nothing else of the run loads the
machine; bench_seed.py builds the database the others read.

Each benchmark prints its figures, checks its targets and appends a section to bench/results/runs.md
(ignored by git); with --record (`make bench-record`) to the tracked bench/RESULTS.md too. Each one ends
`ok`, `MISSED` (it ran but missed a target) or `FAILED` (it could not run); the exit status is non-zero
unless every one is ok, after running them all.

Usage:
    python bench/run.py                   # all benchmarks
    python bench/run.py seed history      # only bench_seed.py and bench_history.py
    python bench/run.py --record          # all, and record the figures in bench/RESULTS.md
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
MISSED_EXIT = 4  # common.MISSED_EXIT: the benchmark ran to its end and missed a target
RECORD_ENV = "CCTX_BENCH_RECORD"  # common.RECORD_ENV


def benchmarks(names: list[str]) -> list[Path]:
    """bench_startup.py, bench_seed.py, then the others by name; only ``names`` (without bench_ and .py)."""
    first = ("bench_startup.py", "bench_seed.py")
    found = sorted(BENCH.glob("bench_*.py"), key=lambda p: (first.index(p.name) if p.name in first else 2, p.name))
    if names:
        found = [p for p in found if p.stem.removeprefix("bench_") in names]
    return found


def outcome(code: int) -> str:
    if code == 0:
        return "ok"
    return "MISSED" if code == MISSED_EXIT else f"FAILED (exit {code})"


def main(argv: list[str]) -> int:
    record = "--record" in argv
    names = [a for a in argv if a != "--record"]
    not_ok = []
    for script in benchmarks(names):
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        env = {**os.environ, RECORD_ENV: "1" if record else ""}  # a benchmark's --record defaults to it
        code = subprocess.run([sys.executable, str(script)], cwd=BENCH.parent, env=env).returncode
        print(f"== {script.name}: {outcome(code)} in {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            not_ok.append(f"{script.name} {outcome(code)}")
    if not_ok:
        print(f"not ok: {', '.join(not_ok)}", file=sys.stderr)
    return 1 if not_ok else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
