"""The audit log: appended in the caller's transaction, read newest first."""

from __future__ import annotations

import json
from typing import Any

from cctx.models import AuditRecord
from cctx.repository.base import filtered
from cctx.repository.engine import Connection


class AuditRepository:
    conn: Connection

    def record_audit(self, at: str, actor: str, action: str, subject: list[Any], details: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)",
            (at, actor, action, json.dumps(subject), json.dumps(details, sort_keys=True)),
        )

    def audit_records(
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
