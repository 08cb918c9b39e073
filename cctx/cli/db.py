"""`cctx db` commands: init, import, stats, seed."""

from __future__ import annotations

import click

from cctx.cli.app import App
from cctx.cli.context import pass_app
from cctx.cli.options import ID, POSITIVE, WholeNumber, format_option
from cctx.ids import MAX_ID
from cctx.output import message, render


@click.group()
def db() -> None:
    """Create, fill and inspect the database."""


@db.command("init")
@format_option
@pass_app
def db_init(app: App, fmt: str) -> None:
    """Create the database, or upgrade its schema; safe to run again.

    The file is created with mode 0600: it holds personal data. On an existing file, db init also
    makes the file (and its -wal and -shm) private again if others could read it, and puts it back in
    WAL mode; it says so on stderr.

    \b
    Example:
        cctx --db /var/lib/cctx/cctx.db db init
    """
    from cctx.services import database

    result = database.init_schema(app.create_store())
    for fixed in result.files_tightened:
        message(f"Made {fixed.file} private: mode {fixed.mode_before} -> 0600 (it holds personal data).")
    if result.wal_restored_from:
        message(f"Restored WAL journal mode (the file was in {result.wal_restored_from} mode).")
    if fmt == "table":
        message(f"Database {result.database} is at schema version {result.schema_version}.")
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
    from cctx.cli.progress import progress_bar
    from cctx.services import fixtures

    counts = fixtures.import_files(
        app.store, list(files), now=app.now, actor=app.actor, progress=progress_bar("Importing")
    )
    render(counts, fmt)


@db.command("copy")
@click.option("--to", "target", required=True, metavar="PATH|URL",
              help="The database to fill: it must hold the schema (db init) and no data.")
@format_option
@pass_app
def db_copy(app: App, target: str, fmt: str) -> None:
    """Copy the whole database into TARGET, on either engine, ids and audit kept.

    The target is written in one transaction: a refused or interrupted copy leaves it empty. This
    is how a SQLite file moves to PostgreSQL when it is outgrown (and back).

    \b
    Example:
        cctx --db postgresql://cctx@db.internal/cctx db init
        cctx --db cctx.db db copy --to postgresql://cctx@db.internal/cctx
    """
    from cctx.cli.progress import progress_bar
    from cctx.services.copy import copy_database

    result = copy_database(app.store, app.open_other(target), progress=progress_bar("Copying"))
    render(result.to_dict(), fmt)


@db.command("stats")
@format_option
@pass_app
def db_stats(app: App, fmt: str) -> None:
    """Count what the database holds.

    \b
    Example:
        cctx db stats -f json
    """
    from cctx.services import database

    render(database.stats(app.store), fmt)


@db.command("seed")
@click.option("--people", type=POSITIVE, required=True, metavar="N", help="People to create.")
@click.option("--conversations", type=WholeNumber(0, MAX_ID), required=True, metavar="N", help="Conversations.")
@click.option("--items", type=WholeNumber(0, MAX_ID), required=True, metavar="N", help="Items in all conversations.")
@click.option("--seed", "seed_value", type=ID, default=1, show_default=True, metavar="S", help="Random seed.")
@format_option
@pass_app
def db_seed(app: App, people: int, conversations: int, items: int, seed_value: int, fmt: str) -> None:
    """Fill an empty database with deterministic synthetic data at scale.

    Same arguments and same now (CCTX_NOW) give the same content. Every channel and status, queues
    and agents, linked, auto-linked, unlinked and unknown contacts, ages over three years back from
    now; person 1 has 200 history conversations once --conversations reaches 20000. Refused on a
    database that already holds people, conversations, agents or queues.

    \b
    Example:
        cctx --db big.db db init
        cctx --db big.db db seed --people 200000 --conversations 1000000 --items 10000000 --seed 1
    """
    from cctx.cli.progress import progress_bar
    from cctx.services import seed

    size = seed.SeedSize(people, conversations, items, seed_value)
    result = seed.seed_database(app.store, size, now=app.now, actor=app.actor, progress=progress_bar("Seeding"))
    render(result, fmt)


@db.command("doctor")
@click.option("--fix", is_flag=True, help="Repair what is derivable (counters, last activity, auto-links, "
                                         "journal mode, file mode), in one audited transaction.")
@format_option
@pass_app
def db_doctor(app: App, fix: bool, fmt: str) -> None:
    """Check that the database is sound; exit 1 when a problem is found.

    Checks SQLite's integrity and foreign keys, item counters and last activity against the items, items
    left in merged conversations, merged_into, closed_at against the status, auto-links, phones in E.164
    form, the WAL cleared after the last purge or erasure, WAL mode and a 0600 file. The problems are the
    output (with counts and example ids), not an error. With --fix the derivable ones are repaired (audit
    record db.fix) and every check runs again.

    \b
    Example:
        cctx db doctor
        cctx db doctor --fix -f json
    """
    from cctx.output.doctor import doctor_table
    from cctx.services import doctor

    report = doctor.fix(app.store, now=app.now, actor=app.actor) if fix else doctor.check(app.store)
    render(report.to_dict(), fmt, table=doctor_table)
    if not report.ok:
        click.get_current_context().exit(1)
