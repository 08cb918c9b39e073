"""Conversations, their items and participants."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from cctx.models import Conversation, Item

CONVERSATION_COLUMNS = (
    "id", "channel", "contact_type", "contact", "person_id", "unlinked_explicitly", "queue_id", "status",
    "display_name", "created_at", "closed_at", "messages", "notes", "call_events", "last_activity_at",
)
ITEM_COLUMNS = ("conversation_id", "at", "kind", "author", "text", "event", "recording")

_SELECT_CONVERSATION = (
    "SELECT c.id, c.channel, c.contact_type, c.contact, c.person_id, c.unlinked_explicitly, q.name AS queue, "
    "c.status, c.display_name, c.created_at, c.closed_at, c.merged_into, c.merged_at, c.messages, c.notes, "
    "c.call_events, c.last_activity_at FROM conversations c LEFT JOIN queues q ON q.id = c.queue_id"
)


def conversation_from_row(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        channel=row["channel"],
        contact_type=row["contact_type"],
        contact=row["contact"],
        person_id=row["person_id"],
        unlinked_explicitly=bool(row["unlinked_explicitly"]),
        queue=row["queue"],
        status=row["status"],
        display_name=row["display_name"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
        merged_into=row["merged_into"],
        merged_at=row["merged_at"],
        messages=row["messages"],
        notes=row["notes"],
        call_events=row["call_events"],
        last_activity_at=row["last_activity_at"],
    )


class ConversationRepository:
    conn: sqlite3.Connection

    def existing_conversation_ids(self, ids: Iterable[int]) -> set[int]:
        wanted = list(ids)
        found: set[int] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0] for r in self.conn.execute(f"SELECT id FROM conversations WHERE id IN ({marks})", chunk)
            )
        return found

    def get_conversation(self, conversation_id: int) -> Conversation | None:
        row = self.conn.execute(_SELECT_CONVERSATION + " WHERE c.id = ?", (conversation_id,)).fetchone()
        return None if row is None else conversation_from_row(row)

    def insert_conversation(self, values: dict[str, Any]) -> int:
        """Insert one conversation; ``values`` holds CONVERSATION_COLUMNS (``id`` may be None)."""
        marks = ",".join("?" * len(CONVERSATION_COLUMNS))
        cur = self.conn.execute(
            f"INSERT INTO conversations ({','.join(CONVERSATION_COLUMNS)}) VALUES ({marks})",
            [values.get(c) for c in CONVERSATION_COLUMNS],
        )
        return int(cur.lastrowid or 0)

    def insert_items(self, rows: Sequence[Sequence[Any]]) -> None:
        """Insert items given as tuples in ITEM_COLUMNS order."""
        marks = ",".join("?" * len(ITEM_COLUMNS))
        self.conn.executemany(f"INSERT INTO items ({','.join(ITEM_COLUMNS)}) VALUES ({marks})", rows)

    def add_participants(self, conversation_id: int, agents: Iterable[str]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO participants (conversation_id, agent_id) "
            "SELECT ?, id FROM agents WHERE name = ?",
            [(conversation_id, a) for a in agents],
        )

    def participants(self, conversation_id: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT a.name FROM participants p JOIN agents a ON a.id = p.agent_id "
            "WHERE p.conversation_id = ? ORDER BY a.name",
            (conversation_id,),
        )
        return [r[0] for r in rows]

    def items(self, conversation_id: int) -> list[Item]:
        rows = self.conn.execute(
            "SELECT id, conversation_id, at, kind, author, text, event, recording FROM items "
            "WHERE conversation_id = ? ORDER BY at, id",
            (conversation_id,),
        )
        return [Item(*r) for r in rows]
