"""Pure rules of the context card: names (the card rule), custom attribute assignments, the table rows."""

from __future__ import annotations

import pytest

from cctx.errors import Invalid
from cctx.models import Destination, Person
from cctx.output.card import card_rows
from cctx.services.people import CardSettings, parse_assignment, person_card, person_name, unknown_card

PHONE = Destination("phone", "+385911234567")


def person(first: str | None = None, last: str | None = None, *dests: Destination) -> Person:
    return Person(7, first, last, None, None, None, {"plan": "gold"}, tuple(dests), ("vip",))


@pytest.mark.parametrize(("who", "contact", "expected"), [
    (person("Maja", "Horvat", PHONE), "+385000000", "Maja Horvat"),
    (person("Maja", None, PHONE), None, "Maja"),
    (person(None, "Babić", PHONE), "nabava@babic-doo.hr", "nabava@babic-doo.hr"),
    (person(None, "Babić", PHONE, Destination("email", "a@b.hr")), None, "+385911234567"),
    (person(None, "Babić"), None, "Babić"),
    (person(None, None), None, "#7"),
    (person("", "Babić"), None, "Babić"),
])
def test_person_name(who: Person, contact: str | None, expected: str) -> None:
    assert person_name(who, contact) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("plan=gold", ("plan", "gold")),
    (" plan = gold ", ("plan", "gold")),
    ("note=a=b", ("note", "a=b")),
])
def test_parse_assignment(text: str, expected: tuple[str, str]) -> None:
    assert parse_assignment(text) == expected


@pytest.mark.parametrize("text", ["plan", "=gold", " =x", "city=Zagreb", "first_name=Ana", "empty=", "empty= "])
def test_parse_assignment_refuses(text: str) -> None:
    with pytest.raises(Invalid):
        parse_assignment(text)


def test_selected_custom_attributes_and_table_rows() -> None:
    settings = CardSettings(("city", "plan", "tier"), {})
    known = person_card(person("Maja", "Horvat", PHONE), (1, 2), settings)
    assert known.known and known.attributes == {"plan": "gold", "tier": None}
    assert (known.conversations.open, known.conversations.closed) == (1, 2)
    assert card_rows(known.to_dict(), settings.attributes) == [
        ("name", "Maja Horvat"), ("customer", "known (#7)"), ("city", "NULL"), ("plan", "gold"), ("tier", "NULL"),
        ("destinations", "phone:+385911234567"), ("tags", "vip"), ("conversations", "1 open, 2 closed"),
    ]
    unknown = unknown_card("lc-1", (0, 0), settings)
    assert not unknown.known and unknown.to_dict()["attributes"] == {"plan": None, "tier": None}
    assert [v for _, v in card_rows(unknown.to_dict(), settings.attributes)][1:-1] == ["unknown"] + ["NULL"] * 5
