"""Display names: over random small worlds on both engines, the SQL expressions of
cctx/rules/display_names.py compute, row by row, what the Python functions compute (a person's full name,
a conversation's "talking with"), and a customer search matches a person by that full name."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cctx.rules.display_names import display_name, display_name_sql, full_name, full_name_sql
from cctx.store import Store
from tests.rules.conftest import RULE_SETTINGS, TIMES, add_conversation, stored_conversations, world

# Empty and missing names, names with spaces, letters beyond ASCII only in lower case (a search folds
# A-Z alike on both engines, whatever the database's locale).
FIRST = st.one_of(st.none(), st.just(""), st.sampled_from(("Ana", "Ana Marija", "ivo", "Ljubiša")))
LAST = st.one_of(st.none(), st.just(""), st.sampled_from(("Horvat", "Kovač", "de la Cruz")))
CONTACTS = ("+385910000001", "+385910000002")

people = st.lists(st.tuples(FIRST, LAST), min_size=1, max_size=5)
conversations = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(0, 4)), st.sampled_from(CONTACTS)), min_size=1, max_size=8
)


def _build(store: Store, names: list[tuple[str | None, str | None]], wanted: list[tuple[int | None, str]]) -> list[int]:
    ids = [store.people.add({"first_name": first, "last_name": last}, {}, TIMES[0]) for first, last in names]
    for person, contact in wanted:
        linked = None if person is None else ids[person % len(ids)]
        add_conversation(store, channel="sms", contact=contact, person_id=linked)
    return ids


@RULE_SETTINGS
@given(names=people, wanted=conversations)
def test_the_sql_computes_what_python_computes(
    store: Store, names: list[tuple[str | None, str | None]], wanted: list[tuple[int | None, str]]
) -> None:
    with world(store):
        ids = _build(store, names, wanted)
        stored_people = {p.id: p for p in store.people.get_many(ids)}
        computed = dict(store.conn.execute(f"SELECT p.id, {full_name_sql('p')} FROM people p"))
        assert computed == {i: full_name(p.first_name, p.last_name) for i, p in stored_people.items()}

        talking_with = dict(store.conn.execute(
            f"SELECT c.id, {display_name_sql('p', 'c')} FROM conversations c LEFT JOIN people p ON p.id = c.person_id"
        ))
        expected: dict[int, Any] = {}
        for i, c in stored_conversations(store).items():
            person = None if c.person_id is None else stored_people[c.person_id]
            expected[i] = display_name(None if person is None else (person.first_name, person.last_name), c.contact)
        assert talking_with == expected


@RULE_SETTINGS
@given(names=people, pick=st.integers(0, 4), cut=st.tuples(st.integers(0, 20), st.integers(0, 20)))
def test_a_search_matches_a_person_by_full_name(
    store: Store, names: list[tuple[str | None, str | None]], pick: int, cut: tuple[int, int]
) -> None:
    with world(store):
        ids = _build(store, names, [])
        stored_people = store.people.get_many(ids)
        chosen = stored_people[pick % len(stored_people)]
        name = full_name(chosen.first_name, chosen.last_name) or chosen.last_name or "Horvat"
        start, length = min(cut), abs(cut[1] - cut[0]) + 1
        needle = name[start:start + length].strip() or name

        def matches(p: Any) -> bool:
            fields = (p.first_name, p.last_name, full_name(p.first_name, p.last_name), p.city, p.country)
            return any(f is not None and needle.casefold() in f.casefold() for f in fields)

        assert list(store.people.find_ids(search=needle)) == sorted(p.id for p in stored_people if matches(p))
