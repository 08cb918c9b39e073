"""Benchmark `cctx history show` for a customer with ~200 conversations, as a whole process.

Compares, on the same file and as median wall time of repeated runs:
  - `python -c "import sqlite3"`       (the floor: interpreter start-up)
  - `sqlite-utils query DB "<SQL>"`     (the same history as hand-written SQL, JSON out)
  - `cctx --db DB history show ID -f json`
prints EXPLAIN QUERY PLAN of the query cctx runs, and appends the figures to bench/RESULTS.md.

Usage:
    python bench/bench_history.py                 # the seeded database of bench/common.py (1M conversations)
    python bench/bench_history.py --db PATH       # any cctx database
    python bench/bench_history.py --small         # build (once) a smaller synthetic database in bench/.cache
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench import common  # noqa: E402

BIN = common.bin_dir()
SMALL_DB = BENCH / ".cache" / "history-small.db"
TARGET_CONVERSATIONS = 200

def build_small_db(path: Path, conversations: int = 100_000, items_per: int = 10) -> Path:
    """A synthetic cctx database (schema from `cctx db init`): one person with 200 conversations, the
    rest spread over 20,000 people and unknown contacts. Built once and kept (and upgraded by `db init`
    when the schema has changed since)."""
    if path.exists():
        common.run_cctx(path, "db", "init")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    common.remove_db(tmp)
    common.run_cctx(tmp, "db", "init")
    rng = random.Random(6)
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    channels = ["whatsapp", "sms", "voice", "email", "telegram", "livechat", "messenger", "facebook_posts"]
    dest = {"whatsapp": "phone", "sms": "phone", "voice": "phone", "email": "email", "telegram": "telegram",
            "livechat": "livechat", "messenger": "messenger", "facebook_posts": "messenger"}
    people = 20_000
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        conn.executemany("INSERT INTO queues (id, name) VALUES (?, ?)", [(i, f"q{i}") for i in range(1, 11)])
        conn.executemany("INSERT INTO agents (id, name) VALUES (?, ?)", [(i, f"agent{i}") for i in range(1, 51)])
        conn.executemany("INSERT INTO agent_queues VALUES (?, ?)", [(a, 1 + a % 10) for a in range(1, 51)])
        conn.executemany(
            "INSERT INTO people (id, first_name, last_name, attributes, created_at, updated_at) "
            "VALUES (?, ?, ?, '{}', ?, ?)",
            [(p, f"First{p}", f"Last{p}", "2023-01-01T00:00:00Z", "2023-01-01T00:00:00Z")
             for p in range(1, people + 1)],
        )
        conn.executemany("INSERT INTO destinations (person_id, type, value) VALUES (?, 'phone', ?)",
                         [(p, f"+3859{p:08d}") for p in range(1, people + 1)])
        conv_rows, item_rows, part_rows = [], [], []
        for cid in range(1, conversations + 1):
            person = 1 if cid % (conversations // TARGET_CONVERSATIONS) == 0 else rng.choice([None, *range(2, people)])
            channel = rng.choice(channels)
            start = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
            status = rng.choice(["open", "waiting", "solved", "closed", "closed", "closed"])
            n = rng.randrange(2 * items_per)
            kind = "call_event" if channel == "voice" else "message"
            ats = [start + timedelta(minutes=k) for k in range(n)]
            closed = (ats[-1] if ats else start) + timedelta(minutes=5) if status == "closed" else None
            contact = f"+3859{person or rng.randrange(10**8):08d}"
            fmt = "%Y-%m-%dT%H:%M:%SZ"
            conv_rows.append((
                cid, channel, dest[channel], contact, person, 0, rng.choice([None, *range(1, 11)]), status,
                f"First{person} Last{person}" if person else contact, start.strftime(fmt),
                closed.strftime(fmt) if closed else None, n if kind == "message" else 0, 0,
                n if kind == "call_event" else 0, (ats[-1] if ats else start).strftime(fmt),
            ))
            item_rows.extend((cid, a.strftime(fmt), kind, "customer" if kind == "message" else None,
                              "hello" if kind == "message" else None, None if kind == "message" else "started")
                             for a in ats)
            part_rows.append((cid, 1 + cid % 50))
        conn.executemany(
            "INSERT INTO conversations (id, channel, contact_type, contact, person_id, unlinked_explicitly, "
            "queue_id, status, display_name, created_at, closed_at, messages, notes, call_events, "
            "last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", conv_rows)
        conn.executemany("INSERT INTO items (conversation_id, at, kind, author, text, event) "
                         "VALUES (?, ?, ?, ?, ?, ?)", item_rows)
        conn.executemany("INSERT INTO participants VALUES (?, ?)", part_rows)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.rename(path)
    return path


def pick_person(db: Path) -> tuple[int, int]:
    """The person whose history size is nearest to 200 conversations: (id, conversations)."""
    with common.read_only(db) as conn:
        row = conn.execute(
            "SELECT person_id, count(*) AS n FROM conversations WHERE person_id IS NOT NULL "
            "GROUP BY person_id ORDER BY abs(count(*) - ?) LIMIT 1", (TARGET_CONVERSATIONS,)
        ).fetchone()
    if row is None:
        raise SystemExit(f"{db}: no conversation is linked to a person")
    return int(row[0]), int(row[1])


def database_facts(db: Path) -> dict[str, int]:
    with common.read_only(db) as conn:
        facts = {t: conn.execute(f"SELECT max(rowid) FROM {t}").fetchone()[0] or 0
                 for t in ("people", "conversations", "items")}
    facts["bytes"] = db.stat().st_size
    return facts


def timed_ms(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median and minimum wall time of each command, in ms, over ``runs`` rounds after two warm-up rounds.

    The commands take turns within each round, so a change of load on the machine falls on all alike.
    """
    times: dict[str, list[float]] = {label: [] for label in commands}
    for round_number in range(runs + 2):
        for label, argv in commands.items():
            seconds = common.run_command(argv).seconds
            if round_number >= 2:
                times[label].append(seconds * 1000)
    return {label: (statistics.median(t), min(t)) for label, t in times.items()}


