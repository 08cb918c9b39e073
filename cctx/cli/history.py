"""`cctx history` commands: a customer's conversation history (`show`); `policy` and `purge` live in
cli/retention.py."""

from __future__ import annotations

import click

from cctx.cli.retention import history_policy, history_purge


@click.group()
def history() -> None:
    """Conversation history and the retention purge."""


history.add_command(history_policy)
history.add_command(history_purge)
