"""Hostile input, generated: durations, timestamps, fixture and relink files (CSV, YAML, JSON, raw bytes) and
configuration files. Every case ends with exit 1 (`Error: ...`) or 2, no traceback, within 5 s, and the
database unchanged. `make test` runs a few dozen examples of each; `make stress` many more, bigger inputs,
and the alias bomb in a process held to 200 MiB."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli, table_counts

FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TRIED: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    if TRIED:
        print("\nhostile cases tried: " + ", ".join(f"{k} {v}" for k, v in sorted(TRIED.items())), file=sys.stderr)


def hostile(cli: Cli, kind: str, *args: str, input: str | bytes | None = None,
            env: dict[str, str] | None = None) -> None:
    """Run one hostile case; check the guarantees of the contract's Hardening section."""
    TRIED[kind] += 1
    before = table_counts(cli.db)
    start = time.monotonic()
    result = cli.run(*args, input=input, env=env)  # type: ignore[arg-type]
    took = time.monotonic() - start
    assert result.exit_code in (1, 2), (result.exit_code, result.stdout[:500], result.stderr[:500])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)[:500]
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: "), result.stderr[:500]
    assert all(len(line) < 1000 for line in result.stderr.splitlines()), "a value quoted whole"
    assert took < 5, f"{took:.1f} s"
    assert table_counts(cli.db) == before


# --- strategies ---------------------------------------------------------------------------------------

huge_digits = st.integers(min_value=19, max_value=4000).map(lambda n: "9" * n)  # int() refuses 4300+
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    huge_digits.map(int),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                                             inner, max_size=4),
                      max_leaves=20)


def calendar_ends() -> st.SearchStrategy[str]:
    """Timestamps that leave the calendar once converted to UTC."""
    early = st.builds(lambda h: f"0001-01-01T00:00:00+{h:02d}:00", st.integers(1, 23))
    late = st.builds(lambda h: f"9999-12-31T23:59:59-{h:02d}:00", st.integers(1, 23))
    return early | late


def bad_timestamps() -> st.SearchStrategy[str]:
    impossible = st.builds(lambda y, d: f"{y:04d}-02-3{d}T00:00:00Z", st.integers(1, 9999), st.sampled_from("01"))
    zoneless = st.builds(lambda y: f"{y:04d}-05-01T09:00:00", st.integers(1, 9999))
    text = st.text(max_size=40).filter(lambda t: not re.match(r"\s*\d{4}-", t))
    return st.one_of(calendar_ends(), impossible, zoneless, text, huge_digits)


def bad_durations() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=20).filter(lambda t: not re.fullmatch(r"\s*[1-9][0-9]*[dwh]\s*", t)),
        st.builds(lambda d, u: d + u, huge_digits, st.sampled_from("dwh")),
        st.sampled_from(["0d", "-1d", "1.5w", "90", "d", "1e9d", "１２d"]),
    )


def dumps_with_duplicate(data: dict[str, Any]) -> str:
    """JSON text of ``data`` with its first key written twice."""
    text = json.dumps(data)
    key = next(iter(data))
    return "{" + json.dumps(key) + ": null, " + text[1:]


def yaml_text(data: Any) -> str:
    """A YAML writing of ``data`` (JSON is YAML; NaN and Infinity written the YAML way)."""
    return json.dumps(data).replace("NaN", ".nan").replace("-Infinity", "-.inf").replace("Infinity", ".inf")


# A fixture document that cannot be valid: an entry in each section holds a random mapping.
fixture_documents = st.fixed_dictionaries(
    {}, optional={s: st.lists(st.dictionaries(st.text(max_size=8), values, min_size=1, max_size=5), min_size=1,
                               max_size=3) for s in ("queues", "agents", "people", "conversations")},
).filter(bool)

csv_fields = st.one_of(st.text(max_size=30), huge_digits, st.text(alphabet='",\n\r', max_size=6))


# --- durations and timestamps -------------------------------------------------------------------------


@FEW
@given(duration=bad_durations())
def test_hostile_durations(demo_cli: Cli, duration: str) -> None:
    assume("\0" not in duration)
    hostile(demo_cli, "duration", "history", "purge", "--older-than", duration, "--dry-run")


@FEW
@given(now=bad_timestamps())
def test_hostile_timestamps_in_cctx_now(demo_cli: Cli, now: str) -> None:
    assume("\0" not in now and now.strip())
    hostile(demo_cli, "timestamp (CCTX_NOW)", "history", "show", "1", env={"CCTX_NOW": now})


@FEW
@given(at=bad_timestamps(), quoted=st.booleans(), where=st.sampled_from(["created_at", "item"]))
def test_hostile_timestamps_in_files(demo_cli: Cli, at: str, quoted: bool, where: str) -> None:
    value = json.dumps(at) if quoted else at
    item = f", items: [{{at: {value}, kind: message, author: customer, text: hi}}]" if where == "item" else ""
    created = "2026-01-01T00:00:00Z" if where == "item" else value
    text = f"conversations:\n  - {{channel: sms, contact: '+385911234567', created_at: {created}{item}}}\n"
    hostile(demo_cli, f"timestamp (file, {where})", "db", "import", "-", input=text)


