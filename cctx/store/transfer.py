"""Whole tables read in id order and written in bulk: what `db copy` moves between databases."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cctx.store.base import AggregateStore

# Every table of a cctx database, parents before children; a table missing from the source is skipped.
# Columns the engine computes (the retention start) are not copied, and full-text indexes are kept by
# the target's own triggers.
COPY_ORDER = (
    "people", "destinations", "tags", "queues", "agents", "agent_queues", "conversations", "participants",
    "items", "merged_people", "holds", "audit", "purge_progress",
)
ORDER_BY = {"tags": "person_id, tag", "agent_queues": "agent_id, queue_id", "participants": "conversation_id, agent_id"}
FETCH = 5000


class TransferStore(AggregateStore):
    """Whole tables, read and written for `db copy`."""

    def copied_tables(self) -> list[str]:
        """The tables of COPY_ORDER this database holds, in that order."""
        present = set(self.engine.table_names(self.conn))
        return [t for t in COPY_ORDER if t in present]

    def row_count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def table_columns(self, table: str) -> list[str]:
        """The stored (not computed) columns of ``table``, in their order."""
        return self.engine.stored_columns(self.conn, table)

    def table_rows(self, table: str, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Every row of ``table`` (a constant of COPY_ORDER), in id order, read a block at a time."""
        order = ORDER_BY.get(table, "id")
        cur = self.conn.execute(f"SELECT {','.join(columns)} FROM {table} ORDER BY {order}")
        for row in cur:
            yield tuple(row)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write ``rows`` into ``table`` with the engine's bulk path; return how many."""
        return self.engine.bulk_insert(self.conn, table, columns, rows)

    def drop_indexes_of(self, tables: Sequence[str]) -> list[str]:
        """Drop the secondary indexes of ``tables``; return their CREATE statements, in order."""
        indexes = self.engine.secondary_indexes(self.conn, tables)
        for name, _ in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in indexes]

    def create_indexes(self, statements: Iterable[str]) -> None:
        """Re-run CREATE INDEX statements read by ``drop_indexes_of``."""
        for sql in statements:
            self.conn.execute(sql)

    def set_merged_into(self, pairs: Iterable[tuple[int, int]]) -> None:
        """(tombstone id, target id): links written after every conversation exists."""
        self.conn.executemany(
            "UPDATE conversations SET merged_into = ? WHERE id = ?", ((target, tomb) for tomb, target in pairs)
        )

