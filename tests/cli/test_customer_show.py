"""`cctx customer show`: references, known and unknown cards, names, selected attributes, counts and the
"talking with" refresh that only the expanded card does."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, Cli, query, write

CARD_KEYS = [
    "customer_id", "known", "name", "first_name", "last_name", "gender", "city", "country",
    "attributes", "destinations", "tags", "conversations",
]
POSTS = {"facebook_posts", "instagram_posts", "google_play_reviews"}


def expected_counts(db: Path, where: str, params: tuple[Any, ...], keep_days: int | None = None) -> dict[str, int]:
    """What an admin's history would list, worked out here independently of cctx."""
    horizon = None
    if keep_days is not None:
        now = datetime.fromisoformat(NOW.replace("Z", "+00:00"))
        horizon = (now - timedelta(days=keep_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    counts = {"open": 0, "closed": 0}
    for channel, status, closed_at in query(db, f"SELECT channel, status, closed_at FROM conversations WHERE {where}",
                                            params):
        if channel in POSTS or status == "merged":
            continue
        if status == "closed" and horizon is not None and closed_at < horizon:
            continue
        counts["closed" if status == "closed" else "open"] += 1
    return counts


@pytest.mark.parametrize("ref", ["1", "+385911234567", "+385 91 123-4567", "+385 (91) 123 4567",
                                 "telegram:48151623", "email:Maja.Horvat@Example.COM", "inapp:app-user-1001"])
def test_every_reference_form_finds_the_owner(demo_cli: Cli, ref: str) -> None:
    card = demo_cli.json("customer", "show", ref)
    assert list(card) == CARD_KEYS
    assert card["customer_id"] == 1 and card["known"] is True and card["name"] == "Maja Horvat"
    assert (card["first_name"], card["last_name"], card["gender"], card["city"], card["country"]) == (
        "Maja", "Horvat", "female", "Zagreb", "Croatia")
    assert card["attributes"] == {}  # the default selection holds no custom attribute
    assert card["destinations"][0] == {"type": "phone", "value": "+385911234567"}
    assert len(card["destinations"]) == 7 and card["tags"] == ["vip"]


@pytest.mark.parametrize("ref", ["nonsense", "pigeon:123", "+12", "+385 91 abc", "telegram:", "-5", "1.5",
                                 "phone:12345678901234567890", "'; DROP TABLE people; --"])
def test_a_bad_reference_is_a_clear_error(demo_cli: Cli, ref: str) -> None:
    result = demo_cli.fail("customer", "show", "--", ref)
    assert "SQL" not in result.stderr and "database error" not in result.stderr


def test_a_missing_person_id_is_exit_1(demo_cli: Cli) -> None:
    result = demo_cli.fail("customer", "show", "999")
    assert "customer 999 not found" in result.stderr


def test_usage_needs_exactly_one_of_ref_and_conversation(demo_cli: Cli) -> None:
    demo_cli.fail("customer", "show", code=2)
    demo_cli.fail("customer", "show", "1", "--conversation", "112", code=2)
    demo_cli.fail("customer", "show", "--conversation", "abc", code=2)
    assert "conversation 999 not found" in demo_cli.fail("customer", "show", "--conversation", "999").stderr


def test_an_unowned_destination_gives_the_unknown_card(demo_cli: Cli) -> None:
    card = demo_cli.json("customer", "show", "+385 98 111 2233")
    assert card == {
        "customer_id": None, "known": False, "name": "+385981112233",
        "first_name": None, "last_name": None, "gender": None, "city": None, "country": None,
        "attributes": {}, "destinations": [], "tags": [],
        "conversations": {"open": 2, "closed": 2},  # 156, 157 open; 158, 159 closed
    }
    table = demo_cli.ok("customer", "show", "+385981112233").stdout
    lines = dict(line.split(None, 1) for line in table.splitlines())
    assert lines["name"].strip() == "+385981112233" and lines["customer"].strip() == "unknown"
    for row in ("gender", "city", "country", "destinations", "tags"):
        assert lines[row].strip() == "NULL", row


def test_an_unowned_destination_without_conversations_is_still_a_card(demo_cli: Cli) -> None:
    card = demo_cli.json("customer", "show", "telegram:00000001")
    assert card["known"] is False and card["name"] == "00000001"
    assert card["conversations"] == {"open": 0, "closed": 0}


def test_a_person_without_first_name_is_named_by_contact_then_first_destination(demo_cli: Cli) -> None:
    # person 3 (last name Babić only): by the first destination, or by the conversation's contact
    assert demo_cli.json("customer", "show", "3")["name"] == "nabava@babic-doo.hr"
    assert demo_cli.json("customer", "show", "--conversation", "120")["name"] == "racunovodstvo@babic-doo.hr"
    assert demo_cli.json("customer", "show", "--conversation", "122")["name"] == "+385981234001"
    # person 4 (no name at all)
    assert demo_cli.json("customer", "show", "4")["name"] == "+385955550123"
    assert demo_cli.json("customer", "show", "--conversation", "124")["name"] == "17841400000000004"
    # without destinations: the last name, then #ID
    for ref in ("nabava@babic-doo.hr", "+385981234001"):
        demo_cli.ok("customer", "destination", "remove", "3", f"email:{ref}" if "@" in ref else ref)
    assert demo_cli.json("customer", "show", "3")["name"] == "Babić"
    demo_cli.ok("customer", "destination", "remove", "4", "+385955550123")
    demo_cli.ok("customer", "destination", "remove", "4", "instagram:17841400000000004")
    card = demo_cli.json("customer", "show", "4")
    assert card["name"] == "#4" and card["known"] is True and card["destinations"] == []


def test_selected_attributes_come_from_the_config(demo_cli: Cli, tmp_path: Path) -> None:
    cfg = write(tmp_path / "card.yaml", "card:\n  attributes: [gender, plan, vip_since, company]\n")
    card = demo_cli.json("--config", str(cfg), "customer", "show", "1")
    assert card["attributes"] == {"plan": "gold", "vip_since": "2024-03-01", "company": None}
    assert card["city"] == "Zagreb"  # JSON always carries the five fields
    table = demo_cli.ok("--config", str(cfg), "customer", "show", "1").stdout
    labels = [line.split()[0] for line in table.splitlines() if line.strip() and not line.startswith(" ")]
    assert labels == ["name", "customer", "gender", "plan", "vip_since", "company", "destinations", "tags",
                      "conversations"]
    assert "Zagreb" not in table and "gold" in table and "company        NULL" in table
    unknown = demo_cli.json("--config", str(cfg), "customer", "show", "email:info@primjer-trgovina.hr")
    assert unknown["attributes"] == {"plan": None, "vip_since": None, "company": None}
    # the environment variable works the same way
    assert demo_cli.json("customer", "show", "6", env={"CCTX_CONFIG": str(cfg)})["attributes"]["company"] == (
        "Novak Logistika d.o.o.")


def test_table_card_reads_like_the_panel(demo_cli: Cli) -> None:
    table = demo_cli.ok("customer", "show", "6").stdout
    assert table.splitlines()[0].split(None, 1) == ["name", "Matej Novak"]
    assert "known (#6)" in table and "phone:+38640123456" in table and "b2b" in table
    assert "conversations  3 open, 1 closed" in table


def test_counts_agree_with_the_history_rules(demo_cli: Cli, tmp_path: Path) -> None:
    db = demo_cli.db
    for person in range(1, 14):
        card = demo_cli.json("customer", "show", str(person))
        assert card["conversations"] == expected_counts(db, "person_id = ?", (person,)), person
    # Maja: 113 (instagram_posts) is not counted, 171 (her phone, explicitly unlinked) is not hers
    assert demo_cli.json("customer", "show", "1")["conversations"] == {"open": 4, "closed": 10}
    # Nikolina: two posts conversations are left out
    assert demo_cli.json("customer", "show", "5")["conversations"] == {"open": 1, "closed": 1}
    # retention hides expired conversations before any purge
    cfg = write(tmp_path / "keep.yaml", "retention:\n  default_days: 365\n  channels: {voice: 30}\n")
    card = demo_cli.json("--config", str(cfg), "customer", "show", "1")
    full = expected_counts(db, "person_id = 1", ())
    assert card["conversations"]["open"] == full["open"] and card["conversations"]["closed"] < full["closed"]
    voice_kept = "NOT (channel = 'voice' AND coalesce(closed_at, 'z') < '2026-10-26T12:00:00Z')"
    assert card["conversations"] == expected_counts(db, f"person_id = 1 AND {voice_kept}", (), keep_days=365)


def test_a_tombstone_is_not_counted(demo_cli: Cli) -> None:
    before = demo_cli.json("customer", "show", "2")["conversations"]
    query_write(demo_cli.db, "UPDATE conversations SET status = 'merged', merged_into = 115, "
                             "merged_at = '2026-11-20T00:00:00Z' WHERE id = 116")
    after = demo_cli.json("customer", "show", "2")["conversations"]
    assert after == {"open": before["open"] - 1, "closed": before["closed"]}


def query_write(db: Path | str, sql: str) -> None:
    query(db, sql)


def stored_name(db: Path, conversation: int) -> str:
    return query(db, "SELECT display_name FROM conversations WHERE id = ?", (conversation,))[0][0]


def test_talking_with_is_refreshed_only_when_the_card_is_expanded(demo_cli: Cli) -> None:
    db = demo_cli.db
    audit_before = query(db, "SELECT count(*) FROM audit")[0][0]
    assert stored_name(db, 112) == "Maja Horvat"
    demo_cli.ok("customer", "update", "1", "--first-name", "Marija", "--last-name", "Horvat-Kos")
    # the edit does not touch stored names; neither do other reads
    assert stored_name(db, 112) == "Maja Horvat"
    assert demo_cli.json("customer", "show", "1")["name"] == "Marija Horvat-Kos"
    demo_cli.ok("customer", "list")
    assert stored_name(db, 112) == "Maja Horvat"
    # expanding the card refreshes it
    card = demo_cli.json("customer", "show", "--conversation", "112")
    assert card["conversation_id"] == 112 and card["customer_id"] == 1
    assert card["talking_with"] == "Marija Horvat-Kos" and card["display_name_refreshed"] is True
    assert card["name"] == "Marija Horvat-Kos"
    assert stored_name(db, 112) == "Marija Horvat-Kos"
    assert stored_name(db, 109) == "Maja Horvat"  # only that conversation
    # expanding again reports no refresh
    again = demo_cli.json("customer", "show", "--conversation", "112")
    assert again["talking_with"] == "Marija Horvat-Kos" and again["display_name_refreshed"] is False
    # the table says so too
    first = demo_cli.ok("customer", "show", "--conversation", "109").stdout
    assert "talking with   Marija Horvat-Kos (refreshed)" in first
    assert "(refreshed)" not in demo_cli.ok("customer", "show", "--conversation", "109").stdout
    # one audit record, for the update; the refresh writes none
    assert query(db, "SELECT count(*) FROM audit")[0][0] == audit_before + 1


def test_a_link_by_new_destination_keeps_the_old_name_until_expanded(demo_cli: Cli) -> None:
    db = demo_cli.db
    assert stored_name(db, 156) == "+385981112233"
    demo_cli.ok("customer", "create", "--first-name", "Ana", "--last-name", "Kos", "--destination", "+385981112233")
    assert stored_name(db, 156) == "+385981112233"
    card = demo_cli.json("customer", "show", "--conversation", "156")
    assert card["known"] is True and card["talking_with"] == "Ana Kos" and card["display_name_refreshed"] is True
    assert stored_name(db, 156) == "Ana Kos" and stored_name(db, 157) == "+385981112233"


def test_the_card_of_an_unlinked_conversation_is_unknown(demo_cli: Cli) -> None:
    # 171 is on Maja's phone but explicitly unlinked: its customer is unknown
    card = demo_cli.json("customer", "show", "--conversation", "171")
    assert card["known"] is False and card["customer_id"] is None and card["name"] == "+385911234567"
    assert card["conversations"] == {"open": 0, "closed": 1}
    assert card["talking_with"] == "+385911234567" and card["display_name_refreshed"] is False
    table = demo_cli.ok("customer", "show", "--conversation", "171").stdout
    assert "unknown" in table and "gender         NULL" in table


def test_unlinking_shows_the_contact_after_expansion(demo_cli: Cli) -> None:
    query_write(demo_cli.db, "UPDATE conversations SET person_id = NULL, unlinked_explicitly = 1 WHERE id = 112")
    assert stored_name(demo_cli.db, 112) == "Maja Horvat"
    card = demo_cli.json("customer", "show", "--conversation", "112")
    assert card["talking_with"] == "+385911234567" and card["display_name_refreshed"] is True


@pytest.mark.parametrize("keep", [False, True])
def test_counts_agree_with_history_show(demo_cli: Cli, tmp_path: Path, keep: bool) -> None:
    cfg = write(tmp_path / "keep.yaml", "retention:\n  default_days: 365\n  channels: {voice: 30}\n" if keep else "")
    refs = [str(n) for n in range(1, 14)] + [
        "+385981112233", "email:info@primjer-trgovina.hr", "telegram:99887766", "livechat:lc-anon-0b19d4",
        "+385911234567", "google_play:gp-reviewer-5513",
    ]
    for ref in refs:
        listed = demo_cli.json("--config", str(cfg), "history", "show", ref)
        card = demo_cli.json("--config", str(cfg), "customer", "show", ref)
        assert card["conversations"] == {
            "open": sum(c["status"] != "closed" for c in listed),
            "closed": sum(c["status"] == "closed" for c in listed),
        }, ref


@pytest.mark.parametrize("args", [
    ["customer", "show", "99999999999999999999999"],
    ["customer", "show", "²"],
    ["customer", "show", "--conversation", "99999999999999999999999"],
    ["customer", "tag", "99999999999999999999999", "vip"],
    ["customer", "update", "99999999999999999999999", "--city", "X"],
    ["customer", "destination", "add", "99999999999999999999999", "+385911234500"],
])
def test_impossible_ids_are_errors_not_crashes(demo_cli: Cli, args: list[str]) -> None:
    demo_cli.fail(*args)
