"""Row counts of every table, for `db stats`."""

from __future__ import annotations

import sqlite3

STAT_TABLES = (
    "people", "destinations", "tags", "conversations", "items", "participants",
    "agents", "queues", "audit",
)


class StatsRepository:
    conn: sqlite3.Connection

    def table_counts(self) -> dict[str, int]:
        # Table names come from the constant above, never from input.
        return {t: int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in STAT_TABLES}

    def conversations_by_status(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT status, count(*) FROM conversations GROUP BY status ORDER BY status")
        return {r[0]: int(r[1]) for r in rows}

    def file_size(self) -> int:
        page_size = self.conn.execute("PRAGMA page_size").fetchone()[0]
        page_count = self.conn.execute("PRAGMA page_count").fetchone()[0]
        return int(page_size) * int(page_count)

    def table_names(self) -> list[str]:
        """Every table the file holds (an empty list for a new file)."""
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
