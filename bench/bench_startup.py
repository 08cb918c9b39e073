"""Start-up budgets: every admin command is a whole process, so start-up is most of its time.

Measured in one run, as the median wall time of repeated whole processes (the commands take turns in each
round, so a change of load on the machine falls on all alike), against two floors:

  - the minimal script: the interpreter, sqlite3, the same history query written by hand and json.dumps;
  - `python -c "import sqlite3"`: the bare interpreter.

Budgets (milliseconds above the floor, median against median):

  - JSON reads (`customer show`, `history show`, `conversation show` with `-f json`): 25 above the script;
  - the same reads in table form: 40 above the script;
  - `cctx --help` and the --help of every command group: 30 above the bare interpreter;
  - on PostgreSQL (a server of its own, from pgserver in the dev extra; skipped with --no-postgres), the
    same JSON reads: at most 1.5 times the minimal script written with the same driver (psycopg2).

Prints each budget's figure with ok or MISSED, and exits with common.MISSED_EXIT (so `make bench` fails)
when one is exceeded. It needs no seeded database: by default it reads a fresh one of fixtures/demo.yaml,
so that what is measured is start-up, not the query.

Usage:
    python bench/bench_startup.py               # a fresh database of fixtures/demo.yaml, 20 rounds
    python bench/bench_startup.py --db PATH     # any cctx database (its person with most conversations)
    python bench/bench_startup.py --runs 40
    python bench/bench_startup.py --no-postgres # SQLite and --help only
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench import common  # noqa: E402

JSON_BUDGET_MS = 25.0
TABLE_BUDGET_MS = 40.0
HELP_BUDGET_MS = 30.0
POSTGRES_BUDGET_RATIO = 1.5

# What `cctx history show ID -f json` prints, written by hand: one query, json.dumps, nothing else; on
# SQLite and, through psycopg2, on PostgreSQL.
PRINT_ROWS = (
    "names = [d[0] for d in cur.description]\n"
    "print(json.dumps([dict(zip(names, row)) for row in cur], indent=2, ensure_ascii=False, default=str))\n"
)
MINIMAL_SCRIPT = (
    "import json, sqlite3, sys\n"
    "conn = sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True)\n"
    f"cur = conn.execute({common.HISTORY_SQL.format(person='?')!r}, (int(sys.argv[2]),))\n" + PRINT_ROWS
)
MINIMAL_POSTGRES_SCRIPT = (
    "import json, psycopg2, sys\n"
    "cur = psycopg2.connect(sys.argv[1]).cursor()\n"
    f"cur.execute({common.HISTORY_SQL.format(person='%s')!r}, (int(sys.argv[2]),))\n" + PRINT_ROWS
)

# The warm-up rounds write the bytecode cache of whatever changed since the last run: with
# PYTHONDONTWRITEBYTECODE set, every round would time compiling those sources instead of starting up.
ENV = {"PYTHONDONTWRITEBYTECODE": ""}

BARE = "`python -c 'import sqlite3'`"
SCRIPT = "minimal script (sqlite3 + the history query + json.dumps)"
PG_SCRIPT = "minimal script on PostgreSQL (psycopg2 + the same)"


@dataclass(frozen=True)
class Budget:
    """At most ``limit`` ms above the floor's median, or (``ratio``) at most ``limit`` times it."""

    label: str
    floor: str
    limit: float
    ratio: bool = False


def demo_db(target: Path | str) -> Path | str:
    """``target`` (a file, or a PostgreSQL database's URL), made to hold fixtures/demo.yaml."""
    common.run_cctx(target, "db", "init")
    common.run_cctx(target, "db", "import", str(common.ROOT / "fixtures" / "demo.yaml"))
    return target


@contextmanager
def postgres_demo(directory: Path) -> Iterator[str]:
    """A PostgreSQL server of this run's own, its database holding fixtures/demo.yaml; the database's URL."""
    import pgserver

    server = pgserver.get_server(directory / "pg", cleanup_mode="delete")
    try:
        yield str(demo_db(str(server.get_uri("postgres"))))
    finally:
        server.cleanup()


def subjects(db: Path) -> tuple[int, int]:
    """The person with the most conversations, and that person's conversation with the most items."""
    with common.read_only(db) as conn:
        row = conn.execute(
            "SELECT person_id FROM conversations WHERE person_id IS NOT NULL "
            "GROUP BY person_id ORDER BY count(*) DESC, person_id LIMIT 1"
        ).fetchone()
        if row is None:
            raise SystemExit(f"{db}: no conversation is linked to a person")
        person = int(row[0])
        conversation = conn.execute(
            "SELECT id FROM conversations WHERE person_id = ? AND status != 'merged' "
            "ORDER BY messages + notes + call_events DESC, id LIMIT 1", (person,)
        ).fetchone()[0]
    return person, int(conversation)


def groups() -> list[str]:
    """The command groups, as the root lists them."""
    import click

    from cctx.cli.root import cli

    return sorted(cli.list_commands(click.Context(cli)))


