"""The three reads scripts run most (`customer show`, `history show`, `conversation show`): what each does
once its options are read, whether click read them (cli/customer.py, cli/history.py,
cli/conversation.py) or the fast path (cli/fast.py). Nothing here imports click."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cctx.cli.app import App
from cctx.output import render

if TYPE_CHECKING:
    from cctx.results.cards import Card, ConversationCard


def render_card(app: App, card: Card | ConversationCard, fmt: str) -> None:
    """A context card in ``fmt``; as a table, with the attributes the configuration shows."""
    from cctx.output.card import card_view

    render(card, fmt, table=card_view(app.config.card_attributes))


def customer_show(app: App, ref: str | None, conversation_id: int | None, as_agent: str | None, fmt: str) -> None:
    """The context card of REF, or of conversation ``conversation_id``'s customer (exactly one is given)."""
    from cctx.services import people

    settings = people.card_settings(app.config, app.now)
    card: Card | ConversationCard
    if conversation_id is not None:
        card = people.conversation_card(app.store, conversation_id, settings, as_agent=as_agent)
    else:
        card = people.show(app.store, str(ref), settings, as_agent=as_agent)
    render_card(app, card, fmt)


def history_show(
    app: App, ref: str, channels: tuple[str, ...], statuses: tuple[str, ...], as_agent: str | None,
    newest_first: bool, limit: int | None, fmt: str,
) -> None:
    """The conversation history of REF."""
    from cctx.output.summaries import summaries_table
    from cctx.services.history import history_query, show_history
    from cctx.services.summaries import SUMMARY_KEYS

    query = history_query(
        app.store, ref, channels=channels, statuses=statuses, as_agent=as_agent, newest_first=newest_first,
        limit=limit, retention=app.config.retention, now=app.now,
    )
    rows = show_history(app.store, query)
    render(rows, fmt, table=summaries_table, empty="No conversation history", columns=SUMMARY_KEYS)


def conversation_show(
    app: App, conversation_id: int, as_agent: str | None, kinds: tuple[str, ...], fmt: str
) -> None:
    """Conversation ``conversation_id`` and its items, as a transcript."""
    from cctx.output.transcript import ITEM_COLUMNS, item_rows, transcript
    from cctx.services import conversations

    data = conversations.show(
        app.store, conversation_id, retention=app.config.retention, now=app.now, as_agent=as_agent, kinds=kinds
    )
    render(item_rows(data.to_dict()) if fmt == "csv" else data, fmt, table=transcript, columns=ITEM_COLUMNS)
