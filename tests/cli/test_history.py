"""`cctx history show`: whose history, order, filters, retention and the summary shape (the history rule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli, query, write

SUMMARY_KEYS = [
    "id", "channel", "status", "queue", "contact", "customer_id", "talking_with", "started_at", "closed_at",
    "last_activity_at", "messages", "notes", "call_events",
]
# Person 1 (Maja Horvat) in fixtures/demo.yaml, oldest first; 113 is an instagram_posts conversation.
MAJA = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 114, 112]
UNKNOWN_PHONE = "+385981112233"  # owned by nobody: 159, 158 (voice), 156, 157


def ids(rows: list[dict]) -> list[int]:
    return [r["id"] for r in rows]


def test_person_history_is_chronological_with_the_summary_keys(demo_cli: Cli) -> None:
    rows = demo_cli.json("history", "show", "1")
    assert ids(rows) == MAJA
    assert all(list(r) == SUMMARY_KEYS for r in rows)
    starts = [r["started_at"] for r in rows]
    assert starts == sorted(starts)
    first = rows[0]
    assert first == {
        "id": 100, "channel": "whatsapp", "status": "closed", "queue": "billing", "contact": "+385911234567",
        "customer_id": 1, "talking_with": "Maja Horvat", "started_at": "2024-01-15T09:12:00Z",
        "closed_at": "2024-01-15T09:53:00Z", "last_activity_at": "2024-01-15T09:23:00Z",
        "messages": 4, "notes": 1, "call_events": 0,
    }
    no_queue = next(r for r in rows if r["id"] == 107)
    assert no_queue["queue"] is None and no_queue["closed_at"] == "2026-05-23T06:20:00Z"


def test_counts_and_last_activity_match_the_items(demo_cli: Cli) -> None:
    rows = demo_cli.json("history", "show", "1")
    for row in rows:
        counts = dict(query(demo_cli.db, "SELECT kind, count(*) FROM items WHERE conversation_id = ? GROUP BY kind",
                            (row["id"],)))
        assert (row["messages"], row["notes"], row["call_events"]) == (
            counts.get("message", 0), counts.get("note", 0), counts.get("call_event", 0))
        latest = query(demo_cli.db, "SELECT max(at) FROM items WHERE conversation_id = ?", (row["id"],))[0][0]
        assert row["last_activity_at"] == (latest or row["started_at"])


@pytest.mark.parametrize("ref", ["+385911234567", "+385 91 123-4567", "telegram:48151623",
                                 "email:Maja.Horvat@Example.com", "livechat:lc-7f3a91c2"])
def test_an_owned_destination_shows_its_owners_history(demo_cli: Cli, ref: str) -> None:
    assert ids(demo_cli.json("history", "show", ref)) == MAJA


def test_an_unowned_destination_shows_the_unlinked_conversations_with_that_contact(demo_cli: Cli) -> None:
    rows = demo_cli.json("history", "show", UNKNOWN_PHONE)
    assert ids(rows) == [159, 158, 156, 157]
    assert {(r["customer_id"], r["contact"], r["talking_with"]) for r in rows} == {
        (None, UNKNOWN_PHONE, UNKNOWN_PHONE)}
    assert ids(demo_cli.json("history", "show", "email:INFO@primjer-trgovina.hr")) == [160]
    # the same value on another destination type is another contact
    assert demo_cli.json("history", "show", "telegram:99887766") != []
    assert demo_cli.json("history", "show", "line:99887766") == []


def test_a_linked_conversation_is_not_in_its_contacts_unknown_history(empty_cli: Cli, tmp_path: Path) -> None:
    world = write(tmp_path / "w.yaml", """
people:
  - {id: 1, first_name: Ana}
conversations:
  - {id: 1, channel: sms, contact: "+385910000009", customer: 1, created_at: 2026-01-01T00:00:00Z}
  - {id: 2, channel: sms, contact: "+385910000009", created_at: 2026-01-02T00:00:00Z}
  - {id: 3, channel: whatsapp, contact: "+385910000009", customer: null, created_at: 2026-01-03T00:00:00Z}
