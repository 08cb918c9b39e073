"""Table views of the customer context card, read like the agent's panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cctx.output import NULL, Columns, TableView, cell, label_value_lines
from cctx.person_fields import PERSON_FIELDS

# The keys of a card, in order: the CSV header of `customer list`, also when it lists nobody.
CARD_COLUMNS = ("customer_id", "known", "name", *PERSON_FIELDS, "attributes", "destinations", "tags", "conversations")


def _attribute(card: Mapping[str, Any], name: str) -> Any:
    return card.get(name) if name in PERSON_FIELDS else card["attributes"].get(name)


def _destination(d: Mapping[str, str]) -> str:
    """``TYPE:VALUE``, the form a customer reference takes on the command line."""
    return f"{d['type']}:{d['value']}"


def _listed(label: str, values: list[str], known: bool) -> list[tuple[str, str]]:
    """One row per value, the label on the first; NULL for an unknown customer, '-' for none."""
    if not known:
        return [(label, NULL)]
    if not values:
        return [(label, "-")]
    return [(label if i == 0 else "", v) for i, v in enumerate(values)]


def card_rows(card: Mapping[str, Any], attributes: tuple[str, ...]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if "conversation_id" in card:
        refreshed = " (refreshed)" if card["display_name_refreshed"] else ""
        rows += [("conversation", str(card["conversation_id"])), ("talking with", card["talking_with"] + refreshed)]
    known = bool(card["known"])
    rows.append(("name", card["name"]))
    rows.append(("customer", f"known (#{card['customer_id']})" if known else "unknown"))
    rows += [(name, cell(_attribute(card, name))) for name in attributes]
    rows += _listed("destinations", [_destination(d) for d in card["destinations"]], known)
    rows += _listed("tags", list(card["tags"]), known)
    counts = card["conversations"]
    rows.append(("conversations", f"{counts['open']} open, {counts['closed']} closed"))
    return rows


def card_view(attributes: tuple[str, ...]) -> TableView:
    """The panel of one card: name, known/unknown, the selected attributes, destinations, tags, counts."""

    def view(card: Mapping[str, Any]) -> str:
        return label_value_lines(card_rows(card, attributes))

    return view


def cards_view(attributes: tuple[str, ...]) -> Columns:
    """One line per card: id, name, the selected attributes, destinations and tags, open/closed counts."""

    def line(c: Mapping[str, Any]) -> list[Any]:
        return [
            c["customer_id"], c["name"], *(_attribute(c, a) for a in attributes), len(c["destinations"]), c["tags"],
            c["conversations"]["open"], c["conversations"]["closed"],
        ]

    headers = ("id", "name", *attributes, "destinations", "tags", "open", "closed")
    count = len(headers)
    return Columns(headers, line, numeric={0, count - 4, count - 2, count - 1}, null=NULL)
