"""Agents, queues and queue rights."""

from __future__ import annotations

from datetime import datetime

from cctx.errors import Conflict, Invalid, NotFound, quote
from cctx.results.admin import AgentView, QueueView
from cctx.services.lookups import agent_id_of
from cctx.store import Store


def _require_queues(store: Store, queues: list[str]) -> None:
    missing = [q for q in queues if store.agents.queue_id(q) is None]
    if missing:
        noun = "queue" if len(missing) == 1 else "queues"
        raise NotFound(f"{noun} {', '.join(repr(q) for q in missing)} not found")


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def list_agents(store: Store) -> list[AgentView]:
    return [AgentView(name, tuple(queues)) for name, queues in store.agents.agents_with_queues()]


def list_queues(store: Store) -> list[QueueView]:
    return [QueueView(name, tuple(agents)) for name, agents in store.agents.queues_with_agents()]


def add_agent(store: Store, name: str, queues: list[str], *, now: datetime, actor: str) -> AgentView:
    """Add agent ``name`` with rights to ``queues`` (which must exist)."""
    name = name.strip()
    if not name:
        raise Invalid("an agent needs a name")
    if name == "customer":
        raise Invalid("'customer' is reserved and cannot name an agent")
    queues = _unique(queues)
    with store.transaction():
        if store.agents.agent_id(name) is not None:
            raise Conflict(f"agent {quote(name)} already exists")
        _require_queues(store, queues)
        agent_id = store.agents.add_agent(name)
        store.agents.grant_queues(name, queues)
        store.audit.record(now, actor, "agent.add", [agent_id], {"name": name, "queues": sorted(queues)})
    return AgentView(name, tuple(store.agents.agent_queue_names(name)))


def add_queue(store: Store, name: str, *, now: datetime, actor: str) -> QueueView:
    name = name.strip()
    if not name:
        raise Invalid("a queue needs a name")
    with store.transaction():
        if store.agents.queue_id(name) is not None:
            raise Conflict(f"queue {quote(name)} already exists")
        queue_id = store.agents.add_queue(name)
        store.audit.record(now, actor, "queue.add", [queue_id], {"name": name})
    return QueueView(name, ())


def change_rights(
    store: Store, name: str, queues: list[str], *, grant: bool, now: datetime, actor: str
) -> AgentView:
    """Grant or revoke queue rights (agent and queues must exist); idempotent, audited only on change.

    The audit details list the queues actually granted or revoked, with the rights before and after.
    """
    queues = _unique(queues)
    with store.transaction():
        agent_id = agent_id_of(store, name)
        _require_queues(store, queues)
        before = store.agents.agent_queue_names(name)
        if grant:
            store.agents.grant_queues(name, queues)
        else:
            store.agents.revoke_queues(name, queues)
        after = store.agents.agent_queue_names(name)
        changed = sorted(set(before) ^ set(after))
        if changed:
            action = "agent.grant" if grant else "agent.revoke"
            store.audit.record(
                now, actor, action, [agent_id],
                {"agent": name, "queues": changed, "before": before, "after": after},
            )
    return AgentView(name, tuple(after), bool(changed))
