"""Phone numbers as libphonenumber reads them: a corpus of real-world spellings from many regions, each
checked against phonenumbers itself, the refusals with their reasons, and the fast path for canonical
E.164 that spares the read path the import of phonenumbers."""

from __future__ import annotations

import subprocess
import sys

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cctx.errors import Invalid
from cctx.phone_table import CALLING_CODES, REGIONS
from cctx.phones import build_table, canonical, normalize_phone, number_key
from cctx.refs import DestinationRef, PersonRef, parse_ref, phone_region

# (as written, default region or None, region the number belongs to)
CORPUS = [
    ("+44 (0)20 7946 0958", None, "GB"),
    ("+44 20 7946 0958", None, "GB"),
    ("020 7946 0958", "GB", "GB"),
    ("07700 900123", "GB", "GB"),
    ("+385 91 123 4567", None, "HR"),
    ("00385 91 123 4567", "HR", "HR"),
    ("091 123 4567", "HR", "HR"),
    ("01 4567 890", "HR", "HR"),
    ("+1 (415) 555-2671", None, "US"),
    ("(415) 555-2671", "US", "US"),
    ("011 44 20 7946 0958", "US", "GB"),
    ("1-415-555-2671", "US", "US"),
    ("+1 416 555 0199", None, "CA"),
    ("+49 30 123456", None, "DE"),
    ("030 123456", "DE", "DE"),
    ("0151 23456789", "DE", "DE"),
    ("+33 1 42 68 53 00", None, "FR"),
    ("01 42 68 53 00", "FR", "FR"),
    ("06 12 34 56 78", "FR", "FR"),
    ("+39 06 6982 0000", None, "IT"),
    ("06 6982 0000", "IT", "IT"),
    ("+39 312 345 6789", None, "IT"),
    ("+34 912 34 56 78", None, "ES"),
    ("+31 20 123 4567", None, "NL"),
    ("020-1234567", "NL", "NL"),
    ("+61 2 9876 5432", None, "AU"),
    ("(02) 9876 5432", "AU", "AU"),
    ("0011 44 20 7946 0958", "AU", "GB"),
    ("+81 3-1234-5678", None, "JP"),
    ("03-1234-5678", "JP", "JP"),
    ("+91 98765 43210", None, "IN"),
    ("098765 43210", "IN", "IN"),
    ("+55 11 91234-5678", None, "BR"),
    ("+54 9 11 2345-6789", None, "AR"),
    ("+7 912 345-67-89", None, "RU"),
    ("8 912 345-67-89", "RU", "RU"),
    ("+386 1 234 56 78", None, "SI"),
    ("+43 1 234567890", None, "AT"),
    ("+48 12 345 67 89", None, "PL"),
    ("+27 21 123 4567", None, "ZA"),
    ("+86 10 1234 5678", None, "CN"),
    ("+82 2-312-3456", None, "KR"),
    ("+971 4 123 4567", None, "AE"),
    ("+353 1 234 5678", None, "IE"),
    ("+1.415.555.2671", None, "US"),
    ("+52 55 1234 5678", None, "MX"),
    ("08-123 456 78", "SE", "SE"),
    ("+358 9 1234567", None, "FI"),
]


@pytest.mark.parametrize(("written", "region", "country"), CORPUS)
def test_corpus_reads_as_libphonenumber_does(written: str, region: str | None, country: str) -> None:
    expected = phonenumbers.format_number(phonenumbers.parse(written, region), phonenumbers.PhoneNumberFormat.E164)
    assert country in phonenumbers.region_codes_for_country_code(phonenumbers.parse(expected).country_code)
    assert normalize_phone(written, region) == expected
    # the stored form reads back as itself, through the fast path when it can
    assert normalize_phone(expected) == expected
    with phone_region(region):
        assert parse_ref(written) == DestinationRef("phone", expected)


def test_corpus_spans_many_regions() -> None:
    assert len(CORPUS) >= 30
    assert len({country for _, _, country in CORPUS}) >= 10


