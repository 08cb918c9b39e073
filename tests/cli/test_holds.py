"""`cctx hold add/list/release` and what holds keep from the purge, with and without --dry-run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import NOW, Cli, write

# Every closed conversation here closed in 2025, long before NOW (2026-11-25): `--older-than 30d`
# expires all of them by their own clock. Tombstones are made by `conversation merge` at NOW, so they
# are not expired by their own clock, only taken along with what they were merged into.
WORLD = """
people:
  - {id: 1, first_name: Held, last_name: Person, destinations: [{type: phone, value: "+385910000001"}]}
  - {id: 2, first_name: Other, destinations: [{type: phone, value: "+385910000002"}]}
  - {id: 3, first_name: Third, destinations: [{type: phone, value: "+385910000003"}]}
conversations:
  - {id: 10, channel: sms, contact: "+385910000001", status: closed, created_at: 2025-01-01T10:00:00Z,
     closed_at: 2025-01-02T10:00:00Z, items: [{at: 2025-01-01T10:00:00Z, kind: message, author: customer, text: a}]}
  - {id: 11, channel: whatsapp, contact: "+385910000001", status: closed, created_at: 2025-01-03T10:00:00Z,
     closed_at: 2025-01-04T10:00:00Z, items: [{at: 2025-01-03T10:00:00Z, kind: message, author: customer, text: b}]}
  - {id: 12, channel: whatsapp, contact: "+385910000001", status: closed, created_at: 2025-01-05T10:00:00Z,
     closed_at: 2025-01-06T10:00:00Z, items: [{at: 2025-01-05T10:00:00Z, kind: message, author: customer, text: c}]}
  - {id: 13, channel: whatsapp, contact: "+385910000001", status: open, created_at: 2025-01-05T10:00:00Z}
  - {id: 20, channel: sms, contact: "+385910000002", status: closed, created_at: 2025-02-01T10:00:00Z,
     closed_at: 2025-02-02T10:00:00Z, items: [{at: 2025-02-01T10:00:00Z, kind: message, author: customer, text: d}]}
  - {id: 21, channel: sms, contact: "+385910000002", status: closed, created_at: 2025-02-03T10:00:00Z,
     closed_at: 2025-02-04T10:00:00Z,
     items: [{at: 2025-02-03T10:00:00Z, kind: message, author: customer, text: e},
             {at: 2025-02-03T10:01:00Z, kind: message, author: customer, text: f}]}
  - {id: 22, channel: sms, contact: "+385910000002", status: closed, created_at: 2025-02-05T10:00:00Z,
     closed_at: 2025-02-06T10:00:00Z}
  - {id: 30, channel: sms, contact: "+385919999999", status: closed, created_at: 2025-03-01T10:00:00Z,
     closed_at: 2025-03-02T10:00:00Z, items: [{at: 2025-03-01T10:00:00Z, kind: message, author: customer, text: g}]}
  - {id: 40, channel: email, contact: "x@example.com", status: closed, created_at: 2025-04-01T10:00:00Z,
     closed_at: 2025-04-02T10:00:00Z}
  - {id: 41, channel: email, contact: "y@example.com", status: closed, created_at: 2025-04-01T10:00:00Z,
     closed_at: 2025-04-02T10:00:00Z}
  - {id: 51, channel: voice, contact: "+385910000003", status: closed, created_at: 2025-05-01T10:00:00Z,
     closed_at: 2025-05-01T10:05:00Z, items: [{at: 2025-05-01T10:00:00Z, kind: call_event, event: started}]}
  - {id: 52, channel: voice, contact: "+385910000003", status: closed, created_at: 2025-05-02T10:00:00Z,
     closed_at: 2025-05-02T10:05:00Z, items: [{at: 2025-05-02T10:00:00Z, kind: call_event, event: started}]}
