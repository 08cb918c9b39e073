"""`cctx history policy` and `cctx history purge`: the retention policy and the purge."""

from __future__ import annotations

import click

from cctx.cli.app import App
from cctx.cli.context import pass_app
from cctx.cli.options import POSITIVE, channel_option, dry_run_option, format_option
from cctx.cli.progress import progress_bar
from cctx.output import message, render
from cctx.output.retention import policy_table, purge_summary
from cctx.services import purge, retention_views
from cctx.times import parse_duration
from cctx.words import plural


@click.command("policy")
@format_option
@pass_app
def history_policy(app: App, fmt: str) -> None:
    """Show the retention policy of the configuration file (days by default and per channel).

    \b
    Example:
        cctx history policy -f json
    """
    render(retention_views.policy(app.config.retention), fmt, table=policy_table)


@click.command("purge")
@click.option("--older-than", metavar="DURATION",
              help="Purge what closed longer ago than this (90d, 12w, 36h) on every channel, instead of the policy.")
@channel_option
@dry_run_option
@click.option("--batch-size", type=POSITIVE, default=purge.DEFAULT_BATCH_SIZE, show_default=True,
              metavar="N", help="Conversations deleted per transaction.")
@click.option("--vacuum", is_flag=True, help="Give the freed space back to the file system afterwards.")
@format_option
@pass_app
def history_purge(app: App, older_than: str | None, channels: tuple[str, ...], dry_run: bool, batch_size: int,
                  vacuum: bool, fmt: str) -> None:
    """Delete closed conversations (and merged tombstones) past the retention horizon.

    Deletes their items and participants in short batches, never people. Safe to run from cron on a
    live database: one purge at a time (exit 3 if another holds the lock), and a killed purge is
    finished by the next run. Use --dry-run to see exactly what would be deleted.

    \b
    Example:
        cctx history purge --dry-run
        cctx history purge --older-than 365d --channel sms -f json
    """
    result = purge.purge_expired(
        app.store, app.config.retention, app.now, actor=app.actor,
        older_than=None if older_than is None else parse_duration(older_than), channels=channels,
        batch_size=batch_size, dry_run=dry_run, vacuum=vacuum,
        progress=progress_bar("Checking" if dry_run else "Purging"),
    )
    for run in result.resumed:
        message(f"Recorded {plural(run['conversations'], 'conversation')} deleted by an interrupted purge started at "
                f"{run['started_at']}.")
    if result.wal_cleared is False:
        message(f"Warning: other connections kept the WAL ({app.db_target}-wal) from being cleared within the busy "
                "timeout; it may still hold deleted content until the next checkpoint (run the purge again when "
                "they are done).")
    render(result, fmt, table=purge_summary)
