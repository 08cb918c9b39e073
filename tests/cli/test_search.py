"""`cctx conversation search`: every rule of the contract's Search bullet, on both engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, write

MAJA, IVAN, UNKNOWN = "+385911111111", "+385922222222", "+385933333333"

WORLD = f"""
queues: [{{name: support}}, {{name: billing}}]
agents:
  - {{name: ana, queues: [support]}}
  - {{name: marko, queues: [billing]}}
  - {{name: tomislav, queues: []}}
people:
  - {{id: 1, first_name: Maja, last_name: Horvat, destinations: [{{type: phone, value: "{MAJA}"}},
     {{type: messenger, value: "m-1"}}]}}
  - {{id: 2, first_name: Ivan, last_name: Kovač, destinations: [{{type: phone, value: "{IVAN}"}}]}}
conversations:
  - id: 200
    channel: whatsapp
    contact: "{MAJA}"
    queue: support
    agents: [ana]
    created_at: 2026-11-01T09:00:00Z
    items:
      - {{at: 2026-11-01T09:00:00Z, kind: message, author: customer,
          text: "Pozdrav, gospodine Kovač! Treba mi povrat novca."}}
      - {{at: 2026-11-01T09:05:00Z, kind: note, author: ana, text: "Customer wants a refund for the router"}}
  - id: 201
    channel: sms
    contact: "{MAJA}"
    status: closed
    created_at: 2024-01-01T09:00:00Z
    closed_at: 2024-01-02T09:00:00Z
    items:
      - {{at: 2024-01-01T09:00:00Z, kind: message, author: customer, text: "old kovac refund oldmarker"}}
  - id: 202
    channel: facebook_posts
    contact: m-1
    created_at: 2026-10-01T09:00:00Z
    items:
      - {{at: 2026-10-01T09:00:00Z, kind: message, author: customer, text: "KOVAČ on a public post"}}
  - id: 203
    channel: telegram
    contact: "tg-77"
    queue: billing
    created_at: 2026-10-02T09:00:00Z
    items:
      - {{at: 2026-10-02T09:00:00Z, kind: message, author: customer, text: "kovač from an unknown telegram user"}}
  - id: 204
    channel: email
    contact: "ivan@example.com"
    customer: 2
    agents: [tomislav]
    created_at: 2026-10-03T09:00:00Z
    items:
      - {{at: 2026-10-03T09:00:00Z, kind: message, author: customer, text: "ĐURĐEVIĆ Łukasz Øster Straße kovac"}}
  - id: 210
    channel: whatsapp
    contact: "{IVAN}"
    created_at: 2026-09-01T09:00:00Z
    items:
      - {{at: 2026-09-01T09:00:00Z, kind: message, author: customer, text: "alpha and beta together"}}
  - id: 211
    channel: whatsapp
    contact: "{IVAN}"
    created_at: 2026-09-02T09:00:00Z
    items:
      - {{at: 2026-09-02T09:00:00Z, kind: message, author: customer, text: "alpha first"}}
      - {{at: 2026-09-02T09:01:00Z, kind: message, author: customer, text: "then beta"}}
      - {{at: 2026-09-02T09:02:00Z, kind: message, author: customer, text: "alpha again"}}
  - id: 212
    channel: whatsapp
    contact: "{IVAN}"
    created_at: 2026-09-03T09:00:00Z
    items:
      - {{at: 2026-09-03T09:00:00Z, kind: message, author: customer, text: "alpha alone, alphabet"}}
  - id: 220
    channel: voice
    contact: "{IVAN}"
    created_at: 2026-09-04T09:00:00Z
    items:
      - {{at: 2026-09-04T09:00:00Z, kind: call_event, event: started}}
      - {{at: 2026-09-04T09:01:00Z, kind: note, author: ana, text: "called about the gamma invoice"}}
      - {{at: 2026-09-04T09:02:00Z, kind: call_event, event: ended}}
