"""Merge (the merge rules): plan every check and every change first, then apply the same plan in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cctx.channels import CHANNELS
from cctx.errors import refusal
from cctx.models import Conversation
from cctx.results.conversations import MergeResult
from cctx.store import Store


@dataclass(frozen=True)
class MergePlan:
    """What a merge will do: computed once, printed by --dry-run, applied by a real run."""

    target: int
    sources: tuple[int, ...]
    items_moved: int
    status_before: str
    status_after: str
    closed_at_before: str | None
    closed_at_after: str | None

    def result(self, dry_run: bool) -> MergeResult:
        return MergeResult(
            self.target, self.sources, self.items_moved, dry_run, self.status_after, self.closed_at_after
        )


def _customer(c: Conversation) -> tuple[str, Any]:
    """Who a conversation belongs to: its person, or (all unlinked) its contact on its destination type."""
    if c.person_id is not None:
        return ("person", c.person_id)
    return ("contact", (c.contact_type, c.contact))


def _describe(owner: tuple[str, Any]) -> str:
    kind, value = owner
    return f"person {value}" if kind == "person" else f"unlinked contact {value[0]}:{value[1]}"


def _check_ids(target: int, sources: tuple[int, ...]) -> list[str]:
    problems = []
    if target in sources:
        problems.append(f"conversation {target} cannot be merged into itself")
    seen: set[int] = set()
    for source in sources:
        if source in seen and source != target:
            problems.append(f"conversation {source} is listed twice")
        seen.add(source)
    return problems


def _check_conversations(target: Conversation, sources: list[Conversation]) -> list[str]:
    problems = []
    if target.status == "merged":
        problems.append(
            f"conversation {target.id} is a tombstone merged into {target.merged_into}; merge into that one"
        )
    for source in sources:
        if source.status == "merged":
            problems.append(f"conversation {source.id} is already merged into {source.merged_into}")
    owner, kind = _customer(target), CHANNELS[target.channel].kind
    for source in sources:
        if _customer(source) != owner:
            problems.append(
                f"conversation {source.id} belongs to {_describe(_customer(source))}, "
                f"conversation {target.id} to {_describe(owner)}: only one customer's conversations merge"
            )
        source_kind = CHANNELS[source.channel].kind
        if source_kind != kind:
            problems.append(
                f"conversation {source.id} is a {source_kind} conversation ({source.channel}), "
                f"conversation {target.id} a {kind} one ({target.channel}): only one channel kind merges"
            )
    return problems


def _status_after(target: Conversation, sources: list[Conversation]) -> tuple[str, str | None]:
    """A closed target reopens if a source was not closed; one that stays closed takes the latest closed_at."""
    if target.status != "closed":
        return target.status, target.closed_at
    if any(s.status != "closed" for s in sources):
        return "open", None
    return "closed", max(c.closed_at or "" for c in [target, *sources]) or None


def plan_merge(store: Store, target_id: int, source_ids: tuple[int, ...]) -> MergePlan:
    """Every check of a merge; raise listing all problems, else return the plan. Reads only."""
    problems = _check_ids(target_id, source_ids)
    unique = tuple(dict.fromkeys(s for s in source_ids if s != target_id))
    found = {cid: store.conversations.get(cid) for cid in (target_id, *unique)}
    problems += [f"conversation {cid} not found" for cid, c in found.items() if c is None]
    known = {cid: c for cid, c in found.items() if c is not None}
    target = known.get(target_id)
    sources = [known[s] for s in unique if s in known]
    if target is not None:
        problems += _check_conversations(target, sources)
    if problems or target is None:
        raise refusal("merge refused, nothing changed", problems)
    status, closed_at = _status_after(target, sources)
    return MergePlan(
        target=target_id,
        sources=unique,
        items_moved=store.conversations.item_count(unique),
        status_before=target.status,
        status_after=status,
        closed_at_before=target.closed_at,
        closed_at_after=closed_at,
    )


def _before_state(store: Store, plan: MergePlan) -> dict[str, Any]:
    """What an undo of the merge puts back: each source's items, the merged conversations' states and the
    target's participants, and where the sources' own tombstones pointed. JSON keys are ids as text."""
    ids = [plan.target, *plan.sources]
    return {
        "items_from": {str(cid): items for cid, items in store.undo.item_ids_of(plan.sources).items()},
        "states_before": {str(cid): state for cid, state in store.undo.merge_states(ids).items()},
        "participants_before": store.conversations.participants(plan.target),
        "tombstones_before": {str(t): into for t, into in store.undo.tombstones_of(plan.sources).items()},
    }


def merge(
    store: Store, target_id: int, source_ids: tuple[int, ...], *, now: datetime, actor: str, dry_run: bool
) -> MergeResult:
    """Move every item of the sources into the target and leave tombstones; --dry-run stops after the plan."""
    if dry_run:
        return plan_merge(store, target_id, source_ids).result(dry_run=True)
    with store.transaction():
        plan = plan_merge(store, target_id, source_ids)
        before = _before_state(store, plan)
        moved = store.conversations.move_items(plan.sources, plan.target)
        joined = store.conversations.copy_participants(plan.sources, plan.target)
        store.conversations.set_status(plan.target, plan.status_after, plan.closed_at_after)
        repointed = store.conversations.mark_merged(plan.sources, plan.target, now)
        store.conversations.recount([plan.target, *plan.sources])
        details: dict[str, Any] = {
            "target": plan.target,
            "merged": list(plan.sources),
            "items_moved": moved,
            "participants_added": joined,
            "status": {"before": plan.status_before, "after": plan.status_after},
            "closed_at": {"before": plan.closed_at_before, "after": plan.closed_at_after},
        }
        if repointed:
            details["tombstones_repointed"] = repointed
        details.update(before)
        store.audit.record(now, actor, "conversation.merge", [plan.target, *plan.sources], details)
    return plan.result(dry_run=False)
