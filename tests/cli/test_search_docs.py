"""docs/search.md is true: every `cctx conversation search` it shows, replayed on the demo database in the
page's order (its configuration step included), prints exactly what the page shows, on both engines."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.conftest import ROOT, Cli, write

PAGE = (ROOT / "docs" / "search.md").read_text(encoding="utf-8")


def _console_lines() -> list[tuple[str, str]]:
    """(command line, the output shown under it) of every ``$`` line in the page's console blocks."""
    found: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", PAGE, flags=re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if chunk.startswith("$ "):
                line, _, output = chunk.partition("\n")
                found.append((line[2:], output.rstrip("\n")))
    return found


def test_the_page_shows_what_search_prints(demo_cli: Cli, tmp_path: Path) -> None:
    replayed = 0
    for line, shown in _console_lines():
        if line.startswith("printf 'retention:"):
            write(tmp_path / "cctx.yaml", "retention:\n  default_days: 365\n")  # the tests run in tmp_path
        elif line.startswith("cctx conversation search"):
            result = demo_cli.run(*shlex.split(line)[1:])
            assert result.exit_code == 0, f"{line}: {result.stderr}"
            assert result.stdout.rstrip("\n") == shown, line
            replayed += 1
    assert replayed >= 6
