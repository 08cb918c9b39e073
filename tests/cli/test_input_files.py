"""Input files (db import, relink, the configuration) and arguments that used to end in a traceback, a
silent surprise or a long write lock: each is refused with `Error:` and its location, nothing written."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Cli, table_counts, write

BOMB = (  # 9 levels of 9 aliases: a billion strings if expanded (this is 580 bytes)
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "people: [{first_name: *i}]\n"
)


def refused(cli: Cli, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command that must be refused (exit 1, `Error:`, no traceback) and change nothing; its stderr."""
    before = table_counts(cli.db)
    result = cli.run(*args, input=input, env=env)  # type: ignore[arg-type]
    assert result.exit_code == 1, f"exit {result.exit_code}\n{result.stderr}\n{result.stdout}"
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr and result.exception is None or isinstance(result.exception, SystemExit)
    assert table_counts(cli.db) == before
    return result.stderr


# --- reading bytes ------------------------------------------------------------------------------------


def test_empty_input_is_refused(demo_cli: Cli, tmp_path: Path) -> None:
    assert refused(demo_cli, "db", "import", "-", input="") == "Error: <stdin>: is empty\n"
    assert refused(demo_cli, "db", "import", "-", input=" \n\n") == "Error: <stdin>: is empty\n"
    comments = write(tmp_path / "c.yaml", "# nothing yet\n")
    assert refused(demo_cli, "db", "import", str(comments)) == (
        f"Error: {comments}: holds no data (only comments or null)\n"
    )
    assert refused(demo_cli, "conversation", "relink", "-", input="") == "Error: <stdin>: is empty\n"


def test_binary_and_invalid_utf8_are_refused_with_their_line(demo_cli: Cli, tmp_path: Path) -> None:
    assert "<stdin>: line 3: binary data (a NUL byte), not text" in refused(
        demo_cli, "db", "import", "-", input=b"\x89PNG\r\n\x1a\n\x00\x00"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"people:\n  - first_name: Ana\n  - first_name: Ma\xffja\n")
    assert f"{bad}: line 3, column 19: not valid UTF-8 text (byte 0xff)" in refused(demo_cli, "db", "import", str(bad))
    assert "UTF-16 byte order mark" in refused(demo_cli, "conversation", "relink", "-", input=b"\xff\xfe1\x00")


def test_a_utf8_byte_order_mark_is_dropped(demo_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"queues": [{"name": "bom"}]}')
    assert demo_cli.json("db", "import", str(path))["queues"] == 1


# --- YAML and JSON rules ------------------------------------------------------------------------------


def test_duplicate_keys_are_refused_with_their_location(demo_cli: Cli, tmp_path: Path) -> None:
    yaml_file = write(tmp_path / "d.yaml", "people:\n  - first_name: Ana\n    first_name: Eva\n")
    assert f"{yaml_file}: line 3, column 5: duplicate key 'first_name' (first at line 2)" in refused(
        demo_cli, "db", "import", str(yaml_file)
    )
    json_file = write(tmp_path / "d.json", '{"people": [{"first_name": "Ana",\n "first_name": "Eva"}]}')
    assert f"{json_file}: line 2, column 2: duplicate key 'first_name'" in refused(
        demo_cli, "db", "import", str(json_file)
    )
    relink = "- {conversation: 156, customer: 2, customer: 3}\n"
    assert "<stdin>: line 1, column 36: duplicate key 'customer'" in refused(
        demo_cli, "conversation", "relink", "-", input=relink
    )


def test_non_finite_numbers_are_refused(demo_cli: Cli, tmp_path: Path) -> None:
    nan = "people: [{first_name: Ana, attributes: {score: .nan}}]\n"
    assert "line 1, column 48: '.nan' is not a number that can be stored" in refused(
        demo_cli, "db", "import", "-", input=nan
    )
    inf = write(tmp_path / "i.json", '{"people": [{"first_name": "Ana", "attributes": {"score": -Infinity}}]}')
    assert "-Infinity is not a number that can be stored" in refused(demo_cli, "db", "import", str(inf))
    huge = write(tmp_path / "h.json", '{"people": [{"first_name": "Ana", "attributes": {"score": 1e999}}]}')
    assert "'1e999' is too large a number" in refused(demo_cli, "db", "import", str(huge))


def test_a_yaml_alias_bomb_is_refused_at_once(demo_cli: Cli, tmp_path: Path) -> None:
    start = time.monotonic()
    stderr = refused(demo_cli, "db", "import", str(write(tmp_path / "bomb.yaml", BOMB)))
    assert time.monotonic() - start < 5
    assert "aliases repeat more than 100,000 values" in stderr
    assert len(stderr) < 300