@FEW
@given(at=calendar_ends())
def test_hostile_timestamps_in_attributes(demo_cli: Cli, at: str) -> None:
    """An attribute may hold any timestamp written unquoted, but not one outside the calendar."""
    text = f"people: [{{first_name: Ana, attributes: {{since: {at}}}}}]\n"
    hostile(demo_cli, "timestamp (file, attribute)", "db", "import", "-", input=text)


# --- fixture files ------------------------------------------------------------------------------------


@FEW
@given(data=fixture_documents, form=st.sampled_from(["json", "yaml", "json-duplicate", "yaml-duplicate"]))
def test_hostile_fixture_documents(demo_cli: Cli, tmp_path: Path, data: dict[str, Any], form: str) -> None:
    text = dumps_with_duplicate(data) if form.endswith("duplicate") else json.dumps(data)
    if form.startswith("yaml"):
        text = text.replace("NaN", ".nan").replace("-Infinity", "-.inf").replace("Infinity", ".inf")
    name = "f.json" if form.startswith("json") else "f.yaml"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    hostile(demo_cli, f"fixture {form}", "db", "import", str(path))


@FEW
@given(data=st.binary(max_size=300))
def test_hostile_bytes_on_stdin(demo_cli: Cli, data: bytes) -> None:
    assume(not re.fullmatch(rb"(\xef\xbb\xbf)?\s*\{\s*\}\s*", data))  # an empty mapping is a valid no-op
    hostile(demo_cli, "bytes (import)", "db", "import", "-", input=data)
    hostile(demo_cli, "bytes (relink)", "conversation", "relink", "-", input=data)


@FEW
@given(depth=st.integers(101, 120_000), opener=st.sampled_from(["[", "{a: ", "- ", '{"a": ']))
def test_deep_nesting(demo_cli: Cli, depth: int, opener: str) -> None:
    closer = {"[": "]", "{a: ": "}", '{"a": ': "}", "- ": ""}[opener]
    text = ("people: " if opener != "- " else "people:\n") + opener * depth + "1" + closer * depth
    hostile(demo_cli, "nesting", "db", "import", "-", input=text)


# Fixtures of the right shape with a hostile value in any key: accepted (exit 0) or refused (exit 1), never
# anything else; a refused one changes nothing.
pool = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False),
    st.text(max_size=20), st.sampled_from([
        "", "customer", "+385911234567", "email:x@example.com", "0", "9" * 30, "2026-02-30T00:00:00Z",
        "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-01-01T00:00:00Z", "ana", "vip", "sms",
        "voice", "closed", "message", "note", "call_event", "recording", "started", "x\x1b[31m", "a" * 300,
    ]),
)
field_values = st.one_of(pool, st.lists(pool, max_size=2), st.dictionaries(st.text(max_size=5), pool, max_size=2))


def shaped(keys: tuple[str, ...], **nested: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={**{k: field_values for k in keys}, **nested})


near_valid = st.fixed_dictionaries({}, optional={
    "queues": st.lists(shaped(("name",)), max_size=2),
    "agents": st.lists(shaped(("name", "queues")), max_size=2),
    "people": st.lists(shaped(
        ("id", "first_name", "last_name", "gender", "city", "country", "tags", "attributes"),
        destinations=st.lists(shaped(("type", "value")), max_size=2) | field_values,
    ), max_size=3),
    "conversations": st.lists(shaped(
        ("id", "channel", "contact", "customer", "queue", "agents", "status", "created_at", "closed_at"),
        items=st.lists(shaped(("at", "kind", "author", "text", "event", "recording")), max_size=3) | field_values,
    ), max_size=3),
})


def accepted_or_refused(cli: Cli, kind: str, *args: str) -> None:
    TRIED[kind] += 1
    before = table_counts(cli.db)
    result = cli.run(*args)
    assert result.exit_code in (0, 1), (result.exit_code, repr(result.exception)[:500], result.stderr[-500:])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)[:500]
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
        assert table_counts(cli.db) == before


