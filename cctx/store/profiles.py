"""One customer, one profile: merged-away person ids, the moves of a person merge, what the duplicate
scan reads, and the re-normalisation of stored phone numbers when a database reaches schema 3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cctx.phones import number_key
from cctx.store.base import AggregateStore, chunks, storable
from cctx.store.engine import Connection, Engine

if TYPE_CHECKING:
    from cctx.store.base import Database

MAX_CHAIN = 10_000  # merges in one chain; more can only be a cycle written by hand


class ProfileStore(AggregateStore):
    """Whole profiles across people: names, phones, and what a people merge moves."""

    # --- merged-away ids ----------------------------------------------------------------------------

    def merge_chain(self, person_id: int) -> list[int]:
        """The people ``person_id`` was merged into, in order (empty when it was never merged away)."""
        chain: list[int] = []
        current = person_id
        while storable(current) and len(chain) < MAX_CHAIN:
            row = self.conn.execute("SELECT into_id FROM merged_people WHERE id = ?", (current,)).fetchone()
            if row is None or int(row[0]) in chain or int(row[0]) == person_id:
                break
            current = int(row[0])
            chain.append(current)
        return chain

    def record_person_merge(self, source_id: int, target_id: int, now: datetime) -> None:
        self.conn.execute(
            "INSERT INTO merged_people (id, into_id, merged_at) VALUES (?, ?, ?)", (source_id, target_id, now)
        )

    # --- the moves of a person merge ----------------------------------------------------------------

    def person_profile(self, person_id: int) -> dict[str, Any] | None:
        """Everything stored on a person row with its destinations (ids kept) and tags: what an undo of
        a merge needs to put the person back."""
        row = self.conn.execute(
            "SELECT id, first_name, last_name, gender, city, country, attributes, created_at, updated_at "
            "FROM people WHERE id = ?",
            (person_id,),
        ).fetchone()
        if row is None:
            return None
        destinations = [
            {"id": int(r[0]), "type": r[1], "value": r[2]}
            for r in self.conn.execute(
                "SELECT id, type, value FROM destinations WHERE person_id = ? ORDER BY id", (person_id,)
            )
        ]
        tags = [r[0] for r in self.conn.execute("SELECT tag FROM tags WHERE person_id = ? ORDER BY tag", (person_id,))]
        return {
            "id": int(row[0]),
            "first_name": row[1],
            "last_name": row[2],
            "gender": row[3],
            "city": row[4],
            "country": row[5],
            "attributes": json.loads(row[6]),
            "created_at": row[7],
            "updated_at": row[8],
            "destinations": destinations,
            "tags": tags,
        }

    def person_conversation_ids(self, person_id: int) -> list[int]:
        """Every conversation linked to the person, tombstones included."""
        rows = self.conn.execute("SELECT id FROM conversations WHERE person_id = ? ORDER BY id", (person_id,))
        return [int(r[0]) for r in rows]

    def move_destinations(self, source_id: int, target_id: int) -> int:
        cur = self.conn.execute("UPDATE destinations SET person_id = ? WHERE person_id = ?", (target_id, source_id))
        return int(cur.rowcount)

    def move_person_conversations(self, source_id: int, target_id: int) -> list[int]:
        """Link the source's conversations to the target. Stored display names and explicit-unlink marks
        are columns this does not touch."""
        rows = self.conn.execute(
            "UPDATE conversations SET person_id = ? WHERE person_id = ? RETURNING id", (target_id, source_id)
        ).fetchall()
        return sorted(int(r[0]) for r in rows)

    def delete_person(self, person_id: int) -> None:
        """Remove a person row; its tags (and any destination left) go with it."""
        self.conn.execute("DELETE FROM people WHERE id = ?", (person_id,))

    # --- what the duplicate scan reads --------------------------------------------------------------

    def named_people(self) -> Iterator[tuple[int, str | None, str | None, str | None, str | None, str | None]]:
        """(id, first_name, last_name, gender, city, country) of every person with a name."""
        yield from self.conn.execute(
            "SELECT id, first_name, last_name, gender, city, country FROM people "
            "WHERE first_name IS NOT NULL OR last_name IS NOT NULL"
        )

    def people_attributes(self, keys: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
        """(id, custom attributes) of the people whose attributes may hold one of ``keys``."""
        like = " OR ".join("attributes LIKE ?" for _ in keys)
        params = tuple(f"%{json.dumps(k)[1:-1]}%" for k in keys)
        for r in self.conn.execute(f"SELECT id, attributes FROM people WHERE {like}", params):
            yield int(r[0]), json.loads(r[1])

    def phone_values(self) -> Iterator[str]:
        """Every phone destination value."""
        for r in self.conn.execute("SELECT value FROM destinations WHERE type = 'phone'"):
            yield r[0]

    def phone_owners(self, values: list[str]) -> dict[str, int]:
        """value -> person id, for the phone destinations among ``values``."""
        found: dict[str, int] = {}
        for chunk, marks in chunks(values):
            rows = self.conn.execute(
                f"SELECT value, person_id FROM destinations WHERE type = 'phone' AND value IN ({marks})", chunk
            )
            found.update((r[0], int(r[1])) for r in rows)
        return found

    def first_destinations(self, person_ids: list[int]) -> dict[int, str]:
        """id -> the value of the person's first destination (the earliest added)."""
        found: dict[int, str] = {}
        for chunk, marks in chunks(person_ids):
            for r in self.conn.execute(
                f"SELECT person_id, value FROM destinations WHERE person_id IN ({marks}) ORDER BY id", chunk
            ):
                found.setdefault(int(r[0]), r[1])
        return found


