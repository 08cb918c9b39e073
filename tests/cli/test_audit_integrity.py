"""The audit log can be trusted: no forged rows through the actor, the real time of each change, and no
silent answer to a misspelt action."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cctx.errors import Invalid
from cctx.store import Store
from cctx.times import format_ts
from tests.conftest import DEMO, NOW, NOW_AT, Cli, table_counts


def cctx(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "CCTX_ACTOR"}
    full.update({"CCTX_NOW": NOW, "CCTX_CONFIG": "", "CCTX_FORMAT": "", **(env or {})})
    return subprocess.run([sys.executable, "-m", "cctx", "--db", str(db), *args], env=full, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    db = tmp_path / "cctx.db"
    cli = Cli(db)
    cli.ok("db", "init")
    cli.ok("db", "import", str(DEMO))
    return db


@pytest.mark.parametrize("actor", [
    "mallory\nfoo", "mallory\r2026-01-01T00:00:00Z|admin", "ana\x1b[31m", "tab\there", "", "   ", "x" * 101,
    "zero\u200bwidth", "line\u2028sep",
])
def test_an_actor_that_could_forge_or_garble_a_record_is_a_usage_error_and_nothing_changes(
    demo_file: Path, actor: str
) -> None:
    before = table_counts(demo_file)
    for how in ("option", "env"):
        args = ("--actor", actor) if how == "option" else ()
        env = {"CCTX_ACTOR": actor} if how == "env" else {}
        if how == "env" and not actor:
            continue  # an empty CCTX_ACTOR is no CCTX_ACTOR at all: the login name is used
        proc = cctx(demo_file, *args, "customer", "create", "--first-name", "Eve", env=env)
        assert proc.returncode == 2, (how, proc.stderr)
        assert "Invalid value for '--actor'" in proc.stderr and "Traceback" not in proc.stderr
        assert proc.stdout == ""
        assert "\n" not in proc.stderr.splitlines()[-1]
    assert table_counts(demo_file) == before


def test_printable_actors_up_to_100_characters_are_recorded_exactly(demo_file: Path) -> None:
    for actor in ("Ana Kovač (night shift)", "y" * 100, "agent:42 <ops@example.com>"):
        proc = cctx(demo_file, "--actor", actor, "queue", "add", f"q{len(actor)}")
        assert proc.returncode == 0, proc.stderr
        listed = cctx(demo_file, "audit", "list", "--limit", "1", "-f", "json")
        assert json.loads(listed.stdout)[0]["actor"] == actor


def test_the_store_refuses_a_bad_actor_too_and_writes_nothing(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "cctx.db", 5000, create=True)
    try:
        store.migrate()
        with pytest.raises(Invalid, match="non-printable"), store.transaction():
            store.agents.add_queue("billing")
            store.audit.record(NOW_AT, "mallory\nfoo", "queue.add", [1], {"name": "billing"})
        assert store.agents.queue_names() == []
        assert store.audit.records() == []
    finally:
        store.close()


def _real_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def test_at_is_the_real_clock_and_a_fixed_clock_goes_into_as_of(demo_file: Path) -> None:
    before = _real_now()
    proc = cctx(demo_file, "--actor", "ana", "queue", "add", "night", env={"CCTX_NOW": "2020-01-01T00:00:00+02:00"})
    assert proc.returncode == 0, proc.stderr
    env = {k: v for k, v in os.environ.items() if k != "CCTX_NOW"}
    unfixed = subprocess.run([sys.executable, "-m", "cctx", "--db", str(demo_file), "--actor", "ana", "queue", "add",
                              "day"], env={**env, "CCTX_CONFIG": ""}, capture_output=True, text=True, timeout=60)
    assert unfixed.returncode == 0, unfixed.stderr
    after = _real_now()
    records = json.loads(cctx(demo_file, "audit", "list", "--action", "queue.add", "-f", "json").stdout)
    day, night = records
    assert night["details"] == {"name": "night", "as_of": "2019-12-31T22:00:00Z"}
    assert day["details"] == {"name": "day"}  # no fixed clock, no as_of
    for record in records:
        assert format_ts(before) <= record["at"] <= format_ts(after)


def test_audit_list_since_compares_with_the_real_time_of_the_change(demo_file: Path) -> None:
    start = format_ts(_real_now() - timedelta(seconds=1))
    proc = cctx(demo_file, "--actor", "ana", "queue", "add", "past", env={"CCTX_NOW": "2020-01-01T00:00:00Z"})
    assert proc.returncode == 0, proc.stderr
    since = json.loads(cctx(demo_file, "audit", "list", "--since", start, "--action", "queue.add", "-f",
                            "json").stdout)
    assert [r["details"]["name"] for r in since] == ["past"]  # made now, though "as of" 2020
    later = format_ts(_real_now() + timedelta(days=1))
    assert json.loads(cctx(demo_file, "audit", "list", "--since", later, "-f", "json").stdout) == []


def test_an_unknown_action_is_refused_with_the_list_of_actions(demo_file: Path) -> None:
    proc = cctx(demo_file, "audit", "list", "--action", "conversation.linkk")
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: unknown audit action 'conversation.linkk'; the actions are: ")
    assert "conversation.link," in proc.stderr and "history.purge" in proc.stderr
    assert proc.stdout == ""
    # a known action without records is an empty answer, not an error
    empty = cctx(demo_file, "audit", "list", "--action", "history.purge")
    assert empty.returncode == 0 and empty.stdout == "No audit records\n"
    # an action written by another version of cctx can still be listed
    conn = sqlite3.connect(demo_file)
    with conn:
        conn.execute("INSERT INTO audit (at, actor, action, subject, details) VALUES (?, 'old', 'legacy.thing', "
                     "'[]', '{}')", (NOW,))
    conn.close()
    legacy = cctx(demo_file, "audit", "list", "--action", "legacy.thing", "-f", "json")
    assert legacy.returncode == 0, legacy.stderr
    assert [r["actor"] for r in json.loads(legacy.stdout)] == ["old"]


def test_unknown_action_through_the_cli_runner_on_either_engine(demo_cli: Cli) -> None:
    result = demo_cli.fail("audit", "list", "--action", "nothing")
    assert "unknown audit action 'nothing'" in result.stderr


def test_a_login_name_that_is_no_valid_actor_is_refused_too(demo_file: Path) -> None:
    before = table_counts(demo_file)
    bad = {"LOGNAME": "x\ny", "USER": "x\ny", "LNAME": "x\ny", "USERNAME": "x\ny"}
    proc = cctx(demo_file, "queue", "add", "night", env=bad)
    assert proc.returncode == 2
    assert "(the login name; give --actor NAME)" in proc.stderr
    assert table_counts(demo_file) == before
    named = cctx(demo_file, "--actor", "ana", "queue", "add", "night", env=bad)
    assert named.returncode == 0, named.stderr
