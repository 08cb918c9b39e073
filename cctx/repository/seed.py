"""Bulk loading for `db seed`: one long transaction, secondary indexes rebuilt after the load.

The service plans people and conversations in Python and hands them over as rows; the items (tens of
millions) are generated here, inside SQLite, from each conversation's plan row by ``INSERT ... SELECT``
over a number series. The item layout is fixed (see ``ITEMS_SQL``) and ``seed_item_counts`` gives the
same counts in closed form, so the stored counters agree with the items without a second pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from cctx.repository.base import placeholders
from cctx.repository.engine import Connection
from cctx.repository.locks import truncate_wal

# Tables whose secondary indexes are dropped before the load and recreated after it.
LOADED_TABLES = ("people", "destinations", "tags", "conversations", "participants", "items")
TS = "'%Y-%m-%dT%H:%M:%SZ'"

# Kind codes of a plan row.
MESSAGING_KIND, CALL_KIND = 0, 1
# Phrase ids: customer messages, agent messages and notes each take PHRASES consecutive ids.
PHRASES = 16

PLAN_COLUMNS = (
    "cid", "channel", "contact_type", "contact", "person_id", "unlinked", "queue_id", "status",
    "display_name", "t0", "closed", "messages", "notes", "call_events", "last", "n", "step", "call",
    "m", "o", "rec", "a_id", "a_name", "b_id", "b_name", "merged_into", "merged",
)

_PLAN_TABLE = """
CREATE TEMP TABLE seed_plan (
    cid INTEGER PRIMARY KEY, channel TEXT, contact_type TEXT, contact TEXT, person_id INTEGER,
    unlinked INTEGER, queue_id INTEGER, status TEXT, display_name TEXT, t0 INTEGER, closed INTEGER,
    messages INTEGER, notes INTEGER, call_events INTEGER, last INTEGER, n INTEGER, step INTEGER,
    call INTEGER, m INTEGER, o INTEGER, rec INTEGER, a_id INTEGER, a_name TEXT, b_id INTEGER, b_name TEXT,
    merged_into INTEGER, merged INTEGER
)"""

# Item k (0-based) of conversation p, for k < p.n:
#   at     t0 + k*step + (cid*7919 + k*104729) % step     (time-ordered: each lies in [t0+k*step, t0+(k+1)*step))
#   call   k=0 started, k=n-1 ended, k=1 answered, k=2 recording when rec; every other item a note
#   else   a note when k>0 and (k+o) % m = 0, else a message: the customer's on even k, an agent's on odd k
#   agent  b on every other pair of items when the conversation has a second agent, else a
_AT = "p.t0 + s.k * p.step + (p.cid * 7919 + s.k * 104729) % p.step"
_EVENT = (
    "CASE WHEN s.k = 0 THEN 'started' WHEN s.k = p.n - 1 THEN 'ended' WHEN s.k = 1 THEN 'answered' "
    "WHEN s.k = 2 AND p.rec THEN 'recording' END"
)
_NOTE = "(s.k > 0 AND (s.k + p.o) % p.m = 0)"
_AGENT = "CASE WHEN p.b_name IS NOT NULL AND (s.k / 2) % 2 = 1 THEN p.b_name ELSE p.a_name END"
_PHRASE = f"(p.cid * 31 + s.k * 17) % {PHRASES}"
ITEMS_SQL = f"""
INSERT INTO items (conversation_id, at, kind, author, text, event, recording)
SELECT cid, strftime({TS}, at, 'unixepoch'), kind, author,
       CASE kind WHEN 'call_event' THEN NULL
                 ELSE (SELECT text FROM temp.seed_phrases WHERE id = phrase) END,
       event, CASE event WHEN 'recording' THEN printf('rec-%08d.wav', cid) END
