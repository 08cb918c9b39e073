"""`cctx customer` commands: the context card and the People edits."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from cctx.cli import reads
from cctx.cli.app import App
from cctx.cli.context import pass_app
from cctx.cli.options import ID, as_agent_option, dry_run_option, format_option, limit_option
from cctx.cli.reads import render_card
from cctx.errors import Invalid
from cctx.output import message, render
from cctx.person_fields import PERSON_FIELDS

if TYPE_CHECKING:
    from cctx.results.cards import ErasureResult
    from cctx.services import people


def person_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by `customer create` and `customer update`."""
    decorators = [
        *(click.option(f"--{f.replace('_', '-')}", f, metavar="TEXT", help=f"{f.replace('_', ' ').capitalize()}.")
          for f in PERSON_FIELDS),
        click.option("--destination", "destinations", multiple=True, metavar="REF",
                     help="Add a destination (+PHONE or TYPE:VALUE); repeatable."),
        click.option("--tag", "tags", multiple=True, metavar="T", help="Add a tag; repeatable."),
        click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
                     help="Set a custom attribute; repeatable."),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def _edit(options: dict[str, Any], unset: tuple[str, ...] = ()) -> people.PersonEdit:
    from cctx.services import people

    return people.PersonEdit(
        fields={f: options[f] for f in PERSON_FIELDS},
        destinations=options["destinations"],
        tags=options["tags"],
        assignments=options["assignments"],
        unset=unset,
    )


@click.group()
def customer() -> None:
    """Customers: the context card, and editing people, their tags and destinations."""


@customer.command("show")
@click.argument("ref", required=False)
@click.option("--conversation", "conversation_id", type=ID, metavar="ID",
              help="The card of this conversation's customer; refreshes its \"talking with\" name.")
@as_agent_option
@format_option
@pass_app
def customer_show(app: App, ref: str | None, conversation_id: int | None, as_agent: str | None, fmt: str) -> None:
    """Show the context card of REF (person id, +PHONE or TYPE:VALUE) or of a conversation's customer.

    A destination nobody owns shows the unknown card. Only --conversation refreshes the
    conversation's stored display name ("talking with"). With --as-agent the card counts only the
    conversations that agent may see, as `history show --as-agent` shows them.

    \b
    Example:
        cctx customer show +385911234567
        cctx customer show email:ana@example.com -f json
        cctx customer show --conversation 112
        cctx customer show 1 --as-agent tomislav
    """
    if (ref is None) == (conversation_id is None):
        raise click.UsageError("give either REF or --conversation ID")
    reads.customer_show(app, ref, conversation_id, as_agent, fmt)


@customer.command("list")
@click.option("--tag", "tags", multiple=True, metavar="T",
              help="Only people with this tag; repeat for any of several.")
@click.option("--search", metavar="TEXT", help="Name, city, country or destination value contains TEXT (any case).")
@limit_option
@format_option
@pass_app
def customer_list(app: App, tags: tuple[str, ...], search: str | None, limit: int | None, fmt: str) -> None:
    """List people as cards, ordered by id.

    \b
    Example:
        cctx customer list --tag vip --search zagreb --limit 10
        cctx customer list --tag vip --tag b2b -f csv
    """
    from cctx.services import people

    settings = people.card_settings(app.config, app.now)
    cards = people.list_cards(app.store, settings, tags=tags, search=search, limit=limit)
    from cctx.output.card import CARD_COLUMNS, cards_view

    render(cards, fmt, table=cards_view(app.config.card_attributes), empty="No customers", columns=CARD_COLUMNS)


@customer.command("create")
@person_options
@format_option
@pass_app
def customer_create(app: App, fmt: str, **options: Any) -> None:
    """Create a person: at least a name or a destination.

    Adding a destination links its unlinked conversations (never the explicitly unlinked ones).

    \b
    Example:
        cctx customer create --first-name Ana --last-name Kos --destination +385915550000 --tag vip --set plan=gold
    """
    from cctx.services import people

    settings = people.card_settings(app.config, app.now)
    render_card(app, people.create(app.store, _edit(options), settings, now=app.now, actor=app.actor), fmt)


