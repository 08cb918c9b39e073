"""Retention you can see: why one conversation is kept or due (`history explain`), and what expires
week by week (`history forecast`). Both read the policy, the holds and the purge's own rules; neither
changes anything."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cctx.channels import CHANNEL_SLUGS
from cctx.config import Retention
from cctx.errors import Invalid, NotFound
from cctx.results.retention import Explanation, Forecast, ForecastWeek, Policy
from cctx.rules.visibility import expires_from, past_horizon
from cctx.services.retention import age_in_days, cut_before
from cctx.times import format_ts, parse_ts

if TYPE_CHECKING:
    from cctx.models import Conversation
    from cctx.store import Store

DEFAULT_WEEKS = 12
MAX_WEEKS = 520
EXPLAIN_KEYS = ("conversation", "status", "channel", "closed_at", "expires_from", "policy", "retention_days",
                "expires_at", "expired", "held_by", "purgeable", "reason")


@dataclass(frozen=True)
class ChannelPolicy:
    source: str  # "channel", "default" or "none"
    days: int | None


def policy(retention: Retention | None) -> Policy:
    """The configured policy: days by default and per channel (null / empty without a policy)."""
    if retention is None:
        return Policy(None, {})
    return Policy(retention.default_days, {s: retention.channels[s] for s in CHANNEL_SLUGS if s in retention.channels})


def channel_policy(retention: Retention | None, channel: str) -> ChannelPolicy:
    """Where the retention of ``channel`` comes from: its own entry, the default, or nowhere."""
    if retention is not None and channel in retention.channels:
        return ChannelPolicy("channel", retention.channels[channel])
    if retention is not None and retention.default_days is not None:
        return ChannelPolicy("default", retention.default_days)
    return ChannelPolicy("none", None)


def _expires_at(start: str | None, days: int | None) -> str | None:
    if start is None or days is None:
        return None
    try:
        return format_ts(parse_ts(start) + age_in_days(days))
    except OverflowError:  # past the end of the calendar: never, in practice
        return None


def _is_expired(conv: Conversation, retention: Retention | None, now: datetime) -> bool:
    days = channel_policy(retention, conv.channel).days
    return days is not None and past_horizon(expires_from(conv), cut_before(now, age_in_days(days)))


def _expired_target(store: Store, conv: Conversation, retention: Retention | None,
                    now: datetime) -> Conversation | None:
    """For a tombstone: the first conversation it was merged into (transitively) that is expired; the
    purge deletes the tombstone along with it."""
    seen = {conv.id}
    current = conv
    while current.merged_into is not None and current.merged_into not in seen:
        target = store.conversations.get(current.merged_into)
        if target is None:
            return None
        if _is_expired(target, retention, now):
            return target
        seen.add(target.id)
        current = target
    return None


def _holds_text(hold_ids: list[int]) -> str:
    return ("hold " if len(hold_ids) == 1 else "holds ") + ", ".join(str(i) for i in hold_ids)


def _reason(conv: Conversation, policy: ChannelPolicy, expires_at: str | None, expired: bool,
            held_by: list[int], along: Conversation | None) -> str:
    if conv.status not in ("closed", "merged"):
        return f"It is {conv.status}: only closed conversations and merged tombstones expire, however old."
    keeps = {"channel": f"{conv.channel} keeps {policy.days} days", "default": f"the default keeps {policy.days} days"}
    if policy.source == "none" and along is None:
        return f"No retention policy covers {conv.channel}: it is kept forever."
    counted = "was merged" if conv.status == "merged" else "closed"
    if held_by:
        due = (f"it expired at {expires_at}" if expired else
               f"it would expire at {expires_at}" if expires_at else "it would not expire anyway")
        return f"It is kept by {_holds_text(held_by)}; {due}."
    if expired:
        return (f"It {counted} at {expires_from(conv)} and {keeps[policy.source]}: it expired at {expires_at} "
                "and the next purge deletes it.")
    if along is not None:
        return (f"It was merged into {along.id}, which has expired: the next purge deletes it with "
                f"conversation {along.id}.")
    if expires_at is None:
        return f"It {counted} at {expires_from(conv)}; its expiry lies past the end of the calendar."
    return f"It {counted} at {expires_from(conv)} and {keeps[policy.source]}: it expires at {expires_at}."


def explain(store: Store, conversation_id: int, retention: Retention | None, now: datetime) -> Explanation:
    """Why conversation ``conversation_id`` is kept or due for the purge."""
    conv = store.conversations.get(conversation_id)
    if conv is None:
        raise NotFound(f"conversation {conversation_id} not found")
    policy = channel_policy(retention, conv.channel)
    start = expires_from(conv)
    expires_at = _expires_at(start, policy.days)
    expired = _is_expired(conv, retention, now)
    held_by = store.holds.keeping(conv.id, now)
    along = None if expired or conv.status != "merged" else _expired_target(store, conv, retention, now)
    return Explanation(
        conversation=conv.id,
        status=conv.status,
        channel=conv.channel,
        closed_at=conv.closed_at,
        expires_from=start,
        policy=policy.source,
        retention_days=policy.days,
        expires_at=expires_at,
        expired=expired,
        held_by=tuple(held_by),
        purgeable=not store.holds.is_kept(conv.id, now) and (expired or along is not None),
        reason=_reason(conv, policy, expires_at, expired, held_by, along),
    )


def _bucket(start: str | None, boundaries: list[str] | None) -> int | None:
    """The first bucket whose boundary ``start`` is before (0: already expired; k: week k - 1)."""
    if start is None or boundaries is None:
        return None
    return next((k for k, cut in enumerate(boundaries) if start < cut), None)


def forecast(
    store: Store, retention: Retention | None, now: datetime, *, weeks: int = DEFAULT_WEEKS,
    channels: tuple[str, ...] = (),
) -> Forecast:
    """What expires in each of the next ``weeks`` weeks under the policy, holds excluded; first what has
    expired already (exactly what `history purge --dry-run` would delete)."""
    try:
        week_starts = [now + timedelta(weeks=k) for k in range(weeks + 1)]
    except OverflowError:
        raise Invalid(f"{weeks} weeks from {format_ts(now)} reach past the end of the calendar") from None
    wanted = set(channels) or set(CHANNEL_SLUGS)
    boundaries: dict[str, list[str]] = {}
    for slug in CHANNEL_SLUGS:
        days = channel_policy(retention, slug).days
        if slug in wanted and days is not None:
            age = age_in_days(days)
            boundaries[slug] = [cut_before(moment, age) for moment in week_starts]
    conversations: list[Counter[str]] = [Counter() for _ in range(weeks + 1)]
    items = [0] * (weeks + 1)
    with store.retention.read_snapshot():
        for slug, cuts in boundaries.items():
            for bucket, n, n_items in store.retention_views.closed_expiry_buckets(slug, cuts, now):
                conversations[bucket][slug] += n
                items[bucket] += n_items
        for _id, slug, merged_at, n_items, ancestors in store.retention_views.tombstone_chains(now):
            found = [_bucket(merged_at, boundaries.get(slug))]
            found += [_bucket(start, boundaries.get(a_slug)) for a_slug, start in ancestors]
            known = [b for b in found if b is not None]
            if known:
                conversations[min(known)][slug] += 1
                items[min(known)] += n_items
    return Forecast(
        sum(conversations[0].values()),
        items[0],
        tuple(
            ForecastWeek(
                week_starts[k],
                week_starts[k + 1],
                sum(conversations[k + 1].values()),
                items[k + 1],
                {s: conversations[k + 1][s] for s in CHANNEL_SLUGS if conversations[k + 1][s]},
            )
            for k in range(weeks)
        ),
    )
