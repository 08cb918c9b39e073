"""Phone numbers as libphonenumber reads them.

``normalize_phone`` turns what a person typed (``+44 (0)20 7946 0958``, and with a default region
``091 123 4567`` or ``00385 91 123 4567``) into E.164 (``+442079460958``) or refuses it with a reason:
impossible for its country, an unknown country code, an extension, not a number.

Importing ``phonenumbers`` costs about 20 ms, more than a whole ``customer show``. A value that is
already canonical E.164 is recognised without it: the country code and the possible lengths of its
national number come from ``cctx/phone_table.py``, generated from the installed phonenumbers
(``python -m cctx.phones`` rewrites it; a test checks that it still matches). A value whose national
number could begin with a national prefix that libphonenumber would strip (``+44 0 20…``) takes the
full parse.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

from cctx.errors import Invalid
from cctx.phone_table import CALLING_CODES, REGIONS

if TYPE_CHECKING:
    import phonenumbers

_NUMBER_CHARS = r"\+?[\d\s\-./()\u00a0\u2010-\u2015]+"  # compiled (and cached by re) when first used
_MAX_QUOTED = 80


@cache
def _canonical_pattern() -> re.Pattern[str]:
    """E.164's shape, compiled on first use (not by every command that imports this module)."""
    return re.compile(r"\+[1-9][0-9]{3,16}")


def _quoted(text: str) -> str:
    return repr(text if len(text) <= _MAX_QUOTED else text[:_MAX_QUOTED] + "…")


def canonical(value: str) -> bool:
    """Whether ``value`` is already E.164 as libphonenumber writes it, and a possible number: decided
    without importing phonenumbers. False means "parse it", not "impossible"."""
    if not _canonical_pattern().fullmatch(value):
        return False
    digits = value[1:]
    for size in (1, 2, 3):
        entry = CALLING_CODES.get(digits[:size])
        if entry is not None:
            lengths, unsafe_first = entry
            national = digits[size:]
            return len(national) in lengths and national[:1] not in unsafe_first
    return False


def normalize_phone(text: str, region: str | None = None) -> str:
    """The E.164 form of ``text``; ``region`` (ISO 3166-1 alpha-2) reads national numbers and the
    region's international prefix. Anything else is refused with the reason."""
    raw = text.strip()
    if canonical(raw):
        return raw
    if not re.fullmatch(_NUMBER_CHARS, raw):
        raise Invalid(_not_a_number(raw, region))
    if not raw.startswith("+") and region is None:
        raise Invalid(_without_region(raw))
    return _checked_e164(raw, _parse(raw, region))


def _not_a_number(raw: str, region: str | None) -> str:
    """Why text with letters or signs is not a phone: an extension (which libphonenumber finds), or not a number."""
    try:
        number = _parse(raw, region or "ZZ")
    except Invalid:
        number = None
    if number is not None and number.extension:
        return f"{_quoted(raw)} has an extension ({number.extension}): store the number without it"
    return (
        f"{_quoted(raw)} is not a phone number (E.164: + and the country code, then digits, spaces, - . / "
        "or brackets)"
    )


def _without_region(raw: str) -> str:
    """The refusal of a number without ``+`` when no default region is configured, with a hint."""
    digits = re.sub(r"[^\d]", "", raw)
    if re.fullmatch(_NUMBER_CHARS, raw) and digits.startswith("00") and digits[2:3] in tuple("123456789"):
        return f"{_quoted(raw)} is not a phone number without phone.default_region: did you mean +{digits[2:]}?"
    if re.fullmatch(_NUMBER_CHARS, raw) and digits:
        return f"{_quoted(raw)} is a national number: write +CC… or set phone.default_region"
    return f"{_quoted(raw)} is not a phone number (write it as +CC… with its country code)"


def _module() -> Any:
    import phonenumbers

    return phonenumbers


def _parse(raw: str, region: str | None) -> phonenumbers.PhoneNumber:
    pn = _module()
    try:
        return pn.parse(raw, region)
    except pn.NumberParseException as exc:
        reasons = {
            pn.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
            pn.NumberParseException.NOT_A_NUMBER: "not a phone number",
            pn.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
            pn.NumberParseException.TOO_SHORT_NSN: "too short",
            pn.NumberParseException.TOO_LONG: "too long",
        }
        reason = reasons.get(exc.error_type, "not a phone number")
        raise Invalid(f"{_quoted(raw)} is not a possible phone number: {reason}") from None


