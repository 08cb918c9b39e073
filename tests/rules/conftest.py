"""Worlds for the rule tests: a real database of each engine (tests/conftest.py's ``empty_cli``), and small
random worlds written into it through the stores, each inside a transaction that is rolled back at the end
of the example, so one database serves every example of a test."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from cctx.channels import CHANNELS
from cctx.models import Conversation
from cctx.store import Store
from tests.conftest import Cli

# A few moments, so that closing times, merge times and retention horizons often coincide.
TIMES = ("2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z", "2026-07-01T00:00:00Z")

# Every example reuses the test's database (its world is rolled back), hence the function-scoped fixture.
RULE_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def store(empty_cli: Cli) -> Iterator[Store]:
    """The stores over a fresh database with the schema, on each engine."""
    opened = Store.open(empty_cli.db, 5000)
    try:
        yield opened
    finally:
        opened.close()


class _Discard(Exception):
    """Ends a world: its transaction rolls back."""


@contextmanager
def world(store: Store) -> Iterator[None]:
    """A transaction for one example's world, rolled back when the example ends (a failing check still fails)."""
    try:
        with store.transaction():
            yield
            raise _Discard
    except _Discard:
        pass


def add_conversation(
    store: Store,
    *,
    channel: str,
    contact: str,
    status: str = "open",
    person_id: int | None = None,
    unlinked_explicitly: bool = False,
    queue: str | None = None,
    created_at: str = TIMES[0],
    closed_at: str | None = None,
    merged_at: str | None = None,
    agents: Sequence[str] = (),
    authors: Sequence[str] = (),
    display_name: str | None = None,
) -> int:
    """A conversation as cctx stores one; ``status`` "merged" makes it a tombstone merged at ``merged_at``
    into itself (no rule here looks at ``merged_into``). ``authors`` write one note each and become
    participants, as an import makes them."""
    conversation_id = store.conversations.add({
        "channel": channel,
        "contact_type": CHANNELS[channel].destination_type,
        "contact": contact,
        "person_id": person_id,
        "unlinked_explicitly": int(unlinked_explicitly),
        "queue_id": None if queue is None else store.agents.queue_id(queue),
        "status": ("closed" if closed_at else "open") if status == "merged" else status,
        "display_name": display_name or contact,
        "created_at": created_at,
        "closed_at": closed_at,
        "messages": 0,
        "notes": 0,
        "call_events": 0,
        "last_activity_at": created_at,
    })
    if authors and status != "merged":  # a tombstone's items went to its target; its participants stay
        store.conversations.add_items([(conversation_id, created_at, "note", a, "n", None, None) for a in authors])
        store.conversations.recount([conversation_id])
    store.conversations.add_participants(conversation_id, dict.fromkeys([*agents, *authors]))
    if status == "merged":
        store.conversations.mark_merged([conversation_id], conversation_id, merged_at or created_at)
    return conversation_id


def stored_conversations(store: Store) -> dict[int, Conversation]:
    """Every conversation as the store reads it back: the rows both forms of a rule judge."""
    ids = [r[0] for r in store.conn.execute("SELECT id FROM conversations ORDER BY id")]
    found = {i: store.conversations.get(i) for i in ids}
    return {i: c for i, c in found.items() if c is not None}


def selected_ids(store: Store, condition: str, params: Sequence[Any] = ()) -> set[int]:
    """The ids of the conversations ``c`` that an SQL condition selects."""
    return {int(r[0]) for r in store.conn.execute(f"SELECT c.id FROM conversations c WHERE {condition}", params)}
