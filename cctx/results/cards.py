"""Results about customers: the context card, duplicates, a people merge, an erasure."""

from typing import Any, NamedTuple

from cctx.models import Person
from cctx.person_fields import PERSON_FIELDS


class ConversationCounts(NamedTuple):
    open: int
    closed: int

    def to_dict(self) -> dict[str, int]:
        return {"open": self.open, "closed": self.closed}


class Card(NamedTuple):
    """The customer context card: a known person, or an unknown customer (NULLs, the contact as name)."""

    person: Person | None  # None: nobody owns the contact
    name: str
    attributes: dict[str, Any]  # the selected custom attributes
    conversations: ConversationCounts

    @property
    def known(self) -> bool:
        return self.person is not None

    def to_dict(self) -> dict[str, Any]:
        p = self.person
        return {
            "customer_id": None if p is None else p.id,
            "known": p is not None,
            "name": self.name,
            **{f: None if p is None else getattr(p, f) for f in PERSON_FIELDS},
            "attributes": dict(self.attributes),
            "destinations": [] if p is None else [{"type": d.type, "value": d.value} for d in p.destinations],
            "tags": [] if p is None else list(p.tags),
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


class DuplicateGroup(NamedTuple):
    """`customer duplicates`: people who look like one customer, why, and their names."""

    people: tuple[int, ...]
    reasons: tuple[str, ...]
    names: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"people": list(self.people), "reasons": list(self.reasons), "names": list(self.names)}


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
