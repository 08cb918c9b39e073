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
        from cctx.store.people import PeopleStore

        return PeopleStore(self)

    @cached_property
    def profiles(self) -> ProfileStore:
        from cctx.store.profiles import ProfileStore

        return ProfileStore(self)

    @cached_property
    def conversations(self) -> ConversationStore:
        from cctx.store.conversations import ConversationStore

        return ConversationStore(self)

    @cached_property
    def history(self) -> HistoryStore:
        from cctx.store.history import HistoryStore

        return HistoryStore(self)

    @cached_property
    def search(self) -> SearchStore:
        from cctx.store.search import SearchStore

        return SearchStore(self)

    @cached_property
    def retention(self) -> RetentionStore:
        from cctx.store.retention import RetentionStore

        return RetentionStore(self)

    @cached_property
    def retention_views(self) -> RetentionViewStore:
        from cctx.store.retention_views import RetentionViewStore

        return RetentionViewStore(self)

    @cached_property
    def holds(self) -> HoldStore:
        from cctx.store.holds import HoldStore

        return HoldStore(self)

    @cached_property
    def privacy(self) -> PrivacyStore:
        from cctx.store.privacy import PrivacyStore

        return PrivacyStore(self)

    @cached_property
    def agents(self) -> AgentStore:
        from cctx.store.agents import AgentStore

        return AgentStore(self)

    @cached_property
    def audit(self) -> AuditStore:
        from cctx.store.audit import AuditStore

        return AuditStore(self)

    @cached_property
    def undo(self) -> UndoStore:
        from cctx.store.undo import UndoStore

        return UndoStore(self)

    @cached_property
    def doctor(self) -> DoctorStore:
        from cctx.store.doctor import DoctorStore

        return DoctorStore(self)

    @cached_property
    def seed(self) -> SeedStore:
        from cctx.store.seed import SeedStore

        return SeedStore(self)

    @cached_property
    def stats(self) -> StatsStore:
        from cctx.store.stats import StatsStore

        return StatsStore(self)

    @cached_property
    def transfer(self) -> TransferStore:
        from cctx.store.transfer import TransferStore

        return TransferStore(self)


__all__ = ["Store"]
