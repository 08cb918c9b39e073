"""docs/cli.md, the command reference, and cctx/cli/help_pages.py, the pages --help prints, both generated
from --help with cog, are current: a stale page fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "cli.md"


def _cog_check(page: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cogapp", "--check", "--check-fail-msg", "run make docs", str(page)],
                          capture_output=True, text=True, cwd=ROOT)


def test_the_reference_is_what_the_commands_say() -> None:
    result = _cog_check(PAGE)
    assert result.returncode == 0, f"docs/cli.md is out of date: run make docs\n{result.stdout}{result.stderr}"


def test_the_help_pages_are_what_the_commands_say() -> None:
    result = _cog_check(ROOT / "cctx" / "cli" / "help_pages.py")
    assert result.returncode == 0, f"cctx/cli/help_pages.py is stale: run make docs\n{result.stdout}{result.stderr}"


def test_a_stale_reference_fails_the_check(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    stale = text.replace("Show the conversation history of customer REF, oldest first.",
                         "Show the conversation history of customer REF.", 1)
    assert stale != text
    for name in ("cli.md", "cli_reference.py"):
        (tmp_path / name).write_text((ROOT / "docs" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "cli.md").write_text(stale, encoding="utf-8")
    result = _cog_check(tmp_path / "cli.md")
    assert result.returncode != 0
    assert "run make docs" in result.stdout + result.stderr


def test_every_command_has_its_section_with_an_example() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from cli_reference import commands, title
    finally:
        sys.path.remove(str(ROOT / "docs"))
    text = PAGE.read_text(encoding="utf-8")
    sections = {part.split("\n", 1)[0]: part for part in text.split("\n## ")[1:]}
    for path, command in commands():
        assert title(path) in sections, f"docs/cli.md has no section for {title(path)}: run make docs"
        if not hasattr(command, "commands"):
            assert "Example:" in sections[title(path)], title(path)
