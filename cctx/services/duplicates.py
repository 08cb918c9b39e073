"""Duplicates: groups of people who are likely one customer, each with its reasons. Read-only.

- ``same_name``: first and last name equal after case folding, accent stripping and collapsing spaces,
  and no conflicting gender, city or country (both set and different, compared folded the same way);
- ``same_attribute:KEY``: equal non-empty values of a custom attribute in ``duplicates.match_attributes``;
- ``same_phone``: phone destinations libphonenumber reads as the same number (a legacy stored value and
  its normalised twin, which the upgrade leaves in place when another person owns the twin).

Groups are the connected components of these pairs, sorted by their smallest id; people ascending.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from cctx.phones import canonical, number_key
from cctx.results.cards import DuplicateGroup
from cctx.rules.display_names import full_name
from cctx.store import Store

SAME_NAME = "same_name"
SAME_PHONE = "same_phone"

# Letters that NFKD leaves whole: folded to what a person typing without them would write.
_LETTERS = str.maketrans({"đ": "d", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"})


class _Folder:
    """Case folding, accent stripping and collapsed spaces, remembered per distinct text."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, text: str | None) -> str:
        if text is None:
            return ""
        folded = self.seen.get(text)
        if folded is None:
            decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
            stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
            folded = " ".join(stripped.split())
            self.seen[text] = folded
        return folded


class _Components:
    """Union-find over person ids, with the reasons that joined each component."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.joined: list[tuple[int, str]] = []  # (a member, reason)

    def find(self, x: int) -> int:
        parent = self.parent.setdefault(x, x)
        while parent != x:
            grand = self.parent[parent]
            self.parent[x] = grand
            x, parent = parent, grand
        return x

    def join(self, members: Iterable[int], reason: str) -> None:
        members = list(members)
        if len(members) < 2:
            return
        root = self.find(members[0])
        for other in members[1:]:
            other_root = self.find(other)
            if other_root != root:
                self.parent[other_root] = root
        self.joined.append((members[0], reason))

    def groups(self) -> list[tuple[list[int], list[str]]]:
        members: dict[int, list[int]] = defaultdict(list)
        for person in self.parent:
            members[self.find(person)].append(person)
        reasons: dict[int, set[str]] = defaultdict(set)
        for member, reason in self.joined:
            reasons[self.find(member)].add(reason)
        found = [(sorted(people), sorted(reasons[root])) for root, people in members.items() if len(people) > 1]
        return sorted(found, key=lambda g: g[0][0])


def _compatible(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    """No conflicting gender, city or country: never both set and different."""
    a0, a1, a2 = a
    b0, b1, b2 = b
    return (not a0 or not b0 or a0 == b0) and (not a1 or not b1 or a1 == b1) and (not a2 or not b2 or a2 == b2)


Names = dict[int, tuple[str | None, str | None]]


def _same_names(store: Store, components: _Components, names: Names) -> None:
    fold = _Folder()
    buckets: dict[tuple[str, str], dict[tuple[str, str, str], list[int]]] = defaultdict(lambda: defaultdict(list))
    folded_names: dict[tuple[str | None, str | None], tuple[str, str]] = {}
    folded_signatures: dict[tuple[str | None, str | None, str | None], tuple[str, str, str]] = {}
    for person_id, first, last, gender, city, country in store.profiles.named_people():
        names[person_id] = (first, last)
        name = folded_names.get((first, last))
        if name is None:
            name = folded_names[(first, last)] = (fold(first), fold(last))
        if name == ("", ""):
            continue
        signature = folded_signatures.get((gender, city, country))
        if signature is None:
            signature = folded_signatures[(gender, city, country)] = (fold(gender), fold(city), fold(country))
        buckets[name][signature].append(person_id)
    for by_signature in buckets.values():
        if len(by_signature) == 1:
            components.join(next(iter(by_signature.values())), SAME_NAME)
            continue
        # People of one name join when their signatures are compatible; compare each distinct
        # signature once, not each pair of people.
        signatures = list(by_signature)
        for i, a in enumerate(signatures):
            members = by_signature[a]
            components.join(members, SAME_NAME)
            for b in signatures[i + 1 :]:
                if _compatible(a, b):
                    components.join([members[0], by_signature[b][0]], SAME_NAME)


def _attribute_value(value: Any) -> str | None:
    """An attribute value as compared: text trimmed; empty values never match."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, str):
        return value.strip() or None
    return json.dumps(value, sort_keys=True)


def _same_attributes(store: Store, keys: tuple[str, ...], components: _Components) -> None:
    if not keys:
        return
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for person_id, attributes in store.profiles.people_attributes(keys):
        for key in keys:
            value = _attribute_value(attributes.get(key))
            if value is not None:
                buckets[(key, value)].append(person_id)
    for (key, _), people in buckets.items():
        components.join(people, f"same_attribute:{key}")


def _same_phones(store: Store, components: _Components) -> None:
    """Destinations are unique, so two people can hold one number only when a stored value is not in
    the form libphonenumber writes: only those values are parsed."""
    spellings: dict[str, list[str]] = defaultdict(list)  # normalised -> other stored spellings of it
    for value in store.profiles.phone_values():
        if canonical(value):
            continue
        key = number_key(value)
        if key is not None and key != value:
            spellings[key].append(value)
    if not spellings:
        return
    owners = store.profiles.phone_owners(sorted({*spellings, *(v for values in spellings.values() for v in values)}))
    for key, values in spellings.items():
        people = {owners[v] for v in [key, *values] if v in owners}
        if len(people) > 1:
            components.join(sorted(people), SAME_PHONE)


def find_duplicates(store: Store, match_attributes: tuple[str, ...], *, limit: int | None) -> list[DuplicateGroup]:
    """The groups, sorted by smallest id, at most ``limit`` of them."""
    components = _Components()
    names: Names = {}
    _same_names(store, components, names)
    _same_attributes(store, match_attributes, components)
    _same_phones(store, components)
    groups = components.groups()
    if limit is not None:
        groups = groups[:limit]
    # A person without a first name is named by their first destination (the display-name rule).
    unnamed = sorted({p for people, _ in groups for p in people if not names.get(p, (None, None))[0]})
    destinations = store.profiles.first_destinations(unnamed)
    result = []
    for people, reasons in groups:
        shown = []
        for person_id in people:
            first, last = names.get(person_id, (None, None))
            shown.append(full_name(first, last) or destinations.get(person_id) or last or f"#{person_id}")
        result.append(DuplicateGroup(tuple(people), tuple(reasons), tuple(shown)))
    return result