def commands(
    db: Path, person: int, conversation: int, tmp: Path, postgres: str | None
) -> tuple[dict[str, list[str]], list[Budget]]:
    """Every command timed (the floors first), and the budget of each cctx command."""
    cctx = [common.CCTX, "--db", str(db)]
    script = tmp / "minimal.py"
    script.write_text(MINIMAL_SCRIPT, encoding="utf-8")
    argv: dict[str, list[str]] = {
        BARE: [sys.executable, "-c", "import sqlite3"],
        SCRIPT: [sys.executable, str(script), str(db), str(person)],
    }
    if postgres:
        pg_script = tmp / "minimal_postgres.py"
        pg_script.write_text(MINIMAL_POSTGRES_SCRIPT, encoding="utf-8")
        argv[PG_SCRIPT] = [sys.executable, str(pg_script), postgres, str(person)]
    budgets = []
    reads = {
        "customer show": ["customer", "show", str(person)],
        "history show": ["history", "show", str(person)],
        "conversation show": ["conversation", "show", str(conversation)],
    }
    for name, args in reads.items():
        label = f"`cctx {name} -f json`"
        argv[label] = [*cctx, *args, "-f", "json"]
        budgets.append(Budget(label, SCRIPT, JSON_BUDGET_MS))
    if postgres:
        for name, args in reads.items():
            label = f"`cctx {name} -f json` on PostgreSQL"
            argv[label] = [common.CCTX, "--db", postgres, *args, "-f", "json"]
            budgets.append(Budget(label, PG_SCRIPT, POSTGRES_BUDGET_RATIO, ratio=True))
    for name, args in reads.items():
        label = f"`cctx {name}` (table)"
        argv[label] = [*cctx, *args]
        budgets.append(Budget(label, SCRIPT, TABLE_BUDGET_MS))
    for words in ([], *([g] for g in groups())):
        label = f"`cctx {' '.join([*words, '--help'])}`"
        argv[label] = [common.CCTX, *words, "--help"]
        budgets.append(Budget(label, BARE, HELP_BUDGET_MS))
    return argv, budgets


def timed_ms(argv: dict[str, list[str]], runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall times and CPU times (user + system) of each command in ms, ``runs`` rounds after two warm-up
    rounds, the commands taking turns. CPU time shows what a busy machine adds to the wall clock."""
    wall: dict[str, list[float]] = {label: [] for label in argv}
    cpu: dict[str, list[float]] = {label: [] for label in argv}
    for round_number in range(runs + 2):
        for label, command in argv.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds = common.run_command(command, env=ENV).seconds
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if round_number >= 2:
                wall[label].append(seconds * 1000)
                cpu[label].append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    return wall, cpu


def report(
    times: dict[str, list[float]], cpu: dict[str, list[float]], budgets: list[Budget], runs: int, where: str
) -> tuple[str, list[common.Target]]:
    """The table of figures, and each budget as a target: the median above its floor, at most the budget."""
    median = {label: statistics.median(t) for label, t in times.items()}
    cpu_median = {label: statistics.median(t) for label, t in cpu.items()}

    def row(label: str, above: str, budget: str) -> str:
        return (f"| {label} | {median[label]:.1f} | {min(times[label]):.1f} | {above} | {budget} | "
                f"{cpu_median[label]:.1f} |")

    lines = [
        f"{where}. Whole processes, wall clock, median and minimum of {runs} rounds after 2 warm-up rounds "
        "(the commands take turns in each round); the environment of bench/common.py. The budgets hold the "
        "median wall time above its floor; the CPU time (user + system, median) is shown beside it.",
        "",
        "| command | median ms | min ms | median above its floor | budget | CPU ms |",
        "|---|---:|---:|---:|---:|---:|",
        row(BARE, "(floor of --help)", ""),
        row(SCRIPT, "(floor of reads)", ""),
    ]
    if PG_SCRIPT in median:
        lines.append(row(PG_SCRIPT, "(floor of PostgreSQL reads)", ""))
    targets = []
    for budget in budgets:
        if budget.ratio:
            times_floor = median[budget.label] / median[budget.floor]
            lines.append(row(budget.label, f"{times_floor:.2f}×", f"{budget.limit:.1f}×"))
            targets.append(common.at_most(f"{budget.label}, times its floor", times_floor, budget.limit, "×"))
            continue
        above = median[budget.label] - median[budget.floor]
        lines.append(row(budget.label, f"{above:+.1f}", f"{budget.limit:.0f}"))
        targets.append(common.at_most(f"{budget.label} above its floor", above, budget.limit, " ms"))
    lines += ["", f"Command: `python bench/bench_startup.py --runs {runs}`."]
    return "\n".join(lines), targets


def main() -> int:
    parser = common.bench_arguments(__doc__)
    parser.add_argument("--runs", type=int, default=20, help="rounds measured (default 20)")
    parser.add_argument("--no-postgres", action="store_true", help="leave out the reads on PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cctx-startup-") as tmp, ExitStack() as stack:
        db = args.db.resolve() if args.db else Path(demo_db(Path(tmp) / "demo.db"))
        person, conversation = subjects(db)
        postgres = None if args.no_postgres or args.db else stack.enter_context(postgres_demo(Path(tmp)))
        argv, budgets = commands(db, person, conversation, Path(tmp), postgres)
        times, cpu = timed_ms(argv, args.runs)
    where = (f"Database `{db.name}`" if args.db else "A fresh database of fixtures/demo.yaml") + (
        f"; person {person}, conversation {conversation}")
    body, targets = report(times, cpu, budgets, args.runs, where)
    title = "start-up budgets"
    print(f"## {title}\n\n{body}\n", flush=True)
    common.append_results(title, body, targets, record=args.record)
    return common.verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
