"""Merging people: one customer, one profile. Planned first (every check and every change), then the
same plan is applied in one transaction, or printed by --dry-run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cctx.errors import refusal
from cctx.person_fields import PERSON_FIELDS
from cctx.results.cards import PeopleMergeResult
from cctx.services.lookups import current_person_id
from cctx.store import Store

REFUSED = "customer merge refused, nothing changed"


@dataclass(frozen=True)
class PersonMergePlan:
    """What a person merge will do: computed once, printed by --dry-run, applied by a real run."""

    target: int
    sources: tuple[int, ...]
    target_before: dict[str, Any]
    source_profiles: tuple[dict[str, Any], ...]
    fields_after: dict[str, Any]
    attributes_after: dict[str, Any]
    tags_added: list[str]
    attributes_added: list[str]
    fields_filled: list[str]
    conversations: dict[int, list[int]] = field(default_factory=dict)  # source -> conversation ids

    @property
    def destinations_moved(self) -> int:
        return sum(len(p["destinations"]) for p in self.source_profiles)

    @property
    def conversations_moved(self) -> list[int]:
        return sorted(c for ids in self.conversations.values() for c in ids)

    def result(self, dry_run: bool) -> PeopleMergeResult:
        return PeopleMergeResult(
            self.target, self.sources, len(self.conversations_moved), self.destinations_moved,
            tuple(self.tags_added), tuple(self.attributes_added), tuple(self.fields_filled), dry_run,
        )

    def audit_details(self) -> dict[str, Any]:
        """Each source's whole profile before the merge and what moved where: enough to undo it."""
        return {
            "sources": {str(p["id"]): p for p in self.source_profiles},
            "target_before": self.target_before,
            "conversations_moved": self.conversations_moved,
            "conversations_by_source": {str(s): ids for s, ids in self.conversations.items()},
            "destinations_moved": self.destinations_moved,
            "tags_added": self.tags_added,
            "attributes_added": self.attributes_added,
            "fields_filled": self.fields_filled,
        }


def _resolve(store: Store, person_id: int, problems: list[str]) -> int | None:
    current = current_person_id(store, person_id)
    if current is None:
        problems.append(f"customer {person_id} not found")
    return current


def plan_merge(store: Store, target_id: int, source_ids: tuple[int, ...]) -> PersonMergePlan:
    """Check the ids (all problems at once) and compute the merged profile. Merged-away ids name the
    person they were merged into (with a note)."""
    problems: list[str] = []
    target = _resolve(store, target_id, problems)
    sources: list[int] = []
    given: dict[int, int] = {}
    for source_id in source_ids:
        source = _resolve(store, source_id, problems)
        if source is None:
            continue
        if source == target and source_id != source:
            problems.append(f"customer {source_id} is already merged into {target}")
        elif source == target:
            problems.append(f"customer {source_id} cannot be merged into itself")
        elif source in given:
            named = "" if given[source] == source_id else f" (as {given[source]})"
            problems.append(f"customer {source_id} is given twice{named}")
        else:
            given[source] = source_id
            sources.append(source)
    if problems or target is None:
        raise refusal(REFUSED, problems)
    target_profile = store.profiles.person_profile(target)
    profiles = [store.profiles.person_profile(s) for s in sources]
    assert target_profile is not None and all(p is not None for p in profiles)
    source_profiles = tuple(p for p in profiles if p is not None)
    fields = {f: target_profile[f] for f in PERSON_FIELDS}
    filled = []
    for name in PERSON_FIELDS:
        if fields[name] is None:
            value = next((p[name] for p in source_profiles if p[name] is not None), None)
            if value is not None:
                fields[name] = value
                filled.append(name)
    attributes = dict(target_profile["attributes"])
    added_attributes = []
    for profile in source_profiles:
        for key, value in profile["attributes"].items():
            if key not in attributes:
                attributes[key] = value
                added_attributes.append(key)
    tags = set(target_profile["tags"])
    added_tags = sorted({t for p in source_profiles for t in p["tags"]} - tags)
    return PersonMergePlan(
        target=target,
        sources=tuple(sources),
        target_before=target_profile,
        source_profiles=source_profiles,
        fields_after=fields,
        attributes_after=attributes,
        tags_added=added_tags,
        attributes_added=sorted(added_attributes),
        fields_filled=filled,
        conversations={s: store.profiles.person_conversation_ids(s) for s in sources},
    )


def merge_people(
    store: Store, target_id: int, source_ids: tuple[int, ...], *, now: datetime, actor: str, dry_run: bool
) -> PeopleMergeResult:
    """Bring SOURCES into TARGET: destinations, tags, attributes, empty fields and linked conversations;
    the sources are removed and their ids resolve to TARGET from now on. One transaction."""
    if dry_run:
        return plan_merge(store, target_id, source_ids).result(dry_run=True)
    with store.transaction():
        plan = plan_merge(store, target_id, source_ids)
        target = plan.target
        holds: dict[str, list[int]] = {}
        for source in plan.sources:
            store.profiles.move_destinations(source, target)
            store.profiles.move_person_conversations(source, target)
            holds[str(source)] = store.holds.move_holds(source, target)
            store.profiles.delete_person(source)
            store.profiles.record_person_merge(source, target, now)
        store.people.add_tags(target, plan.tags_added)
        store.people.update(target, plan.fields_after, plan.attributes_after, now)
        details = {**plan.audit_details(), "holds_moved": holds}
        store.audit.record(now, actor, "customer.merge", [target, *plan.sources], details)
        return plan.result(dry_run=False)
