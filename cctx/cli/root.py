"""The root command: global options, the command groups, and the one error -> exit code mapping."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from cctx import __version__
from cctx.cli.exits import database_errors, database_failure, failed
from cctx.cli.lazy import LazyGroup
from cctx.errors import CctxError


def help_width() -> int:
    """The width of help and usage text: click's forced width (80 under its CliRunner), else the terminal's
    as cli/fast.py finds it."""
    from click import formatting

    from cctx.cli.fast import terminal_help_width

    return formatting.FORCED_WIDTH if formatting.FORCED_WIDTH is not None else terminal_help_width(os.environ)


class RootGroup(LazyGroup):
    """Turns every CctxError (and SQLite's busy/locked) into `Error: ...` and its exit code.

    Command groups are imported when first used (start-up is a feature).
    """

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        """The root context, with the width of help text (every command's context inherits it)."""
        extra.setdefault("terminal_width", help_width())
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CctxError as exc:
            if _debug(ctx):
                raise
            sys.exit(failed(exc))
        except database_errors() as exc:  # evaluated only when an exception gets here
            if _debug(ctx):
                raise
            from cctx.cli.app import App

            app = ctx.find_object(App)
            sys.exit(failed(database_failure(exc, app.db_target if app else None)))


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug")) or os.environ.get("CCTX_DEBUG") == "1"


@click.group(
    cls=RootGroup,
    # name: (module, attribute, the line `cctx --help` shows), so --help imports no command group
    lazy_commands={
        "db": ("cctx.cli.db", "db", "Create, fill and inspect the database."),
        "customer": ("cctx.cli.customer", "customer",
                     "Customers: the context card, and editing people, their tags and destinations."),
        "conversation": ("cctx.cli.conversation", "conversation",
                         "List, show, link, unlink, merge and bulk-relink conversations."),
        "history": ("cctx.cli.history", "history", "Conversation history and the retention purge."),
        "agent": ("cctx.cli.agent", "agent", "Agents and the queues they may see."),
        "queue": ("cctx.cli.agent", "queue", "Queues that conversations are routed to."),
        "audit": ("cctx.cli.audit", "audit", "The audit log: every change, who made it and when."),
        "undo": ("cctx.cli.undo", "undo",
                 "Reverse the change recorded as AUDIT_ID, so its rows are exactly as before it."),
        "hold": ("cctx.cli.hold", "hold",
                 "Legal holds: keep a customer's or a conversation's data from purge and erasure."),
    },
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--db", envvar="CCTX_DB", default="cctx.db", show_default=True, metavar="PATH|URL",
              help="SQLite database file, or postgresql://user@host/dbname (env CCTX_DB).")
@click.option("--config", "config", envvar="CCTX_CONFIG", metavar="PATH",
              help="YAML configuration (env CCTX_CONFIG; default ./cctx.yaml if present).")
@click.option("--actor", envvar="CCTX_ACTOR", metavar="NAME",
              help="Who is acting, for the audit log: 1 to 100 printable characters "
                   "(env CCTX_ACTOR; default the login user).")
@click.option("--debug", is_flag=True, help="Show a traceback on errors (env CCTX_DEBUG=1).")
@click.version_option(__version__, prog_name="cctx")
def cli(db: str, config: str | None, actor: str | None, debug: bool) -> None:
    """cctx: the customer context of a contact center, on a SQLite file or PostgreSQL.

    People, their conversations on every channel, the agent's context card and conversation
    history, link/unlink/merge, bulk relink and the retention purge.

    \b
    Example:
        cctx db init && cctx db import fixtures/demo.yaml
        cctx customer show +385911234567
        cctx history show 1 --channel whatsapp -f json

    Shell completion (bash): eval "$(_CCTX_COMPLETE=bash_source cctx)"
    """
    # The options are read when a command asks for its App (cli/context.py), not for --help.


def run_click(argv: list[str] | None = None) -> int:
    """`cctx` through click: the exit code; click's usage errors shown, and its Abort (Ctrl-C at a prompt)
    raised as the KeyboardInterrupt it was."""
    try:
        result = cli.main(args=argv, prog_name="cctx", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        raise KeyboardInterrupt from None
    return result if isinstance(result, int) and not isinstance(result, bool) else 0
