"""What undo reads and writes: audit records by id, the undo links between them, and the rows an undo
puts back exactly as a record says they were (items to their conversations, conversation states,
destinations under their old ids)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from cctx.models import AuditRecord
from cctx.store.base import AggregateStore, chunks, storable

# The columns of a conversation that a merge changes and its undo puts back.
MERGE_STATE_COLUMNS = (
    "status", "closed_at", "merged_into", "merged_at", "messages", "notes", "call_events", "last_activity_at",
)

# The tables that hold the domain (everything but the audit log and bookkeeping), for comparing states.
DOMAIN_TABLES = (
    "people", "destinations", "tags", "queues", "agents", "agent_queues", "conversations", "participants",
    "items", "holds", "merged_people",
)


def _record(row: Any) -> AuditRecord:
    return AuditRecord(
        row["id"], row["at"], row["actor"], row["action"], json.loads(row["subject"]), json.loads(row["details"])
    )


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is not None, repr(v)) for v in row)


class UndoStore(AggregateStore):
    """What undo reads of a recorded change, and the rows it puts back."""

    # --- audit records and their undo links ---------------------------------------------------------

    def record(self, audit_id: int) -> AuditRecord | None:
        if not storable(audit_id):
            return None
        row = self.conn.execute(
            "SELECT id, at, actor, action, subject, details FROM audit WHERE id = ?", (audit_id,)
        ).fetchone()
        return None if row is None else _record(row)

    def records_after(self, audit_id: int) -> Iterator[AuditRecord]:
        """Every record written after ``audit_id``, oldest first."""
        rows = self.conn.execute(
            "SELECT id, at, actor, action, subject, details FROM audit WHERE id > ? ORDER BY id", (audit_id,)
        )
        for row in rows:
            yield _record(row)

    def undone_by(self) -> dict[int, int]:
        """undone record id -> id of the `undo` record that names it in its details ``{"undoes": ID}``."""
        links: dict[int, int] = {}
        for row in self.conn.execute("SELECT id, details FROM audit WHERE action = 'undo' ORDER BY id"):
            undoes = json.loads(row[1]).get("undoes")
            if isinstance(undoes, int):
                links.setdefault(undoes, row[0])
        return links

    # --- before-states, read by the changes that record them ----------------------------------------

    def item_ids_of(self, conversation_ids: Sequence[int]) -> dict[int, list[int]]:
        """conversation id -> ids of its items, ascending."""
        found: dict[int, list[int]] = {cid: [] for cid in conversation_ids}
        for chunk, marks in chunks(list(conversation_ids)):
            for r in self.conn.execute(
                f"SELECT conversation_id, id FROM items WHERE conversation_id IN ({marks}) ORDER BY id", chunk
            ):
                found[r[0]].append(r[1])
        return found

    def merge_states(self, conversation_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """conversation id -> the columns a merge changes (MERGE_STATE_COLUMNS)."""
        states: dict[int, dict[str, Any]] = {}
        columns = ", ".join(MERGE_STATE_COLUMNS)
        for chunk, marks in chunks(list(conversation_ids)):
            for r in self.conn.execute(f"SELECT id, {columns} FROM conversations WHERE id IN ({marks})", chunk):
                states[r[0]] = {c: r[i + 1] for i, c in enumerate(MERGE_STATE_COLUMNS)}
        return states

    def tombstones_of(self, conversation_ids: Sequence[int]) -> dict[int, int]:
        """tombstone id -> merged_into, for the tombstones merged into any of ``conversation_ids``."""
        found: dict[int, int] = {}
        for chunk, marks in chunks(list(conversation_ids)):
            for r in self.conn.execute(f"SELECT id, merged_into FROM conversations WHERE merged_into IN ({marks})",
                                       chunk):
                found[r[0]] = r[1]
        return found

    def person_updated_at(self, person_id: int) -> str | None:
        row = self.conn.execute("SELECT updated_at FROM people WHERE id = ?", (person_id,)).fetchone()
        return None if row is None else str(row[0])

    def destination_id(self, dest_type: str, value: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM destinations WHERE type = ? AND value = ?", (dest_type, value)
        ).fetchone()
        return None if row is None else int(row[0])

    # --- checks before an undo ----------------------------------------------------------------------

    def item_places(self, item_ids: Sequence[int]) -> dict[int, int]:
        """item id -> the conversation that holds it now."""
        places: dict[int, int] = {}
        for chunk, marks in chunks(list(item_ids)):
            for r in self.conn.execute(f"SELECT id, conversation_id FROM items WHERE id IN ({marks})", chunk):
                places[r[0]] = r[1]
        return places

    def destination_with_id(self, destination_id: int) -> tuple[int, str, str] | None:
        """(person_id, type, value) of the destination with this id."""
        row = self.conn.execute(
            "SELECT person_id, type, value FROM destinations WHERE id = ?", (destination_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    # --- putting rows back --------------------------------------------------------------------------

    def move_items_back(self, conversation_id: int, item_ids: Sequence[int]) -> None:
        for chunk, marks in chunks(list(item_ids)):
            self.conn.execute(f"UPDATE items SET conversation_id = ? WHERE id IN ({marks})", (conversation_id, *chunk))

    def restore_merge_state(self, conversation_id: int, state: dict[str, Any]) -> None:
        assignments = ", ".join(f"{c} = ?" for c in MERGE_STATE_COLUMNS)
        self.conn.execute(
            f"UPDATE conversations SET {assignments} WHERE id = ?",
            (*(state[c] for c in MERGE_STATE_COLUMNS), conversation_id),
        )

    def restore_merged_into(self, conversation_id: int, merged_into: int | None) -> None:
        self.conn.execute("UPDATE conversations SET merged_into = ? WHERE id = ?", (merged_into, conversation_id))

    def remove_participants(self, conversation_id: int, agents: Sequence[str]) -> None:
        for chunk, marks in chunks(list(agents)):
            self.conn.execute(
                f"DELETE FROM participants WHERE conversation_id = ? AND agent_id IN "
                f"(SELECT id FROM agents WHERE name IN ({marks}))",
                (conversation_id, *chunk),
            )

    def insert_destination_with_id(self, destination_id: int, person_id: int, dest_type: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO destinations (id, person_id, type, value) VALUES (?, ?, ?, ?)",
            (destination_id, person_id, dest_type, value),
        )

    # --- a person merge taken back --------------------------------------------------------------------

    def restore_person_row(self, profile: dict[str, Any]) -> None:
        """Insert a removed person again with everything its row held (id, fields, attributes, times)."""
        self.conn.execute(
            "INSERT INTO people (id, first_name, last_name, gender, city, country, attributes, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (profile["id"], profile["first_name"], profile["last_name"], profile["gender"], profile["city"],
             profile["country"], json.dumps(profile["attributes"], sort_keys=True), profile["created_at"],
             profile["updated_at"]),
        )

    def give_destinations(self, person_id: int, destination_ids: Sequence[int]) -> None:
        for chunk, marks in chunks(list(destination_ids)):
            self.conn.execute(f"UPDATE destinations SET person_id = ? WHERE id IN ({marks})", (person_id, *chunk))

    def give_conversations(self, person_id: int, conversation_ids: Sequence[int]) -> None:
        """Link the conversations to the person; explicit-unlink marks and display names stay."""
        for chunk, marks in chunks(list(conversation_ids)):
            self.conn.execute(f"UPDATE conversations SET person_id = ? WHERE id IN ({marks})", (person_id, *chunk))

    def give_holds(self, person_id: int, hold_ids: Sequence[int]) -> None:
        for chunk, marks in chunks(list(hold_ids)):
            self.conn.execute(f"UPDATE holds SET customer_id = ? WHERE id IN ({marks})", (person_id, *chunk))

    def forget_person_merge(self, person_id: int) -> None:
        self.conn.execute("DELETE FROM merged_people WHERE id = ?", (person_id,))

    # --- comparing states ---------------------------------------------------------------------------

    def domain_snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every domain table (the audit log and bookkeeping left out), sorted: two equal
        snapshots are two equal databases as cctx sees them."""
        present = set(self.engine.table_names(self.conn))
        snapshot: dict[str, list[tuple[Any, ...]]] = {}
        for table in DOMAIN_TABLES:
            if table in present:
                rows = [tuple(r) for r in self.conn.execute(f"SELECT * FROM {table}")]
                snapshot[table] = sorted(rows, key=_sort_key)
        return snapshot