"""


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in rows]


@pytest.fixture
def cli(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "world.yaml", WORLD)))
    return empty_cli


def search(cli: Cli, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = cli.json("conversation", "search", *args)
    return rows


def test_case_and_accents_do_not_matter(cli: Cli) -> None:
    expected = [200, 201, 203, 204]
    for text in ("kovac", "Kovač", "KOVAČ", "kóvåç"):
        assert sorted(ids(search(cli, text))) == expected, text
    # special letters that do not decompose are spelled out, on both sides
    for text in ("durdevic", "ĐurĐević", "lukasz", "oster", "strasse", "STRASSE", "straße"):
        assert ids(search(cli, text)) == [204], text


def test_every_word_is_required_across_the_items_of_a_conversation(cli: Cli) -> None:
    assert ids(search(cli, "alpha beta")) == [210, 211]  # 211 holds them in two different items
    assert ids(search(cli, "kovac refund")) == [201, 200]  # 201 holds both in one item
    assert search(cli, "kovac nosuchword") == []


def test_a_word_ending_in_a_star_is_a_prefix(cli: Cli) -> None:
    assert sorted(ids(search(cli, "alpha"))) == [210, 211, 212]
    assert ids(search(cli, "alphab*")) == [212]
    assert ids(search(cli, "alphab")) == []
    assert sorted(ids(search(cli, "kov*"))) == [200, 201, 203, 204]
    assert ids(search(cli, "pov* nov*")) == [200]


def test_snippets_wrap_each_match_in_brackets(cli: Cli) -> None:
    rows = {r["id"]: r["snippet"] for r in search(cli, "kovac")}
    assert rows[200] == "Pozdrav, gospodine [Kovač]! Treba mi povrat novca."
    assert rows[204] == "ĐURĐEVIĆ Łukasz Øster Straße [kovac]"
    # the best item of a conversation gives the snippet: the one holding most of the words
    (hit,) = search(cli, "refund router")
    assert hit["snippet"] == "Customer wants a [refund] for the [router]"
    (hit,) = search(cli, "alphab*")
    assert hit["snippet"] == "alpha alone, [alphabet]"


def test_a_snippet_is_at_most_200_characters(empty_cli: Cli, tmp_path: Path) -> None:
    long_text = "filler " * 60 + "Needle in the middle " + "more words " * 40 + "needle again " + "tail " * 30
    world = f"""
conversations:
  - {{id: 1, channel: sms, contact: "{MAJA}", created_at: 2026-11-01T09:00:00Z,
     items: [{{at: 2026-11-01T09:00:00Z, kind: message, author: customer, text: "{long_text}"}}]}}
