"""Fixture validation: every rule of the fixture format checked, every problem kept with its location."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cctx.channels import CALL_EVENTS, CHANNELS, STATUSES
from cctx.errors import Invalid, quote, refusal
from cctx.ids import MAX_ID
from cctx.person_fields import PERSON_FIELDS
from cctx.refs import DestinationRef, normalize_value, parse_ref
from cctx.services.lookups import merged_targets, note_merged
from cctx.store import Store
from cctx.times import normalize_ts

SECTIONS = ("queues", "agents", "people", "conversations")
PERSON_KEYS = {"id", "first_name", "last_name", "gender", "city", "country", "attributes", "tags", "destinations"}
CONVERSATION_KEYS = {
    "id", "channel", "contact", "customer", "queue", "agents", "status", "created_at", "closed_at", "items",
}
ITEM_KEYS = {"at", "kind", "author", "text", "event", "recording"}
CONVERSATION_SCALARS = ("id", "channel", "contact", "customer", "queue", "status", "created_at", "closed_at")
ITEM_SCALARS = ("at", "kind", "author", "text", "event", "recording")
MISSING = object()
REFUSED = "import refused, nothing written"


@dataclass
class PersonPlan:
    id: int | None
    fields: dict[str, str | None]
    attributes: dict[str, Any]
    tags: list[str]
    destinations: list[tuple[str, str]]


@dataclass
class ConversationPlan:
    id: int | None
    channel: str
    contact: str
    customer: Any  # MISSING (auto-link), None (explicit unlink), a person id, or a PersonPlan of the files
    where: str
    queue: str | None
    agents: list[str]
    status: str
    created_at: str
    closed_at: str | None
    items: list[tuple[str, str, str | None, str | None, str | None, str | None]] = field(default_factory=list)


@dataclass
class ImportPlan:
    queues: list[str] = field(default_factory=list)
    agents: list[tuple[str, list[str]]] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    conversations: list[ConversationPlan] = field(default_factory=list)
    # where each name, id and destination the database may have gained meanwhile was written in the files
    where: dict[tuple[str, Any], str] = field(default_factory=dict)


class Problems:
    """Every problem of the files, each with its location."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self.lines)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid("must be text")
    return str(value).strip() or None


def _scalar(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return normalize_ts(value)  # timestamps are stored in UTC with Z; refused past the ends of the calendar
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise Invalid("must be a text, number or boolean")


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid("must be a list")
    return value


def _non_scalar(entry: dict[str, Any], keys: tuple[str, ...], where: str, problems: Problems) -> bool:
    """Whether any of ``keys`` holds a list or a mapping where one value (a name, a text, a time) belongs;
    each is a problem."""
    found = False
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list | dict):
            problems.add(f"{where}.{key}", f"must be a single value, not {quote(value)}")
            found = True
    return found


def _unknown_keys(entry: dict[str, Any], allowed: set[str], where: str, problems: Problems) -> None:
    for key in entry:
        if key not in allowed:
            problems.add(where, f"unknown key {quote(key)}")


