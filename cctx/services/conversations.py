"""Conversations: the admin's worklist, one conversation with its items, and link / unlink (link and unlink)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from cctx.config import Retention
from cctx.errors import Conflict, Invalid, NotFound, quote
from cctx.models import Conversation
from cctx.refs import DestinationRef, PersonRef, parse_ref
from cctx.results.conversations import LinkResult, Summary, Transcript
from cctx.rules.visibility import is_expired
from cctx.services.lookups import agent_id_of, current_person_id
from cctx.services.retention import horizons
from cctx.services.summaries import summary
from cctx.store import Store


def get_conversation(store: Store, conversation_id: int) -> Conversation:
    conversation = store.conversations.get(conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


def _visible_to(store: Store, conversation_id: int, agent: str) -> Conversation:
    """The conversation if ``agent`` may see it (the history rule); one message for missing and hidden alike."""
    agent_id = agent_id_of(store, agent)
    conversation = store.conversations.get(conversation_id)
    if conversation is None or not store.conversations.agent_may_see(conversation_id, agent_id):
        raise NotFound(f"conversation {conversation_id} not found or not accessible")
    return conversation


def _target_seen_by(store: Store, tombstone: Conversation, agent: str) -> int | None:
    """A tombstone's ``merged_into`` as ``agent`` may see it: null unless the agent may see the target
    (its id would tell that a conversation the agent cannot open exists)."""
    target = tombstone.merged_into
    if target is None or not store.conversations.agent_may_see(target, agent_id_of(store, agent)):
        return None
    return target


def show(
    store: Store,
    conversation_id: int,
    *,
    retention: Retention | None,
    now: datetime,
    as_agent: str | None = None,
    kinds: tuple[str, ...] = (),
) -> Transcript:
    """The summary plus agents, merge state, expiry and the time-ordered items (optionally of some kinds)."""
    merged_into: int | None
    if as_agent is not None:
        conversation = _visible_to(store, conversation_id, as_agent)
        merged_into = _target_seen_by(store, conversation, as_agent)
    else:
        conversation = get_conversation(store, conversation_id)
        merged_into = conversation.merged_into
    items = tuple(i for i in store.conversations.items(conversation_id) if not kinds or i.kind in kinds)
    return Transcript(
        summary(conversation),
        tuple(store.conversations.participants(conversation_id)),
        merged_into,
        conversation.merged_at,
        is_expired(conversation, horizons(retention, now)),
        items,
    )


def _existing_person(store: Store, person_id: int) -> int:
    """The person an id names now: a merged-away id names the one it was merged into (with a note)."""
    current = current_person_id(store, person_id)
    if current is None:
        raise NotFound(f"person {person_id} not found")
    return current


def _contact_filter(store: Store, ref_text: str) -> tuple[int | None, tuple[str, str] | None]:
    """--contact REF: a person id gives that person's conversations, a destination its contact's."""
    ref = parse_ref(ref_text)
    if isinstance(ref, PersonRef):
        return _existing_person(store, ref.person_id), None
    return None, (ref.type, ref.value)


def list_conversations(
    store: Store,
    *,
    unlinked: bool = False,
    contacts: tuple[str, ...] = (),
    channels: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    queues: tuple[str, ...] = (),
    limit: int | None = None,
) -> Iterator[Summary]:
    """Conversation summaries matching every filter, oldest first; tombstones only with --status merged.

    A filter given several values matches any of them (``contacts``: any of these customers). Every
    value is checked before the query runs; the summaries are then made as they are read."""
    person_ids: list[int] = []
    contact_pairs: list[tuple[str, str]] = []
    for contact in dict.fromkeys(contacts):
        person_id, contact_pair = _contact_filter(store, contact)
        if person_id is not None:
            person_ids.append(person_id)
        if contact_pair is not None:
            contact_pairs.append(contact_pair)
    queue_ids: list[int] = []
    for queue in dict.fromkeys(queues):
        queue_id = store.agents.queue_id(queue)
        if queue_id is None:
            raise NotFound(f"queue {quote(queue)} not found")
        queue_ids.append(queue_id)
    found = store.conversations.list_conversations(
        unlinked=unlinked, person_ids=person_ids, contacts=contact_pairs, channels=channels, statuses=statuses,
        queue_ids=queue_ids, limit=limit,
    )
    return (summary(c) for c in found)


def relink_template(rows: Iterator[Summary]) -> Iterator[dict[str, Any]]:
    """Summaries turned into rows of the relink file: ``conversation,customer`` (the current link)."""
    return ({"conversation": r.id, "customer": r.customer_id} for r in rows)


def _changeable(store: Store, conversation_id: int) -> Conversation:
    conversation = get_conversation(store, conversation_id)
    if conversation.status == "merged":
        raise Invalid(
            f"conversation {conversation_id} is merged into {conversation.merged_into}: "
            f"link or unlink conversation {conversation.merged_into} instead"
        )
    return conversation


def _person_of(store: Store, ref_text: str) -> int:
    """The person a link points at: a person id that exists, or the owner of a destination."""
    ref = parse_ref(ref_text)
    if isinstance(ref, PersonRef):
        return _existing_person(store, ref.person_id)
    owner = store.people.destination_owner(ref.type, ref.value)
    if owner is None:
        raise NotFound(
            f"no person owns {ref}: a link needs a person (a person id, or a destination someone owns)"
        )
    return owner


def link(
    store: Store, conversation_id: int, ref_text: str, *, add_destination: bool, now: datetime, actor: str
) -> LinkResult:
    """Link the conversation to a person; with ``add_destination`` also give the person its contact."""
    with store.transaction():
        conversation = _changeable(store, conversation_id)
        person_id = _person_of(store, ref_text)
        destination = DestinationRef(conversation.contact_type, conversation.contact)
        owner = store.people.destination_owner(destination.type, destination.value) if add_destination else None
        if owner is not None and owner != person_id:
            raise Conflict(f"{destination} belongs to person {owner}; it cannot be added to person {person_id}")
        relinked = conversation.person_id != person_id
        if relinked:
            store.conversations.set_link(conversation_id, person_id, unlinked_explicitly=False)
        added = add_destination and owner is None
        autolinked: list[int] = []
        if added:
            store.people.add_destination(person_id, destination.type, destination.value)
            autolinked = store.people.autolink_contact(person_id, destination.type, destination.value)
        changed = relinked or added
        if changed:
            details: dict[str, Any] = {
                "before": conversation.person_id, "after": person_id,
                "unlinked_explicitly_before": conversation.unlinked_explicitly,  # what an undo puts back
            }
            if added:
                details["destination_added"] = {"type": destination.type, "value": destination.value}
                details["autolinked"] = autolinked
            store.audit.record(now, actor, "conversation.link", [conversation_id], details)
    if add_destination:
        return LinkResult(conversation_id, person_id, changed, added, tuple(autolinked))
    return LinkResult(conversation_id, person_id, changed)


def unlink(store: Store, conversation_id: int, *, now: datetime, actor: str) -> LinkResult:
    """Clear the link and mark the conversation explicitly unlinked, so auto-link leaves it alone."""
    with store.transaction():
        conversation = _changeable(store, conversation_id)
        changed = conversation.person_id is not None or not conversation.unlinked_explicitly
        if changed:
            store.conversations.set_link(conversation_id, None, unlinked_explicitly=True)
            store.audit.record(
                now, actor, "conversation.unlink", [conversation_id],
                {"before": conversation.person_id, "after": None,
                 "was_marked_unlinked": conversation.unlinked_explicitly},
            )
    return LinkResult(conversation_id, None, changed)
