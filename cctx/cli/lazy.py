"""Command groups whose commands are imported when first used: start-up is a feature."""

from __future__ import annotations

import importlib
import os
from typing import Any

import click


class LazyGroup(click.Group):
    """A group that imports each of ``lazy_commands`` (name -> (module, attribute)) only when it is used:
    `cctx history show` never imports the code of import, seed, merge, relink or purge."""

    def __init__(self, *args: Any, lazy_commands: dict[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:  # the root sees every argument once
            _refuse_undecodable(ctx, args)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module, attribute = self.lazy_commands[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


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