""")
    empty_cli.ok("db", "import", str(world))
    assert ids(empty_cli.json("history", "show", "+385910000009")) == [2, 3]
    assert ids(empty_cli.json("history", "show", "1")) == [1]


def test_unknown_person_and_bad_reference_are_errors(demo_cli: Cli) -> None:
    assert "customer 999 not found" in demo_cli.fail("history", "show", "999").stderr
    assert "not a customer reference" in demo_cli.fail("history", "show", "fax:123").stderr
    assert "E.164" in demo_cli.fail("history", "show", "+12ab").stderr
    assert demo_cli.run("history", "show").exit_code == 2


def test_a_destination_without_conversations_is_an_empty_history(demo_cli: Cli) -> None:
    assert demo_cli.json("history", "show", "+385990000000") == []
    assert demo_cli.ok("history", "show", "+385990000000").stdout == "No conversation history\n"
    # a person with no conversation in history
    demo_cli.ok("db", "import", "-", input='{"people": [{"id": 77, "last_name": "Nobody"}]}')
    assert demo_cli.json("history", "show", "77") == []


def test_newest_first_and_limit(demo_cli: Cli) -> None:
    assert ids(demo_cli.json("history", "show", "1", "--newest-first")) == MAJA[::-1]
    assert ids(demo_cli.json("history", "show", "1", "--limit", "3")) == MAJA[:3]
    assert ids(demo_cli.json("history", "show", "1", "--newest-first", "--limit", "2")) == [112, 114]
    assert demo_cli.run("history", "show", "1", "--limit", "0").exit_code == 2


def test_equal_start_times_keep_a_stable_order(empty_cli: Cli, tmp_path: Path) -> None:
    world = write(tmp_path / "w.yaml", """
conversations:
  - {id: 7, channel: sms, contact: "+385910000009", created_at: 2026-01-01T00:00:00Z}
  - {id: 5, channel: voice, contact: "+385910000009", created_at: 2026-01-01T00:00:00Z}
  - {id: 6, channel: viber, contact: "+385910000009", created_at: 2026-01-01T00:00:00Z}
""")
    empty_cli.ok("db", "import", str(world))
    assert ids(empty_cli.json("history", "show", "+385910000009")) == [5, 6, 7]
    assert ids(empty_cli.json("history", "show", "+385910000009", "--newest-first")) == [7, 6, 5]


def test_channel_and_status_filters_repeat(demo_cli: Cli) -> None:
    rows = demo_cli.json("history", "show", "1", "--channel", "whatsapp", "--channel", "voice")
    assert ids(rows) == [100, 102, 109, 110, 112]
    assert ids(demo_cli.json("history", "show", "1", "--status", "solved", "--status", "waiting")) == [104, 108, 114]
    both = demo_cli.json("history", "show", "1", "--channel", "whatsapp", "--status", "closed")
    assert ids(both) == [100, 109]
    same = demo_cli.json("history", "show", "1", "--channel", "whatsapp", "--channel", "whatsapp")
    assert ids(same) == [100, 109, 112]


def test_posts_channels_and_tombstones_never_appear(demo_cli: Cli) -> None:
    assert 113 not in ids(demo_cli.json("history", "show", "1"))  # instagram_posts, linked to person 1
    assert demo_cli.json("history", "show", "1", "--channel", "instagram_posts") == []
    assert demo_cli.json("history", "show", "messenger:6120099990000001", "--channel", "facebook_posts") == []
    assert demo_cli.json("history", "show", "google_play:gp-reviewer-4410") == []
    assert demo_cli.ok("history", "show", "1", "--channel", "google_play_reviews").stdout == (
        "No conversation history\n")
    before = {r["id"]: r for r in demo_cli.json("history", "show", "1")}
    demo_cli.ok("conversation", "merge", "112", "109")
    after = {r["id"]: r for r in demo_cli.json("history", "show", "1")}
    assert 109 not in after and list(after) == [i for i in MAJA if i != 109]
    # the target shows the moved items in its counts
    assert after[112]["messages"] == before[112]["messages"] + before[109]["messages"]
    assert after[112]["notes"] == before[112]["notes"] + before[109]["notes"]


def test_unknown_channel_or_status_is_a_usage_error_listing_valid_ones(demo_cli: Cli) -> None:
    result = demo_cli.fail("history", "show", "1", "--channel", "pigeon", code=2)
    assert "pigeon" in result.stderr and "whatsapp" in result.stderr and "google_play_reviews" in result.stderr
    result = demo_cli.fail("history", "show", "1", "--status", "merged", code=2)
    assert "open" in result.stderr and "closed" in result.stderr


def test_retention_hides_expired_closed_conversations(demo_cli: Cli, tmp_path: Path) -> None:
    cfg = write(tmp_path / "policy.yaml", "retention: {default_days: 365, channels: {voice: 30}}\n")
    rows = demo_cli.json("--config", str(cfg), "history", "show", "1")
    # horizon 2025-11-25 (voice 2026-10-26): closed before it is hidden; 104 (solved, 2025) stays
    assert ids(rows) == [104, 106, 107, 108, 109, 110, 111, 114, 112]
    cfg = write(tmp_path / "policy.yaml", "retention: {default_days: 365, channels: {voice: 20}}\n")
    assert 110 not in ids(demo_cli.json("--config", str(cfg), "history", "show", "1"))
    # a channel with its own entry but no default: the others never expire
    cfg = write(tmp_path / "policy.yaml", "retention: {channels: {whatsapp: 30}}\n")
    assert ids(demo_cli.json("--config", str(cfg), "history", "show", "1")) == [
        i for i in MAJA if i not in (100, 109)]
    # no policy: everything is shown
    assert ids(demo_cli.json("history", "show", "1")) == MAJA


def test_retention_horizon_boundary(empty_cli: Cli, tmp_path: Path) -> None:
    world = write(tmp_path / "w.yaml", """
