"""`cctx customer create|update|tag|untag|destination add|remove`: auto-link and the card, one owner per
destination, and an audit record for every change (none for a no-op)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, Cli, query, table_counts, write

SMALL = """
people:
  - {id: 1, first_name: Maja, last_name: Horvat, city: Zagreb, attributes: {plan: gold},
     tags: [vip], destinations: [{type: phone, value: "+385911234567"}]}
  - {id: 2, last_name: Babić}
conversations:
  - {id: 10, channel: whatsapp, contact: "+385915550000", status: open, created_at: 2026-11-01T09:00:00Z}
  - {id: 11, channel: voice, contact: "+385915550000", status: closed, created_at: 2026-11-02T09:00:00Z,
     closed_at: 2026-11-02T09:10:00Z}
  - {id: 12, channel: sms, contact: "+385915550000", customer: null, status: open, created_at: 2026-11-03T09:00:00Z}
  - {id: 13, channel: telegram, contact: "+385915550000", status: open, created_at: 2026-11-04T09:00:00Z}
  - {id: 14, channel: telegram, contact: "5550000", status: open, created_at: 2026-11-05T09:00:00Z}
  - {id: 15, channel: whatsapp, contact: "+385911234567", status: open, created_at: 2026-11-06T09:00:00Z}
"""


@pytest.fixture
def small_cli(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "small.yaml", SMALL)))
    return empty_cli


def audits(db: Path, action: str | None = None) -> list[dict[str, Any]]:
    rows = query(db, "SELECT actor, action, subject, details FROM audit ORDER BY id")
    found = [{"actor": r[0], "action": r[1], "subject": json.loads(r[2]), "details": json.loads(r[3])} for r in rows]
    assert all(a["details"].pop("as_of") == NOW for a in found)  # the fixed clock of the run
    return [a for a in found if action is None or a["action"] == action]


def links(db: Path) -> dict[int, int | None]:
    return dict(query(db, "SELECT id, person_id FROM conversations ORDER BY id"))


# --- create ---------------------------------------------------------------------------------------


def test_create_needs_a_name_or_a_destination(small_cli: Cli) -> None:
    before = table_counts(small_cli.db)
    result = small_cli.fail("customer", "create", "--city", "Split", "--tag", "x", "--set", "plan=gold")
    assert "at least a name" in result.stderr
    assert table_counts(small_cli.db) == before
    assert small_cli.json("customer", "create", "--last-name", "Perić")["name"] == "Perić"
    assert small_cli.json("customer", "create", "--destination", "email:Someone@Example.com")["name"] == (
        "someone@example.com")


def test_create_stores_everything_and_autolinks_rule_1(small_cli: Cli) -> None:
    card = small_cli.json(
        "--actor", "ivana", "customer", "create", "--first-name", " Ana ", "--last-name", "Kos", "--gender", "female",
        "--city", "Zadar", "--country", "Croatia", "--destination", "+385 91 555-0000",
        "--destination", "telegram:5550000", "--destination", "+385915550000", "--tag", "vip", "--tag", "b2b",
        "--tag", "vip", "--set", "plan=silver", "--set", "language = hr",
    )
    assert card["customer_id"] == 3 and card["known"] is True and card["name"] == "Ana Kos"
    assert (card["gender"], card["city"], card["country"]) == ("female", "Zadar", "Croatia")
    assert card["destinations"] == [{"type": "phone", "value": "+385915550000"},
                                    {"type": "telegram", "value": "5550000"}]
    assert card["tags"] == ["b2b", "vip"]
    # 10 and 11 (phone) and 14 (telegram) are linked; 12 was explicitly unlinked; 13 is a phone
    # number seen on telegram: another destination type
    assert card["conversations"] == {"open": 2, "closed": 1}
    assert links(small_cli.db) == {10: 3, 11: 3, 12: None, 13: None, 14: 3, 15: 1}
    assert json.loads(query(small_cli.db, "SELECT attributes FROM people WHERE id = 3")[0][0]) == {
        "language": "hr", "plan": "silver"}
    [record] = audits(small_cli.db, "customer.create")
    assert record["actor"] == "ivana" and record["subject"] == [3]
    assert record["details"]["autolinked"] == [10, 11, 14] and record["details"]["autolinked_count"] == 3
    assert record["details"]["fields"]["first_name"] == "Ana" and record["details"]["tags"] == ["b2b", "vip"]
    # the stored "talking with" stays until the card is expanded (the display-name rule)
    assert query(small_cli.db, "SELECT display_name FROM conversations WHERE id = 10") == [("+385915550000",)]


def test_a_destination_owned_by_someone_else_is_refused_naming_the_owner(small_cli: Cli) -> None:
    before = table_counts(small_cli.db)
    result = small_cli.fail("customer", "create", "--first-name", "Ivo", "--destination", "+385 91 123 4567")
    assert "+385911234567" in result.stderr and "customer 1 (Maja Horvat)" in result.stderr
    assert table_counts(small_cli.db) == before
    result = small_cli.fail("customer", "update", "2", "--city", "Rijeka", "--destination", "+385911234567")
    assert "customer 1 (Maja Horvat)" in result.stderr
    assert query(small_cli.db, "SELECT city FROM people WHERE id = 2") == [(None,)]  # all or nothing
    result = small_cli.fail("customer", "destination", "add", "2", "+385911234567")
    assert "customer 1 (Maja Horvat)" in result.stderr
    assert table_counts(small_cli.db) == before


@pytest.mark.parametrize("args", [
    ["--first-name", "A", "--destination", "nonsense"],
    ["--first-name", "A", "--destination", "42"],
    ["--first-name", "A", "--destination", "pigeon:1"],
    ["--first-name", "A", "--set", "plan"],
    ["--first-name", "A", "--set", "=gold"],
    ["--first-name", "A", "--set", "city=Split"],
    ["--first-name", "  "],
    ["--first-name", "A", "--tag", ""],
])
def test_create_refuses_bad_input(small_cli: Cli, args: list[str]) -> None:
    before = table_counts(small_cli.db)
    small_cli.fail("customer", "create", *args)
    assert table_counts(small_cli.db) == before


# --- update ---------------------------------------------------------------------------------------


def test_update_sets_and_unsets_fields_and_attributes(small_cli: Cli) -> None:
    card = small_cli.json("customer", "update", "1", "--city", "Split", "--set", "language=hr", "--unset", "plan",
                          "--unset", "last_name", "--unset", "not-there", "--tag", "new")
    assert card["city"] == "Split" and card["last_name"] is None and card["name"] == "Maja"
    assert card["tags"] == ["new", "vip"]
    assert json.loads(query(small_cli.db, "SELECT attributes FROM people WHERE id = 1")[0][0]) == {"language": "hr"}
    [record] = audits(small_cli.db, "customer.update")
    assert record["subject"] == [1] and record["actor"] == "tester"
    assert record["details"]["before"] == {"city": "Zagreb", "last_name": "Horvat",
                                           "attributes": {"language": None, "plan": "gold"}}
    assert record["details"]["after"] == {"city": "Split", "last_name": None,
                                          "attributes": {"language": "hr", "plan": None}}
    assert record["details"]["tags_added"] == ["new"]


def test_update_with_a_destination_autolinks_and_counts(small_cli: Cli) -> None:
    card = small_cli.json("customer", "update", "2", "--destination", "+385915550000")
    assert card["destinations"] == [{"type": "phone", "value": "+385915550000"}]
    assert links(small_cli.db)[10] == 2 and links(small_cli.db)[12] is None
    [record] = audits(small_cli.db, "customer.update")
    assert record["details"]["destinations_added"] == [{"type": "phone", "value": "+385915550000"}]
    assert record["details"]["autolinked"] == [10, 11] and record["details"]["autolinked_count"] == 2


def test_update_that_changes_nothing_writes_no_record(small_cli: Cli) -> None:
    before = audits(small_cli.db)
    card = small_cli.json("customer", "update", "1", "--city", "Zagreb", "--set", "plan=gold", "--tag", "vip",
                          "--destination", "+385911234567", "--unset", "gender")
    assert card["city"] == "Zagreb"
    assert audits(small_cli.db) == before
    updated = query(small_cli.db, "SELECT updated_at FROM people WHERE id = 1")
    assert updated == query(small_cli.db, "SELECT created_at FROM people WHERE id = 1")


def test_update_errors(small_cli: Cli) -> None:
    assert "customer 99 not found" in small_cli.fail("customer", "update", "99", "--city", "X").stderr
    small_cli.fail("customer", "update", "1", code=2)  # nothing to change
    small_cli.fail("customer", "update", "x", "--city", "X", code=2)
    assert "also sets" in small_cli.fail("customer", "update", "1", "--city", "X", "--unset", "city").stderr
    assert "also sets" in small_cli.fail("customer", "update", "1", "--set", "a=1", "--unset", "a").stderr
    assert audits(small_cli.db, "customer.update") == []


# --- tags -----------------------------------------------------------------------------------------


def test_tag_and_untag_are_audited_and_idempotent(small_cli: Cli) -> None:
    card = small_cli.json("customer", "tag", "1", "b2b", "vip", "churn-risk")
    assert card["tags"] == ["b2b", "churn-risk", "vip"]
    [record] = audits(small_cli.db, "customer.tag")
    assert record["details"]["added"] == ["b2b", "churn-risk"] and record["subject"] == [1]
    assert record["details"]["before"] == ["vip"] and record["details"]["after"] == ["b2b", "churn-risk", "vip"]
    small_cli.ok("customer", "tag", "1", "vip")
    assert len(audits(small_cli.db, "customer.tag")) == 1
    card = small_cli.json("customer", "untag", "1", "vip", "never-had")
    assert card["tags"] == ["b2b", "churn-risk"]
    [record] = audits(small_cli.db, "customer.untag")
    assert record["details"]["removed"] == ["vip"]
    small_cli.ok("customer", "untag", "1", "vip")
    assert len(audits(small_cli.db, "customer.untag")) == 1
    assert "customer 42 not found" in small_cli.fail("customer", "tag", "42", "vip").stderr
    small_cli.fail("customer", "tag", "1", code=2)


# --- destinations ---------------------------------------------------------------------------------


def test_destination_add_links_the_unlinked_but_not_the_explicitly_unlinked(small_cli: Cli) -> None:
    card = small_cli.json("customer", "destination", "add", "2", "+385 91 555 0000")
    assert card["destinations"] == [{"type": "phone", "value": "+385915550000"}]
    assert card["conversations"] == {"open": 1, "closed": 1}
    assert links(small_cli.db) == {10: 2, 11: 2, 12: None, 13: None, 14: None, 15: 1}
    [record] = audits(small_cli.db, "destination.add")
    assert record["subject"] == [2]
    assert record["details"] == {"destination": {"type": "phone", "value": "+385915550000"},
                                 "autolinked": [10, 11], "autolinked_count": 2,
                                 "updated_at_before": "2026-11-25T12:00:00Z"}
    # adding it again is a no-op
    small_cli.ok("customer", "destination", "add", "2", "+385915550000")
    assert len(audits(small_cli.db, "destination.add")) == 1


def test_destination_remove_allows_the_last_and_keeps_links(small_cli: Cli) -> None:
    card = small_cli.json("customer", "destination", "remove", "1", "phone:+385 91 123 4567")
    assert card["destinations"] == [] and card["known"] is True and card["name"] == "Maja Horvat"
    assert links(small_cli.db)[15] == 1  # the conversation stays linked
    [record] = audits(small_cli.db, "destination.remove")
    assert record["details"] == {"destination": {"type": "phone", "value": "+385911234567"}, "destination_id": 1,
                                 "updated_at_before": "2026-11-25T12:00:00Z"}
    # not held by anyone: nothing to do, no record
    small_cli.ok("customer", "destination", "remove", "1", "+385911234567")
    assert len(audits(small_cli.db, "destination.remove")) == 1
    # the freed destination can go to someone else, and then cannot be removed from customer 1
    small_cli.ok("customer", "destination", "add", "2", "+385911234567")
    result = small_cli.fail("customer", "destination", "remove", "1", "+385911234567")
    assert "customer 2" in result.stderr
    assert query(small_cli.db, "SELECT person_id FROM destinations") == [(2,)]


def test_destination_errors(small_cli: Cli) -> None:
    assert "customer 9 not found" in small_cli.fail("customer", "destination", "add", "9", "+385915550000").stderr
    assert "person id" in small_cli.fail("customer", "destination", "add", "1", "2").stderr
    small_cli.fail("customer", "destination", "add", "1", "nonsense")
    small_cli.fail("customer", "destination", "add", "1", code=2)
    assert audits(small_cli.db, "destination.add") == []


def test_demo_edits_through_the_demo_world(demo_cli: Cli) -> None:
    # Hans's phone conversation 139 was explicitly unlinked: giving his phone to someone new is refused,
    # and a new person with a fresh destination links nothing
    assert "customer 8 (Hans Müller)" in demo_cli.fail("customer", "create", "--destination",
                                                       "+4366412345678").stderr
    card = demo_cli.json("customer", "create", "--first-name", "Tea", "--destination", "telegram:99887766")
    assert card["conversations"] == {"open": 0, "closed": 1}  # 161, an unknown telegram contact
    assert audits(demo_cli.db, "customer.create")[-1]["details"]["autolinked"] == [161]


def test_an_empty_tag_is_refused_without_a_misleading_hint(small_cli: Cli) -> None:
    result = small_cli.fail("customer", "tag", "1", " ")
    assert result.stderr == "Error: a tag cannot be empty\n"


def test_unset_takes_a_field_in_its_option_spelling_too(small_cli: Cli) -> None:
    card = small_cli.json("customer", "update", "1", "--unset", "last-name")
    assert card["last_name"] is None and card["name"] == "Maja"


def test_an_empty_custom_attribute_is_refused(demo_cli: Cli) -> None:
    before = query(demo_cli.db, "SELECT attributes FROM people WHERE id = 1")
    result = demo_cli.fail("customer", "update", "1", "--set", "plan= ")
    assert "--set plan cannot be empty (use --unset plan to remove it)" in result.stderr
    assert query(demo_cli.db, "SELECT attributes FROM people WHERE id = 1") == before
    assert '"plan": "gold"' in before[0][0]
