"""Legal holds, and the one SQL fragment saying which conversations they keep.

A hold is active while it is not released and its ``until`` is not yet past (``Hold.active`` is the same
rule in Python). A conversation is kept while an active hold names it or the person it is linked to;
what it keeps also keeps the tombstones merged into it, and a kept tombstone keeps the conversation it
was merged into (whose deletion would take the tombstone along).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cctx.models import Hold
from cctx.store.base import AggregateStore, chunks, storable

_COLUMNS = "id, customer_id, conversation_id, reason, until, created_at, created_by, released_at"


def _active(alias: str) -> str:
    """An active hold ``alias``; one parameter: now."""
    return f"({alias}.released_at IS NULL AND ({alias}.until IS NULL OR {alias}.until > ?))"


# The ids of every conversation the active holds keep. Two parameters, both now.
_KEPT = (
    "WITH RECURSIVE held(id) AS ("
    f" SELECT h.conversation_id FROM holds h WHERE h.conversation_id IS NOT NULL AND {_active('h')}"
    " UNION SELECT k.id FROM holds h JOIN conversations k ON k.person_id = h.customer_id"
    f" WHERE h.customer_id IS NOT NULL AND {_active('h')}),"
    " down(id) AS (SELECT id FROM held"
    " UNION SELECT k.id FROM conversations k JOIN down d ON k.merged_into = d.id WHERE k.status = 'merged'),"
    " up(id) AS (SELECT k.merged_into FROM held JOIN conversations k ON k.id = held.id"
    " WHERE k.merged_into IS NOT NULL"
    " UNION SELECT k.merged_into FROM up JOIN conversations k ON k.id = up.id WHERE k.merged_into IS NOT NULL)"
    " SELECT id FROM down UNION SELECT id FROM up"
)


def kept_by_holds(alias: str, now: datetime) -> tuple[str, list[Any]]:
    """``alias.id`` is kept by an active hold: the condition and its parameters."""
    return f"{alias}.id IN ({_KEPT})", [now, now]


def not_held(alias: str, now: datetime) -> tuple[str, list[Any]]:
    """``alias.id`` is not kept by any active hold: what purge, dry run, forecast and explain all use."""
    return f"{alias}.id NOT IN ({_KEPT})", [now, now]


def kept_ids(conn: Any, now: datetime) -> set[int]:
    """Every conversation active holds keep (the same fragment, on its own)."""
    return {int(r[0]) for r in conn.execute(_KEPT, (now, now))}


def _hold(row: Any) -> Hold:
    return Hold(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7])


class HoldStore(AggregateStore):
    """Legal holds, and which conversations they keep."""

    def add(
        self, customer_id: int | None, conversation_id: int | None, reason: str, until: str | None,
        now: datetime, actor: str,
    ) -> int:
        row = self.conn.execute(
            "INSERT INTO holds (customer_id, conversation_id, reason, until, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (customer_id, conversation_id, reason, until, now, actor),
        ).fetchone()
        return int(row[0])

    def get(self, hold_id: int) -> Hold | None:
        if not storable(hold_id):
            return None
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM holds WHERE id = ?", (hold_id,)).fetchone()
        return None if row is None else _hold(row)

    def list_holds(self, now: datetime, *, include_inactive: bool = False) -> list[Hold]:
        """Holds in id order: the active ones, or every hold ever placed."""
        where, params = ("", []) if include_inactive else (f" WHERE {_active('holds')}", [now])
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM holds{where} ORDER BY id", params)
        return [_hold(r) for r in rows]

    def release(self, hold_id: int, now: datetime) -> None:
        self.conn.execute("UPDATE holds SET released_at = ? WHERE id = ? AND released_at IS NULL", (now, hold_id))

    def move_holds(self, source_id: int, target_id: int) -> list[int]:
        """Make the holds on person ``source_id`` name ``target_id`` (a person merge); their ids."""
        rows = self.conn.execute(
            "UPDATE holds SET customer_id = ? WHERE customer_id = ? RETURNING id", (target_id, source_id)
        ).fetchall()
        return sorted(int(r[0]) for r in rows)

    def is_kept(self, conversation_id: int, now: datetime) -> bool:
        """Whether active holds keep this conversation: the purge's own fragment, for one id."""
        kept_sql, kept_params = kept_by_holds("c", now)
        row = self.conn.execute(
            f"SELECT 1 FROM conversations c WHERE c.id = ? AND {kept_sql}", (conversation_id, *kept_params)
        ).fetchone()
        return row is not None

    def keeping(self, conversation_id: int, now: datetime) -> list[int]:
        """The active holds that keep one conversation: naming it, its person, a tombstone merged into
        it, or (for a tombstone) the conversation it was merged into, transitively."""
        rows = self.conn.execute(
            "WITH RECURSIVE related(id) AS ("
            " SELECT CAST(? AS BIGINT) UNION SELECT k.id FROM conversations k JOIN related r ON k.merged_into = r.id"
            " WHERE k.status = 'merged'),"
            " ancestors(id) AS (SELECT CAST(? AS BIGINT)"
            " UNION SELECT k.merged_into FROM conversations k JOIN ancestors a ON k.id = a.id"
            " WHERE k.merged_into IS NOT NULL),"
            " family(id) AS (SELECT id FROM related UNION SELECT id FROM ancestors)"
            f" SELECT h.id FROM holds h WHERE {_active('h')} AND ("
            " h.conversation_id IN (SELECT id FROM family)"
            " OR h.customer_id IN (SELECT k.person_id FROM conversations k JOIN family f ON k.id = f.id"
            " WHERE k.person_id IS NOT NULL))"
            " ORDER BY h.id",
            (conversation_id, conversation_id, now),
        )
        return [int(r[0]) for r in rows]

    def on_customer(self, person_id: int | None, conversation_ids: Iterable[int], now: datetime) -> list[int]:
        """The active holds naming the person or any of ``conversation_ids`` (what erasure would delete)."""
        found: set[int] = set()
        if person_id is not None:
            rows = self.conn.execute(
                f"SELECT h.id FROM holds h WHERE h.customer_id = ? AND {_active('h')}", (person_id, now)
            )
            found.update(int(r[0]) for r in rows)
        for chunk, marks in chunks(list(conversation_ids)):
            rows = self.conn.execute(
                f"SELECT h.id FROM holds h WHERE h.conversation_id IN ({marks}) AND {_active('h')}", [*chunk, now]
            )
            found.update(int(r[0]) for r in rows)
        return sorted(found)

    def naming(self, person_id: int | None, conversation_ids: Iterable[int]) -> list[Hold]:
        """Every hold, active or not, naming the person or one of ``conversation_ids``."""
        found: dict[int, Hold] = {}
        if person_id is not None:
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM holds WHERE customer_id = ?", (person_id,))
            found.update((h.id, h) for h in map(_hold, rows))
        for chunk, marks in chunks(list(conversation_ids)):
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM holds WHERE conversation_id IN ({marks})", chunk)
            found.update((h.id, h) for h in map(_hold, rows))
        return [found[i] for i in sorted(found)]

    def set_reason(self, hold_id: int, reason: str) -> None:
        """Erasure's redaction of personal values in a hold's reason."""
        self.conn.execute("UPDATE holds SET reason = ? WHERE id = ?", (reason, hold_id))
