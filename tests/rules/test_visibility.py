"""Visibility (the history rule, retention's hiding, agent access): over random small worlds on both engines,
each SQL fragment of cctx/rules/visibility.py selects exactly the conversations its Python predicate
accepts, and the stores that compose the fragments (history, a card's counts, an agent's access to one
conversation) show what the predicates say."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cctx.rules import visibility
from cctx.store import Store
from cctx.store.history import HistoryQuery
from tests.rules.conftest import RULE_SETTINGS, TIMES, add_conversation, selected_ids, stored_conversations, world

QUEUES = ("q0", "q1", "q2")
AGENTS = ("a0", "a1", "a2")
# two messaging channels and a call channel on phones, and a posts channel (never in history)
CHANNELS = ("sms", "whatsapp", "voice", "facebook_posts")
OWNED_PHONE, STRANGER_PHONE = "+385910000001", "+385910000002"

conversations = st.lists(
    st.fixed_dictionaries({
        "channel": st.sampled_from(CHANNELS),
        "stranger": st.booleans(),  # the unknown contact's, else the person's
        "status": st.sampled_from(("open", "waiting", "solved", "closed", "closed", "merged")),
        "queue": st.one_of(st.none(), st.sampled_from(QUEUES)),
        "agents": st.lists(st.sampled_from(AGENTS), unique=True, max_size=2),
        "authors": st.lists(st.sampled_from(AGENTS), unique=True, max_size=1),
        "created_at": st.sampled_from(TIMES),
        "closed_at": st.sampled_from(TIMES),
        "merged_at": st.sampled_from(TIMES),
    }),
    min_size=1,
    max_size=10,
)
rights = st.fixed_dictionaries({a: st.lists(st.sampled_from(QUEUES), unique=True) for a in AGENTS})
# a channel without an entry, or with None, never expires
horizons = st.dictionaries(st.sampled_from(CHANNELS), st.one_of(st.none(), st.sampled_from(TIMES)))


def _build(store: Store, agent_rights: dict[str, list[str]], wanted: list[dict[str, Any]]) -> int:
    """The world: queues, agents with their rights, one person owning OWNED_PHONE and the conversations
    (the person's linked to them, the stranger's unlinked). Returns the person's id."""
    for queue in QUEUES:
        store.agents.add_queue(queue)
    for agent, queues in agent_rights.items():
        store.agents.add_agent(agent)
        store.agents.grant_queues(agent, queues)
    person = store.people.add({"first_name": "P"}, {}, TIMES[0])
    store.people.add_destination(person, "phone", OWNED_PHONE)
    for c in wanted:
        add_conversation(
            store, channel=c["channel"], contact=STRANGER_PHONE if c["stranger"] else OWNED_PHONE,
            person_id=None if c["stranger"] else person, status=c["status"], queue=c["queue"], agents=c["agents"],
            authors=c["authors"], created_at=c["created_at"],
            closed_at=c["closed_at"] if c["status"] in ("closed", "merged") else None, merged_at=c["merged_at"],
        )
    return person


@RULE_SETTINGS
@given(agent_rights=rights, wanted=conversations, cuts=horizons)
def test_each_fragment_selects_what_its_predicate_accepts(
    store: Store, agent_rights: dict[str, list[str]], wanted: list[dict[str, Any]], cuts: dict[str, str | None]
) -> None:
    with world(store):
        _build(store, agent_rights, wanted)
        stored = stored_conversations(store)

        def accepted(predicate: Any) -> set[int]:
            return {i for i, c in stored.items() if predicate(c)}

        assert selected_ids(store, *visibility.not_tombstone_sql()) == accepted(visibility.not_tombstone)
        assert selected_ids(store, *visibility.in_history_sql()) == accepted(visibility.in_history)
        assert selected_ids(store, *visibility.not_expired_sql(cuts)) == accepted(
            lambda c: not visibility.is_expired(c, cuts))
        assert selected_ids(store, *visibility.shown_in_history_sql(cuts)) == accepted(
            lambda c: visibility.shown_in_history(c, cuts))
        participants = {i: store.conversations.participants(i) for i in stored}
        for agent in AGENTS:
            agent_id = store.agents.agent_id(agent)
            assert agent_id is not None
            queues = store.agents.agent_queue_names(agent)
            may_see = {i for i, c in stored.items() if visibility.agent_may_see(c, participants[i], agent, queues)}
            assert selected_ids(store, *visibility.agent_access_sql(agent_id)) == may_see, agent


@RULE_SETTINGS
@given(agent_rights=rights, wanted=conversations, cuts=horizons)
def test_histories_counts_and_access_compose_the_rule(
    store: Store, agent_rights: dict[str, list[str]], wanted: list[dict[str, Any]], cuts: dict[str, str | None]
) -> None:
    with world(store):
        person = _build(store, agent_rights, wanted)
        stored = stored_conversations(store)
        participants = {i: store.conversations.participants(i) for i in stored}
        viewers: list[tuple[str, int, list[str]] | None] = [None]
        for agent in AGENTS:
            agent_id = store.agents.agent_id(agent)
            assert agent_id is not None
            viewers.append((agent, agent_id, store.agents.agent_queue_names(agent)))
        for viewer in viewers:

            def shown(c: Any, viewer: tuple[str, int, list[str]] | None = viewer) -> bool:
                return visibility.shown_in_history(c, cuts) and (
                    viewer is None or visibility.agent_may_see(c, participants[c.id], viewer[0], viewer[2]))

            agent_id = None if viewer is None else viewer[1]
            mine = sorted((c for c in stored.values() if c.person_id == person and shown(c)),
                          key=lambda c: (c.created_at, c.id))
            theirs = sorted((c for c in stored.values() if c.person_id is None and shown(c)),
                            key=lambda c: (c.created_at, c.id))
            history = store.history.conversations(HistoryQuery(person_id=person, horizons=cuts, agent_id=agent_id))
            assert [c.id for c in history] == [c.id for c in mine]
            unknown = store.history.conversations(HistoryQuery(
                contact_type="phone", contact=STRANGER_PHONE, horizons=cuts, agent_id=agent_id))
            assert [c.id for c in unknown] == [c.id for c in theirs]
            # a card counts (not closed, closed) among what the history shows
            counts = store.people.conversation_counts([person], cuts, agent_id).get(person, (0, 0))
            assert counts == (sum(c.status != "closed" for c in mine), sum(c.status == "closed" for c in mine))
            assert store.people.contact_conversation_counts("phone", STRANGER_PHONE, cuts, agent_id) == (
                sum(c.status != "closed" for c in theirs), sum(c.status == "closed" for c in theirs))
            if viewer is not None:  # one conversation opened as an agent: access alone, whatever its history
                for c in stored.values():
                    assert store.conversations.agent_may_see(c.id, viewer[1]) == visibility.agent_may_see(
                        c, participants[c.id], viewer[0], viewer[2]), (viewer[0], c.id)
