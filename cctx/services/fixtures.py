"""`db import`: read fixture files, validate them together, then write all in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cctx import inputs
from cctx.channels import CHANNELS
from cctx.results.admin import ImportCounts
from cctx.rules.display_names import display_name
from cctx.services.fixture_validation import MISSING, ImportPlan, PersonPlan, recheck, validate
from cctx.services.progress import Advance, ProgressBar, no_progress
from cctx.store import Store


def read_documents(paths: list[str]) -> list[tuple[str, Any]]:
    """Read each file (YAML or JSON; ``-`` is stdin) and return (name, data) pairs."""
    documents = []
    for path in paths:
        source = inputs.read_text(path)
        documents.append((source.name, inputs.load_document(source)))
    return documents


def _write(store: Store, plan: ImportPlan, now: datetime, advance: Advance) -> tuple[ImportCounts, list[int]]:
    for queue in plan.queues:
        store.agents.add_queue(queue)
    for name, queues in plan.agents:
        store.agents.add_agent(name)
        store.agents.grant_queues(name, queues)
    autolinked: list[int] = []
    names: dict[int, tuple[str | None, str | None]] = {}
    for person in plan.people:
        person_id = store.people.add(person.fields, person.attributes, now, person.id)
        person.id = person_id  # a conversation's customer may be this plan
        names[person_id] = (person.fields.get("first_name"), person.fields.get("last_name"))
        store.people.add_tags(person_id, person.tags)
        for dest_type, value in person.destinations:
            store.people.add_destination(person_id, dest_type, value)
            autolinked.extend(store.people.autolink_contact(person_id, dest_type, value))
        advance(1)
    item_count = 0
    for conv in plan.conversations:
        channel = CHANNELS[conv.channel]
        explicit_unlink = conv.customer is None
        linked_id: int | None
        if conv.customer is MISSING:
            linked_id = store.people.destination_owner(channel.destination_type, conv.contact)
        elif isinstance(conv.customer, PersonPlan):
            linked_id = conv.customer.id
        else:
            linked_id = conv.customer
        linked_name: tuple[str | None, str | None] | None = None
        if linked_id is not None:
            if linked_id not in names:
                found = store.people.get(linked_id)
                names[linked_id] = (found.first_name, found.last_name) if found else (None, None)
            linked_name = names[linked_id]
        items = sorted(conv.items, key=lambda item: item[0])
        conversation_id = store.conversations.add(
            {
                "id": conv.id,
                "channel": conv.channel,
                "contact_type": channel.destination_type,
                "contact": conv.contact,
                "person_id": linked_id,
                "unlinked_explicitly": int(explicit_unlink),
                "queue_id": store.agents.queue_id(conv.queue) if conv.queue else None,
                "status": conv.status,
                "display_name": display_name(linked_name, conv.contact),
                "created_at": conv.created_at,
                "closed_at": conv.closed_at,
                "messages": sum(1 for i in items if i[1] == "message"),
                "notes": sum(1 for i in items if i[1] == "note"),
                "call_events": sum(1 for i in items if i[1] == "call_event"),
                "last_activity_at": items[-1][0] if items else conv.created_at,
            }
        )
        store.conversations.add_items([(conversation_id, *item) for item in items])
        authors = [i[2] for i in items if i[2] not in (None, "customer")]
        store.conversations.add_participants(conversation_id, dict.fromkeys([*conv.agents, *authors]))
        item_count += len(items)
        advance(1)
    counts = ImportCounts(len(plan.people), len(plan.conversations), item_count, len(plan.agents), len(plan.queues))
    return counts, sorted(autolinked)


def import_files(
    store: Store, paths: list[str], *, now: datetime, actor: str, progress: ProgressBar = no_progress
) -> ImportCounts:
    """Validate all files together, then write them in one transaction with one audit record.

    ``progress(n)`` opens a progress bar for the n people and conversations; advanced as each is written."""
    documents = read_documents(paths)
    plan = validate(store, documents)  # reads only: a large file is checked without holding the write lock
    with store.transaction():
        recheck(store, plan)
        with progress(len(plan.people) + len(plan.conversations)) as advance:
            counts, autolinked = _write(store, plan, now, advance)
        details: dict[str, Any] = {**counts.to_dict(), "files": [name for name, _ in documents]}
        if autolinked:
            details["autolinked"] = autolinked
        if any(counts):  # an import that adds nothing is a no-op: no audit record
            store.audit.record(now, actor, "import", [], details)
    return counts
