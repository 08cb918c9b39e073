"""Retention horizons far in the past: a very long policy or --older-than keeps everything, never crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli, table_counts, write

WORLD = """
people:
  - {id: 1, first_name: Maja, destinations: [{type: phone, value: "+385911234567"}]}
conversations:
  - {id: 10, channel: sms, contact: "+385911234567", status: closed, created_at: 2020-01-01T10:00:00Z,
     closed_at: 2020-01-02T10:00:00Z, items: [{at: 2020-01-01T10:00:00Z, kind: message, author: customer, text: hi}]}
  - {id: 11, channel: whatsapp, contact: "+385911234567", status: closed, created_at: 2024-01-01T10:00:00Z,
     closed_at: 2024-01-02T10:00:00Z}
"""


@pytest.fixture
def world(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    return empty_cli


@pytest.mark.parametrize("days", [400_000, 1_000_000, 999_999_999])
def test_a_policy_longer_than_a_hundred_years_is_refused_naming_the_key(world: Cli, tmp_path: Path, days: int) -> None:
    write(tmp_path / "cctx.yaml", f"retention:\n  default_days: {days}\n")
    before = table_counts(world.db)
    result = world.fail("history", "purge", "--dry-run")
    assert f"retention.default_days must be a whole number from 1 to 36,500, not {days}" in result.stderr
    assert table_counts(world.db) == before


def test_the_longest_policy_keeps_everything(world: Cli, tmp_path: Path) -> None:
    write(tmp_path / "cctx.yaml", "retention:\n  default_days: 36500\n")
    before = table_counts(world.db)
    assert world.json("history", "purge", "--dry-run")["conversations"] == 0
    result = world.json("history", "purge")
    assert result["conversations"] == 0 and result["items"] == 0
    assert table_counts(world.db)["conversations"] == before["conversations"]
    assert world.json("conversation", "show", "10")["expired"] is False
    assert [c["id"] for c in world.json("history", "show", "1")] == [10, 11]


@pytest.mark.parametrize("duration", ["53600w", "400000d", "999999999d", "99999999999d", "99999999999999h"])
def test_older_than_longer_than_the_calendar_purges_nothing(world: Cli, duration: str) -> None:
    result = world.json("history", "purge", "--older-than", duration)
    assert result["conversations"] == 0
    assert result["horizon"] is not None and result["horizon"] < "2020"
    assert len(result["horizon"]) == len("2020-01-01T00:00:00Z")
    assert table_counts(world.db)["conversations"] == 2


def test_an_empty_older_than_is_refused_not_ignored(world: Cli, tmp_path: Path) -> None:
    write(tmp_path / "cctx.yaml", "retention:\n  default_days: 30\n")
    result = world.fail("history", "purge", "--older-than", "")
    assert "duration" in result.stderr
    assert table_counts(world.db)["conversations"] == 2
