"""Display names: who a conversation says the agent is talking with (the display-name rule), and the full
name a card and a list show for a person.

A person's full name is ``first_name last_name`` when a first name is present (``first_name`` alone without
a last name); without a first name there is none. A conversation stores its display name when it is
created: the linked person's full name, else its contact value. Linking, unlinking or editing the person
does not change the stored name; expanding the card of the conversation refreshes it.

The SQL expressions are written over a person row ``p`` (NULL columns when the conversation is unlinked,
as a LEFT JOIN gives them) and a conversation row ``c``; the Python functions compute the same values.
"""

from __future__ import annotations


def full_name(first_name: str | None, last_name: str | None) -> str | None:
    """``first last`` when a first name is present, else None."""
    if not first_name:
        return None
    return f"{first_name} {last_name}" if last_name else first_name


def full_name_sql(person: str = "p") -> str:
    """``full_name`` of the person row ``person``: NULL without a first name."""
    first, last = f"{person}.first_name", f"{person}.last_name"
    return (
        f"(CASE WHEN coalesce({first}, '') = '' THEN NULL WHEN coalesce({last}, '') = '' THEN {first}"
        f" ELSE {first} || ' ' || {last} END)"
    )


def display_name(person: tuple[str | None, str | None] | None, contact: str) -> str:
    """The name stored on a conversation: the person's full name, else the contact value."""
    if person is None:
        return contact
    return full_name(*person) or contact


def display_name_sql(person: str = "p", conversation: str = "c") -> str:
    """``display_name`` of the conversation row ``conversation`` with its linked person row ``person``."""
    return f"coalesce({full_name_sql(person)}, {conversation}.contact)"
