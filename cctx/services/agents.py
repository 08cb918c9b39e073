"""Agents, queues and queue rights."""

from __future__ import annotations

from typing import Any

from cctx.errors import Conflict, Invalid, NotFound, quote
from cctx.repository import Repository
from cctx.services.lookups import agent_id_of


def _require_queues(repo: Repository, queues: list[str]) -> None:
    missing = [q for q in queues if repo.queue_id(q) is None]
    if missing:
        noun = "queue" if len(missing) == 1 else "queues"
        raise NotFound(f"{noun} {', '.join(repr(q) for q in missing)} not found")


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def list_agents(repo: Repository) -> list[dict[str, Any]]:
    return [{"name": name, "queues": queues} for name, queues in repo.agents_with_queues()]


def list_queues(repo: Repository) -> list[dict[str, Any]]:
    return [{"name": name, "agents": agents} for name, agents in repo.queues_with_agents()]


def add_agent(repo: Repository, name: str, queues: list[str], *, now: str, actor: str) -> dict[str, Any]:
    """Add agent ``name`` with rights to ``queues`` (which must exist)."""
    name = name.strip()
    if not name:
        raise Invalid("an agent needs a name")
    if name == "customer":
        raise Invalid("'customer' is reserved and cannot name an agent")
    queues = _unique(queues)
    with repo.transaction():
        if repo.agent_id(name) is not None:
            raise Conflict(f"agent {quote(name)} already exists")
        _require_queues(repo, queues)
        agent_id = repo.insert_agent(name)
        repo.grant_queues(name, queues)
        repo.record_audit(now, actor, "agent.add", [agent_id], {"name": name, "queues": sorted(queues)})
    return {"name": name, "queues": repo.agent_queue_names(name)}


def add_queue(repo: Repository, name: str, *, now: str, actor: str) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise Invalid("a queue needs a name")
    with repo.transaction():
        if repo.queue_id(name) is not None:
            raise Conflict(f"queue {quote(name)} already exists")
        queue_id = repo.insert_queue(name)
        repo.record_audit(now, actor, "queue.add", [queue_id], {"name": name})
    return {"name": name, "agents": []}


def change_rights(
    repo: Repository, name: str, queues: list[str], *, grant: bool, now: str, actor: str
) -> dict[str, Any]:
    """Grant or revoke queue rights (agent and queues must exist); idempotent, audited only on change.

    The audit details list the queues actually granted or revoked, with the rights before and after.
    """
    queues = _unique(queues)
    with repo.transaction():
        agent_id = agent_id_of(repo, name)
        _require_queues(repo, queues)
        before = repo.agent_queue_names(name)
        if grant:
            repo.grant_queues(name, queues)
        else:
            repo.revoke_queues(name, queues)
        after = repo.agent_queue_names(name)
        changed = sorted(set(before) ^ set(after))
        if changed:
            action = "agent.grant" if grant else "agent.revoke"
            repo.record_audit(
                now, actor, action, [agent_id],
                {"agent": name, "queues": changed, "before": before, "after": after},
            )
    return {"name": name, "queues": after, "changed": bool(changed)}
