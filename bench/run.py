"""Run every benchmark: bench/bench_*.py in order (bench_seed.py first), each as its own process.

Each benchmark prints its figures and appends a section to bench/RESULTS.md. Exits non-zero when any
benchmark failed, after running the others.

Usage:
    python bench/run.py              # all benchmarks
    python bench/run.py seed history # only bench_seed.py and bench_history.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def benchmarks(names: list[str]) -> list[Path]:
    """bench_seed.py first, then the others by name; only ``names`` (without bench_ and .py) if given."""
    found = sorted(BENCH.glob("bench_*.py"), key=lambda p: (p.name != "bench_seed.py", p.name))
    if names:
        found = [p for p in found if p.stem.removeprefix("bench_") in names]
    return found


def main(argv: list[str]) -> int:
    failed = []
    for script in benchmarks(argv):
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)], cwd=BENCH.parent).returncode
        print(f"== {script.name}: {'ok' if code == 0 else f'FAILED (exit {code})'} "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