@customer.command("update")
@click.argument("person_id", type=ID, metavar="ID")
@person_options
@click.option("--unset", "unset", multiple=True, metavar="KEY",
              help="Clear a field or remove a custom attribute; repeatable.")
@format_option
@pass_app
def customer_update(app: App, person_id: int, unset: tuple[str, ...], fmt: str, **options: Any) -> None:
    """Change person ID: fields, custom attributes, added tags and destinations.

    Stored "talking with" names of conversations are not changed (expand the card to refresh one).

    \b
    Example:
        cctx customer update 3 --first-name Ivo --set plan=gold --unset language
    """
    from cctx.services import people

    if not unset and not any(options.values()):
        raise click.UsageError("nothing to change: give at least one option")
    settings = people.card_settings(app.config, app.now)
    card = people.update(app.store, person_id, _edit(options, unset), settings, now=app.now, actor=app.actor)
    render_card(app, card, fmt)


@customer.command("tag")
@click.argument("person_id", type=ID, metavar="ID")
@click.argument("tags", nargs=-1, required=True, metavar="TAG...")
@format_option
@pass_app
def customer_tag(app: App, person_id: int, tags: tuple[str, ...], fmt: str) -> None:
    """Add TAGS to person ID (a tag already there changes nothing).

    \b
    Example:
        cctx customer tag 2 vip churn-risk
    """
    from cctx.services import people

    settings = people.card_settings(app.config, app.now)
    card = people.change_tags(app.store, person_id, tags, settings, add=True, now=app.now, actor=app.actor)
    render_card(app, card, fmt)


@customer.command("untag")
@click.argument("person_id", type=ID, metavar="ID")
@click.argument("tags", nargs=-1, required=True, metavar="TAG...")
@format_option
@pass_app
def customer_untag(app: App, person_id: int, tags: tuple[str, ...], fmt: str) -> None:
    """Remove TAGS from person ID (a tag not there changes nothing).

    \b
    Example:
        cctx customer untag 2 churn-risk
    """
    from cctx.services import people

    settings = people.card_settings(app.config, app.now)
    card = people.change_tags(app.store, person_id, tags, settings, add=False, now=app.now, actor=app.actor)
    render_card(app, card, fmt)


@customer.group("destination")
def destination() -> None:
    """A person's destinations: the addresses they are reached on."""


@destination.command("add")
@click.argument("person_id", type=ID, metavar="ID")
@click.argument("ref", metavar="REF")
@format_option
@pass_app
def destination_add(app: App, person_id: int, ref: str, fmt: str) -> None:
    """Give person ID the destination REF (+PHONE or TYPE:VALUE) and link its unlinked conversations.

    Refused when another person owns REF.

    \b
    Example:
        cctx customer destination add 4 telegram:48151699
    """
    from cctx.services import people

    settings = people.card_settings(app.config, app.now)
    render_card(app, people.add_destination(app.store, person_id, ref, settings, now=app.now, actor=app.actor), fmt)


@destination.command("remove")
@click.argument("person_id", type=ID, metavar="ID")
@click.argument("ref", metavar="REF")
@format_option
@pass_app
def destination_remove(app: App, person_id: int, ref: str, fmt: str) -> None:
    """Take destination REF from person ID (the last one too); its conversations stay linked.

    \b
    Example:
        cctx customer destination remove 4 +385955550123
    """
    from cctx.services import people

    settings = people.card_settings(app.config, app.now)
    card = people.remove_destination(app.store, person_id, ref, settings, now=app.now, actor=app.actor)
    render_card(app, card, fmt)


@customer.command("merge")
@click.argument("target", type=ID)
@click.argument("sources", type=ID, nargs=-1, required=True, metavar="SOURCE...")
@dry_run_option
@format_option
@pass_app
def customer_merge(app: App, target: int, sources: tuple[int, ...], dry_run: bool, fmt: str) -> None:
    """Merge people SOURCES into person TARGET: one customer, one profile.

    Destinations and linked conversations move to TARGET, tags are united, attributes and empty
    fields are taken from the sources (TARGET's own values win, then the first source given).
    Stored "talking with" names do not change. The sources are removed; their ids keep working and
    name TARGET from now on.

    \b
    Example:
        cctx customer merge 7 12 15 --dry-run
        cctx customer merge 7 12 15
    """
    from cctx.services import customer_merge as customer_merge_service

    result = customer_merge_service.merge_people(
        app.store, target, sources, now=app.now, actor=app.actor, dry_run=dry_run
    )
    render(result, fmt)


