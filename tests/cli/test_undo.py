"""`cctx undo`: every undoable change reversed exactly (a full snapshot of the domain tables, read through
the store, compared before and after), and every refusal shown changing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cctx.store import Store
from tests.conftest import Cli, query, write


def snapshot(db: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every domain table (audit excepted), read through the store: either engine."""
    store = Store.open(db, 5000)
    try:
        return store.undo.domain_snapshot()
    finally:
        store.close()


def last_id(cli: Cli) -> int:
    return int(cli.json("audit", "list", "--limit", "1")[0]["id"])


def audit_count(cli: Cli) -> int:
    return len(cli.json("audit", "list"))


RELINK_CSV = "conversation,customer\n100,\n156,2\n161,+385981234001\n"

# name -> (setup commands, the change to undo); each runs on the demo world, at later and later times
SCENARIOS: dict[str, tuple[list[list[str]], list[str]]] = {
    "link": ([], ["conversation", "link", "156", "2"]),
    "link of an explicitly unlinked one": ([["conversation", "unlink", "158"]], ["conversation", "link", "158", "1"]),
    "link adding the destination, with auto-links": ([], ["conversation", "link", "156", "2", "--add-destination"]),
    "unlink": ([], ["conversation", "unlink", "100"]),
    "relink": ([], ["conversation", "relink", "relink.csv"]),
    "merge": ([], ["conversation", "merge", "116", "115"]),
    "merge reopening a closed target": ([], ["conversation", "merge", "117", "115", "118"]),
    "merge of a conversation with tombstones": ([["conversation", "merge", "116", "115"]],
                                                ["conversation", "merge", "118", "116"]),
    "customer update": ([], ["customer", "update", "1", "--city", "Split", "--unset", "country", "--set",
                             "plan=gold", "--tag", "new", "--destination", "+385981112233"]),
    "customer tag": ([], ["customer", "tag", "1", "b2b", "churn-risk"]),
    "customer untag": ([["customer", "tag", "3", "b2b", "x"]], ["customer", "untag", "3", "x", "b2b"]),
    "destination add, with auto-links": ([], ["customer", "destination", "add", "2", "+385981112233"]),
    "destination remove (the first one)": ([], ["customer", "destination", "remove", "1", "+385911234567"]),
    "customer merge, with holds": ([["hold", "add", "--customer", "3", "--reason", "audit"],
                                    ["hold", "add", "--customer", "10", "--reason", "claim"]],
                                   ["customer", "merge", "2", "3", "10"]),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_change_is_undone_exactly(demo_cli: Cli, name: str, tmp_path: Path) -> None:
    write(tmp_path / "relink.csv", RELINK_CSV)
    setup, change = SCENARIOS[name]
    for i, command in enumerate(setup):
        demo_cli.ok(*command, env={"CCTX_NOW": f"2026-11-26T08:0{i}:00Z"})
    before = snapshot(demo_cli.db)
    demo_cli.ok(*change, env={"CCTX_NOW": "2026-11-27T09:00:00Z"})
    changed = snapshot(demo_cli.db)
    assert changed != before
    record = last_id(demo_cli)
    action = demo_cli.json("audit", "show", str(record))["action"]

    dry = demo_cli.json("undo", str(record), "--dry-run")
    assert snapshot(demo_cli.db) == changed and last_id(demo_cli) == record  # a dry run writes nothing
    result = demo_cli.json("undo", str(record), env={"CCTX_NOW": "2026-11-28T10:00:00Z"})
    assert result == {**dry, "dry_run": False}
    assert result["undone"] == record and result["action"] == action
    assert result["conversations"] + result["people"] > 0
    assert snapshot(demo_cli.db) == before  # the rows are exactly as before, ids and timestamps included

    undo = demo_cli.json("audit", "show", str(last_id(demo_cli)))
    assert undo["action"] == "undo" and undo["details"]["undoes"] == record
    assert undo["subject"] == demo_cli.json("audit", "show", str(record))["subject"]
    assert demo_cli.json("audit", "show", str(record))["undone_by"] == undo["id"]
    listed = {r["id"]: r["undone_by"] for r in demo_cli.json("audit", "list")}
    assert listed[record] == undo["id"] and listed[undo["id"]] is None


def test_undo_keeps_stored_display_names(demo_cli: Cli) -> None:
    demo_cli.ok("conversation", "link", "156", "2")
    demo_cli.ok("customer", "show", "--conversation", "156")  # refreshes the stored name to Ivan's
    talking_with = demo_cli.json("conversation", "show", "156")["talking_with"]
    demo_cli.ok("undo", str(last_id(demo_cli)))
    shown = demo_cli.json("conversation", "show", "156")
    assert shown["customer_id"] is None and shown["talking_with"] == talking_with


def test_merge_undone_puts_items_back_with_their_timestamps(demo_cli: Cli) -> None:
    before = {cid: demo_cli.json("conversation", "show", cid) for cid in ("117", "115", "118")}
    merged = demo_cli.json("conversation", "merge", "117", "115", "118")
    assert merged["status"] == "open"
    demo_cli.json("undo", str(last_id(demo_cli)))
    for cid, shown in before.items():
        assert demo_cli.json("conversation", "show", cid) == shown


def test_table_form(demo_cli: Cli) -> None:
    demo_cli.ok("conversation", "merge", "116", "115")
    out = demo_cli.ok("undo", "2").stdout
    assert "undone" in out and "conversation.merge" in out
    shown = demo_cli.ok("audit", "show", "2").stdout
    assert "undone_by" in shown and "items_from" in shown


# --- refusals: exit 1, Error: ..., nothing changed ---------------------------------------------------


def _refused(cli: Cli, audit_id: str, *expected: str) -> None:
    before, records = snapshot(cli.db), audit_count(cli)
    for args in ((), ("--dry-run",)):
        error = cli.fail("undo", audit_id, *args).stderr
        for text in expected:
            assert text in error, error
    assert snapshot(cli.db) == before and audit_count(cli) == records


def test_a_change_touched_by_later_ones_is_refused_naming_them_newest_first(demo_cli: Cli) -> None:
    demo_cli.ok("conversation", "link", "156", "2")  # 2
    demo_cli.ok("customer", "tag", "1", "unrelated")  # 3: another person, untouched by 2
    demo_cli.ok("conversation", "link", "156", "3")  # 4
    demo_cli.ok("conversation", "unlink", "156")  # 5
    _refused(demo_cli, "2", "audit record 2 (conversation.link) cannot be undone",
             "later changes touched the same rows; undo them first, newest first: 5, 4")
    _refused(demo_cli, "4", "newest first: 5")
    demo_cli.ok("undo", "5")
    demo_cli.ok("undo", "4")
    demo_cli.ok("undo", "2")  # the later changes are undone: now it may be
    assert demo_cli.json("conversation", "show", "156")["customer_id"] is None
    assert "unrelated" in demo_cli.json("customer", "show", "1")["tags"]


def test_a_merge_touched_by_a_later_change_of_its_target(demo_cli: Cli) -> None:
    demo_cli.ok("conversation", "merge", "116", "115")  # 2
    demo_cli.ok("conversation", "link", "116", "1")  # 3
    _refused(demo_cli, "2", "newest first: 3")


def test_actions_that_cannot_be_undone(demo_cli: Cli) -> None:
    _refused(demo_cli, "1", "audit record 1 (import) cannot be undone")
    demo_cli.ok("agent", "add", "zoran")
    _refused(demo_cli, "2", "(agent.add) cannot be undone")
    demo_cli.ok("conversation", "unlink", "100")
    demo_cli.ok("undo", "3")
    _refused(demo_cli, "4", "(undo) cannot be undone")
    _refused(demo_cli, "3", "it was undone already, by audit record 4")
    demo_cli.fail("undo", "99")
    assert "audit record 99 not found" in demo_cli.fail("undo", "99").stderr


def test_rows_that_are_gone(demo_cli: Cli) -> None:
    demo_cli.ok("conversation", "merge", "116", "115", env={"CCTX_NOW": "2026-11-25T12:00:00Z"})
    demo_cli.ok("history", "purge", "--older-than", "1d", env={"CCTX_NOW": "2026-12-01T00:00:00Z"})
    _refused(demo_cli, "2", "conversation 115 no longer exists (purged or erased)")


def test_a_record_written_without_its_before_state(demo_cli: Cli) -> None:
    demo_cli.ok("conversation", "link", "156", "2")
    demo_cli.ok("customer", "tag", "1", "b2b")
    # as an older cctx wrote them, before undo existed
    query(demo_cli.db, "UPDATE audit SET details = '{\"after\": 2, \"before\": null}' WHERE id = 2")
    query(demo_cli.db, "UPDATE audit SET details = '{\"added\": [\"b2b\"], \"before\": [\"vip\"]}' WHERE id = 3")
    _refused(demo_cli, "2", "it was written by an older cctx and lacks what an undo needs "
                            "(unlinked_explicitly_before)")
    _refused(demo_cli, "3", "(updated_at_before)")


def test_a_removed_destination_taken_by_someone_else(demo_cli: Cli) -> None:
    demo_cli.ok("customer", "destination", "remove", "1", "+385911234567")  # 2
    demo_cli.ok("customer", "destination", "add", "2", "+385911234567")  # 3
    _refused(demo_cli, "2", "newest first: 3")
    demo_cli.ok("undo", "3")
    demo_cli.ok("undo", "2")
    assert demo_cli.json("customer", "show", "1")["destinations"][0] == {"type": "phone", "value": "+385911234567"}


def test_a_merged_person_comes_back_with_id_destinations_tags_and_conversations(demo_cli: Cli) -> None:
    before = {ref: demo_cli.json("customer", "show", ref) for ref in ("2", "3", "+385981234001")}
    history = demo_cli.json("history", "show", "3")
    demo_cli.ok("customer", "merge", "2", "3")
    assert demo_cli.json("customer", "show", "+385981234001")["customer_id"] == 2
    result = demo_cli.json("undo", str(last_id(demo_cli)))
    assert result == {"undone": 2, "action": "customer.merge", "conversations": 4, "people": 2, "dry_run": False}
    assert {ref: demo_cli.json("customer", "show", ref) for ref in before} == before
    assert demo_cli.json("history", "show", "3") == history
    shown = demo_cli.run("customer", "show", "3")
    assert "merged into" not in shown.stderr  # the id names person 3 again, without a note


def test_a_person_merge_touched_later_is_refused(demo_cli: Cli) -> None:
    demo_cli.ok("customer", "merge", "2", "3")  # 2
    demo_cli.ok("customer", "update", "2", "--city", "Zadar")  # 3
    _refused(demo_cli, "2", "(customer.merge) cannot be undone", "newest first: 3")


def test_a_link_whose_previous_person_was_merged_away(demo_cli: Cli) -> None:
    demo_cli.ok("conversation", "link", "120", "2")  # 2: conversation 120 was person 3's
    demo_cli.ok("customer", "merge", "1", "3")  # 3: does not touch conversation 120 (now person 2's)
    _refused(demo_cli, "2", "person 3 was merged into 1 since: undo that customer merge first")
    demo_cli.ok("undo", "3")
    demo_cli.ok("undo", "2")
    assert demo_cli.json("conversation", "show", "120")["customer_id"] == 3
