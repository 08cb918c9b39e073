"""Privacy requests: a customer's export (right of access and portability) and erasure (right to be
forgotten)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cctx.config import Retention
from cctx.errors import Invalid
from cctx.models import Person
from cctx.person_fields import PERSON_FIELDS
from cctx.refs import DestinationRef
from cctx.results.cards import ErasureResult
from cctx.services import conversations as conversation_views
from cctx.services.holds import active_holds_text
from cctx.services.lookups import customer_of
from cctx.services.people import CardSettings, person_card
from cctx.times import format_ts

if TYPE_CHECKING:
    from cctx.store import Store

ERASED = "[erased]"
# Audit actions whose subject lists people, and those whose subject lists conversations.
_PERSON_ACTIONS = ("customer.", "destination.")
_CONVERSATION_ACTIONS = ("conversation.",)
_SUBSTRING_MIN = 4  # shorter values are redacted only where a whole value equals them


@dataclass(frozen=True)
class Customer:
    """Whose data: a person, or an unowned contact (customer null)."""

    person: Person | None
    contact: DestinationRef | None
    conversations: list[int]  # linked to the person
    unlinked: list[int]  # linked to nobody, with one of the person's destinations (or the contact) as contact

    @property
    def person_id(self) -> int | None:
        return None if self.person is None else self.person.id


def _customer(store: Store, ref_text: str) -> Customer:
    found = customer_of(store, ref_text)
    if isinstance(found, DestinationRef):
        return Customer(None, found, [], store.privacy.unlinked_conversation_ids([(found.type, found.value)]))
    person = store.people.get(found)
    assert person is not None  # customer_of checked it exists
    contacts = [(d.type, d.value) for d in person.destinations]
    linked = store.profiles.person_conversation_ids(person.id)
    return Customer(person, None, linked, store.privacy.unlinked_conversation_ids(contacts))


def _people(store: Store, customer: Customer) -> list[int]:
    """The person and everyone merged into them: the ids earlier audit records name them by."""
    if customer.person_id is None:
        return []
    return [customer.person_id, *store.privacy.merged_person_ids(customer.person_id)]


class _AuditSelection:
    """The audit records about a customer: their person id (or the id of a person merged into them) in
    the subject of a person action, one of their conversations in the subject of a conversation action, a
    hold on either, an undo of any of these."""

    def __init__(self, person_ids: Iterable[int], conversation_ids: Iterable[int]) -> None:
        self.people = set(person_ids)
        self.conversations = set(conversation_ids)
        self.selected: set[int] = set()

    def about(self, audit_id: int, action: str, subject: list[Any], details: dict[str, Any]) -> bool:
        ids = {i for i in subject if isinstance(i, int)}
        if action.startswith(_PERSON_ACTIONS):
            hit = bool(ids & self.people)
        elif action.startswith(_CONVERSATION_ACTIONS):
            hit = bool(ids & self.conversations)
        elif action.startswith("hold."):
            hit = details.get("customer") in self.people or details.get("conversation") in self.conversations
        elif action == "undo":
            hit = details.get("undoes") in self.selected
        else:
            hit = False
        if hit:
            self.selected.add(audit_id)
        return hit


# --- export ---------------------------------------------------------------------------------------


@dataclass
class ExportCounts:
    conversations: int = 0
    unlinked_conversations: int = 0
    items: int = 0
    audit: int = 0


ExportWriter = Callable[[Iterable[tuple[str, Any]]], None]


def _full_card(store: Store, person: Person, settings: CardSettings) -> dict[str, Any]:
    """The context card with every field and every custom attribute of the person."""
    every = CardSettings((*PERSON_FIELDS, *sorted(person.attributes)), settings.horizons)
    counts = store.people.conversation_counts([person.id], settings.horizons).get(person.id, (0, 0))
    return person_card(person, counts, every).to_dict()


def export_customer(
    store: Store, ref_text: str, *, settings: CardSettings, retention: Retention | None, now: datetime,
    actor: str, write: ExportWriter,
) -> ExportCounts:
    """Everything stored about a customer, handed to ``write`` as (key, value) pairs in document order;
    the conversations and audit records as iterators, read one at a time from one snapshot. Audit
    `customer.export` afterwards, with the counts."""
    stamp = format_ts(now)
    counts = ExportCounts()

    def conversations(ids: list[int], linked: bool) -> Iterator[dict[str, Any]]:
        for conversation_id in ids:
            shown = conversation_views.show(store, conversation_id, retention=retention, now=now)
            counts.items += len(shown.items)
            if linked:
                counts.conversations += 1
            else:
                counts.unlinked_conversations += 1
            yield shown.to_dict()

    def audit(selection: _AuditSelection) -> Iterator[dict[str, Any]]:
        for audit_id, at, who, action, subject_text, details_text in store.privacy.audit_rows():
            subject, details = json.loads(subject_text), json.loads(details_text)
            if selection.about(audit_id, action, subject, details):
                counts.audit += 1
                yield {"id": audit_id, "at": at, "actor": who, "action": action, "subject": subject,
                       "details": details}

    with store.retention.read_snapshot():
        customer = _customer(store, ref_text)
        person = customer.person
        selection = _AuditSelection(_people(store, customer), [*customer.conversations, *customer.unlinked])
        write([
            ("customer", None if person is None else _full_card(store, person, settings)),
            ("destinations", [] if person is None else [{"type": d.type, "value": d.value}
                                                         for d in person.destinations]),
            ("tags", [] if person is None else list(person.tags)),
            ("conversations", conversations(customer.conversations, True)),
            ("unlinked_conversations", conversations(customer.unlinked, False)),
            ("audit", audit(selection)),
            ("exported_at", stamp),
        ])
    with store.transaction():
        store.audit.record(now, actor, "customer.export",
                          [] if customer.person_id is None else [customer.person_id], {
                              "conversations": counts.conversations,
                              "unlinked_conversations": counts.unlinked_conversations,
                              "items": counts.items, "audit_records": counts.audit,
                          })
    return counts


# --- erasure --------------------------------------------------------------------------------------


@dataclass
class ErasePlan:
    customer: Customer
    conversations: list[int]  # linked, unlinked and the tombstones merged into them
    items: int
    holds: list[int] = field(default_factory=list)

    def result(self, dry_run: bool) -> ErasureResult:
        person = self.customer.person
        return ErasureResult(
            customer=self.customer.person_id,
            contact=None if self.customer.contact is None else self.customer.contact.value,
            conversations=len(self.conversations),
            items=self.items,
            destinations=0 if person is None else len(person.destinations),
            dry_run=dry_run,
        )


def _plan_erasure(store: Store, ref_text: str, now: datetime) -> ErasePlan:
    customer = _customer(store, ref_text)
    roots = [*customer.conversations, *customer.unlinked]
    ids = sorted({*roots, *(t.id for t in store.retention.tombstones_merged_into(roots))}) if roots else []
    items = sum(store.retention.item_counts(ids).values()) if ids else 0
    holds = store.holds.on_customer(customer.person_id, ids, now)
    if not holds:  # held only through a tombstone, or the conversation one of theirs was merged into
        for kept in store.privacy.kept_among(ids, now):
            holds = sorted({*holds, *store.holds.keeping(kept, now)})
    return ErasePlan(customer, ids, items, holds)


def _refuse_if_held(plan: ErasePlan) -> None:
    if plan.holds:
        whose = (f"customer {plan.customer.person_id}" if plan.customer.person is not None
                 else f"contact {plan.customer.contact}")
        raise Invalid(f"{whose} is under legal {active_holds_text(plan.holds)}: release it first "
                      "(cctx hold list; cctx hold release ID)")


@dataclass(frozen=True)
class PersonalValues:
    """What erasure redacts: ``whole`` where a whole string equals it, ``partial`` (the longer identifying
    values) also inside longer text, in the audit records ``about`` the customer (by id); ``identity`` are
    the names and addresses a stored display name may hold."""

    identity: set[str]
    whole: set[str]
    partial: list[str]
    about: set[int]


def _personal_values(store: Store, plan: ErasePlan) -> PersonalValues:
    identity: set[str] = set()
    person = plan.customer.person
    attributes: set[str] = set()
    if person is not None:
        identity.update(v for v in (person.first_name, person.last_name) if v)
        if person.first_name and person.last_name:
            identity.add(f"{person.first_name} {person.last_name}")
        identity.update(d.value for d in person.destinations)
        attributes = _attribute_texts(person.attributes)
    if plan.customer.contact is not None:
        identity.add(plan.customer.contact.value)
    about = _former_values(store, plan, identity, attributes)
    partial = sorted((v for v in identity | attributes if len(v) >= _SUBSTRING_MIN), key=len, reverse=True)
    whole = identity | attributes | {t for t in store.privacy.conversation_texts(plan.conversations) if t}
    return PersonalValues(identity, whole, partial, about)


def _attribute_texts(values: Mapping[str, Any]) -> set[str]:
    """The text of each text or number among a person's attribute values."""
    return {str(v) for v in values.values() if isinstance(v, str | int | float) and not isinstance(v, bool)}


