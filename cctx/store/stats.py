"""Row counts of every table, for `db stats`."""

from __future__ import annotations

from cctx.store.base import AggregateStore

STAT_TABLES = (
    "people", "destinations", "tags", "conversations", "items", "participants",
    "agents", "queues", "audit",
)


class StatsStore(AggregateStore):
    """Row counts and sizes for `db stats`."""

    def table_counts(self) -> dict[str, int]:
        # Table names come from the constant above, never from input.
        return {t: int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in STAT_TABLES}

    def conversations_by_status(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT status, count(*) FROM conversations GROUP BY status ORDER BY status")
        return {r[0]: int(r[1]) for r in rows}

    def file_size(self) -> int:
        return self.engine.size_bytes(self.conn)

    def table_names(self) -> list[str]:
        """Every table the database holds (an empty list for a new one)."""
        return self.engine.table_names(self.conn)
