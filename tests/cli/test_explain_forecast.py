"""`history explain` and `history forecast` against values worked out by hand from a small world."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, Cli, write

POLICY = "retention:\n  default_days: 365\n  channels: {sms: 90, voice: 30}\n"
NOW_DT = datetime(2026, 11, 25, 12, tzinfo=UTC)


def msg(at: str, text: str = "x") -> str:
    return f"{{at: {at}, kind: message, author: customer, text: {text}}}"


# Expiry by hand (sms 90 days, voice 30, everything else 365; week k runs from NOW + 7k days):
#  1 sms closed 2026-08-20T12:00 -> 2026-11-18T12:00: already expired (2 items)
#  2 sms closed 2026-08-28T13:00 -> 2026-11-26T13:00: week 0 (1 item)
#  3 voice closed 2026-11-10T12:00 -> 2026-12-10T12:00: week 2 (2 items)
#  4 whatsapp closed 2025-12-01T12:00 -> 2026-12-01T12:00: week 0 (3 items)
#  5 whatsapp closed 2025-11-25T12:00:00 -> exactly NOW: not yet expired (a purge deletes what is
#    strictly older than the horizon): week 0 (no items)
#  6 whatsapp closed 2025-11-25T11:59:59 -> one second before NOW: already expired (1 item)
#  7 whatsapp open since 2020: never
#  8 email closed 2024-01-01: expired but held by a conversation hold
#  9 sms closed 2026-01-10, merged at NOW into 10 (its 2 items move there): its own expiry
#    2027-02-23T12:00 (week 12) comes after 10's, so it goes with 10
# 10 whatsapp closed 2026-01-20T12:00 -> 2027-01-20T12:00 = the start of week 8 (1 + 2 items)
# 11 whatsapp closed 2024-05-01: already expired (1 item + 1 moved from 12)
# 12 whatsapp closed 2024-04-01, merged at NOW into 11: a tombstone taken along, already expired
# 13 facebook_posts closed 2025-01-01: already expired (posts are purged too; 1 item)
# 14 sms closed 2024-01-01, linked to person 1, who is held
WORLD = f"""
people:
  - {{id: 1, first_name: Held, destinations: [{{type: phone, value: "+385910000009"}}]}}
conversations:
  - {{id: 1, channel: sms, contact: "+385911111111", status: closed, created_at: 2026-08-20T10:00:00Z,
     closed_at: 2026-08-20T12:00:00Z, items: [{msg("2026-08-20T10:00:00Z")}, {msg("2026-08-20T10:01:00Z")}]}}
  - {{id: 2, channel: sms, contact: "+385911111111", status: closed, created_at: 2026-08-28T10:00:00Z,
     closed_at: 2026-08-28T13:00:00Z, items: [{msg("2026-08-28T10:00:00Z")}]}}
  - id: 3
    channel: voice
    contact: "+385911111111"
    status: closed
    created_at: 2026-11-10T11:00:00Z
    closed_at: 2026-11-10T12:00:00Z
    items:
      - {{at: 2026-11-10T11:00:00Z, kind: call_event, event: started}}
      - {{at: 2026-11-10T11:30:00Z, kind: call_event, event: ended}}
  - {{id: 4, channel: whatsapp, contact: "+385911111111", status: closed, created_at: 2025-12-01T10:00:00Z,
     closed_at: 2025-12-01T12:00:00Z,
     items: [{msg("2025-12-01T10:00:00Z")}, {msg("2025-12-01T10:01:00Z")}, {msg("2025-12-01T10:02:00Z")}]}}
  - {{id: 5, channel: whatsapp, contact: "+385911111111", status: closed, created_at: 2025-11-25T10:00:00Z,
     closed_at: 2025-11-25T12:00:00Z}}
  - {{id: 6, channel: whatsapp, contact: "+385911111111", status: closed, created_at: 2025-11-25T10:00:00Z,
     closed_at: 2025-11-25T11:59:59Z, items: [{msg("2025-11-25T10:00:00Z")}]}}
  - {{id: 7, channel: whatsapp, contact: "+385911111111", status: open, created_at: 2020-01-01T10:00:00Z}}
  - {{id: 8, channel: email, contact: "held@example.com", status: closed, created_at: 2024-01-01T10:00:00Z,
     closed_at: 2024-01-01T12:00:00Z, items: [{msg("2024-01-01T10:00:00Z")}]}}
  - {{id: 9, channel: sms, contact: "+385912222222", status: closed, created_at: 2026-01-10T10:00:00Z,
     closed_at: 2026-01-10T12:00:00Z, items: [{msg("2026-01-10T10:00:00Z")}, {msg("2026-01-10T10:01:00Z")}]}}
  - {{id: 10, channel: whatsapp, contact: "+385912222222", status: closed, created_at: 2026-01-20T10:00:00Z,
     closed_at: 2026-01-20T12:00:00Z, items: [{msg("2026-01-20T10:00:00Z")}]}}
  - {{id: 11, channel: whatsapp, contact: "+385913333333", status: closed, created_at: 2024-05-01T10:00:00Z,
     closed_at: 2024-05-01T12:00:00Z, items: [{msg("2024-05-01T10:00:00Z")}]}}
  - {{id: 12, channel: whatsapp, contact: "+385913333333", status: closed, created_at: 2024-04-01T10:00:00Z,
     closed_at: 2024-04-01T12:00:00Z, items: [{msg("2024-04-01T10:00:00Z")}]}}
  - {{id: 13, channel: facebook_posts, contact: "fb-1", status: closed, created_at: 2025-01-01T10:00:00Z,
     closed_at: 2025-01-01T12:00:00Z, items: [{msg("2025-01-01T10:00:00Z")}]}}
  - {{id: 14, channel: sms, contact: "+385910000009", status: closed, created_at: 2024-01-01T10:00:00Z,
     closed_at: 2024-01-01T12:00:00Z, items: [{msg("2024-01-01T10:00:00Z")}]}}
