"""The audit log: appended in the caller's transaction, read newest first."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from cctx.actors import actor_problem
from cctx.errors import Invalid
from cctx.models import AuditRecord
from cctx.store.base import AggregateStore, filtered
from cctx.times import format_ts


def audit_time(now: datetime) -> tuple[str, str | None]:
    """(at, as_of) of a record written now: ``at`` the real clock in UTC; ``as_of`` the command's ``now``
    when the environment fixes the clock (CCTX_NOW, for reproducible runs), else None. A fixed clock may
    say anything, so it never stands in for the moment a change was made."""
    return format_ts(datetime.now(UTC)), (format_ts(now) if os.environ.get("CCTX_NOW") else None)


class AuditStore(AggregateStore):
    """The audit log: appended in the caller's transaction, read newest first."""

    def record(self, now: datetime, actor: str, action: str, subject: list[Any], details: dict[str, Any]) -> None:
        """Append a record in the caller's transaction. Its ``at`` is the real clock, whatever ``now`` the
        command ran at; when CCTX_NOW fixed that clock, ``now`` goes into the details as ``as_of``. An actor
        that is not 1 to 100 printable characters is refused, and the transaction with it."""
        problem = actor_problem(actor)
        if problem is not None:
            raise Invalid(problem)
        at, as_of = audit_time(now)
        if as_of is not None:
            details = {**details, "as_of": as_of}
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)",
            (at, actor, action, json.dumps(subject), json.dumps(details, sort_keys=True)),
        )

    def actions(self) -> set[str]:
        """The actions that have records."""
        return {r[0] for r in self.conn.execute("SELECT DISTINCT action FROM audit")}

    def records(
        self, action: str | None = None, since: str | None = None, limit: int | None = None
    ) -> list[AuditRecord]:
        where: list[str] = []
        params: list[Any] = []
        if action:
            where.append("action = ?")
            params.append(action)
        if since:
            where.append("at >= ?")
            params.append(since)
        sql = filtered("SELECT * FROM audit", where, "id DESC", limit, params)
        return [
            AuditRecord(r["id"], r["at"], r["actor"], r["action"], json.loads(r["subject"]), json.loads(r["details"]))
            for r in self.conn.execute(sql, params)
        ]
