"""`cctx customer` commands."""

from __future__ import annotations

import click


@click.group()
def customer() -> None:
    """Customer commands."""
