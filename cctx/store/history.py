"""History queries: a customer's conversations under the history rule, filtered, ordered and limited in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from cctx.models import Conversation
from cctx.rules.visibility import agent_access_sql, in_history_sql, not_expired_sql, not_tombstone_sql
from cctx.store.base import AggregateStore, placeholders
from cctx.store.conversations import _SELECT_CONVERSATION, conversation_from_row
from cctx.store.engine import Engine

# The conversation columns of a summary, and the join that names the queue (search selects them too).
COLUMNS, JOINS = _SELECT_CONVERSATION.split(" FROM conversations c ", 1)

# Each history is read through one index whose tail (created_at, rowid) already gives the order, so there
# is no scan and no sort. INDEXED BY makes that a guarantee: with statistics, the planner could otherwise
# take conversations_by_person for `person_id IS NULL` and walk every unlinked conversation.
BY_PERSON = "conversations_by_person"
BY_CONTACT = "conversations_by_contact"


class HistoryQuery(NamedTuple):
    """Whose history (a person, or an unlinked contact) and the filters that narrow it.

    ``channels`` and ``statuses`` empty mean all; ``horizons`` maps a channel to the retention cut
    (None: never expires); ``agent_id`` set restricts to what that agent may see. Neither a person nor a
    contact: every customer (a search). ``named_posts``: a posts channel named in ``channels`` is shown
    (a search may look into posts; a history never shows them).
    """

    person_id: int | None = None
    contact_type: str | None = None
    contact: str | None = None
    channels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    horizons: dict[str, str | None] | None = None  # None: nothing expires
    agent_id: int | None = None
    newest_first: bool = False
    limit: int | None = None
    named_posts: bool = False


def history_filters(query: HistoryQuery) -> tuple[str | None, list[str], list[Any]]:
    """The WHERE terms of ``query`` with their parameters, and the index its customer is read through
    (None when it names no customer); every rule is a term, never Python."""
    params: list[Any] = []
    index: str | None
    if query.person_id is not None:
        index, where = BY_PERSON, ["c.person_id = ?"]
        params.append(query.person_id)
    elif query.contact_type is not None and query.contact is not None:
        index, where = BY_CONTACT, ["c.contact_type = ?", "c.contact = ?", "c.person_id IS NULL"]
        params += [query.contact_type, query.contact]
    else:
        index, where = None, []
    shown = not_tombstone_sql() if query.named_posts and query.channels else in_history_sql()
    fragments = [shown, not_expired_sql(query.horizons or {})]
    if query.agent_id is not None:
        fragments.append(agent_access_sql(query.agent_id))
    if query.channels:
        fragments.append((f"c.channel IN ({placeholders(query.channels)})", list(query.channels)))
    if query.statuses:
        fragments.append((f"c.status IN ({placeholders(query.statuses)})", list(query.statuses)))
    for text, values in fragments:
        if text == "TRUE":
            continue
        where.append(text)
        params += values
    return index, where, params


def history_sql(query: HistoryQuery, engine: Engine) -> tuple[str, list[Any]]:
    """The SELECT for ``query`` and its parameters."""
    index, where, params = history_filters(query)
    if index is None:
        raise ValueError("a history query needs a person or a contact")
    direction = "DESC" if query.newest_first else "ASC"
    sql = (
        f"{COLUMNS} FROM conversations c {engine.indexed_by(index)} {JOINS}"
        f" WHERE {' AND '.join(where)} ORDER BY c.created_at {direction}, c.id {direction}"
    )
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    return sql, params


class HistoryStore(AggregateStore):
    """The history query: a customer's visible conversations, and its plan."""

    def conversations(self, query: HistoryQuery) -> Iterator[Conversation]:
        """The conversations of ``query``, in order of start: the query runs at once and its rows are read
        as they are consumed, never all held at once."""
        sql, params = history_sql(query, self.engine)
        rows = self.engine.stream(self.conn, sql, params)
        return (conversation_from_row(row) for row in rows)

    def plan(self, query: HistoryQuery) -> list[str]:
        """The engine's plan of the same SQL ``history`` runs: one line per step."""
        sql, params = history_sql(query, self.engine)
        return self.engine.query_plan(self.conn, sql, params)
