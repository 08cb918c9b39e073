"""`cctx customer erase`: everything about a customer goes, their values leave no trace (raw bytes of the
file and its WAL on SQLite, every table on both engines), holds and the terminal rule are respected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, Cli, is_url, query, run_on_terminal, table_counts, write

# Unique markers: any trace of them after the erasure is a leak.
FIRST, LAST = "Zorkamarker", "Quillfeather"
PHONE, EMAIL, TELEGRAM = "+385917770001", "zq-marker@example.com", "zq77marker"
ATTRIBUTE = "Xattrvaluemarker"
TEXTS = ["Itemtextalpha secret", "Itemtextbeta", "Itemtextgamma", "Itemtextdelta note"]
MARKERS = [FIRST, LAST, PHONE, EMAIL, TELEGRAM, ATTRIBUTE, "itemtextalpha", "itemtextbeta", "itemtextgamma",
           "itemtextdelta"]

WORLD = f"""
agents: [{{name: ana}}]
people:
  - id: 1
    first_name: Tmpname
    last_name: {LAST}
    attributes: {{plan: {ATTRIBUTE}}}
    tags: [vip]
    destinations: [{{type: phone, value: "{PHONE}"}}, {{type: email, value: "{EMAIL}"}}]
  - {{id: 2, first_name: Other, last_name: Person, destinations: [{{type: phone, value: "+385917770002"}}]}}
conversations:
  - {{id: 100, channel: sms, contact: "{PHONE}", status: closed, created_at: 2026-01-01T10:00:00Z,
     closed_at: 2026-01-01T11:00:00Z, items: [{{at: 2026-01-01T10:00:00Z, kind: message, author: customer,
     text: "{TEXTS[0]}"}}]}}
  - {{id: 101, channel: whatsapp, contact: "{PHONE}", agents: [ana], status: open, created_at: 2026-02-01T10:00:00Z,
     items: [{{at: 2026-02-01T10:00:00Z, kind: message, author: customer, text: "{TEXTS[1]}"}},
             {{at: 2026-02-01T10:01:00Z, kind: note, author: ana, text: "{TEXTS[3]}"}}]}}
  - {{id: 102, channel: whatsapp, contact: "{PHONE}", status: open, created_at: 2026-02-02T10:00:00Z,
     items: [{{at: 2026-02-02T10:00:00Z, kind: message, author: customer, text: "more words"}}]}}
  - {{id: 103, channel: sms, contact: "{PHONE}", customer: null, status: closed, created_at: 2026-03-01T10:00:00Z,
     closed_at: 2026-03-01T11:00:00Z, items: [{{at: 2026-03-01T10:00:00Z, kind: message, author: customer,
     text: "{TEXTS[2]}"}}]}}
  - {{id: 104, channel: email, contact: "{EMAIL}", customer: null, status: open, created_at: 2026-03-02T10:00:00Z}}
  - {{id: 200, channel: sms, contact: "+385917770002", status: open, created_at: 2026-01-01T10:00:00Z,
     items: [{{at: 2026-01-01T10:00:00Z, kind: message, author: customer, text: "Keeptext of another"}}]}}
  - {{id: 300, channel: sms, contact: "+385919990000", status: open, created_at: 2026-01-01T10:00:00Z,
     items: [{{at: 2026-01-01T10:00:00Z, kind: message, author: customer, text: "Unownedtext"}}]}}
