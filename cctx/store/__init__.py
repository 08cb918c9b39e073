"""The only place with SQL: a ``Store`` is the Database and one narrow store per aggregate over its
connection (``store.people``, ``store.conversations``, ``store.history`` ...). Each is imported when first
used, so a command loads the queries it runs and no others."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from cctx.store.base import Database

if TYPE_CHECKING:
    from cctx.store.agents import AgentStore
    from cctx.store.audit import AuditStore
    from cctx.store.conversations import ConversationStore
    from cctx.store.doctor import DoctorStore
    from cctx.store.history import HistoryStore
    from cctx.store.holds import HoldStore
    from cctx.store.people import PeopleStore
    from cctx.store.privacy import PrivacyStore
    from cctx.store.profiles import ProfileStore
    from cctx.store.retention import RetentionStore
    from cctx.store.retention_views import RetentionViewStore
    from cctx.store.search import SearchStore
    from cctx.store.seed import SeedStore
    from cctx.store.stats import StatsStore
    from cctx.store.transfer import TransferStore
    from cctx.store.undo import UndoStore


class Store(Database):
    """Everything cctx stores, one aggregate at a time; each returns models, None or [] and owns no rule."""

    @cached_property
    def people(self) -> PeopleStore:
        """People rows, their destinations and tags; auto-link of a contact."""
        from cctx.store.people import PeopleStore

        return PeopleStore(self)

    @cached_property
    def profiles(self) -> ProfileStore:
        """Whole profiles: names and phones across people, and what a people merge moves."""
        from cctx.store.profiles import ProfileStore

        return ProfileStore(self)

    @cached_property
    def conversations(self) -> ConversationStore:
        """Conversations, their items and participants; links and merges."""
        from cctx.store.conversations import ConversationStore

        return ConversationStore(self)

    @cached_property
    def history(self) -> HistoryStore:
        """The history query (a customer's visible conversations) and its plan."""
        from cctx.store.history import HistoryStore

        return HistoryStore(self)

    @cached_property
    def search(self) -> SearchStore:
        """Full-text search over item text."""
        from cctx.store.search import SearchStore

        return SearchStore(self)

    @cached_property
    def retention(self) -> RetentionStore:
        """The purge: candidates, batched deletes, progress, the purge lock and space reclaimed."""
        from cctx.store.retention import RetentionStore

        return RetentionStore(self)

    @cached_property
    def retention_views(self) -> RetentionViewStore:
        """What `history explain` and `forecast` read: expiry buckets and tombstone chains."""
        from cctx.store.retention_views import RetentionViewStore

        return RetentionViewStore(self)

    @cached_property
    def holds(self) -> HoldStore:
        """Legal holds."""
        from cctx.store.holds import HoldStore

        return HoldStore(self)

    @cached_property
    def privacy(self) -> PrivacyStore:
        """Erasure's reads and rewrites."""
        from cctx.store.privacy import PrivacyStore

        return PrivacyStore(self)

    @cached_property
    def agents(self) -> AgentStore:
        """Agents, queues and who may see which."""
        from cctx.store.agents import AgentStore

        return AgentStore(self)

    @cached_property
    def audit(self) -> AuditStore:
        """The audit log."""
        from cctx.store.audit import AuditStore

        return AuditStore(self)

    @cached_property
    def undo(self) -> UndoStore:
        """What undo reads of a recorded change and the rows it puts back."""
        from cctx.store.undo import UndoStore

        return UndoStore(self)

    @cached_property
    def doctor(self) -> DoctorStore:
        """The checks of `db doctor` and their repairs."""
        from cctx.store.doctor import DoctorStore

        return DoctorStore(self)

    @cached_property
    def seed(self) -> SeedStore:
        """Bulk loads of a generated world."""
        from cctx.store.seed import SeedStore

        return SeedStore(self)

    @cached_property
    def stats(self) -> StatsStore:
        """Counts and sizes for `db stats`."""
        from cctx.store.stats import StatsStore

        return StatsStore(self)

    @cached_property
    def transfer(self) -> TransferStore:
        """Whole tables, for `db copy`."""
        from cctx.store.transfer import TransferStore

        return TransferStore(self)


__all__ = ["Store"]
