"""`cctx conversation` commands: list, show, search, link, unlink, merge, relink."""

from __future__ import annotations

import click

from cctx.channels import ALL_STATUSES, ITEM_KINDS
from cctx.cli import reads
from cctx.cli.app import App
from cctx.cli.context import pass_app
from cctx.cli.options import ID, POSITIVE, as_agent_option, channel_option, dry_run_option, format_option, limit_option
from cctx.output import render


@click.group()
def conversation() -> None:
    """List, show, link, unlink, merge and bulk-relink conversations."""


@conversation.command("list")
@click.option("--unlinked", is_flag=True, help="Only conversations linked to no person.")
@click.option("--contact", "contacts", multiple=True, metavar="REF",
              help="Only this customer: a person id, or a contact (+PHONE, TYPE:VALUE); repeat for any of several.")
@channel_option
@click.option("--status", "statuses", multiple=True, type=click.Choice(ALL_STATUSES),
              help="Only this status; repeat for several. Tombstones show only with --status merged.")
@click.option("--queue", "queues", multiple=True, metavar="Q",
              help="Only conversations in this queue; repeat for any of several.")
@limit_option
@click.option("--relink-template", is_flag=True,
              help="Print conversation,customer rows (CSV unless -f json/yaml) to edit and feed to relink.")
@format_option
@pass_app
def conversation_list(app: App, unlinked: bool, contacts: tuple[str, ...], channels: tuple[str, ...],
                      statuses: tuple[str, ...], queues: tuple[str, ...], limit: int | None, relink_template: bool,
                      fmt: str) -> None:
    """List conversations (oldest first): the worklist for linking and relinking.

    \b
    Example:
        cctx conversation list --unlinked --channel whatsapp --channel sms
        cctx conversation list --unlinked --relink-template > relink.csv
        cctx conversation list --queue billing --queue vip --contact 1 --contact +385981112233
    """
    from cctx.services import conversations, relink
    from cctx.services.summaries import SUMMARY_KEYS

    rows = conversations.list_conversations(
        app.store, unlinked=unlinked, contacts=contacts, channels=channels, statuses=statuses, queues=queues,
        limit=limit,
    )
    if relink_template:
        render(conversations.relink_template(rows), "csv" if fmt == "table" else fmt, columns=relink.HEADER)
    else:
        from cctx.output.transcript import worklist_table

        render(rows, fmt, table=worklist_table, empty="No conversations", columns=SUMMARY_KEYS)


@conversation.command("show")
@click.argument("conversation_id", metavar="ID", type=ID)
@as_agent_option
@click.option("--kind", "kinds", multiple=True, type=click.Choice(ITEM_KINDS),
              help="Only items of this kind; repeat for several.")
@format_option
@pass_app
def conversation_show(app: App, conversation_id: int, as_agent: str | None, kinds: tuple[str, ...], fmt: str) -> None:
    """Show a conversation and its items in time order, like a transcript.

    With -f csv, one row per item (conversation, at, kind, author, text, event, recording).

    \b
    Example:
        cctx conversation show 110
        cctx conversation show 116 --as-agent ivana --kind note -f json
    """
    reads.conversation_show(app, conversation_id, as_agent, kinds, fmt)


