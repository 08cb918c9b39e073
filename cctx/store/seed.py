"""Bulk loading for `db seed`: one long transaction, secondary indexes rebuilt after the load.

The service plans people and conversations in Python and hands them over as rows; the items (tens of
millions) are generated here, inside SQLite, from each conversation's plan row by ``INSERT ... SELECT``
over a number series. The item layout is fixed (see ``items_sql``) and ``seed_item_counts`` gives the
same counts in closed form, so the stored counters agree with the items without a second pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from cctx.store.base import AggregateStore
from cctx.store.engine import Engine
from cctx.store.transfer import TransferStore

# Tables whose secondary indexes are dropped before the load and recreated after it.
LOADED_TABLES = ("people", "destinations", "tags", "conversations", "participants", "items")

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
    cid BIGINT PRIMARY KEY, channel TEXT, contact_type TEXT, contact TEXT, person_id BIGINT,
    unlinked BIGINT, queue_id BIGINT, status TEXT, display_name TEXT, t0 BIGINT, closed BIGINT,
    messages BIGINT, notes BIGINT, call_events BIGINT, last BIGINT, n BIGINT, step BIGINT,
    call BIGINT, m BIGINT, o BIGINT, rec BIGINT, a_id BIGINT, a_name TEXT, b_id BIGINT, b_name TEXT,
    merged_into BIGINT, merged BIGINT
)"""

# Item k (0-based) of conversation p, for k < p.n:
#   at     t0 + k*step + (cid*7919 + k*104729) % step     (time-ordered: each lies in [t0+k*step, t0+(k+1)*step))
#   call   k=0 started, k=n-1 ended, k=1 answered, k=2 recording when rec; every other item a note
#   else   a note when k>0 and (k+o) % m = 0, else a message: the customer's on even k, an agent's on odd k
#   agent  b on every other pair of items when the conversation has a second agent, else a
_AT = "p.t0 + s.k * p.step + (p.cid * 7919 + s.k * 104729) % p.step"
_EVENT = (
    "CASE WHEN s.k = 0 THEN 'started' WHEN s.k = p.n - 1 THEN 'ended' WHEN s.k = 1 THEN 'answered' "
    "WHEN s.k = 2 AND p.rec = 1 THEN 'recording' END"
)
_NOTE = "(s.k > 0 AND (s.k + p.o) % p.m = 0)"
_AGENT = "CASE WHEN p.b_name IS NOT NULL AND (s.k / 2) % 2 = 1 THEN p.b_name ELSE p.a_name END"
_PHRASE = f"(p.cid * 31 + s.k * 17) % {PHRASES}"


def items_sql(engine: Engine) -> str:
    """The INSERT ... SELECT that generates the items of the planned conversations between two ids."""
    return f"""
INSERT INTO items (conversation_id, at, kind, author, text, event, recording, folded)
SELECT cid, {engine.epoch_text("at")}, kind, author,
       CASE kind WHEN 'call_event' THEN NULL
                 ELSE (SELECT text FROM seed_phrases WHERE id = phrase) END,
       event, CASE event WHEN 'recording' THEN 'rec-' || {engine.zero_padded("cid", 8)} || '.wav' END,
       CASE kind WHEN 'call_event' THEN NULL
                 ELSE (SELECT folded FROM seed_phrases WHERE id = phrase) END
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
    FROM seed_plan p JOIN seed_series s ON s.k < p.n
    WHERE p.cid BETWEEN ? AND ?
) AS planned
ORDER BY cid, k"""


def seed_item_at(cid: int, t0: int, step: int, k: int) -> int:
    """Epoch second of item ``k``, as ``items_sql`` computes it."""
    return t0 + k * step + (cid * 7919 + k * 104729) % step


def seed_item_counts(call: bool, n: int, m: int, o: int, rec: bool) -> tuple[int, int, int]:
    """(messages, notes, call_events) of a conversation of ``n`` items, as ``items_sql`` lays them out."""
    if call:
        events = min(n, 3) + (1 if rec and n >= 4 else 0)
        return 0, n - events, events
    # notes: k in [1, n-1] with k = -o (mod m)
    first = (-o) % m or m
    notes = 0 if first > n - 1 else (n - 1 - first) // m + 1
    return n - notes, notes, 0


