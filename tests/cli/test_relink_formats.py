"""`conversation relink` input forms a script or a spreadsheet produces."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, query, write


def test_yaml_flow_list_is_yaml_not_json(demo_cli: Cli, tmp_path: Path) -> None:
    for name in ("relink.yaml", "relink"):
        path = write(tmp_path / name, "[{conversation: 156, customer: 2}, {conversation: 157, customer: null}]\n")
        result = demo_cli.json("conversation", "relink", str(path), "--dry-run")
        assert result == {"linked": 1, "unlinked": 1, "unchanged": 0, "dry_run": True}
    result = demo_cli.json("conversation", "relink", "-", "--dry-run", input="[{conversation: 156, customer: 2}]")
    assert result["linked"] == 1


def test_malformed_json_file_is_still_reported_as_such(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "relink.json", "[{conversation: 156}]")
    assert f"{path}: line 1, column 3: not valid JSON" in demo_cli.fail("conversation", "relink", str(path)).stderr


def test_csv_on_stdin_with_a_byte_order_mark(demo_cli: Cli) -> None:
    # what a spreadsheet's "CSV UTF-8" export starts with
    result = demo_cli.json("conversation", "relink", "-", input="\ufeffconversation,customer\r\n156,2\r\n")
    assert result == {"linked": 1, "unlinked": 0, "unchanged": 0, "dry_run": False}
    assert query(demo_cli.db, "SELECT person_id FROM conversations WHERE id = 156") == [(2,)]


def test_help_explains_what_an_empty_customer_does(demo_cli: Cli) -> None:
    relink_help = demo_cli.ok("conversation", "relink", "--help").stdout
    # the template of unlinked conversations, fed back unedited, would mark every one explicitly unlinked
    assert "--relink-template | cctx conversation relink" not in relink_help
    assert "marks" in relink_help and "explicitly unlinked" in relink_help
    unlink_help = demo_cli.ok("conversation", "unlink", "--help").stdout
    assert "changed: true" in unlink_help and "changed: false" in unlink_help


def test_unlink_and_relink_count_a_never_linked_conversation_alike(demo_cli: Cli, tmp_path: Path) -> None:
    # 156 was never linked nor marked: both mark it, both call that a change
    assert demo_cli.json("conversation", "relink", "-", "--dry-run", input="conversation,customer\n156,\n") == {
        "linked": 0, "unlinked": 1, "unchanged": 0, "dry_run": True}
    assert demo_cli.json("conversation", "unlink", "156")["changed"] is True
    assert demo_cli.json("conversation", "relink", "-", input="conversation,customer\n156,\n")["unchanged"] == 1


def test_quoted_csv_header_on_stdin(demo_cli: Cli) -> None:
    result = demo_cli.json("conversation", "relink", "-", "--dry-run", input='"conversation","customer"\n"156","2"\n')
    assert result == {"linked": 1, "unlinked": 0, "unchanged": 0, "dry_run": True}


def test_blank_lines_before_the_csv_header_are_skipped(demo_cli: Cli) -> None:
    result = demo_cli.json("conversation", "relink", "-", "--dry-run", input="\n\nconversation,customer\n156,2\n")
    assert result["linked"] == 1
