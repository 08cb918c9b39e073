"""`cctx conversation` commands."""

from __future__ import annotations

import click


@click.group()
def conversation() -> None:
    """Conversation commands."""
