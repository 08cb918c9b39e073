"""`cctx db init|import|stats` and the global behaviour of the root command."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from cctx.store.base import SCHEMA_VERSION
from tests.conftest import DEMO, NOW_AT, Cli, ProgressRecorder, is_url, query, table_counts, write

BAD_FIXTURE = """
queues: [{name: billing}]
agents: [{name: ana, queues: [billing, nowhere]}]
people:
  - {id: 1, first_name: Maja, destinations: [{type: phone, value: "+385911234567"}]}
  - {id: 2, first_name: Ivo, destinations: [{type: phone, value: "+385 91 123 4567"}]}
conversations:
  - {id: 10, channel: pigeon, contact: "+385911234567", created_at: 2026-01-01T00:00:00Z}
  - id: 11
    channel: whatsapp
    contact: "+385911234567"
    status: closed
    created_at: 2026-01-01T00:00:00Z
    items:
      - {at: 2026-01-01T00:00:00Z, kind: message, author: customer, text: hi}
      - {at: 2026-01-01T00:01:00Z, kind: call_event, event: started}
  - {id: 11, channel: voice, contact: "+385911234567", created_at: "2026-01-01T10:00:00", colour: red}
"""


def test_init_creates_private_wal_database_idempotently(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "new.db")
    first = cli.json("db", "init")
    assert first["schema_version"] == SCHEMA_VERSION and first["upgraded_from"] == 0
    assert stat.S_IMODE(cli.db.stat().st_mode) == 0o600
    assert query(cli.db, "PRAGMA journal_mode") == [("wal",)]
    assert query(cli.db, "PRAGMA auto_vacuum") == [(2,)]
    again = cli.json("db", "init")
    assert again["schema_version"] == SCHEMA_VERSION and again["upgraded_from"] is None


@pytest.mark.sqlite_only  # PostgreSQL's: tests/cli/test_postgres_plans.py
def test_every_index_the_queries_need_exists(empty_cli: Cli) -> None:
    indexes = {r[0]: r[1] for r in query(empty_cli.db, "SELECT name, sql FROM sqlite_master WHERE type='index'")}
    assert "person_id, created_at" in indexes["conversations_by_person"]
    assert "contact_type, contact, created_at" in indexes["conversations_by_contact"]
    assert "conversation_id, at" in indexes["items_by_conversation"]
    assert "expires_from" in indexes["conversations_expiry"]
    # every foreign key a delete cascades through leads an index
    for table, column in [("items", "conversation_id"), ("participants", "conversation_id"),
                          ("destinations", "person_id"), ("tags", "person_id")]:
        plan = query(empty_cli.db, f"EXPLAIN QUERY PLAN SELECT 1 FROM {table} WHERE {column} = 1")
        assert "USING" in plan[0][3] and ("INDEX" in plan[0][3] or "PRIMARY KEY" in plan[0][3]), (table, plan)


def test_missing_database_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "typo.db")
    result = cli.fail("db", "stats")
    assert "typo.db does not exist" in result.stderr
    assert not cli.db.exists()


def test_import_demo_counts_and_stats(empty_cli: Cli) -> None:
    demo = yaml.safe_load(DEMO.read_text())
    counts = empty_cli.json("db", "import", str(DEMO))
    assert counts == {
        "people": len(demo["people"]),
        "conversations": len(demo["conversations"]),
        "items": sum(len(c.get("items") or []) for c in demo["conversations"]),
        "agents": len(demo["agents"]),
        "queues": len(demo["queues"]),
    }
    stats = empty_cli.json("db", "stats")
    assert stats["people"] == counts["people"]
    assert stats["conversations"] == counts["conversations"]
    assert stats["items"] == counts["items"]
    assert stats["destinations"] == sum(len(p.get("destinations") or []) for p in demo["people"])
    audit = query(empty_cli.db, "SELECT actor, action, details FROM audit")
    assert [(a, b) for a, b, _ in audit] == [("tester", "import")]
    assert json.loads(audit[0][2])["conversations"] == counts["conversations"]


def test_refused_import_lists_every_problem_and_writes_nothing(demo_cli: Cli, tmp_path: Path) -> None:
    before = table_counts(demo_cli.db)
    bad = write(tmp_path / "bad.yaml", BAD_FIXTURE)
    result = demo_cli.fail("db", "import", str(bad))
    err = result.stderr
    assert "nothing written" in err
    assert "agents[0].queues: unknown queue 'nowhere'" in err
    assert "queue 'billing' already exists" in err
    assert "person id 1 already exists" in err
    assert "duplicate destination phone:+385911234567" in err  # normalised phone collides
    assert "conversations[0]: unknown channel 'pigeon'" in err
    assert "conversations[1]: closed_at is required when status is closed" in err
    assert "conversations[1].items[1]: kind call_event is not allowed on channel whatsapp" in err
    assert "conversations[2]: duplicate conversation id 11" in err
    assert "conversations[2]: unknown key 'colour'" in err
    assert "has no time zone" in err
    assert result.stdout == ""
    assert table_counts(demo_cli.db) == before


def test_import_reads_stdin_json_and_converts_offsets(empty_cli: Cli) -> None:
    doc = {
        "people": [{"id": 7, "first_name": "Ana", "last_name": "Kos",
                    "destinations": [{"type": "email", "value": "Ana@Example.com"}]}],
        "conversations": [
            {"id": 1, "channel": "email", "contact": "ANA@example.com", "created_at": "2026-03-01T10:00:00+02:00"},
            {"id": 2, "channel": "email", "contact": "ana@example.com", "customer": None,
             "created_at": "2026-03-02T10:00:00Z"},
            {"id": 3, "channel": "sms", "contact": "+44 (20) 7946-0000", "created_at": "2026-03-03T10:00:00Z"},
        ],
    }
    counts = empty_cli.json("db", "import", "-", input=json.dumps(doc))
    assert counts["conversations"] == 3
    rows = query(empty_cli.db, "SELECT id, contact, person_id, unlinked_explicitly, display_name, created_at "
                               "FROM conversations ORDER BY id")
    assert rows == [
        (1, "ana@example.com", 7, 0, "Ana Kos", "2026-03-01T08:00:00Z"),   # auto-linked, UTC
        (2, "ana@example.com", None, 1, "ana@example.com", "2026-03-02T10:00:00Z"),  # customer: null
        (3, "+442079460000", None, 0, "+442079460000", "2026-03-03T10:00:00Z"),  # unknown
    ]


def test_destination_added_by_import_links_earlier_conversations(empty_cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", """
conversations:
  - {id: 1, channel: telegram, contact: "4815", created_at: 2026-01-01T00:00:00Z}
  - {id: 2, channel: telegram, contact: "4815", customer: null, created_at: 2026-01-02T00:00:00Z}
