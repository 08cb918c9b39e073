"""Property tests of undo over random sequences of changes on the demo world (link, unlink, relink, merge,
customer update, tag, untag, destination add and remove, customer merge):

- undoing them newest first restores the database exactly after each step (a snapshot of every domain
  table, audit excepted, read through the store), on both engines;
- undoing one change in the middle is refused exactly when a later change touched its rows, and the
  refusal names exactly those later records, newest first. Which rows a change touched is found here
  independently, by comparing the snapshots before and after it: a row of a conversation, its items or
  participants touches that conversation; a row of a person, their tags or destinations touches that
  person, and a destination row also its (type, value); a merge also touches its target. An undo of a
  link, unlink or relink is also refused when a later customer merge took away a person it would link
  a conversation to again.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.cli.test_undo import last_id, snapshot
from tests.conftest import DEMO, ENGINES, Cli, fresh_postgres_database

Snapshot = dict[str, list[tuple[Any, ...]]]
Entity = tuple[str, Any]

PEOPLE = [1, 2, 3]
CONVERSATIONS = [100, 101, 115, 116, 117, 156, 157, 158, 171]
MERGEABLE = [[100, 101, 103], [115, 116, 117], [156, 157, 158]]
TAGS = ["vip", "b2b"]
REFS = ["+385981112233", "telegram:777", "+385911234567", "email:new@example.com"]
UPDATES = [
    ("--city", "Split"), ("--unset", "city"), ("--set", "plan=gold"), ("--unset", "plan"),
    ("--first-name", "Ana"), ("--tag", "b2b"), ("--destination", "telegram:777"), ("--destination", "+385981112233"),
]

change = st.one_of(
    st.tuples(st.just("link"), st.sampled_from(CONVERSATIONS), st.sampled_from(PEOPLE), st.booleans()),
    st.tuples(st.just("unlink"), st.sampled_from(CONVERSATIONS)),
    st.tuples(st.just("relink"), st.lists(st.tuples(st.sampled_from(CONVERSATIONS), st.sampled_from([None, *PEOPLE])),
                                          min_size=1, max_size=3, unique_by=lambda row: row[0])),
    st.tuples(st.just("merge"), st.sampled_from(MERGEABLE).flatmap(
        lambda ids: st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True))),
    st.tuples(st.just("update"), st.sampled_from(PEOPLE), st.sampled_from(UPDATES)),
    st.tuples(st.just("tag"), st.sampled_from(PEOPLE), st.sampled_from(TAGS)),
    st.tuples(st.just("untag"), st.sampled_from(PEOPLE), st.sampled_from(TAGS)),
    st.tuples(st.just("destination add"), st.sampled_from(PEOPLE), st.sampled_from(REFS)),
    st.tuples(st.just("destination remove"), st.sampled_from(PEOPLE), st.sampled_from(REFS)),
    st.tuples(st.just("customer merge"), st.permutations(PEOPLE).map(lambda p: p[:2])),
)


def _args(c: tuple[Any, ...], tmp: Path) -> list[str]:
    kind = c[0]
    if kind == "link":
        return ["conversation", "link", str(c[1]), str(c[2]), *(["--add-destination"] if c[3] else [])]
    if kind == "unlink":
        return ["conversation", "unlink", str(c[1])]
    if kind == "relink":
        path = tmp / "relink.csv"
        path.write_text("conversation,customer\n" + "".join(f"{cid},{'' if p is None else p}\n" for cid, p in c[1]))
        return ["conversation", "relink", str(path)]
    if kind == "merge":
        return ["conversation", "merge", *map(str, c[1])]
    if kind == "customer merge":
        return ["customer", "merge", *map(str, c[1])]
    if kind == "update":
        return ["customer", "update", str(c[1]), *c[2]]
    if kind in ("tag", "untag"):
        return ["customer", kind, str(c[1]), c[2]]
    return ["customer", *kind.split(), str(c[1]), c[2]]


def _entities(table: str, row: tuple[Any, ...]) -> set[Entity]:
    if table == "conversations":
        return {("conversation", row[0])}
    if table == "items":
        return {("conversation", row[1])}
    if table == "participants":
        return {("conversation", row[0])}
    if table in ("people", "tags"):
        return {("person", row[0])}
    if table == "destinations":
        return {("person", row[1]), ("destination", f"{row[2]}:{row[3]}")}
    return {(table, row)}


def touched_rows(before: Snapshot, after: Snapshot) -> set[Entity]:
    found: set[Entity] = set()
    for table in before.keys() | after.keys():
        for row in set(before.get(table, [])) ^ set(after.get(table, [])):
            found |= _entities(table, row)
    return found


@pytest.fixture(scope="module", params=ENGINES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path | str, Snapshot]:
    """The demo world, once per engine. Every example starts from whatever the previous one left, which
    the property itself proves to be the demo world again (each example ends with everything undone)."""
    if request.param == "sqlite":
        db: Path | str = tmp_path_factory.mktemp("undo-world") / "demo.db"
    else:
        db = fresh_postgres_database(request.getfixturevalue("pg_server"))
    cli = Cli(db)
    cli.ok("db", "init")
    cli.ok("db", "import", str(DEMO))
    return db, snapshot(db)


# Examples per engine (a PostgreSQL round trip costs more than a SQLite one).
EXAMPLES = {"sqlite": int(os.environ.get("CCTX_UNDO_EXAMPLES", "40")), "postgresql": 12}


def test_undo_newest_first_restores_and_a_middle_undo_is_refused_exactly_when_touched(
    world: tuple[Path | str, Snapshot]
) -> None:
    db, initial = world
    engine = "postgresql" if str(db).startswith("postgresql://") else "sqlite"

    @settings(max_examples=EXAMPLES[engine], deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(changes=st.lists(change, min_size=2, max_size=8), pick=st.integers(min_value=0, max_value=100))
    def undo_property(changes: list[tuple[Any, ...]], pick: int) -> None:
        _check_undo(db, initial, changes, pick)

    undo_property()


def _people_rows(state: Snapshot) -> dict[int, tuple[Any, ...]]:
    return {row[0]: row for row in state.get("people", [])}


def _previous_people(before: Snapshot, after: Snapshot) -> set[int]:
    """The people that conversations a change relinked were linked to before it: its undo needs them."""
    old = set(before["conversations"]) - set(after["conversations"])
    new_ids = {row[0] for row in set(after["conversations"]) - set(before["conversations"])}
    return {row[4] for row in old if row[0] in new_ids and row[4] is not None}


def _check_undo(db: Path | str, initial: Snapshot, changes: list[tuple[Any, ...]], pick: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cli = Cli(db)
        states = [snapshot(db)]
        assert states[0] == initial  # the previous example left the world as it found it
        # per recorded change: its audit id, the rows it touched, the people its undo needs, the people it removed
        records: list[tuple[int, set[Entity], set[int], set[int]]] = []
        for step, c in enumerate(changes):
            before_id = last_id(cli)
            result = cli.run(*_args(c, tmp), env={"CCTX_NOW": f"2026-11-26T10:{step:02d}:00Z"})
            assert result.exit_code in (0, 1), result.stderr
            before, after = states[-1], snapshot(db)
            if last_id(cli) == before_id:  # refused, or a no-op: nothing changed, nothing recorded
                assert after == before
                continue
            touched = touched_rows(before, after)
            if c[0] == "merge":
                touched.add(("conversation", c[1][0]))
            needs = _previous_people(before, after) if c[0] in ("link", "unlink", "relink") else set()
            removed = _people_rows(before).keys() - _people_rows(after).keys()
            records.append((last_id(cli), touched, needs, removed))
            states.append(after)
        if not records:
            return

        middle = pick % max(1, len(records) - 1)  # one with later changes, when there are some
        middle_id, middle_touched, needs, _ = records[middle]
        later = [rid for rid, touched, _, _ in records[middle + 1:] if touched & middle_touched]
        merged_away = needs & {p for *_, removed in records[middle + 1:] for p in removed}
        result = cli.run("undo", str(middle_id), env={"CCTX_NOW": "2026-11-27T00:00:00Z"})
        refused = bool(later or merged_away)
        event(f"records: {len(records)}; middle undo {'refused' if refused else 'done'}"
              + (" (a person it needs merged away)" if merged_away and not later else ""))
        if later:
            assert result.exit_code == 1, result.stdout
            named = re.search(r"newest first: ([\d, ]+)", result.stderr)
            assert named is not None, result.stderr
            assert [int(i) for i in named.group(1).split(", ")] == sorted(later, reverse=True)
        elif merged_away:
            assert result.exit_code == 1, result.stdout
            assert "since: undo that customer merge first" in result.stderr
        else:
            assert result.exit_code == 0, result.stderr
        if refused:
            assert snapshot(db) == states[-1]

        for index in range(len(records) - 1, -1, -1):
            if index == middle and not refused:
                continue  # undone above
            cli.ok("undo", str(records[index][0]), env={"CCTX_NOW": f"2026-11-27T01:{index:02d}:00Z"})
            if refused:
                assert snapshot(db) == states[index]  # exactly as before that change
        assert snapshot(db) == states[0]