@conversation.command("search")
@click.argument("text", metavar="TEXT")
@channel_option
@click.option("--customer", metavar="REF", help="Only this customer: a person id, a phone number or TYPE:VALUE.")
@as_agent_option
@click.option("--limit", type=POSITIVE, metavar="N", help="At most N results (default 20).")
@format_option
@pass_app
def conversation_search(app: App, text: str, channels: tuple[str, ...], customer: str | None, as_agent: str | None,
                        limit: int | None, fmt: str) -> None:
    """Find the conversations whose messages and notes hold every word of TEXT, best match first.

    Case and accents do not matter (kovac finds Kovač); a word ending in * is a prefix; anything else
    in TEXT (quotes, AND, OR, NEAR, -) is just more words or nothing. Each result has a snippet with the
    matches in [ ]. Shown as a history shows: no merged conversations, nothing past the retention
    horizon, posts channels only when --channel names them.

    \b
    Example:
        cctx conversation search "kovac narudžb*"
        cctx conversation search refund --channel whatsapp --customer +385911234567 --as-agent ivana -f json
    """
    from cctx.output.search import search_table
    from cctx.services.search import search
    from cctx.services.summaries import SUMMARY_KEYS

    rows = search(
        app.store, text, channels=channels, customer=customer, as_agent=as_agent, limit=limit,
        retention=app.config.retention, now=app.now,
    )
    render(rows, fmt, table=search_table, empty="No conversation found", columns=(*SUMMARY_KEYS, "snippet"))


@conversation.command("link")
@click.argument("conversation_id", metavar="ID", type=ID)
@click.argument("ref", metavar="REF")
@click.option("--add-destination", is_flag=True,
              help="Also add the conversation's contact to the person (refused if someone else owns it).")
@format_option
@pass_app
def conversation_link(app: App, conversation_id: int, ref: str, add_destination: bool, fmt: str) -> None:
    """Link conversation ID to the person REF (a person id, or a destination someone owns).

    The stored "talking with" name does not change. Linking again to the same person changes nothing.

    \b
    Example:
        cctx conversation link 156 2
        cctx conversation link 160 3 --add-destination
    """
    from cctx.services import conversations

    render(conversations.link(app.store, conversation_id, ref, add_destination=add_destination, now=app.now,
                              actor=app.actor), fmt)


@conversation.command("unlink")
@click.argument("conversation_id", metavar="ID", type=ID)
@format_option
@pass_app
def conversation_unlink(app: App, conversation_id: int, fmt: str) -> None:
    """Unlink conversation ID and mark it so auto-link never links it again.

    "changed" is true when the link or that mark changed: a conversation that was never linked is still
    marked (changed: true); unlinking it again changes nothing (changed: false). relink counts such a
    row as "unlinked" the same way.

    \b
    Example:
        cctx conversation unlink 139
    """
    from cctx.services import conversations

    render(conversations.unlink(app.store, conversation_id, now=app.now, actor=app.actor), fmt)


@conversation.command("merge")
@click.argument("target", type=ID)
@click.argument("sources", type=ID, nargs=-1, required=True)
@dry_run_option
@format_option
@pass_app
def conversation_merge(app: App, target: int, sources: tuple[int, ...], dry_run: bool, fmt: str) -> None:
    """Merge SOURCES into TARGET, keeping every item in time order; sources become tombstones.

    All must belong to one customer and one channel kind (messaging, call or posts).

    \b
    Example:
        cctx conversation merge 116 115 --dry-run
    """
    from cctx.services import merge

    render(merge.merge(app.store, target, sources, now=app.now, actor=app.actor, dry_run=dry_run), fmt)


@conversation.command("relink")
@click.argument("file", metavar="FILE")
@dry_run_option
@format_option
@pass_app
def conversation_relink(app: App, file: str, dry_run: bool, fmt: str) -> None:
    """Link and unlink many conversations from FILE (CSV `conversation,customer`, YAML or JSON; - is stdin).

    Every row is checked first; any bad row refuses the whole file. An empty customer unlinks and marks
    the conversation explicitly unlinked, as `unlink` does: in a relink template, fill in the customer
    column and delete the rows left empty. Relink never adds destinations.

    \b
    Example:
        cctx conversation list --unlinked --relink-template > relink.csv
        cctx conversation relink relink.csv --dry-run
        printf 'conversation,customer\\n156,2\\n' | cctx conversation relink -
    """
    from cctx.cli.progress import progress_bar
    from cctx.services import relink

    result = relink.relink(
        app.store, file, now=app.now, actor=app.actor, dry_run=dry_run, progress=progress_bar("Relinking")
    )
    render(result, fmt)
