"""What every listing prints: repeated filters mean "any of", no option keeps only its last value, an empty
CSV still has its header, and table output never hands a terminal a control character."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest

from cctx.cli.root import cli
from tests.conftest import Cli


def ids(rows: list[dict[str, object]], key: str = "id") -> set[object]:
    return {r[key] for r in rows}


# --- repeated filters mean "any of" -------------------------------------------------------------------


def test_customer_list_with_two_tags_lists_people_with_either(demo_cli: Cli) -> None:
    vip = ids(demo_cli.json("customer", "list", "--tag", "vip"), "customer_id")
    b2b = ids(demo_cli.json("customer", "list", "--tag", "b2b"), "customer_id")
    assert vip and b2b and vip != b2b
    both = demo_cli.json("customer", "list", "--tag", "vip", "--tag", "b2b")
    assert ids(both, "customer_id") == vip | b2b
    assert [c["customer_id"] for c in both] == sorted(vip | b2b)  # still in id order, each once


def test_conversation_list_with_two_queues_lists_either(demo_cli: Cli) -> None:
    billing = ids(demo_cli.json("conversation", "list", "--queue", "billing"))
    vip = ids(demo_cli.json("conversation", "list", "--queue", "vip"))
    assert billing and vip
    assert ids(demo_cli.json("conversation", "list", "--queue", "billing", "--queue", "vip")) == billing | vip
    refused = demo_cli.fail("conversation", "list", "--queue", "billing", "--queue", "nowhere")
    assert "nowhere" in refused.stderr


def test_conversation_list_with_two_contacts_lists_either(demo_cli: Cli) -> None:
    person = ids(demo_cli.json("conversation", "list", "--contact", "1"))
    unknown = demo_cli.json("conversation", "list", "--unlinked")
    contact = next(r["contact"] for r in unknown if r["contact"].startswith("+"))
    of_contact = ids(demo_cli.json("conversation", "list", "--contact", contact))
    assert person and of_contact and not person & of_contact
    both = demo_cli.json("conversation", "list", "--contact", "1", "--contact", contact)
    assert ids(both) == person | of_contact
    assert [r["started_at"] for r in both] == sorted(r["started_at"] for r in both)


def _value_options() -> list[tuple[str, str]]:
    """(command path, option) for every option of every command that takes one value."""
    found: list[tuple[str, str]] = []

    def walk(command: click.Command, path: list[str], ctx: click.Context) -> None:
        for param in command.params:
            if isinstance(param, click.Option) and not param.multiple and not param.is_flag and not param.count:
                found.append((" ".join(path), param.opts[0]))
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name], click.Context(sub, parent=ctx, info_name=name))

    walk(cli, [], click.Context(cli, info_name="cctx"))
    return found


VALUE_OPTIONS = _value_options()


def test_every_filter_that_may_be_given_several_times_is_multiple() -> None:
    single = {option for _, option in VALUE_OPTIONS}
    assert not single & {"--tag", "--queue", "--contact", "--channel", "--status", "--kind"}


@pytest.mark.parametrize(("path", "option"), VALUE_OPTIONS)
def test_an_option_taking_one_value_given_twice_is_refused(empty_cli: Cli, path: str, option: str) -> None:
    """Refused before the command runs (exit 2, the option named), never silently the last value."""
    where = path.split()
    result = empty_cli.run(*where, option, "1", option, "2") if where else empty_cli.run(option, "1", option, "2")
    assert result.exit_code == 2, result.output
    assert f"{option}" in result.stderr and "more than once" in result.stderr


# --- CSV headers, also when empty ---------------------------------------------------------------------

LISTINGS = [
    (["customer", "list"], ["--tag", "nobody"]),
    (["audit", "list"], ["--since", "2999-01-01T00:00:00Z"]),
    (["agent", "list"], None),
    (["queue", "list"], None),
    (["conversation", "list"], ["--channel", "viber", "--status", "waiting", "--queue", "vip"]),
    (["history", "show", "+385990000000"], []),
    (["conversation", "show", "101"], ["--kind", "call_event"]),
]


def _csv(result_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(result_text)))


@pytest.mark.parametrize(("command", "narrowing"), LISTINGS)
def test_an_empty_csv_has_the_same_header_as_a_full_one(
    demo_cli: Cli, tmp_path: Path, command: list[str], narrowing: list[str] | None
) -> None:
    full = _csv(demo_cli.ok(*command, "-f", "csv").stdout) if command[0] != "history" else \
        _csv(demo_cli.ok("history", "show", "1", "-f", "csv").stdout)
    assert len(full) > 1
    if narrowing is None:  # agents and queues: an empty database has none
        other = Cli(tmp_path / "other.db")
        other.ok("db", "init")
        empty = _csv(other.ok(*command, "-f", "csv").stdout)
    else:
        base = command if command[:2] != ["conversation", "show"] else ["conversation", "show", "101"]
        empty = _csv(demo_cli.ok(*base, *narrowing, "-f", "csv").stdout)
    assert empty == [full[0]]


def test_the_items_csv_header_matches_the_json_items(demo_cli: Cli) -> None:
    shown = demo_cli.json("conversation", "show", "101")
    header = _csv(demo_cli.ok("conversation", "show", "101", "-f", "csv").stdout)[0]
    assert header == ["conversation", *shown["items"][0]]


# --- terminal safety ----------------------------------------------------------------------------------

EVIL = "Ana\x1b[31m\x07\r\nKos\x9b2J\x7f\u202e"


@pytest.fixture
def evil_cli(empty_cli: Cli) -> Cli:
    empty_cli.ok("customer", "create", "--first-name", EVIL, "--last-name", "x\x1b]0;owned\x07",
                 "--city", "Split\ttab", "--destination", "telegram:4815", "--tag", "v\x1bip", "--set", "plan=\x1b[5m")
    fixture = {
        "queues": [{"name": "billing"}],
        "agents": [{"name": "ana", "queues": ["billing"]}],
        "conversations": [{
            "id": 500, "channel": "telegram", "contact": "4815", "status": "open", "queue": "billing",
            "created_at": "2026-11-20T09:00:00Z",
            "items": [{"at": "2026-11-20T09:00:00Z", "kind": "message", "author": "customer", "text": EVIL},
                      {"at": "2026-11-20T09:01:00Z", "kind": "note", "author": "ana", "text": "ok\x1b[0m"}],
        }],
    }
    empty_cli.ok("db", "import", "-", input=json.dumps(fixture))
    return empty_cli


TABLE_COMMANDS = [
    ["customer", "show", "1"],
    ["customer", "show", "telegram:4815"],
    ["customer", "show", "--conversation", "500"],
    ["customer", "list"],
    ["conversation", "list"],
    ["conversation", "show", "500"],
    ["history", "show", "1"],
    ["audit", "list"],
    ["customer", "update", "1", "--set", "note=\x1b[1m"],
]


@pytest.mark.parametrize("command", TABLE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_table_output_shows_control_characters_as_escapes(evil_cli: Cli, command: list[str]) -> None:
    out = evil_cli.ok(*command).stdout
    raw = [c for c in out if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]
    assert raw == []
    assert "\\x1b" in out or command[0] == "audit"  # audit details are shortened before the name


def test_json_and_csv_keep_the_exact_text(evil_cli: Cli) -> None:
    assert evil_cli.json("customer", "show", "1")["first_name"] == EVIL
    assert evil_cli.json("conversation", "show", "500")["items"][0]["text"] == EVIL
    text = evil_cli.ok("conversation", "show", "500", "-f", "csv").stdout_bytes.decode()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["text"] == EVIL