def test_an_alias_inside_its_own_anchor_is_refused(demo_cli: Cli) -> None:
    assert "the alias *a refers to a value that contains it" in refused(
        demo_cli, "db", "import", "-", input="people: &a [{first_name: x, tags: *a}]\n"
    )


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml", "deep"])
def test_deep_nesting_is_an_error_not_a_recursion_error(demo_cli: Cli, tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, "[" * 100_000 + "]" * 100_000)
    assert "nested more than 100 levels deep" in refused(demo_cli, "db", "import", str(path))
    block = write(tmp_path / "block.yaml", "".join("  " * i + "a:\n" for i in range(5000)))
    assert "line 101, column 201: nested more than 100 levels deep" in refused(demo_cli, "db", "import", str(block))


def test_numbers_of_thousands_of_digits_are_refused(demo_cli: Cli, tmp_path: Path) -> None:
    digits = "9" * 5000
    assert "a number of more than 40 digits (quote it if it is text)" in refused(
        demo_cli, "db", "import", "-", input=f"people: [{{id: {digits}, first_name: Ana}}]\n"
    )
    big = write(tmp_path / "big.json", f'{{"people": [{{"id": {digits}, "first_name": "Ana"}}]}}')
    assert "a number of 5000 digits (at most 40)" in refused(demo_cli, "db", "import", str(big))
    relink = write(tmp_path / "r.csv", f"conversation,customer\n{digits},1\n")
    stderr = refused(demo_cli, "conversation", "relink", str(relink))
    assert "is not a conversation id" in stderr and max(map(len, stderr.splitlines())) < 200
    assert "at most 18 digits" in refused(demo_cli, "history", "purge", "--older-than", digits + "d", "--dry-run")


@pytest.mark.parametrize("args", [
    ["conversation", "show", "{}"],
    ["customer", "show", "--conversation", "{}"],
    ["customer", "list", "--limit", "{}"],
    ["history", "purge", "--older-than", "30d", "--batch-size", "{}", "--dry-run"],
    ["audit", "show", "{}"],
])
def test_whole_numbers_of_thousands_of_digits_in_arguments_are_bad_usage(demo_cli: Cli, args: list[str]) -> None:
    """Quoted cut to 80 characters, never handed to int() (which refuses 4300 digits with a ValueError)."""
    result = demo_cli.run(*[a.format("9" * 5000) for a in args])
    assert result.exit_code == 2, result.stderr[-300:]
    assert f"'{'9' * 80}'… is not a whole number" in result.stderr
    assert len(result.stderr) < 600


def test_tags_other_than_plain_values_are_refused(demo_cli: Cli) -> None:
    text = "people: [{first_name: !!python/object/apply:os.system [echo hi]}]\n"
    assert "is not allowed" in refused(demo_cli, "db", "import", "-", input=text)


def test_csv_fields_over_128_kib_are_refused_with_their_line(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "conversation,customer\n156,2\n157," + "x" * 200_000 + "\n")
    stderr = refused(demo_cli, "conversation", "relink", str(path))
    assert stderr == f"Error: {path}: line 3: a field longer than 128 KiB\n"


# --- values where one value belongs, values quoted in messages -----------------------------------------


def test_a_list_or_mapping_where_text_belongs_is_a_located_problem(demo_cli: Cli) -> None:
    conversation = (
        "conversations:\n"
        "  - {channel: sms, contact: '+385911234567', created_at: 2026-01-01T00:00:00Z, queue: [billing]}\n"
        "  - channel: sms\n    contact: {a: 1}\n    created_at: 2026-01-01T00:00:00Z\n"
        "  - channel: sms\n    contact: '+385911234567'\n    created_at: 2026-01-01T00:00:00Z\n"
        "    items: [{at: 2026-01-01T00:00:00Z, kind: message, author: [x], text: hi}]\n"
        "agents: [{name: [ana]}, {name: bo, queues: [[billing]]}]\n"
    )
    stderr = refused(demo_cli, "db", "import", "-", input=conversation)
    assert "<stdin>: conversations[0].queue: must be a single value, not a list of 1" in stderr
    assert "<stdin>: conversations[1].contact: must be a single value, not a mapping of 1 keys" in stderr
    assert "<stdin>: conversations[2].items[0].author: must be a single value, not a list of 1" in stderr
    assert "<stdin>: agents[0].name: must be a single value" in stderr
    assert "<stdin>: agents[1].queues: must be a list of names, not hold a list of 1" in stderr


def test_values_in_messages_are_cut_to_80_characters(demo_cli: Cli) -> None:
    long_channel = "w" * 10_000
    text = f"conversations: [{{channel: {long_channel}, contact: '+385911234567', created_at: 2026-01-01T00:00:00Z}}]\n"
    stderr = refused(demo_cli, "db", "import", "-", input=text)
    assert f"unknown channel '{'w' * 80}'…" in stderr
    assert len(stderr) < 300


