"""Frozen dataclasses that cross the layers: what the repository returns and the services reason on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Destination:
    type: str
    value: str


# The fields of a person that are columns (and command-line options), as opposed to custom attributes.
PERSON_FIELDS = ("first_name", "last_name", "gender", "city", "country")


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str | None
    last_name: str | None
    gender: str | None
    city: str | None
    country: str | None
    attributes: dict[str, Any] = field(default_factory=dict)
    destinations: tuple[Destination, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conversation:
    id: int
    channel: str
    contact_type: str
    contact: str
    person_id: int | None
    unlinked_explicitly: bool
    queue: str | None
    status: str
    display_name: str
    created_at: str
    closed_at: str | None
    merged_into: int | None
    merged_at: str | None
    messages: int
    notes: int
    call_events: int
    last_activity_at: str


@dataclass(frozen=True)
class Item:
    id: int
    conversation_id: int
    at: str
    kind: str
    author: str | None
    text: str | None
    event: str | None
    recording: str | None


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: str
    actor: str
    action: str
    subject: list[Any]
    details: dict[str, Any]


@dataclass(frozen=True)
class PurgeCandidate:
    """A conversation a purge may delete: closed, or a merged tombstone, with its retention start."""

    id: int
    channel: str
    status: str
    expires_from: str | None


@dataclass(frozen=True)
class Hold:
    """A legal hold on one person (all their conversations) or one conversation."""

    id: int
    customer_id: int | None
    conversation_id: int | None
    reason: str
    until: str | None
    created_at: str
    created_by: str
    released_at: str | None

    def active(self, now: str) -> bool:
        """Not released and its `until` not yet past."""
        return self.released_at is None and (self.until is None or self.until > now)
