"""`cctx history show --as-agent`: queue rights and participation decide what an agent sees (the history rule)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli, write

UNKNOWN_PHONE = "+385981112233"


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in rows]


def test_an_agent_sees_their_queues_and_their_own_conversations(demo_cli: Cli) -> None:
    # ana: billing and vip
    assert ids(demo_cli.json("history", "show", "1", "--as-agent", "ana")) == [100, 102, 103, 106, 109, 110, 111, 112]
    # marko: support
    assert ids(demo_cli.json("history", "show", "1", "--as-agent", "marko")) == [101, 104, 108, 114]
    # tomislav has no queue: only what he took part in (107 has no queue; 113 is a posts conversation)
    assert ids(demo_cli.json("history", "show", "1", "--as-agent", "tomislav")) == [107]
    assert ids(demo_cli.json("history", "show", UNKNOWN_PHONE, "--as-agent", "marko")) == [156, 157]
    assert ids(demo_cli.json("history", "show", UNKNOWN_PHONE, "--as-agent", "luka")) == [159, 158]
    assert demo_cli.json("history", "show", UNKNOWN_PHONE, "--as-agent", "ana") == []


def test_unknown_agent_is_an_error(demo_cli: Cli) -> None:
    result = demo_cli.fail("history", "show", "1", "--as-agent", "nobody")
    assert "agent 'nobody' not found" in result.stderr
    assert result.stdout == ""


def test_filters_and_limit_apply_to_what_the_agent_may_see(demo_cli: Cli) -> None:
    assert ids(demo_cli.json("history", "show", "1", "--as-agent", "ana", "--limit", "2")) == [100, 102]
    assert ids(demo_cli.json("history", "show", "1", "--as-agent", "ana", "--newest-first", "--limit", "3")) == [
        112, 111, 110]
    assert ids(demo_cli.json("history", "show", "1", "--as-agent", "ana", "--channel", "voice")) == [102, 110]
    assert ids(demo_cli.json("history", "show", "1", "--as-agent", "marko", "--status", "solved")) == [104, 114]


def test_nothing_reveals_how_many_were_hidden(demo_cli: Cli) -> None:
    result = demo_cli.ok("history", "show", "1", "--as-agent", "luka", "-f", "json")
    assert json.loads(result.stdout) == json.loads(demo_cli.ok("history", "show", "1", "--channel", "livechat",
                                                                "-f", "json").stdout)
    assert result.stderr == ""
    table = demo_cli.ok("history", "show", "1", "--as-agent", "luka")
    assert len(table.stdout.splitlines()) == 3 and table.stderr == ""
    # seeing nothing looks exactly like having nothing
    hidden = demo_cli.ok("history", "show", UNKNOWN_PHONE, "--as-agent", "ana")
    empty = demo_cli.ok("history", "show", "+385990000000", "--as-agent", "ana")
    assert (hidden.stdout, hidden.stderr) == (empty.stdout, empty.stderr) == ("No conversation history\n", "")


def test_authoring_an_item_makes_a_participant_and_no_queue_means_participants_only(
    empty_cli: Cli, tmp_path: Path
) -> None:
    world = write(tmp_path / "w.yaml", """
queues: [{name: q1}, {name: q2}]
agents:
  - {name: boss, queues: [q1, q2]}
  - {name: writer, queues: []}
  - {name: listed, queues: []}
conversations:
  - id: 1
    channel: sms
    contact: "+385910000009"
    queue: q1
    created_at: 2026-01-01T00:00:00Z
    items: [{at: 2026-01-01T00:01:00Z, kind: note, author: writer, text: "looked at it"}]
  - {id: 2, channel: sms, contact: "+385910000009", agents: [listed], created_at: 2026-01-02T00:00:00Z}
  - {id: 3, channel: voice, contact: "+385910000009", created_at: 2026-01-03T00:00:00Z}
