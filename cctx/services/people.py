"""People: the customer context card (the card rule), known and unknown customers, the "talking with" refresh
(the display-name rule), and the edits of a person (create, update, tags, destinations) with their audit records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any, NamedTuple

from cctx.config import Config
from cctx.errors import Conflict, Invalid, NotFound, quote
from cctx.models import Conversation, Person
from cctx.person_fields import PERSON_FIELDS
from cctx.refs import DestinationRef, parse_destination, search_text
from cctx.results.cards import Card, ConversationCard, ConversationCounts
from cctx.rules.display_names import display_name, full_name
from cctx.services.lookups import agent_id_of, customer_of, person_id_of
from cctx.services.retention import Horizons, horizons
from cctx.store import Store

_LIST_CHUNK = 500


class CardSettings(NamedTuple):
    """What a card shows (the selected attributes) and what its counts hide (the retention horizons and,
    for a card shown to an agent, what that agent may not see)."""

    attributes: tuple[str, ...]
    horizons: Horizons
    agent_id: int | None = None

    @property
    def custom_attributes(self) -> tuple[str, ...]:
        """The selected names that are not person fields: they go in the card's ``attributes``."""
        return tuple(a for a in self.attributes if a not in PERSON_FIELDS)


def card_settings(config: Config, now: datetime) -> CardSettings:
    return CardSettings(config.card_attributes, horizons(config.retention, now))


class PersonEdit(NamedTuple):
    """What `customer create` / `customer update` was asked to change, as given on the command line."""

    fields: dict[str, str | None]
    destinations: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    assignments: tuple[str, ...] = ()
    unset: tuple[str, ...] = ()


# --- pure rules ---------------------------------------------------------------------------------


def person_name(person: Person, contact: str | None = None) -> str:
    """The card rule: first and last name; without a first name the conversation's contact, else the first
    destination, else the last name, else ``#ID``."""
    return (
        full_name(person.first_name, person.last_name)
        or contact
        or (person.destinations[0].value if person.destinations else None)
        or person.last_name
        or f"#{person.id}"
    )