def _id(value: Any, where: str, problems: Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        problems.add(where, f"id must be a positive whole number up to {MAX_ID}, not {quote(value)}")
        return None
    return value


class Validator:
    """Builds an ImportPlan from the documents, collecting every problem."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.problems = Problems()
        self.plan = ImportPlan()
        self.known_queues = set(store.agents.queue_names())
        self.merged_noted: set[int] = set()
        self.known_agents = set(store.agents.agent_names())
        self.person_ids: dict[int, str] = {}
        self.owners: dict[tuple[str, str], PersonPlan | None] = {}
        self.destination_where: dict[tuple[str, str], str] = {}
        self.file_people: dict[int, PersonPlan] = {}
        self.conversation_ids: dict[int, str] = {}

    def run(self, documents: list[tuple[str, Any]]) -> ImportPlan:
        sections: dict[str, list[tuple[str, Any]]] = {s: [] for s in SECTIONS}
        for name, data in documents:
            if data is None:
                continue
            if not isinstance(data, dict):
                self.problems.add(name, "must be a mapping with queues, agents, people, conversations")
                continue
            for key, value in data.items():
                if key not in SECTIONS:
                    self.problems.add(name, f"unknown key {quote(key)}")
                elif not isinstance(value, list):
                    self.problems.add(f"{name}: {key}", "must be a list")
                else:
                    sections[key].extend((f"{name}: {key}[{i}]", entry) for i, entry in enumerate(value))
        for where, entry in sections["queues"]:
            self._queue(where, entry)
        for where, entry in sections["agents"]:
            self._agent(where, entry)
        for where, entry in sections["people"]:
            self._person(where, entry)
        self._check_existing(self.store.people.existing_ids(self.person_ids), self.person_ids, "person")
        for an_id, target in merged_targets(self.store, self.person_ids).items():
            self.problems.add(self.person_ids[an_id], f"person id {an_id} was merged into {target}; it stays theirs")
        self._check_destination_owners()
        for where, entry in sections["conversations"]:
            self._conversation(where, entry)
        self._check_existing(
            self.store.conversations.existing_ids(self.conversation_ids), self.conversation_ids, "conversation"
        )
        return self.plan

    def _mapping(self, where: str, entry: Any, allowed: set[str]) -> bool:
        """Whether ``entry`` is a mapping; a key not in ``allowed`` is a problem, but checking goes on."""
        if not isinstance(entry, dict):
            self.problems.add(where, "must be a mapping")
            return False
        _unknown_keys(entry, allowed, where, self.problems)
        return True

    def _unique_id(self, where: str, entry: dict[str, Any], seen: dict[int, str], what: str) -> int | None:
        """The entry's id if it has a valid one, remembered in ``seen``; one used twice in the files is a problem."""
        an_id = _id(entry.get("id"), where, self.problems)
        if an_id is not None:
            if an_id in seen:
                self.problems.add(where, f"duplicate {what} id {an_id} (also at {seen[an_id]})")
            seen[an_id] = where
        return an_id

    def _check_existing(self, stored: set[int], seen: dict[int, str], what: str) -> None:
        """The ids of the files that the database already holds."""
        for an_id in sorted(stored):
            self.problems.add(seen[an_id], f"{what} id {an_id} already exists in the database")

    def _name_entry(self, where: str, entry: Any, allowed: set[str]) -> str | None:
        if not self._mapping(where, entry, allowed) or _non_scalar(entry, ("name",), where, self.problems):
            return None
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            self.problems.add(where, "name is required")
            return None
        return name.strip()

    def _entries(self, raw: Any, where: str) -> list[Any]:
        """The list found at ``where`` (absent: empty); anything else is a problem, and counts as empty."""
        try:
            return _list(raw)
        except Invalid as exc:
            self.problems.add(where, exc.message)
            return []

    def _known_names(self, entry: dict[str, Any], key: str, known: set[str], where: str, what: str) -> list[str]:
        """The list under ``key``, each name checked against ``known``."""
        names = []
        for raw in self._entries(entry.get(key), f"{where}.{key}"):
            if isinstance(raw, list | dict):
                self.problems.add(f"{where}.{key}", f"must be a list of names, not hold {quote(raw)}")
            else:
                names.append(str(raw))
        for name in names:
            if name not in known:
                self.problems.add(f"{where}.{key}", f"unknown {what} {quote(name)}")
        return names

    def _queue(self, where: str, entry: Any) -> None:
        name = self._name_entry(where, entry, {"name"})
        if name is None:
            return
        if name in self.known_queues:
            self.problems.add(where, f"queue {quote(name)} already exists")
            return
        self.known_queues.add(name)
        self.plan.queues.append(name)
        self.plan.where[("queue", name)] = where

    def _agent(self, where: str, entry: Any) -> None:
        name = self._name_entry(where, entry, {"name", "queues"})
        if name is None:
            return
        if name == "customer":
            self.problems.add(where, "'customer' is reserved and cannot name an agent")
            return
        if name in self.known_agents:
            self.problems.add(where, f"agent {quote(name)} already exists")
        queues = self._known_names(entry, "queues", self.known_queues, where, "queue")
        self.known_agents.add(name)
        self.plan.agents.append((name, queues))
        self.plan.where[("agent", name)] = where

    def _person(self, where: str, entry: Any) -> None:
        if not self._mapping(where, entry, PERSON_KEYS):
            return
        person_id = self._unique_id(where, entry, self.person_ids, "person")
        fields: dict[str, str | None] = {}
        for key in PERSON_FIELDS:
            try:
                fields[key] = _text(entry.get(key))
            except Invalid as exc:
                self.problems.add(f"{where}.{key}", exc.message)
        attributes: dict[str, Any] = {}
        raw_attrs = entry.get("attributes") or {}
        if not isinstance(raw_attrs, dict):
            self.problems.add(f"{where}.attributes", "must be a mapping")
            raw_attrs = {}
        for key, value in raw_attrs.items():
            if key in PERSON_FIELDS:
                self.problems.add(f"{where}.attributes.{key}", f"{key} is a field, not a custom attribute")
                continue
            if not str(key).strip():
                self.problems.add(f"{where}.attributes", "an attribute needs a name")
                continue
            try:
                attributes[str(key)] = _scalar(value)
            except Invalid as exc:
                self.problems.add(f"{where}.attributes.{key}", exc.message)
        tags: list[str] = []
        try:
            for tag in _list(entry.get("tags")):
                text = _text(tag)
                if text:
                    tags.append(text)
        except Invalid as exc:
            self.problems.add(f"{where}.tags", exc.message)
        destinations = self._destinations(where, entry.get("destinations"))
        plan = PersonPlan(person_id, fields, attributes, tags, destinations)
        if not any(fields.values()) and not destinations:
            self.problems.add(where, "a person needs a name or a destination")
        self.plan.people.append(plan)
        if person_id is not None:
            self.file_people[person_id] = plan
            self.plan.where[("person", person_id)] = where

    def _destinations(self, where: str, raw: Any) -> list[tuple[str, str]]:
        result = []
        for i, dest in enumerate(self._entries(raw, f"{where}.destinations")):
            here = f"{where}.destinations[{i}]"
            if not isinstance(dest, dict) or "type" not in dest or "value" not in dest:
                self.problems.add(here, "must be a mapping with type and value")
                continue
            _unknown_keys(dest, {"type", "value"}, here, self.problems)
            if _non_scalar(dest, ("type", "value"), here, self.problems):
                continue
            if not isinstance(dest["value"], str):
                self.problems.add(here, f"value must be quoted text, not {quote(dest['value'])}")
                continue
            try:
                pair = (str(dest["type"]), normalize_value(str(dest["type"]), dest["value"]))
            except Invalid as exc:
                self.problems.add(here, exc.message)
                continue
            if pair in self.owners:
                self.problems.add(here, f"duplicate destination {pair[0]}:{pair[1]}")
                continue
            self.owners[pair] = None  # resolved to its person once every person is read
            self.destination_where[pair] = here
            self.plan.where[("destination", pair)] = here
            result.append(pair)
        return result

    def _check_destination_owners(self) -> None:
        for person in self.plan.people:
            for pair in person.destinations:
                owner = self.store.people.destination_owner(*pair)
                if owner is not None:
                    where = self.destination_where[pair]
                    self.problems.add(where, f"destination {pair[0]}:{pair[1]} already belongs to person {owner}")
                self.owners[pair] = person

    def _owner(self, dest_type: str, value: str) -> int | PersonPlan | None:
        """Who owns a destination: a person of the files (its id may only be known once written), else
        the id of its owner in the database."""
        if (dest_type, value) in self.owners:
            return self.owners[(dest_type, value)]
        return self.store.people.destination_owner(dest_type, value)

    def _person_exists(self, person_id: int) -> bool:
        return person_id in self.file_people or bool(self.store.people.existing_ids([person_id]))

    def _conversation(self, where: str, entry: Any) -> None:
        if not self._mapping(where, entry, CONVERSATION_KEYS):
            return
        if _non_scalar(entry, CONVERSATION_SCALARS, where, self.problems):
            return
        conversation_id = self._unique_id(where, entry, self.conversation_ids, "conversation")
        channel = CHANNELS.get(str(entry.get("channel")))
        if channel is None:
            self.problems.add(where, f"unknown channel {quote(entry.get('channel'))}")
        contact = None
        raw_contact = entry.get("contact")
        if not isinstance(raw_contact, str):
            self.problems.add(where, f"contact must be quoted text, not {quote(raw_contact)}")
        elif channel is not None:
            try:
                contact = normalize_value(channel.destination_type, raw_contact)
            except Invalid as exc:
                self.problems.add(f"{where}.contact", exc.message)
        status = entry.get("status", "open")
        if status not in STATUSES:
            detail = "merged cannot be imported" if status == "merged" else f"one of {', '.join(STATUSES)}"
            self.problems.add(where, f"invalid status {quote(status)} ({detail})")
        created_at = self._timestamp(entry, "created_at", where, required=True)
        closed_at = self._timestamp(entry, "closed_at", where, required=status == "closed")
        if closed_at is not None and status in STATUSES and status != "closed":
            self.problems.add(where, f"closed_at is only allowed when status is closed (not {status})")
        elif closed_at is not None and created_at is not None and closed_at < created_at:
            self.problems.add(where, f"closed_at {closed_at} is before created_at {created_at}")
        queue = entry.get("queue")
        if queue is not None and queue not in self.known_queues:
            self.problems.add(where, f"unknown queue {quote(queue)}")
        agents = self._known_names(entry, "agents", self.known_agents, where, "agent")
        customer = entry.get("customer", MISSING)
        if customer is not MISSING and customer is not None:
            customer = self._customer(customer, f"{where}.customer")
        items = self._items(entry.get("items"), where, channel)
        if channel is None or contact is None or created_at is None or status not in STATUSES:
            return
        if conversation_id is not None:
            self.plan.where[("conversation", conversation_id)] = where
        self.plan.conversations.append(
            ConversationPlan(
                conversation_id, channel.slug, contact, customer, where, queue, agents, status,
                created_at, closed_at, items,
            )
        )

    def _customer(self, raw: Any, where: str) -> int | PersonPlan | None:
        try:
            ref = parse_ref(raw)
        except Invalid as exc:
            self.problems.add(where, exc.message)
            return None
        if isinstance(ref, DestinationRef):
            owner = self._owner(ref.type, ref.value)
            if owner is None:
                self.problems.add(where, f"no person owns {ref}")
            elif isinstance(owner, int):
                self.plan.where.setdefault(("customer", owner), where)
            return owner
        person_id = ref.person_id
        if person_id not in self.file_people:
            merged = merged_targets(self.store, [person_id])  # a merged-away id names its target
            if merged:
                if person_id not in self.merged_noted:
                    note_merged(merged)
                    self.merged_noted.add(person_id)
                person_id = merged[person_id]
        if not self._person_exists(person_id):
            self.problems.add(where, f"unknown person {person_id}")
            return None
        self.plan.where.setdefault(("customer", person_id), where)
        return person_id

    def _timestamp(self, entry: dict[str, Any], key: str, where: str, *, required: bool) -> str | None:
        value = entry.get(key)
        if value is None:
            if required:
                when = " when status is closed" if key == "closed_at" else ""
                self.problems.add(where, f"{key} is required{when}")
            return None
        try:
            return normalize_ts(value, key)
        except Invalid as exc:
            self.problems.add(where, exc.message)
            return None

    def _items(self, raw: Any, where: str, channel: Any) -> list[Any]:
        items = []
        for i, item in enumerate(self._entries(raw, f"{where}.items")):
            here = f"{where}.items[{i}]"
            if not isinstance(item, dict):
                self.problems.add(here, "must be a mapping")
                continue
            before = len(self.problems.lines)
            _unknown_keys(item, ITEM_KEYS, here, self.problems)
            if _non_scalar(item, ITEM_SCALARS, here, self.problems):
                continue
            at = self._timestamp(item, "at", here, required=True)
            kind = item.get("kind")
            if kind not in ("message", "note", "call_event"):
                self.problems.add(here, f"unknown item kind {quote(kind)} (message, note or call_event)")
            elif channel is not None and kind not in channel.item_kinds:
                self.problems.add(here, f"kind {kind} is not allowed on channel {channel.slug}")
            author, text, event, recording = (item.get(k) for k in ("author", "text", "event", "recording"))
            if kind in ("message", "note"):
                self._message(here, kind, author, text, event, recording)
            elif kind == "call_event":
                self._call_event(here, author, text, event, recording)
            if len(self.problems.lines) == before and at is not None:
                items.append((at, kind, author, text, event, recording))
        return items

    def _author(self, here: str, author: Any, *, agent_only: bool) -> None:
        if author == "customer" and not agent_only:
            return
        if author == "customer":
            self.problems.add(here, "a note's author must be an agent, not the customer")
        elif author not in self.known_agents:
            self.problems.add(here, f"unknown agent {quote(author)} as author")

    def _message(self, here: str, kind: str, author: Any, text: Any, event: Any, recording: Any) -> None:
        if author is None:
            self.problems.add(here, f"a {kind} needs an author")
        else:
            self._author(here, author, agent_only=kind == "note")
        if not isinstance(text, str) or not text:
            self.problems.add(here, f"a {kind} needs a text")
        if event is not None or recording is not None:
            self.problems.add(here, f"a {kind} takes no event or recording")

    def _call_event(self, here: str, author: Any, text: Any, event: Any, recording: Any) -> None:
        if author is not None:
            self._author(here, author, agent_only=False)
        if text is not None:
            self.problems.add(here, "a call_event takes no text")
        if event not in CALL_EVENTS:
            self.problems.add(here, f"unknown call event {quote(event)} (one of {', '.join(CALL_EVENTS)})")
        elif event == "recording" and not (isinstance(recording, str) and recording):
            self.problems.add(here, "a recording event needs a recording reference")
        elif event != "recording" and recording is not None:
            self.problems.add(here, f"recording is only allowed on a recording event, not on {event}")



def validate(store: Store, documents: list[tuple[str, Any]]) -> ImportPlan:
    """Check every rule; raise Invalid listing every problem, or return the plan to write.

    Only reads: run before the write transaction, so a large file is checked without holding the lock."""
    validator = Validator(store)
    plan = validator.run(documents)
    if validator.problems:
        raise refusal(REFUSED, validator.problems.lines)
    return plan


def recheck(store: Store, plan: ImportPlan) -> None:
    """Inside the write transaction: what another process may have written since :func:`validate` read the
    database — queue and agent names, person and conversation ids, destinations taken, and people a
    conversation names that are gone. Everything else in the plan depends on the files alone."""
    problems = Problems()

    def taken(kind: str, keys: list[Any], stored: set[Any], message: Callable[[Any], str]) -> None:
        for key in keys:
            if key in stored:
                problems.add(plan.where[(kind, key)], message(key))

    taken("queue", plan.queues, set(store.agents.queue_names()), lambda n: f"queue {quote(n)} already exists")
    agents = [name for name, _ in plan.agents]
    taken("agent", agents, set(store.agents.agent_names()), lambda n: f"agent {quote(n)} already exists")
    person_ids = [p.id for p in plan.people if p.id is not None]
    taken("person", person_ids, store.people.existing_ids(person_ids),
          lambda i: f"person id {i} already exists in the database")
    pairs = [pair for p in plan.people for pair in p.destinations]
    owners = store.conversations.destination_owners(pairs)
    taken("destination", pairs, set(owners),
          lambda pair: f"destination {pair[0]}:{pair[1]} already belongs to person {owners[pair]}")
    conversation_ids = [c.id for c in plan.conversations if c.id is not None]
    taken("conversation", conversation_ids, store.conversations.existing_ids(conversation_ids),
          lambda i: f"conversation id {i} already exists in the database")
    named = {c.customer for c in plan.conversations if type(c.customer) is int} - set(person_ids)
    gone = named - store.people.existing_ids(named)
    taken("customer", sorted(gone), gone, lambda i: f"unknown person {i}")
    if problems:
        raise refusal(REFUSED, problems.lines)
