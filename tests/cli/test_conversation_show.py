"""`conversation show` and `conversation list` on the demo database."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, write

ITEM_KEYS = {"at", "kind", "author", "text", "event", "recording"}
SUMMARY_KEYS = [
    "id", "channel", "status", "queue", "contact", "customer_id", "talking_with", "started_at", "closed_at",
    "last_activity_at", "messages", "notes", "call_events",
]


def test_show_messaging_conversation_json(demo_cli: Cli) -> None:
    data = demo_cli.json("conversation", "show", "116")
    assert list(data)[:13] == SUMMARY_KEYS
    assert data["agents"] == ["ivana"] and data["merged_into"] is None and data["merged_at"] is None
    assert data["expired"] is False
    assert [i["kind"] for i in data["items"]] == ["message", "note", "message"]
    assert all(set(i) == ITEM_KEYS for i in data["items"])
    assert data["items"][1] == {
        "at": "2026-11-24T10:09:00Z", "kind": "note", "author": "ivana",
        "text": "Same issue as conversation 115 — should be merged.", "event": None, "recording": None,
    }
    assert (data["messages"], data["notes"], data["call_events"]) == (2, 1, 0)


def test_show_call_conversation_has_events_recording_and_notes(demo_cli: Cli) -> None:
    data = demo_cli.json("conversation", "show", "110")
    assert [i["event"] for i in data["items"] if i["kind"] == "call_event"] == [
        "started", "answered", "ended", "recording",
    ]
    recording = [i for i in data["items"] if i["event"] == "recording"][0]
    assert recording["recording"] == "rec-110.wav" and recording["text"] is None
    assert [i["kind"] for i in data["items"]][-1] == "note"
    ats = [i["at"] for i in data["items"]]
    assert ats == sorted(ats)


def test_show_table_reads_like_a_transcript(demo_cli: Cli) -> None:
    out = demo_cli.ok("conversation", "show", "110").stdout
    assert "talking_with      Maja Horvat" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("time"))
    assert lines[header].split() == ["time", "author", "kind", "text", "/", "event"]
    assert "2026-10-28T15:15:00Z" in lines[header + 5] and "call recording: rec-110.wav" in lines[header + 5]
    assert "petra" in lines[header + 6] and "note" in lines[header + 6] and "credit note 12 EUR" in out


def test_show_kind_filter(demo_cli: Cli) -> None:
    notes = demo_cli.json("conversation", "show", "110", "--kind", "note")["items"]
    assert [i["kind"] for i in notes] == ["note"]
    both = demo_cli.json("conversation", "show", "116", "--kind", "note", "--kind", "message")["items"]
    assert len(both) == 3
    demo_cli.fail("conversation", "show", "110", "--kind", "email", code=2)


def test_show_unknown_conversation(demo_cli: Cli) -> None:
    result = demo_cli.fail("conversation", "show", "999")
    assert "conversation 999 not found" in result.stderr


def test_show_expired_with_retention(demo_cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "policy.yaml", "retention:\n  default_days: 365\n")
    env = {"CCTX_CONFIG": str(config)}
    assert demo_cli.json("conversation", "show", "100", env=env)["expired"] is True
    assert demo_cli.json("conversation", "show", "109", env=env)["expired"] is False
    assert demo_cli.json("conversation", "show", "100")["expired"] is False  # no policy: nothing expires


def test_show_as_agent_with_queue_rights_or_participation(demo_cli: Cli) -> None:
    assert demo_cli.json("conversation", "show", "116", "--as-agent", "marko")["id"] == 116  # support queue
    assert demo_cli.json("conversation", "show", "116", "--as-agent", "ivana")["id"] == 116
    assert demo_cli.json("conversation", "show", "107", "--as-agent", "tomislav")["id"] == 107  # participant


def test_show_as_agent_refuses_without_revealing_the_customer(demo_cli: Cli) -> None:
    hidden = demo_cli.fail("conversation", "show", "116", "--as-agent", "luka")
    missing = demo_cli.fail("conversation", "show", "999", "--as-agent", "luka")
    assert hidden.stderr == "Error: conversation 116 not found or not accessible\n"
    assert missing.stderr == "Error: conversation 999 not found or not accessible\n"
    assert hidden.stdout == ""
    # no queue: only participants see it
    demo_cli.fail("conversation", "show", "107", "--as-agent", "ana")


def test_show_as_unknown_agent(demo_cli: Cli) -> None:
    result = demo_cli.fail("conversation", "show", "116", "--as-agent", "nobody")
    assert "agent 'nobody' not found" in result.stderr


def test_list_unlinked(demo_cli: Cli) -> None:
    rows = demo_cli.json("conversation", "list", "--unlinked")
    assert all(r["customer_id"] is None for r in rows)
    ids = {r["id"] for r in rows}
    assert {139, 145, 156, 157, 158, 159, 171}.issubset(ids)
    assert 100 not in ids
    assert list(rows[0]) == SUMMARY_KEYS
    starts = [r["started_at"] for r in rows]
    assert starts == sorted(starts)


def test_list_filters(demo_cli: Cli) -> None:
    by_contact = demo_cli.json("conversation", "list", "--contact", "+385 98 111 2233")
    assert {r["id"] for r in by_contact} == {156, 157, 158, 159}
    by_person = demo_cli.json("conversation", "list", "--contact", "2")
    assert {r["id"] for r in by_person} == {115, 116, 117, 118, 119}
    channels = demo_cli.json("conversation", "list", "--unlinked", "--channel", "whatsapp", "--channel", "sms")
    assert {r["id"] for r in channels} == {139, 156, 157, 159}
    statuses = demo_cli.json("conversation", "list", "--contact", "+385981112233", "--status", "open")
    assert {r["id"] for r in statuses} == {156, 157}
    queue = demo_cli.json("conversation", "list", "--queue", "vip", "--status", "open")
    assert {r["id"] for r in queue} == {112, 150}
    assert len(demo_cli.json("conversation", "list", "--limit", "3")) == 3


def test_list_errors(demo_cli: Cli) -> None:
    assert "queue 'nope' not found" in demo_cli.fail("conversation", "list", "--queue", "nope").stderr
    assert "person 99 not found" in demo_cli.fail("conversation", "list", "--contact", "99").stderr
    demo_cli.fail("conversation", "list", "--contact", "bogus")
    demo_cli.fail("conversation", "list", "--status", "done", code=2)


def test_list_table_and_empty(demo_cli: Cli) -> None:
    out = demo_cli.ok("conversation", "list", "--contact", "+385981112233").stdout
    assert "+385981112233" in out and "156" in out
    empty = demo_cli.ok("conversation", "list", "--contact", "telegram:nobody").stdout
    assert empty == "No conversations\n"


def test_list_relink_template(demo_cli: Cli) -> None:
    out = demo_cli.ok("conversation", "list", "--contact", "+385981112233", "--relink-template").stdout
    assert out.splitlines() == ["conversation,customer", "159,", "158,", "156,", "157,"]
    rows = demo_cli.json("conversation", "list", "--contact", "2", "--relink-template", "--limit", "1")
    assert rows == [{"conversation": 119, "customer": 2}]


def test_show_posts_conversation_has_messages_and_notes(demo_cli: Cli) -> None:
    data = demo_cli.json("conversation", "show", "127")
    assert [(i["kind"], i["author"]) for i in data["items"]] == [
        ("message", "customer"), ("note", "ivana"), ("message", "ivana"),
    ]
    assert data["customer_id"] == 5 and data["call_events"] == 0


def test_list_table_shows_contact_and_customer_for_the_worklist(demo_cli: Cli) -> None:
    out = demo_cli.ok("conversation", "list", "--contact", "1", "--channel", "whatsapp").stdout
    header, _, *lines = out.splitlines()
    assert header.split()[:7] == ["id", "started", "channel", "status", "queue", "contact", "customer"]
    line_100 = next(line for line in lines if line.split()[0] == "100")
    assert line_100.split()[5:8] == ["+385911234567", "1", "Maja"]
    unlinked = demo_cli.ok("conversation", "list", "--unlinked", "--channel", "sms").stdout
    line_139 = next(line for line in unlinked.splitlines() if line.split()[0] == "139")
    assert line_139.split()[5:7] == ["+4366412345678", "-"]


def test_show_csv_is_the_transcript_one_item_per_row(demo_cli: Cli) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(demo_cli.ok("conversation", "show", "110", "-f", "csv").stdout)))
    assert list(rows[0]) == ["conversation", "at", "kind", "author", "text", "event", "recording"]
    assert len(rows) == len(demo_cli.json("conversation", "show", "110")["items"])
    assert {r["conversation"] for r in rows} == {"110"}
    assert [r["event"] for r in rows if r["kind"] == "call_event"] == ["started", "answered", "ended", "recording"]
    assert any(r["recording"] == "rec-110.wav" for r in rows)
