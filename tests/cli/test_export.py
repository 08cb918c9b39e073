"""`cctx customer export`: one JSON document with everything stored about a customer, streamed."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, Cli, table_counts, write

POLICY = "retention:\n  default_days: 365\n"
WORLD = """
queues: [{name: billing}]
agents: [{name: ana, queues: [billing]}, {name: ivo}]
people:
  - id: 1
    first_name: Maja
    last_name: Horvat
    city: Zagreb
    attributes: {plan: gold, customer_number: "C-77"}
    tags: [vip, churn-risk]
    destinations: [{type: phone, value: "+385911234567"}, {type: email, value: "maja@example.com"}]
  - {id: 2, first_name: Ivo, destinations: [{type: phone, value: "+385912222222"}]}
conversations:
  - id: 10
    channel: whatsapp
    contact: "+385911234567"
    queue: billing
    agents: [ana]
    status: closed
    created_at: 2024-01-01T10:00:00Z
    closed_at: 2024-01-01T11:00:00Z
    items:
      - {at: 2024-01-01T10:00:00Z, kind: message, author: customer, text: "old but not purged"}
      - {at: 2024-01-01T10:01:00Z, kind: note, author: ana, text: "a note"}
  - {id: 11, channel: sms, contact: "+385911234567", status: open, created_at: 2026-11-01T10:00:00Z,
     items: [{at: 2026-11-01T10:00:00Z, kind: message, author: customer, text: "new"}]}
  - {id: 12, channel: sms, contact: "+385911234567", status: open, created_at: 2026-11-02T10:00:00Z,
     items: [{at: 2026-11-02T10:00:00Z, kind: message, author: customer, text: "to merge"}]}
  - {id: 13, channel: email, contact: "maja@example.com", customer: null, status: open,
     created_at: 2026-11-03T10:00:00Z, items: [{at: 2026-11-03T10:00:00Z, kind: message, author: customer,
     text: "unlinked on purpose"}]}
  - {id: 14, channel: voice, contact: "+385911234567", status: closed, created_at: 2026-11-04T10:00:00Z,
     closed_at: 2026-11-04T10:10:00Z,
     items: [{at: 2026-11-04T10:00:00Z, kind: call_event, event: recording, recording: rec-14.wav}]}
  - {id: 20, channel: sms, contact: "+385912222222", status: open, created_at: 2026-11-01T10:00:00Z}
  - {id: 30, channel: sms, contact: "+385919999999", status: open, created_at: 2026-11-05T10:00:00Z,
     items: [{at: 2026-11-05T10:00:00Z, kind: message, author: customer, text: "nobody's"}]}
"""


@pytest.fixture
def world(empty_cli: Cli, tmp_path: Path) -> Cli:
    cli = empty_cli
    cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    cli.ok("conversation", "merge", "11", "12")  # 12 becomes a tombstone of 11
    cli.ok("customer", "update", "1", "--city", "Split")
    cli.ok("customer", "update", "2", "--city", "Rijeka")  # about someone else
    cli.ok("conversation", "unlink", "20")  # someone else's conversation
    cli.ok("hold", "add", "--conversation", "14", "--reason", "complaint")
    cli.env["CCTX_CONFIG"] = str(write(tmp_path / "policy.yaml", POLICY))
    return cli


def export(cli: Cli, *args: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(cli.ok("customer", "export", *args).stdout)
    return result


def test_export_holds_everything_about_the_person(world: Cli) -> None:
    doc = export(world, "+385911234567")
    assert list(doc) == ["customer", "destinations", "tags", "conversations", "unlinked_conversations", "audit",
                         "exported_at"]
    card = doc["customer"]
    assert (card["customer_id"], card["first_name"], card["last_name"], card["city"]) == (1, "Maja", "Horvat", "Split")
    assert card["attributes"] == {"customer_number": "C-77", "plan": "gold"}  # every one, not the card's selection
    assert doc["destinations"] == [{"type": "phone", "value": "+385911234567"},
                                   {"type": "email", "value": "maja@example.com"}]
    assert doc["tags"] == ["churn-risk", "vip"]
    # Linked ones oldest first: the expired 10 (not purged yet), 11, its tombstone 12, the held 14.
    assert [c["id"] for c in doc["conversations"]] == [10, 11, 12, 14]
    ten = doc["conversations"][0]
    assert (ten["expired"], ten["queue"], ten["agents"]) == (True, "billing", ["ana"])
    assert [i["text"] for i in ten["items"]] == ["old but not purged", "a note"]
    eleven = doc["conversations"][1]
    assert [i["text"] for i in eleven["items"]] == ["new", "to merge"]
    assert doc["conversations"][2]["merged_into"] == 11
    assert doc["conversations"][3]["items"][0]["recording"] == "rec-14.wav"
    assert [c["id"] for c in doc["unlinked_conversations"]] == [13]
    assert doc["unlinked_conversations"][0]["items"][0]["text"] == "unlinked on purpose"
    assert doc["exported_at"] == NOW


def test_export_audit_holds_the_records_about_the_customer_only(world: Cli) -> None:
    doc = export(world, "1")
    actions = [(r["action"], r["subject"]) for r in doc["audit"]]
    assert actions == [("conversation.merge", [11, 12]), ("customer.update", [1]), ("hold.add", [1])]
    update = doc["audit"][1]
    assert update["details"]["after"]["city"] == "Split" and update["actor"] == "tester"
    again = export(world, "1")  # the first export is itself a record about the person now
    assert [r["action"] for r in again["audit"]][-1] == "customer.export"


def test_export_is_audited_with_counts_only(world: Cli) -> None:
    export(world, "1")
    record = world.json("audit", "list", "--action", "customer.export")[0]
    assert record["subject"] == [1]
    details = {k: v for k, v in record["details"].items() if k != "as_of"}
    assert details == {"conversations": 4, "unlinked_conversations": 1, "items": 6, "audit_records": 3}


def test_export_of_a_contact_nobody_owns(world: Cli) -> None:
    doc = export(world, "+385919999999")
    assert (doc["customer"], doc["destinations"], doc["tags"], doc["conversations"]) == (None, [], [], [])
    assert [c["id"] for c in doc["unlinked_conversations"]] == [30]
    assert world.json("audit", "list", "--action", "customer.export")[0]["subject"] == []


def test_export_is_json_whatever_the_format(world: Cli) -> None:
    for fmt in ("table", "csv", "yaml", "json"):
        assert export(world, "1", "-f", fmt)["customer"]["customer_id"] == 1


def test_export_to_a_file_readable_by_its_owner_only(world: Cli, tmp_path: Path) -> None:
    target = tmp_path / "maja.json"
    result = world.ok("customer", "export", "1", "--output", str(target))
    assert result.stdout == ""
    assert "Exported 4 conversations, 1 unlinked, 6 items and 3 audit records" in result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["customer"]["customer_id"] == 1
    target.chmod(0o644)  # an existing file is replaced by a private one
    world.ok("customer", "export", "1", "--output", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_exporting_a_missing_person_is_an_error_and_writes_nothing(world: Cli, tmp_path: Path) -> None:
    before = table_counts(world.db)
    target = tmp_path / "nobody.json"
    assert "customer 99 not found" in world.fail("customer", "export", "99", "--output", str(target)).stderr
    assert not target.exists()
    assert table_counts(world.db) == before


BIG_CONVERSATIONS, ITEMS_EACH = 10_000, 10
# The peak of this process's own address space (VmHWM, in KiB): getrusage's ru_maxrss would carry over
# the size of the forking test process across exec, and fail this test inside a large test run.
MEASURE = """
import sys
from cctx.cli.root import cli
try:
    cli(sys.argv[1:], prog_name="cctx")
