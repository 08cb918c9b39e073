"""Reading the audit log (audit). Nothing here writes: records are added by the changes they describe."""

from __future__ import annotations

from cctx.errors import Invalid, NotFound, quote
from cctx.models import AuditRecord
from cctx.results.admin import AuditView
from cctx.store import Store
from cctx.times import normalize_ts


def _view(r: AuditRecord, undone_by: dict[int, int]) -> AuditView:
    """A record as shown; ``undone_by`` is derived from the `undo` records, never stored in this one."""
    return AuditView(r, undone_by.get(r.id))


# Every action cctx writes (the audit rule), the later additions included.
ACTIONS = (
    "import", "seed", "customer.create", "customer.update", "customer.tag", "customer.untag",
    "customer.merge", "customer.export", "customer.erase", "destination.add", "destination.remove",
    "conversation.link", "conversation.unlink", "conversation.merge", "conversation.relink", "history.purge",
    "agent.add", "queue.add", "agent.grant", "agent.revoke", "hold.add", "hold.release", "undo", "db.fix",
)


def check_action(store: Store, action: str) -> None:
    """Refuse an action that is neither one cctx writes nor one stored (by another version of cctx)."""
    if action in ACTIONS:
        return
    known = set(ACTIONS) | store.audit.actions()
    if action not in known:
        raise Invalid(f"unknown audit action {quote(action)}; the actions are: {', '.join(sorted(known))}")


def list_audit(
    store: Store, *, action: str | None = None, since: str | None = None, limit: int | None = None
) -> list[AuditView]:
    """Audit records, newest first, optionally of one action and from a moment on (the real time of the
    change: ``at``). An action that no record can have is refused, with the list of actions."""
    if action is not None:
        check_action(store, action)
    since_ts = normalize_ts(since, "--since") if since else None
    undone_by = store.undo.undone_by()
    return [_view(r, undone_by) for r in store.audit.records(action=action, since=since_ts, limit=limit)]


def show_audit(store: Store, audit_id: int) -> AuditView:
    record = store.undo.record(audit_id)
    if record is None:
        raise NotFound(f"audit record {quote(audit_id)} not found")
    return _view(record, store.undo.undone_by())