class SeedStore(AggregateStore):
    """Bulk loads of a generated world."""

    def seed_target_counts(self) -> dict[str, int]:
        """What would collide with seeded rows: people, conversations, agents, queues."""
        return {
            t: int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("people", "conversations", "agents", "queues")
        }

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """One transaction tuned for loading a fresh database; the connection's settings come back after.

        Only connection settings change (on SQLite the journal stays WAL: a journal mode is written into
        the file, so a killed seed that had switched it would leave it for every later command). After
        the commit, the engine clears its log (SQLite: the WAL, as large as what was loaded).
        """
        with self.engine.bulk_load_settings(self.conn):
            try:
                with self.transaction():
                    yield
            finally:
                for table in ("seed_plan", "seed_series", "seed_phrases"):
                    self.conn.execute(f"DROP TABLE IF EXISTS {table}")
        self.engine.clear_wal(self.conn)
        self.engine.analyze(self.conn, LOADED_TABLES)

    def drop_secondary_indexes(self) -> list[str]:
        """Drop the secondary indexes of the loaded tables; return their CREATE statements, in order."""
        return TransferStore(self.db).drop_indexes_of(LOADED_TABLES)

    def insert_seed_people(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of (id, first_name, last_name, gender, city, country, attributes, created_at, updated_at)."""
        columns = ("id", "first_name", "last_name", "gender", "city", "country", "attributes", "created_at",
                   "updated_at")
        self.engine.bulk_insert(self.conn, "people", columns, rows)

    def insert_seed_destinations(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of (person_id, type, value), in order of addition."""
        self.engine.bulk_insert(self.conn, "destinations", ("person_id", "type", "value"), rows)

    def insert_seed_tags(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of (person_id, tag)."""
        self.engine.bulk_insert(self.conn, "tags", ("person_id", "tag"), rows)

    def insert_seed_plan(self, rows: Iterable[Sequence[Any]], phrases: Sequence[str]) -> None:
        """The conversation plan (rows in PLAN_COLUMNS order) and the phrases item texts come from."""
        self.conn.execute(_PLAN_TABLE)
        self.engine.bulk_insert(self.conn, "seed_plan", PLAN_COLUMNS, rows)
        from cctx.search_fold import folded_text

        self.conn.execute("CREATE TEMP TABLE seed_phrases (id BIGINT PRIMARY KEY, text TEXT NOT NULL, folded TEXT)")
        self.engine.bulk_insert(
            self.conn, "seed_phrases", ("id", "text", "folded"), [(i, p, folded_text(p)) for i, p in enumerate(phrases)]
        )
        self.conn.execute("CREATE TEMP TABLE seed_series (k BIGINT PRIMARY KEY)")
        self.conn.execute(
            "INSERT INTO seed_series WITH RECURSIVE r(k) AS "
            "(SELECT 0 UNION ALL SELECT k + 1 FROM r WHERE k + 1 < (SELECT max(n) FROM seed_plan)) "
            "SELECT k FROM r"
        )
        self.engine.analyze(self.conn, ("seed_plan", "seed_series"))

    def insert_seed_conversations(self) -> int:
        """Conversations and their listed agents from the plan; return how many."""
        ts = self.engine.epoch_text
        cur = self.conn.execute(
            "INSERT INTO conversations (id, channel, contact_type, contact, person_id, unlinked_explicitly, "
            "queue_id, status, display_name, created_at, closed_at, messages, notes, call_events, "
            "last_activity_at, merged_into, merged_at) SELECT cid, channel, contact_type, contact, person_id, "
            f"unlinked, queue_id, status, display_name, {ts('t0')}, {ts('closed')}, messages, notes, call_events, "
            f"{ts('last')}, merged_into, {ts('merged')} FROM seed_plan ORDER BY cid"
        )
        self.conn.execute(
            "INSERT INTO participants (conversation_id, agent_id) "
            "SELECT cid, a_id FROM seed_plan UNION ALL "
            "SELECT cid, b_id FROM seed_plan WHERE b_id IS NOT NULL ORDER BY 1, 2"
        )
        return cur.rowcount

    def insert_seed_items(self, first_cid: int, last_cid: int) -> int:
        """Generate the items of the planned conversations ``first_cid..last_cid``; return how many."""
        return self.conn.execute(items_sql(self.engine), (first_cid, last_cid)).rowcount