@customer.command("duplicates")
@limit_option
@format_option
@pass_app
def customer_duplicates(app: App, limit: int | None, fmt: str) -> None:
    """List groups of people who are likely one customer, with the reasons. Changes nothing.

    Reasons: same_name (first and last name equal ignoring case, accents and spaces, and no
    conflicting gender, city or country), same_attribute:KEY (configured in
    duplicates.match_attributes), same_phone (phone numbers libphonenumber reads as one number).

    \b
    Example:
        cctx customer duplicates --limit 20
        cctx customer merge 7 12    # then bring a group together
    """
    from cctx.output.profiles import duplicates_view
    from cctx.services import duplicates

    groups = duplicates.find_duplicates(app.store, app.config.duplicate_attributes, limit=limit)
    render(groups, fmt, table=duplicates_view, empty="No likely duplicates", columns=("people", "reasons", "names"))


@customer.command("export")
@click.argument("ref", metavar="REF")
@click.option("--output", "-o", "output_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write to FILE (created readable by you only) instead of stdout.")
@format_option
@pass_app
def customer_export(app: App, ref: str, output_file: str | None, fmt: str) -> None:
    """Export everything stored about customer REF as one JSON document (whatever --format says).

    The card with every attribute, destinations, tags, linked conversations (expired ones not yet
    purged too) with agents, queue and items, unlinked conversations with one of the customer's
    destinations as contact, and the audit records about them. REF may be a contact nobody owns.

    \b
    Example:
        cctx customer export +385911234567 --output maja.json
        cctx customer export email:ana@example.com | jq .conversations[].id
    """
    from pathlib import Path  # here, not for every `customer` command and --help

    from cctx.output.export import private_output, write_document
    from cctx.services import people, privacy
    from cctx.words import plural

    output = None if output_file is None else Path(output_file)

    settings = people.card_settings(app.config, app.now)
    with private_output(output) as out:
        counts = privacy.export_customer(
            app.store, ref, settings=settings, retention=app.config.retention, now=app.now, actor=app.actor,
            write=lambda parts: write_document(parts, out),
        )
    if output is not None:
        message(f"Exported {plural(counts.conversations, 'conversation')}, {counts.unlinked_conversations} unlinked, "
                f"{plural(counts.items, 'item')} and {plural(counts.audit, 'audit record')} to {output}.")


def _confirm_erasure(yes: bool) -> Callable[[ErasureResult], bool]:
    """--yes, else a question on a terminal; off a terminal without --yes, a refusal."""

    def confirm(plan: ErasureResult) -> bool:
        from cctx.words import plural

        if yes:
            return True
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise Invalid("customer erase needs --yes when not run on a terminal: nothing changed")
        whose = f"customer {plan.customer}" if plan.customer is not None else f"contact {plan.contact}"
        return click.confirm(
            f"Erase {whose}: {plural(plan.conversations, 'conversation')}, {plural(plan.items, 'item')} and "
            f"{plural(plan.destinations, 'destination')}, for good?", err=True)

    return confirm


@customer.command("erase")
@click.argument("ref", metavar="REF")
@dry_run_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed when not on a terminal).")
@format_option
@pass_app
def customer_erase(app: App, ref: str, dry_run: bool, yes: bool, fmt: str) -> None:
    """Erase customer REF for good: the person, destinations, tags, attributes and conversations.

    Deletes the conversations linked to them and the unlinked ones whose contact is one of their
    destinations (items, participants and merged tombstones with them), replaces their values in
    earlier audit records by "[erased]" and clears the WAL. Refused while a legal hold applies.

    \b
    Example:
        cctx customer erase +385911234567 --dry-run
        cctx customer erase 42 --yes -f json
    """
    from cctx.services import privacy

    result = privacy.erase_customer(app.store, ref, dry_run=dry_run, confirm=_confirm_erasure(yes), now=app.now,
                                    actor=app.actor)
    if result.wal_cleared is False:
        message("Warning: readers kept the WAL from being cleared; erased content may remain in the -wal file "
                "until the next checkpoint.")
    render(result, fmt)