@FEW
@given(data=near_valid)
def test_near_valid_fixtures(demo_cli: Cli, tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "near.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    accepted_or_refused(demo_cli, "fixture near-valid", "db", "import", str(path))


@pytest.mark.stress
@settings(MANY, max_examples=3000)
@given(data=near_valid)
def test_stress_near_valid_fixtures(demo_cli: Cli, tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "near.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    accepted_or_refused(demo_cli, "fixture near-valid", "db", "import", str(path))


# --- relink files -------------------------------------------------------------------------------------


@FEW
@given(rows=st.lists(st.lists(csv_fields, min_size=1, max_size=4), min_size=1, max_size=6),
       bad=st.text(max_size=10).filter(lambda t: not t.strip().isdecimal()))
def test_hostile_relink_csv(demo_cli: Cli, tmp_path: Path, rows: list[list[str]], bad: str) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["conversation", "customer"])
    writer.writerow([bad + "x", "1"])  # never a conversation id: the file cannot be valid
    writer.writerows(rows)
    path = tmp_path / "r.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    hostile(demo_cli, "relink csv", "conversation", "relink", str(path))


@FEW
@given(entries=st.lists(st.dictionaries(st.sampled_from(["conversation", "customer", "x"]), values, max_size=3),
                        min_size=1, max_size=5),
       form=st.sampled_from(["json", "yaml", "yaml-duplicate"]))
def test_hostile_relink_documents(demo_cli: Cli, tmp_path: Path, entries: list[dict[str, Any]], form: str) -> None:
    entries = [{"conversation": "not an id", "customer": 1}, *entries]  # the file cannot be valid
    if form == "yaml-duplicate":
        text = "- {conversation: 1, conversation: 2, customer: 1}\n" + yaml_text(entries)
    else:
        text = json.dumps(entries) if form == "json" else yaml_text(entries)
    path = tmp_path / ("r.json" if form == "json" else "r.yaml")
    path.write_text(text, encoding="utf-8")
    hostile(demo_cli, f"relink {form}", "conversation", "relink", str(path))


# --- configuration ------------------------------------------------------------------------------------

bad_numbers = st.one_of(
    st.integers(max_value=0), st.integers(min_value=3_600_001), huge_digits.map(int), st.floats(), st.text(max_size=10),
    st.booleans(), st.lists(st.integers(), max_size=3),
)


@FEW
@given(key=st.sampled_from(["busy_timeout_ms", "retention.default_days", "retention.channels.sms"]),
       value=bad_numbers, duplicate=st.booleans())
def test_hostile_configuration(demo_cli: Cli, tmp_path: Path, key: str, value: Any, duplicate: bool) -> None:
    if key != "busy_timeout_ms" and isinstance(value, int) and not isinstance(value, bool):
        assume(not 1 <= value <= 36_500)
    body = value
    for part in reversed(key.split(".")):
        body = {part: body}
    text = yaml_text(body)
    if duplicate:  # refused as a duplicate; other keys still hold a value out of range
        text = "{" + '"busy_timeout_ms": 100, ' + text[1:] + "\n"
    elif key == "busy_timeout_ms":
        assume(not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3_600_000))
    config = tmp_path / "cctx.yaml"
    config.write_text(text, encoding="utf-8")
    hostile(demo_cli, "configuration", "db", "stats", env={"CCTX_CONFIG": str(config)})


# --- heavy variants: make stress ----------------------------------------------------------------------


@pytest.mark.stress
@MANY
@given(data=fixture_documents, padding=st.integers(0, 900_000))
def test_stress_big_hostile_fixtures(demo_cli: Cli, tmp_path: Path, data: dict[str, Any], padding: int) -> None:
    """Up to 1 MiB: a long comment before a document that cannot be valid."""
    path = tmp_path / "big.yaml"
    path.write_text("#" + "x" * padding + "\n" + yaml_text(data), encoding="utf-8")
    hostile(demo_cli, "big fixture", "db", "import", str(path))


@pytest.mark.stress
@MANY
@given(duration=bad_durations(), now=bad_timestamps())
def test_stress_durations_and_timestamps(demo_cli: Cli, duration: str, now: str) -> None:
    assume("\0" not in duration and "\0" not in now and now.strip())
    hostile(demo_cli, "duration", "history", "purge", "--older-than", duration, "--dry-run")
    hostile(demo_cli, "timestamp (CCTX_NOW)", "history", "show", "1", env={"CCTX_NOW": now})


@pytest.mark.stress
@MANY
@given(data=st.binary(min_size=1, max_size=20_000))
def test_stress_bytes(demo_cli: Cli, data: bytes) -> None:
    assume(not re.fullmatch(rb"(\xef\xbb\xbf)?\s*\{\s*\}\s*", data))
    hostile(demo_cli, "bytes (import)", "db", "import", "-", input=data)


BOMB_PROGRAM = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (200 * 1024 * 1024, 200 * 1024 * 1024))
    from cctx.cli import main
    sys.argv = ["cctx", "--db", sys.argv[1], "db", "import", sys.argv[2]]
    main()
    """
)


@pytest.mark.stress
@pytest.mark.parametrize("levels", [9, 12, 20])
def test_stress_alias_bombs_in_200_mib_and_5_s(demo_cli: Cli, tmp_path: Path, levels: int) -> None:
    names = [f"n{i}" for i in range(levels)]
    text = f'{names[0]}: &{names[0]} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    text += "".join(f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip(names, names[1:], strict=False))
    text += f"people: [{{first_name: Ana, tags: *{names[-1]}}}]\n"
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(text, encoding="utf-8")
    before = table_counts(demo_cli.db)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", BOMB_PROGRAM, str(demo_cli.db), str(bomb)], capture_output=True,
                          text=True, timeout=30, env={"CCTX_NOW": "2026-11-25T12:00:00Z", "PATH": "/usr/bin:/bin"})
    assert time.monotonic() - start < 5
    assert proc.returncode == 1 and proc.stderr.startswith("Error: "), proc.stderr[-2000:]
    assert "aliases repeat more than" in proc.stderr
    assert table_counts(demo_cli.db) == before
    TRIED["alias bomb (200 MiB)"] += 1