def _former_values(store: Store, plan: ErasePlan, identity: set[str], attributes: set[str]) -> set[int]:
    """Add to ``identity`` the names and destination values (and to ``attributes`` the attribute values)
    that earlier audit records about the customer's people hold and the person may no longer: a name
    changed since, a destination removed, the profiles of the people merged into them. The ids of the
    audit records about the customer."""
    selection = _AuditSelection(_people(store, plan.customer), plan.conversations)
    for audit_id, _at, _actor, action, subject_text, details_text in store.privacy.audit_rows():
        details = json.loads(details_text)
        if selection.about(audit_id, action, json.loads(subject_text), details) and action.startswith(
            _PERSON_ACTIONS
        ):
            _profile_values(details, identity, attributes)
    identity.discard(ERASED)
    attributes.discard(ERASED)
    return selection.selected


def _profile_values(node: Any, identity: set[str], attributes: set[str]) -> None:
    """Collect from a person action's details, at any depth: names (``first_name``, ``last_name``, and the
    two together), destination values (``{"type", "value"}``) and the values of ``attributes``."""
    if isinstance(node, list):
        for item in node:
            _profile_values(item, identity, attributes)
        return
    if not isinstance(node, dict):
        return
    names = [n for n in (node.get("first_name"), node.get("last_name")) if isinstance(n, str) and n]
    identity.update(names)
    if len(names) == 2:
        identity.add(" ".join(names))
    if isinstance(node.get("type"), str) and isinstance(node.get("value"), str) and node["value"]:
        identity.add(node["value"])
    found = node.get("attributes")
    if isinstance(found, dict):
        attributes |= _attribute_texts(found)
    for item in node.values():
        _profile_values(item, identity, attributes)


