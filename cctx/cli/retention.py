"""`cctx history policy` and `cctx history purge`: the retention policy and the purge."""

from __future__ import annotations

import click


@click.command("policy")
def history_policy() -> None:
    """Show the retention policy.

    \b
    Example:
        cctx history policy
    """
    raise click.UsageError("not implemented yet")


@click.command("purge")
def history_purge() -> None:
    """Delete conversations past the retention horizon.

    \b
    Example:
        cctx history purge --dry-run
    """
    raise click.UsageError("not implemented yet")
