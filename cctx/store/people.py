"""People, their destinations and tags."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from cctx.models import Destination, Person
from cctx.person_fields import PERSON_FIELDS
from cctx.rules.autolink import may_autolink_sql
from cctx.rules.display_names import full_name_sql
from cctx.rules.visibility import agent_access_sql, shown_in_history_sql
from cctx.store.base import AggregateStore, chunks, existing_ids, filtered, placeholders, storable
from cctx.store.profiles import unused_person_id

# (not closed, closed) among the rows counted; 0 and 0 for none.
_OPEN_CLOSED = (
    "coalesce(sum(CASE WHEN c.status <> 'closed' THEN 1 ELSE 0 END), 0), "
    "coalesce(sum(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), 0)"
)


class PeopleStore(AggregateStore):
    """People rows with their destinations and tags; auto-link of a contact."""

    def existing_ids(self, ids: Iterable[int]) -> set[int]:
        return existing_ids(self.conn, "people", ids)

    def get(self, person_id: int) -> Person | None:
        if not storable(person_id):
            return None
        found = self.get_many([person_id])
        return found[0] if found else None

    def destination_owner(self, dest_type: str, value: str) -> int | None:
        row = self.conn.execute(
            "SELECT person_id FROM destinations WHERE type = ? AND value = ?", (dest_type, value)
        ).fetchone()
        return None if row is None else int(row[0])

    def add(
        self, fields: dict[str, Any], attributes: dict[str, Any], now: datetime, person_id: int | None = None
    ) -> int:
        if person_id is None:
            person_id = unused_person_id(self.conn, self.engine)  # never the id of a merged-away person
        columns = ["id"] if person_id is not None else []
        columns += [*PERSON_FIELDS, "attributes", "created_at", "updated_at"]
        values = [*([person_id] if person_id is not None else []), *(fields.get(f) for f in PERSON_FIELDS)]
        values += [json.dumps(attributes, sort_keys=True), now, now]
        cur = self.conn.execute(
            f"INSERT INTO people ({', '.join(columns)}) VALUES ({placeholders(columns)}) RETURNING id", values
        )
        return int(cur.fetchone()[0])

    def add_destination(self, person_id: int, dest_type: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO destinations (person_id, type, value) VALUES (?, ?, ?)", (person_id, dest_type, value)
        )

    def add_tags(self, person_id: int, tags: Iterable[str]) -> int:
        cur = self.conn.executemany(
            "INSERT INTO tags (person_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING", [(person_id, t) for t in tags]
        )
        return cur.rowcount

    def autolink_contact(self, person_id: int, dest_type: str, value: str) -> list[int]:
        """Link the unlinked, not explicitly unlinked conversations with this contact (auto-link)."""
        rows = self.conn.execute(
            "UPDATE conversations SET person_id = ? WHERE contact_type = ? AND contact = ? "
            f"AND {may_autolink_sql('conversations')} RETURNING id",
            (person_id, dest_type, value),
        ).fetchall()
        return sorted(r[0] for r in rows)

    # --- the context card and People edits -------------------------------------------------------

    def get_many(self, person_ids: list[int]) -> list[Person]:
        """The people with these ids, with destinations and tags, in the order of ``person_ids``."""
        found: dict[int, Person] = {}
        for chunk, marks in chunks(person_ids):
            dests: dict[int, list[Destination]] = {}
            for r in self.conn.execute(
                f"SELECT person_id, type, value FROM destinations WHERE person_id IN ({marks}) ORDER BY id", chunk
            ):
                dests.setdefault(r[0], []).append(Destination(r[1], r[2]))
            tags: dict[int, list[str]] = {}
            for r in self.conn.execute(
                f"SELECT person_id, tag FROM tags WHERE person_id IN ({marks}) ORDER BY tag", chunk
            ):
                tags.setdefault(r[0], []).append(r[1])
            for row in self.conn.execute(f"SELECT * FROM people WHERE id IN ({marks})", chunk):
                found[row["id"]] = Person(
                    id=row["id"],
                    first_name=row["first_name"],
                    last_name=row["last_name"],
                    gender=row["gender"],
                    city=row["city"],
                    country=row["country"],
                    attributes=json.loads(row["attributes"]),
                    destinations=tuple(dests.get(row["id"], ())),
                    tags=tuple(tags.get(row["id"], ())),
                )
        return [found[i] for i in person_ids if i in found]

    def find_ids(
        self, tags: Sequence[str] = (), search: str | None = None, limit: int | None = None
    ) -> Iterator[int]:
        """Ids of people with any of ``tags`` whose name, city, country or a destination value contains
        ``search`` (case-insensitive), in id order. The query runs at once; its ids are read as consumed."""
        where: list[str] = []
        params: list[Any] = []
        if tags:
            where.append(f"EXISTS (SELECT 1 FROM tags t WHERE t.person_id = p.id AND t.tag IN ({placeholders(tags)}))")
            params.extend(tags)
        if search:
            needle = f"%{_escape_like(search.casefold())}%"
            fields = ["p.first_name", "p.last_name", full_name_sql("p"), "p.city", "p.country"]
            matches = [f"{self.engine.casefold(f)} LIKE ? ESCAPE '\\'" for f in fields]
            matches.append(
                "EXISTS (SELECT 1 FROM destinations d WHERE d.person_id = p.id "
                f"AND {self.engine.casefold('d.value')} LIKE ? ESCAPE '\\')"
            )
            where.append("(" + " OR ".join(matches) + ")")
            params.extend([needle] * len(matches))
        sql = filtered("SELECT p.id FROM people p", where, "p.id", limit, params)
        rows = self.engine.stream(self.conn, sql, params)
        return (int(r[0]) for r in rows)

    def conversation_counts(
        self, person_ids: list[int], horizons: dict[str, str | None], agent_id: int | None = None
    ) -> dict[int, tuple[int, int]]:
        """Per person, (not closed, closed) among the conversations their history shows (the history rule); with
        ``agent_id``, among those that agent may see."""
        shown_sql, shown_params = _shown(horizons, agent_id)
        counts: dict[int, tuple[int, int]] = {}
        for chunk, marks in chunks(person_ids):
            rows = self.conn.execute(
                f"SELECT c.person_id, {_OPEN_CLOSED} FROM conversations c "
                f"WHERE c.person_id IN ({marks}) AND {shown_sql} GROUP BY c.person_id",
                [*chunk, *shown_params],
            )
            counts.update({r[0]: (int(r[1]), int(r[2])) for r in rows})
        return counts

    def contact_conversation_counts(
        self, dest_type: str, value: str, horizons: dict[str, str | None], agent_id: int | None = None
    ) -> tuple[int, int]:
        """(not closed, closed) among the unlinked conversations with this contact that history shows (to
        ``agent_id`` when given)."""
        shown_sql, shown_params = _shown(horizons, agent_id)
        row = self.conn.execute(
            f"SELECT {_OPEN_CLOSED} "
            "FROM conversations c WHERE c.contact_type = ? AND c.contact = ? AND c.person_id IS NULL "
            f"AND {shown_sql}",
            [dest_type, value, *shown_params],
        ).fetchone()
        return int(row[0]), int(row[1])

    def update(self, person_id: int, fields: dict[str, Any], attributes: dict[str, Any], now: datetime) -> None:
        """Replace the fields (PERSON_FIELDS; absent means NULL) and the custom attributes of a person."""
        self.conn.execute(
            "UPDATE people SET first_name = ?, last_name = ?, gender = ?, city = ?, country = ?, attributes = ?, "
            "updated_at = ? WHERE id = ?",
            (*(fields.get(f) for f in PERSON_FIELDS), json.dumps(attributes, sort_keys=True), now, person_id),
        )

    def touch(self, person_id: int, now: datetime) -> None:
        self.conn.execute("UPDATE people SET updated_at = ? WHERE id = ?", (now, person_id))

    def remove_tags(self, person_id: int, tags: Iterable[str]) -> int:
        cur = self.conn.executemany(
            "DELETE FROM tags WHERE person_id = ? AND tag = ?", [(person_id, t) for t in tags]
        )
        return cur.rowcount

    def remove_destination(self, person_id: int, dest_type: str, value: str) -> int:
        cur = self.conn.execute(
            "DELETE FROM destinations WHERE person_id = ? AND type = ? AND value = ?", (person_id, dest_type, value)
        )
        return cur.rowcount

    def set_display_name(self, conversation_id: int, expected: str, name: str) -> bool:
        """Store ``name`` as the conversation's "talking with" if it still holds ``expected``."""
        cur = self.conn.execute(
            "UPDATE conversations SET display_name = ? WHERE id = ? AND display_name = ?",
            (name, conversation_id, expected),
        )
        return cur.rowcount > 0


def _shown(horizons: dict[str, str | None], agent_id: int | None) -> tuple[str, list[Any]]:
    """What a history shows (to ``agent_id``, when given: the same rule as `history show --as-agent`)."""
    shown_sql, shown_params = shown_in_history_sql(horizons)
    if agent_id is None:
        return shown_sql, shown_params
    access_sql, access_params = agent_access_sql(agent_id)
    return f"{shown_sql} AND {access_sql}", [*shown_params, *access_params]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
