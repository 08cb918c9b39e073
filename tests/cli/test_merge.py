"""`conversation merge` (the merge rules): what moves, what stays, what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import NOW, Cli, query, table_counts


def _snapshot(cli: Cli) -> dict[str, list[tuple[Any, ...]]]:
    return {
        t: query(cli.db, f"SELECT * FROM {t} ORDER BY 1, 2")
        for t in ("conversations", "items", "participants", "audit", "destinations")
    }


def _items(cli: Cli, conversation_id: int) -> list[tuple[Any, ...]]:
    return query(cli.db, "SELECT id, at, kind, author, text, event, recording FROM items "
                 "WHERE conversation_id = ? ORDER BY id", (conversation_id,))


def test_merge_moves_items_in_time_order_and_leaves_a_tombstone(demo_cli: Cli) -> None:
    moved = _items(demo_cli, 115)
    result = demo_cli.json("conversation", "merge", "116", "115")
    assert result["target"] == 116 and result["merged"] == [115]
    assert result["items_moved"] == 2 and result["dry_run"] is False
    target = demo_cli.json("conversation", "show", "116")
    assert [i["at"] for i in target["items"]] == sorted(i["at"] for i in target["items"])
    assert target["items"][0] == {"at": "2026-11-24T10:02:00Z", "kind": "message", "author": "customer",
                                  "text": "My router keeps rebooting every hour.", "event": None, "recording": None}
    assert target["items"][1]["author"] == "marko"
    assert set(moved) <= set(_items(demo_cli, 116))
    assert (target["messages"], target["notes"], target["call_events"]) == (4, 1, 0)
    assert target["agents"] == ["ivana", "marko"]
    assert target["last_activity_at"] == "2026-11-24T10:11:00Z"
    tombstone = demo_cli.json("conversation", "show", "115")
    assert tombstone["status"] == "merged" and tombstone["merged_into"] == 116 and tombstone["merged_at"] == NOW
    assert tombstone["items"] == [] and (tombstone["messages"], tombstone["notes"]) == (0, 0)
    assert tombstone["last_activity_at"] == tombstone["started_at"]
    assert "merged_into       116" in demo_cli.ok("conversation", "show", "115").stdout


def test_merged_conversation_leaves_history_and_list(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "merge", "116", "115")
    assert 115 not in {r["id"] for r in demo_cli.json("history", "show", "2")}
    assert 116 in {r["id"] for r in demo_cli.json("history", "show", "2")}
    assert 115 not in {r["id"] for r in demo_cli.json("conversation", "list", "--contact", "2")}
    assert [r["id"] for r in demo_cli.json("conversation", "list", "--status", "merged")] == [115]


def test_merge_is_audited(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "merge", "116", "115")
    record = demo_cli.json("audit", "list", "--action", "conversation.merge")[0]
    assert record["subject"] == [116, 115] and record["actor"] == "tester"
    assert record["details"]["items_moved"] == 2 and record["details"]["merged"] == [115]
    assert record["details"]["participants_added"] == ["marko"]


def test_dry_run_reports_the_same_and_writes_nothing(demo_cli: Cli) -> None:
    before = _snapshot(demo_cli)
    dry = demo_cli.json("conversation", "merge", "112", "109", "106", "--dry-run")
    assert _snapshot(demo_cli) == before
    real = demo_cli.json("conversation", "merge", "112", "109", "106")
    assert dry == {**real, "dry_run": True}
    assert dry["items_moved"] == 3 + 4


def test_unknown_contact_conversations_merge(demo_cli: Cli) -> None:
    result = demo_cli.json("conversation", "merge", "156", "157", "159")
    assert result["items_moved"] == 4
    assert demo_cli.json("conversation", "show", "156")["customer_id"] is None


def test_call_channels_of_one_kind_merge(demo_cli: Cli) -> None:
    result = demo_cli.json("conversation", "merge", "132", "131")
    assert result["items_moved"] == 4 and result["status"] == "waiting"
    shown = demo_cli.json("conversation", "show", "132")
    assert shown["call_events"] == 7 and shown["notes"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["116", "116"], "cannot be merged into itself"),
        (["116", "115", "115"], "conversation 115 is listed twice"),
        (["116", "999"], "conversation 999 not found"),
        (["116", "156"], "only one customer's conversations merge"),
        (["116", "119"], "only one channel kind merges"),
        (["107", "113"], "only one channel kind merges"),
        (["156", "158"], "only one channel kind merges"),
        (["109", "171"], "only one customer's conversations merge"),
        (["116", "117", "100"], "only one customer's conversations merge"),
    ],
)
def test_refused_merges_change_nothing(demo_cli: Cli, args: list[str], message: str) -> None:
    before = _snapshot(demo_cli)
    result = demo_cli.fail("conversation", "merge", *args)
    assert message in result.stderr and "merge refused, nothing changed" in result.stderr
    assert _snapshot(demo_cli) == before


def test_every_problem_is_listed(demo_cli: Cli) -> None:
    result = demo_cli.fail("conversation", "merge", "116", "116", "999", "119", "156")
    assert "4 problems" in result.stderr


def test_no_merge_into_a_tombstone_nor_twice(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "merge", "116", "115")
    before = table_counts(demo_cli.db)
    assert "tombstone merged into 116" in demo_cli.fail("conversation", "merge", "115", "117").stderr
    assert "already merged into 116" in demo_cli.fail("conversation", "merge", "117", "115").stderr
    assert "already merged" in demo_cli.fail("conversation", "merge", "116", "115", "--dry-run").stderr
    assert table_counts(demo_cli.db) == before


def test_closed_target_reopens_when_a_source_is_not_closed(demo_cli: Cli) -> None:
    result = demo_cli.json("conversation", "merge", "109", "112")
    assert result["status"] == "open" and result["closed_at"] is None
    assert query(demo_cli.db, "SELECT status, closed_at FROM conversations WHERE id = 109") == [("open", None)]


def test_closed_target_takes_the_latest_closed_at(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "merge", "100", "109", "101")
    assert query(demo_cli.db, "SELECT status, closed_at FROM conversations WHERE id = 100") == [
        ("closed", "2026-10-02T12:47:00Z")
    ]


def test_open_target_keeps_its_status(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "merge", "112", "109")
    assert query(demo_cli.db, "SELECT status, closed_at FROM conversations WHERE id = 112") == [("open", None)]


def test_earlier_tombstones_follow_their_items(demo_cli: Cli) -> None:
    demo_cli.json("conversation", "merge", "116", "115")
    demo_cli.json("conversation", "merge", "117", "116")
    assert demo_cli.json("conversation", "show", "115")["merged_into"] == 117
    assert demo_cli.json("conversation", "show", "116")["merged_into"] == 117
    shown = demo_cli.json("conversation", "show", "117")
    assert shown["status"] == "open" and len(shown["items"]) == 4 + 5
    record = demo_cli.json("audit", "list", "--action", "conversation.merge", "--limit", "1")[0]
    assert record["details"]["tombstones_repointed"] == [115]
