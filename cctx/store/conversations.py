"""Conversations, their items and participants."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from cctx.models import Conversation, Item
from cctx.rules.visibility import agent_access_sql
from cctx.store.base import CHUNK, AggregateStore, chunks, existing_ids, placeholders, storable

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


def conversation_from_row(row: Any) -> Conversation:
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


class ConversationStore(AggregateStore):
    """Conversations, their items and participants; links, merges and counters."""

    def existing_ids(self, ids: Iterable[int]) -> set[int]:
        return existing_ids(self.conn, "conversations", ids)

    def get(self, conversation_id: int) -> Conversation | None:
        if not storable(conversation_id):
            return None
        row = self.conn.execute(_SELECT_CONVERSATION + " WHERE c.id = ?", (conversation_id,)).fetchone()
        return None if row is None else conversation_from_row(row)

    def add(self, values: dict[str, Any]) -> int:
        """Insert one conversation; ``values`` holds CONVERSATION_COLUMNS (``id`` may be None)."""
        columns = [c for c in CONVERSATION_COLUMNS if c != "id" or values.get("id") is not None]
        cur = self.conn.execute(
            f"INSERT INTO conversations ({','.join(columns)}) VALUES ({placeholders(columns)}) RETURNING id",
            [values.get(c) for c in columns],
        )
        return int(cur.fetchone()[0])

    def add_items(self, rows: Sequence[Sequence[Any]]) -> None:
        """Insert items given as tuples in ITEM_COLUMNS order, each with its folded words for search."""
        from cctx.search_fold import folded_text

        columns = (*ITEM_COLUMNS, "folded")
        self.engine.bulk_insert(self.conn, "items", columns, ((*row, folded_text(row[4])) for row in rows))

    def add_participants(self, conversation_id: int, agents: Iterable[str]) -> None:
        self.conn.executemany(
            "INSERT INTO participants (conversation_id, agent_id) "
            "SELECT ?, id FROM agents WHERE name = ? ON CONFLICT DO NOTHING",
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

    # --- listing and access -------------------------------------------------------------------------

    def list_conversations(
        self,
        *,
        unlinked: bool = False,
        person_ids: Sequence[int] = (),
        contacts: Sequence[tuple[str, str]] = (),
        channels: Sequence[str] = (),
        statuses: Sequence[str] = (),
        queue_ids: Sequence[int] = (),
        limit: int | None = None,
    ) -> Iterator[Conversation]:
        """Conversations matching every given filter, oldest first; tombstones only when asked by status.

        Each filter given several values matches any of them: ``person_ids`` and ``contacts`` together
        are one filter (a conversation of any of those people, or with any of those contacts). The query
        runs at once and its rows are read as they are consumed, never all held at once.
        """
        where: list[str] = []
        params: list[Any] = []
        if unlinked:
            where.append("c.person_id IS NULL")
        whose: list[str] = []
        if person_ids:
            whose.append(f"c.person_id IN ({placeholders(person_ids)})")
            params.extend(person_ids)
        for contact in contacts:
            whose.append("(c.contact_type = ? AND c.contact = ?)")
            params.extend(contact)
        if whose:
            where.append("(" + " OR ".join(whose) + ")")
        if channels:
            where.append(f"c.channel IN ({placeholders(channels)})")
            params.extend(channels)
        if statuses:
            where.append(f"c.status IN ({placeholders(statuses)})")
            params.extend(statuses)
        else:
            where.append("c.status != 'merged'")
        if queue_ids:
            where.append(f"c.queue_id IN ({placeholders(queue_ids)})")
            params.extend(queue_ids)
        sql = _SELECT_CONVERSATION + " WHERE " + " AND ".join(where) + " ORDER BY c.created_at, c.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.engine.stream(self.conn, sql, params)
        return (conversation_from_row(row) for row in rows)

    def agent_may_see(self, conversation_id: int, agent_id: int) -> bool:
        """The history rule's agent access: a queue the agent has rights to, or the agent took part in it."""
        fragment, params = agent_access_sql(agent_id)
        row = self.conn.execute(
            f"SELECT 1 FROM conversations c WHERE c.id = ? AND {fragment}", (conversation_id, *params)
        ).fetchone()
        return row is not None

    def item_count(self, conversation_ids: Sequence[int]) -> int:
        marks = placeholders(conversation_ids)
        row = self.conn.execute(f"SELECT count(*) FROM items WHERE conversation_id IN ({marks})", conversation_ids)
        return int(row.fetchone()[0])

    # --- link / unlink ------------------------------------------------------------------------------

    def set_link(self, conversation_id: int, person_id: int | None, unlinked_explicitly: bool) -> None:
        """Set the linked person and the explicit-unlink mark; the stored display name is untouched."""
        self.conn.execute(
            "UPDATE conversations SET person_id = ?, unlinked_explicitly = ? WHERE id = ?",
            (person_id, int(unlinked_explicitly), conversation_id),
        )

    def set_links(self, rows: Iterable[tuple[int | None, int, int]]) -> None:
        """Bulk form of set_link: rows of (person_id, unlinked_explicitly, conversation_id)."""
        self.engine.execute_batch(
            self.conn, "UPDATE conversations SET person_id = ?, unlinked_explicitly = ? WHERE id = ?", rows
        )

    def link_states(self, conversation_ids: Sequence[int]) -> dict[int, tuple[int | None, bool, str]]:
        """id -> (person_id, unlinked_explicitly, status) for the ids that exist, read in chunks."""
        found: dict[int, tuple[int | None, bool, str]] = {}
        for chunk, marks in chunks(conversation_ids):
            for r in self.conn.execute(
                f"SELECT id, person_id, unlinked_explicitly, status FROM conversations WHERE id IN ({marks})", chunk
            ):
                found[r[0]] = (r[1], bool(r[2]), r[3])
        return found

    def destination_owners(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """(type, value) -> person_id for the pairs someone owns, read in chunks."""
        owners: dict[tuple[str, str], int] = {}
        for chunk, _ in chunks(pairs, CHUNK // 2):
            values = ",".join("(?, ?)" for _ in chunk)
            flat = [v for pair in chunk for v in pair]
            # A join (not `(type, value) IN (VALUES ...)`, which scans the table) uses the unique index.
            for r in self.conn.execute(
                f"WITH wanted(type, value) AS (VALUES {values}) SELECT d.type, d.value, d.person_id "
                "FROM wanted w JOIN destinations d ON d.type = w.type AND d.value = w.value",
                flat,
            ):
                owners[(r[0], r[1])] = r[2]
        return owners

    # --- merge --------------------------------------------------------------------------------------

    def move_items(self, source_ids: Sequence[int], target_id: int) -> int:
        """Move every item of the sources into the target, keeping each item as it is."""
        marks = placeholders(source_ids)
        cur = self.conn.execute(
            f"UPDATE items SET conversation_id = ? WHERE conversation_id IN ({marks})", (target_id, *source_ids)
        )
        return cur.rowcount

    def copy_participants(self, source_ids: Sequence[int], target_id: int) -> list[str]:
        """Make the sources' agents participants of the target; return the names that were new."""
        before = set(self.participants(target_id))
        marks = placeholders(source_ids)
        self.conn.execute(
            "INSERT INTO participants (conversation_id, agent_id) "
            f"SELECT ?, agent_id FROM participants WHERE conversation_id IN ({marks}) ON CONFLICT DO NOTHING",
            (target_id, *source_ids),
        )
        return sorted(set(self.participants(target_id)) - before)

    def recount(self, conversation_ids: Sequence[int]) -> None:
        """Recompute the item counters and last_activity_at from the items themselves."""
        self.conn.executemany(
            "UPDATE conversations SET "
            "messages = (SELECT count(*) FROM items WHERE conversation_id = :id AND kind = 'message'), "
            "notes = (SELECT count(*) FROM items WHERE conversation_id = :id AND kind = 'note'), "
            "call_events = (SELECT count(*) FROM items WHERE conversation_id = :id AND kind = 'call_event'), "
            "last_activity_at = coalesce((SELECT max(at) FROM items WHERE conversation_id = :id), created_at) "
            "WHERE id = :id",
            [{"id": cid} for cid in conversation_ids],
        )

    def set_status(self, conversation_id: int, status: str, closed_at: str | None) -> None:
        self.conn.execute(
            "UPDATE conversations SET status = ?, closed_at = ? WHERE id = ?", (status, closed_at, conversation_id)
        )

    def mark_merged(self, source_ids: Sequence[int], target_id: int, merged_at: datetime) -> list[int]:
        """Turn the sources into tombstones of the target; earlier tombstones of the sources follow them.

        Returns the ids of those earlier tombstones, now pointing at the target.
        """
        marks = placeholders(source_ids)
        repointed = self.conn.execute(
            f"UPDATE conversations SET merged_into = ? WHERE merged_into IN ({marks}) RETURNING id",
            (target_id, *source_ids),
        ).fetchall()
        self.conn.execute(
            f"UPDATE conversations SET status = 'merged', merged_into = ?, merged_at = ? WHERE id IN ({marks})",
            (target_id, merged_at, *source_ids),
        )
        return sorted(r[0] for r in repointed)
