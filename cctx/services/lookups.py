"""What a reference names: a customer (a person, or a destination nobody owns) or an agent.

One place decides what "not found" means for them.
"""

from __future__ import annotations

from cctx.errors import NotFound
from cctx.refs import DestinationRef, PersonRef, parse_ref
from cctx.repository import Repository


def customer_of(repo: Repository, ref_text: str) -> int | DestinationRef:
    """The person a reference names (an id that exists, or a destination's owner), or else the
    destination nobody owns: an unknown customer."""
    ref = parse_ref(ref_text)
    if isinstance(ref, PersonRef):
        if not repo.existing_person_ids([ref.person_id]):
            raise NotFound(f"customer {ref.person_id} not found")
        return ref.person_id
    owner = repo.destination_owner(ref.type, ref.value)
    return ref if owner is None else owner


def agent_id_of(repo: Repository, name: str) -> int:
    agent_id = repo.agent_id(name)
    if agent_id is None:
        raise NotFound(f"agent {name!r} not found")
    return agent_id