"""
ALL_IDS = {10, 11, 12, 13, 20, 21, 22, 30, 40, 41, 51, 52}


@pytest.fixture
def world(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    empty_cli.ok("conversation", "merge", "11", "12")  # 12: a tombstone of person 1's 11
    empty_cli.ok("conversation", "merge", "20", "22")  # 22: a tombstone of the held conversation 20
    empty_cli.ok("conversation", "merge", "51", "52")  # 52: a held tombstone; 51 must stay with it
    return empty_cli


def _remaining(cli: Cli) -> set[int]:
    return {i for i in ALL_IDS if cli.run("conversation", "show", str(i)).exit_code == 0}


def _place_holds(cli: Cli) -> dict[str, int]:
    ids = {
        "person": cli.json("hold", "add", "--customer", "+385910000001", "--reason", "case 1")["id"],
        "conversation": cli.json("hold", "add", "--conversation", "20", "--reason", "case 2")["id"],
        "lapsing": cli.json("hold", "add", "--conversation", "40", "--reason", "case 3",
                            "--until", "2026-12-01T00:00:00+01:00")["id"],
        "released": cli.json("hold", "add", "--conversation", "41", "--reason", "case 4")["id"],
        "tombstone": cli.json("hold", "add", "--conversation", "52", "--reason", "case 5")["id"],
    }
    cli.json("hold", "release", str(ids["released"]))
    return ids


def test_hold_add_shows_the_contract_shape_and_is_audited(world: Cli) -> None:
    hold = world.json("hold", "add", "--customer", "1", "--reason", "  court order 7 ",
                      "--until", "2027-01-01T01:00:00+01:00")
    assert hold == {
        "id": 1, "customer_id": 1, "conversation_id": None, "reason": "court order 7",
        "until": "2027-01-01T00:00:00Z", "created_at": NOW, "created_by": "tester", "released_at": None,
        "active": True,
    }
    by_phone = world.json("hold", "add", "--customer", "+385 91 000 0002", "--reason", "r")
    assert by_phone["customer_id"] == 2
    on_conversation = world.json("hold", "add", "--conversation", "30", "--reason", "r")
    assert (on_conversation["customer_id"], on_conversation["conversation_id"]) == (None, 30)
    added = world.json("audit", "list", "--action", "hold.add")
    assert [r["subject"] for r in added] == [[3], [2], [1]]
    assert added[-1]["details"]["customer"] == 1 and added[-1]["details"]["until"] == "2027-01-01T00:00:00Z"


def test_list_shows_active_holds_and_all_with_the_flag(world: Cli) -> None:
    ids = _place_holds(world)
    active = world.json("hold", "list")
    assert [h["id"] for h in active] == [ids["person"], ids["conversation"], ids["lapsing"], ids["tombstone"]]
    assert all(h["active"] for h in active)
    everything = world.json("hold", "list", "--all")
    assert [h["id"] for h in everything] == sorted(ids.values())
    released = next(h for h in everything if h["id"] == ids["released"])
    assert released["released_at"] == NOW and released["active"] is False
    later = {"CCTX_NOW": "2026-12-02T00:00:00Z"}  # the lapsing hold ended at 2026-11-30T23:00:00Z
    assert ids["lapsing"] not in [h["id"] for h in world.json("hold", "list", env=later)]
    lapsed = next(h for h in world.json("hold", "list", "--all", env=later) if h["id"] == ids["lapsing"])
    assert lapsed["active"] is False and lapsed["released_at"] is None
    assert world.ok("hold", "list", "-f", "csv", env={"CCTX_NOW": "2030-01-01T00:00:00Z"}).stdout.startswith(
        "id,customer_id,conversation_id,reason,until,created_at,created_by,released_at,active\n")
    released_audit = world.json("audit", "list", "--action", "hold.release")
    assert [r["subject"] for r in released_audit] == [[ids["released"]]]


@pytest.mark.parametrize("args, reason", [
    (("--customer", "99", "--reason", "r"), "customer 99 not found"),
    (("--customer", "+385917777777", "--reason", "r"), "no person owns +385917777777"),
    (("--conversation", "999", "--reason", "r"), "conversation 999 not found"),
    (("--conversation", "10", "--reason", "r", "--until", "2026-11-25T11:59:59Z"), "not in the future"),
    (("--conversation", "10", "--reason", "r", "--until", "2027-01-01T00:00:00"), "has no time zone"),
    (("--conversation", "10", "--reason", "r", "--until", "soon"), "not an ISO 8601 timestamp"),
    (("--conversation", "10", "--reason", "   "), "--reason must not be empty"),
])
def test_bad_hold_is_refused_and_changes_nothing(world: Cli, args: tuple[str, ...], reason: str) -> None:
    before = world.json("audit", "list")
    result = world.fail("hold", "add", *args)
    assert reason in result.stderr
    assert world.json("hold", "list", "--all") == []
    assert world.json("audit", "list") == before


def test_hold_needs_exactly_one_target(world: Cli) -> None:
    world.fail("hold", "add", "--reason", "r", code=2)
    world.fail("hold", "add", "--customer", "1", "--conversation", "10", "--reason", "r", code=2)
    assert world.json("hold", "list", "--all") == []


def test_releasing_twice_or_a_missing_hold_is_refused(world: Cli) -> None:
    hold_id = world.json("hold", "add", "--conversation", "10", "--reason", "r")["id"]
    world.json("hold", "release", str(hold_id))
    before = world.json("hold", "list", "--all")
    assert "already released" in world.fail("hold", "release", str(hold_id)).stderr
    assert "hold 99 not found" in world.fail("hold", "release", "99").stderr
    assert world.json("hold", "list", "--all") == before
    assert len(world.json("audit", "list", "--action", "hold.release")) == 1


# With the holds of _place_holds at NOW: person 1 keeps 10, 11 (and tombstone 12; 13 is open); the hold
# on 20 keeps it and its tombstone 22; the hold on tombstone 52 keeps it and 51, which it was merged
# into; the hold on 40 lasts until 2026-11-30T23:00:00Z. Expired by their own clock and kept: 10, 11,
# 20, 40, 51. Deleted: 21 (2 items), 30 (1) and the released hold's 41 (no items).
DELETED_AT_NOW = {21, 30, 41}
HELD_AT_NOW = 5


@pytest.mark.parametrize("dry_run", [True, False])
def test_purge_keeps_held_conversations_and_reports_them(world: Cli, dry_run: bool) -> None:
    _place_holds(world)
    result = world.json("history", "purge", "--older-than", "30d", *(["--dry-run"] if dry_run else []))
    assert (result["conversations"], result["items"], result["held"]) == (len(DELETED_AT_NOW), 3, HELD_AT_NOW)
    assert result["by_channel"]["sms"] == 2 and result["by_channel"]["email"] == 1
    expected_left = ALL_IDS if dry_run else ALL_IDS - DELETED_AT_NOW
    assert _remaining(world) == expected_left


def test_dry_run_and_purge_agree_and_a_second_purge_finds_only_held(world: Cli) -> None:
    _place_holds(world)
    dry = world.json("history", "purge", "--older-than", "30d", "--dry-run")
    real = world.json("history", "purge", "--older-than", "30d")
    for key in ("conversations", "items", "held", "by_channel"):
        assert dry[key] == real[key]
    again = world.json("history", "purge", "--older-than", "30d")
    assert (again["conversations"], again["held"]) == (0, HELD_AT_NOW)
    assert "5 expired kept by holds" in world.ok("history", "purge", "--older-than", "30d", "--dry-run").stdout


def test_a_lapsed_or_released_hold_keeps_nothing(world: Cli) -> None:
    ids = _place_holds(world)
    later = {"CCTX_NOW": "2026-12-02T00:00:00Z"}  # the hold on 40 has lapsed
    world.json("hold", "release", str(ids["person"]), env=later)
    result = world.json("history", "purge", "--older-than", "30d", env=later)
    # Now also 40, and 10, 11 with its tombstone 12 go; 13 is open and stays.
    assert (result["conversations"], result["held"]) == (len(DELETED_AT_NOW) + 4, 2)
    assert _remaining(world) == {13, 20, 22, 51, 52}


def test_a_policy_purge_respects_holds_too(world: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "cctx.yaml", "retention:\n  default_days: 365\n  channels: {email: 30}\n")
    world.json("hold", "add", "--customer", "2", "--reason", "r")
    result = world.json("history", "purge", env={"CCTX_CONFIG": str(config)})
    # default 365 days: everything closed before 2025-11-25 expires; person 2's 20, 21 are held.
    assert result["held"] == 2
    assert _remaining(world) == {13, 20, 21, 22}


def test_holds_follow_a_person_merge(world: Cli) -> None:
    """The store move that `customer merge` uses: the holds on the source then name the target."""
    from cctx.store import Store

    hold_id = world.json("hold", "add", "--customer", "2", "--reason", "r")["id"]
    other = world.json("hold", "add", "--customer", "3", "--reason", "r")["id"]
    store = Store.open(world.db, 5000)
    try:
        with store.transaction():
            assert store.holds.move_holds(2, 1) == [hold_id]
    finally:
        store.close()
    by_id = {h["id"]: h["customer_id"] for h in world.json("hold", "list")}
    assert by_id == {hold_id: 1, other: 3}


def test_customer_merge_carries_the_holds_to_the_target(world: Cli) -> None:
    hold_id = world.json("hold", "add", "--customer", "2", "--reason", "r")["id"]
    world.json("customer", "merge", "1", "2")
    assert [(h["id"], h["customer_id"]) for h in world.json("hold", "list")] == [(hold_id, 1)]
    # Person 2's conversations, now person 1's, stay held: 20, 21 and the tombstone 22 survive.
    world.json("history", "purge", "--older-than", "30d")
    assert {20, 21, 22} <= _remaining(world)
