"""`db doctor`: every check finds a problem planted behind cctx's back (plain SQL on the file or server),
and `--fix` repairs the derivable ones in one audited transaction, then checks again."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, query

DATA_CHECKS = [
    "counters", "last_activity_at", "items_in_tombstones", "merged_into", "closed_at", "autolink",
    "phone_destinations", "phone_contacts",
]
SQLITE_CHECKS = ["integrity", "foreign_keys", *DATA_CHECKS, "wal_cleared", "journal_mode", "file_mode"]


def _doctor(cli: Cli, *args: str) -> tuple[int, dict[str, Any]]:
    import json

    result = cli.run("db", "doctor", *args, "-f", "json")
    assert result.exit_code in (0, 1), result.stderr
    assert not result.stderr.startswith("Error"), result.stderr  # problems are output, not an error
    return result.exit_code, json.loads(result.stdout)


def _problem(report: dict[str, Any], check: str) -> dict[str, Any] | None:
    return next((p for p in report["problems"] if p["check"] == check), None)


def test_a_sound_database_passes_every_check(demo_cli: Cli, engine: str) -> None:
    code, report = _doctor(demo_cli)
    assert code == 0 and report["ok"] is True and report["problems"] == []
    assert report["checks"] == (SQLITE_CHECKS if engine == "sqlite" else DATA_CHECKS)  # PostgreSQL skips SQLite's
    table = demo_cli.ok("db", "doctor").stdout
    assert table.startswith("No problems found (")
    # --fix on a sound database changes nothing and writes no record
    code, fixed = _doctor(demo_cli, "--fix")
    assert code == 0 and fixed["fixed"] == {}
    assert demo_cli.json("audit", "list", "--action", "db.fix") == []


# check -> (plain SQL that breaks it, the example id the doctor names, whether --fix repairs it)
PLANTED: dict[str, tuple[list[str], Any, bool]] = {
    "counters": (["UPDATE conversations SET messages = messages + 1 WHERE id = 100"], 100, True),
    "last_activity_at": (["UPDATE conversations SET last_activity_at = '2000-01-01T00:00:00Z' WHERE id = 101"],
                         101, True),
    "items_in_tombstones": (["UPDATE items SET conversation_id = 115 WHERE id = 59"], 115, False),
    "merged_into": (["UPDATE conversations SET merged_into = 117 WHERE id = 100"], 100, False),
    "closed_at": (["UPDATE conversations SET closed_at = NULL WHERE id = 117",
                   "UPDATE conversations SET closed_at = '2026-11-24T00:00:00Z' WHERE id = 116"], 116, False),
    "autolink": (["UPDATE conversations SET person_id = NULL WHERE id IN (101, 102)"], 101, True),
    "phone_destinations": (["UPDATE destinations SET value = '091 123 4567' WHERE type = 'phone' AND person_id = 1"],
                           1, False),
    "phone_contacts": (["UPDATE conversations SET contact = '00385911234567' WHERE id = 102"], 102, False),
}


@pytest.mark.parametrize("check", list(PLANTED))
def test_each_check_finds_its_planted_problem(demo_cli: Cli, check: str) -> None:
    if check == "items_in_tombstones":
        demo_cli.ok("conversation", "merge", "116", "115")  # items 59 and 60 move to 116; one is put back
    statements, example, fixable = PLANTED[check]
    for sql in statements:
        query(demo_cli.db, sql)
    code, report = _doctor(demo_cli)
    problem = _problem(report, check)
    assert code == 1 and report["ok"] is False and problem is not None, report
    assert example in problem["examples"] and problem["count"] == (2 if check in ("closed_at", "autolink") else 1)
    assert problem["fixable"] is fixable
    table = demo_cli.run("db", "doctor")
    assert table.exit_code == 1 and check in table.stdout and not table.stderr

    code, after = _doctor(demo_cli, "--fix")
    if fixable:
        assert code == 0 and after["ok"] is True and after["fixed"][check] == problem["count"]
        [record] = demo_cli.json("audit", "list", "--action", "db.fix")
        assert record["details"]["fixed"][check] == problem["count"] and example in record["details"]["conversations"]
    else:
        assert code == 1 and _problem(after, check) == problem  # reported again, left as it was
    assert _doctor(demo_cli)[0] == code


def test_fix_repairs_from_the_items_and_the_owners(demo_cli: Cli) -> None:
    before = demo_cli.json("conversation", "show", "100")
    query(demo_cli.db, "UPDATE conversations SET messages = 0, notes = 7, last_activity_at = created_at WHERE id = 100")
    query(demo_cli.db, "UPDATE conversations SET person_id = NULL WHERE id = 102")
    _doctor(demo_cli, "--fix")
    after = demo_cli.json("conversation", "show", "100")
    assert (after["messages"], after["notes"], after["last_activity_at"]) == (
        before["messages"], before["notes"], before["last_activity_at"])
    assert demo_cli.json("conversation", "show", "102")["customer_id"] == 1
    # an explicitly unlinked conversation is not a problem and is never linked by a fix
    demo_cli.ok("conversation", "unlink", "101")
    assert _doctor(demo_cli)[0] == 0
    assert demo_cli.json("conversation", "show", "101")["customer_id"] is None


# --- SQLite's own checks: the file itself --------------------------------------------------------------


def test_a_legacy_phone_with_the_e164_shape_but_not_libphonenumbers_form_is_reported(demo_cli: Cli) -> None:
    """What an older cctx stored for +44 (0)20 7946 0958 looks like E.164 to SQL; libphonenumber reads
    +442079460958 there, so the doctor reports it (and customer duplicates matches it)."""
    query(demo_cli.db, "UPDATE destinations SET value = '+4402079460958' WHERE type = 'phone' AND person_id = 1")
    query(demo_cli.db, "UPDATE conversations SET contact = '+4402079460958' WHERE id = 100")
    code, report = _doctor(demo_cli)
    assert code == 1
    destinations, contacts = _problem(report, "phone_destinations"), _problem(report, "phone_contacts")
    assert destinations is not None and destinations["examples"] == [1] and destinations["count"] == 1
    assert contacts is not None and contacts["examples"] == [100] and contacts["count"] == 1


@pytest.mark.sqlite_only
def test_integrity_check_finds_an_index_that_does_not_match_its_table(demo_cli: Cli) -> None:
    conn = sqlite3.connect(demo_cli.db)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX tags_by_tag ON tags(person_id, tag)' "
                 "WHERE name = 'tags_by_tag'")
    conn.commit()
    conn.close()
    code, report = _doctor(demo_cli)
    problem = _problem(report, "integrity")
    assert code == 1 and problem is not None and problem["fixable"] is False
    assert any("tags_by_tag" in str(e) for e in problem["examples"])


@pytest.mark.sqlite_only
def test_foreign_key_check_finds_an_item_of_no_conversation(demo_cli: Cli) -> None:
    query(demo_cli.db, "INSERT INTO items (conversation_id, at, kind, author, text) "
                       "VALUES (999999, '2026-01-01T00:00:00Z', 'message', 'customer', 'orphan')")
    code, report = _doctor(demo_cli)
    problem = _problem(report, "foreign_keys")
    assert code == 1 and problem is not None and problem["count"] == 1 and problem["examples"][0].startswith("items:")
    assert _doctor(demo_cli, "--fix")[0] == 1  # not derivable: reported again


@pytest.mark.sqlite_only
def test_wal_left_after_a_purge_is_found(demo_cli: Cli) -> None:
    demo_cli.ok("history", "purge", "--older-than", "90d")
    [purge] = demo_cli.json("audit", "list", "--action", "history.purge")
    assert _doctor(demo_cli)[0] == 0  # the purge cleared the WAL
    # a change that bypasses cctx (no audit record) leaves pages in the WAL while a reader holds it open
    holder = sqlite3.connect(demo_cli.db)
    try:
        holder.execute("UPDATE conversations SET display_name = 'Ivan K.' WHERE id = 116")
        holder.commit()
        assert os.path.getsize(f"{demo_cli.db}-wal") > 0
        code, report = _doctor(demo_cli)
        assert code == 1 and _problem(report, "wal_cleared") == {
            "check": "wal_cleared", "count": 1, "examples": [purge["id"]], "fixable": False}
    finally:
        holder.close()


@pytest.mark.sqlite_only
def test_journal_mode_and_file_mode_are_fixed(demo_cli: Cli) -> None:
    db = Path(demo_cli.db)
    query(db, "PRAGMA journal_mode = DELETE")
    db.chmod(0o644)
    code, report = _doctor(demo_cli)
    assert code == 1
    assert _problem(report, "journal_mode") == {"check": "journal_mode", "count": 1, "examples": ["delete"],
                                               "fixable": True}
    assert _problem(report, "file_mode") == {"check": "file_mode", "count": 1, "examples": [str(db)],
                                            "fixable": True}
    code, after = _doctor(demo_cli, "--fix")
    assert code == 0 and after["fixed"] == {"file_mode": 1, "journal_mode": 1}
    assert query(db, "PRAGMA journal_mode") == [("wal",)] and db.stat().st_mode & 0o777 == 0o600
    [record] = demo_cli.json("audit", "list", "--action", "db.fix")
    assert record["details"]["fixed"] == {"file_mode": 1, "journal_mode": 1}
    table = demo_cli.ok("db", "doctor", "--fix").stdout
    assert table.startswith("Nothing to fix.\nNo problems found")
