"""Both engines: `db copy` between them, what `db stats` names, secrets and connection failures."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEMO, Cli, fresh_postgres_database, query, table_counts


def stats_without_engine(cli: Cli) -> dict[str, Any]:
    stats = cli.json("db", "stats")
    stats.pop("engine")
    return stats


def test_stats_name_the_engine(empty_cli: Cli, engine: str) -> None:
    assert empty_cli.json("db", "stats")["engine"] == engine


@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_copy_moves_everything_with_ids_and_audit(direction: str, tmp_path: Path, pg_server: Any) -> None:
    sqlite = Cli(tmp_path / "a.db")
    postgres = Cli(fresh_postgres_database(pg_server))
    source, target = (sqlite, postgres) if direction.startswith("sqlite") else (postgres, sqlite)
    source.ok("db", "init")
    target.ok("db", "init")
    source.ok("db", "import", str(DEMO))
    source.ok("conversation", "merge", "115", "116")  # a tombstone pointing at a lower id
    source.ok("conversation", "merge", "118", "117")
    source.ok("customer", "tag", "2", "b2b")

    result = source.json("db", "copy", "--to", str(target.db))

    assert result["people"] == 13 and result["conversations"] == 72 and result["items"] == 220
    assert result["audit"] == 4 and result["to"] == str(target.db).replace("postgres:@", "postgres:***@")
    assert stats_without_engine(source) == stats_without_engine(target)
    for ref in ("1", "2", "+385911234567"):
        assert source.json("customer", "show", ref) == target.json("customer", "show", ref)
        assert source.json("history", "show", ref) == target.json("history", "show", ref)
    assert source.json("conversation", "show", "116") == target.json("conversation", "show", "116")
    assert source.json("audit", "list") == target.json("audit", "list")
    # New rows continue after the copied ids on the target, whatever the engine.
    created = target.json("customer", "create", "--first-name", "After", "--destination", "telegram:9090")
    assert created["customer_id"] == 14


def test_copy_refuses_a_target_with_data_and_writes_nothing(demo_cli: Cli, tmp_path: Path) -> None:
    other = Cli(tmp_path / "other.db")
    other.ok("db", "init")
    other.ok("agent", "add", "zed")
    before = table_counts(other.db)
    err = demo_cli.fail("db", "copy", "--to", str(other.db)).stderr
    assert "is not empty (agents 1" in err and "audit 1" in err
    assert table_counts(other.db) == before


def test_copy_needs_a_target_with_the_schema(demo_cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    assert "does not exist" in demo_cli.fail("db", "copy", "--to", str(missing)).stderr
    assert not missing.exists()
    assert "onto itself" in demo_cli.fail("db", "copy", "--to", str(demo_cli.db)).stderr


def test_a_failed_copy_leaves_the_target_empty(tmp_path: Path, pg_server: Any) -> None:
    source = Cli(tmp_path / "a.db")
    source.ok("db", "init")
    source.ok("db", "import", str(DEMO))
    # A value the target's schema refuses, planted behind cctx's back: the copy fails midway.
    query(source.db, "UPDATE items SET text = ? WHERE id = (SELECT max(id) FROM items)", ("nul\x00byte",))
    target = Cli(fresh_postgres_database(pg_server))
    target.ok("db", "init")
    err = source.fail("db", "copy", "--to", str(target.db)).stderr
    assert "0x00" in err and "Traceback" not in err
    assert set(table_counts(target.db).values()) <= {0, 1}  # only the schema version row
    assert target.json("db", "stats")["people"] == 0


def test_a_password_is_never_shown(tmp_path: Path, pg_server: Any) -> None:
    url = fresh_postgres_database(pg_server).replace("postgres:@", "postgres:s3cret-pw@")
    cli = Cli(url)
    result = cli.ok("db", "init")
    assert "s3cret-pw" not in result.stdout + result.stderr and "***" in result.stderr + result.stdout
    cli.ok("db", "import", str(DEMO))
    assert "s3cret-pw" not in json.dumps(cli.json("audit", "list"))
    other = Cli(tmp_path / "x.db")
    other.ok("db", "init")
    copied = cli.json("db", "copy", "--to", str(other.db))
    back = Cli(fresh_postgres_database(pg_server).replace("postgres:@", "postgres:s3cret-pw@"))
    back.ok("db", "init")
    assert "s3cret-pw" not in json.dumps(other.json("db", "copy", "--to", str(back.db)))
    assert copied["people"] == 13


def test_an_unreachable_server_or_a_missing_database_names_host_and_database(
    tmp_path: Path, pg_server: Any
) -> None:
    socket_dir = str(pg_server.get_uri()).split("host=")[1]
    missing = Cli(f"postgresql://postgres:pw@/no_such_db?host={socket_dir}")
    err = missing.fail("db", "stats").stderr
    assert "database no_such_db" in err and "pw" not in err.replace("password", "")
    nowhere = Cli("postgresql://ana:secret@127.0.0.1:1/cctx")
    err = nowhere.fail("db", "init").stderr
    assert "host 127.0.0.1:1, database cctx" in err and "secret" not in err


def test_a_database_without_the_schema_is_refused(db_target: Path | str) -> None:
    cli = Cli(db_target)
    if isinstance(db_target, Path):
        cli.fail("db", "stats")  # not created: "does not exist"
        return
    assert "db init" in cli.fail("db", "stats").stderr


def test_postgres_writers_wait_at_most_the_busy_timeout(tmp_path: Path, pg_server: Any) -> None:
    """Another process holding the writers' lock makes a write exit 3 after busy_timeout_ms."""
    url = fresh_postgres_database(pg_server)
    cli = Cli(url)
    cli.ok("db", "init")
    cli.ok("db", "import", str(DEMO))
    holder = (
        "import psycopg2, sys, time\n"
        "c = psycopg2.connect(sys.argv[1]); cur = c.cursor()\n"
        "cur.execute('SELECT pg_advisory_xact_lock(%s)', (0x63637478_0001,))\n"
        "print('locked', flush=True); time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", holder, url], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        config = tmp_path / "cctx.yaml"
        config.write_text("busy_timeout_ms: 300\n", encoding="utf-8")
        started = time.monotonic()
        result = cli.run("conversation", "unlink", "100", env={"CCTX_CONFIG": str(config)})
        assert result.exit_code == 3, result.stderr
        assert result.stderr.startswith("Error: the database stayed locked")
        assert time.monotonic() - started < 5
        # Reads never wait for writers.
        assert cli.json("customer", "show", "1")["customer_id"] == 1
    finally:
        proc.kill()
        proc.wait()
    assert cli.json("conversation", "unlink", "100")["changed"] is True


def test_concurrent_writers_on_postgres_lose_nothing(pg_server: Any) -> None:
    """Writers from several threads are serialised like SQLite's: every tag lands, each audited once."""
    cli = Cli(fresh_postgres_database(pg_server))
    cli.ok("db", "init")
    cli.ok("db", "import", str(DEMO))
    errors: list[str] = []

    def tag(n: int) -> None:
        proc = subprocess.run(
            [sys.executable, "-m", "cctx", "--db", str(cli.db), "customer", "tag", "1", f"t{n}"],
            capture_output=True, text=True, env={**cli.env, "PATH": ""},
        )
        if proc.returncode:
            errors.append(proc.stderr)

    threads = [threading.Thread(target=tag, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {f"t{n}" for n in range(6)} <= set(cli.json("customer", "show", "1")["tags"])
    assert len([r for r in cli.json("audit", "list") if r["action"] == "customer.tag"]) == 6
