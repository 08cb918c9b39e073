from __future__ import annotations

import pytest

from cctx.errors import Invalid
from cctx.refs import DestinationRef, PersonRef, normalize_phone, normalize_value, parse_destination, parse_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", PersonRef(42)),
        (42, PersonRef(42)),
        ("+385911234567", DestinationRef("phone", "+385911234567")),
        ("+385 91 123-4567", DestinationRef("phone", "+385911234567")),
        ("+1 (415) 555-0100", DestinationRef("phone", "+14155550100")),
        ("phone:+385 91 1234567", DestinationRef("phone", "+385911234567")),
        ("telegram:48151623", DestinationRef("telegram", "48151623")),
        ("email:Ana@Example.COM", DestinationRef("email", "ana@example.com")),
        ("livechat:  visitor-9 ", DestinationRef("livechat", "visitor-9")),
        ("google_play:Reviewer X", DestinationRef("google_play", "Reviewer X")),
    ],
)
def test_parse_ref(text: object, expected: object) -> None:
    assert parse_ref(text) == expected


@pytest.mark.parametrize("text", ["", "maja", "fax:123", "+12", "+385abc", "email:", "phone:12345", True, 4.2, None])
def test_parse_ref_refuses_garbage(text: object) -> None:
    with pytest.raises(Invalid):
        parse_ref(text)


def test_destination_is_not_a_person() -> None:
    with pytest.raises(Invalid, match="person id"):
        parse_destination("42")
    assert str(parse_destination("+385911234567")) == "+385911234567"
    assert str(parse_destination("telegram:1")) == "telegram:1"


def test_normalisation() -> None:
    assert normalize_phone(" +385.91.123.4567 ") == "+385911234567"
    assert normalize_value("email", " X@Y.hr ") == "x@y.hr"
    assert normalize_value("messenger", " Ana.K ") == "Ana.K"
    with pytest.raises(Invalid, match="unknown destination type"):
        normalize_value("fax", "1")


def test_search_text_reads_phone_spellings_as_stored() -> None:
    from cctx.refs import search_text

    assert search_text(" +385 (91) 123-4 ") == "+385911234"
    assert search_text("091 123") == "091123"
    assert search_text("Maja Horvat") == "Maja Horvat"
    assert search_text(" zagreb ") == "zagreb"
