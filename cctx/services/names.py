"""Display names: how a customer is called on a conversation and a card (the display-name and card rules)."""

from __future__ import annotations


def full_name(first_name: str | None, last_name: str | None) -> str | None:
    """``first last`` when a first name is present, else None."""
    if not first_name:
        return None
    return f"{first_name} {last_name}" if last_name else first_name


def display_name(person: tuple[str | None, str | None] | None, contact: str) -> str:
    """The name stored on a conversation: the person's full name, else the contact value."""
    if person is None:
        return contact
    return full_name(*person) or contact