def some_agent(db: Path) -> tuple[str, int]:
    """The agent with the most queue rights: (name, agent id)."""
    with common.read_only(db) as conn:
        row = conn.execute(
            "SELECT a.name, a.id FROM agents a LEFT JOIN agent_queues aq ON aq.agent_id = a.id "
            "GROUP BY a.id ORDER BY count(aq.queue_id) DESC, a.name LIMIT 1"
        ).fetchone()
    if row is None:
        raise SystemExit(f"{db}: no agents")
    return str(row[0]), int(row[1])


def query_plan(db: Path, person: int, agent_id: int | None = None) -> list[str]:
    """EXPLAIN QUERY PLAN of the SQL cctx builds for this history (the repository's own builder)."""
    from cctx.store import Store
    from cctx.store.history import HistoryQuery

    store = Store.open(db, 5000)
    try:
        return store.history.plan(HistoryQuery(person_id=person, agent_id=agent_id))
    finally:
        store.close()


def main() -> int:
    parser = common.bench_arguments(__doc__)
    parser.add_argument("--small", action="store_true", help=f"use (and build once) {SMALL_DB.name}")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    db = (args.db or (build_small_db(SMALL_DB) if args.small else common.seeded_db())).resolve()
    person, count = pick_person(db)
    facts = database_facts(db)
    shown = len(json.loads(common.run_cctx(db, "history", "show", str(person), "-f", "json").stdout))
    agent, agent_id = some_agent(db)
    seen = len(json.loads(common.run_cctx(db, "history", "show", str(person), "--as-agent", agent,
                                          "-f", "json").stdout))
    hand_sql = common.HISTORY_SQL.format(person=person)
    commands = {
        "`python -c 'import sqlite3'`": [sys.executable, "-c", "import sqlite3"],
        "`sqlite-utils query` (hand-written SQL)": [str(BIN / "sqlite-utils"), "query", str(db), hand_sql],
        "`cctx history show -f json`": [common.CCTX, "--db", str(db), "history", "show", str(person), "-f", "json"],
        f"`cctx history show --as-agent {agent} -f json` ({seen} shown)": [
            common.CCTX, "--db", str(db), "history", "show", str(person), "--as-agent", agent, "-f", "json"],
    }
    figures = timed_ms(commands, args.runs)
    plan = query_plan(db, person)
    agent_plan = query_plan(db, person, agent_id)
    cctx_ms, utils_ms = figures["`cctx history show -f json`"][0], figures[
        "`sqlite-utils query` (hand-written SQL)"][0]

    body = "\n".join([
        f"Database `{db.name}`: {facts['people']:,} people, {facts['conversations']:,} conversations, "
        f"{facts['items']:,} items, {facts['bytes'] / 1e6:,.0f} MB. Person {person}: {count} linked "
        f"conversations, {shown} in history (posts and tombstones left out). Whole processes, wall clock, "
        f"median and minimum of {args.runs} rounds after 2 warm-up rounds (the commands take turns in each "
        "round); the environment of bench/common.py.",
        "",
        "| command | median ms | min ms |",
        "|---|---:|---:|",
        *(f"| {label} | {med:.1f} | {low:.1f} |" for label, (med, low) in figures.items()),
        f"| **cctx / sqlite-utils** | **{cctx_ms / utils_ms:.2f}x** (target: below 1) | |",
        "",
        "Commands (`python bench/bench_history.py`):",
        "",
        "```",
        f"{sys.executable} -c 'import sqlite3'",
        f"{BIN / 'sqlite-utils'} query {db} \"{hand_sql}\"",
        f"CCTX_NOW={common.SEED_NOW} {common.CCTX} --db {db} history show {person} -f json",
        "```",
        "",
        "EXPLAIN QUERY PLAN of the SQL cctx builds:",
        "",
        "```",
        *plan,
        "```",
        "",
        f"and with `--as-agent {agent}`:",
        "",
        "```",
        *agent_plan,
        "```",
    ])
    title = f"history show: a customer with {count} conversations"
    print(f"## {title}\n\n{body}")
    targets = [common.below("cctx / sqlite-utils (median)", cctx_ms / utils_ms, 1, "x")]
    common.append_results(title, body, targets, record=args.record)
    return common.verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
