"""Agents, queues and queue rights."""

from __future__ import annotations

from typing import Any

from cctx.errors import Conflict, Invalid, NotFound
from cctx.repository import Repository


def _require_agent(repo: Repository, name: str) -> None:
    if repo.agent_id(name) is None:
        raise NotFound(f"agent {name!r} not found")


def _require_queues(repo: Repository, queues: list[str]) -> None:
    missing = [q for q in queues if repo.queue_id(q) is None]
    if missing:
        raise NotFound(f"queue {', '.join(repr(q) for q in missing)} not found")


def list_agents(repo: Repository) -> list[dict[str, Any]]:
    return [{"name": name, "queues": queues} for name, queues in repo.agents_with_queues()]


def list_queues(repo: Repository) -> list[dict[str, Any]]:
    return [{"name": name, "agents": agents} for name, agents in repo.queues_with_agents()]


def _agent_record(repo: Repository, name: str) -> dict[str, Any]:
    return next(a for a in list_agents(repo) if a["name"] == name)


def add_agent(repo: Repository, name: str, queues: list[str], *, now: str, actor: str) -> dict[str, Any]:
    name = name.strip()
    if not name or name == "customer":
        raise Invalid(f"{name!r} cannot name an agent ('customer' is reserved)")
    with repo.transaction():
        if repo.agent_id(name) is not None:
            raise Conflict(f"agent {name!r} already exists")
        _require_queues(repo, queues)
        agent_id = repo.insert_agent(name)
        repo.grant_queues(name, queues)
        repo.record_audit(now, actor, "agent.add", [agent_id], {"name": name, "queues": sorted(queues)})
    return _agent_record(repo, name)


def add_queue(repo: Repository, name: str, *, now: str, actor: str) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise Invalid("a queue needs a name")
    with repo.transaction():
        if repo.queue_id(name) is not None:
            raise Conflict(f"queue {name!r} already exists")
        queue_id = repo.insert_queue(name)
        repo.record_audit(now, actor, "queue.add", [queue_id], {"name": name})
    return {"name": name, "agents": []}


def change_rights(
    repo: Repository, name: str, queues: list[str], *, grant: bool, now: str, actor: str
) -> dict[str, Any]:
    """Grant or revoke queue rights; idempotent, audited only when something changed."""
    with repo.transaction():
        _require_agent(repo, name)
        _require_queues(repo, queues)
        before = _agent_record(repo, name)["queues"]
        changed = repo.grant_queues(name, queues) if grant else repo.revoke_queues(name, queues)
        after = _agent_record(repo, name)["queues"]
        if changed:
            action = "agent.grant" if grant else "agent.revoke"
            repo.record_audit(
                now, actor, action, [repo.agent_id(name)],
                {"agent": name, "queues": sorted(queues), "before": before, "after": after},
            )
    return {"name": name, "queues": after, "changed": bool(changed)}
