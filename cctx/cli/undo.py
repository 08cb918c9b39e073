"""`cctx undo`: reverse one recorded change."""

from __future__ import annotations

import click

from cctx.cli.app import App
from cctx.cli.context import pass_app
from cctx.cli.options import ID, dry_run_option, format_option
from cctx.output import render


@click.command("undo")
@click.argument("audit_id", metavar="AUDIT_ID", type=ID)
@dry_run_option
@format_option
@pass_app
def undo(app: App, audit_id: int, dry_run: bool, fmt: str) -> None:
    """Reverse the change recorded as AUDIT_ID, so its rows are exactly as before it.

    Undoes conversation link, unlink, relink and merge, and customer update, tag, untag, merge and
    destination add/remove. Refused, nothing changed, when a later change touched the same rows (they
    are named: undo those first, newest first), when the record was undone already, or when a row it
    needs is gone. Stored display names stay as they are. Writes an audit record `undo`.

    \b
    Example:
        cctx audit list --action conversation.merge --limit 1
        cctx undo 42 --dry-run
        cctx undo 42
    """
    from cctx.services.undo import undo as undo_change

    result = undo_change(app.store, audit_id, now=app.now, actor=app.actor, dry_run=dry_run)
    render(result.to_dict(), fmt)
