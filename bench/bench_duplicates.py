"""Benchmark `cctx customer duplicates` on 200,000 people, and the cost of reading phone numbers.

It times, as whole processes and as the median of several runs:
  - `cctx --db DB customer duplicates -f json`   (every person read once: names, configured attributes,
                                                  phone destinations; groups written as JSON)
and, in this process, the phone normalisation of 100,000 destination values as an import meets them:
  - canonical E.164 (`+385911234567`): recognised without phonenumbers (the fast path)
  - spelled with spaces and brackets (`+385 (91) 123 4567`): parsed by phonenumbers
and, as whole processes, `cctx db import` of 100,000 people with one phone destination each, written
canonically and spelled with spaces (the difference is what normalisation costs an import).

By default the database is seeded once into bench/.cache/duplicates/ with

    CCTX_NOW=2026-11-25T12:00:00Z cctx db seed --people 200000 --conversations 10000 --items 20000 --seed 1

(the seed's names repeat, so nearly every person is in a group: a heavier case than real data).

Usage:
    python bench/bench_duplicates.py                 # the seeded 200,000 people (built once if missing)
    python bench/bench_duplicates.py --db PATH       # any cctx database
    python bench/bench_duplicates.py --runs 5
    python bench/bench_duplicates.py --import-people 0  # skip the two imports
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench import common  # noqa: E402

WORK = BENCH / ".cache" / "duplicates"
PEOPLE_ARGS = ("--people", "200000", "--conversations", "10000", "--items", "20000", "--seed", "1")
TARGET_SECONDS = 5.0


def people_db() -> Path:
    """The seeded database of 200,000 people, built once (and again when the seed code changed)."""
    WORK.mkdir(parents=True, exist_ok=True)
    db, stamp = WORK / "people-200k.db", WORK / "people-200k.stamp"
    if db.exists() and stamp.exists() and stamp.read_text() == common.seed_stamp():
        common.run_cctx(db, "db", "init")  # a later migration upgrades the cached file in place
        return db
    common.remove_db(db)
    common.seed_into(db, PEOPLE_ARGS)
    stamp.write_text(common.seed_stamp())
    return db


def normalisation_seconds(count: int) -> tuple[float, float]:
    """Seconds to normalise ``count`` canonical values, and ``count`` values spelled with spaces."""
    from cctx.phones import normalize_phone

    canonical = [f"+3859{i:08d}" for i in range(count)]
    spelled = [f"+385 (9{i % 10}) {i // 10 % 1000:03d} {i % 10000:04d}" for i in range(count)]
    started = time.perf_counter()
    for value in canonical:
        normalize_phone(value)
    fast = time.perf_counter() - started
    started = time.perf_counter()
    for value in spelled:
        normalize_phone(value)
    return fast, time.perf_counter() - started


def import_seconds(people: int) -> tuple[float, float]:
    """Whole-process seconds of `db import` of ``people`` people with one phone each: canonical, spelled."""
    times = []
    for spelled in (False, True):
        rows = []
        for i in range(people):
            digits = f"{1 + i // 1_000_000 % 9}{i // 10_000 % 100:02d}{i % 10_000:04d}"
            value = f"+385 9{digits[0]} {digits[1:4]} {digits[4:]}" if spelled else f"+3859{digits}"
            rows.append({"first_name": "P", "destinations": [{"type": "phone", "value": value}]})
        fixture, db = WORK / "phones.json", WORK / "import.db"
        fixture.write_text(json.dumps({"people": rows}))
        common.remove_db(db)
        common.run_cctx(db, "db", "init")
        times.append(common.run_cctx(db, "db", "import", str(fixture), "-f", "json").seconds)
        common.remove_db(db)
        fixture.unlink()
    return times[0], times[1]


def main() -> int:
    parser = common.bench_arguments(__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--import-people", type=int, default=100_000)
    args = parser.parse_args()

    source = args.db or people_db()
    with common.read_only(source) as conn:
        people = conn.execute("SELECT count(*) FROM people").fetchone()[0]
    times, groups, grouped = [], 0, 0
    for run in range(args.runs):
        timed = common.run_cctx(source, "customer", "duplicates", "-f", "json")
        times.append(timed.seconds)
        found = json.loads(timed.stdout)
        groups, grouped = len(found), sum(len(g["people"]) for g in found)
        print(f"run {run + 1}: {timed.seconds:.2f} s, {groups:,} groups", file=sys.stderr)
    seconds = statistics.median(times)
    fast, parsed = normalisation_seconds(100_000)
    canonical_import, spelled_import = import_seconds(args.import_people) if args.import_people else (0.0, 0.0)
    body = f"""\
`customer duplicates` on `{source.name}` ({people:,} people), median of {args.runs} runs, whole process, wall
clock; {groups:,} groups holding {grouped:,} people. Command: `python bench/bench_duplicates.py
{'--db ' + str(args.db) + ' ' if args.db else ''}--runs {args.runs}`.

| what | seconds |
|---|---|
| `cctx customer duplicates -f json` | {seconds:.2f} |
| normalising 100,000 canonical phone values (`+385…`, no phonenumbers) | {fast:.3f} |
| normalising 100,000 phone values spelled with spaces and brackets (phonenumbers) | {parsed:.2f} |
| `cctx db import` of {args.import_people:,} people, one canonical phone each | {canonical_import:.2f} |
| `cctx db import` of {args.import_people:,} people, one phone each spelled with spaces | {spelled_import:.2f} |
"""
    print(body)
    targets = [common.below("customer duplicates on 200,000 people", seconds, TARGET_SECONDS, " s")]
    common.append_results(f"customer duplicates: {people:,} people", body, targets, record=args.record)
    return common.verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
