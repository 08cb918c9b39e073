"""The conversation summary shared by `history show`, `conversation list` and `conversation search`."""

from __future__ import annotations

from cctx.models import Conversation
from cctx.results.conversations import Summary

SUMMARY_KEYS = Summary._fields  # the CSV header, also when nothing is listed


def summary(c: Conversation) -> Summary:
    """The contract's conversation summary of a stored conversation."""
    return Summary(
        c.id, c.channel, c.status, c.queue, c.contact, c.person_id, c.display_name, c.created_at, c.closed_at,
        c.last_activity_at, c.messages, c.notes, c.call_events,
    )
