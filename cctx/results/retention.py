"""Results about retention: the purge report, explain, forecast, the policy and legal holds."""

from datetime import datetime
from typing import Any, NamedTuple

from cctx.models import Hold
from cctx.times import format_ts


class PurgeReport(NamedTuple):
    """`history purge`: what was deleted (or, with --dry-run, would be), per channel, and how it went."""

    conversations: int
    items: int
    dry_run: bool
    horizon: str | None
    horizons: dict[str, str]
    by_channel: dict[str, int]
    items_by_channel: dict[str, int]
    batches: int
    held: int
    seconds: float
    resumed: tuple[dict[str, Any], ...] = ()  # interrupted runs this one finished
    longest_batch_ms: float | None = None  # not on a dry run
    wal_cleared: bool | None = None  # not on a dry run
    bytes_freed: int | None = None  # with --vacuum only

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "conversations": self.conversations,
            "items": self.items,
            "dry_run": self.dry_run,
            "horizon": self.horizon,
            "horizons": self.horizons,
            "by_channel": self.by_channel,
            "items_by_channel": self.items_by_channel,
            "batches": self.batches,
            "held": self.held,
        }
        if self.resumed:
            result["resumed"] = list(self.resumed)
        if not self.dry_run:
            result["longest_batch_ms"] = self.longest_batch_ms
            result["wal_cleared"] = self.wal_cleared
        if self.bytes_freed is not None:
            result["bytes_freed"] = self.bytes_freed
        result["seconds"] = self.seconds
        return result


class Explanation(NamedTuple):
    """`history explain`: why a conversation is kept or due for the purge."""

    conversation: int
    status: str
    channel: str
    closed_at: str | None
    expires_from: str | None
    policy: str  # "channel", "default" or "none"
    retention_days: int | None
    expires_at: str | None
    expired: bool
    held_by: tuple[int, ...]
    purgeable: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "held_by": list(self.held_by)}


class ForecastWeek(NamedTuple):
    start: datetime
    end: datetime
    conversations: int
    items: int
    by_channel: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": format_ts(self.start),
            "to": format_ts(self.end),
            "conversations": self.conversations,
            "items": self.items,
            "by_channel": self.by_channel,
        }


class Forecast(NamedTuple):
    """`history forecast`: what has expired already, then what expires week by week."""

    already_expired_conversations: int
    already_expired_items: int
    weeks: tuple[ForecastWeek, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "already_expired": {"conversations": self.already_expired_conversations,
                                "items": self.already_expired_items},
            "weeks": [w.to_dict() for w in self.weeks],
        }


class Policy(NamedTuple):
    """`history policy`: days kept by default and per channel (None and {} without a policy)."""

    default_days: int | None
    channels: dict[str, int | None]

    def to_dict(self) -> dict[str, Any]:
        return {"default_days": self.default_days, "channels": self.channels}


class HoldView(NamedTuple):
    """A legal hold as `hold add|list|release` show it, with whether it is active now."""

    hold: Hold
    active: bool

    def to_dict(self) -> dict[str, Any]:
        return {**self.hold._asdict(), "active": self.active}
