"""Results of administration: agents and queues, the audit log, db init, stats, import and seed."""

from typing import Any, NamedTuple

from cctx.models import AuditRecord


class AgentView(NamedTuple):
    """An agent and the queues it has rights to; ``changed`` only after `agent grant|revoke`."""

    name: str
    queues: tuple[str, ...]
    changed: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"name": self.name, "queues": list(self.queues)}
        if self.changed is not None:
            result["changed"] = self.changed
        return result


class QueueView(NamedTuple):
    """A queue and the agents with rights to it."""

    name: str
    agents: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "agents": list(self.agents)}


class AuditView(NamedTuple):
    """An audit record as `audit list|show` show it; ``undone_by`` is the `undo` record that reversed it."""

    record: AuditRecord
    undone_by: int | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.record._asdict(), "undone_by": self.undone_by}


class FileTightened(NamedTuple):
    file: str
    mode_before: str  # octal, e.g. "0644"


class InitResult(NamedTuple):
    """`db init`: the schema version reached and what was repaired on the way."""

    database: str
    schema_version: int
    upgraded_from: int | None
    files_tightened: tuple[FileTightened, ...]
    wal_restored_from: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "schema_version": self.schema_version,
            "upgraded_from": self.upgraded_from,
            "files_tightened": [f._asdict() for f in self.files_tightened],
            "wal_restored_from": self.wal_restored_from,
        }


class Stats(NamedTuple):
    """`db stats`: rows per table, conversations per status, the schema version and the engine."""

    tables: dict[str, int]
    conversations_by_status: dict[str, int]
    schema_version: int
    engine: str

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.tables,
            "conversations_by_status": self.conversations_by_status,
            "schema_version": self.schema_version,
            "engine": self.engine,
        }


class ImportCounts(NamedTuple):
    """`db import`: what the files added."""

    people: int
    conversations: int
    items: int
    agents: int
    queues: int

    def to_dict(self) -> dict[str, int]:
        return self._asdict()


class SeedResult(NamedTuple):
    """`db seed`: what the synthetic world holds, and how long it took."""

    counts: ImportCounts
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {**self.counts.to_dict(), "seconds": self.seconds}
