"""A customer's data as a whole: finding all of it (export, erasure), deleting the person, and the one
change ever made to audit records, the redaction of an erased person's values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from cctx.store.base import AggregateStore, chunks
from cctx.store.holds import kept_by_holds


class PrivacyStore(AggregateStore):
    """What erasure and export read and rewrite."""

    def clear_erased_content(self) -> bool:
        """SQLite: the TRUNCATE checkpoint a purge ends with, so erased rows do not survive in ``-wal``
        (False when readers kept it from completing). PostgreSQL has no such file: True."""
        return self.engine.name != "sqlite" or self.engine.clear_wal(self.conn)

    def person_conversation_ids(self, person_id: int) -> list[int]:
        """Every conversation linked to the person, tombstones and expired ones included, oldest first."""
        rows = self.conn.execute(
            "SELECT id FROM conversations WHERE person_id = ? ORDER BY created_at, id", (person_id,)
        )
        return [int(r[0]) for r in rows]

    def unlinked_conversation_ids(self, contacts: Sequence[tuple[str, str]]) -> list[int]:
        """The conversations linked to nobody whose contact is one of ``contacts`` (type, value), oldest first."""
        found: list[tuple[str, int]] = []
        for contact_type, contact in contacts:
            rows = self.conn.execute(
                "SELECT created_at, id FROM conversations WHERE contact_type = ? AND contact = ? "
                "AND person_id IS NULL",
                (contact_type, contact),
            )
            found.extend((r[0], int(r[1])) for r in rows)
        return [i for _, i in sorted(set(found))]

    def merged_person_ids(self, person_id: int) -> list[int]:
        """The ids of the people merged into this one, directly or through earlier merges."""
        rows = self.conn.execute(
            "WITH RECURSIVE merged(id) AS (SELECT id FROM merged_people WHERE into_id = ?"
            " UNION SELECT m.id FROM merged_people m JOIN merged ON m.into_id = merged.id)"
            " SELECT id FROM merged ORDER BY id",
            (person_id,),
        )
        return [int(r[0]) for r in rows]

    def kept_among(self, ids: Iterable[int], now: datetime) -> list[int]:
        """Which of ``ids`` active holds keep (the purge's own fragment)."""
        kept: list[int] = []
        for chunk, marks in chunks(list(ids)):
            kept_sql, kept_params = kept_by_holds("c", now)
            rows = self.conn.execute(
                f"SELECT c.id FROM conversations c WHERE c.id IN ({marks}) AND {kept_sql}", [*chunk, *kept_params]
            )
            kept.extend(int(r[0]) for r in rows)
        return sorted(kept)

    def conversation_texts(self, ids: Iterable[int]) -> Iterator[str]:
        """The contact, stored display name and item texts of the conversations ``ids``."""
        for chunk, marks in chunks(list(ids)):
            for r in self.conn.execute(
                f"SELECT contact, display_name FROM conversations WHERE id IN ({marks})", chunk
            ).fetchall():
                yield r[0]
                yield r[1]
            for r in self.conn.execute(
                f"SELECT text FROM items WHERE conversation_id IN ({marks}) AND text IS NOT NULL", chunk
            ).fetchall():
                yield r[0]

    def audit_rows(self) -> Iterator[tuple[int, str, str, str, str, str]]:
        """Every audit record as stored (subject and details as JSON text), oldest first."""
        last = 0
        while True:  # in pages, so that nothing holds the whole log and other queries may run in between
            rows = self.conn.execute(
                "SELECT id, at, actor, action, subject, details FROM audit WHERE id > ? ORDER BY id LIMIT 1000",
                (last,),
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield int(r[0]), r[1], r[2], r[3], r[4], r[5]
            last = int(rows[-1][0])

    def redact_audit_details(self, audit_id: int, details: str) -> None:
        """Erasure's redaction of personal values: the only edit of an audit record cctx ever makes."""
        self.conn.execute("UPDATE audit SET details = ? WHERE id = ?", (details, audit_id))

    def rename_conversations(self, names: Sequence[str], replacement: str) -> int:
        """Stored display names equal to one of ``names`` (kept by conversations of others) replaced."""
        changed = 0
        for chunk, marks in chunks(list(names)):
            cur = self.conn.execute(
                f"UPDATE conversations SET display_name = ? WHERE display_name IN ({marks})", [replacement, *chunk]
            )
            changed += max(cur.rowcount, 0)
        return changed

    def delete_person(self, person_id: int) -> None:
        """The person with their destinations and tags."""
        self.conn.execute("DELETE FROM tags WHERE person_id = ?", (person_id,))
        self.conn.execute("DELETE FROM destinations WHERE person_id = ?", (person_id,))
        self.conn.execute("DELETE FROM people WHERE id = ?", (person_id,))
