"""Counts read as words (1 conversation, 2 people) and a progress bar says what is happening."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli, run_on_terminal

ONE_OLD_CLOSED = {
    "conversations": [{
        "id": 7, "channel": "sms", "contact": "+385911234567", "status": "closed",
        "created_at": "2025-01-02T09:00:00Z", "closed_at": "2025-01-02T09:30:00Z",
        "items": [{"at": "2025-01-02T09:00:00Z", "kind": "message", "author": "customer", "text": "Hi"}],
    }],
}


@pytest.fixture
def one(empty_cli: Cli) -> Cli:
    empty_cli.ok("db", "import", "-", input=json.dumps(ONE_OLD_CLOSED))
    return empty_cli


def test_a_purge_of_one_conversation_says_conversation(one: Cli) -> None:
    dry = one.ok("history", "purge", "--older-than", "30d", "--dry-run").stdout
    assert dry.startswith("Dry run: would purge 1 conversation (1 item): sms 1;"), dry
    done = one.ok("history", "purge", "--older-than", "30d").stdout
    assert done.startswith("Purged 1 conversation (1 item)"), done


def test_a_transcript_counts_in_words(one: Cli) -> None:
    assert "1 message, 0 notes, 0 call events" in one.ok("conversation", "show", "7").stdout


def test_a_refused_seed_counts_in_words(empty_cli: Cli) -> None:
    empty_cli.ok("customer", "create", "--first-name", "Ana")
    refused = empty_cli.fail("db", "seed", "--people", "1", "--conversations", "0", "--items", "0")
    assert "holds 1 person (seed a new file)" in refused.stderr


def _stderr_on_a_terminal(cli: Cli, *args: str) -> str:
    code, seen = run_on_terminal(cli, list(args), only_stderr=True)
    assert code == 0, seen
    return seen


def test_a_dry_run_bar_says_checking_and_a_purge_bar_says_purging(one: Cli) -> None:
    dry = _stderr_on_a_terminal(one, "history", "purge", "--older-than", "30d", "--dry-run")
    assert "Checking" in dry and "Purging" not in dry
    assert "Purging" in _stderr_on_a_terminal(one, "history", "purge", "--older-than", "30d")
