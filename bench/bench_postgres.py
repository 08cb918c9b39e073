"""PostgreSQL against SQLite and against hand-written scripts with the same driver.

Starts a PostgreSQL server of its own (pgserver, from the dev extra) in bench/.cache/pg, then measures:

  - `db seed` on PostgreSQL                                   (target: under 3 minutes at 1M/10M)
  - `db copy` of the seeded SQLite file to PostgreSQL         (rows/s; target: under 5 minutes)
  - `history show` of the busiest customer, JSON, on both engines, against a minimal script running
    the same query through the same driver                    (target: at most 1.5x)
  - `history purge --older-than 365d` on PostgreSQL against hand-written batched DELETEs
                                                              (target: at most 1.3x)
  - `conversation relink` of 100,000 rows on PostgreSQL against one hand-written transaction
                                                              (target: at most 2x)

Usage: python bench/bench_postgres.py [--people N --conversations N --items N] [--only-purge | --only-history]
(default the full 200,000 / 1,000,000 / 10,000,000). Exits with MISSED_EXIT when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
CCTX = str(Path(sys.executable).parent / "cctx")
NOW = "2026-11-25T12:00:00Z"
ENV = {**os.environ, "CCTX_NOW": NOW, "CCTX_ACTOR": "bench", "CCTX_CONFIG": "", "CCTX_FORMAT": ""}

MINIMAL = {
    "sqlite": "import sqlite3, json, sys\nc = sqlite3.connect(sys.argv[1])\n"
              "rows = c.execute(sys.argv[2].format(person='?'), (1,)).fetchall()\nprint(json.dumps(rows))\n",
    "postgresql": "import psycopg2, json, sys\nc = psycopg2.connect(sys.argv[1]); cur = c.cursor()\n"
                  "cur.execute(sys.argv[2].format(person='%s'), (1,))\nprint(json.dumps(cur.fetchall()))\n",
}


def cctx(db: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([CCTX, "--db", db, *args], env=ENV, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def median_runs(commands: list[list[str]], runs: int = 15) -> list[float]:
    """The median wall time of each command, run ``runs`` times after one warm-up round, taking turns (A B
    A B ...) so that a change of load, such as autovacuum after the seed, falls on all of them alike."""
    times: list[list[float]] = [[] for _ in commands]
    for round_number in range(runs + 1):
        for command, measured in zip(commands, times, strict=True):
            started = time.perf_counter()
            subprocess.run(command, env=ENV, check=True, stdout=subprocess.DEVNULL)
            if round_number:
                measured.append(time.perf_counter() - started)
    return [statistics.median(t) for t in times]


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", default="200000")
    parser.add_argument("--conversations", default="1000000")
    parser.add_argument("--items", default="10000000")
    parser.add_argument("--only-purge", action="store_true", help="seed PostgreSQL, then only the purge figures")
    parser.add_argument("--only-history", action="store_true",
                        help="seed PostgreSQL (and SQLite unless bench/.cache/engines.db is there), then only the "
                             "history figures")
    size = parser.parse_args()
    lite = CACHE / "engines.db"
    seed_args = ("--people", size.people, "--conversations", size.conversations, "--items", size.items)

    import pgserver
    import psycopg2

    CACHE.mkdir(exist_ok=True)
    shutil.rmtree(CACHE / "pg", ignore_errors=True)
    server = pgserver.get_server(CACHE / "pg", cleanup_mode="delete")
    admin = psycopg2.connect(server.get_uri("postgres"))
    admin.autocommit = True

    def new_database(name: str) -> str:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name}")
            cur.execute(f"CREATE DATABASE {name}")
        url = str(server.get_uri(name))
        cctx(url, "db", "init")
        return url

    missed = False
    try:
        if not size.only_purge and not (size.only_history and lite.exists()):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{lite}{suffix}").unlink(missing_ok=True)
            cctx(str(lite), "db", "init")
            t_lite_seed = cctx(str(lite), "db", "seed", *seed_args)
            print(f"db seed, SQLite:      {t_lite_seed:7.1f} s")

        pg_seeded = new_database("seeded")
        t_pg_seed = cctx(pg_seeded, "db", "seed", *seed_args)
        print(f"db seed, PostgreSQL:  {t_pg_seed:7.1f} s   target < 180 s: {verdict(t_pg_seed < 180)}")
        missed |= t_pg_seed >= 180

        if not size.only_purge and not size.only_history:
            pg_copied = new_database("copied")
            t_copy = cctx(str(lite), "db", "copy", "--to", pg_copied)
            rows = sum(int(x) for x in (size.people, size.conversations, size.items))
            print(f"db copy SQLite -> PostgreSQL: {t_copy:7.1f} s, {rows / t_copy:,.0f} rows/s (people, "
                  f"conversations and items; destinations, participants and audit besides)   "
                  f"target < 300 s: {verdict(t_copy < 300)}")
            missed |= t_copy >= 300

        if not size.only_purge:
            for engine, db in (("sqlite", str(lite)), ("postgresql", pg_seeded)):
                ours, minimal = median_runs([[CCTX, "--db", db, "history", "show", "1", "-f", "json"],
                                             [sys.executable, "-c", MINIMAL[engine], db, common.HISTORY_SQL]])
                ratio = ours / minimal
                print(f"history show 1 -f json, {engine:10}: {ours * 1000:6.1f} ms, minimal script "
                      f"{minimal * 1000:6.1f} ms, ratio {ratio:4.2f}   target <= 1.5: {verdict(ratio <= 1.5)}")
                missed |= ratio > 1.5

        if size.only_history:
            return common.MISSED_EXIT if missed else 0
        with admin.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS purge_ours")
            cur.execute("CREATE DATABASE purge_ours TEMPLATE seeded")
            cur.execute("DROP DATABASE IF EXISTS purge_hand")
            cur.execute("CREATE DATABASE purge_hand TEMPLATE seeded")
        t_ours = cctx(str(server.get_uri("purge_ours")), "history", "purge", "--older-than", "365d",
                      "--batch-size", "1000")
        t_hand = hand_written_purge(str(server.get_uri("purge_hand")))
        ratio = t_ours / t_hand
        print(f"history purge --older-than 365d, PostgreSQL: {t_ours:6.1f} s, hand-written batched DELETE "
              f"{t_hand:6.1f} s, ratio {ratio:4.2f}   target <= 1.3: {verdict(ratio <= 1.3)}")
        missed |= ratio > 1.3
        longest, slowest_link, links = purge_with_an_admin_linking(admin, server)
        print(f"the same purge while an admin links conversations: longest batch {longest:.0f} ms "
              f"(target < 250: {verdict(longest < 250)}); {links} links, slowest {slowest_link:.2f} s "
              f"(target < 1 s: {verdict(slowest_link < 1)})")
        missed |= longest >= 250 or slowest_link >= 1

        if not size.only_purge:
            relink_file = CACHE / "relink-100k.csv"
            seeded = psycopg2.connect(server.get_uri("seeded"))
            with seeded.cursor() as cur:  # live conversations only: a tombstone cannot be relinked
                cur.execute("SELECT id FROM conversations WHERE status <> 'merged' ORDER BY id LIMIT 100000")
                live = [r[0] for r in cur.fetchall()]
            seeded.close()
            n = len(live)
            relink_file.write_text(
                "conversation,customer\n" + "".join(f"{i},{(i % 1000) + 1}\n" for i in live), encoding="utf-8"
            )
            with admin.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS relink_ours")
                cur.execute("CREATE DATABASE relink_ours TEMPLATE seeded")
            t_ours = cctx(str(server.get_uri("relink_ours")), "conversation", "relink", str(relink_file))
            t_hand = hand_written_relink(str(server.get_uri("seeded")), live)
            ratio = t_ours / t_hand
            print(f"relink of {n:,} rows, PostgreSQL: {t_ours:6.1f} s, one hand-written transaction {t_hand:6.1f} s, "
                  f"ratio {ratio:4.2f}   target <= 2: {verdict(ratio <= 2)}")
            missed |= ratio > 2
    finally:
        admin.close()
        server.cleanup()
    return common.MISSED_EXIT if missed else 0


def purge_with_an_admin_linking(admin: Any, server: Any) -> tuple[float, float, int]:
    """(longest batch in ms as the purge reports it, slowest `conversation link` in s, links made) for the
    purge of a fresh copy while `conversation link` runs one after another on open conversations."""
    import psycopg2

    with admin.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS purge_busy")
        cur.execute("CREATE DATABASE purge_busy TEMPLATE seeded")
    url = str(server.get_uri("purge_busy"))
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:  # open, unlinked conversations: each link changes something, none is purged
        cur.execute("SELECT id FROM conversations WHERE status = 'open' AND person_id IS NULL "
                    "AND unlinked_explicitly = 0 ORDER BY id LIMIT 200")
        targets = [r[0] for r in cur.fetchall()]
    conn.close()
    purge = subprocess.Popen(
        [CCTX, "--db", url, "history", "purge", "--older-than", "365d", "--batch-size", "1000", "-f", "json"],
        env=ENV, stdout=subprocess.PIPE, text=True,
    )
    times: list[float] = []
    for conversation in targets:
        if purge.poll() is not None:
            break
        times.append(cctx(url, "conversation", "link", str(conversation), "1"))
    out, _ = purge.communicate()
    return float(json.loads(out)["longest_batch_ms"]), max(times, default=0.0), len(times)


def hand_written_purge(url: str) -> float:
    """Closed conversations and tombstones older than 365 days, deleted 1,000 at a time, items first."""
    import psycopg2

    started = time.perf_counter()
    conn = psycopg2.connect(url)
    cur = conn.cursor()
    horizon = "2025-11-25T12:00:00Z"
    while True:
        cur.execute(
            "SELECT id FROM conversations WHERE expires_from < %s AND status IN ('closed', 'merged') "
            "ORDER BY id LIMIT 1000", (horizon,))
        ids = [r[0] for r in cur.fetchall()]
        if not ids:
            break
        cur.execute("SELECT id FROM conversations WHERE merged_into = ANY(%s)", (ids,))
        ids += [r[0] for r in cur.fetchall()]
        cur.execute("DELETE FROM items WHERE conversation_id = ANY(%s)", (ids,))
        cur.execute("DELETE FROM participants WHERE conversation_id = ANY(%s)", (ids,))
        cur.execute("UPDATE conversations SET merged_into = NULL WHERE id = ANY(%s)", (ids,))
        cur.execute("DELETE FROM conversations WHERE id = ANY(%s)", (ids,))
        conn.commit()
    conn.close()
    return time.perf_counter() - started


def hand_written_relink(url: str, ids: list[int]) -> float:
    """The same links as the relink file, one UPDATE per row in one transaction, rolled back."""
    import psycopg2
    import psycopg2.extras

    started = time.perf_counter()
    conn = psycopg2.connect(url)
    cur = conn.cursor()
    psycopg2.extras.execute_batch(
        cur, "UPDATE conversations SET person_id = %s, unlinked_explicitly = 0 WHERE id = %s",
        [((i % 1000) + 1, i) for i in ids], page_size=1000,
    )
    conn.rollback()
    conn.close()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
