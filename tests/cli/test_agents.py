"""`cctx agent list|add|grant|revoke` and `cctx queue list|add`: rights, idempotence and the audit log."""

from __future__ import annotations

import json

from tests.conftest import NOW, Cli, query, table_counts

DEMO_AGENTS = [
    {"name": "ana", "queues": ["billing", "vip"]},
    {"name": "ivana", "queues": ["sales", "support"]},
    {"name": "luka", "queues": ["sales"]},
    {"name": "marko", "queues": ["support"]},
    {"name": "petra", "queues": ["billing", "support", "vip"]},
    {"name": "tomislav", "queues": []},
]


def audit(cli: Cli) -> list[tuple[str, str, list, dict]]:
    rows = query(cli.db, "SELECT actor, action, subject, details FROM audit WHERE action != 'import' ORDER BY id")
    records = [(actor, action, json.loads(subject), json.loads(details)) for actor, action, subject, details in rows]
    assert all(details.pop("as_of") == NOW for *_, details in records)  # the fixed clock of the run
    return records


def agent_id(cli: Cli, name: str) -> int:
    return query(cli.db, "SELECT id FROM agents WHERE name = ?", (name,))[0][0]


def test_agent_and_queue_lists(demo_cli: Cli) -> None:
    assert demo_cli.json("agent", "list") == DEMO_AGENTS
    assert demo_cli.json("queue", "list") == [
        {"name": "billing", "agents": ["ana", "petra"]},
        {"name": "sales", "agents": ["ivana", "luka"]},
        {"name": "support", "agents": ["ivana", "marko", "petra"]},
        {"name": "vip", "agents": ["ana", "petra"]},
    ]
    table = demo_cli.ok("agent", "list").stdout.splitlines()
    assert table[0].split() == ["name", "queues"]
    assert table[2].split() == ["ana", "billing,", "vip"]
    assert table[-1].split() == ["tomislav"]


def test_empty_lists(empty_cli: Cli) -> None:
    assert empty_cli.json("agent", "list") == []
    assert empty_cli.json("queue", "list") == []
    assert empty_cli.ok("agent", "list").stdout == "No agents\n"
    assert empty_cli.ok("queue", "list").stdout == "No queues\n"


def test_agent_add_with_queues_is_audited(demo_cli: Cli) -> None:
    added = demo_cli.json("agent", "add", "mia", "--queue", "vip", "--queue", "billing", "--queue", "vip")
    assert added == {"name": "mia", "queues": ["billing", "vip"]}
    assert {"name": "mia", "queues": ["billing", "vip"]} in demo_cli.json("agent", "list")
    assert audit(demo_cli) == [
        ("tester", "agent.add", [agent_id(demo_cli, "mia")], {"name": "mia", "queues": ["billing", "vip"]})]
    assert demo_cli.json("agent", "add", "  nina ") == {"name": "nina", "queues": []}


def test_agent_add_refusals_change_nothing(demo_cli: Cli) -> None:
    before = table_counts(demo_cli.db)
    assert "agent 'ana' already exists" in demo_cli.fail("agent", "add", "ana").stderr
    assert "queue 'nowhere' not found" in demo_cli.fail("agent", "add", "mia", "--queue", "nowhere").stderr
    assert "queues 'x', 'y' not found" in demo_cli.fail(
        "agent", "add", "mia", "--queue", "x", "--queue", "billing", "--queue", "y").stderr
    assert "reserved" in demo_cli.fail("agent", "add", "customer").stderr
    assert "needs a name" in demo_cli.fail("agent", "add", " ").stderr
    assert table_counts(demo_cli.db) == before


def test_queue_add_is_audited_and_refuses_duplicates(demo_cli: Cli) -> None:
    assert demo_cli.json("queue", "add", "returns") == {"name": "returns", "agents": []}
    queue_id = query(demo_cli.db, "SELECT id FROM queues WHERE name = 'returns'")[0][0]
    assert audit(demo_cli) == [("tester", "queue.add", [queue_id], {"name": "returns"})]
    before = table_counts(demo_cli.db)
    assert "queue 'returns' already exists" in demo_cli.fail("queue", "add", "returns").stderr
    assert "needs a name" in demo_cli.fail("queue", "add", "").stderr
    assert table_counts(demo_cli.db) == before
    assert {"name": "returns", "agents": []} in demo_cli.json("queue", "list")


def test_grant_is_idempotent_and_audited_only_on_change(demo_cli: Cli) -> None:
    result = demo_cli.json("agent", "grant", "luka", "billing", "sales", "vip")
    assert result == {"name": "luka", "queues": ["billing", "sales", "vip"], "changed": True}
    assert audit(demo_cli) == [("tester", "agent.grant", [agent_id(demo_cli, "luka")], {
        "agent": "luka", "queues": ["billing", "vip"], "before": ["sales"], "after": ["billing", "sales", "vip"]})]
    again = demo_cli.json("agent", "grant", "luka", "vip", "billing")
    assert again == {"name": "luka", "queues": ["billing", "sales", "vip"], "changed": False}
    assert len(audit(demo_cli)) == 1
    assert {"name": "luka", "queues": ["billing", "sales", "vip"]} in demo_cli.json("agent", "list")


def test_revoke_is_idempotent_and_audited_only_on_change(demo_cli: Cli) -> None:
    result = demo_cli.json("agent", "revoke", "petra", "support", "sales", env={"CCTX_ACTOR": "boss"})
    assert result == {"name": "petra", "queues": ["billing", "vip"], "changed": True}
    assert audit(demo_cli) == [("boss", "agent.revoke", [agent_id(demo_cli, "petra")], {
        "agent": "petra", "queues": ["support"], "before": ["billing", "support", "vip"],
        "after": ["billing", "vip"]})]
    assert demo_cli.json("agent", "revoke", "petra", "support")["changed"] is False
    assert demo_cli.json("agent", "revoke", "tomislav", "vip") == {"name": "tomislav", "queues": [], "changed": False}
    assert len(audit(demo_cli)) == 1


def test_grant_and_revoke_need_an_existing_agent_and_queues(demo_cli: Cli) -> None:
    before = table_counts(demo_cli.db)
    assert "agent 'mia' not found" in demo_cli.fail("agent", "grant", "mia", "vip").stderr
    # one unknown queue refuses the whole grant: vip is not given either
    assert "queue 'nowhere' not found" in demo_cli.fail("agent", "grant", "luka", "vip", "nowhere").stderr
    assert "queue 'nowhere' not found" in demo_cli.fail("agent", "revoke", "ana", "vip", "nowhere").stderr
    assert demo_cli.run("agent", "grant", "luka").exit_code == 2
    assert table_counts(demo_cli.db) == before
    assert demo_cli.json("agent", "list") == DEMO_AGENTS


def test_table_output_of_changes(demo_cli: Cli) -> None:
    out = demo_cli.ok("agent", "grant", "luka", "vip").stdout
    assert "changed" in out and "yes" in out and "sales, vip" in out
