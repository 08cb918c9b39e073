"""`db copy`: everything in one database, written into another (either engine), ids and audit kept."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cctx.errors import Invalid
from cctx.services.progress import Advance, ProgressBar, no_progress
from cctx.store import Store


@dataclass(frozen=True)
class CopyResult:
    people: int
    conversations: int
    items: int
    audit: int
    to: str

    def to_dict(self) -> dict[str, Any]:
        return {"people": self.people, "conversations": self.conversations, "items": self.items,
                "audit": self.audit, "to": self.to}


def copy_database(source: Store, target: Store, *, progress: ProgressBar = no_progress) -> CopyResult:
    """Copy every table of ``source`` into ``target``, which must hold the schema and no data.

    The source is read in one snapshot; the target is written in one transaction, so a failed or
    interrupted copy leaves it empty. A tombstone's ``merged_into`` is written once every conversation
    exists, whatever the order of their ids.
    """
    if source.name == target.name:
        raise Invalid(f"cannot copy {source.name} onto itself")
    tables = source.transfer.copied_tables()
    on_target = target.transfer.copied_tables()  # in copy order, as the refusal names them
    missing = [t for t in tables if t not in on_target]
    if missing:
        names = ", ".join(missing)
        raise Invalid(f"{target.name} lacks the tables {names}: upgrade it with: cctx --db {target.name} db init")
    with source.retention.read_snapshot():
        counts = {t: source.transfer.row_count(t) for t in tables}
        with target.transaction():
            held = {t: n for t in on_target if (n := target.transfer.row_count(t))}
            if held:
                what = ", ".join(f"{t} {n}" for t, n in held.items())
                raise Invalid(f"{target.name} is not empty ({what}): db copy only writes into an empty database")
            indexes = target.transfer.drop_indexes_of(tables)  # rebuilt once after the load: far cheaper
            with progress(sum(counts.values())) as advance:
                for table in tables:
                    _copy_table(source, target, table, advance)
            target.transfer.create_indexes(indexes)
    return CopyResult(
        people=counts.get("people", 0), conversations=counts.get("conversations", 0),
        items=counts.get("items", 0), audit=counts.get("audit", 0), to=target.name,
    )


STEP = 10_000  # rows between progress updates


def _copy_table(source: Store, target: Store, table: str, advance: Advance) -> None:
    on_target = set(target.transfer.table_columns(table))
    columns = [c for c in source.transfer.table_columns(table) if c in on_target]
    link = columns.index("merged_into") if table == "conversations" else -1
    merged: list[tuple[int, int]] = []

    def rows() -> Iterator[tuple[Any, ...]]:
        done = 0
        for row in source.transfer.table_rows(table, columns):
            if link >= 0 and row[link] is not None:
                merged.append((row[0], row[link]))
                row = (*row[:link], None, *row[link + 1 :])
            yield row
            done += 1
            if done % STEP == 0:
                advance(STEP)
        advance(done % STEP)

    target.transfer.insert_rows(table, columns, rows())
    if merged:
        target.transfer.set_merged_into(merged)
