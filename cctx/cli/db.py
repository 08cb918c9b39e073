"""`cctx db` commands: init, import, stats, seed."""

from __future__ import annotations

import click

from cctx.cli.context import App, pass_app
from cctx.cli.options import format_option
from cctx.output import message, render
from cctx.services import database, fixtures


@click.group()
def db() -> None:
    """Create, fill and inspect the database."""


@db.command("init")
@format_option
@pass_app
def db_init(app: App, fmt: str) -> None:
    """Create the database, or upgrade its schema; safe to run again.

    The file is created with mode 0600: it holds personal data.

    \b
    Example:
        cctx --db /var/lib/cctx/cctx.db db init
    """
    result = database.init_schema(app.create_repo())
    if fmt == "table":
        message(f"Database {result['database']} is at schema version {result['schema_version']}.")
    else:
        render(result, fmt)


@db.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@format_option
@pass_app
def db_import(app: App, files: tuple[str, ...], fmt: str) -> None:
    """Load YAML or JSON fixture FILES, all or nothing; - reads stdin.

    Every problem of every file is listed with its location; a refused import writes nothing.

    \b
    Example:
        cctx db import fixtures/demo.yaml
        cat extra.json | cctx db import -
    """
    render(fixtures.import_files(app.repo, list(files), now=app.now, actor=app.actor), fmt)


@db.command("stats")
@format_option
@pass_app
def db_stats(app: App, fmt: str) -> None:
    """Count what the database holds.

    \b
    Example:
        cctx db stats -f json
    """
    render(database.stats(app.repo), fmt)