@pytest.mark.parametrize(
    ("written", "region", "reason"),
    [
        ("0911234567", None, "a national number: write +CC… or set phone.default_region"),
        ("00385911234567", None, "did you mean +385911234567?"),
        ("+385 91 123 4567 ext 12", None, "has an extension (12)"),
        ("+385911234567;ext=5", None, "has an extension (5)"),
        ("091 123 4567 x 9", "HR", "has an extension (9)"),
        ("+385 91", None, "too short"),
        ("+385 91 123 4567 8901 2345", None, "too long"),
        ("+999 123 4567", None, "unknown country code"),
        ("+1-800-FLOWERS", None, "not a phone number"),
        ("call me", "HR", "not a phone number"),
        ("+", None, "not a phone number"),
        ("091", "HR", "too short"),
    ],
)
def test_refusals_name_the_reason(written: str, region: str | None, reason: str) -> None:
    with pytest.raises(Invalid, match=reason.replace("+", r"\+").replace("(", r"\(").replace(")", r"\)")):
        normalize_phone(written, region)


def test_references_digits_id_and_leading_zero() -> None:
    assert parse_ref("42") == PersonRef(42)
    assert parse_ref("id:42") == PersonRef(42)
    assert parse_ref(" id:42 ") == PersonRef(42)
    with pytest.raises(Invalid, match="did you mean"):
        parse_ref("00385911234567")
    with pytest.raises(Invalid, match="national number"):
        parse_ref("0003")
    with phone_region("HR"):
        assert parse_ref("00385911234567") == DestinationRef("phone", "+385911234567")
        assert parse_ref("0911234567") == DestinationRef("phone", "+385911234567")
        assert parse_ref("42") == PersonRef(42)  # no leading zero: still a person id
        with pytest.raises(Invalid, match="too short"):
            parse_ref("0003")
    with pytest.raises(Invalid, match="id:42"):
        parse_ref("id:abc")


def test_the_generated_table_matches_the_installed_phonenumbers() -> None:
    """Regenerate with `python -m cctx.phones` after upgrading phonenumbers."""
    assert build_table() == CALLING_CODES
    assert frozenset(phonenumbers.SUPPORTED_REGIONS) == REGIONS


codes = st.sampled_from(sorted(CALLING_CODES))


@settings(max_examples=1500, deadline=None)
@given(code=codes, national=st.text(alphabet="0123456789", min_size=1, max_size=15))
def test_fast_path_never_accepts_what_libphonenumber_would_change_or_refuse(code: str, national: str) -> None:
    value = f"+{code}{national}"
    if canonical(value):
        number = phonenumbers.parse(value, None)
        assert phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == value


@settings(max_examples=500, deadline=None)
@given(code=codes, national=st.text(alphabet="0123456789", min_size=1, max_size=15))
def test_normalised_values_are_what_libphonenumber_writes(code: str, national: str) -> None:
    value = f"+{code}{national}"
    try:
        normalised = normalize_phone(value)
    except Invalid:
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            return
        assert phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE
        return
    number = phonenumbers.parse(value, None)
    assert normalised == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert number_key(value) == normalised


def test_legacy_stored_values_read_as_their_number() -> None:
    assert number_key("+4402079460958") == "+442079460958"
    assert number_key("+442079460958") == "+442079460958"
    assert number_key("+12345") is None
    assert number_key("not a number") is None


def test_reading_a_canonical_number_does_not_import_phonenumbers() -> None:
    code = (
        "import sys\n"
        "from cctx.refs import parse_ref\n"
        "assert str(parse_ref('+385911234567')) == '+385911234567'\n"
        "assert str(parse_ref('phone:+442079460958')) == '+442079460958'\n"
        "assert 'phonenumbers' not in sys.modules, 'imported'\n"
        "parse_ref('+385 91 123 4567')\n"
        "assert 'phonenumbers' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=60), region=st.sampled_from([None, "HR", "US", "GB"]))
def test_any_text_is_a_reference_or_a_refusal(text: str, region: str | None) -> None:
    """Never an exception other than a refusal, whatever the text and the default region."""
    with phone_region(region):
        try:
            ref = parse_ref(text)
        except Invalid as exc:
            assert len(exc.message) < 400
            return
    if isinstance(ref, DestinationRef) and ref.type == "phone":
        assert canonical(ref.value) or number_key(ref.value) == ref.value


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="0123456789 +-()./x#;ext=", max_size=30), region=st.sampled_from([None, "HR", "US"]))
def test_number_like_text_is_normalised_or_refused(text: str, region: str | None) -> None:
    try:
        value = normalize_phone(text, region)
    except Invalid:
        return
    number = phonenumbers.parse(value)
    assert phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == value
