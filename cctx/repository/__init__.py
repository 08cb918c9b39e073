"""The only place with SQL. ``Repository`` joins one mixin per aggregate over one connection."""

from __future__ import annotations

from cctx.repository.agents import AgentRepository
from cctx.repository.audit import AuditRepository
from cctx.repository.base import Database
from cctx.repository.conversations import ConversationRepository
from cctx.repository.doctor import DoctorRepository
from cctx.repository.history import HistoryRepository
from cctx.repository.holds import HoldRepository
from cctx.repository.people import PeopleRepository
from cctx.repository.privacy import PrivacyRepository
from cctx.repository.profiles import ProfileRepository
from cctx.repository.retention import RetentionRepository
from cctx.repository.retention_views import RetentionViewRepository
from cctx.repository.seed import SeedRepository
from cctx.repository.stats import StatsRepository
from cctx.repository.transfer import TransferRepository
from cctx.repository.undo import UndoRepository


class Repository(
    Database,
    PeopleRepository,
    ProfileRepository,
    ConversationRepository,
    HistoryRepository,
    RetentionRepository,
    SeedRepository,
    AgentRepository,
    AuditRepository,
    HoldRepository,
    RetentionViewRepository,
    PrivacyRepository,
    StatsRepository,
    UndoRepository,
    DoctorRepository,
    TransferRepository,
):
    """Everything cctx stores, behind named methods that return models, None or []."""


__all__ = ["Repository"]