FROM (
    SELECT p.cid AS cid, s.k AS k, {_AT} AS at,
           CASE WHEN p.call = {CALL_KIND} AND {_EVENT} IS NOT NULL THEN 'call_event'
                WHEN p.call = {CALL_KIND} OR {_NOTE} THEN 'note' ELSE 'message' END AS kind,
           CASE WHEN p.call = {CALL_KIND} THEN
                     CASE WHEN {_EVENT} IS NULL OR {_EVENT} = 'answered' THEN {_AGENT} END
                WHEN {_NOTE} OR s.k % 2 = 1 THEN {_AGENT} ELSE 'customer' END AS author,
           CASE WHEN p.call = {CALL_KIND} THEN {_EVENT} END AS event,
           CASE WHEN p.call = {CALL_KIND} THEN 2 * {PHRASES}
                WHEN {_NOTE} THEN 2 * {PHRASES} WHEN s.k % 2 = 1 THEN {PHRASES} ELSE 0 END + {_PHRASE} AS phrase
    FROM temp.seed_plan p JOIN temp.seed_series s ON s.k < p.n
    WHERE p.cid BETWEEN ? AND ?
)
ORDER BY cid, k"""


def seed_item_at(cid: int, t0: int, step: int, k: int) -> int:
    """Epoch second of item ``k``, as ``ITEMS_SQL`` computes it."""
    return t0 + k * step + (cid * 7919 + k * 104729) % step


def seed_item_counts(call: bool, n: int, m: int, o: int, rec: bool) -> tuple[int, int, int]:
    """(messages, notes, call_events) of a conversation of ``n`` items, as ``ITEMS_SQL`` lays them out."""
    if call:
        events = min(n, 3) + (1 if rec and n >= 4 else 0)
        return 0, n - events, events
    # notes: k in [1, n-1] with k = -o (mod m)
    first = (-o) % m or m
    notes = 0 if first > n - 1 else (n - 1 - first) // m + 1
    return n - notes, notes, 0


class SeedRepository:
    conn: Connection

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[None]: ...

    def seed_target_counts(self) -> dict[str, int]:
        """What would collide with seeded rows: people, conversations, agents, queues."""
        return {
            t: int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("people", "conversations", "agents", "queues")
        }

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """One transaction tuned for loading a fresh file; the connection's settings come back after.

        The journal stays WAL: a journal mode is written into the file, so a seed killed while it had
        switched to another one left the file in that mode for every later command. Only connection
        settings change here, and they end with the connection. After the commit, the WAL (as large as
        what was loaded) is copied into the file and truncated.
        """
        conn = self.conn
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA threads = 2")
        conn.execute("PRAGMA foreign_keys = OFF")  # rows are consistent by construction; tests check it
        try:
            with self.transaction():
                yield
        finally:
            conn.execute("DROP TABLE IF EXISTS temp.seed_plan")
            conn.execute("DROP TABLE IF EXISTS temp.seed_series")
            conn.execute("DROP TABLE IF EXISTS temp.seed_phrases")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA cache_size = -2000")
            conn.execute("PRAGMA temp_store = DEFAULT")
        truncate_wal(conn)

    def drop_secondary_indexes(self) -> list[str]:
        """Drop the secondary indexes of the loaded tables; return their CREATE statements, in order."""
        marks = placeholders(LOADED_TABLES)
        rows = self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY rowid",
            LOADED_TABLES,
        ).fetchall()
        for name, _ in rows:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in rows]

    def create_indexes(self, statements: Iterable[str]) -> None:
        """Re-run CREATE INDEX statements read from sqlite_master by ``drop_secondary_indexes``."""
        for sql in statements:
            self.conn.execute(sql)

    def insert_seed_people(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of (id, first_name, last_name, gender, city, country, attributes, created_at, updated_at)."""
        self.conn.executemany(
            "INSERT INTO people (id, first_name, last_name, gender, city, country, attributes, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def insert_seed_destinations(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of (person_id, type, value), in order of addition."""
        self.conn.executemany("INSERT INTO destinations (person_id, type, value) VALUES (?, ?, ?)", rows)

    def insert_seed_tags(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of (person_id, tag)."""
        self.conn.executemany("INSERT INTO tags (person_id, tag) VALUES (?, ?)", rows)

    def insert_seed_plan(self, rows: Iterable[Sequence[Any]], phrases: Sequence[str]) -> None:
        """The conversation plan (rows in PLAN_COLUMNS order) and the phrases item texts come from."""
        self.conn.execute(_PLAN_TABLE)
        marks = placeholders(PLAN_COLUMNS)
        self.conn.executemany(f"INSERT INTO temp.seed_plan VALUES ({marks})", rows)
        self.conn.execute("CREATE TEMP TABLE seed_phrases (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        self.conn.executemany("INSERT INTO temp.seed_phrases VALUES (?, ?)", enumerate(phrases))
        self.conn.execute("CREATE TEMP TABLE seed_series (k INTEGER PRIMARY KEY)")
        self.conn.execute(
            "INSERT INTO temp.seed_series WITH RECURSIVE r(k) AS "
            "(SELECT 0 UNION ALL SELECT k + 1 FROM r WHERE k + 1 < (SELECT max(n) FROM temp.seed_plan)) "
            "SELECT k FROM r"
        )

    def insert_seed_conversations(self) -> int:
        """Conversations and their listed agents from the plan; return how many."""
        cur = self.conn.execute(
            "INSERT INTO conversations (id, channel, contact_type, contact, person_id, unlinked_explicitly, "
            "queue_id, status, display_name, created_at, closed_at, messages, notes, call_events, "
            "last_activity_at, merged_into, merged_at) SELECT cid, channel, contact_type, contact, person_id, "
            f"unlinked, queue_id, status, display_name, strftime({TS}, t0, 'unixepoch'), "
            f"strftime({TS}, closed, 'unixepoch'), messages, notes, call_events, strftime({TS}, last, 'unixepoch'), "
            f"merged_into, strftime({TS}, merged, 'unixepoch') FROM temp.seed_plan ORDER BY cid"
        )
        self.conn.execute(
            "INSERT INTO participants (conversation_id, agent_id) "
            "SELECT cid, a_id FROM temp.seed_plan UNION ALL "
            "SELECT cid, b_id FROM temp.seed_plan WHERE b_id IS NOT NULL ORDER BY 1, 2"
        )
        return cur.rowcount

    def insert_seed_items(self, first_cid: int, last_cid: int) -> int:
        """Generate the items of the planned conversations ``first_cid..last_cid``; return how many."""
        return self.conn.execute(ITEMS_SQL, (first_cid, last_cid)).rowcount