def _redacted(value: Any, whole: set[str], partial: list[str]) -> Any:
    if isinstance(value, str):
        if value in whole:
            return ERASED
        for piece in partial:
            if piece in value:
                value = value.replace(piece, ERASED)
        return value
    if isinstance(value, list):
        return [_redacted(v, whole, partial) for v in value]
    if isinstance(value, dict):
        return {_redacted(k, whole, partial): _redacted(v, whole, partial) for k, v in value.items()}
    return value


def _redact_audit(store: Store, values: PersonalValues) -> int:
    """Replace the person's values in earlier audit details by "[erased]"; how many records changed.

    Every record is checked for whole values (an item text, a name, a destination value); the longer
    values are also cut out of longer text, which records about this customer may hold."""
    changed = 0
    for audit_id, _at, _actor, _action, _subject, details_text in store.privacy.audit_rows():
        details = json.loads(details_text)
        redacted = _redacted(details, values.whole, values.partial if audit_id in values.about else [])
        if redacted != details:
            store.privacy.redact_audit_details(audit_id, json.dumps(redacted, sort_keys=True))
            changed += 1
    return changed


def erase_customer(
    store: Store, ref_text: str, *, dry_run: bool, confirm: Callable[[ErasureResult], bool], now: datetime,
    actor: str,
) -> ErasureResult:
    """Delete everything about a customer (see the contract's erasure), unless a hold applies; ``confirm``
    is asked with the dry-run result before anything is written and may refuse."""
    plan = _plan_erasure(store, ref_text, now)
    _refuse_if_held(plan)
    if dry_run:
        return plan.result(True)
    if not confirm(plan.result(True)):
        raise Invalid("erasure not confirmed: nothing changed")
    with store.transaction():
        plan = _plan_erasure(store, ref_text, now)  # again under the write lock: what is erased is what is read
        _refuse_if_held(plan)
        values = _personal_values(store, plan)
        person = plan.customer.person
        if plan.conversations:
            store.retention.delete_conversations(plan.conversations)
        if person is not None:
            store.profiles.delete_person(person.id)
        store.privacy.rename_conversations(sorted(values.identity), ERASED)  # names other conversations still show
        for hold in store.holds.naming(plan.customer.person_id, plan.conversations):
            reason = _redacted(hold.reason, values.whole, values.partial)
            if reason != hold.reason:
                store.holds.set_reason(hold.id, reason)
        redacted = _redact_audit(store, values)
        result = plan.result(False)
        store.audit.record(now, actor, "customer.erase", [] if person is None else [person.id], {
            "conversation_ids": plan.conversations,
            "conversations": result.conversations, "items": result.items,
            "destinations": result.destinations, "audit_records_redacted": redacted,
        })
    return result._replace(wal_cleared=store.privacy.clear_erased_content())
