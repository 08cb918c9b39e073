"""Search after the text is gone: purged text never matches again and leaves nothing in the index;
hostile search text never reaches the engine as syntax."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli, is_url, query, write

MARKER = "zqxwvmarker"

WORLD = f"""
conversations:
  - id: 1
    channel: sms
    contact: "+385911111111"
    status: closed
    created_at: 2024-01-01T09:00:00Z
    closed_at: 2024-01-02T09:00:00Z
    items:
      - {{at: 2024-01-01T09:00:00Z, kind: message, author: customer, text: "Purge me: {MARKER.upper()} shared"}}
  - id: 2
    channel: sms
    contact: "+385911111111"
    created_at: 2026-11-01T09:00:00Z
    items:
      - {{at: 2026-11-01T09:00:00Z, kind: message, author: customer, text: "Keep me: shared keepword"}}
"""


@pytest.fixture
def cli(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    return empty_cli


def test_purged_text_never_matches_again(cli: Cli) -> None:
    assert [r["id"] for r in cli.json("conversation", "search", MARKER)] == [1]
    assert [r["id"] for r in cli.json("conversation", "search", "shared")] == [2, 1]
    cli.ok("history", "purge", "--older-than", "365d")
    assert cli.json("conversation", "search", MARKER) == []
    assert cli.json("conversation", "search", f"{MARKER[:5]}*") == []
    assert [r["id"] for r in cli.json("conversation", "search", "shared")] == [2]
    if is_url(cli.db):
        assert query(cli.db, "SELECT count(*) FROM items WHERE folded LIKE ?", (f"%{MARKER}%",)) == [(0,)]


@pytest.mark.sqlite_only
def test_purged_text_is_not_left_in_the_index_or_the_file(cli: Cli) -> None:
    assert isinstance(cli.db, Path)
    assert query(cli.db, "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (f'"{MARKER}"',)) == [(1,)]
    cli.ok("history", "purge", "--older-than", "365d")
    assert query(cli.db, "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (f'"{MARKER}"',)) == [(0,)]
    # the index's own pages hold the words of its entries: none of the purged ones is left
    assert query(cli.db, "SELECT count(*) FROM items_fts_data WHERE instr(block, ?) > 0", (MARKER.encode(),)) == [
        (0,)]
    # nor anywhere in the file or its WAL, in any case
    for path in (cli.db, Path(f"{cli.db}-wal")):
        if path.exists():
            data = path.read_bytes().lower()
            assert MARKER.encode() not in data, path
    # the index is whole: what is left still matches, and FTS5's own check agrees
    query(cli.db, "INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 1)")
    assert query(cli.db, "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'keepword'") == [(1,)]


def test_the_index_follows_every_change_of_items(cli: Cli, tmp_path: Path) -> None:
    more = """
conversations:
  - {id: 3, channel: sms, contact: "+385911111111", created_at: 2026-11-02T09:00:00Z,
     items: [{at: 2026-11-02T09:00:00Z, kind: message, author: customer, text: "Late arrival"}]}
"""
    cli.ok("db", "import", str(write(tmp_path / "more.yaml", more)))
    assert [r["id"] for r in cli.json("conversation", "search", "arrival")] == [3]
    cli.ok("conversation", "merge", "2", "3")
    assert [r["id"] for r in cli.json("conversation", "search", "arrival keepword")] == [2]
    audit = cli.json("audit", "list", "--action", "conversation.merge")
    if audit and "id" in audit[0] and cli.run("undo", "--help").exit_code == 0:
        cli.ok("undo", str(audit[0]["id"]))
        assert [r["id"] for r in cli.json("conversation", "search", "arrival")] == [3]
        assert cli.json("conversation", "search", "arrival keepword") == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ['"', '""', "*", "**", "NEAR", "NEAR(a b, 2)", "a OR b", "NOT", "-", "^a", "a:b", "'", "\\", "&|!()",
     "a' & 'b", "\x00", "ǅ*", "\u200b", "🙂 kovač*"]))
def test_any_search_text_is_words_never_an_engine_error(cli: Cli, text: str) -> None:
    result = cli.run("conversation", "search", "-f", "json", "--", text)  # `--`: a text may start with -
    assert "Traceback" not in result.stderr and result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: ") and "database error" not in result.stderr, result.stderr
    else:
        assert result.exit_code == 0, result.stderr


def test_the_upgrade_folds_items_stored_before_it(cli: Cli) -> None:
    from cctx.store import Store
    from cctx.store.search import _fold_stored_items

    query(cli.db, "UPDATE items SET folded = NULL")  # as an older cctx stored them
    assert cli.json("conversation", "search", "keepword") == []
    store = Store.open(cli.db, 5000)
    try:
        with store.transaction():
            _fold_stored_items(store)
    finally:
        store.close()
    assert [r["id"] for r in cli.json("conversation", "search", "keepword")] == [2]
    assert query(cli.db, "SELECT folded FROM items WHERE conversation_id = 2") == [("keep me shared keepword",)]


def _trigger(db: Path) -> str | None:
    rows = query(db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'items_fts_forget'")
    return rows[0][0] if rows else None


def _keeps_deleted_words(db: Path) -> bool:
    return query(db, "SELECT count(*) FROM items_fts_config WHERE k = 'secure-delete' AND v = 1") == [(0,)]


@pytest.mark.sqlite_only
def test_only_an_erasure_merges_the_index_in_its_transaction(cli: Cli) -> None:
    """A purge merges the index after its batches, in steps of its own; the trigger that merges it at once
    fires for an erasure only, on a new database and on one upgraded from schema 7 (whose trigger fired for
    a purge too). Where FTS5 removes deleted words itself (secure-delete), there is no such trigger."""
    assert isinstance(cli.db, Path)
    for _ in ("new", "upgraded"):
        trigger = _trigger(cli.db)
        if _keeps_deleted_words(cli.db):
            assert trigger is not None and "'customer.erase'" in trigger and "history.purge" not in trigger
        else:
            assert trigger is None
        if trigger is not None:  # the database as schema 7 left it
            query(cli.db, "DROP TRIGGER items_fts_forget")
            query(cli.db, trigger.replace("new.action = 'customer.erase'",
                                          "new.action IN ('history.purge', 'customer.erase')"))
        query(cli.db, "PRAGMA user_version = 7")
        assert cli.json("db", "init")["upgraded_from"] == 7
    cli.ok("history", "purge", "--older-than", "365d")
    assert cli.json("conversation", "search", MARKER) == []
