"""People, their destinations and tags."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from cctx.models import Destination, Person

PERSON_FIELDS = ("first_name", "last_name", "gender", "city", "country")


class PeopleRepository:
    conn: sqlite3.Connection

    def existing_person_ids(self, ids: Iterable[int]) -> set[int]:
        wanted = list(ids)
        found: set[int] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(f"SELECT id FROM people WHERE id IN ({marks})", chunk))
        return found

    def get_person(self, person_id: int) -> Person | None:
        row = self.conn.execute("SELECT * FROM people WHERE id = ?", (person_id,)).fetchone()
        if row is None:
            return None
        destinations = tuple(
            Destination(r[0], r[1])
            for r in self.conn.execute(
                "SELECT type, value FROM destinations WHERE person_id = ? ORDER BY id", (person_id,)
            )
        )
        tags = tuple(
            r[0] for r in self.conn.execute("SELECT tag FROM tags WHERE person_id = ? ORDER BY tag", (person_id,))
        )
        return Person(
            id=row["id"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            gender=row["gender"],
            city=row["city"],
            country=row["country"],
            attributes=json.loads(row["attributes"]),
            destinations=destinations,
            tags=tags,
        )

    def destination_owner(self, dest_type: str, value: str) -> int | None:
        row = self.conn.execute(
            "SELECT person_id FROM destinations WHERE type = ? AND value = ?", (dest_type, value)
        ).fetchone()
        return None if row is None else int(row[0])

    def insert_person(
        self, fields: dict[str, Any], attributes: dict[str, Any], now: str, person_id: int | None = None
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO people (id, first_name, last_name, gender, city, country, attributes, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (person_id, *(fields.get(f) for f in PERSON_FIELDS), json.dumps(attributes, sort_keys=True), now, now),
        )
        return int(cur.lastrowid or 0)

    def insert_destination(self, person_id: int, dest_type: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO destinations (person_id, type, value) VALUES (?, ?, ?)", (person_id, dest_type, value)
        )

    def add_tags(self, person_id: int, tags: Iterable[str]) -> int:
        cur = self.conn.executemany(
            "INSERT OR IGNORE INTO tags (person_id, tag) VALUES (?, ?)", [(person_id, t) for t in tags]
        )
        return cur.rowcount

    def autolink_contact(self, person_id: int, dest_type: str, value: str) -> list[int]:
        """Link the unlinked, not explicitly unlinked conversations with this contact (rule 1)."""
        rows = self.conn.execute(
            "UPDATE conversations SET person_id = ? WHERE contact_type = ? AND contact = ? "
            "AND person_id IS NULL AND unlinked_explicitly = 0 AND status != 'merged' RETURNING id",
            (person_id, dest_type, value),
        ).fetchall()
        return sorted(r[0] for r in rows)
