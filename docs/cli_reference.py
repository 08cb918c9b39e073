"""The --help text of every command, taken from the click command tree, for two pages generated with cog:

- docs/cli.md, the command reference, calls ``reference`` between its cog markers;
- cctx/cli/help_pages.py, the pages `cctx ... --help` prints without importing click, calls ``help_pages``.

`make docs` (`cog -r`) regenerates both; `make test` (`cog --check`) fails when a command's help changed and
they were not regenerated, so neither can drift from the commands.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import click
from click.testing import CliRunner

from cctx.cli.root import cli

WIDTH = 80  # the reference's width
TERMINAL_WIDTH = 78  # the width click gives help on a terminal of 80 columns or more, or not on a terminal


def commands(
    command: click.Command = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command of the tree, depth first, each group before its commands (in the order --help lists them)."""
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from commands(sub, (*path, name))


def help_text(path: tuple[str, ...], width: int = WIDTH) -> str:
    """`cctx PATH... --help`, as printed (its last line ended), whatever CCTX_* variables the shell that
    generates the page holds."""
    unset: dict[str, str | None] = {name: None for name in os.environ if name.startswith("CCTX_")}
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="cctx", env=unset, terminal_width=width)
    if result.exit_code != 0:
        raise RuntimeError(f"cctx {' '.join(path)} --help exited {result.exit_code}: {result.output}")
    return result.output


def title(path: tuple[str, ...]) -> str:
    return " ".join(("cctx", *path))


def anchor(path: tuple[str, ...]) -> str:
    """The anchor a Markdown renderer gives the heading ``## cctx PATH...``."""
    return "-".join(("cctx", *path))


def reference(out: Callable[[str], None]) -> None:
    """Write the whole reference: a list of every command with its summary, then each command's --help."""
    tree = list(commands())
    out("| command | what it does |\n|---|---|\n")
    for path, command in tree:
        summary = command.get_short_help_str(limit=200).replace("|", "\\|")
        out(f"| [`{title(path)}`](#{anchor(path)}) | {summary} |\n")
    for path, _ in tree:
        out(f"\n## {title(path)}\n\n```\n{help_text(path).rstrip()}\n```\n")


def help_pages(out: Callable[[str], None]) -> None:
    """Write ``WIDTH`` and ``PAGES``: every command's --help at the terminal width, by its words."""
    out(f"WIDTH = {TERMINAL_WIDTH}\n")
    out("PAGES: dict[tuple[str, ...], str] = {\n")
    for path, _ in commands():
        out(f"    {path!r}: (\n")
        for line in help_text(path, TERMINAL_WIDTH).splitlines(keepends=True):
            out(f"        {line!r}\n")
        out("    ),\n")
    out("}\n")
