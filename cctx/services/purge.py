"""The purge (retention): its scope, the one selection of expired batches, and their deletion."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cctx.channels import CHANNEL_SLUGS
from cctx.config import Retention
from cctx.errors import Invalid
from cctx.models import PurgeCandidate
from cctx.results.retention import PurgeReport
from cctx.rules.visibility import past_horizon
from cctx.services.progress import ProgressBar, no_progress
from cctx.services.retention import age_in_days, cut_before, horizons

if TYPE_CHECKING:
    from cctx.store import Store

DEFAULT_BATCH_SIZE = 1000
VACUUM_STEP_PAGES = 256  # 1 MiB of 4 KiB pages per vacuum transaction: each one a few ms
# Fairness to other writers (an admin's `conversation link` during the nightly purge). After each batch
# the purge checkpoints the WAL (which keeps the WAL small) without holding the write lock, so another
# writer can commit meanwhile. But a writer waiting for the lock retries after 1, 2, 5 ... ms and then
# only every 100 ms (SQLite's busy handler), so it finds such a gap only by luck. At least every
# YIELD_EVERY_S the purge therefore leaves the lock free for YIELD_FOR_S, longer than that 100 ms, which
# the next retry of any waiting writer finds: nobody waits much longer than YIELD_EVERY_S.
YIELD_EVERY_S = 0.75
YIELD_FOR_S = 0.11


@dataclass(frozen=True)
class PurgeScope:
    """What a purge may delete: the horizon of each channel in scope (channels that never expire left out)."""

    horizon: str | None
    horizons: dict[str, str]
    now: datetime  # holds active at this moment keep what they name


def purge_scope(
    retention: Retention | None, now: datetime, older_than: timedelta | None, channels: Iterable[str] = ()
) -> PurgeScope:
    """The horizons of a purge; refused without a policy and without ``older_than``."""
    if older_than is None and (retention is None or (retention.default_days is None and not retention.channels)):
        raise Invalid(
            "no retention policy is configured (retention in the configuration file); "
            "give --older-than DURATION to purge anyway"
        )
    by_channel = horizons(retention, now, older_than)
    wanted = set(channels) or set(CHANNEL_SLUGS)
    in_scope = {slug: cut for slug, cut in by_channel.items() if slug in wanted and cut is not None}
    if older_than is not None:
        horizon: str | None = cut_before(now, older_than)
    elif retention is not None and retention.default_days is not None:
        horizon = cut_before(now, age_in_days(retention.default_days))
    else:
        horizon = None
    return PurgeScope(horizon, in_scope, now)


@dataclass(frozen=True)
class PurgePlan:
    """What a purge will go through: the expired conversations found at the start, in id order."""

    scope: PurgeScope
    candidates: list[int]
    batch_size: int
    held: int  # expired conversations that holds keep
    started: float  # time.monotonic() when planning began: the run's "seconds" include the planning


def plan_purge(store: Store, scope: PurgeScope, batch_size: int = DEFAULT_BATCH_SIZE) -> PurgePlan:
    """Find the expired conversations through the expiry index, read without taking the write lock.

    Batches go in id order, so each one deletes neighbouring rows and touches few pages."""
    started = time.monotonic()
    with store.retention.read_snapshot():
        expired = store.retention.expired_conversation_ids
        found = [i for slug, cut in scope.horizons.items() for i in expired(slug, cut, scope.now)]
        held = sum(len(expired(slug, cut, scope.now, held=True)) for slug, cut in scope.horizons.items())
    return PurgePlan(scope, sorted(found), batch_size, held, started)


@dataclass
class PurgeBatch:
    """The conversations one batch deletes, counted before they are deleted."""

    ids: list[int]
    conversations: Counter[str]
    items: Counter[str]


class ExpiredBatches:
    """THE selection of what a purge deletes, batch by batch; a dry run walks exactly the same batches.

    Each batch takes the next planned conversations that are still expired when the batch runs (checked
    inside the batch's transaction, so a conversation reopened meanwhile is kept) and adds the tombstones
    merged, transitively, into what it takes. A tombstone already taken is never taken again: a real run
    has deleted it, a dry run remembers it.
    """

    def __init__(self, store: Store, plan: PurgePlan) -> None:
        self.store = store
        self.plan = plan
        self.position = 0
        self.taken_tombstones: set[int] = set()

    def _expired(self, candidate: PurgeCandidate) -> bool:
        """The stored expires_from is set only on closed conversations and tombstones."""
        return past_horizon(candidate.expires_from, self.plan.scope.horizons.get(candidate.channel))

    def has_more(self) -> bool:
        return self.position < len(self.plan.candidates)

    def next_batch(self) -> PurgeBatch | None:
        while self.has_more():
            chunk = self.plan.candidates[self.position : self.position + self.plan.batch_size]
            self.position += len(chunk)
            wanted = [i for i in chunk if i not in self.taken_tombstones]
            roots = [c for c in self.store.retention.purge_candidates(wanted, self.plan.scope.now) if self._expired(c)]
            if roots:
                return self._batch(roots)
        return None

    def _batch(self, roots: list[PurgeCandidate]) -> PurgeBatch:
        taken = {r.id: r for r in roots}
        for tombstone in self.store.retention.tombstones_merged_into(list(taken)):
            if tombstone.id not in self.taken_tombstones:
                taken.setdefault(tombstone.id, tombstone)
        self.taken_tombstones.update(c.id for c in taken.values() if c.status == "merged")
        item_counts: Counter[str] = Counter()
        for conversation_id, n in self.store.retention.item_counts(taken).items():
            item_counts[taken[conversation_id].channel] += n
        return PurgeBatch(sorted(taken), Counter(c.channel for c in taken.values()), item_counts)


@dataclass
class PurgeTotals:
    conversations: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)
    batches: int = 0

    def add(self, batch: PurgeBatch) -> None:
        self.conversations.update(batch.conversations)
        self.items.update(batch.items)
        self.batches += 1

    def add_counts(self, details: dict[str, Any]) -> None:
        self.conversations.update(details.get("by_channel", {}))
        self.items.update(details.get("items_by_channel", {}))
        self.batches += int(details.get("batches", 0))

    def by_channel(self, counts: Counter[str], scope: PurgeScope, nonzero: bool) -> dict[str, int]:
        """Every channel in scope (0 included unless ``nonzero``), and any other a merged tombstone came from."""
        return {
            s: counts.get(s, 0)
            for s in CHANNEL_SLUGS
            if counts.get(s) or (s in scope.horizons and not nonzero)
        }

    def details(self, scope: PurgeScope, *, nonzero: bool = False) -> dict[str, Any]:
        """Counts per channel and the horizons: what the output and the audit record hold (never content)."""
        return {
            "conversations": sum(self.conversations.values()),
            "items": sum(self.items.values()),
            "by_channel": self.by_channel(self.conversations, scope, nonzero),
            "items_by_channel": self.by_channel(self.items, scope, nonzero),
            "horizon": scope.horizon,
            "horizons": scope.horizons,
            "batches": self.batches,
        }


def _resumed_runs(progress: tuple[str, str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The interrupted runs a progress row stands for, each with its own counts."""
    started_at, actor, details = progress
    earlier = list(details.get("resumed", []))
    own = {
        "started_at": started_at,
        "actor": actor,
        "horizon": details.get("horizon"),
        "horizons": details.get("horizons", {}),
        "conversations": details.get("conversations", 0) - sum(r["conversations"] for r in earlier),
        "items": details.get("items", 0) - sum(r["items"] for r in earlier),
    }
    return [*earlier, own]


def _delete_batches(
    store: Store,
    batches: ExpiredBatches,
    scope: PurgeScope,
    *,
    now: datetime,
    actor: str,
    advance: Callable[[int], None],
    on_batch: Callable[[float], None],
) -> tuple[PurgeTotals, list[dict[str, Any]]]:
    """Delete batch after batch, each in one short transaction that also carries the running totals;
    the last one writes the single audit record. Killed at any instant, a rerun finishes the job."""
    mine = PurgeTotals()
    resumed: list[dict[str, Any]] = []
    carried = PurgeTotals()
    first = True
    last_yield = time.monotonic()
    while True:
        started = time.monotonic()
        with store.transaction():
            if first:
                progress = store.retention.purge_progress()
                if progress is not None:
                    resumed = _resumed_runs(progress)
                    carried.add_counts(progress[2])
                first = False
            position = batches.position
            batch = batches.next_batch()
            if batch is not None:
                store.retention.delete_conversations(batch.ids)
                mine.add(batch)
            last = batch is None or not batches.has_more()
            if mine.batches or resumed:
                everything = PurgeTotals(carried.conversations + mine.conversations, carried.items + mine.items,
                                         carried.batches + mine.batches)
                details = {**everything.details(scope, nonzero=True), **({"resumed": resumed} if resumed else {})}
                if last:
                    store.audit.record(now, actor, "history.purge", [], details)
                    store.retention.clear_purge_progress()
                else:
                    store.retention.save_purge_progress(now, actor, details)
        committed = time.monotonic()
        on_batch(committed - started)
        advance(batches.position - position)
        store.retention.checkpoint()
        if last:
            return mine, resumed
        last_yield = _yield_to_writers(last_yield, committed)


def _forget_deleted_words(store: Store, *, deleted: bool, on_step: Callable[[float], None]) -> None:
    """Where the search index keeps deleted words until its segments are merged (SQLite before 3.44),
    merge it in short steps, each its own transaction, after the batches: no deleted word stays in the
    file, and no other writer waits long. After deletions the merge starts over all segments; otherwise
    (nothing to purge) the steps only finish a merge an interrupted purge left."""
    if not store.search.keeps_deleted_words():
        return
    start = deleted
    last_yield = time.monotonic()
    while True:
        started = time.monotonic()
        with store.transaction():
            more = store.search.merge_index_step(start=start)
        committed = time.monotonic()
        on_step(committed - started)
        store.retention.checkpoint()
        if not more:
            return
        start = False
        last_yield = _yield_to_writers(last_yield, committed)


def _yield_to_writers(last_yield: float, committed: float) -> float:
    """When YIELD_EVERY_S have passed since the purge last left the write lock free, leave it free until
    YIELD_FOR_S after ``committed`` (when it was released); the time it last did so."""
    if committed - last_yield < YIELD_EVERY_S:
        return last_yield
    time.sleep(max(0.0, YIELD_FOR_S - (time.monotonic() - committed)))
    return time.monotonic()


def reclaim_space(store: Store) -> int:
    """Incremental vacuum in short steps; the bytes the file shrank by."""
    if not store.retention.incremental_vacuum_enabled():
        return 0
    before = store.stats.file_size()
    with store.retention.manual_checkpoints():
        while store.retention.free_pages():
            store.retention.incremental_vacuum_step(VACUUM_STEP_PAGES)
            store.retention.checkpoint()
    return max(0, before - store.stats.file_size())


def purge(
    store: Store,
    plan: PurgePlan,
    *,
    now: datetime,
    actor: str,
    dry_run: bool = False,
    vacuum: bool = False,
    advance: Callable[[int], None] | None = None,
) -> PurgeReport:
    """Delete what is expired in ``scope`` (retention), or with ``dry_run`` count exactly that and write nothing."""
    advance = advance or (lambda _n: None)
    scope = plan.scope
    holds: list[float] = []  # how long each batch (and each step of merging the index) held the write lock
    batches = ExpiredBatches(store, plan)
    resumed: list[dict[str, Any]] = []
    freed = 0
    wal_cleared = True
    if dry_run:
        totals = PurgeTotals()
        with store.retention.read_snapshot():
            position = 0
            while (batch := batches.next_batch()) is not None:
                totals.add(batch)
                advance(batches.position - position)
                position = batches.position
    else:
        with store.retention.purge_lock():
            with store.retention.manual_checkpoints():
                totals, resumed = _delete_batches(
                    store, batches, scope, now=now, actor=actor, advance=advance, on_batch=holds.append
                )
                _forget_deleted_words(store, deleted=bool(totals.items), on_step=holds.append)
            freed = reclaim_space(store) if vacuum else 0
            wal_cleared = store.retention.clear_wal()  # deleted content must not survive in the WAL
    details = totals.details(scope)
    return PurgeReport(
        conversations=details["conversations"],
        items=details["items"],
        dry_run=dry_run,
        horizon=scope.horizon,
        horizons=scope.horizons,
        by_channel=details["by_channel"],
        items_by_channel=details["items_by_channel"],
        batches=details["batches"],
        held=plan.held,
        seconds=round(time.monotonic() - plan.started, 3),
        resumed=tuple(resumed),
        longest_batch_ms=None if dry_run else round(max(holds, default=0.0) * 1000, 1),
        wal_cleared=None if dry_run else wal_cleared,
        bytes_freed=(0 if dry_run else freed) if vacuum else None,
    )


def purge_expired(
    store: Store,
    retention: Retention | None,
    now: datetime,
    *,
    actor: str,
    older_than: timedelta | None = None,
    channels: Iterable[str] = (),
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    vacuum: bool = False,
    progress: ProgressBar = no_progress,
) -> PurgeReport:
    """`history purge`: the scope, the plan, then the batches; ``progress(total)`` gives ``advance``."""
    plan = plan_purge(store, purge_scope(retention, now, older_than, channels), batch_size)
    with progress(len(plan.candidates)) as advance:
        return purge(store, plan, now=now, actor=actor, dry_run=dry_run, vacuum=vacuum, advance=advance)