"""
    empty_cli.ok("db", "import", str(write(tmp_path / "long.yaml", world)))
    (hit,) = empty_cli.json("conversation", "search", "needle")
    snippet = hit["snippet"]
    assert len(snippet) <= 200
    assert snippet.startswith("…filler") and snippet.endswith("…")
    assert "[Needle]" in snippet and "needle" not in snippet.replace("[Needle]", "")


def test_best_match_first(cli: Cli) -> None:
    # one item with both words beats two items with one each; a word alone does not match
    assert ids(search(cli, "alpha beta")) == [210, 211]
    # more matching items come first among equals (211 has two items with alpha, 212 and 210 one)
    assert ids(search(cli, "alpha"))[0] == 211


def test_posts_channels_only_when_named(cli: Cli) -> None:
    assert 202 not in ids(search(cli, "kovac"))
    assert ids(search(cli, "kovac", "--channel", "facebook_posts")) == [202]
    assert sorted(ids(search(cli, "kovac", "--channel", "facebook_posts", "--channel", "telegram"))) == [202, 203]
    assert ids(search(cli, "kovac", "--channel", "whatsapp")) == [200]


def test_call_notes_are_searched(cli: Cli) -> None:
    assert ids(search(cli, "gamma")) == [220]


def test_tombstones_never_match_and_the_merged_text_is_found_in_the_target(cli: Cli) -> None:
    assert sorted(ids(search(cli, "beta"))) == [210, 211]
    cli.ok("conversation", "merge", "212", "211")
    # 211's items moved into 212: its words are found there, the tombstone matches nothing
    assert ids(search(cli, "alpha beta")) == [210, 212]
    assert ids(search(cli, "then beta")) == [212]
    assert 211 not in ids(search(cli, "alpha"))


def test_the_retention_horizon_hides_as_history_does(cli: Cli, tmp_path: Path) -> None:
    assert 201 in ids(search(cli, "kovac"))
    write(tmp_path / "cctx.yaml", "retention:\n  default_days: 365\n")
    assert 201 not in ids(search(cli, "kovac"))
    assert search(cli, "oldmarker") == []


def test_the_agent_rule_applies(cli: Cli) -> None:
    # ana: support queue (200) and nothing else; marko: billing (203); tomislav: only 204, where he took part
    assert ids(search(cli, "kovac", "--as-agent", "ana")) == [200]
    assert ids(search(cli, "kovac", "--as-agent", "marko")) == [203]
    assert ids(search(cli, "kovac", "--as-agent", "tomislav")) == [204]
    result = cli.fail("conversation", "search", "kovac", "--as-agent", "nobody")
    assert "agent 'nobody' not found" in result.stderr


def test_customer_resolves_as_history_does(cli: Cli) -> None:
    assert sorted(ids(search(cli, "kovac", "--customer", "1"))) == [200, 201]
    assert sorted(ids(search(cli, "kovac", "--customer", MAJA))) == [200, 201]
    assert ids(search(cli, "kovac", "--customer", "2")) == [204]
    assert ids(search(cli, "kovac", "--customer", "telegram:tg-77")) == [203]
    assert search(cli, "kovac", "--customer", UNKNOWN) == []
    result = cli.fail("conversation", "search", "kovac", "--customer", "99")
    assert "customer 99 not found" in result.stderr


def test_limit(cli: Cli) -> None:
    assert len(search(cli, "kovac", "--limit", "2")) == 2
    assert search(cli, "kovac", "--limit", "2") == search(cli, "kovac")[:2]
    cli.fail("conversation", "search", "kovac", "--limit", "0", code=2)


def test_output_forms(cli: Cli) -> None:
    (row,) = search(cli, "router")
    assert list(row) == [
        "id", "channel", "status", "queue", "contact", "customer_id", "talking_with", "started_at", "closed_at",
        "last_activity_at", "messages", "notes", "call_events", "snippet",
    ]
    table = cli.ok("conversation", "search", "router").stdout
    assert "[router]" in table and "200" in table
    assert cli.ok("conversation", "search", "nosuchword").stdout == "No conversation found\n"
    csv = cli.ok("conversation", "search", "nosuchword", "-f", "csv").stdout
    assert csv.startswith("id,channel,") and csv.rstrip().endswith("snippet")


def test_search_text_is_words_never_syntax(cli: Cli) -> None:
    for text in ('"kovac', 'kovac"', "kovac AND", "NEAR(kovac refund)", "kovac OR alpha", "kovac NOT refund",
                 "kovac -refund", "'kovac'", "kovac:*", "kovac & refund | !x", "(kovac)", "kovac^", "{kovac}"):
        result = cli.run("conversation", "search", text, "-f", "json")
        assert result.exit_code == 0, (text, result.stderr)
    # operators are plain words that must occur too
    assert search(cli, "kovac AND refund") == []
    assert ids(search(cli, "(kovac) refund\"")) == [201, 200]


def test_a_search_without_words_is_refused(cli: Cli) -> None:
    for text in ("", "*", "  ", '"', "-", "!!! ???", "* * *"):
        result = cli.fail("conversation", "search", text)
        assert "nothing to search for" in result.stderr


def test_too_many_words_are_refused(cli: Cli) -> None:
    result = cli.fail("conversation", "search", " ".join(f"w{i}" for i in range(21)))
    assert "at most 20" in result.stderr


@pytest.mark.sqlite_only
def test_one_customers_search_reads_that_customers_items(cli: Cli) -> None:
    from cctx.search_fold import search_words
    from cctx.store import Store
    from cctx.store.history import HistoryQuery

    store = Store.open(cli.db, 5000)
    try:
        scoped = " ".join(store.engine.query_plan(store.conn, *store.search.hits_sql(search_words("kovac refund"),
                                                                              HistoryQuery(person_id=1, limit=20))))
        everyone = " ".join(store.engine.query_plan(store.conn, *store.search.hits_sql(search_words("kovac refund"),
                                                                                HistoryQuery(limit=20))))
    finally:
        store.close()
    assert "items_by_conversation" in scoped and "conversations_by_person" in scoped
    assert "items_by_conversation" not in everyone
