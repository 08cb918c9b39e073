"""Timestamps (ISO 8601 UTC with Z, to the second) and durations (90d, 12w, 36h)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from cctx.errors import Invalid, quote

_DURATION = r"^([1-9][0-9]*)([dwh])$"  # compiled (and cached by re) when a duration is read
MAX_DURATION_DIGITS = 18  # more is past the end of the calendar anyway (and int() refuses 4300+ digits)
_UNITS = {"d": "days", "w": "weeks", "h": "hours"}


def format_ts(moment: datetime) -> str:
    """Render an aware datetime as ``2026-05-01T09:00:00Z``."""
    utc = moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    return utc.isoformat(timespec="seconds") + "Z"  # always four-digit years, so the text sorts as time


def parse_ts(value: object, where: str = "timestamp") -> datetime:
    """Parse an ISO 8601 string (or a datetime from YAML) that carries a zone; return it in UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise Invalid(f"{where}: {quote(value)} is not an ISO 8601 timestamp (or not a real date)") from None
    elif isinstance(value, date):  # an unquoted YAML date
        day = value.isoformat()
        raise Invalid(f"{where}: {day} is a date without a time and zone (e.g. {day}T00:00:00Z)")
    else:
        raise Invalid(f"{where}: {quote(value)} is not an ISO 8601 timestamp")
    shown = quote(value.isoformat() if isinstance(value, datetime) else value)
    if moment.tzinfo is None:
        raise Invalid(f"{where}: {shown} has no time zone (add Z or an offset)")
    try:
        return moment.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):  # 0001-01-01T00:00+01:00 is in year 0 in UTC, 9999-12-31T23:00-05:00 past 9999
        raise Invalid(f"{where}: {shown} is outside the calendar in UTC (years 1 to 9999)") from None


def normalize_ts(value: object, where: str = "timestamp") -> str:
    """Parse any accepted timestamp and return its stored form."""
    return format_ts(parse_ts(value, where))


def parse_duration(value: str) -> timedelta:
    """``90d`` -> 90 days, ``12w`` -> 12 weeks, ``36h`` -> 36 hours."""
    match = re.match(_DURATION, value.strip())
    if not match:
        raise Invalid(f"duration {quote(value)} must be a positive whole number with d, w or h (e.g. 90d)")
    if len(match.group(1)) > MAX_DURATION_DIGITS:
        raise Invalid(f"duration {quote(value)} is too long: at most {MAX_DURATION_DIGITS} digits")
    try:
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    except OverflowError:  # longer than the calendar: reaches back past year 1
        return timedelta.max
