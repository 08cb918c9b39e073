"""Options shared by many commands, declared once."""

from __future__ import annotations

from typing import Any

import click

from cctx.channels import CHANNEL_SLUGS, STATUSES
from cctx.ids import ANY_ID, POSITIVE_ID, WholeNumbers
from cctx.output import FORMATS


class WholeNumber(click.ParamType):
    """A whole number from ``low`` to ``high`` (or of ``numbers``' range), bad usage otherwise (exit 2)."""

    name = "integer"

    def __init__(self, low: int | None = None, high: int | None = None, numbers: WholeNumbers | None = None) -> None:
        self.numbers = numbers or WholeNumbers(low, high)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            return self.numbers.read(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


ID = WholeNumber(numbers=ANY_ID)
POSITIVE = WholeNumber(numbers=POSITIVE_ID)

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
    "--limit", type=POSITIVE, metavar="N", help="At most N rows."
)
