"""`cctx history` commands."""

from __future__ import annotations

import click


@click.group()
def history() -> None:
    """History commands."""