""")
    write(tmp_path / "b.yaml", """
people:
  - {id: 3, last_name: Babić, destinations: [{type: telegram, value: "4815"}]}
""")
    empty_cli.ok("db", "import", str(tmp_path / "a.yaml"))
    empty_cli.ok("db", "import", str(tmp_path / "b.yaml"))
    assert query(empty_cli.db, "SELECT id, person_id, display_name FROM conversations ORDER BY id") == [
        (1, 3, "4815"),     # linked; the stored name is unchanged (the display-name rule)
        (2, None, "4815"),  # explicitly unlinked stays unlinked
    ]


def test_several_files_are_one_transaction(empty_cli: Cli, tmp_path: Path) -> None:
    good = write(tmp_path / "good.yaml", "queues: [{name: sales}]\n")
    bad = write(tmp_path / "bad.json", '{"agents": [{"name": "customer"}]}')
    result = empty_cli.fail("db", "import", str(good), str(bad))
    assert "bad.json: agents[0]: 'customer' is reserved" in result.stderr
    assert table_counts(empty_cli.db)["queues"] == 0


def test_unreadable_fixture_is_a_clean_error(empty_cli: Cli, tmp_path: Path) -> None:
    result = empty_cli.fail("db", "import", str(tmp_path / "none.yaml"))
    assert "no such file" in result.stderr
    broken = write(tmp_path / "broken.yaml", "people: [\n")
    assert "not valid YAML" in empty_cli.fail("db", "import", str(broken)).stderr


def test_output_formats(demo_cli: Cli) -> None:
    csv_out = demo_cli.ok("agent", "list", "-f", "csv").stdout.splitlines()
    assert csv_out[0] == "name,queues"
    assert any(line.startswith("ana,") for line in csv_out)
    yaml_out = yaml.safe_load(demo_cli.ok("agent", "list", "-f", "yaml").stdout)
    assert {"name": "tomislav", "queues": []} in yaml_out
    env_json = demo_cli.ok("agent", "list", env={"CCTX_FORMAT": "json"}).stdout
    assert json.loads(env_json) == yaml_out
    table = demo_cli.ok("db", "stats").stdout
    assert "conversations" in table and "{" not in table
    assert demo_cli.run("db", "stats", "-f", "xml").exit_code == 2


def test_configuration_errors_name_the_key(demo_cli: Cli, tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.yaml", "retention: {default_days: 30, chanels: {sms: 3}}\n")
    result = demo_cli.fail("--config", str(cfg), "db", "stats")
    assert "retention.chanels" in result.stderr
    cfg = write(tmp_path / "c.yaml", "busy_timeout_ms: soon\n")
    assert "busy_timeout_ms" in demo_cli.fail("--config", str(cfg), "db", "stats").stderr
    assert "configuration" in demo_cli.fail("--config", str(tmp_path / "nope.yaml"), "db", "stats").stderr
    # ./cctx.yaml in the working directory is picked up when present
    write(Path("cctx.yaml"), "card: {colour: red}\n")
    assert "card.colour" in demo_cli.fail("db", "stats").stderr


def test_bad_now_is_an_error(demo_cli: Cli) -> None:
    result = demo_cli.fail("agent", "add", "mia", env={"CCTX_NOW": "2026-06-01T00:00:00"})
    assert "CCTX_NOW" in result.stderr and "no time zone" in result.stderr


def test_version_and_groups(demo_cli: Cli) -> None:
    assert "cctx" in demo_cli.ok("--version").stdout
    help_text = demo_cli.ok("--help").stdout
    for group in ("db", "customer", "conversation", "history", "agent", "queue", "audit"):
        assert group in help_text


@pytest.mark.sqlite_only  # PostgreSQL's: tests/cli/test_engines.py
def test_locked_database_is_exit_3(demo_cli: Cli, tmp_path: Path) -> None:
    import sqlite3

    cfg = write(tmp_path / "fast.yaml", "busy_timeout_ms: 100\n")
    holder = sqlite3.connect(demo_cli.db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = demo_cli.fail("--config", str(cfg), "queue", "add", "returns", code=3)
        assert "locked" in result.stderr
    finally:
        holder.rollback()
        holder.close()
    assert demo_cli.json("--config", str(cfg), "queue", "add", "returns")["name"] == "returns"


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "none.db")
    result = cli.run("--debug", "db", "stats")
    assert result.exit_code == 1
    assert result.exc_info is not None and result.exc_info[0].__name__ == "NotFound"


def test_init_in_a_missing_directory_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "no-such-dir" / "cctx.db")
    result = cli.fail("db", "init")
    assert "no-such-dir" in result.stderr
    assert not (tmp_path / "no-such-dir").exists()


def test_ids_beyond_sqlite_integers_are_listed_problems(empty_cli: Cli, tmp_path: Path) -> None:
    big = 2**63
    fixture = write(tmp_path / "big.yaml", f"""
