"""The root --actor option's check: the actor is resolved once, and refused (exit 2) unless it is 1 to 100
printable characters, before any command runs."""

from __future__ import annotations

import click

from cctx.actors import actor_problem
from cctx.cli.context import default_actor


def resolve_actor(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """--actor, else CCTX_ACTOR (both arrive here through click), else the login name; checked."""
    name = default_actor() if value is None else value
    problem = actor_problem(name)
    if problem is not None:
        hint = "" if value is not None else " (the login name; give --actor NAME)"
        raise click.BadParameter(problem + hint, ctx=ctx, param=param)
    return name