def parse_assignment(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` -> (key, value) for a custom attribute; person fields have their own options."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise Invalid(f"--set {quote(text)}: expected KEY=VALUE")
    if key in PERSON_FIELDS:
        raise Invalid(f"--set {key}: {key} is a field, use --{key.replace('_', '-')}")
    return key, clean_text(value, f"--set {key}", f" (use --unset {key} to remove it)") or ""


def clean_text(value: str | None, what: str, hint: str = " (use --unset to clear it)") -> str | None:
    """A trimmed value; an empty one is refused (use --unset to clear a field)."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        raise Invalid(f"{what} cannot be empty{hint}")
    return text


def _given_fields(edit: PersonEdit) -> dict[str, str | None]:
    """The fields the command sets, trimmed; an empty one is refused."""
    return {k: clean_text(v, f"--{k.replace('_', '-')}") for k, v in edit.fields.items() if v is not None}


def _clean_tags(tags: tuple[str, ...]) -> list[str]:
    cleaned = [clean_text(t, "a tag", hint="") or "" for t in tags]
    return list(dict.fromkeys(cleaned))


def _clean_destinations(refs: tuple[str, ...]) -> list[DestinationRef]:
    return list(dict.fromkeys(parse_destination(r) for r in refs))


def _dest_dict(ref: DestinationRef) -> dict[str, str]:
    return {"type": ref.type, "value": ref.value}


# --- cards --------------------------------------------------------------------------------------


def person_card(person: Person, counts: tuple[int, int], settings: CardSettings, contact: str | None = None) -> Card:
    attributes = {a: person.attributes.get(a) for a in settings.custom_attributes}
    return Card(person, person_name(person, contact), attributes, ConversationCounts(*counts))


def unknown_card(contact: str, counts: tuple[int, int], settings: CardSettings) -> Card:
    """The card of a customer nobody owns: NULLs, with the contact as the name."""
    return Card(None, contact, {a: None for a in settings.custom_attributes}, ConversationCounts(*counts))


def _require_person(store: Store, person_id: int) -> Person:
    person = store.people.get(person_id)
    if person is None:
        raise NotFound(f"customer {person_id} not found")
    return person


def _card_of(store: Store, person: Person, settings: CardSettings, contact: str | None = None) -> Card:
    counts = store.people.conversation_counts([person.id], settings.horizons, settings.agent_id).get(person.id, (0, 0))
    return person_card(person, counts, settings, contact)


def _fresh_card(store: Store, person_id: int, settings: CardSettings) -> Card:
    return _card_of(store, _require_person(store, person_id), settings)


def _as_agent(store: Store, settings: CardSettings, agent: str | None) -> CardSettings:
    """The settings of a card shown to ``agent``: its counts take only what that agent may see."""
    return settings if agent is None else settings._replace(agent_id=agent_id_of(store, agent))


def show(store: Store, ref_text: str, settings: CardSettings, as_agent: str | None = None) -> Card:
    """The card of a person id, or of a destination: its owner's, else the unknown card. Shown to an
    agent (``as_agent``), it counts only the conversations that agent may see, as its history does."""
    settings = _as_agent(store, settings, as_agent)
    customer = customer_of(store, ref_text)
    if isinstance(customer, int):
        return _fresh_card(store, customer, settings)
    counts = store.people.contact_conversation_counts(
        customer.type, customer.value, settings.horizons, settings.agent_id
    )
    return unknown_card(customer.value, counts, settings)


def _talking_with(store: Store, conv: Conversation) -> tuple[str, Person | None]:
    person = None if conv.person_id is None else _require_person(store, conv.person_id)
    name = display_name(None if person is None else (person.first_name, person.last_name), conv.contact)
    return name, person


def conversation_card(
    store: Store, conversation_id: int, settings: CardSettings, as_agent: str | None = None
) -> ConversationCard:
    """The expanded card of a conversation's customer: refreshes its stored "talking with" (the display-name rule).
    Shown to an agent, the conversation must be one the agent may see, and the counts are the agent's."""
    settings = _as_agent(store, settings, as_agent)
    conv = store.conversations.get(conversation_id)
    agent = settings.agent_id
    if agent is not None and (conv is None or not store.conversations.agent_may_see(conv.id, agent)):
        raise NotFound(f"conversation {conversation_id} not found or not accessible")  # one answer for both
    if conv is None:
        raise NotFound(f"conversation {conversation_id} not found")
    name, person = _talking_with(store, conv)
    refreshed = False
    if name != conv.display_name:
        with store.transaction():  # re-read under the write lock: another writer may have been first
            conv = store.conversations.get(conversation_id) or conv
            name, person = _talking_with(store, conv)
            if name != conv.display_name:
                refreshed = store.people.set_display_name(conv.id, conv.display_name, name)
    if person is None:
        counts = store.people.contact_conversation_counts(conv.contact_type, conv.contact, settings.horizons,
                                                  settings.agent_id)
        card = unknown_card(conv.contact, counts, settings)
    else:
        card = _card_of(store, person, settings, conv.contact)
    return ConversationCard(card, conv.id, name, refreshed)


def list_cards(
    store: Store, settings: CardSettings, *, tags: tuple[str, ...] = (), search: str | None,
    limit: int | None
) -> Iterator[Card]:
    """Cards of the people with any of ``tags`` matching ``search``, in id order. The filters are checked
    and the query runs at once; the cards are then made a chunk of people at a time, as they are read."""
    wanted = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
    search = search_text(search) if search else None
    ids = store.people.find_ids(tags=wanted, search=search, limit=limit)
    return _cards_in_chunks(store, settings, ids)


def _cards_in_chunks(store: Store, settings: CardSettings, ids: Iterator[int]) -> Iterator[Card]:
    while chunk := list(islice(ids, _LIST_CHUNK)):
        counts = store.people.conversation_counts(chunk, settings.horizons)
        for person in store.people.get_many(chunk):
            yield person_card(person, counts.get(person.id, (0, 0)), settings)


# --- edits --------------------------------------------------------------------------------------


def _owner_label(store: Store, person_id: int) -> str:
    person = store.people.get(person_id)
    return f"customer {person_id}" + (f" ({person_name(person)})" if person else "")


def _add_destinations(
    store: Store, person_id: int, refs: list[DestinationRef]
) -> tuple[list[DestinationRef], list[int]]:
    """Add the destinations ``person_id`` does not hold yet and auto-link their conversations (auto-link).

    A destination owned by someone else is refused, naming the owner."""
    added: list[DestinationRef] = []
    linked: list[int] = []
    for ref in refs:
        owner = store.people.destination_owner(ref.type, ref.value)
        if owner == person_id:
            continue
        if owner is not None:
            raise Conflict(f"destination {ref} already belongs to {_owner_label(store, owner)}")
        store.people.add_destination(person_id, ref.type, ref.value)
        linked.extend(store.people.autolink_contact(person_id, ref.type, ref.value))
        added.append(ref)
    return added, sorted(linked)


def _autolink_details(linked: list[int]) -> dict[str, Any]:
    return {"autolinked": linked, "autolinked_count": len(linked)}


def create(store: Store, edit: PersonEdit, settings: CardSettings, *, now: datetime, actor: str) -> Card:
    """A new person; needs a first or last name or a destination."""
    if edit.unset:
        raise Invalid("--unset is for customer update")
    fields = _given_fields(edit)
    attributes = dict(parse_assignment(a) for a in edit.assignments)
    tags = _clean_tags(edit.tags)
    refs = _clean_destinations(edit.destinations)
    if not (fields.get("first_name") or fields.get("last_name") or refs):
        raise Invalid("a customer needs at least a name (--first-name or --last-name) or a --destination")
    with store.transaction():
        person_id = store.people.add(fields, attributes, now)
        store.people.add_tags(person_id, tags)
        added, linked = _add_destinations(store, person_id, refs)
        details = {
            "fields": fields,
            "attributes": attributes,
            "tags": sorted(tags),
            "destinations": [_dest_dict(r) for r in added],
            **_autolink_details(linked),
        }
        store.audit.record(now, actor, "customer.create", [person_id], details)
        return _fresh_card(store, person_id, settings)


def _person_fields(person: Person) -> dict[str, Any]:
    return {f: getattr(person, f) for f in PERSON_FIELDS}


def _apply_edit(person: Person, edit: PersonEdit) -> tuple[dict[str, Any], dict[str, Any]]:
    """The person's fields and custom attributes after ``edit``."""
    given = _given_fields(edit)
    assigned = dict(parse_assignment(a) for a in edit.assignments)
    fields = {**_person_fields(person), **given}
    attributes = {**person.attributes, **assigned}
    set_keys = given.keys() | assigned.keys()
    for key in edit.unset:
        key = key.strip()
        if key.replace("-", "_") in PERSON_FIELDS:  # --unset first-name, as the option is spelled
            key = key.replace("-", "_")
        if key in set_keys:
            raise Invalid(f"--unset {key}: the same command also sets it")
        if key in PERSON_FIELDS:
            fields[key] = None
        else:
            attributes.pop(key, None)
    return fields, attributes


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The keys whose value (or presence) differs, with their before and after values."""
    keys = sorted(
        k for k in before.keys() | after.keys() if (k in before) != (k in after) or before.get(k) != after.get(k)
    )
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def update(
    store: Store, person_id: int, edit: PersonEdit, settings: CardSettings, *, now: datetime, actor: str
) -> Card:
    """Change a person's fields, custom attributes, tags and destinations. Stored display names of
    conversations are not touched (the display-name rule). Nothing changed: no audit record."""
    tags = _clean_tags(edit.tags)
    refs = _clean_destinations(edit.destinations)
    with store.transaction():
        person_id = person_id_of(store, person_id)  # a merged-away id names the person it was merged into
        person = _require_person(store, person_id)
        profile_before = {
            "fields": _person_fields(person), "attributes": person.attributes,
            "updated_at": store.undo.person_updated_at(person_id),
        }
        fields, attributes = _apply_edit(person, edit)
        fields_before, fields_after = _diff(_person_fields(person), fields)
        attrs_before, attrs_after = _diff(person.attributes, attributes)
        if fields_before or attrs_before:
            store.people.update(person_id, fields, attributes, now)
        new_tags = sorted(t for t in tags if t not in person.tags)
        store.people.add_tags(person_id, new_tags)
        added, linked = _add_destinations(store, person_id, refs)
        if not (fields_before or attrs_before or new_tags or added):
            return _card_of(store, person, settings)
        if not (fields_before or attrs_before):
            store.people.touch(person_id, now)
        details: dict[str, Any] = {
            "before": {**fields_before, **({"attributes": attrs_before} if attrs_before else {})},
            "after": {**fields_after, **({"attributes": attrs_after} if attrs_after else {})},
            "tags_added": new_tags,
            "destinations_added": [_dest_dict(r) for r in added],
            **_autolink_details(linked),
            "profile_before": profile_before,  # what an undo puts back
        }
        store.audit.record(now, actor, "customer.update", [person_id], details)
        return _fresh_card(store, person_id, settings)


def change_tags(
    store: Store, person_id: int, tags: tuple[str, ...], settings: CardSettings, *, add: bool, now: datetime, actor: str
) -> Card:
    """Tag or untag; a tag already present (or already absent) changes nothing and is not an error."""
    wanted = _clean_tags(tags)
    with store.transaction():
        person_id = person_id_of(store, person_id)  # a merged-away id names the person it was merged into
        person = _require_person(store, person_id)
        if add:
            changed = sorted(t for t in wanted if t not in person.tags)
            store.people.add_tags(person_id, changed)
        else:
            changed = sorted(t for t in wanted if t in person.tags)
            store.people.remove_tags(person_id, changed)
        if not changed:
            return _card_of(store, person, settings)
        updated_at_before = store.undo.person_updated_at(person_id)
        store.people.touch(person_id, now)
        after = sorted(set(person.tags) | set(changed)) if add else sorted(set(person.tags) - set(changed))
        action, key = ("customer.tag", "added") if add else ("customer.untag", "removed")
        details = {key: changed, "before": list(person.tags), "after": after, "updated_at_before": updated_at_before}
        store.audit.record(now, actor, action, [person_id], details)
        return _fresh_card(store, person_id, settings)


def add_destination(
    store: Store, person_id: int, ref_text: str, settings: CardSettings, *, now: datetime, actor: str
) -> Card:
    """Give a person a destination and link its unlinked conversations (auto-link). Already theirs: no-op."""
    ref = parse_destination(ref_text)
    with store.transaction():
        person_id = person_id_of(store, person_id)  # a merged-away id names the person it was merged into
        person = _require_person(store, person_id)
        updated_at_before = store.undo.person_updated_at(person_id)
        added, linked = _add_destinations(store, person_id, [ref])
        if not added:
            return _card_of(store, person, settings)
        store.people.touch(person_id, now)
        details = {"destination": _dest_dict(ref), **_autolink_details(linked), "updated_at_before": updated_at_before}
        store.audit.record(now, actor, "destination.add", [person_id], details)
        return _fresh_card(store, person_id, settings)


def remove_destination(
    store: Store, person_id: int, ref_text: str, settings: CardSettings, *, now: datetime, actor: str
) -> Card:
    """Take a destination from a person (the last one too). Conversations stay linked. Not held by
    anyone: no-op; held by someone else: refused."""
    ref = parse_destination(ref_text)
    with store.transaction():
        person_id = person_id_of(store, person_id)  # a merged-away id names the person it was merged into
        person = _require_person(store, person_id)
        owner = store.people.destination_owner(ref.type, ref.value)
        if owner is not None and owner != person_id:
            raise Conflict(f"destination {ref} belongs to {_owner_label(store, owner)}, not to customer {person_id}")
        if owner is None:
            return _card_of(store, person, settings)
        details = {
            "destination": _dest_dict(ref), "destination_id": store.undo.destination_id(ref.type, ref.value),
            "updated_at_before": store.undo.person_updated_at(person_id),  # what an undo puts back
        }
        store.people.remove_destination(person_id, ref.type, ref.value)
        store.people.touch(person_id, now)
        store.audit.record(now, actor, "destination.remove", [person_id], details)
        return _fresh_card(store, person_id, settings)