def unused_person_id(conn: Connection, engine: Engine) -> int | None:
    """An id for a new person when the next one SQLite would pick belongs to a merged-away or an erased
    person (SQLite reuses the highest id after a delete; PostgreSQL's identity never does); else None.
    An erased person is known only by the audit record of the erasure, which names their id."""
    if engine.name != "sqlite":
        return None
    retired = conn.execute(
        "SELECT max(id) FROM (SELECT max(id) AS id FROM merged_people UNION ALL "
        "SELECT max(CAST(json_extract(subject, '$[0]') AS INTEGER)) FROM audit WHERE action = 'customer.erase')"
    ).fetchone()[0]
    if retired is None:
        return None
    highest = conn.execute("SELECT max(id) FROM people").fetchone()[0]
    return int(retired) + 1 if highest is None or int(retired) >= int(highest) else None


# --- the upgrade to schema 3 ------------------------------------------------------------------------


def renormalise_phones(db: Database) -> None:
    """Stored phone destinations and phone-channel contacts, as libphonenumber reads them.

    An older cctx only removed spaces, dashes and brackets, so ``+44 (0)20 7946 0958`` was stored as
    ``+4402079460958``. A value libphonenumber cannot read, or whose normalised form another
    destination already holds, is kept as it was (``customer duplicates`` reports the second case)."""
    conn = db.conn
    changes: list[tuple[int, str]] = []
    taken = set()
    for row in conn.execute("SELECT id, value FROM destinations WHERE type = 'phone' ORDER BY id").fetchall():
        key = number_key(row[1])
        taken.add(row[1])
        if key is not None and key != row[1]:
            changes.append((int(row[0]), key))
    for destination_id, key in changes:
        if key not in taken:
            conn.execute("UPDATE destinations SET value = ? WHERE id = ?", (key, destination_id))
            taken.add(key)
    contacts = conn.execute(
        "SELECT DISTINCT contact FROM conversations WHERE contact_type = 'phone'"
    ).fetchall()
    for (contact,) in contacts:
        key = number_key(contact)
        if key is not None and key != contact:
            conn.execute(
                "UPDATE conversations SET contact = ? WHERE contact_type = 'phone' AND contact = ?", (key, contact)
            )
