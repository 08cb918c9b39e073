"""Phone numbers as libphonenumber reads them, everywhere a phone enters: references, import,
customer create/update, destination add, relink, conversation contacts on phone channels; the
configured phone.default_region; refusals with a reason and nothing changed; and the upgrade of a
database whose phones an older cctx stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cctx.store.base import migration_files
from tests.conftest import Cli, query, table_counts, write

PEOPLE = """
people:
  - {id: 1, first_name: Maja, last_name: Horvat, destinations: [{type: phone, value: "+44 (0)20 7946 0958"}]}
  - {id: 2, first_name: Ivo, last_name: Kos}
conversations:
  - {id: 10, channel: whatsapp, contact: "+44 20 7946 0958", status: open, created_at: 2026-11-01T09:00:00Z}
  - {id: 11, channel: sms, contact: "+385 (91) 123-4567", status: open, created_at: 2026-11-02T09:00:00Z}
  - {id: 12, channel: telegram, contact: "0911234567", status: open, created_at: 2026-11-03T09:00:00Z}
"""


@pytest.fixture
def phones_cli(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "people.yaml", PEOPLE)))
    return empty_cli


def hr(cli: Cli, tmp_path: Path, region: str = "HR") -> dict[str, str]:
    """The environment of a command run with phone.default_region set."""
    return {"CCTX_CONFIG": str(write(tmp_path / "cctx.yaml", f"phone:\n  default_region: {region}\n"))}


def dump(cli: Cli) -> dict[str, object]:
    """What a refused command must leave as it was: stats, every card, every conversation."""
    return {
        "stats": {k: v for k, v in cli.json("db", "stats").items() if k not in ("size_bytes", "file_bytes")},
        "cards": cli.json("customer", "list"),
        "conversations": cli.json("conversation", "list", "--status", "open", "--status", "waiting",
                                  "--status", "solved", "--status", "closed", "--status", "merged"),
    }


def test_import_normalises_destinations_and_phone_contacts_only(phones_cli: Cli) -> None:
    card = phones_cli.json("customer", "show", "1")
    assert card["destinations"] == [{"type": "phone", "value": "+442079460958"}]
    contacts = {c["id"]: c["contact"] for c in phones_cli.json("conversation", "list")}
    assert contacts == {10: "+442079460958", 11: "+385911234567", 12: "0911234567"}  # telegram is not a phone
    # auto-link: `+44 20 …` and `+44 (0)20 …` are one number now
    assert phones_cli.json("history", "show", "1")[0]["id"] == 10


@pytest.mark.parametrize(
    "spelling", ["+44 (0)20 7946 0958", "+44 20 7946 0958", "+442079460958", "phone:+44-20-7946-0958"]
)
def test_every_spelling_of_a_number_names_its_owner(phones_cli: Cli, spelling: str) -> None:
    assert phones_cli.json("customer", "show", spelling)["customer_id"] == 1


def test_create_update_and_destination_add_normalise(phones_cli: Cli, tmp_path: Path) -> None:
    card = phones_cli.json("customer", "create", "--first-name", "Ana", "--destination", "+385 (0)91 123 4567")
    assert card["destinations"] == [{"type": "phone", "value": "+385911234567"}]
    assert phones_cli.json("history", "show", str(card["customer_id"]))[0]["id"] == 11  # auto-linked
    card = phones_cli.json("customer", "update", "2", "--destination", "+1 (415) 555-2671")
    assert card["destinations"] == [{"type": "phone", "value": "+14155552671"}]
    card = phones_cli.json("customer", "destination", "add", "2", "020 7946 0959", env=hr(phones_cli, tmp_path, "GB"))
    assert {"type": "phone", "value": "+442079460959"} in card["destinations"]
    # the same number in another spelling is the same destination: already theirs, nothing changes
    assert phones_cli.json("customer", "destination", "add", "2", "+1 415-555-2671")["destinations"] == card[
        "destinations"]
    phones_cli.fail("customer", "destination", "add", "2", "+44 (0) 20 7946 0958")  # person 1 owns it


def test_default_region_reads_national_numbers_and_its_international_prefix(phones_cli: Cli, tmp_path: Path) -> None:
    env = hr(phones_cli, tmp_path)
    card = phones_cli.json("customer", "create", "--first-name", "Ana", "--destination", "091 123 4567", env=env)
    assert card["destinations"] == [{"type": "phone", "value": "+385911234567"}]
    person = str(card["customer_id"])
    assert phones_cli.json("customer", "show", "00385 91 123 4567", env=env)["customer_id"] == int(person)
    assert phones_cli.json("customer", "show", "00385911234567", env=env)["customer_id"] == int(person)
    us = hr(phones_cli, tmp_path, "US")
    assert phones_cli.json("customer", "show", "011 44 20 7946 0958", env=us)["customer_id"] == 1
    assert "customer 42 not found" in phones_cli.fail("customer", "show", "42", env=env).stderr  # digits: an id


@pytest.mark.parametrize(
    ("ref", "hint"),
    [
        ("00385911234567", "did you mean +385911234567?"),
        ("0911234567", "a national number: write +CC… or set phone.default_region"),
        ("0003", "a national number: write +CC… or set phone.default_region"),
    ],
)
def test_a_leading_zero_is_never_a_person_id(phones_cli: Cli, ref: str, hint: str) -> None:
    for command in (("customer", "show", ref), ("history", "show", ref), ("conversation", "link", "12", ref)):
        result = phones_cli.fail(*command)
        assert hint in result.stderr


def test_id_prefix_names_a_person(phones_cli: Cli) -> None:
    assert phones_cli.json("customer", "show", "id:2")["customer_id"] == 2
    assert phones_cli.json("conversation", "link", "12", "id:2")["customer"] == 2


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0911234567", "national number"),
        ("00385911234567", "did you mean +385911234567?"),
        ("+385 91 123 4567 ext. 12", "extension"),
        ("+385 91", "too short"),
        ("+999 1234567", "unknown country code"),
        ("+385 91 CALL ME", "not a phone number"),
    ],
)
def test_bad_numbers_are_refused_everywhere_and_change_nothing(
    phones_cli: Cli, tmp_path: Path, value: str, reason: str
) -> None:
    before = dump(phones_cli)
    counts = table_counts(phones_cli.db)
    attempts = [
        ("customer", "create", "--first-name", "X", "--destination", value),
        ("customer", "update", "2", "--destination", value),
        ("customer", "destination", "add", "2", value),
        ("customer", "show", value),
    ]
    for command in attempts:
        assert reason in phones_cli.fail(*command).stderr
    fixture = f'people:\n  - {{first_name: X, destinations: [{{type: phone, value: "{value}"}}]}}\n'
    assert reason in phones_cli.fail("db", "import", str(write(tmp_path / "bad.yaml", fixture))).stderr
    conversation = (
        f'conversations:\n  - {{channel: sms, contact: "{value}", created_at: 2026-11-01T09:00:00Z}}\n'
    )
    assert reason in phones_cli.fail("db", "import", str(write(tmp_path / "bad2.yaml", conversation))).stderr
    relink = write(tmp_path / "relink.csv", f'conversation,customer\n12,"{value}"\n')
    assert reason in phones_cli.fail("conversation", "relink", str(relink)).stderr
    assert dump(phones_cli) == before
    assert table_counts(phones_cli.db) == counts


def test_relink_reads_phone_numbers_too(phones_cli: Cli, tmp_path: Path) -> None:
    relink = write(tmp_path / "relink.csv", 'conversation,customer\n12,"+44 (0)20 7946 0958"\n')
    assert phones_cli.json("conversation", "relink", str(relink))["linked"] == 1
    assert phones_cli.json("conversation", "show", "12")["customer_id"] == 1
    national = write(tmp_path / "relink2.csv", "conversation,customer\n12,020 7946 0958\n")
    phones_cli.fail("conversation", "relink", str(national))
    env = hr(phones_cli, tmp_path, "GB")
    assert phones_cli.json("conversation", "relink", str(national), env=env)["unchanged"] == 1


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ("phone:\n  default_region: XX\n", "phone.default_region"),
        ("phone:\n  default_region: Croatia\n", "phone.default_region"),
        ("phone:\n  default_region: [HR]\n", "phone.default_region"),
        ("phone:\n  region: HR\n", "phone.region"),
        ("duplicates:\n  match_attributes: customer_number\n", "duplicates.match_attributes"),
        ("duplicates:\n  attributes: [a]\n", "duplicates.attributes"),
    ],
)
def test_configuration_is_checked(phones_cli: Cli, tmp_path: Path, config: str, problem: str) -> None:
    env = {"CCTX_CONFIG": str(write(tmp_path / "cctx.yaml", config))}
    assert problem in phones_cli.fail("customer", "show", "1", env=env).stderr


def test_lower_case_region_is_accepted(phones_cli: Cli, tmp_path: Path) -> None:
    env = {"CCTX_CONFIG": str(write(tmp_path / "cctx.yaml", "phone: {default_region: hr}\n"))}
    assert phones_cli.json("customer", "show", "091 123 4567", env=env)["name"] == "+385911234567"


# --- upgrading a database an older cctx wrote ---------------------------------------------------------


def _schema_2_file(path: Path) -> None:
    """A database as cctx wrote it at schema 2: phones only stripped of spaces, dashes and brackets."""
    conn = sqlite3.connect(path)
    for _, path in migration_files("sqlite")[:2]:  # 0001_initial, 0002_purge_progress
        conn.executescript(path.read_text(encoding="utf-8"))
    now = "2026-01-01T00:00:00Z"
    conn.executemany(
        "INSERT INTO people (id, first_name, last_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        [(1, "Ana", "Kos", now, now), (2, "Ivo", "Kos", now, now), (3, "Eva", "Perić", now, now)],
    )
    conn.executemany(
        "INSERT INTO destinations (id, person_id, type, value) VALUES (?, ?, ?, ?)",
        [
            (1, 1, "phone", "+4402079460958"),  # its normalised form belongs to person 2: kept
            (2, 2, "phone", "+442079460958"),
            (3, 3, "phone", "+4402079460959"),  # normalised
            (4, 3, "phone", "+12345"),  # libphonenumber reads no number: kept
            (5, 3, "email", "+4402079460960"),  # not a phone
        ],
    )
    conn.executemany(
        "INSERT INTO conversations (id, channel, contact_type, contact, person_id, status, display_name, "
        "created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, 'open', 'x', ?, ?)",
        [
            (10, "sms", "phone", "+4402079460959", 3, now, now),
            (11, "voice", "phone", "+12345", None, now, now),
            (12, "email", "email", "+4402079460958", None, now, now),
            (13, "whatsapp", "phone", "+4402079460958", None, now, now),
        ],
    )
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()


@pytest.mark.sqlite_only
def test_upgrade_renormalises_stored_phones(tmp_path: Path, engine: str) -> None:
    db = tmp_path / "old.db"
    _schema_2_file(db)
    cli = Cli(db)
    cli.fail("customer", "show", "1")  # needs the upgrade first
    cli.ok("db", "init")
    assert query(db, "SELECT id, person_id, type, value FROM destinations ORDER BY id") == [
        (1, 1, "phone", "+4402079460958"),
        (2, 2, "phone", "+442079460958"),
        (3, 3, "phone", "+442079460959"),
        (4, 3, "phone", "+12345"),
        (5, 3, "email", "+4402079460960"),
    ]
    assert query(db, "SELECT id, contact FROM conversations ORDER BY id") == [
        (10, "+442079460959"), (11, "+12345"), (12, "+4402079460958"), (13, "+442079460958"),
    ]
    # the collision is left for a person to decide: customer duplicates shows it
    assert cli.json("customer", "duplicates") == [
        {"people": [1, 2], "reasons": ["same_phone"], "names": ["Ana Kos", "Ivo Kos"]}
    ]
    cli.ok("db", "init")  # idempotent
    assert query(db, "SELECT value FROM destinations WHERE id = 3") == [("+442079460959",)]


def test_upgrade_renormalises_on_either_engine(db_target: Path | str) -> None:
    """The same upgrade, on SQLite and PostgreSQL: a database at schema 2 written through the engine."""
    from cctx.store.base import Database, migration_files, open_engine

    engine = open_engine(str(db_target), 5000, create=True)
    db = Database(engine.connect(), engine)
    try:
        engine.prepare_for_migrations(db.conn, fresh=True)
        for version, path in migration_files(engine.migrations)[:2]:
            with db.transaction():
                engine.run_script(db.conn, path.read_text(encoding="utf-8"))
                engine.set_schema_version(db.conn, version)
        now = "2026-01-01T00:00:00Z"
        with db.transaction():
            for person_id, first in ((1, "Ana"), (2, "Ivo")):
                db.conn.execute(
                    "INSERT INTO people (id, first_name, last_name, created_at, updated_at) VALUES (?, ?, 'Kos', ?, ?)",
                    (person_id, first, now, now),
                )
            for person_id, value in ((1, "+4402079460958"), (2, "+442079460958"), (2, "+38509112345670")):
                db.conn.execute(
                    "INSERT INTO destinations (person_id, type, value) VALUES (?, 'phone', ?)", (person_id, value)
                )
            db.conn.execute(
                "INSERT INTO conversations (id, channel, contact_type, contact, status, display_name, created_at, "
                "last_activity_at) VALUES (10, 'voice', 'phone', '+4402079460959', 'open', 'x', ?, ?)",
                (now, now),
            )
    finally:
        db.close()
    cli = Cli(db_target)
    cli.ok("db", "init")
    assert cli.json("customer", "show", "1")["destinations"] == [{"type": "phone", "value": "+4402079460958"}]
    assert cli.json("customer", "show", "2")["destinations"] == [
        {"type": "phone", "value": "+442079460958"}, {"type": "phone", "value": "+38509112345670"}]
    assert cli.json("conversation", "show", "10")["contact"] == "+442079460959"
    assert cli.json("customer", "duplicates") == [
        {"people": [1, 2], "reasons": ["same_phone"], "names": ["Ana Kos", "Ivo Kos"]}]


def test_the_read_path_does_not_import_phonenumbers(phones_cli: Cli, tmp_path: Path) -> None:
    """A canonical number (the usual reference) is read without loading phonenumbers, even with a
    default region configured; a national number loads it."""
    import subprocess
    import sys

    config = write(tmp_path / "hr.yaml", "phone:\n  default_region: HR\n")

    def imported(ref: str) -> bool:
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "cctx", "--db", str(phones_cli.db), "--config", str(config),
             "customer", "show", ref, "-f", "json"],
            capture_output=True, text=True, check=True, env={"PATH": "", "CCTX_NOW": "2026-11-25T12:00:00Z"},
        )
        return "phonenumbers" in proc.stderr

    assert not imported("+442079460958")
    assert imported("091 123 4567")
