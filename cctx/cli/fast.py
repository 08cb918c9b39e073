"""The fast path: the three reads scripts run in loops (`customer show`, `history show` and
`conversation show`) and every --help, answered without importing click (about 20 ms of each command).

A read's command line is taken only when it is read whole and found right: the global options --db,
--config and --actor before the command, then the command's argument and options, each option as
``--name VALUE``, ``--name=VALUE`` or ``-f VALUE``. Anything else — --help, --debug, an option it does
not know or given twice, a value that is wrong or starts with ``-``, ``--``, shell completion, an actor
click would refuse — is left to click (``fast_read`` returns None), which reads every command line and
reports what is wrong with one. tests/cli/test_fast_path.py holds the two readings equal: whatever the fast
path takes, click reads the same way, and both print the same.

--help (or -h) right after a command's name prints that command's page from cli/help_pages.py: the help
text click prints on a terminal of 80 columns or more (or not on a terminal), generated from the commands
by `make docs` and checked by `make test`. On a narrower terminal, click lays the help out itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial
from typing import Any

Reader = Callable[[str], Any]  # a value as its option takes it; ValueError when wrong


def _text(value: str) -> str:
    return value


def _choice(choices: Sequence[str]) -> Reader:
    def read(value: str) -> str:
        if value not in choices:
            raise ValueError(value)
        return value

    return read


class Option:
    """A command-line option: the parameter it sets, how its value is read (None: a flag), whether it may be
    repeated, the environment variable and the default it falls back on. (Plain classes: a NamedTuple
    costs a tenth of a millisecond to define, and every --help would pay for these.)"""

    __slots__ = ("param", "read", "multiple", "envvar", "default")

    def __init__(
        self, param: str, read: Reader | None, *, multiple: bool = False, envvar: str | None = None,
        default: Any = None,
    ) -> None:
        self.param, self.read, self.multiple, self.envvar, self.default = param, read, multiple, envvar, default


class Read:
    """A read the fast path answers: its argument, its options by spelling, what runs it, and a check of
    its parameters together."""

    __slots__ = ("argument", "read_argument", "argument_required", "options", "run", "valid")

    def __init__(
        self, argument: str, read_argument: Reader, argument_required: bool, options: dict[str, Option],
        run: Callable[..., None], valid: Callable[[dict[str, Any]], bool] = lambda params: True,
    ) -> None:
        self.argument, self.read_argument, self.argument_required = argument, read_argument, argument_required
        self.options, self.run, self.valid = options, run, valid


ROOT = {
    "--db": Option("db", _text, envvar="CCTX_DB", default="cctx.db"),
    "--config": Option("config", _text, envvar="CCTX_CONFIG"),
    "--actor": Option("actor", _text, envvar="CCTX_ACTOR"),
}

READ_NAMES = {("customer", "show"), ("history", "show"), ("conversation", "show")}


@cache
def _reads() -> dict[tuple[str, str], Read]:
    """The reads by name (built only for a command line that names one: --help needs none of it)."""
    from cctx.channels import CHANNEL_SLUGS, ITEM_KINDS, STATUSES
    from cctx.cli import reads
    from cctx.ids import ANY_ID, POSITIVE_ID
    from cctx.output import FORMATS

    fmt = Option("fmt", _choice(FORMATS), envvar="CCTX_FORMAT", default="table")
    as_agent = Option("as_agent", _text)
    return {
        ("customer", "show"): Read(
            "ref", _text, False,
            {"--conversation": Option("conversation_id", ANY_ID.read), "--as-agent": as_agent,
             "--format": fmt, "-f": fmt},
            reads.customer_show,
            valid=lambda params: (params["ref"] is None) != (params["conversation_id"] is None),
        ),
        ("history", "show"): Read(
            "ref", _text, True,
            {"--channel": Option("channels", _choice(CHANNEL_SLUGS), multiple=True),
             "--status": Option("statuses", _choice(STATUSES), multiple=True),
             "--as-agent": as_agent,
             "--newest-first": Option("newest_first", None, default=False),
             "--limit": Option("limit", POSITIVE_ID.read),
             "--format": fmt, "-f": fmt},
            reads.history_show,
        ),
        ("conversation", "show"): Read(
            "conversation_id", ANY_ID.read, True,
            {"--as-agent": as_agent, "--kind": Option("kinds", _choice(ITEM_KINDS), multiple=True),
             "--format": fmt, "-f": fmt},
            reads.conversation_show,
        ),
    }


class _Declined(Exception):
    """The command line is one for click."""


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _options(
    words: list[str], options: Mapping[str, Option], given: dict[Option, list[Any]], *, until_word: bool
) -> list[str]:
    """Read ``words`` into ``given`` (each option's values, in order); the words that are no option. With
    ``until_word``, stop at the first such word (global options come before the command)."""
    rest: list[str] = []
    while words:
        word = words.pop(0)
        if not word.startswith("-"):
            rest.append(word)
            if until_word:
                return rest + words
            continue
        spelling, equals, value = word.partition("=")
        option = options.get(spelling)
        if option is None or (equals and (option.read is None or not spelling.startswith("--"))):
            raise _Declined
        if option.read is None:
            value_read: Any = True
        else:
            if not equals:
                if not words or words[0].startswith("-"):
                    raise _Declined
                value = words.pop(0)
            value_read = option.read(value)
        if option in given and not option.multiple:
            raise _Declined
        given.setdefault(option, []).append(value_read)
    return rest


def _values(
    options: Mapping[str, Option], given: dict[Option, list[Any]], environ: Mapping[str, str]
) -> dict[str, Any]:
    """Every option's parameter: as given, else from its environment variable when set and not empty, else
    its default."""
    params: dict[str, Any] = {}
    for option in set(options.values()):
        if option in given:
            values = given[option]
        elif option.envvar and environ.get(option.envvar):
            values = [option.read(environ[option.envvar]) if option.read else True]
        else:
            params[option.param] = () if option.multiple else option.default
            continue
        params[option.param] = tuple(values) if option.multiple else values[0]
    return params


class Plan:
    """A command line the fast path answers: the global options' values, the read and its parameters."""

    __slots__ = ("db", "config", "actor", "read", "params")

    def __init__(self, db: str, config: str | None, actor: str, read: Read, params: dict[str, Any]) -> None:
        self.db, self.config, self.actor, self.read, self.params = db, config, actor, read, params


def plan(argv: Sequence[str], environ: Mapping[str, str]) -> Plan | None:
    """What ``argv`` asks for, when it is a read the fast path answers; None leaves it to click."""
    if "_CCTX_COMPLETE" in environ or environ.get("CCTX_DEBUG") == "1":
        return None
    if not all(map(_utf8, argv)) or not all(_utf8(v) for k, v in environ.items() if k.startswith("CCTX_")):
        return None
    try:
        root_given: dict[Option, list[Any]] = {}
        words = _options(list(argv), ROOT, root_given, until_word=True)
        if len(words) < 2 or (words[0], words[1]) not in READ_NAMES:
            return None
        read = _reads()[words[0], words[1]]
        given: dict[Option, list[Any]] = {}
        arguments = _options(words[2:], read.options, given, until_word=False)
        if len(arguments) > 1 or (read.argument_required and not arguments):
            return None
        params = _values(read.options, given, environ)
        params[read.argument] = read.read_argument(arguments[0]) if arguments else None
    except (_Declined, ValueError):
        return None
    if not read.valid(params):
        return None
    from cctx.cli.app import resolve_actor

    root = _values(ROOT, root_given, environ)
    try:
        actor = resolve_actor(root["actor"])
    except ValueError:
        return None
    return Plan(root["db"], root["config"], actor, read, params)


def answer(planned: Plan) -> int:
    """Run the planned read; its exit code. Errors are reported as the root group reports them."""
    from cctx.cli.app import App, config_path
    from cctx.cli.exits import database_errors, database_failure, failed
    from cctx.errors import CctxError

    app = App(db_target=planned.db, config_file=config_path(planned.config), actor=planned.actor)
    try:
        planned.read.run(app, **planned.params)
    except CctxError as exc:
        return failed(exc)
    except database_errors() as exc:  # evaluated only when an exception gets here
        return failed(database_failure(exc, app.db_target))
    finally:
        app.close()
    return 0


def fast_read(argv: Sequence[str], environ: Mapping[str, str]) -> Callable[[], int] | None:
    """The read ``argv`` asks for, ready to run, when the fast path answers it; else None."""
    planned = plan(argv, environ)
    return None if planned is None else partial(answer, planned)


def terminal_help_width(environ: Mapping[str, str]) -> int:
    """The width of help text, as click's formatter takes it from ``shutil.get_terminal_size``: COLUMNS,
    else the terminal's, else 80; clamped to 50..78. Found without importing shutil, which brings bz2, lzma
    and zlib (~3 ms)."""
    try:
        columns = int(environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (ValueError, OSError):  # not a terminal, or stdout closed
            columns = 0
        columns = columns or 80
    return max(min(columns, 80) - 2, 50)


def _print(page: str) -> int:
    sys.stdout.write(page)
    return 0


def fast_help(argv: Sequence[str], environ: Mapping[str, str]) -> Callable[[], int] | None:
    """`cctx [COMMAND...] --help` ready to print, when its page is stored for this terminal's width; else
    None (click prints it)."""
    if not argv or argv[-1] not in ("--help", "-h") or "_CCTX_COMPLETE" in environ:
        return None
    from cctx.cli.help_pages import PAGES, WIDTH

    page = PAGES.get(tuple(argv[:-1]))
    if page is None or terminal_help_width(environ) != WIDTH:
        return None
    return partial(_print, page)
