"""No option silently keeps only its last value.

click stores an option given twice by keeping the last value: `customer list --tag vip --tag b2b` once
listed only b2b people. Options that may be repeated are declared ``multiple=True`` and mean "any of";
every other option that takes a value, given more than once, is bad usage (exit 2), whatever command
it belongs to (a plain flag given twice is the same flag).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import click


def _refuse_repeats(command: click.Command, ctx: click.Context, order: Sequence[click.Parameter]) -> None:
    """A flag given twice says the same thing twice; any other single option given twice is refused."""
    repeated = [p for p, n in Counter(order).items() if n > 1 and isinstance(p, click.Option) and not p.multiple
                and not p.count and not (p.is_flag and not p.secondary_opts)]
    if repeated:
        option = repeated[0]
        names = "/".join([*option.opts, *option.secondary_opts])
        raise click.UsageError(f"{names} is given more than once (it takes one value)", ctx)


def refuse_repeated_options(root: click.Group, ctx: click.Context, args: list[str]) -> None:
    """Read ``args`` the way click will, command by command down from ``root``, and refuse an option that
    is not ``multiple`` but given more than once. Anything else wrong is left for click to report."""
    command: click.Command = root
    context = ctx
    words = list(args)
    while True:
        try:
            _, rest, order = command.make_parser(context).parse_args(args=list(words))
        except click.UsageError:
            return
        _refuse_repeats(command, context, order)
        if not isinstance(command, click.Group) or not rest:
            return
        try:
            name, sub, words = command.resolve_command(context, rest)
        except click.UsageError:
            return
        if sub is None or name is None:
            return
        context = click.Context(sub, parent=context, info_name=name, resilient_parsing=True)
        command = sub
