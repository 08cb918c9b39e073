"""Property tests over random sequences of person merges: no destination, tag or conversation is lost or
duplicated, every conversation follows its person, a refused merge changes nothing (db stats and a dump
through the CLI compared), and a dry run reports what the real run then does. On both engines: a database
cloned from a template per example."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli, clone_of, write

PEOPLE = 8
WORLD = "people:\n" + "".join(
    f"  - {{id: {i}, first_name: {'Ana' if i % 2 else 'null'}, last_name: L{i % 3}, "
    f"city: {['Zagreb', 'null', 'Split'][i % 3]}, attributes: {{k{i % 4}: v{i}}}, "
    f"tags: [t{i % 3}, t{i % 5}], destinations: [{{type: phone, value: '+38591{i:07d}'}}"
    + (f", {{type: email, value: 'p{i}@example.com'}}" if i % 2 == 0 else "")
    + "]}\n"
    for i in range(1, PEOPLE + 1)
) + "conversations:\n" + "".join(
    f"  - {{id: {100 + i}, channel: {'sms' if i % 2 else 'email'}, "
    f"contact: '{f'+38591{i % PEOPLE + 1:07d}' if i % 2 else f'p{i % PEOPLE + 1}@example.com'}', "
    f"status: {'closed' if i % 3 == 0 else 'open'}, created_at: 2026-11-01T09:00:00Z"
    + (", closed_at: 2026-11-01T10:00:00Z" if i % 3 == 0 else "")
    + (", customer: null" if i % 7 == 0 else "")
    + "}\n"
    for i in range(1, 25)
)

ALL_STATUSES = ("--status", "open", "--status", "waiting", "--status", "solved", "--status", "closed")


@pytest.fixture
def template(db_target: Path | str, tmp_path: Path) -> Path | str:
    cli = Cli(db_target)
    cli.ok("db", "init")
    cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    return db_target


def dump(cli: Cli) -> dict[str, Any]:
    stats = {k: v for k, v in cli.json("db", "stats").items() if "bytes" not in k and "size" not in k}
    return {
        "stats": stats,
        "cards": cli.json("customer", "list"),
        "conversations": cli.json("conversation", "list", *ALL_STATUSES),
        "audit": len(cli.json("audit", "list")),
    }


def owners(state: dict[str, Any]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for card in state["cards"]:
        for d in card["destinations"]:
            assert (d["type"], d["value"]) not in found  # one owner per destination
            found[(d["type"], d["value"])] = card["customer_id"]
    return found


ids = st.integers(min_value=1, max_value=PEOPLE + 1)  # PEOPLE + 1 never exists
merge = st.tuples(ids, st.lists(ids, min_size=1, max_size=3))


FIXTURE_CHECKS = [HealthCheck.function_scoped_fixture]


@pytest.mark.sqlite_only  # many examples where a copy is cheap; PostgreSQL runs the few below
@settings(max_examples=20, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(merges=st.lists(merge, min_size=1, max_size=3))
def test_random_person_merges_lose_and_duplicate_nothing(
    template: Path | str, merges: list[tuple[int, list[int]]]
) -> None:
    check_merges(template, merges)


@settings(max_examples=5, deadline=None, suppress_health_check=FIXTURE_CHECKS)
@given(merges=st.lists(merge, min_size=1, max_size=3))
def test_random_person_merges_on_postgresql(
    engine: str, template: Path | str, merges: list[tuple[int, list[int]]]
) -> None:
    """Fewer examples where each one clones a database: the rules are the same queries on both engines."""
    if engine != "postgresql":
        pytest.skip("SQLite runs the test above, with more examples")
    check_merges(template, merges)


def check_merges(template: Path | str, merges: list[tuple[int, list[int]]]) -> None:
    with clone_of(template) as db:
        cli = Cli(db)
        start = dump(cli)
        start_owners = owners(start)
        start_links = {c["id"]: c["customer_id"] for c in start["conversations"]}
        start_tags = {card["customer_id"]: set(card["tags"]) for card in start["cards"]}
        into: dict[int, int] = {}  # merged-away person -> the person it was merged into

        def now_named(person: int) -> int:
            while person in into:
                person = into[person]
            return person

        before = start
        for target, sources in merges:
            args = [str(target), *map(str, sources)]
            dry = cli.run("customer", "merge", *args, "--dry-run", "-f", "json")
            assert dump(cli) == before  # a dry run writes nothing
            result = cli.run("customer", "merge", *args, "-f", "json")
            assert result.exit_code == dry.exit_code
            assert "Traceback" not in result.stderr
            if result.exit_code != 0:
                event("refused")
                assert result.exit_code == 1 and "Error: customer merge refused, nothing changed" in result.stderr
                assert dump(cli) == before  # a refused merge changes nothing
                continue
            event("merged")
            data = json.loads(result.stdout)
            assert json.loads(dry.stdout) == {**data, "dry_run": True}
            for source in data["merged"]:
                into[source] = data["target"]
            after = before = dump(cli)
            # no destination lost or duplicated, each with the person its owner now is
            assert owners(after) == {d: now_named(p) for d, p in start_owners.items()}
            # no conversation lost or duplicated; each follows its person; unlinked ones stay unlinked
            links = Counter(c["id"] for c in after["conversations"])
            assert set(links) == set(start_links) and set(links.values()) == {1}
            assert {c["id"]: c["customer_id"] for c in after["conversations"]} == {
                c: None if p is None else now_named(p) for c, p in start_links.items()}
            # tags: the union, none lost, none twice on one person
            tags = {card["customer_id"]: card["tags"] for card in after["cards"]}
            for person, person_tags in start_tags.items():
                assert person_tags <= set(tags[now_named(person)])
            assert all(len(t) == len(set(t)) for t in tags.values())
            assert sorted(tags) == sorted({now_named(p) for p in start_tags})
            # the target's card counts equal its history
            card = next(c for c in after["cards"] if c["customer_id"] == data["target"])
            history = cli.json("history", "show", str(data["target"]))
            closed = sum(1 for c in history if c["status"] == "closed")
            assert card["conversations"] == {"open": len(history) - closed, "closed": closed}
