"""`cctx customer duplicates`: groups of people who are likely one customer, each with its reasons
(same_name with folding and no conflicting gender, city or country; same_attribute:KEY from
duplicates.match_attributes; same_phone by libphonenumber), connected components sorted by their
smallest id, read-only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli, write

PEOPLE = """
people:
  - {id: 1, first_name: Ana, last_name: Kovač, city: Zagreb}
  - {id: 2, first_name: "  ANA ", last_name: "kovac", gender: female}
  - {id: 3, first_name: Ana, last_name: Kovač, city: Split}                 # conflicts with 1, not with 2
  - {id: 4, first_name: Ána, last_name: "Ko  vač"}                         # spaces collapse, not vanish
  - {id: 5, first_name: Ivo, last_name: Perić, country: Croatia, attributes: {customer_number: "C-77"}}
  - {id: 6, first_name: Ivo, last_name: Perić, country: Slovenia}          # conflicting country
  - {id: 7, attributes: {customer_number: " C-77 "}, destinations: [{type: email, value: "x7@example.com"}]}
  - {id: 8, last_name: Novak, attributes: {customer_number: ""}}
  - {id: 9, last_name: Novak, attributes: {customer_number: ""}}           # no first name on either
  - {id: 10, first_name: Eva, last_name: Berg, destinations: [{type: phone, value: "+442079460958"}]}
  - {id: 11, first_name: Mia, last_name: Berg}
  - {id: 12, first_name: Đuro, last_name: Šimić, gender: male}
  - {id: 13, first_name: duro, last_name: simic, gender: Male}
"""


@pytest.fixture
def people(empty_cli: Cli, tmp_path: Path) -> Cli:
    empty_cli.ok("db", "import", str(write(tmp_path / "people.yaml", PEOPLE)))
    return empty_cli


def config(tmp_path: Path, text: str) -> dict[str, str]:
    return {"CCTX_CONFIG": str(write(tmp_path / "cctx.yaml", text))}


def test_same_name_folds_case_accents_and_spaces_without_conflicts(people: Cli) -> None:
    assert people.json("customer", "duplicates") == [
        # 1 and 3 conflict (Zagreb, Split), but each matches 2: one connected component
        {"people": [1, 2, 3], "reasons": ["same_name"], "names": ["Ana Kovač", "ANA kovac", "Ana Kovač"]},
        {"people": [8, 9], "reasons": ["same_name"], "names": ["Novak", "Novak"]},
        {"people": [12, 13], "reasons": ["same_name"], "names": ["Đuro Šimić", "duro simic"]},
    ]


def test_same_attribute_from_the_configuration(people: Cli, tmp_path: Path) -> None:
    env = config(tmp_path, "duplicates:\n  match_attributes: [customer_number]\n")
    groups = people.json("customer", "duplicates", env=env)
    assert {"people": [5, 7], "reasons": ["same_attribute:customer_number"],
            "names": ["Ivo Perić", "x7@example.com"]} in groups
    assert all(6 not in g["people"] for g in groups)  # 6 conflicts with 5 by country: not a same name
    # empty values never match: 8 and 9 are together only by name
    assert {"people": [8, 9], "reasons": ["same_name"], "names": ["Novak", "Novak"]} in groups


def test_same_phone_finds_a_legacy_spelling(people: Cli, tmp_path: Path) -> None:
    """A value stored by an older cctx (`+4402079460958`) and its normalised twin owned by someone else:
    the upgrade leaves both, duplicates reports them."""
    from cctx.store import Store

    store = Store.open(str(people.db), 5000)
    try:
        with store.transaction():
            store.people.add_destination(11, "phone", "+4402079460958")  # as schema 2 stored it
    finally:
        store.close()
    groups = people.json("customer", "duplicates")
    assert {"people": [10, 11], "reasons": ["same_phone"], "names": ["Eva Berg", "Mia Berg"]} in groups


def test_components_join_reasons_and_sort_by_smallest_id(people: Cli, tmp_path: Path) -> None:
    people.ok("customer", "update", "7", "--first-name", "Ivo", "--last-name", "Peric")
    env = config(tmp_path, "duplicates:\n  match_attributes: [customer_number]\n")
    groups = people.json("customer", "duplicates", env=env)
    # 7 (no country) now matches both 5 and 6 by name, and 5 by attribute: one component of three
    assert [g["people"] for g in groups] == [[1, 2, 3], [5, 6, 7], [8, 9], [12, 13]]
    assert groups[1]["reasons"] == ["same_attribute:customer_number", "same_name"]
    people_seen = [p for g in groups for p in g["people"]]
    assert len(people_seen) == len(set(people_seen))  # a person appears in at most one group


def test_limit_table_csv_and_empty(people: Cli, empty_cli: Cli) -> None:
    assert [g["people"] for g in people.json("customer", "duplicates", "--limit", "2")] == [[1, 2, 3], [8, 9]]
    table = people.ok("customer", "duplicates", "--limit", "1").stdout
    assert table.splitlines()[0].split() == ["people", "reasons", "names"]
    assert "1, 2, 3" in table and "same_name" in table
    csv = people.ok("customer", "duplicates", "-f", "csv", "--limit", "1").stdout
    assert csv.splitlines()[0] == "people,reasons,names"
    people.fail("customer", "duplicates", "--limit", "0", code=2)


def test_nothing_to_report(empty_cli: Cli) -> None:
    assert empty_cli.json("customer", "duplicates") == []
    assert empty_cli.ok("customer", "duplicates").stdout == "No likely duplicates\n"
    assert empty_cli.ok("customer", "duplicates", "-f", "csv").stdout == "people,reasons,names\n"


def test_read_only_then_merge_empties_the_group(people: Cli) -> None:
    before = people.json("db", "stats")
    audit = people.json("audit", "list")
    people.json("customer", "duplicates")
    assert people.json("db", "stats") == before and people.json("audit", "list") == audit
    people.ok("customer", "merge", "1", "2", "3")
    assert [g["people"] for g in people.json("customer", "duplicates")] == [[8, 9], [12, 13]]