conversations:
  - {id: 1, channel: sms, contact: "+385910000009", status: closed, created_at: 2026-11-01T00:00:00Z,
     closed_at: 2026-11-15T12:00:00Z}
  - {id: 2, channel: sms, contact: "+385910000009", status: closed, created_at: 2026-11-01T00:00:00Z,
     closed_at: 2026-11-15T11:59:59Z}
  - {id: 3, channel: sms, contact: "+385910000009", status: waiting, created_at: 2020-01-01T00:00:00Z}
""")
    empty_cli.ok("db", "import", str(world))
    cfg = write(tmp_path / "policy.yaml", "retention: {default_days: 10}\n")  # horizon 2026-11-15T12:00:00Z
    assert ids(empty_cli.json("--config", str(cfg), "history", "show", "+385910000009")) == [3, 1]


def test_table_has_one_line_per_conversation(demo_cli: Cli) -> None:
    out = demo_cli.ok("history", "show", UNKNOWN_PHONE).stdout.splitlines()
    assert out[0].split() == ["id", "started", "channel", "status", "queue", "talking", "with", "msgs", "notes",
                              "calls"]
    assert len(out) == 2 + 4
    assert out[2].split() == ["159", "2025-08-08T11:00:00Z", "whatsapp", "closed", "sales", UNKNOWN_PHONE,
                              "2", "0", "0"]
    assert out[3].split()[-3:] == ["0", "1", "4"]  # the voice call: 1 note, 4 call events
    no_queue = demo_cli.ok("history", "show", "1", "--channel", "instagram").stdout.splitlines()[2]
    assert no_queue.split()[:6] == ["107", "2026-05-22T19:40:00Z", "instagram", "closed", "-", "Maja"]


def test_csv_and_yaml(demo_cli: Cli) -> None:
    lines = demo_cli.ok("history", "show", UNKNOWN_PHONE, "-f", "csv").stdout.splitlines()
    assert lines[0] == ",".join(SUMMARY_KEYS)
    assert lines[1].startswith("159,whatsapp,closed,sales,+385981112233,,+385981112233,")
    assert len(lines) == 5
    assert "id: 159" in demo_cli.ok("history", "show", UNKNOWN_PHONE, "-f", "yaml").stdout
    assert demo_cli.ok("history", "show", "+385990000000", "-f", "yaml").stdout.strip() == "[]"



@pytest.mark.parametrize("command", [("history", "show", "1"), ("customer", "list")])
def test_a_limit_beyond_what_sqlite_holds_is_a_usage_error(demo_cli: Cli, command: tuple[str, ...]) -> None:
    result = demo_cli.fail(*command, "--limit", str(2**63), code=2)
    assert "--limit" in result.stderr and "Traceback" not in result.stderr


def test_empty_history_as_csv_still_has_its_header(demo_cli: Cli) -> None:
    out = demo_cli.ok("history", "show", "1", "--channel", "facebook_posts", "-f", "csv").stdout
    assert out.splitlines() == [
        "id,channel,status,queue,contact,customer_id,talking_with,started_at,closed_at,last_activity_at,"
        "messages,notes,call_events"
    ]
