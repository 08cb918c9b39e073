"""`db seed`: deterministic synthetic data at scale, spread like real traffic.

Same arguments and same ``now`` give the same database, row for row. The world:

- 8 queues and 40 agents; each agent has rights to one or two queues, the last two to all of them.
- People 1-10 are heavy customers (full counts once --conversations reaches FULL_SCALE, scaled down below
  it): person 1 has exactly 200 conversations in history channels (plus 12 on posts channels, which
  history leaves out); people 2-10 have 150-400 each. Every other person is picked with a mild skew.
- A conversation is auto-linked (its contact is a destination of the person), linked explicitly to a
  contact nobody owns, explicitly unlinked (the contact is owned, ``unlinked_explicitly`` = 1), or from
  an unknown contact nobody owns; every channel of the table appears, every status (mostly closed).
- Closed conversations start up to three years back; solved ones within 60 days; open and waiting
  ones within 14 days. Items follow the layout of the seed store's SQL; the counters and
  ``last_activity_at`` are computed from the same layout.
- About 1% are merge tombstones (the merge rules), as if an admin had merged an emptied duplicate: a copy of
  another conversation's customer (same person, or the same unlinked contact) on a channel of the same
  kind, started after it, with no items and the same agents and queue; ``merged_into`` is that
  conversation, never itself a tombstone. A tombstone was merged while its target was still open (a
  closed target was closed after the merge; the duplicate was open, ``closed_at`` NULL), or, for about
  half of those into a closed target, up to 30 days after both were closed (the tombstone keeps its
  earlier ``closed_at``, the target the later one, as a merge leaves them). Heavy customers' and the
  every-channel conversations never become tombstones, so person 1 keeps exactly 200 in history.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cctx.channels import CALL, CHANNELS, HISTORY_CHANNELS, MESSAGING, POSTS, channels_of_type
from cctx.errors import Conflict, Invalid
from cctx.results.admin import ImportCounts, SeedResult
from cctx.rules.display_names import full_name
from cctx.services.progress import Advance, ProgressBar, no_progress
from cctx.services.seed_words import (
    AGENT_PHRASES,
    AGENTS,
    CHANNEL_WEIGHTS,
    CUSTOMER_PHRASES,
    EXTRA_TYPES,
    FEMALE,
    HEAVY_TYPES,
    LANGUAGES,
    LAST,
    MALE,
    NOTES,
    PLACES,
    PLANS,
    QUEUES,
    TAGS,
    owned_contact,
    unknown_contact,
)
from cctx.store import Store
from cctx.store.seed import CALL_KIND, MESSAGING_KIND, seed_item_at, seed_item_counts
from cctx.words import plural

DAY = 86400
THREE_YEARS = 3 * 365 * DAY
HEAVY_PEOPLE = 10
PERSON_ONE_HISTORY = 200
PERSON_ONE_POSTS = 12
FULL_SCALE = 20_000
STEP_SECONDS = {CALL: (5, 90), POSTS: (600, 43200), MESSAGING: (15, 900)}  # between items, by channel kind
ITEM_CHUNK = 50_000  # conversations per item-generation statement (one progress step each)
TOMBSTONE_SHARE = 100  # one conversation in this many is a merge tombstone


@dataclass(frozen=True)
class SeedSize:
    people: int
    conversations: int
    items: int
    seed: int = 1


@dataclass
class World:
    """What conversations are drawn from: people's names and destinations, agents and queue rights."""

    names: list[str | None]  # by person id (index 0 unused): "first last", or None without a first name
    destinations: list[list[tuple[str, str]]]
    queue_ids: list[int]
    agent_ids: list[int]
    queue_agents: list[list[int]]  # agent indexes with rights to each queue


def progress_units(size: SeedSize) -> int:
    """How many units a seed advances its progress bar by in all."""
    return size.people + size.conversations + size.items + size.items // 4 + 1


def seed_database(
    store: Store, size: SeedSize, *, now: datetime, actor: str, progress: ProgressBar = no_progress
) -> SeedResult:
    """Fill an empty database with the synthetic world of ``size``; one audit record `seed`.

    ``progress(n)`` opens a progress bar for ``progress_units(size)``; advanced as each part is written."""
    with progress(progress_units(size)) as advance:
        return _seed(store, size, now, actor, advance)


_ONE = {"people": "person", "conversations": "conversation", "agents": "agent", "queues": "queue"}


