"""Every command has --help with an example."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from cctx.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = (*prefix, name)
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
        else:
            found.append(path)
    return found


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_help_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="cctx")
    assert result.exit_code == 0
    assert f"Usage: cctx {' '.join(path)}" in result.output
    example = result.output.split("Example", 1)[1]
    assert " ".join(path) in example
