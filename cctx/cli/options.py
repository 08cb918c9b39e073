"""Options shared by many commands, declared once."""

from __future__ import annotations

import click

from cctx.channels import CHANNEL_SLUGS, STATUSES
from cctx.output import FORMATS
from cctx.refs import MAX_ID

format_option = click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    envvar="CCTX_FORMAT",
    help="Output format (env CCTX_FORMAT).",
)

channel_option = click.option(
    "--channel",
    "channels",
    multiple=True,
    type=click.Choice(CHANNEL_SLUGS),
    help="Only this channel; repeat for several.",
)

status_option = click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only this status; repeat for several.",
)

dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Show what would change, and change nothing."
)

as_agent_option = click.option(
    "--as-agent", "as_agent", metavar="NAME", help="Show only what this agent may see."
)

limit_option = click.option(
    "--limit", type=click.IntRange(min=1, max=MAX_ID), metavar="N", help="At most N rows."
)
