"""What the services return: typed, immutable results whose ``to_dict()`` is the JSON contract, in one place.

Output renders a result by calling ``to_dict()`` (cctx/output ``render``); tests and callers read attributes.
Results are ``NamedTuple`` classes: immutable and typed like a frozen dataclass, and a tenth of the cost to
define, which every command pays at start-up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from cctx.models import Destination, Hold
from cctx.times import format_ts


class ConversationCounts(NamedTuple):
    open: int
    closed: int

    def to_dict(self) -> dict[str, int]:
        return {"open": self.open, "closed": self.closed}


class Card(NamedTuple):
    """The customer context card: a known person, or an unknown customer (NULLs, the contact as name)."""

    customer_id: int | None
    name: str
    first_name: str | None
    last_name: str | None
    gender: str | None
    city: str | None
    country: str | None
    attributes: dict[str, Any]
    destinations: tuple[Destination, ...]
    tags: tuple[str, ...]
    conversations: ConversationCounts

    @property
    def known(self) -> bool:
        return self.customer_id is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "known": self.known,
            "name": self.name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "gender": self.gender,
            "city": self.city,
            "country": self.country,
            "attributes": dict(self.attributes),
            "destinations": [{"type": d.type, "value": d.value} for d in self.destinations],
            "tags": list(self.tags),
            "conversations": self.conversations.to_dict(),
        }


class ConversationCard(NamedTuple):
    """The card of a conversation's customer, with who the agent is talking with (refreshed if stale)."""

    card: Card
    conversation_id: int
    talking_with: str
    display_name_refreshed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.card.to_dict(),
            "conversation_id": self.conversation_id,
            "talking_with": self.talking_with,
            "display_name_refreshed": self.display_name_refreshed,
        }


class LinkResult(NamedTuple):
    """`conversation link` / `unlink`. ``autolinked`` is None unless a destination was asked to be added."""

    conversation: int
    customer: int | None
    changed: bool
    destination_added: bool | None = None
    autolinked: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"conversation": self.conversation, "customer": self.customer, "changed": self.changed}
        if self.autolinked is not None:
            result["destination_added"] = self.destination_added
            result["autolinked"] = list(self.autolinked)
        return result


class MergeResult(NamedTuple):
    """`conversation merge`: what moved (or, with --dry-run, would move) and the target's resulting state."""

    target: int
    merged: tuple[int, ...]
    items_moved: int
    dry_run: bool
    status: str
    closed_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "merged": list(self.merged),
            "items_moved": self.items_moved,
            "dry_run": self.dry_run,
            "status": self.status,
            "closed_at": self.closed_at,
        }


class RelinkResult(NamedTuple):
    """`conversation relink`: how many rows linked, unlinked and left as they were."""

    linked: int
    unlinked: int
    unchanged: int
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {"linked": self.linked, "unlinked": self.unlinked, "unchanged": self.unchanged, "dry_run": self.dry_run}


class HoldView(NamedTuple):
    """A legal hold as `hold add|list|release` show it, with whether it is active now."""

    hold: Hold
    active: bool

    def to_dict(self) -> dict[str, Any]:
        return {**self.hold._asdict(), "active": self.active}


class PurgeReport(NamedTuple):
    """`history purge`: what was deleted (or, with --dry-run, would be), per channel, and how it went."""

    conversations: int
    items: int
    dry_run: bool
    horizon: str | None
    horizons: dict[str, str]
    by_channel: dict[str, int]
    items_by_channel: dict[str, int]
    batches: int
    held: int
    seconds: float
    resumed: tuple[dict[str, Any], ...] = ()  # interrupted runs this one finished
    longest_batch_ms: float | None = None  # not on a dry run
    wal_cleared: bool | None = None  # not on a dry run
    bytes_freed: int | None = None  # with --vacuum only

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "conversations": self.conversations,
            "items": self.items,
            "dry_run": self.dry_run,
            "horizon": self.horizon,
            "horizons": self.horizons,
            "by_channel": self.by_channel,
            "items_by_channel": self.items_by_channel,
            "batches": self.batches,
            "held": self.held,
        }
        if self.resumed:
            result["resumed"] = list(self.resumed)
        if not self.dry_run:
            result["longest_batch_ms"] = self.longest_batch_ms
            result["wal_cleared"] = self.wal_cleared
        if self.bytes_freed is not None:
            result["bytes_freed"] = self.bytes_freed
        result["seconds"] = self.seconds
        return result


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


