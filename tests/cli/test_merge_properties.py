"""Property tests over random merge sets: nothing lost, nothing duplicated, refused merges change nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import DEMO, Cli, clone_of, query

# Groups whose members may merge with each other (one customer, one channel kind) ...
MERGEABLE = [
    [100, 101, 103, 104, 105, 106, 107, 108, 109, 111, 112, 114],  # person 1, messaging
    [102, 110],  # person 1, calls
    [115, 116, 117, 118],  # person 2, messaging
    [131, 132],  # person 6, calls
    [135, 136, 137],  # person 7, messaging
    [156, 157, 159],  # unknown +385981112233, messaging
]
# ... and any id at all, including posts channels, other customers and one that does not exist.
ANY_ID = [*range(100, 172), 999]

merge_set = st.one_of(
    st.sampled_from(MERGEABLE).flatmap(
        lambda ids: st.lists(st.sampled_from(ids), min_size=2, max_size=4, unique=True)
    ),
    st.lists(st.sampled_from(ANY_ID), min_size=2, max_size=4),
)


@pytest.fixture
def template(db_target: Path | str) -> Path | str:
    cli = Cli(db_target)
    cli.ok("db", "init")
    cli.ok("db", "import", str(DEMO))
    return db_target


def _dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("conversations", "items", "participants", "audit")
    return {t: query(db, f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}


def _item_contents(db: Path) -> Counter[tuple[Any, ...]]:
    """Every item without its conversation: must never change by a merge."""
    return Counter(query(db, "SELECT id, at, kind, author, text, event, recording FROM items"))


def _check_invariants(db: Path, cli: Cli, initial: Counter[tuple[Any, ...]]) -> None:
    assert _item_contents(db) == initial  # none lost, none duplicated, none altered
    orphans = query(db, "SELECT count(*) FROM items i LEFT JOIN conversations c ON c.id = i.conversation_id "
                        "WHERE c.id IS NULL OR c.status = 'merged'")
    assert orphans == [(0,)]
    wrong_counters = query(
        db,
        "SELECT c.id FROM conversations c WHERE "
        "c.messages != (SELECT count(*) FROM items WHERE conversation_id = c.id AND kind = 'message') OR "
        "c.notes != (SELECT count(*) FROM items WHERE conversation_id = c.id AND kind = 'note') OR "
        "c.call_events != (SELECT count(*) FROM items WHERE conversation_id = c.id AND kind = 'call_event') OR "
        "c.last_activity_at != coalesce((SELECT max(at) FROM items WHERE conversation_id = c.id), c.created_at)",
    )
    assert wrong_counters == []
    dangling = query(db, "SELECT t.id FROM conversations t LEFT JOIN conversations c ON c.id = t.merged_into "
                         "WHERE t.status = 'merged' AND (c.id IS NULL OR c.status = 'merged')")
    assert dangling == []


@pytest.mark.sqlite_only
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(merges=st.lists(merge_set, min_size=1, max_size=3))
def test_random_merges_keep_every_item(template: Path | str, merges: list[list[int]]) -> None:
    random_merges_keep_every_item(template, merges)


# The same property on PostgreSQL, with fewer examples: each clones a database from the template.
@pytest.mark.postgresql_only
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(merges=st.lists(merge_set, min_size=1, max_size=3))
def test_random_merges_keep_every_item_on_postgresql(template: Path | str, merges: list[list[int]]) -> None:
    random_merges_keep_every_item(template, merges)


def random_merges_keep_every_item(template: Path | str, merges: list[list[int]]) -> None:
    with clone_of(template) as db:
        cli = Cli(db)
        initial = _item_contents(db)
        for ids in merges:
            target, sources = str(ids[0]), [str(i) for i in ids[1:]]
            before = _dump(db)
            items_of = {i: query(db, "SELECT id FROM items WHERE conversation_id = ?", (i,)) for i in ids}
            dry = cli.run("conversation", "merge", target, *sources, "--dry-run", "-f", "json")
            assert _dump(db) == before
            result = cli.run("conversation", "merge", target, *sources, "-f", "json")
            assert result.exit_code == dry.exit_code
            event("refused" if result.exit_code else "merged")
            if result.exit_code != 0:
                assert result.exit_code == 1 and result.stderr.startswith("Error: ")
                assert _dump(db) == before  # a refused merge changes nothing
                continue
            data = json.loads(result.stdout)
            assert json.loads(dry.stdout) == {**data, "dry_run": True}
            moved = {row for s in data["merged"] for row in items_of[s]}
            assert data["items_moved"] == len(moved)
            now_in_target = set(query(db, "SELECT id FROM items WHERE conversation_id = ?", (ids[0],)))
            assert moved | set(items_of[ids[0]]) == now_in_target
            shown = cli.json("conversation", "show", target)
            ats = [i["at"] for i in shown["items"]]
            assert ats == sorted(ats) and len(ats) == len(now_in_target)
            for source in data["merged"]:
                tomb = cli.json("conversation", "show", str(source))
                assert tomb["status"] == "merged" and tomb["merged_into"] == ids[0] and tomb["items"] == []
            _check_invariants(db, cli, initial)