"""
ALREADY = {"conversations": 5, "items": 6}  # 1, 6, 11, 12, 13
WEEKS = {
    0: (3, 4, {"whatsapp": 2, "sms": 1}),  # 2, 4, 5
    2: (1, 2, {"voice": 1}),  # 3
    8: (2, 3, {"sms": 1, "whatsapp": 1}),  # 10 and its tombstone 9
}


@pytest.fixture
def world(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    empty_cli.ok("conversation", "merge", "10", "9")
    empty_cli.ok("conversation", "merge", "11", "12")
    empty_cli.ok("hold", "add", "--conversation", "8", "--reason", "r")
    empty_cli.ok("hold", "add", "--customer", "1", "--reason", "r")
    empty_cli.env["CCTX_CONFIG"] = str(write(tmp_path / "policy.yaml", POLICY))
    return empty_cli


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_forecast_counts_each_week_by_hand(world: Cli) -> None:
    result = world.json("history", "forecast")
    assert result["already_expired"] == ALREADY
    assert len(result["weeks"]) == 12
    for k, week in enumerate(result["weeks"]):
        start = NOW_DT + timedelta(days=7 * k)
        assert (week["from"], week["to"]) == (ts(start), ts(start + timedelta(days=7)))
        conversations, items, by_channel = WEEKS.get(k, (0, 0, {}))
        assert (week["conversations"], week["items"], week["by_channel"]) == (conversations, items, by_channel), k


def test_already_expired_is_what_the_dry_run_deletes(world: Cli) -> None:
    forecast = world.json("history", "forecast")["already_expired"]
    dry_run = world.json("history", "purge", "--dry-run")
    assert forecast == {"conversations": dry_run["conversations"], "items": dry_run["items"]}
    assert dry_run["held"] == 2
    purged = world.json("history", "purge")
    assert (purged["conversations"], purged["items"]) == (ALREADY["conversations"], ALREADY["items"])
    assert world.json("history", "forecast")["already_expired"] == {"conversations": 0, "items": 0}


def test_forecast_of_some_channels_and_more_weeks(world: Cli) -> None:
    result = world.json("history", "forecast", "--channel", "sms", "--weeks", "13")
    # sms alone: 1 already; 2 in week 0; the tombstone 9 on its own clock (merged at NOW + 90 days =
    # NOW + 12 weeks 6 days), since the whatsapp conversation it went into is out of scope.
    assert result["already_expired"] == {"conversations": 1, "items": 2}
    counts = {k: (w["conversations"], w["items"], w["by_channel"]) for k, w in enumerate(result["weeks"])
              if w["conversations"]}
    assert counts == {0: (1, 1, {"sms": 1}), 12: (1, 0, {"sms": 1})}
    dry_run = world.json("history", "purge", "--dry-run", "--channel", "sms")
    assert (dry_run["conversations"], dry_run["items"]) == (1, 2)
    both = world.json("history", "forecast", "--channel", "sms", "--channel", "voice")
    assert [w["conversations"] for w in both["weeks"]][:3] == [1, 0, 1]


def test_forecast_table_draws_a_bar_per_week(world: Cli) -> None:
    lines = world.ok("history", "forecast", "--weeks", "3").stdout.splitlines()
    assert lines[0] == "Already expired (the next purge deletes them): 5 conversations, 6 items"
    rows = lines[3:]
    assert len(rows) == 3
    assert rows[0].startswith("2026-11-25  2026-12-02") and rows[0].endswith("#" * 40)
    assert rows[1].rstrip().endswith("0")
    assert rows[2].endswith("#" * 13)  # 1 of 3 conversations: a third of the widest bar


def test_forecast_without_a_policy_expires_nothing(world: Cli) -> None:
    result = world.json("history", "forecast", "--weeks", "2", env={"CCTX_CONFIG": ""})
    assert result["already_expired"] == {"conversations": 0, "items": 0}
    assert [w["conversations"] for w in result["weeks"]] == [0, 0]


def test_forecast_refuses_a_bad_week_count(world: Cli) -> None:
    world.fail("history", "forecast", "--weeks", "0", code=2)
    world.fail("history", "forecast", "--weeks", "99999999999999999999", code=2)


def explain(cli: Cli, conversation: int, **kwargs: str) -> dict[str, object]:
    result: dict[str, object] = cli.json("history", "explain", str(conversation), env=kwargs or None)
    return result


def test_explain_an_expired_conversation(world: Cli) -> None:
    assert explain(world, 1) == {
        "conversation": 1, "status": "closed", "channel": "sms", "closed_at": "2026-08-20T12:00:00Z",
        "expires_from": "2026-08-20T12:00:00Z", "policy": "channel", "retention_days": 90,
        "expires_at": "2026-11-18T12:00:00Z", "expired": True, "held_by": [], "purgeable": True,
        "reason": "It closed at 2026-08-20T12:00:00Z and sms keeps 90 days: it expired at 2026-11-18T12:00:00Z "
                  "and the next purge deletes it.",
    }


def test_explain_the_boundary_and_the_default(world: Cli) -> None:
    at_now = explain(world, 5)
    assert (at_now["policy"], at_now["retention_days"], at_now["expires_at"]) == ("default", 365, NOW)
    assert (at_now["expired"], at_now["purgeable"]) == (False, False)
    assert at_now["reason"] == (f"It closed at 2025-11-25T12:00:00Z and the default keeps 365 days: it expires at "
                                f"{NOW}.")
    one_second = explain(world, 6)
    assert (one_second["expires_at"], one_second["expired"], one_second["purgeable"]) == (
        "2026-11-25T11:59:59Z", True, True)


def test_explain_held_open_and_tombstones(world: Cli) -> None:
    held = explain(world, 8)
    assert (held["expired"], held["held_by"], held["purgeable"]) == (True, [1], False)
    assert held["reason"] == "It is kept by hold 1; it expired at 2024-12-31T12:00:00Z."  # 2024 is a leap year
    by_person = explain(world, 14)
    assert (by_person["held_by"], by_person["purgeable"]) == ([2], False)
    opened = explain(world, 7)
    assert (opened["expires_from"], opened["expires_at"], opened["expired"], opened["purgeable"]) == (
        None, None, False, False)
    assert opened["reason"].startswith("It is open:")
    along = explain(world, 12)
    assert (along["status"], along["expires_from"], along["expired"], along["purgeable"]) == (
        "merged", NOW, False, True)
    assert "merged into 11" in along["reason"]
    waiting = explain(world, 9)
    assert (waiting["expires_at"], waiting["purgeable"]) == ("2027-02-23T12:00:00Z", False)


def test_explain_agrees_with_the_dry_run(world: Cli, tmp_path: Path) -> None:
    """Exactly the purgeable conversations are the ones the purge deletes."""
    purgeable = {i for i in range(1, 15) if explain(world, i)["purgeable"]}
    world.json("history", "purge")
    left = {i for i in range(1, 15) if world.run("conversation", "show", str(i)).exit_code == 0}
    assert purgeable == {1, 6, 11, 12, 13}
    assert left == set(range(1, 15)) - purgeable


def test_explain_without_a_policy_and_a_missing_conversation(world: Cli) -> None:
    none = explain(world, 1, CCTX_CONFIG="")
    assert (none["policy"], none["retention_days"], none["expires_at"], none["purgeable"]) == (
        "none", None, None, False)
    assert none["reason"] == "No retention policy covers sms: it is kept forever."
    assert "conversation 99 not found" in world.fail("history", "explain", "99").stderr


def test_the_privacy_page_shows_real_commands() -> None:
    """Every `$ cctx ...` line of docs/privacy.md names a real command with real options."""
    import shlex

    from tests.cli.test_readme import ROOT_OPTIONS, _resolve
    from tests.conftest import ROOT

    lines = [line[2:] for line in (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("$ cctx ")]
    assert len(lines) >= 12
    for line in lines:
        words = shlex.split(line)[1:]
        command, rest = _resolve(words)
        known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | ROOT_OPTIONS
        assert all(w in known for w in rest if w.startswith("--")), line


# --- the same rule everywhere, on random worlds ------------------------------------------------------


CHANNELS = ["sms", "whatsapp", "voice", "email"]  # 90 days, 365 (default), 30, 365
conversation_strategy = st.tuples(
    st.sampled_from(CHANNELS), st.booleans(), st.integers(0, 800), st.integers(0, 23), st.booleans()
)  # channel, closed?, closed this many days (and hours) before NOW, on the person's contact?
world_strategy = st.tuples(
    st.lists(conversation_strategy, min_size=2, max_size=9),
    st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8), st.integers(0, 800)), max_size=3),  # merges
    st.lists(st.integers(0, 8), max_size=2),  # conversation holds
    st.booleans(),  # a hold on the person
)


def _random_world(conversations: list[tuple[str, bool, int, int, bool]]) -> str:
    lines = ["people:", '  - {id: 1, first_name: P, destinations: [{type: phone, value: "+385911000001"}]}',
             "conversations:"]
    for n, (channel, closed, days, hours, own) in enumerate(conversations, start=1):
        contact = "+385911000001" if own or channel == "email" else "+385911000002"
        contact = "p@example.com" if channel == "email" else contact
        end = NOW_DT - timedelta(days=days, hours=hours)
        status = f"closed, closed_at: {ts(end)}" if closed else "open"
        start = ts(end - timedelta(hours=1))
        item = f"{{at: {start}, kind: call_event, event: started}}" if channel == "voice" else msg(start)
        lines.append(f'  - {{id: {n}, channel: {channel}, contact: "{contact}", status: {status}, '
                     f"created_at: {start}, "
                     f"items: [{item}]}}")
    return "\n".join(lines) + "\n"


def test_forecast_explain_and_purge_agree(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """On any world: already_expired is the dry run's count, `held` the expired ones explain shows held,
    and the purge deletes exactly what explain calls purgeable. (Fewer worlds on PostgreSQL, where each
    one is a new database.)"""
    from tests.conftest import fresh_postgres_database

    @settings(max_examples=20 if engine == "sqlite" else 5, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(world=world_strategy)
    def check(world: Any) -> None:
        conversations, merges, held_conversations, hold_person = world
        target = (fresh_postgres_database(request.getfixturevalue("pg_server")) if engine == "postgresql"
                  else tmp_path / f"w{len(list(tmp_path.iterdir()))}.db")
        cli = Cli(target)
        cli.ok("db", "init")
        cli.ok("db", "import", str(write(tmp_path / "random.yaml", _random_world(conversations))))
        count = len(conversations)
        for into, source, days_ago in merges:  # refused merges (other kind, tombstones, ...) change nothing
            cli.run("conversation", "merge", str(into % count + 1), str(source % count + 1),
                    env={"CCTX_NOW": ts(NOW_DT - timedelta(days=days_ago))})
        for held in held_conversations:
            cli.ok("hold", "add", "--conversation", str(held % count + 1), "--reason", "r")
        if hold_person:
            cli.ok("hold", "add", "--customer", "1", "--reason", "r")
        cli.env["CCTX_CONFIG"] = str(write(tmp_path / "policy.yaml", POLICY))
        ids = range(1, count + 1)
        explained = {i: explain(cli, i) for i in ids}
        dry = cli.json("history", "purge", "--dry-run")
        forecast = cli.json("history", "forecast")["already_expired"]
        assert forecast == {"conversations": dry["conversations"], "items": dry["items"]}
        assert dry["held"] == sum(1 for e in explained.values() if e["expired"] and e["held_by"])
        assert all(not e["purgeable"] for e in explained.values() if e["held_by"])
        purgeable = {i for i, e in explained.items() if e["purgeable"]}
        assert dry["conversations"] == len(purgeable)
        cli.json("history", "purge")
        left = {i for i in ids if cli.run("conversation", "show", str(i)).exit_code == 0}
        assert left == set(ids) - purgeable

    check()
