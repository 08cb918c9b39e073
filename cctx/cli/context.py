"""The click side of App: a command gets it through ``pass_app``, made from the root's options when the
first command asks for it, so that no --help reads a configuration file or resolves an actor."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Concatenate, ParamSpec, TypeVar

import click

from cctx.cli.app import App

P = ParamSpec("P")
R = TypeVar("R")


def app_of(ctx: click.Context) -> App:
    """The App of this command line, made once from the root's options; a bad --actor (or CCTX_ACTOR, or login
    name) is refused here, as the root's bad usage (exit 2), before the command runs."""
    root = ctx.find_root()
    if not isinstance(root.obj, App):
        from cctx.cli.app import config_path, resolve_actor

        try:
            actor = resolve_actor(root.params["actor"])
        except ValueError as exc:
            actor_option = next(p for p in root.command.params if p.name == "actor")
            raise click.BadParameter(str(exc), ctx=root, param=actor_option) from None
        root.obj = App(db_target=root.params["db"], config_file=config_path(root.params["config"]), actor=actor,
                       debug=root.params["debug"])
        root.call_on_close(root.obj.close)
    return root.obj


def pass_app(command: Callable[Concatenate[App, P], R]) -> Callable[P, R]:
    """Give ``command`` the App as its first argument."""

    def with_app(*args: P.args, **kwargs: P.kwargs) -> R:
        return command(app_of(click.get_current_context()), *args, **kwargs)

    return update_wrapper(with_app, command)
