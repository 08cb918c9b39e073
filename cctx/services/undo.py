"""Undo: reverse one recorded change so that the rows it touched are exactly as they were before it.

Each undoable audit record holds its before-state (written by the change itself); an undo plans every
check and every write from that record first, then applies the plan in one transaction with an `undo`
record of its own. A record is refused, nothing changed, when: it is of an action that cannot be undone;
it was undone already; it lacks its before-state (written by an older cctx); a later change touched the
same conversation, person or destination (those must be undone first, newest first); or a row it needs
is gone. Stored display names are never changed (the display-name rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cctx.errors import Invalid, NotFound, quote
from cctx.models import AuditRecord
from cctx.person_fields import PERSON_FIELDS
from cctx.store import Store

# A row an audit record touched: ("conversation", id), ("person", id) or ("destination", "type:value").
Entity = tuple[str, Any]
Step = Callable[[Store], object]

UNDOABLE = (
    "conversation.link", "conversation.unlink", "conversation.relink", "conversation.merge",
    "customer.update", "customer.tag", "customer.untag", "destination.add", "destination.remove",
    "customer.merge",
)
_NEVER = {
    "import": "an import is not undone (its rows may be changed or deleted one by one)",
    "seed": "synthetic data is not undone",
    "history.purge": "purged conversations are gone for good",
    "customer.erase": "erased data is gone for good",
    "undo": "an undo is not undone itself (make the change again instead)",
    "agent.add": "agents are not undone",
    "agent.grant": "agents' rights are not undone (revoke them instead)",
    "agent.revoke": "agents' rights are not undone (grant them again instead)",
    "queue.add": "queues are not undone",
    "hold.add": "holds are not undone (release the hold instead)",
    "hold.release": "holds are not undone (add a new hold instead)",
    "customer.create": "a created customer is not undone (merge them into another, or erase them)",
    "customer.export": "an export changed nothing",
    "db.fix": "repairs are not undone (they made the database agree with itself)",
}


@dataclass(frozen=True)
class UndoResult:
    undone: int
    action: str
    conversations: int
    people: int
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "undone": self.undone, "action": self.action, "conversations": self.conversations,
            "people": self.people, "dry_run": self.dry_run,
        }


@dataclass
class UndoPlan:
    """The writes that reverse one record, and the conversations and people they change."""

    record: AuditRecord
    conversations: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)
    steps: list[Step] = field(default_factory=list)

    def result(self, dry_run: bool) -> UndoResult:
        return UndoResult(self.record.id, self.record.action, len(self.conversations), len(self.people), dry_run)


# --- what a record touched ------------------------------------------------------------------------


def _conversations(ids: Any) -> set[Entity]:
    """The conversations of a list of ids (anything else in a record, e.g. a count, names none)."""
    return {("conversation", i) for i in ids if isinstance(i, int)} if isinstance(ids, list) else set()


def _destinations(dests: Any) -> set[Entity]:
    if not isinstance(dests, list):
        return set()
    return {("destination", f"{d.get('type')}:{d.get('value')}") for d in dests if isinstance(d, dict)}


def touched(record: AuditRecord) -> set[Entity]:
    """The conversations, people and destinations whose rows the recorded change wrote."""
    d, action, subject = record.details, record.action, record.subject
    found = _conversations(d.get("autolinked") or [])
    if action == "conversation.link":
        if d.get("before") != d.get("after"):
            found |= _conversations(subject)
        if d.get("destination_added"):
            found |= {("person", d.get("after"))} | _destinations([d["destination_added"]])
    elif action in ("conversation.unlink", "conversation.relink", "conversation.merge"):
        found |= _conversations(subject) | _conversations(d.get("tombstones_repointed") or [])
    elif action in ("customer.update", "customer.create", "customer.tag", "customer.untag",
                    "destination.add", "destination.remove"):
        found |= {("person", subject[0])} if subject else set()
        found |= _destinations(d.get("destinations_added") or d.get("destinations") or [])
        found |= _destinations([d["destination"]]) if isinstance(d.get("destination"), dict) else set()
    elif action == "customer.merge":
        found |= {("person", p) for p in subject} | _conversations(d.get("conversations_moved") or [])
        sources = d.get("sources")
        for profile in sources.values() if isinstance(sources, dict) else []:
            if isinstance(profile, dict):
                found |= _destinations(profile.get("destinations") or [])
    elif action == "db.fix":
        found |= _conversations(d.get("conversations") or [])
    return found


# --- refusals ---------------------------------------------------------------------------------------


def _refuse(record: AuditRecord, reason: str) -> Invalid:
    return Invalid(f"audit record {record.id} ({record.action}) cannot be undone: {reason}")


def _need(record: AuditRecord, *keys: str, within: dict[str, Any] | None = None) -> None:
    details = record.details if within is None else within
    missing = [k for k in keys if k not in details]
    if missing:
        raise _refuse(record, f"it was written by an older cctx and lacks what an undo needs ({', '.join(missing)})")


def _later_changes(store: Store, record: AuditRecord, undone_by: dict[int, int]) -> list[int]:
    """Ids of the later records (not undone, not undos) that touched a row this one touched, newest first."""
    mine = touched(record)
    later = [
        r.id for r in store.undo.records_after(record.id)
        if r.action != "undo" and r.id not in undone_by and touched(r) & mine
    ]
    return sorted(later, reverse=True)


def _require_conversations(store: Store, record: AuditRecord, ids: Iterable[int]) -> None:
    wanted = set(ids)
    gone = sorted(wanted - store.conversations.existing_ids(wanted))
    if gone:
        raise _refuse(record, f"conversation {_listed(gone)} no longer exist{'s' if len(gone) == 1 else ''} "
                              "(purged or erased)")


def _require_people(store: Store, record: AuditRecord, ids: Iterable[int | None]) -> None:
    wanted = {i for i in ids if i is not None}
    gone = sorted(wanted - store.people.existing_ids(wanted))
    for person_id in gone:
        chain = store.profiles.merge_chain(person_id)
        if chain:
            merged = f"person {person_id} was merged into {chain[0]} since"
            raise _refuse(record, f"{merged}: undo that customer merge first")
    if gone:
        raise _refuse(record, f"person {_listed(gone)} no longer exist{'s' if len(gone) == 1 else ''} (erased)")


def _require_linked(store: Store, record: AuditRecord, ids: Iterable[int], person_id: int | None) -> None:
    """The conversations are still linked as the record left them (else something unrecorded changed them)."""
    states = store.conversations.link_states(sorted(set(ids)))
    wrong = sorted(cid for cid, (pid, _, _) in states.items() if pid != person_id)
    if wrong:
        raise _refuse(record, f"conversation {_listed(wrong)} is no longer linked as the record left it")


def _require_owned(store: Store, record: AuditRecord, dest: dict[str, Any], person_id: int) -> None:
    if store.people.destination_owner(dest["type"], dest["value"]) != person_id:
        raise _refuse(record, f"destination {dest['type']}:{dest['value']} no longer belongs to person {person_id}")


def _listed(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


# --- one planner per action ---------------------------------------------------------------------------


def _unlink_autolinked(plan: UndoPlan, store: Store, person_id: int, autolinked: list[int]) -> None:
    """Auto-link only links unlinked conversations without the explicit-unlink mark: put them back so."""
    if autolinked:
        _require_conversations(store, plan.record, autolinked)
        _require_linked(store, plan.record, autolinked, person_id)
        plan.conversations |= set(autolinked)
        plan.steps.append(lambda r: r.conversations.set_links([(None, 0, cid) for cid in autolinked]))


def _plan_link(store: Store, plan: UndoPlan) -> None:
    record, d = plan.record, plan.record.details
    _need(record, "before", "after", "unlinked_explicitly_before")
    conversation_id, before, after = record.subject[0], d["before"], d["after"]
    dest = d.get("destination_added")
    if before != after:
        _require_conversations(store, record, [conversation_id])
        _require_people(store, record, [before])
        _require_linked(store, record, [conversation_id], after)
        marked = int(bool(d["unlinked_explicitly_before"]))
        plan.conversations.add(conversation_id)
        plan.steps.append(lambda r: r.conversations.set_links([(before, marked, conversation_id)]))
    _unlink_autolinked(plan, store, after, d.get("autolinked") or [])
    if dest:
        _require_owned(store, record, dest, after)
        plan.people.add(after)
        plan.steps.append(lambda r: r.people.remove_destination(after, dest["type"], dest["value"]))


def _plan_unlink(store: Store, plan: UndoPlan) -> None:
    record, d = plan.record, plan.record.details
    _need(record, "before", "was_marked_unlinked")
    conversation_id, before, marked = record.subject[0], d["before"], int(bool(d["was_marked_unlinked"]))
    _require_conversations(store, record, [conversation_id])
    _require_people(store, record, [before])
    _require_linked(store, record, [conversation_id], None)
    plan.conversations.add(conversation_id)
    plan.steps.append(lambda r: r.conversations.set_links([(before, marked, conversation_id)]))


def _plan_relink(store: Store, plan: UndoPlan) -> None:
    record = plan.record
    _need(record, "changes")
    changes: list[dict[str, Any]] = record.details["changes"]
    for change in changes[:1]:
        _need(record, "unlinked_explicitly_before", within=change)
    ids = [c["conversation"] for c in changes]
    _require_conversations(store, record, ids)
    _require_people(store, record, [c["before"] for c in changes])
    states = store.conversations.link_states(ids)
    wrong = sorted(c["conversation"] for c in changes if states[c["conversation"]][0] != c["after"])
    if wrong:
        raise _refuse(record, f"conversation {_listed(wrong)} is no longer linked as the record left it")
    rows = [(c["before"], int(bool(c["unlinked_explicitly_before"])), c["conversation"]) for c in changes]
    plan.conversations |= set(ids)
    plan.steps.append(lambda r: r.conversations.set_links(rows))


def _plan_merge(store: Store, plan: UndoPlan) -> None:
    record, d = plan.record, plan.record.details
    _need(record, "target", "items_from", "states_before", "participants_before", "tombstones_before")
    target = int(d["target"])
    items_from = {int(k): v for k, v in d["items_from"].items()}
    states = {int(k): v for k, v in d["states_before"].items()}
    tombstones = {int(k): v for k, v in d["tombstones_before"].items()}
    _require_conversations(store, record, [*states, *tombstones])
    item_ids = [i for ids in items_from.values() for i in ids]
    places = store.undo.item_places(item_ids)
    gone = sorted(set(item_ids) - places.keys())
    if gone:
        raise _refuse(record, f"item {_listed(gone)} no longer exist{'s' if len(gone) == 1 else ''}")
    moved = sorted(i for i, place in places.items() if place != target)
    if moved:
        raise _refuse(record, f"item {_listed(moved)} is no longer in conversation {target}")
    extra = sorted(set(store.conversations.participants(target)) - set(d["participants_before"]))
    plan.conversations |= set(states) | set(tombstones)

    def apply(r: Store) -> None:
        for source, ids in items_from.items():
            r.undo.move_items_back(source, ids)
        r.undo.remove_participants(target, extra)
        for cid, state in states.items():
            r.undo.restore_merge_state(cid, state)
        for tombstone, merged_into in tombstones.items():
            r.undo.restore_merged_into(tombstone, merged_into)

    plan.steps.append(apply)


def _plan_update(store: Store, plan: UndoPlan) -> None:
    record, d = plan.record, plan.record.details
    _need(record, "profile_before")
    person_id, before = record.subject[0], d["profile_before"]
    _require_people(store, record, [person_id])
    dests: list[dict[str, Any]] = d.get("destinations_added") or []
    for dest in dests:
        _require_owned(store, record, dest, person_id)
    _unlink_autolinked(plan, store, person_id, d.get("autolinked") or [])
    tags: list[str] = d.get("tags_added") or []
    plan.people.add(person_id)

    def apply(r: Store) -> None:
        for dest in dests:
            r.people.remove_destination(person_id, dest["type"], dest["value"])
        r.people.remove_tags(person_id, tags)
        r.people.update(person_id, before["fields"], before["attributes"], before["updated_at"])

    plan.steps.append(apply)


def _plan_tags(store: Store, plan: UndoPlan) -> None:
    record, d = plan.record, plan.record.details
    _need(record, "updated_at_before")
    person_id, updated_at = record.subject[0], d["updated_at_before"]
    _require_people(store, record, [person_id])
    plan.people.add(person_id)
    if record.action == "customer.tag":
        added: list[str] = d.get("added") or []
        plan.steps.append(lambda r: r.people.remove_tags(person_id, added))
    else:
        removed: list[str] = d.get("removed") or []
        plan.steps.append(lambda r: r.people.add_tags(person_id, removed))
    plan.steps.append(lambda r: r.people.touch(person_id, updated_at))


def _plan_destination_add(store: Store, plan: UndoPlan) -> None:
    record, d = plan.record, plan.record.details
    _need(record, "destination", "updated_at_before")
    person_id, dest, updated_at = record.subject[0], d["destination"], d["updated_at_before"]
    _require_people(store, record, [person_id])
    _require_owned(store, record, dest, person_id)
    _unlink_autolinked(plan, store, person_id, d.get("autolinked") or [])
    plan.people.add(person_id)
    plan.steps.append(lambda r: r.people.remove_destination(person_id, dest["type"], dest["value"]))
    plan.steps.append(lambda r: r.people.touch(person_id, updated_at))


def _plan_destination_remove(store: Store, plan: UndoPlan) -> None:
    record, d = plan.record, plan.record.details
    _need(record, "destination", "destination_id", "updated_at_before")
    person_id, dest, dest_id = record.subject[0], d["destination"], d["destination_id"]
    updated_at = d["updated_at_before"]
    _require_people(store, record, [person_id])
    owner = store.people.destination_owner(dest["type"], dest["value"])
    if owner is not None:
        raise _refuse(record, f"destination {dest['type']}:{dest['value']} now belongs to person {owner}")
    if store.undo.destination_with_id(dest_id) is not None:
        raise _refuse(record, f"destination id {dest_id} is held by another destination now")
    plan.people.add(person_id)
    plan.steps.append(lambda r: r.undo.insert_destination_with_id(dest_id, person_id, dest["type"], dest["value"]))
    plan.steps.append(lambda r: r.people.touch(person_id, updated_at))


def _plan_customer_merge(store: Store, plan: UndoPlan) -> None:
    record, d = plan.record, plan.record.details
    _need(record, "sources", "target_before", "conversations_by_source", "holds_moved")
    target, before = record.subject[0], d["target_before"]
    sources: list[dict[str, Any]] = list(d["sources"].values())
    conversations = {int(k): v for k, v in d["conversations_by_source"].items()}
    holds = {int(k): v for k, v in d["holds_moved"].items()}
    _require_people(store, record, [target])
    taken = sorted(store.people.existing_ids(p["id"] for p in sources))
    if taken:
        raise _refuse(record, f"person id {_listed(taken)} is held by another person now")
    for profile in sources:
        for dest in profile["destinations"]:
            if store.undo.destination_with_id(dest["id"]) != (target, dest["type"], dest["value"]):
                name = f"{dest['type']}:{dest['value']}"
                raise _refuse(record, f"destination {name} no longer belongs to person {target}")
    moved = [cid for ids in conversations.values() for cid in ids]
    _require_conversations(store, record, moved)
    _require_linked(store, record, moved, target)
    plan.people |= {target, *(p["id"] for p in sources)}
    plan.conversations |= set(moved)

    def apply(r: Store) -> None:
        for profile in sources:
            source = profile["id"]
            r.undo.restore_person_row(profile)
            r.undo.give_destinations(source, [dest["id"] for dest in profile["destinations"]])
            r.people.add_tags(source, profile["tags"])
            r.undo.give_conversations(source, conversations.get(source, []))
            r.undo.give_holds(source, holds.get(source, []))
            r.undo.forget_person_merge(source)
        r.people.remove_tags(target, d.get("tags_added") or [])
        r.people.update(target, {f: before[f] for f in PERSON_FIELDS}, before["attributes"], before["updated_at"])

    plan.steps.append(apply)


_PLANNERS: dict[str, Callable[[Store, UndoPlan], None]] = {
    "conversation.link": _plan_link,
    "conversation.unlink": _plan_unlink,
    "conversation.relink": _plan_relink,
    "conversation.merge": _plan_merge,
    "customer.update": _plan_update,
    "customer.tag": _plan_tags,
    "customer.untag": _plan_tags,
    "destination.add": _plan_destination_add,
    "destination.remove": _plan_destination_remove,
    "customer.merge": _plan_customer_merge,
}


def plan_undo(store: Store, audit_id: int) -> UndoPlan:
    """Every check of an undo, in the order a user would want to hear them; reads only."""
    record = store.undo.record(audit_id)
    if record is None:
        raise NotFound(f"audit record {quote(audit_id)} not found")
    planner = _PLANNERS.get(record.action)
    if planner is None:
        if record.action in _NEVER:
            raise _refuse(record, _NEVER[record.action])
        if record.action in UNDOABLE:
            raise _refuse(record, "this cctx cannot undo it yet")
        raise _refuse(record, "only changes to conversations' links and merges, and to customers' profiles, "
                              "tags, destinations and merges are undone")
    undone_by = store.undo.undone_by()
    if record.id in undone_by:
        raise _refuse(record, f"it was undone already, by audit record {undone_by[record.id]}")
    later = _later_changes(store, record, undone_by)
    if later:
        raise _refuse(record, f"later changes touched the same rows; undo them first, newest first: "
                              f"{', '.join(map(str, later))}")
    plan = UndoPlan(record)
    planner(store, plan)
    return plan


def undo(store: Store, audit_id: int, *, now: datetime, actor: str, dry_run: bool) -> UndoResult:
    """Reverse audit record ``audit_id``; --dry-run checks everything and reports, writing nothing."""
    if dry_run:
        return plan_undo(store, audit_id).result(dry_run=True)
    with store.transaction():
        plan = plan_undo(store, audit_id)
        for step in plan.steps:
            step(store)
        store.audit.record(now, actor, "undo", plan.record.subject, {"undoes": plan.record.id})
    return plan.result(dry_run=False)
