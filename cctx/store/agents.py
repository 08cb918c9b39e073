"""Agents, queues and the queue rights of each agent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cctx.store.base import AggregateStore


class AgentStore(AggregateStore):
    """Agents, queues and the rights of agents to queues."""

    def queue_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM queues ORDER BY name")]

    def agent_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM agents ORDER BY name")]

    def agent_id(self, name: str) -> int | None:
        row = self.conn.execute("SELECT id FROM agents WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def queue_id(self, name: str) -> int | None:
        row = self.conn.execute("SELECT id FROM queues WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def add_queue(self, name: str) -> int:
        return int(self.conn.execute("INSERT INTO queues (name) VALUES (?) RETURNING id", (name,)).fetchone()[0])

    def add_agent(self, name: str) -> int:
        return int(self.conn.execute("INSERT INTO agents (name) VALUES (?) RETURNING id", (name,)).fetchone()[0])

    def grant_queues(self, agent: str, queues: list[str]) -> int:
        """Give ``agent`` the rights to ``queues``; return how many were new."""
        cur = self.conn.executemany(
            "INSERT INTO agent_queues (agent_id, queue_id) "
            "SELECT a.id, q.id FROM agents a, queues q WHERE a.name = ? AND q.name = ? ON CONFLICT DO NOTHING",
            [(agent, q) for q in queues],
        )
        return cur.rowcount

    def revoke_queues(self, agent: str, queues: list[str]) -> int:
        """Take ``queues`` from ``agent``; return how many rights were removed."""
        cur = self.conn.executemany(
            "DELETE FROM agent_queues WHERE agent_id = (SELECT id FROM agents WHERE name = ?) "
            "AND queue_id = (SELECT id FROM queues WHERE name = ?)",
            [(agent, q) for q in queues],
        )
        return cur.rowcount

    def agent_queue_names(self, name: str) -> list[str]:
        """The queues ``name`` has rights to, by name."""
        rows = self.conn.execute(
            "SELECT q.name FROM agents a JOIN agent_queues aq ON aq.agent_id = a.id "
            "JOIN queues q ON q.id = aq.queue_id WHERE a.name = ? ORDER BY q.name",
            (name,),
        )
        return [r[0] for r in rows]

    def agents_with_queues(self) -> list[tuple[str, list[str]]]:
        """Every agent by name, with the names of its queues."""
        return _grouped(self.conn.execute(
            "SELECT a.name, q.name FROM agents a "
            "LEFT JOIN agent_queues aq ON aq.agent_id = a.id LEFT JOIN queues q ON q.id = aq.queue_id "
            "ORDER BY a.name, q.name"
        ))

    def queues_with_agents(self) -> list[tuple[str, list[str]]]:
        """Every queue by name, with the names of the agents who may see it."""
        return _grouped(self.conn.execute(
            "SELECT q.name, a.name FROM queues q "
            "LEFT JOIN agent_queues aq ON aq.queue_id = q.id LEFT JOIN agents a ON a.id = aq.agent_id "
            "ORDER BY q.name, a.name"
        ))


def _grouped(rows: Iterable[Any]) -> list[tuple[str, list[str]]]:
    """(key, [values]) from rows of (key, value or NULL) ordered by key."""
    groups: dict[str, list[str]] = {}
    for key, value in rows:
        members = groups.setdefault(key, [])
        if value is not None:
            members.append(value)
    return list(groups.items())
