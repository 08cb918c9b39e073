"""The README's five-minute tour is real: each `$ cctx` line, run in order in a shell on a fresh demo
database with the tour's environment, prints exactly what the README shows (a purge's run time aside)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO, NOW, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
TOUR = README.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
SECONDS = re.compile(r"; \d+\.\d s$", re.MULTILINE)  # a purge's measured run time

pytestmark = pytest.mark.sqlite_only  # the tour's database is a file


def _steps(text: str) -> list[tuple[str, str]]:
    """(command line, the output shown under it) for every ``$ cctx`` line of the console blocks."""
    steps: list[tuple[str, str]] = []
    in_block = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_block = not in_block
            continue
        if not in_block:
            continue
        if line.startswith("$ "):
            steps.append((line[2:], ""))
        elif steps:
            command, shown = steps[-1]
            steps[-1] = (command, shown + line + "\n")
    return [(command, shown.rstrip("\n")) for command, shown in steps if command.startswith("cctx ")]


def test_the_tour_prints_what_the_readme_shows(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "CCTX_DB": str(tmp_path / "demo.db"), "CCTX_NOW": NOW, "CCTX_ACTOR": "admin", "CCTX_CONFIG": "",
           "CCTX_FORMAT": "", "COLUMNS": "80"}
    for setup in (["cctx", "db", "init"], ["cctx", "db", "import", str(DEMO)]):
        subprocess.run(setup, env=env, cwd=tmp_path, check=True, capture_output=True)
    steps = _steps(TOUR)
    assert len(steps) >= 8
    for command, shown in steps:
        result = subprocess.run(command, shell=True, env=env, cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}: {result.stderr}"
        assert SECONDS.sub("", result.stdout.rstrip("\n")) == SECONDS.sub("", shown), command
