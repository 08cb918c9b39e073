"""`cctx customer merge`: one customer, one profile. Destinations, tags, attributes, basic fields,
linked conversations and holds come together; the display-name rule and explicit-unlink marks hold;
merged-away ids keep working (with a note), through chains; refusals change nothing; one audit record
holds each source's whole profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, write

WORLD = """
queues:
  - name: billing
agents:
  - {name: ana, queues: [billing]}
people:
  - {id: 7, first_name: Maja, last_name: Horvat, city: Zagreb, attributes: {plan: gold}, tags: [vip],
     destinations: [{type: phone, value: "+385911234567"}]}
  - {id: 12, first_name: maja, last_name: HORVAT, gender: female, city: Split,
     attributes: {plan: free, language: hr, customer_number: "C-1"}, tags: [b2b, vip],
     destinations: [{type: email, value: "maja@example.com"}, {type: telegram, value: "48151623"}]}
  - {id: 15, last_name: Horvat, country: Croatia, attributes: {language: en, segment: smb}, tags: [beta],
     destinations: [{type: phone, value: "+385981112233"}]}
  - {id: 20, first_name: Ivo, last_name: Kos}
conversations:
  - {id: 100, channel: whatsapp, contact: "+385911234567", status: open, created_at: 2026-11-01T09:00:00Z}
  - {id: 101, channel: email, contact: "maja@example.com", status: closed, created_at: 2026-11-02T09:00:00Z,
     closed_at: 2026-11-02T10:00:00Z, queue: billing, items: [{at: 2026-11-02T09:00:00Z, kind: message,
     author: customer, text: "Hi"}]}
  - {id: 102, channel: telegram, contact: "48151623", status: waiting, created_at: 2026-11-03T09:00:00Z}
  - {id: 103, channel: voice, contact: "+385981112233", status: closed, created_at: 2026-11-04T09:00:00Z,
     closed_at: 2026-11-04T09:05:00Z}
  - {id: 104, channel: sms, contact: "+385981112233", customer: null, status: open, created_at: 2026-11-05T09:00:00Z}
  - {id: 105, channel: livechat, contact: "visitor-1", customer: 12, status: open, created_at: 2026-11-06T09:00:00Z}
  - {id: 106, channel: whatsapp, contact: "+385915550000", customer: 20, status: open,
     created_at: 2026-11-07T09:00:00Z}