people:
  - {{id: {big}, first_name: Big}}
conversations:
  - {{id: {big}, channel: sms, contact: "+385911111111", created_at: 2026-01-01T00:00:00Z}}
""")
    before = table_counts(empty_cli.db)
    result = empty_cli.fail("db", "import", str(fixture))
    assert "big.yaml: people[0]: id must be a positive whole number" in result.stderr
    assert "big.yaml: conversations[0]: id must be a positive whole number" in result.stderr
    assert table_counts(empty_cli.db) == before


def test_a_destination_owned_in_the_database_is_refused_at_its_location(demo_cli: Cli, tmp_path: Path) -> None:
    fixture = write(tmp_path / "owned.yaml", """
people:
  - {first_name: Other, destinations: [{type: email, value: "x@example.com"}, {type: phone, value: "+385911234567"}]}
""")
    result = demo_cli.fail("db", "import", str(fixture))
    assert "owned.yaml: people[0].destinations[1]: destination phone:+385911234567 already belongs to person 1" in (
        result.stderr
    )


def test_customer_may_name_a_destination_of_a_person_in_the_same_file(empty_cli: Cli, tmp_path: Path) -> None:
    fixture = write(tmp_path / "ref.yaml", """
people:
  - {first_name: Noid, destinations: [{type: telegram, value: "777"}]}
  - {first_name: Other, destinations: [{type: phone, value: "+385911111111"}]}
conversations:
  - {id: 5, channel: sms, contact: "+385911111111", customer: "telegram:777", created_at: 2026-01-01T00:00:00Z}
