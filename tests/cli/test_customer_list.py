"""`cctx customer list`: filters, order, limit, and the card shape of each row."""

from __future__ import annotations

import pytest

from tests.conftest import Cli


def ids(cli: Cli, *args: str) -> list[int]:
    return [card["customer_id"] for card in cli.json("customer", "list", *args)]


def test_all_people_as_cards_in_id_order(demo_cli: Cli) -> None:
    cards = demo_cli.json("customer", "list")
    assert [c["customer_id"] for c in cards] == list(range(1, 14))
    assert all(c["known"] for c in cards)
    assert cards[0] == demo_cli.json("customer", "show", "1")
    assert cards[2]["name"] == "nabava@babic-doo.hr"  # no first name: the first destination


@pytest.mark.parametrize(("args", "expected"), [
    (["--tag", "vip"], [1, 6, 12]),
    (["--tag", "b2b"], [3, 6, 10]),
    (["--tag", "nobody"], []),
    (["--search", "zagreb"], [1, 12, 13]),
    (["--search", "ZAGREB"], [1, 12, 13]),
    (["--search", "KOVAČ"], [2]),              # case-insensitive beyond ASCII
    (["--search", "müller"], [8]),
    (["--search", "maja horvat"], [1]),        # the full name
    (["--search", "slovenia"], [6]),           # country
    (["--search", "babic-doo"], [3]),          # a destination value
    (["--search", "+3859"], [1, 2, 3, 4, 7]),  # part of a phone number
    (["--search", "%"], []),                   # LIKE wildcards are plain text
    (["--search", "_"], []),                   # (would match everything as a wildcard)
    (["--tag", "vip", "--search", "zagreb"], [1, 12]),
    (["--search", "croatia", "--limit", "2"], [1, 2]),
    (["--limit", "1"], [1]),
])
def test_filters(demo_cli: Cli, args: list[str], expected: list[int]) -> None:
    assert ids(demo_cli, *args) == expected


def test_limit_must_be_positive(demo_cli: Cli) -> None:
    demo_cli.fail("customer", "list", "--limit", "0", code=2)


def test_table_and_empty_output(demo_cli: Cli, empty_cli: Cli) -> None:
    table = demo_cli.ok("customer", "list", "--tag", "b2b").stdout.splitlines()
    assert table[0].split() == ["id", "name", "gender", "city", "country", "destinations", "tags", "open", "closed"]
    assert len(table) == 2 + 3 and "Matej Novak" in table[3]
    assert demo_cli.ok("customer", "list", "--tag", "nobody").stdout == "No customers\n"
    assert demo_cli.json("customer", "list", "--tag", "nobody") == []


def test_csv_output_has_one_row_per_card(demo_cli: Cli) -> None:
    lines = demo_cli.ok("customer", "list", "--tag", "vip", "-f", "csv").stdout.splitlines()
    assert lines[0].startswith("customer_id,known,name,") and len(lines) == 4


def test_a_tag_filter_is_trimmed_as_tags_are_when_stored(demo_cli: Cli) -> None:
    plain = [c["customer_id"] for c in demo_cli.json("customer", "list", "--tag", "vip")]
    assert plain and [c["customer_id"] for c in demo_cli.json("customer", "list", "--tag", " vip ")] == plain


def test_search_finds_a_phone_written_with_spaces(demo_cli: Cli) -> None:
    found = demo_cli.json("customer", "list", "--search", "+385 91 123-45")
    assert [card["customer_id"] for card in found] == [1]
