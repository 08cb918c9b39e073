"""Reading the audit log (rule 8). Nothing here writes: records are added by the changes they describe."""

from __future__ import annotations

from typing import Any

from cctx.repository import Repository
from cctx.times import normalize_ts


def list_audit(
    repo: Repository, *, action: str | None = None, since: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Audit records, newest first, optionally of one action and from a moment on."""
    since_ts = normalize_ts(since, "--since") if since else None
    return [
        {"at": r.at, "actor": r.actor, "action": r.action, "subject": r.subject, "details": r.details}
        for r in repo.audit_records(action=action, since=since_ts, limit=limit)
    ]
