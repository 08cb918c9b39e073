"""The fast path (cli/fast.py) reads a command line exactly as click does, or leaves it to click; what it
prints for a read is what click's way prints, on both engines; and --help prints the page click prints."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import event, given, settings
from hypothesis import strategies as st

from cctx.cli import reads
from cctx.cli.app import App, config_path
from cctx.cli.fast import fast_help, plan, terminal_help_width
from cctx.cli.help_pages import PAGES, WIDTH
from cctx.cli.root import cli, run_click
from tests.conftest import DEMO, NOW, ROOT, Cli, run_main

READS = {"customer_show": reads.customer_show, "history_show": reads.history_show,
         "conversation_show": reads.conversation_show}


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """os.environ with no CCTX_* variable but those of ``env``, for the block."""
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith(("CCTX_", "_CCTX_"))]:
        del os.environ[name]
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def click_reading(argv: list[str], env: dict[str, str]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """How click reads ``argv``: the read it runs, the App's settings and the read's parameters (None when it
    runs no read: bad usage, --help, another command). The read itself is not run."""
    called: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def recorder(name: str) -> Callable[..., None]:
        def record(app: App, *args: Any) -> None:
            bound = inspect.signature(READS[name]).bind(app, *args).arguments
            settings = {"db_target": app.db_target, "config_file": app.config_file, "actor": app.actor}
            called.append((name, settings, {k: v for k, v in bound.items() if k != "app"}))

        return record

    with environment(env), pytest.MonkeyPatch.context() as patch:
        for name in READS:
            patch.setattr(reads, name, recorder(name))
        with CliRunner().isolation():  # click's messages go nowhere
            run_click(list(argv))
    return called[0] if called else None


def fast_reading(argv: list[str], env: dict[str, str]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """How the fast path reads ``argv``: the read, the App's settings and the parameters (None: left to
    click)."""
    with environment(env):
        planned = plan(argv, os.environ)
    if planned is None:
        return None
    app = {"db_target": planned.db, "config_file": config_path(planned.config), "actor": planned.actor}
    return planned.read.run.__name__, app, planned.params


# Values scripts give, more often than the wrong ones beside them.
VALUES = ["x.db", "x.db", "", "-x", "a=b", "ünï.db", "postgresql://u@h/d"]
ACTORS = ["ivana", "ivana", "two words", "", "x" * 101, "bad\x07name"]
FORMATS = ["table", "json", "csv", "yaml"] * 2 + ["xml", "JSON", ""]
NUMBERS = ["1", "112", "5"] * 2 + ["0", "-1", "+7", " 3", "abc", "9" * 50, "1e3"]

def _option(name: str, values: list[str]) -> st.SearchStrategy[list[str]]:
    """``--name VALUE``, or ``--name=VALUE`` (or ``-f VALUE`` for --format)."""
    spellings = [name, "-f"] if name == "--format" else [name]
    return st.one_of(
        st.tuples(st.sampled_from(spellings), st.sampled_from(values)).map(list),
        st.sampled_from(values).map(lambda v: [f"{name}={v}"]),
    )


FORMAT = _option("--format", FORMATS)
AS_AGENT = _option("--as-agent", ["ivana", "", "-x", "nobody"])
OPTIONS = {
    ("customer", "show"): st.one_of(FORMAT, AS_AGENT, _option("--conversation", NUMBERS)),
    ("history", "show"): st.one_of(
        FORMAT, AS_AGENT, _option("--channel", ["whatsapp", "voice", "nope", "WhatsApp"]),
        _option("--status", ["open", "closed", "merged", "x"]), _option("--limit", NUMBERS),
        st.sampled_from([["--newest-first"], ["--newest-first=1"]]),
    ),
    ("conversation", "show"): st.one_of(FORMAT, AS_AGENT, _option("--kind", ["message", "note", "call_event", "x"])),
}
ROOT_OPTION = st.one_of(
    _option("--db", VALUES), _option("--config", ["c.yaml", ""]), _option("--actor", ACTORS),
)
ARGUMENT = st.sampled_from([*NUMBERS, "+385911234567", "+385911234567", "email:maja.horvat@example.com", "-", "--", ""])
NOISE = st.sampled_from([
    ["--help"], ["-h"], ["--debug"], ["--version"], ["--nope"], ["--"], ["-f"], ["-fjson"], ["--limit"],
    ["--db", "x"], ["--kind", "note"], ["--conversation", "1"], ["list"], ["1"], ["--as-agent="],
])
ENVIRONMENTS = st.fixed_dictionaries({}, optional={
    "CCTX_FORMAT": st.sampled_from(["json", "xml", ""]),
    "CCTX_DB": st.sampled_from(["y.db", ""]),
    "CCTX_ACTOR": st.sampled_from(["tomislav", "", "x" * 101]),
    "CCTX_CONFIG": st.sampled_from(["", "c.yaml"]),
    "CCTX_DEBUG": st.sampled_from(["1", "0", ""]),
})


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """Mostly what scripts write, and now and then a word too many: global options, a read (or, rarely,
    another command), its options with its argument among them, and maybe one word of noise anywhere."""
    read = draw(st.sampled_from([*OPTIONS, ("customer", "list"), ("history", "policy"), ("show", "1")]))
    unique = draw(st.integers(0, 2)) > 0  # mostly each option once; else repeats too (right for --channel)
    spelled = (lambda option: option[0].split("=")[0].replace("-f", "--format", 1)) if unique else None
    options = draw(st.lists(OPTIONS.get(read, FORMAT), max_size=4, unique_by=spelled))
    words = [w for option in options for w in option]
    arguments = draw(st.lists(ARGUMENT, min_size=0 if read == ("customer", "show") else 1, max_size=1))
    at = draw(st.integers(0, len(words)))
    words[at:at] = arguments
    root = [w for option in draw(st.lists(ROOT_OPTION, max_size=2)) for w in option]
    argv = [*root, *read, *words]
    if draw(st.integers(0, 3)) == 3:
        at = draw(st.integers(0, len(argv)))
        argv[at:at] = draw(NOISE)
    return argv


@settings(max_examples=2000, deadline=None)
@given(argv=command_lines(), env=ENVIRONMENTS)
def test_what_the_fast_path_takes_click_reads_the_same(argv: list[str], env: dict[str, str]) -> None:
    fast = fast_reading(argv, env)
    event("the fast path takes it" if fast is not None else "left to click")
    if fast is not None:
        assert fast == click_reading(argv, env), f"the fast path and click read {argv} with {env} apart"


@pytest.mark.parametrize("argv", [
    ["customer", "show", "1"],
    ["--db", "x.db", "customer", "show", "--conversation", "112", "-f", "json"],
    ["--db=x.db", "--actor", "ivana", "history", "show", "+385911234567", "--channel", "sms", "--channel=voice",
     "--status", "closed", "--as-agent", "ivana", "--newest-first", "--limit", "5", "--format=csv"],
    ["--config", "c.yaml", "conversation", "show", "110", "--kind", "note", "--kind", "message", "-f", "yaml"],
    ["history", "show", "email:maja.horvat@example.com", "-f", "table"],
])
def test_the_usual_reads_take_the_fast_path(argv: list[str]) -> None:
    fast = fast_reading(argv, {"CCTX_ACTOR": "tester"})
    assert fast is not None, argv
    assert fast == click_reading(argv, {"CCTX_ACTOR": "tester"})


@pytest.mark.parametrize("argv", [
    ["--debug", "history", "show", "1"],
    ["history", "show", "1", "--help"],
    ["history", "show", "1", "-f", "json", "-f", "csv"],
    ["history", "show", "1", "--channel", "nope"],
    ["history", "show", "1", "--", "-f"],
    ["customer", "show"],
    ["customer", "show", "1", "--conversation", "112"],
    ["conversation", "show", "x"],
    ["history", "show", "1", "-fjson"],
])
def test_what_is_not_plainly_right_is_left_to_click(argv: list[str]) -> None:
    assert fast_reading(argv, {"CCTX_ACTOR": "tester"}) is None


def test_a_bad_actor_is_left_to_click_which_refuses_it() -> None:
    assert fast_reading(["history", "show", "1"], {"CCTX_ACTOR": "x" * 101}) is None


READ_LINES = [
    ["customer", "show", "1"],
    ["customer", "show", "1", "-f", "json"],
    ["customer", "show", "+385911234567", "-f", "yaml"],
    ["customer", "show", "--conversation", "112", "-f", "csv"],
    ["customer", "show", "1", "--as-agent", "ivana"],
    ["customer", "show", "email:nobody@example.com"],
    ["customer", "show", "999999"],
    ["history", "show", "1"],
    ["history", "show", "1", "-f", "json", "--newest-first", "--limit", "3"],
    ["history", "show", "1", "--channel", "whatsapp", "--channel", "voice", "-f", "csv"],
    ["history", "show", "1", "--as-agent", "ivana", "--status", "closed", "-f", "yaml"],
    ["history", "show", "1", "--as-agent", "nobody"],
    ["history", "show", "+385000000000"],
    ["conversation", "show", "110"],
    ["conversation", "show", "116", "--kind", "note", "-f", "json"],
    ["conversation", "show", "110", "-f", "csv"],
    ["conversation", "show", "999"],
    ["conversation", "show", "116", "--as-agent", "luka"],
]


@pytest.mark.parametrize("argv", READ_LINES, ids=" ".join)
def test_the_fast_path_prints_what_click_prints(demo_cli: Cli, argv: list[str]) -> None:
    full = ["--db", str(demo_cli.db), *argv]
    assert fast_reading(full, demo_cli.env) is not None, "the fast path leaves this read to click"
    fast = run_main(CliRunner(), full, env=demo_cli.env)
    slow = CliRunner().invoke(cli, full, env=demo_cli.env)  # click's way
    assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout, slow.stderr)
    assert fast.exit_code == (1 if fast.stderr.startswith("Error: ") else 0), fast.stderr


def test_merged_away_ids_get_the_same_note_both_ways(demo_cli: Cli) -> None:
    demo_cli.ok("customer", "merge", "1", "2")
    full = ["--db", str(demo_cli.db), "customer", "show", "2", "-f", "json"]
    fast = run_main(CliRunner(), full, env=demo_cli.env)
    slow = CliRunner().invoke(cli, full, env=demo_cli.env)
    assert fast.stderr == slow.stderr == "Note: person 2 was merged into 1\n"
    assert fast.stdout == slow.stdout and '"customer_id": 1' in fast.stdout


# Runs `cctx ARGS` in a fresh interpreter, then writes on stderr whether it imported click.
CLICK_LOADED = ("import sys\nfrom cctx.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
                "sys.stdout.flush()\nprint('click' in sys.modules, file=sys.stderr)\n")


def test_a_json_read_in_its_own_process_never_imports_click(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    env = {**os.environ, "CCTX_NOW": NOW, "CCTX_ACTOR": "test", "PYTHONPATH": str(ROOT)}
    for args in (("db", "init"), ("db", "import", str(DEMO))):
        subprocess.run([sys.executable, "-m", "cctx", "--db", str(db), *args], env=env, check=True,
                       capture_output=True)
    for read in (["history", "show", "1"], ["customer", "show", "1"], ["conversation", "show", "110"]):
        result = subprocess.run([sys.executable, "-c", CLICK_LOADED, "--db", str(db), *read, "-f", "json"], env=env,
                                capture_output=True, text=True, check=True)
        assert result.stdout.startswith(("[", "{")) and result.stderr == "False\n", result.stderr


def _help(path: tuple[str, ...], columns: int, flag: str = "--help") -> subprocess.CompletedProcess[str]:
    """`cctx PATH... --help` in its own process, then whether it imported click (on stderr)."""
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", CLICK_LOADED, *path, flag], env=env, capture_output=True, text=True,
                          check=True)


@pytest.mark.parametrize("path", [(), ("customer",), ("history",), ("history", "show"), ("db", "copy")],
                         ids=lambda p: " ".join(p) or "cctx")
def test_help_prints_its_stored_page_without_click_and_the_same_as_click(path: tuple[str, ...]) -> None:
    fast = _help(path, 80)
    assert fast.stderr == "False\n" and fast.stdout == PAGES[path]
    assert fast.stdout == _help(path, 80, "-h").stdout
    # the same through click: global options before the command are click's to read
    slow = subprocess.run([sys.executable, "-m", "cctx", "--db", "cctx.db", *path, "--help"], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}, check=True)
    assert slow.stdout == fast.stdout


def test_a_narrow_terminal_gets_help_laid_out_by_click() -> None:
    narrow = _help(("customer",), 60)
    assert narrow.stderr == "True\n"
    assert max(map(len, narrow.stdout.splitlines())) <= 58 < max(map(len, PAGES["customer",].splitlines()))


def test_every_command_has_its_stored_page() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from cli_reference import commands
    finally:
        sys.path.remove(str(ROOT / "docs"))
    assert set(PAGES) == {path for path, _ in commands()}
    assert WIDTH == terminal_help_width({"COLUMNS": "200"})


@pytest.mark.parametrize("argv", [
    ["customer", "show", "--as-agent", "--help"],  # --help is the agent's name here: click's to read
    ["customer show", "--help"],
    ["--db", "x.db", "--help"],
    ["history", "show", "1", "--help"],
    ["nope", "--help"],
])
def test_help_that_is_not_a_command_and_its_flag_is_left_to_click(argv: list[str]) -> None:
    assert fast_help(argv, {"COLUMNS": "80"}) is None
