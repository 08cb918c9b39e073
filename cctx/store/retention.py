"""Retention: the expired conversations in batches, their deletion, the purge lock and space reclaim."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from cctx.models import PurgeCandidate
from cctx.store.base import AggregateStore
from cctx.store.holds import kept_by_holds, kept_ids, not_held


def _ids(ids: Iterable[int]) -> str:
    return json.dumps(list(ids))


class RetentionStore(AggregateStore):
    """The purge: candidates, batched deletes, progress, and the space and WAL it leaves."""

    def expired_conversation_ids(self, channel: str, horizon: str, now: datetime, *, held: bool = False) -> list[int]:
        """Closed conversations and tombstones of ``channel`` whose retention start is before ``horizon``,
        read through the conversations_expiry index: those no hold keeps (or, with ``held``, those kept)."""
        holds_sql, holds_params = (kept_by_holds if held else not_held)("conversations", now)
        rows = self.conn.execute(
            f"SELECT id FROM conversations {self.engine.indexed_by('conversations_expiry')} "
            f"WHERE channel = ? AND expires_from < ? AND status IN ('closed', 'merged') AND {holds_sql}",
            (channel, horizon, *holds_params),
        )
        return [r[0] for r in rows]

    def purge_candidates(self, ids: Iterable[int], now: datetime) -> list[PurgeCandidate]:
        """The current channel, status and retention start of the conversations ``ids`` that still exist
        and that no hold keeps. (The kept set is read on its own: joined into this query, PostgreSQL
        would scan the whole table for every batch.)"""
        kept = kept_ids(self.conn, now)
        rows = self.conn.execute(
            "SELECT id, channel, status, expires_from FROM conversations "
            f"WHERE id IN {self.engine.json_int_list()} ORDER BY id",
            (_ids(ids),),
        )
        return [PurgeCandidate(r[0], r[1], r[2], r[3]) for r in rows if r[0] not in kept]

    def tombstones_merged_into(self, ids: Iterable[int]) -> list[PurgeCandidate]:
        """The tombstones merged into any of ``ids``, transitively (a tombstone merged into a tombstone)."""
        rows = self.conn.execute(
            "WITH RECURSIVE merged(id) AS ("
            f" SELECT id FROM conversations WHERE merged_into IN {self.engine.json_int_list()} AND status = 'merged'"
            " UNION SELECT c.id FROM conversations c JOIN merged m ON c.merged_into = m.id"
            " WHERE c.status = 'merged')"
            " SELECT c.id, c.channel, c.status, c.expires_from FROM merged m JOIN conversations c ON c.id = m.id",
            (_ids(ids),),
        )
        return [PurgeCandidate(r[0], r[1], r[2], r[3]) for r in rows]

    def item_counts(self, ids: Iterable[int]) -> dict[int, int]:
        """Items per conversation, counted before a delete (cascaded rows are not in SQLite's change counts)."""
        rows = self.conn.execute(
            f"SELECT conversation_id, count(*) FROM items WHERE conversation_id IN {self.engine.json_int_list()} "
            "GROUP BY conversation_id",
            (_ids(ids),),
        )
        return {r[0]: int(r[1]) for r in rows}

    def delete_conversations(self, ids: Iterable[int]) -> None:
        """Delete conversations with their items and participants, in the caller's transaction."""
        param = (_ids(ids),)
        self.conn.execute(f"DELETE FROM items WHERE conversation_id IN {self.engine.json_int_list()}", param)
        self.conn.execute(f"DELETE FROM participants WHERE conversation_id IN {self.engine.json_int_list()}", param)
        self.conn.execute(f"DELETE FROM conversations WHERE id IN {self.engine.json_int_list()}", param)

    # The running totals of an unfinished purge (migration 0002).

    def purge_progress(self) -> tuple[str, str, dict[str, Any]] | None:
        """(started_at, actor, details) of a purge that deleted batches but did not finish."""
        row = self.conn.execute("SELECT started_at, actor, details FROM purge_progress WHERE id = 1").fetchone()
        return None if row is None else (row[0], row[1], json.loads(row[2]))

    def save_purge_progress(self, started_at: datetime, actor: str, details: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO purge_progress (id, started_at, actor, details) VALUES (1, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, actor = excluded.actor, "
            "details = excluded.details",
            (started_at, actor, json.dumps(details, sort_keys=True)),
        )

    def clear_purge_progress(self) -> None:
        self.conn.execute("DELETE FROM purge_progress WHERE id = 1")

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """A read transaction: every query inside sees the same state, and no write lock is taken."""
        self.engine.begin_read(self.conn)
        try:
            yield
        finally:
            self.conn.rollback()

    def purge_lock(self) -> AbstractContextManager[None]:
        """One purge at a time per database (exit 3 for the second): on SQLite a lock on the database file
        itself, whatever path or symlink names it; on PostgreSQL an advisory lock."""
        return self.engine.purge_lock(self.conn)

    def clear_wal(self) -> bool:
        """After deleting (a purge, an erasure): deleted content must not survive in a write-ahead log the
        engine keeps beside the database. False when readers kept it from completing within the busy timeout."""
        return self.engine.clear_wal(self.conn)

    def manual_checkpoints(self) -> AbstractContextManager[None]:
        """Checkpoint only when ``checkpoint()`` is called, not inside each COMMIT, for this connection."""
        return self.engine.manual_checkpoints(self.conn)

    def checkpoint(self) -> None:
        """Between purge batches: let the engine's log start from its beginning again (SQLite's PASSIVE
        checkpoint, which other writers do not wait for)."""
        self.engine.checkpoint(self.conn)

    def incremental_vacuum_enabled(self) -> bool:
        return self.engine.reclaims_space

    def free_pages(self) -> int:
        return self.engine.free_pages(self.conn)

    def incremental_vacuum_step(self, pages: int) -> None:
        """Give up to ``pages`` free pages back to the file system, in one short write transaction."""
        with self.transaction():
            self.engine.reclaim_pages(self.conn, pages)
