"""What a reference names: a customer (a person, or a destination nobody owns) or an agent.

One place decides what "not found" means for them.
"""

from __future__ import annotations

from collections.abc import Iterable

from cctx.errors import NotFound, quote
from cctx.notices import note
from cctx.refs import DestinationRef, PersonRef, parse_ref
from cctx.store import Store


def current_person_id(store: Store, person_id: int) -> int | None:
    """The person an id names now: itself while it exists; for a merged-away person the one it was
    merged into (through a chain of merges, the last), with ``Note: person 12 was merged into 7`` on
    stderr; None when there is no such person."""
    if store.people.existing_ids([person_id]):
        return person_id
    chain = store.profiles.merge_chain(person_id)
    if not chain or not store.people.existing_ids([chain[-1]]):
        return None
    note(f"person {person_id} was merged into {chain[-1]}")
    return chain[-1]


def merged_targets(store: Store, person_ids: Iterable[int]) -> dict[int, int]:
    """For those of ``person_ids`` that were merged away (not people any more), the person each now
    names. Silent: the caller notes them with ``note_merged`` once it has decided to act."""
    found: dict[int, int] = {}
    for person_id in sorted(set(person_ids) - store.people.existing_ids(person_ids)):
        chain = store.profiles.merge_chain(person_id)
        if chain and store.people.existing_ids([chain[-1]]):
            found[person_id] = chain[-1]
    return found


def note_merged(targets: dict[int, int]) -> None:
    """``Note: person 12 was merged into 7`` for each merged-away id a command acted on."""
    for person_id, target in sorted(targets.items()):
        note(f"person {person_id} was merged into {target}")


def person_id_of(store: Store, person_id: int) -> int:
    """The person an id names now (see ``current_person_id``); not found is an error."""
    current = current_person_id(store, person_id)
    if current is None:
        raise NotFound(f"customer {person_id} not found")
    return current


def customer_of(store: Store, ref_text: str) -> int | DestinationRef:
    """The person a reference names (an id that exists, or a destination's owner), or else the
    destination nobody owns: an unknown customer."""
    ref = parse_ref(ref_text)
    if isinstance(ref, PersonRef):
        return person_id_of(store, ref.person_id)
    owner = store.people.destination_owner(ref.type, ref.value)
    return ref if owner is None else owner


def agent_id_of(store: Store, name: str) -> int:
    agent_id = store.agents.agent_id(name)
    if agent_id is None:
        raise NotFound(f"agent {quote(name)} not found")
    return agent_id