""")
    empty_cli.ok("db", "import", str(fixture))
    noid = query(empty_cli.db, "SELECT id FROM people WHERE first_name = 'Noid'")[0][0]
    assert query(empty_cli.db, "SELECT person_id, display_name FROM conversations WHERE id = 5") == [(noid, "Noid")]


def test_an_import_that_adds_nothing_writes_no_audit_record(empty_cli: Cli) -> None:
    before = table_counts(empty_cli.db)
    counts = empty_cli.json("db", "import", "-", input="people: []\n")
    assert counts == {"people": 0, "conversations": 0, "items": 0, "agents": 0, "queues": 0}
    assert table_counts(empty_cli.db) == before


def test_a_custom_attribute_cannot_shadow_a_person_field(empty_cli: Cli, tmp_path: Path) -> None:
    fixture = write(tmp_path / "attrs.yaml", """
people:
  - {first_name: Ana, attributes: {plan: gold, city: Zagreb, "": x}}
""")
    result = empty_cli.fail("db", "import", str(fixture))
    assert "attrs.yaml: people[0].attributes.city: city is a field, not a custom attribute" in result.stderr
    assert "attrs.yaml: people[0].attributes: an attribute needs a name" in result.stderr
    assert table_counts(empty_cli.db)["people"] == 0


def test_closed_at_belongs_to_a_closed_conversation_and_follows_its_start(empty_cli: Cli, tmp_path: Path) -> None:
    fixture = write(tmp_path / "closed.yaml", """
conversations:
  - {channel: sms, contact: "+385911111111", status: solved,
     created_at: 2026-01-01T00:00:00Z, closed_at: 2026-01-02T00:00:00Z}
  - {channel: sms, contact: "+385911111111", status: closed,
     created_at: 2026-01-01T00:00:00Z, closed_at: 2025-12-31T23:59:59Z}
  - {channel: sms, contact: "+385911111111", status: closed,
     created_at: 2026-01-01T00:00:00Z, closed_at: 2026-01-01T00:00:00Z}
""")
    result = empty_cli.fail("db", "import", str(fixture))
    assert "conversations[0]: closed_at is only allowed when status is closed (not solved)" in result.stderr
    assert "closed.yaml: conversations[1]: closed_at 2025-12-31T23:59:59Z is before created_at" in result.stderr
    assert "conversations[2]" not in result.stderr
    assert table_counts(empty_cli.db)["conversations"] == 0


def test_an_unquoted_timestamp_attribute_is_stored_in_the_z_form(empty_cli: Cli, tmp_path: Path) -> None:
    fixture = write(tmp_path / "since.yaml", """
people:
  - {id: 1, first_name: Ana, attributes: {since: 2024-01-01T10:00:00+02:00, birthday: 1990-05-01}}
""")
    empty_cli.ok("db", "import", str(fixture))
    stored = json.loads(query(empty_cli.db, "SELECT attributes FROM people WHERE id = 1")[0][0])
    assert stored == {"since": "2024-01-01T08:00:00Z", "birthday": "1990-05-01"}


def test_import_progress_is_sized_to_the_plan_and_advanced_to_the_end(empty_cli: Cli) -> None:
    """The bar (drawn by the CLI only on a terminal) counts the people and conversations written."""
    from cctx.services import fixtures
    from cctx.store import Store

    bar = ProgressRecorder()
    store = Store.open(empty_cli.db, 5000)
    try:
        counts = fixtures.import_files(store, [str(DEMO)], now=NOW_AT, actor="tester", progress=bar)
    finally:
        store.close()
    total = counts.people + counts.conversations
    assert (bar.length, bar.advanced) == (total, total)


def test_import_draws_no_progress_bar_when_stderr_is_not_a_terminal(empty_cli: Cli) -> None:
    result = empty_cli.ok("db", "import", str(DEMO), "-f", "json")
    assert result.stderr == ""
    assert json.loads(result.stdout)["conversations"] > 0


def test_init_refuses_a_database_newer_than_this_cctx(empty_cli: Cli) -> None:
    newer = SCHEMA_VERSION + 1
    if is_url(empty_cli.db):
        set_sql, get_sql = f"UPDATE cctx_schema SET version = {newer}", "SELECT version FROM cctx_schema"
    else:
        set_sql, get_sql = f"PRAGMA user_version = {newer}", "PRAGMA user_version"
    query(empty_cli.db, set_sql)
    result = empty_cli.fail("db", "init")
    assert "newer than this cctx understands" in result.stderr
    assert query(empty_cli.db, get_sql) == [(newer,)]


def test_init_leaves_another_applications_database_alone(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.close()
    result = Cli(other).fail("db", "init")
    assert "not a cctx database" in result.stderr
    assert query(other, "SELECT name FROM sqlite_master WHERE type = 'table'") == [("invoices",)]
