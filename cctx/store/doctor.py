"""The doctor's checks: one set-based query each, returning how many rows break a rule and a few of their
ids; and the repairs of what is derivable (counters, last_activity_at, auto-links, journal mode, file
mode). Engine-specific checks (integrity, WAL, file mode) are SQLite-only methods."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from cctx.rules.autolink import awaiting_autolink_sql, contact_owner_sql, may_autolink_sql
from cctx.store.base import AggregateStore, chunks
from cctx.store.engine import Connection

EXAMPLES = 10

# Per conversation, its items counted by kind and its latest item's time; the counters and last_activity_at
# that differ from them, read in one pass over the items.
_WRONG_COUNTS = (
    "c.messages <> coalesce(i.messages, 0) OR c.notes <> coalesce(i.notes, 0) "
    "OR c.call_events <> coalesce(i.call_events, 0)"
)
_WRONG_LAST = "c.last_activity_at <> coalesce(i.last, c.created_at)"
_ITEM_TOTALS = (
    f"SELECT c.id, CASE WHEN {_WRONG_COUNTS} THEN 1 ELSE 0 END, CASE WHEN {_WRONG_LAST} THEN 1 ELSE 0 END "
    "FROM conversations c LEFT JOIN (SELECT conversation_id, "
    "sum(CASE WHEN kind = 'message' THEN 1 ELSE 0 END) AS messages, "
    "sum(CASE WHEN kind = 'note' THEN 1 ELSE 0 END) AS notes, "
    "sum(CASE WHEN kind = 'call_event' THEN 1 ELSE 0 END) AS call_events, "
    "max(at) AS last FROM items GROUP BY conversation_id) i ON i.conversation_id = c.id "
    f"WHERE {_WRONG_COUNTS} OR {_WRONG_LAST} ORDER BY c.id"
)


def _canonical_phone(column: str) -> str:
    """A phone in canonical form (E.164, ^\\+[1-9][0-9]{1,14}$), written with functions both engines have:
    after the +, nothing is left once every digit is removed."""
    digits_removed = f"substr({column}, 2)"
    for digit in "0123456789":
        digits_removed = f"replace({digits_removed}, '{digit}', '')"
    return (
        f"({column} LIKE '+%' AND length({column}) BETWEEN 3 AND 16 AND substr({column}, 2, 1) <> '0' "
        f"AND {digits_removed} = '')"
    )


# check name -> query of the ids of the rows that break it
_QUERIES = {
    "items_in_tombstones": (
        "SELECT c.id FROM conversations c WHERE c.status = 'merged' "
        "AND EXISTS (SELECT 1 FROM items i WHERE i.conversation_id = c.id)"
    ),
    "merged_into": (
        "SELECT t.id FROM conversations t LEFT JOIN conversations c ON c.id = t.merged_into "
        "WHERE (t.status = 'merged' AND (c.id IS NULL OR c.status = 'merged')) "
        "OR (t.status <> 'merged' AND t.merged_into IS NOT NULL)"
    ),
    "closed_at": (
        "SELECT id FROM conversations WHERE (status = 'closed' AND closed_at IS NULL) "
        "OR (status IN ('open', 'waiting', 'solved') AND closed_at IS NOT NULL)"
    ),
    "autolink": f"SELECT c.id FROM conversations c WHERE {awaiting_autolink_sql('c')}",
    "phone_destinations": (
        f"SELECT DISTINCT person_id AS id FROM destinations WHERE type = 'phone' AND NOT {_canonical_phone('value')}"
    ),
    "phone_contacts": (
        f"SELECT id FROM conversations WHERE contact_type = 'phone' AND NOT {_canonical_phone('contact')}"
    ),
}
DATA_CHECKS = ("counters", "last_activity_at", *_QUERIES)


def _integrity_messages(conn: Connection) -> list[str]:
    messages = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    return [] if messages == ["ok"] else messages


class DoctorStore(AggregateStore):
    """What `db doctor` reads to check the database, and the rows its repairs rewrite."""

    def item_total_problems(self) -> tuple[list[int], list[int]]:
        """Ids of the conversations whose counters, and whose last_activity_at, differ from their items."""
        counters: list[int] = []
        last: list[int] = []
        for r in self.conn.execute(_ITEM_TOTALS):
            if r[1]:
                counters.append(r[0])
            if r[2]:
                last.append(r[0])
        return counters, last

    def rule_problems(self, check: str) -> tuple[int, list[int]]:
        """(how many rows break ``check``, the first EXAMPLES of their ids ascending)."""
        rows = self.conn.execute(
            f"SELECT id, count(*) OVER () FROM ({_QUERIES[check]}) p ORDER BY id LIMIT {EXAMPLES}"
        ).fetchall()
        return (int(rows[0][1]) if rows else 0), [r[0] for r in rows]

    def shaped_phones(self, check: str) -> Iterator[tuple[int, str]]:
        """(id, value) of the phones of ``check`` ("phone_destinations": person ids; "phone_contacts":
        conversation ids) that look canonical to SQL; whether libphonenumber writes them so is Python's
        to say (a value an older cctx stored, like +4402079460958, has the shape but not the form)."""
        table, id_column, value, kind = {
            "phone_destinations": ("destinations", "person_id", "value", "type"),
            "phone_contacts": ("conversations", "id", "contact", "contact_type"),
        }[check]
        rows = self.conn.execute(
            f"SELECT {id_column}, {value} FROM {table} WHERE {kind} = 'phone' AND {_canonical_phone(value)}"
        )
        return ((int(r[0]), str(r[1])) for r in rows)

    def rule_problem_ids(self, check: str) -> list[int]:
        return [r[0] for r in self.conn.execute(f"SELECT id FROM ({_QUERIES[check]}) p ORDER BY id")]

    def last_audit_action(self) -> tuple[int, str] | None:
        row = self.conn.execute("SELECT id, action FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    # --- repairs, in the caller's transaction ---------------------------------------------------------

    def autolink_to_owners(self, conversation_ids: Sequence[int]) -> None:
        """Link each conversation to the person who owns its contact (auto-link)."""
        for chunk, marks in chunks(list(conversation_ids)):
            self.conn.execute(
                f"UPDATE conversations SET person_id = {contact_owner_sql('conversations')} "
                f"WHERE id IN ({marks}) AND {may_autolink_sql('conversations')}",
                chunk,
            )

    # --- SQLite only ----------------------------------------------------------------------------------

    @property
    def is_sqlite(self) -> bool:
        return self.engine.name == "sqlite"

    def sqlite_read_mapped(self) -> None:
        """Read the file through memory mapping (up to SQLite's limit) for the rest of this connection: a
        check reads every page, and mapped pages are not copied through read() calls."""
        self.conn.execute("PRAGMA mmap_size = 2147418112")

    def sqlite_integrity(self) -> list[str]:
        """SQLite's integrity_check messages; empty when it says ok."""
        return _integrity_messages(self.conn)

    def sqlite_foreign_key_violations(self) -> list[str]:
        """``table:rowid`` of each row whose parent row is missing."""
        return [f"{r[0]}:{r[1]}" for r in self.conn.execute("PRAGMA foreign_key_check")]

    def sqlite_journal_mode(self) -> str:
        return str(self.conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()

    def sqlite_set_wal(self) -> None:
        self.conn.execute("PRAGMA journal_mode = WAL")

    def sqlite_files(self) -> list[Path]:
        """The database file and its -wal and -shm companions that exist."""
        path = self.engine.path
        companions = [Path(f"{path}-wal"), Path(f"{path}-shm")]
        return [path, *(p for p in companions if p.exists())]

    def sqlite_wal_size(self) -> int:
        wal = Path(f"{self.engine.path}-wal")
        return wal.stat().st_size if wal.exists() else 0

    @staticmethod
    def file_mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    @staticmethod
    def tighten_file(path: Path) -> None:
        os.chmod(path, 0o600)
