"""Customer references (``42``, ``+385911234567``, ``TYPE:VALUE``) and destination values."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cctx.channels import DESTINATION_TYPES
from cctx.errors import Invalid

_PHONE_NOISE = re.compile(r"[\s\-().]")
_E164 = re.compile(r"^\+[1-9][0-9]{5,14}$")
_PHONE_PART = re.compile(r"^\+?[0-9][0-9\s\-().]*$")
MAX_ID = 2**63 - 1  # the largest SQLite integer


@dataclass(frozen=True)
class PersonRef:
    """A person by id."""

    person_id: int


@dataclass(frozen=True)
class DestinationRef:
    """A destination ``(type, value)``, already normalised."""

    type: str
    value: str

    def __str__(self) -> str:
        return self.value if self.type == "phone" else f"{self.type}:{self.value}"


CustomerRef = PersonRef | DestinationRef


def normalize_phone(value: str) -> str:
    """``+385 (91) 123-4567`` -> ``+385911234567``; anything that is not E.164 is refused."""
    phone = _PHONE_NOISE.sub("", value.strip())
    if not _E164.match(phone):
        raise Invalid(f"{value!r} is not a phone number in E.164 form (+ and 6 to 15 digits)")
    return phone


def search_text(text: str) -> str:
    """Search text as stored values read: a phone number, or part of one, loses its spaces, dashes and
    brackets (``+385 91 123`` finds ``+385911234567``); any other text is kept."""
    stripped = text.strip()
    return _PHONE_NOISE.sub("", stripped) if _PHONE_PART.match(stripped) else stripped


def normalize_value(dest_type: str, value: str) -> str:
    """The stored form of a destination value of ``dest_type``."""
    if dest_type not in DESTINATION_TYPES:
        raise Invalid(f"unknown destination type {dest_type!r} (one of: {', '.join(DESTINATION_TYPES)})")
    if dest_type == "phone":
        return normalize_phone(value)
    text = value.strip()
    if not text:
        raise Invalid(f"empty {dest_type} destination value")
    return text.lower() if dest_type == "email" else text


def parse_destination(text: str) -> DestinationRef:
    """A phone number or ``TYPE:VALUE``; a bare id is not a destination."""
    ref = parse_ref(text)
    if isinstance(ref, PersonRef):
        raise Invalid(f"{text!r} is a person id, not a destination (use +PHONE or TYPE:VALUE)")
    return ref


def _person_id(value: int, text: object) -> int:
    if value > MAX_ID:
        raise Invalid(f"{text!r} is too large for a person id")
    return value


def parse_ref(text: object) -> CustomerRef:
    """Parse a customer reference: a person id, a phone number, or ``TYPE:VALUE``."""
    if isinstance(text, bool):
        raise Invalid(f"{text!r} is not a customer reference")
    if isinstance(text, int):
        return PersonRef(_person_id(text, text))
    if not isinstance(text, str):
        raise Invalid(f"{text!r} is not a customer reference")
    raw = text.strip()
    if raw.isascii() and raw.isdigit():
        digits = raw.lstrip("0") or "0"
        return PersonRef(_person_id(int(digits) if len(digits) <= 19 else MAX_ID + 1, text))
    if raw.startswith("+"):
        return DestinationRef("phone", normalize_phone(raw))
    dest_type, sep, value = raw.partition(":")
    if sep and dest_type in DESTINATION_TYPES:
        return DestinationRef(dest_type, normalize_value(dest_type, value))
    raise Invalid(
        f"{text!r} is not a customer reference: use a person id (42), a phone (+385911234567) "
        f"or TYPE:VALUE with TYPE one of {', '.join(DESTINATION_TYPES)}"
    )
