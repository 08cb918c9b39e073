"""The immutable value types that cross the layers: what the stores return and the services reason on.

Each is a ``typing.NamedTuple``: immutable, compared and hashed by value, and cheap to define. A frozen
dataclass generates its methods (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``,
``__delattr__``) with ``exec`` when its module is imported, which for these seven cost about 4 ms of every
command's start-up. Change a value with ``_replace``; read it as a mapping with ``_asdict``. Annotations
are evaluated here (no ``from __future__ import annotations``): as strings, each would be compiled when
the class is made.
"""

from typing import Any, NamedTuple


class Destination(NamedTuple):
    type: str
    value: str




class Person(NamedTuple):
    id: int
    first_name: str | None
    last_name: str | None
    gender: str | None
    city: str | None
    country: str | None
    attributes: dict[str, Any]
    destinations: tuple[Destination, ...] = ()
    tags: tuple[str, ...] = ()


class Conversation(NamedTuple):
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


class Item(NamedTuple):
    id: int
    conversation_id: int
    at: str
    kind: str
    author: str | None
    text: str | None
    event: str | None
    recording: str | None


class AuditRecord(NamedTuple):
    id: int
    at: str
    actor: str
    action: str
    subject: list[Any]
    details: dict[str, Any]


class PurgeCandidate(NamedTuple):
    """A conversation a purge may delete: closed, or a merged tombstone, with its retention start."""

    id: int
    channel: str
    status: str
    expires_from: str | None


class Hold(NamedTuple):
    """A legal hold on one person (all their conversations) or one conversation."""

    id: int
    customer_id: int | None
    conversation_id: int | None
    reason: str
    until: str | None
    created_at: str
    created_by: str
    released_at: str | None
