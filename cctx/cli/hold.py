"""`cctx hold` commands: legal holds that keep a person's or a conversation's data from purge and erasure."""

from __future__ import annotations

import click

from cctx.cli.app import App
from cctx.cli.context import pass_app
from cctx.cli.options import POSITIVE, format_option
from cctx.output import render, rows_table


@click.group()
def hold() -> None:
    """Legal holds: keep a customer's or a conversation's data from purge and erasure."""


@hold.command("add")
@click.option("--customer", metavar="REF", help="Hold every conversation of this person (id, +PHONE or TYPE:VALUE).")
@click.option("--conversation", "conversation_id", type=POSITIVE, metavar="ID",
              help="Hold this conversation (and the tombstones merged into it).")
@click.option("--reason", required=True, metavar="TEXT", help="Why the data must be kept (a case, a request).")
@click.option("--until", metavar="TS",
              help="The hold ends at this time (ISO 8601 with a zone); default: until released.")
@format_option
@pass_app
def hold_add(app: App, customer: str | None, conversation_id: int | None, reason: str, until: str | None,
             fmt: str) -> None:
    """Place a legal hold on a customer or on one conversation.

    While the hold is active the purge keeps what it names (reporting it as held) and erasure of the
    customer is refused.

    \b
    Example:
        cctx hold add --customer +385911234567 --reason "case 2026-114, court order"
        cctx hold add --conversation 112 --reason "complaint review" --until 2027-06-01T00:00:00Z
    """
    from cctx.services import holds

    if (customer is None) == (conversation_id is None):
        raise click.UsageError("give either --customer REF or --conversation ID")
    result = holds.add_hold(app.store, customer=customer, conversation_id=conversation_id, reason=reason,
                            until=until, now=app.now, actor=app.actor)
    render(result, fmt)


@hold.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Also released and lapsed holds.")
@format_option
@pass_app
def hold_list(app: App, include_inactive: bool, fmt: str) -> None:
    """List the active holds (every hold with --all), oldest first.

    \b
    Example:
        cctx hold list
        cctx hold list --all -f json
    """
    from cctx.services import holds

    rows = holds.list_holds(app.store, include_inactive=include_inactive, now=app.now)
    render(rows, fmt, table=lambda r: rows_table(r, holds.HOLD_KEYS, null="-"), empty="No holds",
           columns=holds.HOLD_KEYS)


@hold.command("release")
@click.argument("hold_id", type=POSITIVE, metavar="ID")
@format_option
@pass_app
def hold_release(app: App, hold_id: int, fmt: str) -> None:
    """Release hold ID: what it kept is purged again when expired.

    \b
    Example:
        cctx hold release 3
    """
    from cctx.services import holds

    render(holds.release_hold(app.store, hold_id, now=app.now, actor=app.actor), fmt)
