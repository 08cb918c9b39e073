"""SQL fragments shared by the queries that respect the history rule."""

from __future__ import annotations

from typing import Any

from cctx.channels import HISTORY_CHANNELS
from cctx.store.base import placeholders

# A conversation `c` an agent may see: in a queue the agent has rights to, or taken part in.
AGENT_ACCESS = (
    "(c.queue_id IN (SELECT queue_id FROM agent_queues WHERE agent_id = ?)"
    " OR EXISTS (SELECT 1 FROM participants p WHERE p.conversation_id = c.id AND p.agent_id = ?))"
)


def agent_access(agent_id: int) -> tuple[str, list[Any]]:
    return AGENT_ACCESS, [agent_id, agent_id]


def in_history() -> tuple[str, list[Any]]:
    """Not a tombstone, not a posts channel."""
    marks = placeholders(HISTORY_CHANNELS)
    return f"(c.status != 'merged' AND c.channel IN ({marks}))", list(HISTORY_CHANNELS)


def not_expired(horizons: dict[str, str | None]) -> tuple[str, list[Any]]:
    """Hide what retention has made expired, even before a purge removes it."""
    cuts = [(slug, cut) for slug, cut in horizons.items() if cut is not None]
    if not cuts:
        return "TRUE", []
    whens = " ".join("WHEN ? THEN ?" for _ in cuts)
    params: list[Any] = [v for pair in cuts for v in pair]
    return f"(c.expires_from IS NULL OR c.expires_from >= CASE c.channel {whens} ELSE '' END)", params


def shown_in_history(horizons: dict[str, str | None]) -> tuple[str, list[Any]]:
    """What a customer's history shows anyone: ``in_history`` and ``not_expired`` together."""
    history_sql, history_params = in_history()
    expiry_sql, expiry_params = not_expired(horizons)
    return f"{history_sql} AND {expiry_sql}", [*history_params, *expiry_params]
