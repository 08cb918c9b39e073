"""Auto-link: a conversation whose contact is a destination a person owns is linked to that person.

A conversation created or imported without an explicit customer is linked to the owner of the destination
(type of its channel, contact), if any; when a destination is added to a person, the conversations with
that contact on that destination type that auto-link may link are linked to the person too. Auto-link
may link a conversation that is unlinked, not a merged tombstone, and not explicitly unlinked
(``unlinked_explicitly``: by unlink, by a relink to no customer, or imported with ``customer: null``): an
explicitly unlinked conversation is linked again only by an explicit link.

The SQL fragments are conditions over a conversation row named ``table`` (an alias such as ``c``, or
``conversations`` itself in an UPDATE), for the stores to compose; the Python predicates read a
``Conversation`` and the owners of destinations.
"""

from __future__ import annotations

from collections.abc import Mapping

from cctx.models import Conversation

# (destination type, value) -> the id of the person who owns it
Owners = Mapping[tuple[str, str], int]


def may_autolink_sql(table: str = "c") -> str:
    """Auto-link may link the conversation: unlinked, not explicitly unlinked, not a tombstone."""
    return f"({table}.person_id IS NULL AND {table}.unlinked_explicitly = 0 AND {table}.status <> 'merged')"


def may_autolink(conversation: Conversation) -> bool:
    return (
        conversation.person_id is None and not conversation.unlinked_explicitly and conversation.status != "merged"
    )


def contact_owner_sql(table: str = "c") -> str:
    """The id of the person who owns the conversation's contact (NULL: nobody), as a scalar subquery."""
    return (
        f"(SELECT d.person_id FROM destinations d WHERE d.type = {table}.contact_type AND d.value = {table}.contact)"
    )


def contact_owned_sql(table: str = "c") -> str:
    """Some person owns the conversation's contact."""
    return (
        f"EXISTS (SELECT 1 FROM destinations d WHERE d.type = {table}.contact_type AND d.value = {table}.contact)"
    )


def awaiting_autolink_sql(table: str = "c") -> str:
    """Auto-link should have linked the conversation and has not: it may be linked, and someone owns its
    contact (what `db doctor` reports and `--fix` links)."""
    return f"{may_autolink_sql(table)} AND {contact_owned_sql(table)}"


def autolink_owner(conversation: Conversation, owners: Owners) -> int | None:
    """The person auto-link links ``conversation`` to; None when nobody owns its contact or auto-link may
    not link it. Not None exactly for the rows ``awaiting_autolink_sql`` selects."""
    if not may_autolink(conversation):
        return None
    return owners.get((conversation.contact_type, conversation.contact))
