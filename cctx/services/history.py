"""A customer's conversation history (the history rule): whose it is, what an agent may see, what retention hides."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from cctx.config import Retention
from cctx.results.conversations import Summary
from cctx.services.lookups import agent_id_of, customer_of
from cctx.services.retention import horizons
from cctx.services.summaries import summary
from cctx.store import Store
from cctx.store.history import HistoryQuery


def history_scope(store: Store, ref: str) -> dict[str, Any]:
    """Whose history ``ref`` names: ``{"person_id": id}`` or, for a contact nobody owns,
    ``{"contact_type": type, "contact": value}`` (the unlinked conversations with it)."""
    customer = customer_of(store, ref)
    if isinstance(customer, int):
        return {"person_id": customer}
    return {"contact_type": customer.type, "contact": customer.value}


def history_query(
    store: Store,
    ref: str | None,
    *,
    channels: Sequence[str] = (),
    statuses: Sequence[str] = (),
    as_agent: str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    retention: Retention | None,
    now: datetime,
    named_posts: bool = False,
) -> HistoryQuery:
    """What a history shows of customer ``ref`` (None: of every customer, for a search), narrowed by the
    filters: the agent rule for ``as_agent`` and the retention horizons as of ``now``."""
    return HistoryQuery(
        **(history_scope(store, ref) if ref is not None else {}),
        channels=tuple(dict.fromkeys(channels)),
        statuses=tuple(dict.fromkeys(statuses)),
        horizons=horizons(retention, now),
        agent_id=None if as_agent is None else agent_id_of(store, as_agent),
        newest_first=newest_first,
        limit=limit,
        named_posts=named_posts,
    )


def show_history(store: Store, query: HistoryQuery) -> Iterator[Summary]:
    """The conversation summaries of a customer's history (``history_query``), oldest first unless the
    query says newest first.

    Posts channels and tombstones never appear (asking for a posts channel gives nothing); closed
    conversations past the retention horizon are hidden; an agent's query keeps what that agent may see.
    """
    return (summary(c) for c in store.history.conversations(query))
