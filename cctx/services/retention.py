"""Retention: horizons per channel and what is expired (rule 7)."""

from __future__ import annotations

from datetime import datetime, timedelta

from cctx.channels import CHANNEL_SLUGS
from cctx.config import Retention
from cctx.models import Conversation
from cctx.times import format_ts

Horizons = dict[str, str | None]


def horizons(retention: Retention | None, now: datetime, older_than: timedelta | None = None) -> Horizons:
    """Per channel, the moment before which a closed conversation is expired (None: never).

    ``older_than`` replaces the policy for every channel. With no policy nothing expires.
    """
    if older_than is not None:
        cut = format_ts(now - older_than)
        return {slug: cut for slug in CHANNEL_SLUGS}
    result: Horizons = {}
    for slug in CHANNEL_SLUGS:
        days = retention.days_for(slug) if retention else None
        result[slug] = None if days is None else format_ts(now - timedelta(days=days))
    return result


def expires_from(conversation: Conversation) -> str | None:
    """The moment retention counts from: closed_at if closed, merged_at if a tombstone."""
    if conversation.status == "closed":
        return conversation.closed_at
    if conversation.status == "merged":
        return conversation.merged_at
    return None


def is_expired(conversation: Conversation, horizons_by_channel: Horizons) -> bool:
    start = expires_from(conversation)
    horizon = horizons_by_channel.get(conversation.channel)
    return start is not None and horizon is not None and start < horizon
