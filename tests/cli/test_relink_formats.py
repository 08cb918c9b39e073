"""`conversation relink` input forms a script or a spreadsheet produces."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, query, write


def test_yaml_flow_list_is_yaml_not_json(demo_cli: Cli, tmp_path: Path) -> None:
    for name in ("relink.yaml", "relink"):
        path = write(tmp_path / name, "[{conversation: 156, customer: 2}, {conversation: 157}]\n")
        result = demo_cli.json("conversation", "relink", str(path), "--dry-run")
        assert result == {"linked": 1, "unlinked": 1, "unchanged": 0, "dry_run": True}
    result = demo_cli.json("conversation", "relink", "-", "--dry-run", input="[{conversation: 156, customer: 2}]")
    assert result["linked"] == 1


def test_malformed_json_file_is_still_reported_as_such(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "relink.json", "[{conversation: 156}]")
    assert "not CSV" in demo_cli.fail("conversation", "relink", str(path)).stderr


def test_csv_on_stdin_with_a_byte_order_mark(demo_cli: Cli) -> None:
    # what a spreadsheet's "CSV UTF-8" export starts with
    result = demo_cli.json("conversation", "relink", "-", input="\ufeffconversation,customer\r\n156,2\r\n")
    assert result == {"linked": 1, "unlinked": 0, "unchanged": 0, "dry_run": False}
    assert query(demo_cli.db, "SELECT person_id FROM conversations WHERE id = 156") == [(2,)]
