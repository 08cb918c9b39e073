"""`cctx audit` commands."""

from __future__ import annotations

import click

from cctx.cli.app import App
from cctx.cli.context import pass_app
from cctx.cli.options import ID, format_option, limit_option
from cctx.output import render


@click.group()
def audit() -> None:
    """The audit log: every change, who made it and when."""


@audit.command("list")
@click.option("--action", metavar="A", help="Only this action (e.g. conversation.merge).")
@click.option("--since", metavar="TS", help="Only records at or after this time (ISO 8601 with a zone).")
@limit_option
@format_option
@pass_app
def audit_list(app: App, action: str | None, since: str | None, limit: int | None, fmt: str) -> None:
    """List audit records, newest first.

    \b
    Example:
        cctx audit list --action conversation.relink --since 2026-11-01T00:00:00Z -f json
    """
    from cctx.output.audit import AUDIT_COLUMNS, audit_table
    from cctx.services.audit import list_audit

    records = list_audit(app.store, action=action, since=since, limit=limit)
    render(records, fmt, table=audit_table, empty="No audit records", columns=AUDIT_COLUMNS)


@audit.command("show")
@click.argument("audit_id", metavar="ID", type=ID)
@format_option
@pass_app
def audit_show(app: App, audit_id: int, fmt: str) -> None:
    """Show one audit record in full, with the undo record that reversed it, if any.

    \b
    Example:
        cctx audit show 42 -f json
    """
    from cctx.output.audit import audit_record_table
    from cctx.services.audit import show_audit

    render(show_audit(app.store, audit_id), fmt, table=audit_record_table)