def _checked_e164(raw: str, number: phonenumbers.PhoneNumber) -> str:
    pn = _module()
    result = pn.is_possible_number_with_reason(number)
    if result != pn.ValidationResult.IS_POSSIBLE:
        reasons = {
            pn.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
            pn.ValidationResult.TOO_SHORT: "too short for its country",
            pn.ValidationResult.TOO_LONG: "too long for its country",
            pn.ValidationResult.INVALID_LENGTH: "a length its country does not use",
            pn.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "a local number: write it with its area code",
        }
        region = pn.region_code_for_country_code(number.country_code)
        where = f" (+{number.country_code}, {region})" if region not in ("ZZ", "001") else ""
        raise Invalid(f"{_quoted(raw)} is not a possible phone number{where}: {reasons.get(result, 'impossible')}")
    return str(pn.format_number(number, pn.PhoneNumberFormat.E164))


def same_number(a: str, b: str) -> bool:
    """Whether libphonenumber reads two stored values as the same number (legacy forms included)."""
    return number_key(a) == number_key(b) is not None


def number_key(value: str) -> str | None:
    """The E.164 form libphonenumber reads in a stored value (``+4402079460958`` -> ``+442079460958``),
    or None when it reads no number there. Never raises: for comparing stored values."""
    if canonical(value):
        return value
    pn = _module()
    try:
        number = pn.parse(value, None)
    except pn.NumberParseException:
        return None
    if number.extension or not pn.is_possible_number(number):
        return None
    return str(pn.format_number(number, pn.PhoneNumberFormat.E164))


def known_region(region: str) -> bool:
    """Whether ``region`` is an ISO 3166-1 alpha-2 code phonenumbers has numbering data for."""
    return region in REGIONS


# --- the table of calling codes -------------------------------------------------------------------


def _first_chars(pattern: str) -> tuple[set[str], bool]:
    """The characters a match of ``pattern`` (anchored at the start) can begin with, and whether it
    can match the empty string. Conservative: anything not understood counts as every digit."""
    from re import _parser  # type: ignore[attr-defined]

    digits = set("0123456789")

    def seq(items: Any) -> tuple[set[str], bool]:
        found: set[str] = set()
        for op, arg in items:
            chars, nullable = one(op, arg)
            found |= chars
            if not nullable:
                return found, False
        return found, True

    def one(op: Any, arg: Any) -> tuple[set[str], bool]:
        name = str(op)
        if name == "LITERAL":
            return {chr(arg)}, False
        if name == "IN":
            chars: set[str] = set()
            for sub_op, sub_arg in arg:
                if str(sub_op) == "LITERAL":
                    chars.add(chr(sub_arg))
                elif str(sub_op) == "RANGE":
                    chars |= {chr(c) for c in range(sub_arg[0], sub_arg[1] + 1)}
                else:
                    return set(digits), False
            return chars, False
        if name == "BRANCH":
            found: set[str] = set()
            nullable = False
            for branch in arg[1]:
                chars, empty = seq(branch)
                found |= chars
                nullable = nullable or empty
            return found, nullable
        if name == "SUBPATTERN":
            return seq(arg[3])
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            chars, empty = seq(arg[2])
            return chars, empty or arg[0] == 0
        if name == "AT":
            return set(), True
        return set(digits), False

    return seq(_parser.parse(pattern))


def build_table() -> dict[str, tuple[tuple[int, ...], str]]:
    """For every calling code: the possible lengths of a national number, and the first digits with
    which libphonenumber may rewrite one (a national prefix it strips, a leading zero it keeps)."""
    pn = _module()
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

    table: dict[str, tuple[tuple[int, ...], str]] = {}
    for code in sorted(COUNTRY_CODE_TO_REGION_CODE):
        region = pn.region_code_for_country_code(code)
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
        if metadata is None or metadata.general_desc is None:
            continue
        lengths = tuple(sorted(n for n in metadata.general_desc.possible_length if n > 0))
        unsafe = {"0"}
        prefix = metadata.national_prefix_for_parsing
        if prefix:
            chars, nullable = _first_chars(prefix)
            unsafe |= set("0123456789") if nullable else chars & set("0123456789")
        table[str(code)] = (lengths, "".join(sorted(unsafe)))
    return table


def write_table(path: str) -> None:
    import textwrap

    lines = [
        '"""Calling codes: possible national-number lengths and first digits that need a full parse.',
        "",
        "Generated by `python -m cctx.phones` from the installed phonenumbers; do not edit.",
        '"""',
        "",
        "CALLING_CODES: dict[str, tuple[tuple[int, ...], str]] = {",
        *(f'    "{code}": ({lengths!r}, "{unsafe}"),' for code, (lengths, unsafe) in build_table().items()),
        "}",
        "",
        "# The regions phonenumbers has numbering data for (ISO 3166-1 alpha-2).",
        "REGIONS: frozenset[str] = frozenset(",
        '    """',
        *textwrap.wrap(" ".join(sorted(_module().SUPPORTED_REGIONS)), 96, initial_indent="    ",
                       subsequent_indent="    "),
        '    """.split()',
        ")",
        "",
    ]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    write_table(sys.argv[1] if len(sys.argv) > 1 else __file__.replace("phones.py", "phone_table.py"))
