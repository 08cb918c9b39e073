"""docs/undo-and-doctor.md is true: every `$ cctx` line of its walk-throughs, replayed in order on the demo
data, prints what the page shows (the real-clock `at` of audit records aside); its `$ sqlite3` lines
plant the problems the doctor then finds."""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import DEMO, ROOT, Cli

PAGE = (ROOT / "docs" / "undo-and-doctor.md").read_text(encoding="utf-8")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

pytestmark = pytest.mark.sqlite_only  # the page plants a problem with the sqlite3 shell


def _shell_lines(page: str) -> list[tuple[str, str]]:
    """(command line, the output shown under it) for every ``$ `` line of the page's plain blocks."""
    found: list[tuple[str, str]] = []
    in_block, language = False, ""
    current: list[str] | None = None
    for line in page.splitlines():
        if line.startswith("```"):
            in_block, language = not in_block, line[3:].strip()
            continue
        if not in_block or language:
            continue
        if line.startswith("$ "):
            current = []
            found.append((line[2:], ""))
        elif current is not None and found:
            command, shown = found[-1]
            found[-1] = (command, shown + line + "\n")
    return [(command, shown.rstrip("\n")) for command, shown in found]


def test_the_page_replays(tmp_path: Path) -> None:
    shutil.copy(DEMO, tmp_path / "demo.yaml")  # the test runs in tmp_path
    db = tmp_path / "cctx.db"
    cli = Cli(db, env={"CCTX_ACTOR": "ana.admin"})
    lines = _shell_lines(PAGE)
    assert sum(1 for command, _ in lines if command.startswith("cctx undo")) >= 6
    for command, shown in lines:
        words = shlex.split(command)
        if words[0] == "sqlite3":
            conn = sqlite3.connect(db)
            conn.executescript(words[2])
            conn.close()
            continue
        result = cli.run(*words[1:])
        output = result.output.rstrip("\n")
        if words[1] == "db" and words[2] == "init":
            assert result.exit_code == 0, output
            continue
        if words[1] == "audit":
            output, shown = TIMESTAMP.sub("T", output), TIMESTAMP.sub("T", shown)
        assert output == shown, f"$ {command}"
