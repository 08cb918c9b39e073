"""The commands the README and docs/*.md show exist: every `$ cctx ...` line names a real command with real
options (the pages' walk-throughs are replayed by their own tests; this keeps every page honest)."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from cctx.cli.root import cli
from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ROOT_OPTIONS = {"--db", "--config", "--actor", "--debug", "--version", "--help", "-h"}


def _page_commands(text: str) -> list[str]:
    """The command lines a page shows: `$ ...` lines that run cctx (before any # comment)."""
    found = []
    for line in text.splitlines():
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


COMMANDS = [(page.relative_to(ROOT).as_posix(), line)
            for page in PAGES for line in _page_commands(page.read_text(encoding="utf-8"))]


def test_the_readme_and_the_docs_show_commands() -> None:
    assert len([page for page, _ in COMMANDS if page == "README.md"]) >= 8
    assert len(COMMANDS) > 100


def _invocations(line: str) -> list[list[str]]:
    """The words after `cctx` of each cctx call in a shell line (`a | cctx ...; cctx ... > file`)."""
    calls = []
    for segment in re.split(r"\||;|&&", line):
        try:
            words = shlex.split(segment.split(">")[0])
        except ValueError:  # a quote opened in one segment and closed in another: not a cctx call
            continue
        if "cctx" in words:
            calls.append(words[words.index("cctx") + 1 :])
    return calls


@pytest.mark.parametrize(("page", "line"), COMMANDS, ids=[f"{page}: {line}" for page, line in COMMANDS])
def test_a_command_shown_exists_with_its_options(page: str, line: str) -> None:
    calls = _invocations(line)
    assert calls, f"{page}: {line}: no cctx call found"
    for words in calls:
        command, rest = _resolve(words)
        known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | ROOT_OPTIONS
        for word in rest:
            if word.startswith("--") or (word.startswith("-") and len(word) == 2 and word[1].isalpha()):
                assert word.split("=")[0] in known, f"{page}: {line}: {word} is not an option of this command"