# --- timestamps ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "2026-02-30T00:00:00Z"])
def test_cctx_now_at_the_ends_of_the_calendar_is_an_error(demo_cli: Cli, now: str) -> None:
    stderr = refused(demo_cli, "history", "show", "1", env={"CCTX_NOW": now})
    assert stderr.startswith("Error: CCTX_NOW: ")


def test_impossible_dates_in_files_are_located(demo_cli: Cli) -> None:
    base = "conversations: [{channel: sms, contact: '+385911234567', created_at: %s}]\n"
    assert "line 1, column 70: '2026-02-30' is not a valid date or timestamp" in refused(
        demo_cli, "db", "import", "-", input=base % "2026-02-30"
    )
    assert "created_at: '0001-01-01T00:00:00+01:00' is outside the calendar in UTC" in refused(
        demo_cli, "db", "import", "-", input=base % "0001-01-01T00:00:00+01:00"
    )
    assert "is outside the calendar in UTC" in refused(
        demo_cli, "db", "import", "-", input=base % "'9999-12-31T23:00:00-05:00'"
    )


def test_an_attribute_timestamp_outside_the_calendar_is_located(demo_cli: Cli) -> None:
    text = "people: [{first_name: Ana, attributes: {since: 0001-01-01T00:00:00+01:00}}]\n"
    assert "<stdin>: people[0].attributes.since: timestamp: '0001-01-01T00:00:00+01:00' is outside the calendar" in (
        refused(demo_cli, "db", "import", "-", input=text)
    )


# --- configuration ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("busy_timeout_ms: 2147483648\n", "busy_timeout_ms must be a whole number from 1 to 3,600,000, not 2147483648"),
        ("busy_timeout_ms: 0\n", "busy_timeout_ms must be a whole number from 1 to 3,600,000, not 0"),
        ("busy_timeout_ms: " + "9" * 5000 + "\n", "a number of more than 40 digits"),
        ("retention: {default_days: 36501}\n", "retention.default_days must be a whole number from 1 to 36,500"),
        ("retention: {channels: {sms: 99999999999}}\n", "retention.channels.sms must be a whole number from 1"),
        ("busy_timeout_ms: 100\nbusy_timeout_ms: 200\n", "line 2, column 1: duplicate key 'busy_timeout_ms'"),
        ("retention: {default_days: .inf}\n", "'.inf' is not a number that can be stored"),
    ],
)
def test_configuration_values_out_of_range_are_refused_naming_the_key(
    demo_cli: Cli, tmp_path: Path, text: str, expected: str
) -> None:
    config = write(tmp_path / "cctx.yaml", text)
    assert expected in refused(demo_cli, "db", "stats", env={"CCTX_CONFIG": str(config)})


def test_a_configuration_value_out_of_range_names_the_file(demo_cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "cctx.yaml", "retention: {default_days: 0}\n")
    assert refused(demo_cli, "db", "stats", env={"CCTX_CONFIG": str(config)}) == (
        f"Error: configuration {config}: retention.default_days must be a whole number from 1 to 36,500, not 0\n"
    )
    twice = write(tmp_path / "twice.yaml", "retention:\n  default_days: 1\n  default_days: 2\n")
    assert refused(demo_cli, "db", "stats", env={"CCTX_CONFIG": str(twice)}) == (
        f"Error: configuration {twice}: line 3, column 3: duplicate key 'default_days' (first at line 2)\n"
    )


def test_a_configuration_over_1_mib_or_endless_is_refused_unread(demo_cli: Cli, tmp_path: Path) -> None:
    big = write(tmp_path / "big.yaml", "# " + "x" * (1024 * 1024) + "\n")
    assert refused(demo_cli, "db", "stats", env={"CCTX_CONFIG": str(big)}) == (
        f"Error: configuration {big}: larger than the limit of 1 MiB\n"
    )
    start = time.monotonic()
    assert "binary data (a NUL byte)" in refused(demo_cli, "db", "import", "/dev/zero")
    assert "binary data (a NUL byte)" in refused(demo_cli, "db", "stats", env={"CCTX_CONFIG": "/dev/zero"})
    assert time.monotonic() - start < 5


def test_an_empty_configuration_is_the_defaults(demo_cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "cctx.yaml", "# defaults\n")
    demo_cli.ok("db", "stats", env={"CCTX_CONFIG": str(config)})


# --- relink: unlinking is explicit --------------------------------------------------------------------


def test_a_csv_row_with_one_field_is_refused(demo_cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "conversation,customer\n156,2\n161\n")
    stderr = refused(demo_cli, "conversation", "relink", str(path))
    assert stderr.splitlines()[1:] == ['  line 3: missing the customer field (write "161," to unlink)']
    assert demo_cli.json("conversation", "relink", str(write(tmp_path / "ok.csv", "conversation,customer\n161,\n")))[
        "unlinked"
    ] == 1


