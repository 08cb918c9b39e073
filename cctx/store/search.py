"""Full-text search over message and note text: the index, and the query that ranks conversations.

Both engines index ``items.folded`` (the item's folded words, written with the item by cctx) and differ
only in how one word is looked up, which each engine supplies in one small method:

- SQLite: an FTS5 table ``items_fts`` with external content (the words live once, in ``items``), set up by
  sqlite-utils' ``enable_fts`` with its triggers, so every insert, update and delete of items (import,
  merge and its undo, purge, erasure) keeps it in step. Deleted words must not stay in the index pages:
  with SQLite 3.44 or newer FTS5's ``secure-delete`` removes them at once; with an older SQLite a trigger
  on the audit record of a purge or an erasure merges the index (``optimize``), which drops them, in
  the same transaction.
- PostgreSQL: a GIN index over ``array_to_tsvector(string_to_array(folded, ' '))`` (migration 0004) and a
  ``tsquery`` written from the folded words, each a quoted lexeme, prefixes as ``:*``. Neither goes through
  the server's text parser, so a word is exactly the word cctx folded, on both engines.

The conversations a search may show are those a history shows (``HistoryQuery``: customer, channels,
retention horizons, agent access), built by ``history_filters``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cctx.models import Conversation
from cctx.search_fold import SearchWord, folded_text
from cctx.store.base import AggregateStore, Database, chunks
from cctx.store.conversations import conversation_from_row
from cctx.store.history import COLUMNS, JOINS, HistoryQuery, history_filters

FTS_TABLE = "items_fts"
SECURE_DELETE = (3, 44, 0)  # the SQLite version whose FTS5 removes deleted entries from the index pages
_BACKFILL = 5000  # items folded per read when an older database is upgraded

MERGE_STEP_PAGES = 100  # index pages one merge step writes: a write transaction of tens of milliseconds

# An older SQLite cannot remove an entry from the index pages in place; merging the whole index does. An
# erasure ends with its audit record, in its one transaction: this trigger merges the index there. A purge
# merges it after its batches, in steps (SearchStore.merge_index_step).
_MERGE_AFTER_ERASURE = f"""
CREATE TRIGGER items_fts_forget AFTER INSERT ON audit
WHEN new.action = 'customer.erase' BEGIN
  INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize');
END"""


@dataclass(frozen=True)
class SearchHit:
    """A conversation that holds every word: ``best`` is the most words one of its items holds,
    ``matching`` how many of its items hold any."""

    conversation: Conversation
    best: int
    matching: int


@dataclass(frozen=True)
class ItemText:
    conversation_id: int
    id: int
    at: str
    text: str
    folded: str


def build_search_index(db: Database) -> None:
    """The Python step of migration 0004: fold the text of items stored before it, then (SQLite) create
    the FTS5 index and its triggers with sqlite-utils, inside the migration's transaction."""
    _fold_stored_items(db)
    if db.engine.name != "sqlite":
        return
    import sqlite_utils

    assert isinstance(db.conn, sqlite3.Connection)
    utils = sqlite_utils.Database(db.conn, recursive_triggers=False, execute_plugins=False)
    # Words are folded by cctx and joined by single spaces; the ascii tokenizer splits on the spaces only
    # (every other character of a folded word is a lower-case ASCII letter, a digit or not ASCII at all).
    utils.table("items").enable_fts(["folded"], fts_version="FTS5", create_triggers=True, tokenize="ascii")
    if sqlite3.sqlite_version_info >= SECURE_DELETE:
        db.conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('secure-delete', 1)")
    else:
        db.conn.execute(_MERGE_AFTER_ERASURE)


def merge_after_erasure_only(db: Database) -> None:
    """The Python step of migration 0008: where the index keeps deleted words, the trigger that merges it
    fires for an erasure only (its SQL dropped the one that fired for a purge too)."""
    if db.engine.name == "sqlite" and _keeps_deleted_words(db.conn):
        db.conn.execute(_MERGE_AFTER_ERASURE)


def _keeps_deleted_words(conn: Any) -> bool:
    """Whether deleted words stay in the SQLite index pages until its segments are merged: FTS5 without
    its secure-delete option (set when the index was made with SQLite 3.44 or newer)."""
    row = conn.execute(f"SELECT v FROM {FTS_TABLE}_config WHERE k = 'secure-delete'").fetchone()
    return not (row and int(row[0]))


def _fold_stored_items(db: Database) -> None:
    last = 0
    while True:
        rows = db.conn.execute(
            "SELECT id, text FROM items WHERE id > ? AND text IS NOT NULL ORDER BY id LIMIT ?", (last, _BACKFILL)
        ).fetchall()
        if not rows:
            return
        db.conn.executemany("UPDATE items SET folded = ? WHERE id = ?", [(folded_text(r[1]), r[0]) for r in rows])
        last = rows[-1][0]


