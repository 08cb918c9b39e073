"""`conversation link` and `conversation unlink` (auto-link, display name, link and unlink, audit)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Cli, query, table_counts


def _state(cli: Cli, conversation_id: int) -> tuple[Any, ...]:
    return query(
        cli.db, "SELECT person_id, unlinked_explicitly, display_name FROM conversations WHERE id = ?",
        (conversation_id,),
    )[0]


def _audit(cli: Cli, action: str) -> list[dict[str, Any]]:
    return cli.json("audit", "list", "--action", action)


def test_link_by_person_id_keeps_display_name_and_is_audited(demo_cli: Cli) -> None:
    assert _state(demo_cli, 156) == (None, 0, "+385981112233")
    result = demo_cli.json("conversation", "link", "156", "2")
    assert result == {"conversation": 156, "customer": 2, "changed": True}
    assert _state(demo_cli, 156) == (2, 0, "+385981112233")
    records = _audit(demo_cli, "conversation.link")
    assert len(records) == 1
    assert records[0]["subject"] == [156] and records[0]["actor"] == "tester"
    assert records[0]["details"]["before"] is None and records[0]["details"]["after"] == 2
    assert records[0]["details"]["as_of"] == "2026-11-25T12:00:00Z"  # `at` is the real clock


def test_repeated_link_changes_nothing_and_writes_no_audit(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "link", "156", "2")
    before = table_counts(demo_cli.db)
    assert demo_cli.json("conversation", "link", "156", "2")["changed"] is False
    assert table_counts(demo_cli.db) == before
    assert demo_cli.json("conversation", "link", "100", "1")["changed"] is False


def test_link_by_owned_destination(demo_cli: Cli) -> None:
    result = demo_cli.json("conversation", "link", "160", "email:IVAN.kovacevic@example.hr")
    assert result["customer"] == 2
    assert demo_cli.json("conversation", "link", "161", "+385 92 123 4567")["customer"] == 2


def test_relink_to_another_person_records_both(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "link", "100", "2")
    assert _state(demo_cli, 100) == (2, 0, "Maja Horvat")
    details = _audit(demo_cli, "conversation.link")[0]["details"]
    assert (details["before"], details["after"]) == (1, 2)


def test_link_target_must_be_a_person(demo_cli: Cli) -> None:
    before = table_counts(demo_cli.db)
    assert "no person owns email:x@example.com" in demo_cli.fail(
        "conversation", "link", "156", "email:x@example.com").stderr
    assert "person 99 not found" in demo_cli.fail("conversation", "link", "156", "99").stderr
    assert "not a customer reference" in demo_cli.fail("conversation", "link", "156", "what").stderr
    assert "conversation 999 not found" in demo_cli.fail("conversation", "link", "999", "1").stderr
    # a destination nobody owns is no person, even with --add-destination
    demo_cli.fail("conversation", "link", "156", "+385981112233", "--add-destination")
    assert table_counts(demo_cli.db) == before


def test_unlink_marks_explicitly_and_is_idempotent(demo_cli: Cli) -> None:
    assert demo_cli.json("conversation", "unlink", "100") == {"conversation": 100, "customer": None, "changed": True}
    assert _state(demo_cli, 100) == (None, 1, "Maja Horvat")
    assert demo_cli.json("conversation", "unlink", "100")["changed"] is False
    records = _audit(demo_cli, "conversation.unlink")
    assert len(records) == 1 and records[0]["details"]["before"] == 1 and records[0]["details"]["after"] is None


def test_unlink_of_a_never_linked_conversation_marks_it(demo_cli: Cli) -> None:
    assert demo_cli.json("conversation", "unlink", "156")["changed"] is True
    assert _state(demo_cli, 156)[:2] == (None, 1)
    assert demo_cli.json("conversation", "unlink", "156")["changed"] is False
    assert demo_cli.json("conversation", "unlink", "139")["changed"] is False  # imported with customer: null


def test_add_destination_autolinks_others_but_not_explicitly_unlinked(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "unlink", "156")
    result = demo_cli.json("conversation", "link", "157", "2", "--add-destination")
    assert result == {"conversation": 157, "customer": 2, "changed": True, "destination_added": True,
                      "autolinked": [158, 159]}
    assert query(demo_cli.db, "SELECT person_id FROM destinations WHERE type = 'phone' AND value = ?",
                 ("+385981112233",)) == [(2,)]
    linked = query(demo_cli.db, "SELECT id FROM conversations WHERE person_id = 2 AND contact = ? ORDER BY id",
                   ("+385981112233",))
    assert [r[0] for r in linked] == [157, 158, 159]
    assert _state(demo_cli, 156) == (None, 1, "+385981112233")  # never auto-linked again
    details = _audit(demo_cli, "conversation.link")[0]["details"]
    assert details["destination_added"] == {"type": "phone", "value": "+385981112233"}
    assert details["autolinked"] == [158, 159]
    # only an explicit link links it
    assert demo_cli.json("conversation", "link", "156", "2")["changed"] is True
    assert _state(demo_cli, 156)[:2] == (2, 0)


def test_add_destination_refused_when_another_person_owns_it(demo_cli: Cli) -> None:
    before = table_counts(demo_cli.db)
    result = demo_cli.fail("conversation", "link", "139", "1", "--add-destination")
    assert "+4366412345678 belongs to person 8" in result.stderr
    assert table_counts(demo_cli.db) == before
    assert _state(demo_cli, 139)[:2] == (None, 1)


def test_add_destination_already_owned_by_the_person(demo_cli: Cli) -> None:
    result = demo_cli.json("conversation", "link", "139", "8", "--add-destination")
    assert result["changed"] is True and result["destination_added"] is False
    assert demo_cli.json("conversation", "link", "139", "8", "--add-destination")["changed"] is False


def test_add_destination_only_is_a_change(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "link", "160", "3")
    result = demo_cli.json("conversation", "link", "160", "3", "--add-destination")
    assert result["changed"] is True and result["destination_added"] is True


def test_tombstones_cannot_be_linked_or_unlinked(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "merge", "116", "115")
    before = table_counts(demo_cli.db)
    assert "merged into 116" in demo_cli.fail("conversation", "link", "115", "1").stderr
    assert "merged into 116" in demo_cli.fail("conversation", "unlink", "115").stderr
    assert table_counts(demo_cli.db) == before


def test_table_output(demo_cli: Cli) -> None:
    out = demo_cli.ok("conversation", "link", "156", "2").stdout
    assert "customer" in out and "changed" in out and "yes" in out


def test_ids_beyond_sqlite_integers_are_not_found(demo_cli: Cli) -> None:
    huge = str(2**70)
    before = table_counts(demo_cli.db)
    for args in (["show", huge], ["link", huge, "1"], ["unlink", huge], ["merge", "116", huge], ["merge", huge, "116"]):
        assert f"conversation {huge} not found" in demo_cli.fail("conversation", *args).stderr
    assert "not found or not accessible" in demo_cli.fail("conversation", "show", huge, "--as-agent", "ana").stderr
    assert table_counts(demo_cli.db) == before