""")
    empty_cli.ok("db", "import", str(world))
    show = ("history", "show", "+385910000009", "--as-agent")
    assert ids(empty_cli.json(*show, "writer")) == [1]
    assert ids(empty_cli.json(*show, "listed")) == [2]
    assert ids(empty_cli.json(*show, "boss")) == [1]  # every queue, but 2 and 3 have none
    assert ids(empty_cli.json("history", "show", "+385910000009")) == [1, 2, 3]


def test_granting_and_revoking_a_queue_changes_what_the_agent_sees(demo_cli: Cli) -> None:
    demo_cli.ok("agent", "grant", "luka", "vip")
    assert ids(demo_cli.json("history", "show", "1", "--as-agent", "luka")) == [105, 106, 110, 112]
    demo_cli.ok("agent", "revoke", "luka", "vip", "sales")
    assert demo_cli.json("history", "show", "1", "--as-agent", "luka") == []
    # participation outlives revoked rights
    assert ids(demo_cli.json("history", "show", UNKNOWN_PHONE, "--as-agent", "luka")) == [159, 158]


# --- property: over random small worlds, an agent sees exactly what the history rule allows -------------------

QUEUES = ["q0", "q1", "q2"]
AGENTS = ["a0", "a1", "a2", "a3"]
CHANNELS = ["whatsapp", "sms", "voice", "facebook_posts"]
PERSON_PHONE = "+385910000001"
STRANGER_PHONE = "+385910000002"

conversation_strategy = st.fixed_dictionaries({
    "phone": st.sampled_from([PERSON_PHONE, STRANGER_PHONE]),
    "channel": st.sampled_from(CHANNELS),
    "queue": st.one_of(st.none(), st.sampled_from(QUEUES)),
    "agents": st.lists(st.sampled_from(AGENTS), unique=True, max_size=2),
    "author": st.one_of(st.none(), st.sampled_from(AGENTS)),
    "status": st.sampled_from(["open", "waiting", "solved", "closed"]),
})
world_strategy = st.fixed_dictionaries({
    "rights": st.fixed_dictionaries({a: st.lists(st.sampled_from(QUEUES), unique=True) for a in AGENTS}),
    "conversations": st.lists(conversation_strategy, min_size=1, max_size=8),
})


def _fixture(world: dict[str, Any]) -> dict[str, Any]:
    conversations = []
    for n, c in enumerate(world["conversations"], start=1):
        day = f"2026-01-{n:02d}T00:00:00Z"
        entry: dict[str, Any] = {"id": n, "channel": c["channel"], "contact": c["phone"], "queue": c["queue"],
                                 "agents": c["agents"], "status": c["status"], "created_at": day}
        if c["queue"] is None:
            del entry["queue"]
        if c["status"] == "closed":
            entry["closed_at"] = day
        if c["author"]:
            entry["items"] = [{"at": day, "kind": "note", "author": c["author"], "text": "n"}]
        conversations.append(entry)
    return {
        "queues": [{"name": q} for q in QUEUES],
        "agents": [{"name": a, "queues": world["rights"][a]} for a in AGENTS],
        "people": [{"id": 1, "first_name": "P", "destinations": [{"type": "phone", "value": PERSON_PHONE}]}],
        "conversations": conversations,
    }


def _may_see(agent: str, rights: list[str], c: dict[str, Any]) -> bool:
    return (c["queue"] is not None and c["queue"] in rights) or agent in c["agents"] or agent == c["author"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=world_strategy)
def test_an_agent_never_sees_a_conversation_outside_their_queues_they_took_no_part_in(world: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cli = Cli(Path(tmp) / "w.db")
        cli.ok("db", "init")
        cli.ok("db", "import", "-", input=json.dumps(_fixture(world)))
        numbered = list(enumerate(world["conversations"], start=1))
        for ref, phone in (("1", PERSON_PHONE), (STRANGER_PHONE, STRANGER_PHONE)):
            everyone = ids(cli.json("history", "show", ref))
            assert everyone == [n for n, c in numbered if c["phone"] == phone and c["channel"] != "facebook_posts"]
            for agent in AGENTS:
                seen = ids(cli.json("history", "show", ref, "--as-agent", agent))
                expected = [n for n in everyone if _may_see(agent, world["rights"][agent], numbered[n - 1][1])]
                assert seen == expected, (agent, ref)