class PeopleMergeResult(NamedTuple):
    """`customer merge`: what moved from the sources into the target (or, with --dry-run, would move)."""

    target: int
    merged: tuple[int, ...]
    conversations_moved: int
    destinations_moved: int
    tags_added: tuple[str, ...]
    attributes_added: tuple[str, ...]
    fields_filled: tuple[str, ...]
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "merged": list(self.merged),
            "conversations_moved": self.conversations_moved,
            "destinations_moved": self.destinations_moved,
            "tags_added": list(self.tags_added),
            "attributes_added": list(self.attributes_added),
            "fields_filled": list(self.fields_filled),
            "dry_run": self.dry_run,
        }


class Summary(NamedTuple):
    """A conversation as `history show` and `conversation list` list it (the contract's summary keys)."""

    id: int
    channel: str
    status: str
    queue: str | None
    contact: str
    customer_id: int | None
    talking_with: str
    started_at: str
    closed_at: str | None
    last_activity_at: str
    messages: int
    notes: int
    call_events: int

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class SearchResult(NamedTuple):
    """A conversation found by `conversation search`: its summary and the best matching text."""

    summary: Summary
    snippet: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary._asdict(), "snippet": self.snippet}


class ItemView(NamedTuple):
    """One item of a transcript."""

    at: str
    kind: str
    author: str | None
    text: str | None
    event: str | None
    recording: str | None

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class Transcript(NamedTuple):
    """`conversation show`: the summary, the agents, merge state, expiry and the items in time order."""

    summary: Summary
    agents: tuple[str, ...]
    merged_into: int | None
    merged_at: str | None
    expired: bool
    items: tuple[ItemView, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary._asdict(),
            "agents": list(self.agents),
            "merged_into": self.merged_into,
            "merged_at": self.merged_at,
            "expired": self.expired,
            "items": [i._asdict() for i in self.items],
        }


class AuditView(NamedTuple):
    """An audit record as `audit list|show` show it; ``undone_by`` is the `undo` record that reversed it."""

    id: int
    at: str
    actor: str
    action: str
    subject: list[Any]
    details: dict[str, Any]
    undone_by: int | None

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


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


class Explanation(NamedTuple):
    """`history explain`: why a conversation is kept or due for the purge."""

    conversation: int
    status: str
    channel: str
    closed_at: str | None
    expires_from: str | None
    policy: str  # "channel", "default" or "none"
    retention_days: int | None
    expires_at: str | None
    expired: bool
    held_by: tuple[int, ...]
    purgeable: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "held_by": list(self.held_by)}


class ErasureResult(NamedTuple):
    """`customer erase`: what was deleted (or, with --dry-run, would be); ``wal_cleared`` after a real run."""

    customer: int | None
    contact: str | None
    conversations: int
    items: int
    destinations: int
    dry_run: bool
    wal_cleared: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        result = self._asdict()
        if self.wal_cleared is None:
            del result["wal_cleared"]
        return result


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


class Policy(NamedTuple):
    """`history policy`: days kept by default and per channel (None and {} without a policy)."""

    default_days: int | None
    channels: dict[str, int | None]

    def to_dict(self) -> dict[str, Any]:
        return {"default_days": self.default_days, "channels": self.channels}


class DuplicateGroup(NamedTuple):
    """`customer duplicates`: people who look like one customer, why, and their names."""

    people: tuple[int, ...]
    reasons: tuple[str, ...]
    names: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"people": list(self.people), "reasons": list(self.reasons), "names": list(self.names)}


class ForecastWeek(NamedTuple):
    start: datetime
    end: datetime
    conversations: int
    items: int
    by_channel: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": format_ts(self.start),
            "to": format_ts(self.end),
            "conversations": self.conversations,
            "items": self.items,
            "by_channel": self.by_channel,
        }


class Forecast(NamedTuple):
    """`history forecast`: what has expired already, then what expires week by week."""

    already_expired_conversations: int
    already_expired_items: int
    weeks: tuple[ForecastWeek, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "already_expired": {"conversations": self.already_expired_conversations,
                                "items": self.already_expired_items},
            "weeks": [w.to_dict() for w in self.weeks],
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
