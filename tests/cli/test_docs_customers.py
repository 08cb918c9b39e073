"""docs/customers.md is true: the duplicates-and-merge walk-through, replayed command by command on its
own files, prints exactly what the page shows; the phone examples give the cards and errors shown."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import ROOT, Cli, write

PAGE = (ROOT / "docs" / "customers.md").read_text(encoding="utf-8")
WALK = PAGE[PAGE.index("## Duplicates and merge: a walk-through") : PAGE.index("### What a merge does")]
REFUSALS = PAGE[PAGE.index("### Refusals") : PAGE.index("### How duplicates are found")]

pytestmark = pytest.mark.sqlite_only  # the page's own files in a directory of the test's own


def _blocks(section: str) -> list[tuple[str, str]]:
    """(language, text) of every fenced block of the section."""
    blocks: list[tuple[str, str]] = []
    language: str | None = None
    lines: list[str] = []
    for line in section.splitlines():
        if line.startswith("```") and language is None:
            language, lines = line[3:].strip(), []
        elif line.startswith("```"):
            blocks.append((language or "", "\n".join(lines) + "\n"))
            language = None
        elif language is not None:
            lines.append(line)
    return blocks


def _files(section: str) -> dict[str, str]:
    """The YAML blocks whose first line names their file (``# people.yaml``)."""
    found = {}
    for language, block in _blocks(section):
        if language == "yaml":
            first, _, rest = block.partition("\n")
            found[first.removeprefix("# ").strip()] = rest
    return found


def _commands(section: str) -> list[tuple[str, str]]:
    """(command line, the output shown under it) for every ``$ cctx`` line of the section's blocks."""
    found: list[tuple[str, str]] = []
    for language, block in _blocks(section):
        if language:
            continue
        for chunk in re.split(r"^(?=\$ cctx )", block, flags=re.M):
            if chunk.startswith("$ cctx "):
                line, _, output = chunk.partition("\n")
                found.append((line.removeprefix("$ cctx "), output.rstrip("\n")))
    return found


def _replay(cli: Cli, commands: list[tuple[str, str]]) -> None:
    for line, shown in commands:
        result = cli.run(*shlex.split(line))
        if shown:
            assert result.output.rstrip("\n") == shown, f"cctx {line}"
        else:
            assert result.exit_code == 0, f"cctx {line}: {result.output}"


def test_the_walk_through_prints_what_the_page_shows(tmp_path: Path) -> None:
    files = _files(WALK)
    assert set(files) == {"people.yaml", "cctx.yaml"}
    for name, text in files.items():
        write(Path(name), text)  # the test runs in its own empty directory: ./cctx.yaml applies
    cli = Cli(tmp_path / "cctx.db", env={"CCTX_CONFIG": ""})
    commands = _commands(WALK) + _commands(REFUSALS)
    assert len(commands) >= 10
    _replay(cli, commands)


def test_the_phone_examples(tmp_path: Path) -> None:
    write(tmp_path / "people.yaml", _files(WALK)["people.yaml"])
    cli = Cli(tmp_path / "cctx.db")
    cli.ok("db", "init")
    cli.ok("db", "import", str(tmp_path / "people.yaml"))
    phones = PAGE[PAGE.index("## Phone numbers") : PAGE.index("### Upgrading")]
    for line, shown in _commands(phones):
        args = shlex.split(line)
        if "default_region" in PAGE and args[-1] in ("091 123 4567",):
            env = {"CCTX_CONFIG": str(write(tmp_path / "hr.yaml", "phone:\n  default_region: HR\n"))}
        else:
            env = {}
        result = cli.run(*args, env=env)
        expected = shown.split("\n  ...")[0].rstrip()
        assert result.output.startswith(expected), f"cctx {line}:\n{result.output}"
