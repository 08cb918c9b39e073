"""What an agent may see (the history rule for --as-agent) holds for the card and for a tombstone too: the
card counts only the agent's conversations, and a tombstone names its target only to an agent who may see
the target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, write

WORLD = """
queues: [{name: billing}, {name: sales}]
agents:
  - {name: ana, queues: [billing]}
  - {name: luka, queues: [sales]}
  - {name: petra, queues: [billing, sales]}
  - {name: tom, queues: []}
people:
  - id: 1
    first_name: Maja
    destinations: [{type: phone, value: "+385911234567"}]
conversations:
  - {id: 10, channel: whatsapp, contact: "+385911234567", queue: billing, status: open,
     created_at: 2026-11-01T09:00:00Z}
  - {id: 11, channel: whatsapp, contact: "+385911234567", queue: sales, status: closed,
     created_at: 2026-11-02T09:00:00Z, closed_at: 2026-11-02T10:00:00Z}
  - {id: 12, channel: whatsapp, contact: "+385911234567", agents: [tom], status: waiting,
     created_at: 2026-11-03T09:00:00Z}
  - {id: 13, channel: sms, contact: "+385911234567", queue: billing, status: closed,
     created_at: 2026-11-04T09:00:00Z, closed_at: 2026-11-04T10:00:00Z}
  - {id: 14, channel: whatsapp, contact: "+385911234567", queue: billing, status: open,
     created_at: 2026-11-05T09:00:00Z,
     items: [{at: 2026-11-05T09:00:00Z, kind: message, author: customer, text: "hello"}]}
  - {id: 20, channel: whatsapp, contact: "+385922222222", queue: billing, status: open,
     created_at: 2026-11-01T09:00:00Z}
  - {id: 21, channel: whatsapp, contact: "+385922222222", queue: sales, status: closed,
     created_at: 2026-11-01T09:00:00Z, closed_at: 2026-11-01T10:00:00Z}
"""


@pytest.fixture
def world(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    return empty_cli


def counts(cli: Cli, *args: str) -> dict[str, int]:
    card: dict[str, Any] = cli.json("customer", "show", *args)
    return dict(card["conversations"])


def history_counts(cli: Cli, ref: str, agent: str) -> dict[str, int]:
    shown = cli.json("history", "show", ref, "--as-agent", agent)
    closed = sum(1 for c in shown if c["status"] == "closed")
    return {"open": len(shown) - closed, "closed": closed}


@pytest.mark.parametrize(("agent", "expected"), [
    (None, {"open": 3, "closed": 2}),
    ("ana", {"open": 2, "closed": 1}),     # billing: 10, 14 open; 13 closed
    ("luka", {"open": 0, "closed": 1}),    # sales: 11
    ("petra", {"open": 2, "closed": 2}),   # billing and sales, not 12 (no queue, not a participant)
    ("tom", {"open": 1, "closed": 0}),     # no queue: only 12, where he took part
])
def test_the_card_counts_only_what_the_agent_may_see(world: Cli, agent: str | None, expected: dict[str, int]) -> None:
    args = ("1",) if agent is None else ("1", "--as-agent", agent)
    assert counts(world, *args) == expected
    assert counts(world, "+385911234567", *args[1:]) == expected
    if agent is not None:
        assert counts(world, *args) == history_counts(world, "1", agent)


def test_the_unknown_card_and_the_conversation_card_count_for_the_agent_too(world: Cli) -> None:
    assert counts(world, "+385922222222") == {"open": 1, "closed": 1}
    assert counts(world, "+385922222222", "--as-agent", "luka") == {"open": 0, "closed": 1}
    assert counts(world, "--conversation", "10", "--as-agent", "ana") == {"open": 2, "closed": 1}
    assert counts(world, "--conversation", "20", "--as-agent", "ana") == {"open": 1, "closed": 0}


def test_a_conversation_card_the_agent_may_not_see_is_refused_like_a_missing_one(world: Cli) -> None:
    hidden = world.fail("customer", "show", "--conversation", "11", "--as-agent", "ana").stderr
    missing = world.fail("customer", "show", "--conversation", "999", "--as-agent", "ana").stderr
    assert hidden == "Error: conversation 11 not found or not accessible\n"
    assert missing == "Error: conversation 999 not found or not accessible\n"
    assert "not found" in world.fail("customer", "show", "1", "--as-agent", "nobody").stderr


def test_a_tombstone_names_its_target_only_to_an_agent_who_may_see_the_target(world: Cli) -> None:
    world.ok("conversation", "merge", "11", "14")  # billing's 14 into sales' 11
    plain = world.json("conversation", "show", "14")
    assert plain["status"] == "merged" and plain["merged_into"] == 11 and plain["merged_at"]
    as_petra = world.json("conversation", "show", "14", "--as-agent", "petra")  # sees billing and sales
    assert as_petra["merged_into"] == 11
    as_ana = world.json("conversation", "show", "14", "--as-agent", "ana")  # sees billing only
    assert as_ana["status"] == "merged" and as_ana["merged_into"] is None
    assert as_ana["merged_at"] == plain["merged_at"]  # the tombstone's own fact, not the target's
    table = world.ok("conversation", "show", "14", "--as-agent", "ana").stdout
    assert "merged_into" not in table and "conversation 11" not in table
    assert "merged into conversation 11" in world.ok("conversation", "show", "14", "--as-agent", "petra").stdout
    world.fail("conversation", "show", "14", "--as-agent", "luka")  # the tombstone itself is billing's
    world.fail("conversation", "show", "11", "--as-agent", "ana")
    # a conversation that was never merged keeps null for everyone
    assert world.json("conversation", "show", "10", "--as-agent", "ana")["merged_into"] is None


def test_on_the_demo_every_agents_card_agrees_with_that_agents_history(demo_cli: Cli) -> None:
    agents = [a["name"] for a in demo_cli.json("agent", "list")]
    differs = 0
    for person in ("1", "2", "3", "4", "+385981112233"):
        plain = counts(demo_cli, person)
        for agent in agents:
            mine = counts(demo_cli, person, "--as-agent", agent)
            assert mine == history_counts(demo_cli, person, agent), (person, agent)
            assert mine["open"] <= plain["open"] and mine["closed"] <= plain["closed"]
            differs += mine != plain
    assert differs  # the demo's agents do not all see everything
    assert counts(demo_cli, "1", "--as-agent", "tomislav") == history_counts(demo_cli, "1", "tomislav")
