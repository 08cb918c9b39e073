"""The README's commands exist: every `cctx ...` line it shows names a real command and real options."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from cctx.cli import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
ROOT_OPTIONS = {"--db", "--config", "--actor", "--debug", "--version", "--help", "-h"}


def _readme_commands() -> list[str]:
    found = []
    for line in README.splitlines():
        match = re.search(r"(?:^\$ |\| )?\bcctx (.*)$", line.strip())
        if line.strip().startswith("$ ") and match and "cctx " in line.split("#")[0]:
            found.append(line.strip()[2:].split(" #")[0])
    return sorted(set(found))


def _resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    """The command a command line names, and the words after it."""
    ctx = click.Context(cli)
    command: click.Command = cli
    rest = list(words)
    while isinstance(command, click.Group) and rest:
        word = rest.pop(0)
        if word.startswith("-"):
            if word in ("--db", "--config", "--actor"):
                rest.pop(0)
            continue
        sub = command.get_command(ctx, word)
        assert sub is not None, f"no command {word!r}"
        command = sub
    return command, rest


COMMANDS = _readme_commands()


def test_the_readme_shows_commands() -> None:
    assert len(COMMANDS) > 40


@pytest.mark.parametrize("line", COMMANDS)
def test_readme_command_exists_with_its_options(line: str) -> None:
    segment = line.split("|")[0].split(";")[0].split("&&")[0].split(">")[0]
    words = shlex.split(segment)
    words = words[words.index("cctx") + 1 :]
    command, rest = _resolve(words)
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | ROOT_OPTIONS
    for word in rest:
        if word.startswith("--") or (word.startswith("-") and len(word) == 2 and word[1].isalpha()):
            assert word.split("=")[0] in known, f"{line}: {word} is not an option of this command"
