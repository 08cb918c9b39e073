"""Command groups whose commands are imported when first used: start-up is a feature.

A group names each lazy command by ``name: (module, attribute, summary)``. The summary is the line its
group's --help shows, so that `cctx --help` lists every group and `cctx history --help` lists `purge`
without importing them (tests/cli/test_help.py checks each summary against the command's own help).
``name: (module, attribute)`` still works: that command is imported to show its --help line.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Any

import click

from cctx.cli.repeats import refuse_repeated_options

LazyEntry = tuple[str, str] | tuple[str, str, str]


class LazyGroup(click.Group):
    """A group that imports each of ``lazy_commands`` only when it is used: `cctx history show` never
    imports the code of import, seed, merge, relink or purge, and --help imports none of them."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyEntry] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, LazyEntry] = dict(lazy_commands or {})

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:  # the root sees every argument once
            _refuse_undecodable(ctx, args)
            refuse_repeated_options(self, ctx, args)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module, attribute = self.lazy_commands[cmd_name][:2]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def summary(self, name: str) -> str | None:
        """The --help line of a lazy command, from the table (None: not given there)."""
        entry = self.lazy_commands.get(name)
        return entry[2] if entry is not None and len(entry) == 3 else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of commands, each line from the summary table when the command is not loaded yet."""
        shown: list[tuple[str, str | click.Command]] = []
        for name in self.list_commands(ctx):
            summary = None if name in self.commands else self.summary(name)
            command = self.get_command(ctx, name) if summary is None else None
            if summary is not None:
                shown.append((name, summary))
            elif command is not None and not command.hidden:
                shown.append((name, command))
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        lines = []
        for name, what in shown:
            command = click.Command(name, help=what) if isinstance(what, str) else what  # shortened as click does
            lines.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(lines)


def _refuse_undecodable(ctx: click.Context, args: list[str]) -> None:
    """An argument (or CCTX_* variable) that is not UTF-8 reaches Python as text with lone surrogates, which
    no database, file or terminal accepts: refused as bad usage (exit 2) before anything runs."""
    named = [(f"argument {i}", arg) for i, arg in enumerate(args, 1)]
    named += [(name, value) for name, value in sorted(os.environ.items()) if name.startswith("CCTX_")]
    for where, value in named:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raw = os.fsencode(value)
            shown = repr(raw[:80]) + ("…" if len(raw) > 80 else "")
            raise click.UsageError(f"{where} is not valid UTF-8 text: {shown}", ctx) from None
