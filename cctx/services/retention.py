"""Retention: horizons per channel and the configured policy (what is expired as of a horizon is the visibility
rule's, in cctx/rules/visibility.py).

The purge that deletes what is expired is in services/purge.py: `history show` and `customer show` need
the horizons, not the purge machinery, and do not import it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cctx.channels import CHANNEL_SLUGS
from cctx.config import Retention
from cctx.times import format_ts

Horizons = dict[str, str | None]


def age_in_days(days: int) -> timedelta:
    """``days`` as an age; more days than the calendar holds is the longest age."""
    try:
        return timedelta(days=days)
    except OverflowError:
        return timedelta.max


def cut_before(now: datetime, age: timedelta) -> str:
    """The horizon ``now - age`` as a stored timestamp; an age reaching past year 1 stops there."""
    try:
        return format_ts(now - age)
    except OverflowError:
        return format_ts(datetime.min.replace(tzinfo=UTC))


def horizons(retention: Retention | None, now: datetime, older_than: timedelta | None = None) -> Horizons:
    """Per channel, the moment before which a closed conversation is expired (None: never).

    ``older_than`` replaces the policy for every channel. With no policy nothing expires.
    """
    if older_than is not None:
        cut = cut_before(now, older_than)
        return {slug: cut for slug in CHANNEL_SLUGS}
    result: Horizons = {}
    for slug in CHANNEL_SLUGS:
        days = retention.days_for(slug) if retention else None
        result[slug] = None if days is None else cut_before(now, age_in_days(days))
    return result
