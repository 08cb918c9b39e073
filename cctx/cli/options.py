"""Options shared by many commands, declared once."""

from __future__ import annotations

import re
from typing import Any

import click

from cctx.channels import CHANNEL_SLUGS, STATUSES
from cctx.errors import quote
from cctx.ids import MAX_ID
from cctx.output import FORMATS

_WHOLE = r"[+-]?[0-9]+"  # compiled (and cached by re) when a number is given
MAX_DIGITS = 40


class WholeNumber(click.ParamType):
    """A whole number, from ``low`` to ``high`` when given (bad usage otherwise, exit 2). Its text is checked
    before int() sees it (int() refuses 4300 digits), and a bad value is quoted cut to 80 characters."""

    name = "integer"

    def __init__(self, low: int | None = None, high: int | None = None, digits: int = MAX_DIGITS) -> None:
        self.low, self.high, self.digits = low, high, digits

    def _range(self) -> str:
        if self.low is not None and self.high is not None:
            return f" from {self.low} to {self.high}"
        return "" if self.low is None else f" of at least {self.low}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if not re.fullmatch(_WHOLE, text):
                self.fail(f"{quote(value)} is not a whole number{self._range()}", param, ctx)
            if len(text.lstrip("+-").lstrip("0")) > self.digits:
                self.fail(f"{quote(text)} is not a whole number{self._range()} (it has more than {self.digits} "
                          "digits)", param, ctx)
            number = int(text)
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            self.fail(f"{number} is not a whole number{self._range()}", param, ctx)
        return number


ID = WholeNumber()  # an id as written: one that cannot exist is the command's "not found", not bad usage
POSITIVE = WholeNumber(1, MAX_ID)

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
