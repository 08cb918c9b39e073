"""Every command has --help with an example; --help and the reads import only what they use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cctx.cli.lazy import LazyGroup
from cctx.cli.root import cli
from tests.conftest import DEMO, NOW, ROOT


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


def _lazy_groups(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], LazyGroup]]:
    found = [(prefix, group)] if isinstance(group, LazyGroup) else []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found.extend(_lazy_groups(command, (*prefix, name)))
    return found


COMMANDS = _commands(cli)
GROUPS = [(), *sorted({path[:i] for path in COMMANDS for i in range(1, len(path))})]
LAZY_GROUPS = _lazy_groups(cli)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="cctx")
    assert result.exit_code == 0
    assert f"Usage: cctx {' '.join(path)}" in result.output
    example = result.output.split("Example", 1)[1]
    assert " ".join(path) in example


@pytest.mark.parametrize(("path", "group"), LAZY_GROUPS, ids=[" ".join(p) or "cctx" for p, _ in LAZY_GROUPS])
def test_each_summary_in_a_lazy_table_is_the_command_s_own(path: tuple[str, ...], group: LazyGroup) -> None:
    """The --help line kept in ``lazy_commands`` (so that --help imports nothing) is the one click takes from
    the command's help: a command whose help changed fails here until its line in the table is updated."""
    ctx = click.Context(group)
    for name in group.lazy_commands:
        summary = group.summary(name)
        if summary is None:
            continue
        command = group.get_command(ctx, name)
        assert command is not None
        assert summary == command.get_short_help_str(limit=10**6), (
            f"the summary of `cctx {' '.join((*path, name))}` in lazy_commands is stale; its help says: "
            f"{command.get_short_help_str(limit=10**6)!r}"
        )


# Runs `cctx ARGS` in a fresh interpreter, then writes every module it loaded to stderr. (`-X importtime`
# would not do: it leaves out what importlib.import_module loads, which is how command groups are loaded.)
_LOADED_AFTER = """
import json, runpy, sys
sys.argv = ["cctx", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("cctx", run_name="__main__")
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\nLOADED " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(code)
"""


def _run(*args: str, cwd: Path | None = None, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "CCTX_NOW": NOW, "CCTX_ACTOR": "test", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", _LOADED_AFTER, *args], capture_output=True, text=True, env=env,
                          cwd=cwd)


def _imported(stderr: str) -> set[str]:
    lines = [line for line in stderr.splitlines() if line.startswith("LOADED ")]
    assert lines, f"the command wrote no module list: {stderr}"
    return set(json.loads(lines[-1].removeprefix("LOADED ")))


@pytest.mark.parametrize("path", GROUPS, ids=lambda p: " ".join(p) or "cctx")
def test_help_imports_no_command_code(path: tuple[str, ...]) -> None:
    """`cctx --help` imports no command group, and a group's --help none of the services, the store
    or the libraries its commands use when they run, even when click lays it out (a narrow terminal)."""
    result = _run(*path, "--help", columns=60)
    assert result.returncode == 0, result.stderr
    imported = _imported(result.stderr)
    heavy = {m for m in imported if m.split(".")[0] in ("tabulate", "yaml", "phonenumbers", "sqlite_utils", "psycopg2")
             or m.startswith(("cctx.services", "cctx.store", "importlib.metadata"))}
    assert not heavy, f"cctx {' '.join(path)} --help imports {sorted(heavy)}"
    if not path:
        groups = imported & {entry[0] for entry in cli.lazy_commands.values()}
        assert not groups, (f"cctx --help imports {sorted(groups)}: give each group its summary in lazy_commands "
                            "(name: (module, attribute, summary)) in cctx/cli/__init__.py")


def test_root_help_lists_the_groups_as_click_would() -> None:
    """`cctx --help` from the summary table is the same text as click prints with every group loaded."""
    code = (
        "import json, click\n"
        "from click.testing import CliRunner\n"
        "from cctx.cli.root import cli\n"
        "static = CliRunner().invoke(cli, ['--help'], prog_name='cctx').output\n"
        "ctx = click.Context(cli)\n"
        "loaded = [cli.get_command(ctx, name) for name in cli.list_commands(ctx)]\n"
        "print(json.dumps([static, CliRunner().invoke(cli, ['--help'], prog_name='cctx').output]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    static, loaded = json.loads(result.stdout)
    assert "Commands:" in static
    assert static == loaded


def test_a_json_read_imports_neither_tables_nor_the_code_of_other_commands(tmp_path: Path) -> None:
    for args in (("db", "init"), ("db", "import", str(DEMO))):
        assert _run("--db", str(tmp_path / "t.db"), *args).returncode == 0
    for read in (("history", "show", "1"), ("customer", "show", "1"), ("conversation", "show", "100")):
        result = _run("--db", str(tmp_path / "t.db"), *read, "-f", "json")
        assert result.returncode == 0, result.stderr
        imported = _imported(result.stderr)
        unused = {m for m in imported if m.split(".")[0] in ("tabulate", "yaml", "csv", "sqlite_utils", "psycopg2")
                  or m == "importlib.metadata" or m in (
                      "cctx.services.purge", "cctx.services.merge", "cctx.services.relink", "cctx.services.fixtures",
                      "cctx.services.seed", "cctx.inputs", "cctx.cli.retention", "cctx.store.doctor", "cctx.store.seed",
                      "cctx.store.undo", "cctx.store.transfer", "cctx.store.privacy", "cctx.store.postgres",
                      "cctx.results.admin", "cctx.results.retention", "dataclasses", "pathlib")}
        assert not unused, f"cctx {' '.join(read)} -f json imports {sorted(unused)}"


def test_a_table_read_looks_up_no_package_metadata(tmp_path: Path) -> None:
    """tabulate 0.10 reads its own version through importlib.metadata on import (about 25 ms of every table
    command); the one cctx uses does not, and nothing else at start-up does."""
    for args in (("db", "init"), ("db", "import", str(DEMO))):
        assert _run("--db", str(tmp_path / "t.db"), *args).returncode == 0
    for read in (("customer", "show", "1"), ("conversation", "show", "110"), ("history", "show", "1")):
        result = _run("--db", str(tmp_path / "t.db"), *read)
        assert result.returncode == 0, result.stderr
        assert "importlib.metadata" not in _imported(result.stderr), f"cctx {' '.join(read)} reads package metadata"