class SearchStore(AggregateStore):
    """The search queries over one database, and the upkeep of its index after deletions."""

    def keeps_deleted_words(self) -> bool:
        """Whether deleted words stay in the index until it is merged: SQLite's FTS5 without secure-delete.
        PostgreSQL's GIN index drops a row's words with the row."""
        return self.engine.name == "sqlite" and _keeps_deleted_words(self.conn)

    def merge_index_step(self, *, start: bool) -> bool:
        """Merge up to MERGE_STEP_PAGES pages of the SQLite index (FTS5's 'merge'), in the caller's
        transaction. ``start`` begins merging every segment into one, which, as 'optimize' does at once,
        leaves the deleted entries out; later steps carry that merge on. False once nothing was left."""
        assert isinstance(self.conn, sqlite3.Connection)
        before = self.conn.total_changes
        pages = -MERGE_STEP_PAGES if start else MERGE_STEP_PAGES
        self.conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('merge', ?)", (pages,))
        return self.conn.total_changes - before >= 2  # FTS5's own test of whether a merge did anything

    def hits(self, words: Sequence[SearchWord], query: HistoryQuery) -> list[SearchHit]:
        """The conversations ``query`` may show whose items, together, hold every one of ``words``: those
        with one item holding the most words first, then those with the most matching items, then the
        most recently active; at most ``query.limit``."""
        sql, params = self.hits_sql(words, query)
        return [
            SearchHit(conversation_from_row(row), int(row["search_best"]), int(row["search_matching"]))
            for row in self.db.conn.execute(sql, params)
        ]

    def hits_sql(self, words: Sequence[SearchWord], query: HistoryQuery) -> tuple[str, list[Any]]:
        params: list[Any] = []
        hits = []
        index, where, filter_params = history_filters(query)
        # One customer's conversations are few: the items of those alone are matched, not every item
        # that holds a word.
        scope = f" AND i.conversation_id IN (SELECT c.id FROM conversations c WHERE {' AND '.join(where)})"
        for k, word in enumerate(words):
            fragment, value = self.word_hits(word, scoped=index is not None)
            # word k is bit k of an item's mask: the words an item holds, summed once each
            hits.append(
                f"SELECT i.id AS item_id, i.conversation_id AS cid, {1 << k} AS bit FROM items i "
                f"WHERE {fragment} AND i.kind IN ('message', 'note')" + (scope if index is not None else "")
            )
            params.append(value)
            if index is not None:
                params += filter_params
        if len(words) == 1:  # one word: every matching item holds all the words there are
            scores = "scores AS (SELECT cid, 1 AS best, count(*) AS matching FROM hits GROUP BY cid) "
        else:
            every_word = " AND ".join(f"max(mask & {1 << k}) > 0" for k in range(len(words)))
            scores = (
                "per_item AS (SELECT cid, item_id, count(*) AS words, sum(bit) AS mask FROM hits "
                "GROUP BY cid, item_id), "
                "scores AS (SELECT cid, max(words) AS best, count(*) AS matching FROM per_item GROUP BY cid "
                f"HAVING {every_word}) "
            )
        params += filter_params
        sql = (
            f"WITH hits AS ({' UNION ALL '.join(hits)}), {scores}"
            f"{COLUMNS}, s.best AS search_best, s.matching AS search_matching "
            f"FROM scores s JOIN conversations c ON c.id = s.cid {JOINS}"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY s.best DESC, s.matching DESC, c.last_activity_at DESC, c.id DESC"
        )
        if query.limit is not None:
            sql += " LIMIT ?"
            params.append(query.limit)
        return sql, params

    def word_hits(self, word: SearchWord, *, scoped: bool = False) -> tuple[str, str]:
        """A condition on items ``i`` that holds when the item's words include ``word``, and its parameter.
        ``scoped``: the items are those of one customer's conversations, fewer than a common word's."""
        if self.db.engine.name == "sqlite":
            return self._sqlite_word(word, scoped)
        return self._postgres_word(word)

    @staticmethod
    def _sqlite_word(word: SearchWord, scoped: bool) -> tuple[str, str]:
        # A folded word holds no '"' and no white space: quoted, it is one token and never FTS5 syntax.
        # For one customer, `+i.id` keeps SQLite from reading every item the index names: it reads the
        # customer's items (items_by_conversation) and checks each against the index's list instead.
        column = "+i.id" if scoped else "i.id"
        return f"{column} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)", (
            f'"{word.word}"' + ("*" if word.prefix else "")
        )

    @staticmethod
    def _postgres_word(word: SearchWord) -> tuple[str, str]:
        # The same expression as the index items_words; a folded word holds no quote and no backslash.
        return "array_to_tsvector(string_to_array(i.folded, ' ')) @@ CAST(? AS tsquery)", (
            f"'{word.word}'" + (":*" if word.prefix else "")
        )

    def item_texts(self, conversation_ids: Sequence[int]) -> Iterator[ItemText]:
        """The messages and notes with words of the given conversations."""
        for chunk, marks in chunks(list(conversation_ids)):
            rows = self.db.conn.execute(
                "SELECT conversation_id, id, at, text, folded FROM items "
                f"WHERE conversation_id IN ({marks}) AND kind IN ('message', 'note') AND folded IS NOT NULL",
                chunk,
            )
            for r in rows:
                yield ItemText(r[0], r[1], r[2], r[3], r[4])
