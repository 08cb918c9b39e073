"""`audit list`: newest first, filtered by action, time and count."""

from __future__ import annotations

from tests.conftest import Cli


def _changes(cli: Cli) -> None:
    cli.ok("conversation", "link", "156", "2", env={"CCTX_NOW": "2026-11-26T08:00:00Z"})
    cli.ok("conversation", "unlink", "156", env={"CCTX_NOW": "2026-11-27T08:00:00Z", "CCTX_ACTOR": "maja.admin"})
    cli.ok("conversation", "merge", "116", "115", env={"CCTX_NOW": "2026-11-28T08:00:00+02:00"})


def test_newest_first_with_the_contract_keys(demo_cli: Cli) -> None:
    _changes(demo_cli)
    records = demo_cli.json("audit", "list")
    assert [r["action"] for r in records] == [
        "conversation.merge", "conversation.unlink", "conversation.link", "import",
    ]
    assert all(list(r) == ["id", "at", "actor", "action", "subject", "details", "undone_by"] for r in records)
    assert [r["id"] for r in records] == [4, 3, 2, 1] and all(r["undone_by"] is None for r in records)
    assert records[0]["details"]["as_of"] == "2026-11-28T06:00:00Z"  # CCTX_NOW; `at` is the real clock
    assert records[1]["actor"] == "maja.admin" and records[1]["subject"] == [156]
    assert records[1]["details"] == {"before": 2, "after": None, "was_marked_unlinked": False,
                                     "as_of": "2026-11-27T08:00:00Z"}


def test_filters(demo_cli: Cli) -> None:
    _changes(demo_cli)
    assert [r["action"] for r in demo_cli.json("audit", "list", "--action", "conversation.link")] == [
        "conversation.link"
    ]
    assert len(demo_cli.json("audit", "list", "--limit", "2")) == 2
    assert demo_cli.json("audit", "list", "--action", "history.purge") == []


def test_table_and_empty(demo_cli: Cli) -> None:
    _changes(demo_cli)
    out = demo_cli.ok("audit", "list", "--limit", "1").stdout
    assert out.splitlines()[0].split() == ["id", "at", "actor", "action", "subject", "details", "undone_by"]
    assert "conversation.merge" in out and "[116,115]" in out
    assert demo_cli.ok("audit", "list", "--action", "history.purge").stdout == "No audit records\n"


def test_bad_since(demo_cli: Cli) -> None:
    assert "no time zone" in demo_cli.fail("audit", "list", "--since", "2026-11-01T00:00:00").stderr
    demo_cli.fail("audit", "list", "--limit", "0", code=2)


def test_no_op_and_refused_changes_write_no_record(demo_cli: Cli) -> None:
    before = len(demo_cli.json("audit", "list"))
    demo_cli.ok("conversation", "link", "100", "1")
    demo_cli.ok("conversation", "unlink", "139")
    demo_cli.ok("conversation", "merge", "116", "115", "--dry-run")
    demo_cli.fail("conversation", "merge", "116", "156")
    assert len(demo_cli.json("audit", "list")) == before