"""

ALL_STATUSES = ("--status", "open", "--status", "waiting", "--status", "solved", "--status", "closed",
                "--status", "merged")


@pytest.fixture
def world(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    return empty_cli


def snapshot(cli: Cli) -> dict[str, Any]:
    """Everything a merge may touch, read through the CLI: stats, every card, every conversation, the
    audit log and the holds."""
    stats = cli.json("db", "stats")
    return {
        "stats": {k: v for k, v in stats.items() if "bytes" not in k and "size" not in k},
        "cards": cli.json("customer", "list"),
        "conversations": cli.json("conversation", "list", *ALL_STATUSES),
        "audit": len(cli.json("audit", "list")),
        "holds": cli.json("hold", "list", "--all"),
    }


def test_merge_brings_the_profiles_together(world: Cli) -> None:
    result = world.json("customer", "merge", "7", "12", "15")
    assert result == {
        "target": 7,
        "merged": [12, 15],
        "conversations_moved": 4,
        "destinations_moved": 3,
        "tags_added": ["b2b", "beta"],
        "attributes_added": ["customer_number", "language", "segment"],
        "fields_filled": ["gender", "country"],
        "dry_run": False,
    }
    card = world.json("customer", "show", "7")
    assert (card["first_name"], card["last_name"], card["gender"], card["city"], card["country"]) == (
        "Maja", "Horvat", "female", "Zagreb", "Croatia")  # the target's own values win, nulls filled
    assert sorted((d["type"], d["value"]) for d in card["destinations"]) == [
        ("email", "maja@example.com"), ("phone", "+385911234567"), ("phone", "+385981112233"),
        ("telegram", "48151623")]
    assert card["tags"] == ["b2b", "beta", "vip"]
    config = write(Path("cctx.yaml"), "card:\n  attributes: [plan, language, customer_number, segment]\n")
    attributes = world.json("customer", "show", "7", env={"CCTX_CONFIG": str(config)})["attributes"]
    # target wins (plan gold), then the first source given (language hr from 12, not en from 15)
    assert attributes == {"plan": "gold", "language": "hr", "customer_number": "C-1", "segment": "smb"}


def test_conversations_follow_with_names_and_unlink_marks_unchanged(world: Cli) -> None:
    before = {c["id"]: c for c in world.json("conversation", "list", *ALL_STATUSES)}
    world.ok("customer", "merge", "7", "12", "15")
    after = {c["id"]: c for c in world.json("conversation", "list", *ALL_STATUSES)}
    assert {i: c["customer_id"] for i, c in after.items()} == {
        100: 7, 101: 7, 102: 7, 103: 7, 104: None, 105: 7, 106: 20}
    # the display-name rule: linking through a merge does not change a stored "talking with"
    assert {i: c["talking_with"] for i, c in after.items()} == {i: c["talking_with"] for i, c in before.items()}
    assert after[103]["talking_with"] == "+385981112233"
    # 104 was explicitly unlinked (customer: null): its contact now belongs to 7, and it stays unlinked
    assert world.json("conversation", "show", "104")["customer_id"] is None
    world.ok("customer", "destination", "remove", "7", "+385981112233")
    world.ok("customer", "destination", "add", "7", "+385981112233")
    assert world.json("conversation", "show", "104")["customer_id"] is None


def test_the_card_counts_equal_the_history_after_a_merge(world: Cli) -> None:
    world.ok("customer", "merge", "7", "12", "15")
    card = world.json("customer", "show", "7")
    history = world.json("history", "show", "7")
    closed = sum(1 for c in history if c["status"] == "closed")
    assert card["conversations"] == {"open": len(history) - closed, "closed": closed}
    assert sorted(c["id"] for c in history) == [100, 101, 102, 103, 105]


def test_merged_away_ids_name_their_target_with_a_note(world: Cli) -> None:
    world.ok("customer", "merge", "7", "12")
    result = world.ok("customer", "show", "12", "-f", "json")
    assert result.stderr == "Note: person 12 was merged into 7\n"
    assert '"customer_id": 7' in result.stdout
    tagged = world.run("customer", "tag", "12", "loyal", "-f", "json")
    assert tagged.exit_code == 0 and "Note: person 12 was merged into 7" in tagged.stderr
    assert "loyal" in world.json("customer", "show", "7")["tags"]
    assert [c["id"] for c in world.json("history", "show", "12")] == [100, 101, 102, 105]
    assert world.json("conversation", "link", "106", "12")["customer"] == 7
    # a chain: 7 into 20, so 12 -> 7 -> 20 names 20
    world.ok("customer", "merge", "20", "7")
    chained = world.ok("customer", "show", "12", "-f", "json")
    assert chained.stderr == "Note: person 12 was merged into 20\n"
    assert '"customer_id": 20' in chained.stdout
    assert world.json("customer", "merge", "20", "15")["merged"] == [15]
    # a merged-away id given as a source names its target; that target is the merge's own target
    refused = world.run("customer", "merge", "20", "12")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[:3] == [
        "Note: person 12 was merged into 20",
        "Error: customer merge refused, nothing changed: 1 problem",
        "  customer 12 is already merged into 20",
    ]


def test_dry_run_reports_the_same_and_writes_nothing(world: Cli) -> None:
    before = snapshot(world)
    planned = world.json("customer", "merge", "7", "12", "15", "--dry-run")
    assert snapshot(world) == before
    done = world.json("customer", "merge", "7", "12", "15")
    assert planned == {**done, "dry_run": True}


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("7", "99"), "customer 99 not found"),
        (("99", "7"), "customer 99 not found"),
        (("7", "7"), "customer 7 cannot be merged into itself"),
        (("7", "12", "12"), "customer 12 is given twice"),
        (("7", "12", "15", "7"), "customer 7 cannot be merged into itself"),
    ],
)
def test_refusals_change_nothing(world: Cli, args: tuple[str, ...], problem: str) -> None:
    before = snapshot(world)
    result = world.fail("customer", "merge", *args)
    assert problem in result.stderr
    assert "nothing changed" in result.stderr
    assert snapshot(world) == before
    world.fail("customer", "merge", *args, "--dry-run")
    assert snapshot(world) == before


def test_an_id_given_twice_through_a_merge_is_refused(world: Cli) -> None:
    world.ok("customer", "merge", "15", "20")
    before = snapshot(world)
    result = world.run("customer", "merge", "7", "15", "20")
    assert result.exit_code == 1
    assert "Note: person 20 was merged into 15" in result.stderr
    assert "customer 20 is given twice (as 15)" in result.stderr
    assert snapshot(world) == before


def test_usage_errors(world: Cli) -> None:
    world.fail("customer", "merge", "7", code=2)
    world.fail("customer", "merge", "7", "x12", code=2)


def test_one_audit_record_with_each_source_profile(world: Cli) -> None:
    world.ok("customer", "merge", "7", "12", "15")
    records = world.json("audit", "list", "--action", "customer.merge")
    assert len(records) == 1
    record = records[0]
    assert record["subject"] == [7, 12, 15]
    details = record["details"]
    assert details["conversations_moved"] == [101, 102, 103, 105]
    assert details["conversations_by_source"] == {"12": [101, 102, 105], "15": [103]}
    source = details["sources"]["12"]
    assert (source["first_name"], source["last_name"], source["gender"], source["city"]) == (
        "maja", "HORVAT", "female", "Split")
    assert source["attributes"] == {"plan": "free", "language": "hr", "customer_number": "C-1"}
    assert source["tags"] == ["b2b", "vip"]
    assert [(d["type"], d["value"]) for d in source["destinations"]] == [
        ("email", "maja@example.com"), ("telegram", "48151623")]
    assert details["sources"]["15"]["destinations"][0]["value"] == "+385981112233"
    assert details["target_before"]["tags"] == ["vip"]
    assert details["fields_filled"] == ["gender", "country"]


def test_holds_move_to_the_target(world: Cli) -> None:
    hold = world.json("hold", "add", "--customer", "12", "--reason", "case 7")["id"]
    world.ok("customer", "merge", "7", "12")
    assert {h["id"]: h["customer_id"] for h in world.json("hold", "list")} == {hold: 7}
    assert world.json("audit", "list", "--action", "customer.merge")[0]["details"]["holds_moved"] == {
        "12": [hold]}


def test_a_new_person_never_takes_a_merged_away_id(world: Cli) -> None:
    world.ok("customer", "merge", "7", "20")  # 20 is the highest id
    created = world.json("customer", "create", "--first-name", "Nova")
    assert created["customer_id"] > 20
    assert world.ok("customer", "show", "20", "-f", "json").stderr == "Note: person 20 was merged into 7\n"


def test_table_output(world: Cli) -> None:
    out = world.ok("customer", "merge", "7", "12").stdout
    assert "target" in out and "fields_filled" in out and "gender" in out


def test_relink_and_import_name_the_target_of_a_merged_away_id(world: Cli, tmp_path: Path) -> None:
    world.ok("customer", "merge", "7", "12")
    relink = write(tmp_path / "relink.csv", "conversation,customer\n106,12\n104,id:12\n")
    dry = world.run("conversation", "relink", str(relink), "--dry-run", "-f", "json")
    assert dry.exit_code == 0 and dry.stderr == "Note: person 12 was merged into 7\n"
    done = world.run("conversation", "relink", str(relink), "-f", "json")
    assert done.exit_code == 0 and done.stderr == "Note: person 12 was merged into 7\n"
    assert [world.json("conversation", "show", c)["customer_id"] for c in ("106", "104")] == [7, 7]
    fixture = write(tmp_path / "more.yaml", (
        "conversations:\n"
        "  - {id: 200, channel: sms, contact: '+385915550001', customer: 12, created_at: 2026-11-10T09:00:00Z}\n"
        "  - {id: 201, channel: sms, contact: '+385915550002', customer: 12, created_at: 2026-11-11T09:00:00Z}\n"
    ))
    imported = world.run("db", "import", str(fixture), "-f", "json")
    assert imported.exit_code == 0 and imported.stderr == "Note: person 12 was merged into 7\n"
    assert world.json("conversation", "show", "201")["customer_id"] == 7
    taken = write(tmp_path / "taken.yaml", "people:\n  - {id: 12, first_name: New}\n")
    assert "person id 12 was merged into 7" in world.fail("db", "import", str(taken)).stderr


def test_a_merged_away_target_names_its_target(world: Cli) -> None:
    world.ok("customer", "merge", "7", "12")
    result = world.run("customer", "merge", "12", "20", "-f", "json")
    assert result.exit_code == 0 and result.stderr == "Note: person 12 was merged into 7\n"
    assert '"target": 7' in result.stdout
    assert world.json("customer", "show", "20").get("customer_id") == 7
