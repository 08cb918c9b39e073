"""Reading the audit log (rule 8). Nothing here writes: records are added by the changes they describe."""

from __future__ import annotations

from typing import Any

from cctx.errors import NotFound
from cctx.models import AuditRecord
from cctx.repository import Repository
from cctx.times import normalize_ts


def _as_dict(r: AuditRecord, undone_by: dict[int, int]) -> dict[str, Any]:
    """A record as shown; ``undone_by`` is derived from the `undo` records, never stored in this one."""
    return {
        "id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "subject": r.subject,
        "details": r.details, "undone_by": undone_by.get(r.id),
    }


def list_audit(
    repo: Repository, *, action: str | None = None, since: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Audit records, newest first, optionally of one action and from a moment on."""
    since_ts = normalize_ts(since, "--since") if since else None
    undone_by = repo.undone_by()
    return [_as_dict(r, undone_by) for r in repo.audit_records(action=action, since=since_ts, limit=limit)]


def show_audit(repo: Repository, audit_id: int) -> dict[str, Any]:
    record = repo.audit_record(audit_id)
    if record is None:
        raise NotFound(f"audit record {audit_id} not found")
    return _as_dict(record, repo.undone_by())
