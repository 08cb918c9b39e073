"""`conversation relink`: bulk link/unlink from CSV, YAML or JSON, checked as a whole first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import NOW_AT, Cli, ProgressRecorder, query, table_counts, write


def _links(cli: Cli, *ids: int) -> dict[int, tuple[Any, ...]]:
    marks = ",".join("?" * len(ids))
    rows = query(cli.db, f"SELECT id, person_id, unlinked_explicitly, display_name FROM conversations "
                         f"WHERE id IN ({marks})", ids)
    return {r[0]: r[1:] for r in rows}


def _snapshot(cli: Cli) -> dict[str, list[tuple[Any, ...]]]:
    return {t: query(cli.db, f"SELECT * FROM {t} ORDER BY 1") for t in ("conversations", "destinations", "audit")}


GOOD_CSV = "conversation,customer\n156,2\n157,email:ivan.kovacevic@example.hr\n100,\n101,1\n161,+385 92 123 4567\n"


def test_csv_relink_links_unlinks_and_counts(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "relink.csv", GOOD_CSV)
    result = demo_cli.json("conversation", "relink", str(path))
    assert result == {"linked": 3, "unlinked": 1, "unchanged": 1, "dry_run": False}
    assert _links(demo_cli, 156, 157, 100, 101, 161) == {
        156: (2, 0, "+385981112233"),
        157: (2, 0, "+385981112233"),
        100: (None, 1, "Maja Horvat"),
        101: (1, 0, "Maja Horvat"),
        161: (2, 0, "99887766"),
    }


def test_one_audit_record_per_run_with_detail(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "relink.csv", GOOD_CSV)
    demo_cli.json("conversation", "relink", str(path))
    records = demo_cli.json("audit", "list", "--action", "conversation.relink")
    assert len(records) == 1
    record = records[0]
    assert record["subject"] == [100, 156, 157, 161]
    details = record["details"]
    assert (details["linked"], details["unlinked"], details["unchanged"]) == (3, 1, 0 + 1)
    assert details["file"] == str(path)
    assert details["changes"] == [
        {"conversation": 100, "before": 1, "after": None, "unlinked_explicitly_before": False},
        {"conversation": 156, "before": None, "after": 2, "unlinked_explicitly_before": False},
        {"conversation": 157, "before": None, "after": 2, "unlinked_explicitly_before": False},
        {"conversation": 161, "before": None, "after": 2, "unlinked_explicitly_before": False},
    ]
    # the same file again changes nothing and writes no record
    assert demo_cli.json("conversation", "relink", str(path)) == {
        "linked": 0, "unlinked": 0, "unchanged": 5, "dry_run": False}
    assert len(demo_cli.json("audit", "list", "--action", "conversation.relink")) == 1


def test_dry_run_reports_exactly_and_writes_nothing(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "relink.csv", GOOD_CSV)
    before = _snapshot(demo_cli)
    dry = demo_cli.json("conversation", "relink", str(path), "--dry-run")
    assert _snapshot(demo_cli) == before
    assert dry == {**demo_cli.json("conversation", "relink", str(path)), "dry_run": True}


def test_every_problem_listed_with_csv_line_and_nothing_written(demo_cli: Cli, tmp_path: Path) -> None:
    demo_cli.json("conversation", "merge", "116", "115")
    path = write(tmp_path / "bad.csv", (
        "conversation,customer\n"
        "156,2\n"                    # 2 fine
        "999,1\n"                    # 3 unknown conversation
        "157,77\n"                   # 4 unknown person
        "115,2\n"                    # 5 merged conversation
        "158,whatever\n"             # 6 bad reference
        "156,1\n"                    # 7 listed twice
        "159,email:x@example.com\n"  # 8 nobody owns it: relink never adds destinations
        "abc,1\n"                    # 9 not an id
    ))
    before = _snapshot(demo_cli)
    result = demo_cli.fail("conversation", "relink", str(path))
    assert _snapshot(demo_cli) == before
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: relink refused, nothing written: 7 problems"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [f"line {n}" for n in range(3, 10)]
    text = result.stderr
    assert "line 3: conversation 999 not found" in text
    assert "line 4: person 77 not found" in text
    assert "line 5: conversation 115 is merged" in text
    assert "line 6: 'whatever' is not a customer reference" in text
    assert "line 7: conversation 156 is listed twice (first at line 2)" in text
    assert "line 8: no person owns email:x@example.com" in text
    assert "line 9: conversation 'abc' is not a conversation id" in text


def test_yaml_locations_are_zero_based_indexes(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yaml", (
        "- {conversation: 156, customer: 2}\n"
        "- {conversation: 999, customer: 2}\n"
        "- {conversation: 157, customer: 2, note: x}\n"
        "- just text\n"
        "- {customer: 2}\n"
    ))
    result = demo_cli.fail("conversation", "relink", str(path))
    assert result.stderr.splitlines()[1:] == [
        "  [1]: conversation 999 not found",
        "  [2]: unknown key 'note' (conversation, customer)",
        "  [3]: must be a mapping {conversation: ID, customer: REF}",
        "  [4]: missing key 'conversation'",
    ]


def test_yaml_null_or_empty_customer_unlinks(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "relink.yaml", (
        "- {conversation: 100, customer: null}\n"
        "- {conversation: 101, customer: ''}\n"
        "- {conversation: 156, customer: 1}\n"
        "- {conversation: 157, customer: '+385911234567'}\n"
    ))
    assert demo_cli.json("conversation", "relink", str(path)) == {
        "linked": 2, "unlinked": 2, "unchanged": 0, "dry_run": False}
    assert _links(demo_cli, 100, 101, 156, 157) == {
        100: (None, 1, "Maja Horvat"), 101: (None, 1, "Maja Horvat"),
        156: (1, 0, "+385981112233"), 157: (1, 0, "+385981112233"),
    }


def test_json_file_and_stdin(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "relink.json",
                 '[{"conversation": 156, "customer": 2}, {"conversation": 157, "customer": null}]')
    assert demo_cli.json("conversation", "relink", str(path))["linked"] == 1
    csv_in = demo_cli.json("conversation", "relink", "-", input="conversation,customer\n158,2\n")
    assert csv_in["linked"] == 1
    yaml_in = demo_cli.json("conversation", "relink", "-", input="- conversation: 159\n  customer: 2\n")
    assert yaml_in["linked"] == 1
    missing = demo_cli.fail("conversation", "relink", "-", input="- {conversation: 999, customer: 2}\n")
    assert missing.stderr.count("[0]") == 1


def test_relink_never_adds_destinations(demo_cli: Cli, tmp_path: Path) -> None:
    before = query(demo_cli.db, "SELECT * FROM destinations ORDER BY id")
    demo_cli.json("conversation", "relink", str(write(tmp_path / "r.csv", "conversation,customer\n156,2\n")))
    assert query(demo_cli.db, "SELECT * FROM destinations ORDER BY id") == before
    # nor does it auto-link the other conversations with that contact
    assert _links(demo_cli, 157)[157][0] is None


def test_explicitly_unlinked_by_relink_is_never_auto_linked(demo_cli: Cli, tmp_path: Path) -> None:
    demo_cli.json("conversation", "relink", str(write(tmp_path / "r.csv", "conversation,customer\n156,\n")))
    assert _links(demo_cli, 156)[156][:2] == (None, 1)
    linked = demo_cli.json("conversation", "link", "157", "2", "--add-destination")
    assert 156 not in linked["autolinked"]
    assert _links(demo_cli, 156)[156][:2] == (None, 1)


def test_bad_header_empty_file_and_missing_file(demo_cli: Cli, tmp_path: Path) -> None:
    bad = demo_cli.fail("conversation", "relink", str(write(tmp_path / "h.csv", "id,person\n156,2\n")))
    assert "line 1: the header must be conversation,customer" in bad.stderr
    empty = demo_cli.json("conversation", "relink", str(write(tmp_path / "e.csv", "conversation,customer\n")))
    assert empty == {"linked": 0, "unlinked": 0, "unchanged": 0, "dry_run": False}
    assert "no such file" in demo_cli.fail("conversation", "relink", str(tmp_path / "none.csv")).stderr


def test_no_progress_bar_when_stderr_is_not_a_terminal(demo_cli: Cli, tmp_path: Path) -> None:
    result = demo_cli.ok("conversation", "relink", str(write(tmp_path / "r.csv", GOOD_CSV)))
    assert result.stderr == ""
    assert "linked" in result.stdout


def test_round_trip_from_the_worklist(demo_cli: Cli, tmp_path: Path) -> None:
    """Export the unlinked worklist, fill in the customer column, feed it back."""
    template = demo_cli.ok("conversation", "list", "--contact", "+385981112233", "--relink-template").stdout
    assert template.splitlines()[0] == "conversation,customer"
    edited = "".join(
        line.replace(",", ",2") + "\n" if line.startswith(("156", "157")) else line + "\n"
        for line in template.splitlines()
    )
    path = write(tmp_path / "worklist.csv", edited)
    before = table_counts(demo_cli.db)
    result = demo_cli.json("conversation", "relink", str(path))
    assert result == {"linked": 2, "unlinked": 2, "unchanged": 0, "dry_run": False}
    assert table_counts(demo_cli.db)["audit"] == before["audit"] + 1
    assert {r["id"] for r in demo_cli.json("conversation", "list", "--contact", "2")} >= {156, 157}


def test_progress_is_advanced_once_per_change(demo_cli: Cli, tmp_path: Path) -> None:
    """The bar (drawn by the CLI only on a terminal) is sized to the changes and advanced to the end."""
    from cctx.services import relink
    from cctx.store import Store

    bar = ProgressRecorder()
    store = Store.open(demo_cli.db, 5000)
    try:
        result = relink.relink(store, str(write(tmp_path / "r.csv", GOOD_CSV)), now=NOW_AT,
                               actor="tester", dry_run=False, progress=bar)
    finally:
        store.close()
    assert (bar.length, bar.advanced) == (4, 4)
    assert result.linked + result.unlinked == 4


def test_empty_relink_template_is_still_a_relink_file(demo_cli: Cli, tmp_path: Path) -> None:
    out = demo_cli.ok("conversation", "list", "--unlinked", "--queue", "vip", "--relink-template").stdout
    assert out == "conversation,customer\n"
    empty = write(tmp_path / "empty.csv", out)
    assert demo_cli.json("conversation", "relink", str(empty)) == {
        "linked": 0, "unlinked": 0, "unchanged": 0, "dry_run": False,
    }
    header = demo_cli.ok("conversation", "list", "--queue", "vip", "--status", "merged", "-f", "csv").stdout
    assert header.startswith("id,channel,status,queue,contact,customer_id,talking_with,")
