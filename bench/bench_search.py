"""Benchmark `cctx conversation search` on the seeded database (1M conversations, 10M items), as whole processes.

Works on a copy of the seeded database of bench/common.py into which a small fixture adds a rare word
(12 conversations hold it). For a rare word, a common word (in about one item of six) and two common
words together, compares as median wall time of repeated runs (the commands take turns in each round):
  - `sqlite-utils query DB "<SQL>"`: a hand-written FTS5 query through the same engine (the best 20
    matching items by bm25 with their snippets), JSON out
  - `cctx --db DB conversation search WORDS -f json` (the best 20 conversations, with history rules)
and prints EXPLAIN QUERY PLAN of the SQL cctx runs.

Usage:
    python bench/bench_search.py                # the seeded database of bench/common.py (built if missing)
    python bench/bench_search.py --db PATH      # a copy of any cctx database
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench import common  # noqa: E402

BIN = common.bin_dir()
COPY = BENCH / ".cache" / "search-bench.db"
RARE, COMMON, PAIR = "zanzibar", "the", "invoice wrong"

# The hand-written query: FTS5 finds the items, bm25 ranks them, snippet() marks the words.
HAND_SQL = (
    "SELECT i.conversation_id, f.snippet FROM (SELECT rowid, snippet(items_fts, 0, '[', ']', '…', 20) AS snippet "
    "FROM items_fts WHERE items_fts MATCH '{match}' ORDER BY rank LIMIT 20) f JOIN items i ON i.id = f.rowid"
)


def rare_fixture() -> str:
    """12 conversations whose messages hold the rare word, once in an accented spelling."""
    conversations = []
    for n in range(12):
        word = "Zanzíbar" if n == 0 else "zanzibar"
        conversations.append(
            f"  - {{id: {5_000_001 + n}, channel: whatsapp, contact: \"+3859900{n:05d}\", "
            f"created_at: 2026-11-{1 + n:02d}T09:00:00Z, items: [{{at: 2026-11-{1 + n:02d}T09:00:00Z, "
            f"kind: message, author: customer, text: \"Is there roaming in {word} this winter?\"}}]}}"
        )
    return "conversations:\n" + "\n".join(conversations) + "\n"


def prepare(source: Path) -> Path:
    """A copy of ``source`` with the rare word added through `cctx db import`."""
    COPY.parent.mkdir(parents=True, exist_ok=True)
    common.copy_db(source, COPY)
    fixture = COPY.with_suffix(".yaml")
    fixture.write_text(rare_fixture(), encoding="utf-8")
    common.run_cctx(COPY, "db", "import", str(fixture))
    return COPY


def timed_ms(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command in ms over ``runs`` rounds after one warm-up round."""
    times: dict[str, list[float]] = {label: [] for label in commands}
    for round_number in range(runs + 1):
        for label, argv in commands.items():
            seconds = common.run_command(argv).seconds
            if round_number:
                times[label].append(seconds * 1000)
    return {label: statistics.median(t) for label, t in times.items()}


def query_plan(db: Path, text: str) -> list[str]:
    """EXPLAIN QUERY PLAN of the SQL cctx builds for this search (the repository's own builder)."""
    from cctx.search_fold import search_words
    from cctx.store import Store
    from cctx.store.history import HistoryQuery

    store = Store.open(db, 5000)
    try:
        sql, params = store.search.hits_sql(search_words(text), HistoryQuery(limit=20))
        return store.engine.query_plan(store.conn, sql, params)
    finally:
        store.close()


def main() -> int:
    parser = common.bench_arguments(__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    db = prepare((args.db or common.seeded_db()).resolve())
    try:
        rows: list[str] = []
        ratios: dict[str, float] = {}
        for label, text in (("rare word", RARE), ("common word", COMMON), ("two common words", PAIR)):
            found = len(json.loads(common.run_cctx(db, "conversation", "search", text, "-f", "json").stdout))
            with common.read_only(db) as conn:
                match = " ".join(f'"{w}"' for w in text.split())
                items = conn.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (match,)).fetchone()[0]
            hand = HAND_SQL.format(match=match)
            commands = {
                "hand": [str(BIN / "sqlite-utils"), "query", str(db), hand],
                "cctx": [common.CCTX, "--db", str(db), "conversation", "search", text, "-f", "json"],
            }
            figures = timed_ms(commands, args.runs)
            ratios[label] = figures["cctx"] / figures["hand"]
            rows.append(
                f"| {label}: `{text}` ({items:,} items hold every word; {found} shown) | {figures['hand']:,.0f} | "
                f"{figures['cctx']:,.0f} | {ratios[label]:.2f}x |"
            )
        with common.read_only(db) as conn:
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("conversations", "items")}
        body = "\n".join([
            f"Database: a copy of `{(args.db or common.SEED_DB).name}` ({counts['conversations']:,} conversations, "
            f"{counts['items']:,} items, {common.file_size_mb(db):,.0f} MB) with 12 conversations holding the rare "
            f"word. Whole processes, wall clock, median of {args.runs} rounds after a warm-up round (the two "
            "commands take turns); the environment of bench/common.py.",
            "",
            "| search | hand-written FTS5 query, ms | cctx conversation search, ms | ratio |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            "Commands (`python bench/bench_search.py`):",
            "",
            "```",
            f"{BIN / 'sqlite-utils'} query {db} \"{HAND_SQL.format(match=chr(34) + RARE + chr(34))}\"",
            f"CCTX_NOW={common.SEED_NOW} {common.CCTX} --db {db} conversation search {RARE} -f json",
            "```",
            "",
            f"EXPLAIN QUERY PLAN of the SQL cctx builds for `{PAIR}`:",
            "",
            "```",
            *query_plan(db, PAIR),
            "```",
        ])
    finally:
        common.remove_db(db)
        db.with_suffix(".yaml").unlink(missing_ok=True)
    title = "conversation search: a rare and a common word"
    print(f"## {title}\n\n{body}")
    targets = [common.below("rare word, cctx / hand-written (median)", ratios["rare word"], 3, "x")]
    common.append_results(title, body, targets, record=args.record)
    return common.verdict(targets)


if __name__ == "__main__":
    sys.exit(main())
