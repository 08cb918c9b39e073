"""`cctx history` commands: a customer's conversation history (`show`); `policy` and `purge` live in
cli/retention.py, imported only when one of them runs."""

from __future__ import annotations

import click

from cctx.cli import reads
from cctx.cli.app import App
from cctx.cli.context import pass_app
from cctx.cli.lazy import LazyGroup
from cctx.cli.options import (
    POSITIVE,
    WholeNumber,
    as_agent_option,
    channel_option,
    format_option,
    limit_option,
    status_option,
)
from cctx.output import render


@click.group(
    cls=LazyGroup,
    lazy_commands={
        "policy": ("cctx.cli.retention", "history_policy",
                   "Show the retention policy of the configuration file (days by default and per channel)."),
        "purge": ("cctx.cli.retention", "history_purge",
                  "Delete closed conversations (and merged tombstones) past the retention horizon."),
    },
)
def history() -> None:
    """Conversation history and the retention purge."""


@history.command("show")
@click.argument("ref", metavar="REF")
@channel_option
@status_option
@as_agent_option
@click.option("--newest-first", is_flag=True, help="Most recent conversation first.")
@limit_option
@format_option
@pass_app
def history_show(
    app: App, ref: str, channels: tuple[str, ...], statuses: tuple[str, ...], as_agent: str | None,
    newest_first: bool, limit: int | None, fmt: str,
) -> None:
    """Show the conversation history of customer REF, oldest first.

    REF is a person id, a phone number or TYPE:VALUE. A destination nobody owns shows the
    unlinked conversations with that contact. Posts channels, merged conversations and closed
    conversations past the retention horizon are never shown.

    \b
    Example:
        cctx history show 1 --channel whatsapp --channel voice --status closed
        cctx history show +385981112233 --as-agent ivana --newest-first --limit 5 -f json
    """
    reads.history_show(app, ref, channels, statuses, as_agent, newest_first, limit, fmt)


@history.command("explain")
@click.argument("conversation_id", type=POSITIVE, metavar="ID")
@format_option
@pass_app
def history_explain(app: App, conversation_id: int, fmt: str) -> None:
    """Explain why conversation ID is kept or due for the purge: its policy, expiry and holds.

    \b
    Example:
        cctx history explain 112
        cctx history explain 112 -f json
    """
    from cctx.services.retention_views import explain

    render(explain(app.store, conversation_id, app.config.retention, app.now), fmt)


@history.command("forecast")
@click.option("--weeks", type=WholeNumber(1, 520), default=12, show_default=True, metavar="N",
              help="How many weeks ahead.")
@channel_option
@format_option
@pass_app
def history_forecast(app: App, weeks: int, channels: tuple[str, ...], fmt: str) -> None:
    """Forecast what the retention policy expires week by week (held conversations left out).

    The first line is what has expired already: exactly what `history purge --dry-run` deletes.

    \b
    Example:
        cctx history forecast
        cctx history forecast --weeks 4 --channel sms --channel voice -f json
    """
    from cctx.output.retention_views import forecast_table
    from cctx.services.retention_views import forecast

    result = forecast(app.store, app.config.retention, app.now, weeks=weeks, channels=channels)
    render(result, fmt, table=forecast_table)