"""
ERASED_IDS = [100, 101, 102, 103, 104]  # 102 is a tombstone of 101 after the merge below
KEPT_IDS = [200, 300]


@pytest.fixture
def world(empty_cli: Cli, tmp_path: Path) -> Cli:
    cli = empty_cli
    cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    cli.ok("conversation", "merge", "101", "102")
    # Personal values into audit details: a name change, a destination, an exact value in another's record.
    cli.ok("customer", "update", "1", "--first-name", FIRST)
    cli.ok("customer", "destination", "add", "1", f"telegram:{TELEGRAM}")
    cli.ok("customer", "update", "2", "--set", f"referrer={FIRST} {LAST}")
    cli.ok("customer", "update", "2", "--unset", "referrer")
    return cli


def _dump(cli: Cli) -> str:
    """Every row of every table, as text (both engines): where a leaked value would show."""
    rows = []
    for table in sorted(table_counts(cli.db)):
        if table.startswith("items_fts") or table.startswith("sqlite_"):
            continue  # FTS shadow tables hold binary segments; the raw-bytes test reads those
        rows.extend(str(r) for r in query(cli.db, f"SELECT * FROM {table}"))
    return "\n".join(rows).lower()


def _leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m.lower() in text.lower()]


def test_erase_removes_the_person_and_their_conversations(world: Cli) -> None:
    assert _leaks(_dump(world))  # the markers are there before
    result = world.json("customer", "erase", "1", "--yes")
    assert result == {"customer": 1, "contact": None, "conversations": 5, "items": 5, "destinations": 3,
                      "dry_run": False, "wal_cleared": True}
    world.fail("customer", "show", "1")
    for conversation in ERASED_IDS:
        world.fail("conversation", "show", str(conversation))
    for conversation in KEPT_IDS:
        assert world.json("conversation", "show", str(conversation))["items"]
    assert world.json("customer", "show", "2")["name"] == "Other Person"
    assert world.json("customer", "show", PHONE)["known"] is False
    assert _leaks(_dump(world)) == []
    assert _leaks(json.dumps(world.json("audit", "list"))) == []


def test_erasure_redacts_audit_details_and_records_ids_and_counts_only(world: Cli) -> None:
    world.json("customer", "erase", "1", "--yes")
    records = world.json("audit", "list")
    erase = records[0]
    assert (erase["action"], erase["subject"]) == ("customer.erase", [1])
    assert erase["details"]["conversation_ids"] == ERASED_IDS
    assert (erase["details"]["conversations"], erase["details"]["items"]) == (5, 5)
    assert all(isinstance(v, int | list) for k, v in erase["details"].items() if k != "as_of")
    renamed = next(r for r in records if r["action"] == "customer.update" and r["subject"] == [1])
    assert "[erased]" in json.dumps(renamed["details"])
    other = [r for r in records if r["action"] == "customer.update" and r["subject"] == [2]]
    assert all("[erased]" in json.dumps(r["details"]) for r in other)  # a whole value equal to the name


def test_search_never_finds_erased_text(world: Cli) -> None:
    assert world.json("conversation", "search", "itemtextalpha")
    world.json("customer", "erase", "1", "--yes")
    for word in ("itemtextalpha", "itemtextbeta", "itemtextgamma", "itemtextdelta"):
        assert world.json("conversation", "search", word) == []
    assert [r["id"] for r in world.json("conversation", "search", "keeptext")] == [200]


@pytest.mark.sqlite_only
def test_no_trace_in_the_database_file_or_its_wal(world: Cli) -> None:
    db = Path(world.db)
    assert any(m.encode() in db.read_bytes() + _wal(db) for m in MARKERS)
    result = world.json("customer", "erase", "1", "--yes")
    assert result["wal_cleared"] is True
    data = (db.read_bytes() + _wal(db)).lower()
    assert [m for m in MARKERS if m.lower().encode() in data] == []
    assert b"keeptext" in data  # what was not erased is still there


def _wal(db: Path) -> bytes:
    wal = db.with_name(db.name + "-wal")
    return wal.read_bytes() if wal.exists() else b""


def test_dry_run_reports_the_same_and_changes_nothing(world: Cli) -> None:
    before = table_counts(world.db)
    dry = world.json("customer", "erase", "1", "--dry-run")
    assert dry == {"customer": 1, "contact": None, "conversations": 5, "items": 5, "destinations": 3,
                   "dry_run": True}
    assert table_counts(world.db) == before
    assert world.json("customer", "show", "1")["first_name"] == FIRST


def test_off_a_terminal_erasure_needs_yes(world: Cli) -> None:
    before, audit = table_counts(world.db), world.json("audit", "list")
    result = world.fail("customer", "erase", "1")
    assert "needs --yes" in result.stderr
    assert table_counts(world.db) == before and world.json("audit", "list") == audit


@pytest.mark.parametrize("hold", [("--customer", "1"), ("--conversation", "103"), ("--conversation", "102")])
def test_a_hold_refuses_erasure_naming_it(world: Cli, hold: tuple[str, str]) -> None:
    hold_id = world.json("hold", "add", *hold, "--reason", f"case about {FIRST}")["id"]
    before, audit = table_counts(world.db), world.json("audit", "list")
    for extra in ([], ["--dry-run"]):
        result = world.fail("customer", "erase", "1", "--yes", *extra)
        assert f"hold {hold_id}" in result.stderr
    assert table_counts(world.db) == before and world.json("audit", "list") == audit
    world.json("hold", "release", str(hold_id))
    world.json("customer", "erase", "1", "--yes")
    reasons = [h["reason"] for h in world.json("hold", "list", "--all")]
    assert reasons == ["case about [erased]"]  # a released hold stays listed, without the name


def test_erase_a_contact_nobody_owns(world: Cli) -> None:
    result = world.json("customer", "erase", "+385919990000", "--yes")
    assert result == {"customer": None, "contact": "+385919990000", "conversations": 1, "items": 1,
                      "destinations": 0, "dry_run": False, "wal_cleared": True}
    world.fail("conversation", "show", "300")
    assert world.json("audit", "list", "--action", "customer.erase")[0]["subject"] == []
    assert "+385919990000" not in json.dumps(world.json("audit", "list"))


def test_erase_a_missing_person_is_an_error(world: Cli) -> None:
    assert "customer 99 not found" in world.fail("customer", "erase", "99", "--yes").stderr


def _run_on_terminal(cli: Cli, args: list[str], answer: bytes) -> tuple[int, str]:
    """Run cctx with stdin, stdout and stderr on a pseudo-terminal; answer its question."""
    return run_on_terminal(cli, args, answer=answer, env={"CCTX_FORMAT": "json"}, seconds=30)


def test_on_a_terminal_erasure_asks_first(world: Cli) -> None:
    code, output = _run_on_terminal(world, ["customer", "erase", "1"], b"n\n")
    assert code == 1 and "Erase customer 1: 5 conversations, 5 items and 3 destinations, for good?" in output
    assert world.json("customer", "show", "1")["customer_id"] == 1
    code, output = _run_on_terminal(world, ["customer", "erase", "1"], b"y\n")
    assert code == 0, output
    world.fail("customer", "show", "1")


def test_erase_now_is_the_audit_clock(world: Cli) -> None:
    world.json("customer", "erase", "1", "--yes")
    record: dict[str, Any] = world.json("audit", "list", "--action", "customer.erase")[0]
    assert record["actor"] == "tester" and record["details"].get("as_of", NOW) == NOW
    assert not is_url(world.db) or record["subject"] == [1]


FORMER = ["Formerfirstmarker", "Mergedfirstmarker", "Mergedlastmarker", "+385917770009", "Mergedattrmarker",
          "removeddestmarker"]


def test_no_former_value_survives_the_erasure(world: Cli) -> None:
    """What earlier audit records hold of the customer is theirs too: a name changed since, a destination
    removed, and the profile of someone merged into them."""
    world.ok("customer", "update", "1", "--first-name", FORMER[0])
    world.ok("customer", "update", "1", "--first-name", FIRST)
    merged = world.json("customer", "create", "--first-name", FORMER[1], "--last-name", FORMER[2],
                        "--destination", FORMER[3], "--set", f"origin={FORMER[4]}")
    world.ok("customer", "merge", "1", str(merged["customer_id"]))
    world.ok("customer", "destination", "add", "1", f"livechat:{FORMER[5]}")
    world.ok("customer", "destination", "remove", "1", f"livechat:{FORMER[5]}")
    before = json.dumps(world.json("audit", "list"))
    assert all(marker in before for marker in FORMER)
    world.json("customer", "erase", "1", "--yes")
    after = json.dumps(world.json("audit", "list"), ensure_ascii=False)
    assert [m for m in FORMER if m.lower() in after.lower() or m.lower() in _dump(world)] == []
    if not is_url(world.db):  # and not in the file's bytes
        data = (Path(world.db).read_bytes() + _wal(Path(world.db))).lower()
        assert [m for m in FORMER if m.lower().encode() in data] == []
    assert world.json("customer", "show", "2")["name"] == "Other Person"  # another customer keeps theirs


def test_an_erased_persons_id_is_never_given_to_another(world: Cli) -> None:
    """SQLite would give the highest id again after a delete; the audit log names the erased id, and
    records about it must never come to mean someone else."""
    newest = world.json("customer", "create", "--first-name", "Newest")["customer_id"]
    world.json("customer", "erase", str(newest), "--yes")
    again = world.json("customer", "create", "--first-name", "Another")["customer_id"]
    assert again > newest
    world.fail("customer", "show", str(newest))
