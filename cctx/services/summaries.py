"""The conversation summary shape shared by `history show` and `conversation list`."""

from __future__ import annotations

from typing import Any

from cctx.models import Conversation

SUMMARY_KEYS = (
    "id", "channel", "status", "queue", "contact", "customer_id", "talking_with", "started_at", "closed_at",
    "last_activity_at", "messages", "notes", "call_events",
)


def summary(conversation: Conversation) -> dict[str, Any]:
    """The contract's conversation summary keys, in order."""
    c = conversation
    return {
        "id": c.id,
        "channel": c.channel,
        "status": c.status,
        "queue": c.queue,
        "contact": c.contact,
        "customer_id": c.person_id,
        "talking_with": c.display_name,
        "started_at": c.created_at,
        "closed_at": c.closed_at,
        "last_activity_at": c.last_activity_at,
        "messages": c.messages,
        "notes": c.notes,
        "call_events": c.call_events,
    }