def _seed(store: Store, size: SeedSize, now: datetime, actor: str, advance: Advance) -> SeedResult:
    if size.items and not size.conversations:
        raise Invalid("--items needs --conversations above 0")
    started = time.monotonic()
    rng = random.Random(size.seed)
    epoch = int(now.timestamp())
    with store.seed.bulk_load():
        present = {k: v for k, v in store.seed.seed_target_counts().items() if v}
        if present:
            held = ", ".join(plural(v, _ONE.get(k, k), k) for k, v in present.items())
            raise Conflict(f"db seed fills an empty database only; this one holds {held} (seed a new file)")
        indexes = store.seed.drop_secondary_indexes()
        world = _world(store, rng, size.people, epoch)
        advance(size.people)
        plan = _plan(rng, size, world, epoch)
        store.seed.insert_seed_plan(plan, (*CUSTOMER_PHRASES, *AGENT_PHRASES, *NOTES))
        store.seed.insert_seed_conversations()
        advance(size.conversations)
        for first in range(1, size.conversations + 1, ITEM_CHUNK):
            advance(store.seed.insert_seed_items(first, first + ITEM_CHUNK - 1))
        store.transfer.create_indexes(indexes)
        advance(size.items // 4)
        counts = ImportCounts(size.people, size.conversations, size.items, len(AGENTS), len(QUEUES))
        store.audit.record(now, actor, "seed", [], {**counts.to_dict(), "seed": size.seed})
    advance(1)
    return SeedResult(counts, round(time.monotonic() - started, 1))


def format_epoch(moment: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def _world(store: Store, rng: random.Random, people: int, now: int) -> World:
    """Queues, agents with rights, and people with destinations and tags, written to the database."""
    queue_ids = [store.agents.add_queue(q) for q in QUEUES]
    agent_ids: list[int] = []
    queue_agents: list[list[int]] = [[] for _ in QUEUES]
    for i, name in enumerate(AGENTS):
        agent_ids.append(store.agents.add_agent(name))
        rights = {i % len(QUEUES)}
        if i >= len(AGENTS) - 2:
            rights = set(range(len(QUEUES)))
        elif rng.random() < 0.4:
            rights.add(rng.randrange(len(QUEUES)))
        store.agents.grant_queues(name, [QUEUES[q] for q in sorted(rights)])
        for q in sorted(rights):
            queue_agents[q].append(i)
    names: list[str | None] = [None]
    destinations: list[list[tuple[str, str]]] = [[]]
    person_rows: list[tuple[Any, ...]] = []
    destination_rows: list[tuple[Any, ...]] = []
    tag_rows: list[tuple[Any, ...]] = []
    attributes = {(p, lang): json.dumps({"language": lang, "plan": p}) for p in PLANS for lang in LANGUAGES}
    created = format_epoch(now - THREE_YEARS - 30 * DAY)
    for pid in range(1, people + 1):
        heavy = pid <= HEAVY_PEOPLE
        female = rng.random() < 0.5
        first: str | None = rng.choice(FEMALE if female else MALE)
        last: str | None = rng.choice(LAST)
        nameless = rng.random()
        if not heavy and nameless < 0.08:
            first = None
            if nameless < 0.02:
                last = None
        gender = None if rng.random() < 0.1 else "female" if female else "male"
        city, country = rng.choice(PLACES)
        attrs = attributes[(rng.choice(PLANS), rng.choice(LANGUAGES))]
        person_rows.append((pid, first, last, gender, city, country, attrs, created, created))
        if heavy:
            types = list(HEAVY_TYPES)
        else:
            types = [t for t, p in (("phone", 0.85), ("email", 0.5)) if rng.random() < p]
            if rng.random() < 0.45 or not types:
                types.append(rng.choice(EXTRA_TYPES))
        owned = [(t, owned_contact(t, pid, first, last)) for t in types]
        destination_rows.extend((pid, t, v) for t, v in owned)
        if rng.random() < 0.15:
            tag_rows.extend((pid, t) for t in sorted(set(rng.choices(TAGS, k=rng.randint(1, 2)))))
        names.append(full_name(first, last))
        destinations.append(owned)
    store.seed.insert_seed_people(person_rows)
    store.seed.insert_seed_destinations(destination_rows)
    store.seed.insert_seed_tags(tag_rows)
    return World(names, destinations, queue_ids, agent_ids, queue_agents)


def _picker(rng: random.Random, channels: list[str]) -> Callable[[], str]:
    """Draws a channel of ``channels`` with the traffic weights."""
    cum, total = [], 0
    for channel in channels:
        total += CHANNEL_WEIGHTS[channel]
        cum.append(total)
    return lambda: rng.choices(channels, cum_weights=cum)[0]


Slot = tuple[str, str, int | None, int, str]  # channel, contact, person_id, unlinked_explicitly, display_name


def _slots(rng: random.Random, size: SeedSize, world: World) -> tuple[list[Slot], int]:
    """Who each conversation is with, on which channel: heavy customers first, then everyone else.

    Also returns how many leading slots are fixed (the heavy customers' and one on every channel).
    """
    people, conversations = size.people, size.conversations
    scale = min(1.0, conversations / FULL_SCALE)
    any_channel = _picker(rng, list(CHANNELS))
    types = {c.destination_type for c in CHANNELS.values()}
    of_type = {t: _picker(rng, list(channels_of_type(t))) for t in sorted(types)}
    history_of_type = {t: _picker(rng, [c for c in channels_of_type(t) if c in HISTORY_CHANNELS]) for t in HEAVY_TYPES}
    posts_of_type = {t: _picker(rng, [c for c in channels_of_type(t) if CHANNELS[c].kind == POSTS])
                     for t in ("messenger", "instagram")}
    pool = max(1, conversations // 10)
    names = world.names
    slots: list[Slot] = []

    def unknown(channel: str) -> str:
        return unknown_contact(CHANNELS[channel].destination_type, int(pool * rng.random() ** 2))

    def linked(pid: int, channel: str, contact: str) -> Slot:
        return (channel, contact, pid, 0, names[pid] or contact)

    heavy = min(HEAVY_PEOPLE, people)
    for pid in range(1, heavy + 1):
        drawn = rng.randint(150, 400)
        history = round((PERSON_ONE_HISTORY if pid == 1 else drawn) * scale)
        posts = round(PERSON_ONE_POSTS * scale) if pid == 1 else 0
        own = dict(world.destinations[pid])
        for _ in range(history):
            dest_type = rng.choice(HEAVY_TYPES)
            channel = history_of_type[dest_type]()
            contact = own[dest_type] if rng.random() < 0.85 else unknown(channel)
            slots.append(linked(pid, channel, contact))
        for _ in range(posts):
            dest_type = rng.choice(("messenger", "instagram"))
            slots.append(linked(pid, posts_of_type[dest_type](), own[dest_type]))
    if len(slots) > conversations:
        del slots[conversations:]

    def someone() -> int:
        if people <= HEAVY_PEOPLE:
            return rng.randint(1, people)
        return HEAVY_PEOPLE + 1 + int((people - HEAVY_PEOPLE) * rng.random() ** 1.5)

    for channel in list(CHANNELS)[: conversations - len(slots)]:  # every channel at least once
        contact = unknown(channel)
        slots.append((channel, contact, None, 0, contact))
    fixed = len(slots)
    for _ in range(conversations - len(slots)):
        kind = rng.random()
        if kind < 0.55 or 0.65 <= kind < 0.73:  # auto-linked, or explicitly unlinked from an owned contact
            pid = someone()
            dest_type, contact = rng.choice(world.destinations[pid])
            channel = of_type[dest_type]()
            slots.append(linked(pid, channel, contact) if kind < 0.55 else (channel, contact, None, 1, contact))
        elif kind < 0.65:  # linked explicitly, on a contact nobody owns
            channel = any_channel()
            slots.append(linked(someone(), channel, unknown(channel)))
        else:  # unknown contact
            channel = any_channel()
            contact = unknown(channel)
            slots.append((channel, contact, None, 0, contact))
    return slots, fixed


def _duplicates(rng: random.Random, slots: list[Slot], fixed: int) -> dict[int, int]:
    """Turn ~1% of the free slots into duplicates of others; return {tombstone index: target index}.

    A duplicate has its target's customer (person, contact, explicit unlink) and a channel of the same
    kind and destination type, so a merge would accept the two.
    """
    free = len(slots) - fixed
    if free < 1 or len(slots) < 2:
        return {}
    chosen = rng.sample(range(fixed, len(slots)), min(free, max(1, len(slots) // TOMBSTONE_SHARE)))
    tombstones = set(chosen)
    merges = {}
    for i in chosen:
        j = rng.randrange(len(slots))
        while j in tombstones:
            j = rng.randrange(len(slots))
        channel, contact, pid, unlinked, display = slots[j]
        spec = CHANNELS[channel]
        if rng.random() < 0.5:
            channel = rng.choice([c.slug for c in CHANNELS.values()
                                  if (c.kind, c.destination_type) == (spec.kind, spec.destination_type)])
        slots[i] = (channel, contact, pid, unlinked, display)
        merges[i] = j
    return merges


def _item_counts(rng: random.Random, slots: list[Slot], items: int, empty: Container[int]) -> list[int]:
    """Items per conversation, summing to exactly ``items``: messaging ones get most, posts fewest, the
    ``empty`` ones (tombstones) none."""
    raw = []
    for i, slot in enumerate(slots):
        kind = CHANNELS[slot[0]].kind
        if i in empty:
            raw.append(0.0)
        elif kind == CALL:
            raw.append(4 + rng.expovariate(0.25))
        elif kind == POSTS:
            raw.append(1 + rng.expovariate(0.5))
        else:
            raw.append(4 + rng.expovariate(0.1))
    factor = items / sum(raw) if raw else 0.0
    counts = [int(r * factor) for r in raw]
    short = items - sum(counts)
    i = 0
    while short:
        step = 1 if short > 0 else -1
        k = i % len(counts)
        if k not in empty and (step > 0 or counts[k] > 0):
            counts[k] += step
            short -= step
        i += 1
    return counts


def _merge_times(rng: random.Random, target: tuple[Any, ...], now: int) -> tuple[int, int | None, int]:
    """(created, closed_at or None, merged_at) of a tombstone of the ``target`` draft.

    Created after the target; merged after that and, into a closed target, either before the target was
    closed (the duplicate still open) or after it (the duplicate closed earlier than the target).
    """
    t0, _, _, status, n, step, close_delay = target[:7]
    if status == "closed":  # bounds of the target's closed_at, whatever its id makes the last item's time
        low = min(now, t0 + max(n - 1, 0) * step + close_delay)
        high = min(now, t0 + n * step + close_delay)
    else:
        low = high = now
    created = t0 + rng.randint(0, min(2 * DAY, (low - t0) // 2))
    if status == "closed" and high < now and rng.random() < 0.5:
        return created, rng.randint(created, low), rng.randint(high + 1, min(now, high + 30 * DAY))
    return created, None, rng.randint(created + 1, low)


def _plan(rng: random.Random, size: SeedSize, world: World, now: int) -> list[tuple[Any, ...]]:
    """One plan row per conversation (the seed store's PLAN_COLUMNS), ids in order of creation."""
    slots, fixed = _slots(rng, size, world)
    merges = _duplicates(rng, slots, fixed)
    counts = _item_counts(rng, slots, size.items, merges)
    drafts = []
    for i, (slot, n) in enumerate(zip(slots, counts, strict=True)):
        kind = CHANNELS[slot[0]].kind
        r = rng.random()
        status = "closed" if r < 0.84 else "solved" if r < 0.90 else "open" if r < 0.96 else "waiting"
        max_age = THREE_YEARS if status == "closed" else 60 * DAY if status == "solved" else 14 * DAY
        t0 = min(now - rng.randint(3600, max_age), now - n - 60)
        base = rng.randint(*STEP_SECONDS[kind])
        step = max(1, min(base, (now - t0 - 60) // max(n, 1)))
        close_delay = rng.randint(60, 4 * 3600)
        m = rng.randint(3, 9)
        o = rng.randrange(m)
        rec = kind == CALL and rng.random() < 0.6
        queue = rng.randrange(len(QUEUES)) if rng.random() < 0.92 else None
        a = rng.choice(world.queue_agents[queue]) if queue is not None else rng.randrange(len(AGENTS))
        b = None
        if rng.random() < 0.25:
            b = rng.randrange(len(AGENTS) - 1)
            b += b >= a
        drafts.append((t0, i, slot, status, n, step, close_delay, m, o, rec, queue, a, b))
    merged: dict[int, tuple[int, int | None, int]] = {}  # tombstone index -> (target index, closed, merged)
    for i, j in merges.items():  # the same agents and queue as the target, so it gains no participant
        created, closed, merge_time = _merge_times(rng, drafts[j], now)
        _, _, slot, _, _, step, _, m, o, rec, *_ = drafts[i]
        drafts[i] = (created, i, slot, "merged", 0, step, 0, m, o, rec, *drafts[j][10:])
        merged[i] = (j, closed, merge_time)
    drafts.sort(key=lambda d: (d[0], d[1]))
    cid_of = {d[1]: cid for cid, d in enumerate(drafts, 1)}
    rows = []
    for cid, (t0, i, slot, status, n, step, close_delay, m, o, rec, queue, a, b) in enumerate(drafts, 1):
        channel, contact, pid, unlinked, display = slot
        call = CHANNELS[channel].kind == CALL
        last = seed_item_at(cid, t0, step, n - 1) if n else t0
        closed = min(now, last + close_delay) if status == "closed" else None
        into: int | None = None
        merged_at: int | None = None
        if i in merged:
            target, closed, merged_at = merged[i]
            into = cid_of[target]
        rows.append((
            cid, channel, CHANNELS[channel].destination_type, contact, pid, unlinked,
            None if queue is None else world.queue_ids[queue], status, display, t0, closed,
            *seed_item_counts(call, n, m, o, rec), last, n, step, CALL_KIND if call else MESSAGING_KIND,
            m, o, int(rec), world.agent_ids[a], AGENTS[a],
            None if b is None else world.agent_ids[b], None if b is None else AGENTS[b], into, merged_at,
        ))
    return rows
