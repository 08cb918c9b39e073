"""`cctx agent` and `cctx queue` commands."""

from __future__ import annotations

import click

from cctx.cli.app import App
from cctx.cli.context import pass_app
from cctx.cli.options import format_option
from cctx.output import render


@click.group()
def agent() -> None:
    """Agents and the queues they may see."""


@agent.command("list")
@format_option
@pass_app
def agent_list(app: App, fmt: str) -> None:
    """List agents with their queues.

    \b
    Example:
        cctx agent list -f json
    """
    from cctx.services import agents

    render(agents.list_agents(app.store), fmt, empty="No agents", columns=("name", "queues"))


@agent.command("add")
@click.argument("name")
@click.option("--queue", "queues", multiple=True, metavar="Q", help="Give access to this queue; repeatable.")
@format_option
@pass_app
def agent_add(app: App, name: str, queues: tuple[str, ...], fmt: str) -> None:
    """Add an agent, optionally with queue rights.

    \b
    Example:
        cctx agent add mia --queue billing --queue vip
    """
    from cctx.services import agents

    render(agents.add_agent(app.store, name, list(queues), now=app.now, actor=app.actor), fmt)


@agent.command("grant")
@click.argument("name")
@click.argument("queues", nargs=-1, required=True)
@format_option
@pass_app
def agent_grant(app: App, name: str, queues: tuple[str, ...], fmt: str) -> None:
    """Give agent NAME access to QUEUES (no change if already granted).

    \b
    Example:
        cctx agent grant marko billing sales
    """
    from cctx.services import agents

    render(agents.change_rights(app.store, name, list(queues), grant=True, now=app.now, actor=app.actor), fmt)


@agent.command("revoke")
@click.argument("name")
@click.argument("queues", nargs=-1, required=True)
@format_option
@pass_app
def agent_revoke(app: App, name: str, queues: tuple[str, ...], fmt: str) -> None:
    """Take access to QUEUES away from agent NAME (no change if not granted).

    \b
    Example:
        cctx agent revoke marko sales
    """
    from cctx.services import agents

    render(agents.change_rights(app.store, name, list(queues), grant=False, now=app.now, actor=app.actor), fmt)


@click.group()
def queue() -> None:
    """Queues that conversations are routed to."""


@queue.command("list")
@format_option
@pass_app
def queue_list(app: App, fmt: str) -> None:
    """List queues with the agents that may see them.

    \b
    Example:
        cctx queue list
    """
    from cctx.services import agents

    render(agents.list_queues(app.store), fmt, empty="No queues", columns=("name", "agents"))


@queue.command("add")
@click.argument("name")
@format_option
@pass_app
def queue_add(app: App, name: str, fmt: str) -> None:
    """Add a queue.

    \b
    Example:
        cctx queue add returns
    """
    from cctx.services import agents

    render(agents.add_queue(app.store, name, now=app.now, actor=app.actor), fmt)