except SystemExit as exc:
    code = exc.code
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(peak, code, file=sys.stderr)
"""


def _big_customer(db: Path) -> None:
    """10,000 conversations with 10 items each for person 1, written straight into the file (fast)."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO people (id, first_name, attributes, created_at, updated_at) "
                     "VALUES (1, 'Big', '{}', ?, ?)", (NOW, NOW))
        conn.execute("INSERT INTO destinations (person_id, type, value) VALUES (1, 'phone', '+385911234567')")
        conn.executemany(
            "INSERT INTO conversations (id, channel, contact_type, contact, person_id, status, display_name, "
            "created_at, closed_at, messages, last_activity_at) VALUES (?, 'whatsapp', 'phone', '+385911234567', "
            "1, 'closed', 'Big', '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z', ?, '2026-01-01T10:09:00Z')",
            [(c, ITEMS_EACH) for c in range(1, BIG_CONVERSATIONS + 1)])
        conn.executemany(
            "INSERT INTO items (conversation_id, at, kind, author, text) VALUES (?, ?, 'message', 'customer', ?)",
            [(c, f"2026-01-01T10:0{i}:00Z", f"message {i} of conversation {c}, with a few more words in it")
             for c in range(1, BIG_CONVERSATIONS + 1) for i in range(ITEMS_EACH)])
    conn.close()


@pytest.mark.sqlite_only
def test_a_big_export_streams_in_little_memory(empty_cli: Cli, tmp_path: Path) -> None:
    _big_customer(Path(empty_cli.db))
    target = tmp_path / "big.json"
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, "--db", str(empty_cli.db), "customer", "export", "1", "--output", str(target)],
        capture_output=True, text=True, env={**empty_cli.env, "PATH": "/usr/bin:/bin"}, timeout=120,
    )
    peak_kib, code = proc.stderr.split()[-2:]
    assert code in ("0", "None"), proc.stderr
    assert int(peak_kib) < 100 * 1024, f"peak {int(peak_kib) // 1024} MiB"
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert len(doc["conversations"]) == BIG_CONVERSATIONS
    assert sum(len(c["items"]) for c in doc["conversations"]) == BIG_CONVERSATIONS * ITEMS_EACH


def test_export_after_a_merge_holds_the_records_of_the_merged_person(world: Cli) -> None:
    world.json("customer", "merge", "1", "2")
    doc = export(world, "1")
    actions = [(r["action"], r["subject"]) for r in doc["audit"]]
    assert ("customer.update", [2]) in actions  # made before the merge, under the old id
    assert ("customer.merge", [1, 2]) in actions
    assert ("conversation.unlink", [20]) in actions  # 20 was person 2's, still unlinked
    assert [c["id"] for c in doc["conversations"]] == [10, 11, 12, 14]
    # 20 was unlinked on purpose; its contact is now one of person 1's destinations.
    assert [c["id"] for c in doc["unlinked_conversations"]] == [20, 13]
