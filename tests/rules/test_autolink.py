"""Auto-link: over random small worlds on both engines, the SQL fragments of cctx/rules/autolink.py select
exactly the conversations the Python predicates accept, and the stores that compose them (a destination
added, `db doctor`'s check and its repair) link what the predicates say."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cctx.rules import autolink
from cctx.store import Store
from tests.rules.conftest import RULE_SETTINGS, TIMES, add_conversation, selected_ids, stored_conversations, world

# Destinations a person may own; conversations reach them on channels of their type.
DESTINATIONS = (("phone", "+385910000001"), ("phone", "+385910000002"), ("email", "ana@example.com"),
                ("messenger", "m-1"))
CHANNELS_OF = {"phone": ("sms", "voice"), "email": ("email",), "messenger": ("messenger", "facebook_posts")}
PEOPLE = 3

conversations = st.lists(
    st.fixed_dictionaries({
        "destination": st.sampled_from(DESTINATIONS),
        "channel": st.integers(0, 1),
        "person": st.one_of(st.none(), st.integers(0, PEOPLE - 1)),
        "unlinked_explicitly": st.booleans(),
        "status": st.sampled_from(("open", "solved", "closed", "merged")),
    }),
    min_size=1,
    max_size=10,
)
# who owns each destination (None: nobody)
owners = st.lists(st.one_of(st.none(), st.integers(0, PEOPLE - 1)), min_size=len(DESTINATIONS),
                  max_size=len(DESTINATIONS))


def _build(store: Store, owned_by: list[int | None], wanted: list[dict[str, Any]]) -> list[int]:
    """People, the destinations they own (written behind auto-link's back, as an older database or an undo
    may leave them), and the conversations. Returns the people's ids."""
    people = [store.people.add({"first_name": f"P{n}"}, {}, TIMES[0]) for n in range(PEOPLE)]
    for (dest_type, value), owner in zip(DESTINATIONS, owned_by, strict=True):
        if owner is not None:
            store.people.add_destination(people[owner], dest_type, value)
    for c in wanted:
        dest_type, value = c["destination"]
        channels = CHANNELS_OF[dest_type]
        add_conversation(
            store, channel=channels[c["channel"] % len(channels)], contact=value,
            person_id=None if c["person"] is None else people[c["person"]],
            unlinked_explicitly=c["unlinked_explicitly"], status=c["status"],
            closed_at=TIMES[1] if c["status"] in ("closed", "merged") else None, merged_at=TIMES[2],
        )
    return people


@RULE_SETTINGS
@given(owned_by=owners, wanted=conversations)
def test_each_fragment_selects_what_its_predicate_accepts(
    store: Store, owned_by: list[int | None], wanted: list[dict[str, Any]]
) -> None:
    with world(store):
        _build(store, owned_by, wanted)
        stored = stored_conversations(store)
        owned = store.conversations.destination_owners(list(DESTINATIONS))
        due = {i: owner for i, c in stored.items() if (owner := autolink.autolink_owner(c, owned)) is not None}

        assert selected_ids(store, autolink.may_autolink_sql("c")) == {
            i for i, c in stored.items() if autolink.may_autolink(c)}
        assert selected_ids(store, autolink.contact_owned_sql("c")) == {
            i for i, c in stored.items() if (c.contact_type, c.contact) in owned}
        assert selected_ids(store, autolink.awaiting_autolink_sql("c")) == set(due)
        owner_of = dict(store.conn.execute(f"SELECT c.id, {autolink.contact_owner_sql('c')} FROM conversations c"))
        assert owner_of == {i: owned.get((c.contact_type, c.contact)) for i, c in stored.items()}

        # `db doctor` reports what auto-link has left undone, and `--fix` links each to its owner
        assert store.doctor.rule_problem_ids("autolink") == sorted(due)
        store.doctor.autolink_to_owners(sorted(stored))
        assert {i: c.person_id for i, c in stored_conversations(store).items()} == {
            i: due.get(i, c.person_id) for i, c in stored.items()}


@RULE_SETTINGS
@given(owned_by=owners, wanted=conversations, pick=st.integers(0, len(DESTINATIONS) - 1))
def test_a_destination_added_links_what_the_predicate_accepts(
    store: Store, owned_by: list[int | None], wanted: list[dict[str, Any]], pick: int
) -> None:
    with world(store):
        people = _build(store, owned_by, wanted)
        stored = stored_conversations(store)
        dest_type, value = DESTINATIONS[pick]
        owner = people[owned_by[pick]] if owned_by[pick] is not None else people[0]
        if owned_by[pick] is None:  # a destination given to a person now
            store.people.add_destination(owner, dest_type, value)
        linked = store.people.autolink_contact(owner, dest_type, value)
        with_contact = [i for i, c in stored.items() if (c.contact_type, c.contact) == (dest_type, value)]
        assert linked == sorted(i for i in with_contact if autolink.may_autolink(stored[i]))
        added = {(dest_type, value): owner}
        assert {i: c.person_id for i, c in stored_conversations(store).items()} == {
            i: autolink.autolink_owner(c, added) or c.person_id for i, c in stored.items()}