def test_a_yaml_entry_needs_the_customer_key(demo_cli: Cli) -> None:
    stderr = refused(demo_cli, "conversation", "relink", "-", input="- {conversation: 161}\n")
    assert "[0]: missing key 'customer' (customer: null unlinks)" in stderr


def test_an_unquoted_phone_in_relink_yaml_must_be_quoted(demo_cli: Cli) -> None:
    stderr = refused(demo_cli, "conversation", "relink", "-", input="- {conversation: 156, customer: 385911234567}\n")
    assert '[0]: customer must be quoted text, not 385911234567 (write "+385911234567" for a phone number)' in stderr
    assert demo_cli.json("conversation", "relink", "-", input="- {conversation: 156, customer: 2}\n")["linked"] == 1


def test_a_long_person_id_that_exists_still_works_unquoted(demo_cli: Cli) -> None:
    demo_cli.ok("db", "import", "-", input="people: [{id: 12345678901, first_name: Long}]\n")
    result = demo_cli.json("conversation", "relink", "-", input="- {conversation: 156, customer: 12345678901}\n")
    assert result["linked"] == 1


# --- arguments ----------------------------------------------------------------------------------------


def test_arguments_that_are_not_utf8_are_bad_usage(empty_cli: Cli, tmp_path: Path) -> None:
    """A real process: the shell passes bytes, Python turns them into lone surrogates."""
    db = str(empty_cli.db)
    for args in ([b"customer", b"create", b"--first-name", b"\xff"], [b"customer", b"list", b"--tag", b"x\xfe"]):
        proc = subprocess.run(
            [sys.executable.encode(), b"-m", b"cctx", b"--db", db.encode(), *args],
            capture_output=True, timeout=60, env={"CCTX_NOW": "2026-11-25T12:00:00Z", "PATH": "/usr/bin:/bin"},
        )
        assert proc.returncode == 2, proc.stderr
        assert b"is not valid UTF-8 text" in proc.stderr and b"Traceback" not in proc.stderr


# --- long write locks ---------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # the lock is held through the file itself
def test_a_bad_file_is_refused_while_another_process_holds_the_write_lock(demo_cli: Cli, tmp_path: Path) -> None:
    """Files are checked before BEGIN IMMEDIATE: a refused file never waited for the lock (exit 1, not 3)."""
    config = write(tmp_path / "fast.yaml", "busy_timeout_ms: 300\n")
    env = {"CCTX_CONFIG": str(config)}
    bad_import = write(tmp_path / "bad.yaml", "queues: [{name: vip}]\n")  # vip already exists
    bad_relink = write(tmp_path / "bad.csv", "conversation,customer\n999,1\n")
    good_import = write(tmp_path / "good.yaml", "queues: [{name: brand-new}]\n")
    holder = sqlite3.connect(demo_cli.db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        assert "queue 'vip' already exists" in refused(demo_cli, "db", "import", str(bad_import), env=env)
        assert "conversation 999 not found" in refused(demo_cli, "conversation", "relink", str(bad_relink), env=env)
        assert demo_cli.run("db", "import", str(good_import), env=env).exit_code == 3  # a good one does wait
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert demo_cli.json("db", "import", str(good_import))["queues"] == 1


def test_what_changed_meanwhile_is_checked_again_inside_the_transaction(demo_cli: Cli, tmp_path: Path) -> None:
    """Between the check and the write, another process takes the queue name: refused, nothing written."""
    from cctx.errors import Invalid
    from cctx.services import fixture_validation, fixtures
    from cctx.store import Store

    store = Store.open(demo_cli.db, 5000)
    try:
        documents = fixtures.read_documents([str(write(tmp_path / "q.yaml", "queues: [{name: late}]\n"))])
        plan = fixture_validation.validate(store, documents)
        demo_cli.ok("queue", "add", "late")
        with pytest.raises(Invalid, match=r"q\.yaml: queues\[0\]: queue 'late' already exists"):
            with store.transaction():
                fixture_validation.recheck(store, plan)
    finally:
        store.close()


@pytest.mark.parametrize("args", [
    ["customer", "update", "1", "--set", "{}"],
    ["conversation", "show", "110", "--as-agent", "{}"],
    ["conversation", "list", "--queue", "{}"],
])
def test_long_arguments_are_quoted_cut_to_80_characters(demo_cli: Cli, args: list[str]) -> None:
    stderr = refused(demo_cli, *[a.format("z" * 5000) for a in args])
    assert f"'{'z' * 80}'…" in stderr and len(stderr) < 200


def test_an_absurdly_long_file_name_is_cut_in_messages(demo_cli: Cli) -> None:
    stderr = refused(demo_cli, "db", "import", "a" * 5000)
    assert stderr == "Error: " + "a" * 200 + "…: cannot be read (File name too long)\n"
