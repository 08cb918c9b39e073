"""Legal holds: placing, listing and releasing them. What they keep is the purge's and erasure's concern
(the SQL fragment in store/holds.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cctx.errors import Invalid, NotFound
from cctx.models import Hold
from cctx.refs import DestinationRef
from cctx.results.retention import HoldView
from cctx.services.lookups import customer_of
from cctx.times import format_ts, parse_ts

if TYPE_CHECKING:
    from cctx.store import Store

HOLD_KEYS = ("id", "customer_id", "conversation_id", "reason", "until", "created_at", "created_by",
             "released_at", "active")
MAX_REASON = 1000


def hold_view(hold: Hold, now: datetime) -> HoldView:
    """A hold as the commands show it, with whether it is active at ``now``."""
    return HoldView(hold, is_active(hold, now))


def is_active(hold: Hold, now: datetime) -> bool:
    """Not released, and its `until` (if any) not yet reached."""
    return hold.released_at is None and (hold.until is None or parse_ts(hold.until) > now)


def _reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise Invalid("--reason must not be empty: say why the data must be kept")
    if len(reason) > MAX_REASON:
        raise Invalid(f"--reason is longer than {MAX_REASON} characters")
    return reason


def _until(text: str | None, now: datetime) -> str | None:
    if text is None:
        return None
    moment = parse_ts(text, "--until")
    if moment <= now:
        raise Invalid(f"--until {format_ts(moment)} is not in the future (now is {format_ts(now)})")
    return format_ts(moment)


def _held_person(store: Store, ref: str) -> int:
    found = customer_of(store, ref)
    if isinstance(found, DestinationRef):
        raise NotFound(
            f"no person owns {found}: hold one of its conversations with --conversation ID instead"
        )
    return found


def add_hold(
    store: Store, *, customer: str | None, conversation_id: int | None, reason: str, until: str | None,
    now: datetime, actor: str,
) -> HoldView:
    """Place a hold on a person or on one conversation; audit `hold.add`."""
    if (customer is None) == (conversation_id is None):
        raise Invalid("give either --customer REF or --conversation ID")
    clean_reason = _reason(reason)
    clean_until = _until(until, now)
    with store.transaction():
        person_id = None if customer is None else _held_person(store, customer)
        if conversation_id is not None and store.conversations.get(conversation_id) is None:
            raise NotFound(f"conversation {conversation_id} not found")
        hold_id = store.holds.add(person_id, conversation_id, clean_reason, clean_until, now, actor)
        store.audit.record(now, actor, "hold.add", [hold_id], {
            "customer": person_id, "conversation": conversation_id, "reason": clean_reason, "until": clean_until,
        })
        hold = store.holds.get(hold_id)
    assert hold is not None
    return hold_view(hold, now)


def list_holds(store: Store, *, include_inactive: bool, now: datetime) -> list[HoldView]:
    return [hold_view(h, now) for h in store.holds.list_holds(now, include_inactive=include_inactive)]


def release_hold(store: Store, hold_id: int, *, now: datetime, actor: str) -> HoldView:
    """Release an active hold; a released or lapsed one is refused. Audit `hold.release`."""
    with store.transaction():
        hold = store.holds.get(hold_id)
        if hold is None:
            raise NotFound(f"hold {hold_id} not found")
        if hold.released_at is not None:
            raise Invalid(f"hold {hold_id} was already released at {hold.released_at}")
        if not is_active(hold, now):
            raise Invalid(f"hold {hold_id} already ended at {hold.until}")
        store.holds.release(hold_id, now)
        store.audit.record(now, actor, "hold.release", [hold_id], {
            "customer": hold.customer_id, "conversation": hold.conversation_id,
        })
        released = store.holds.get(hold_id)
    assert released is not None
    return hold_view(released, now)


def active_holds_text(hold_ids: list[int]) -> str:
    """``hold 3`` / ``holds 3, 5``: how an error names the holds in the way."""
    label = "hold" if len(hold_ids) == 1 else "holds"
    return f"{label} {', '.join(str(i) for i in hold_ids)}"
