"""A customer's conversation history (rule 6): whose it is, what an agent may see, what retention hides."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cctx.config import Retention
from cctx.errors import NotFound
from cctx.refs import PersonRef, parse_ref
from cctx.repository import Repository
from cctx.repository.history import HistoryQuery
from cctx.services.retention import horizons
from cctx.services.summaries import summary


def history_scope(repo: Repository, ref: str) -> dict[str, Any]:
    """Whose history ``ref`` names: ``{"person_id": id}`` or, for a contact nobody owns,
    ``{"contact_type": type, "contact": value}`` (the unlinked conversations with it)."""
    parsed = parse_ref(ref)
    if isinstance(parsed, PersonRef):
        if not repo.existing_person_ids([parsed.person_id]):
            raise NotFound(f"customer {parsed.person_id} not found")
        return {"person_id": parsed.person_id}
    owner = repo.destination_owner(parsed.type, parsed.value)
    if owner is not None:
        return {"person_id": owner}
    return {"contact_type": parsed.type, "contact": parsed.value}


def agent_id_of(repo: Repository, name: str) -> int:
    found = repo.agent_id(name)
    if found is None:
        raise NotFound(f"agent {name!r} not found")
    return found


def show_history(
    repo: Repository,
    ref: str,
    *,
    channels: Sequence[str] = (),
    statuses: Sequence[str] = (),
    as_agent: str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    retention: Retention | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """The conversation summaries of a customer's history, oldest first unless ``newest_first``.

    Posts channels and tombstones never appear (asking for a posts channel gives nothing); closed
    conversations past the retention horizon are hidden; ``as_agent`` keeps what that agent may see.
    """
    query = HistoryQuery(
        **history_scope(repo, ref),
        channels=tuple(dict.fromkeys(channels)),
        statuses=tuple(dict.fromkeys(statuses)),
        horizons=horizons(retention, now),
        agent_id=None if as_agent is None else agent_id_of(repo, as_agent),
        newest_first=newest_first,
        limit=limit,
    )
    return [summary(c) for c in repo.history(query)]
