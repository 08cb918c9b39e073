"""Customer references (``42``, ``id:42``, ``+385911234567``, ``TYPE:VALUE``) and destination values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from cctx.channels import DESTINATION_TYPES
from cctx.errors import Invalid, quote
from cctx.ids import MAX_ID

# Patterns, compiled (and cached by re) when first used: a command that reads a person id needs none.
_PHONE_NOISE = r"[\s\-().]"
_PHONE_PART = r"^\+?[0-9][0-9\s\-().]*$"
_NUMBER_LIKE = r"^\(?[0-9]"

# The configured phone.default_region, for everything that reads a phone number in this command.
_REGION: ContextVar[str | None] = ContextVar("phone_default_region", default=None)


def set_phone_region(region: str | None) -> None:
    """Read phone numbers with ``region`` (the configuration's phone.default_region) from now on."""
    _REGION.set(region)


@contextmanager
def phone_region(region: str | None) -> Iterator[None]:
    """Read phone numbers with ``region`` inside the block."""
    token = _REGION.set(region)
    try:
        yield
    finally:
        _REGION.reset(token)


class PersonRef(NamedTuple):
    """A person by id."""

    person_id: int


class DestinationRef(NamedTuple):
    """A destination ``(type, value)``, already normalised."""

    type: str
    value: str

    def __str__(self) -> str:
        return self.value if self.type == "phone" else f"{self.type}:{self.value}"


CustomerRef = PersonRef | DestinationRef


def normalize_phone(value: str) -> str:
    """``+385 (91) 123-4567`` -> ``+385911234567`` as libphonenumber reads it; with phone.default_region
    also national numbers and the region's international prefix. Impossible numbers are refused."""
    from cctx.phones import normalize_phone as _normalize_phone  # the phone code, when a phone is read

    return _normalize_phone(value, _REGION.get())


def search_text(text: str) -> str:
    """Search text as stored values read: a phone number, or part of one, loses its spaces, dashes and
    brackets (``+385 91 123`` finds ``+385911234567``); any other text is kept."""
    stripped = text.strip()
    return re.sub(_PHONE_NOISE, "", stripped) if re.match(_PHONE_PART, stripped) else stripped


def normalize_value(dest_type: str, value: str) -> str:
    """The stored form of a destination value of ``dest_type``."""
    if dest_type not in DESTINATION_TYPES:
        raise Invalid(f"unknown destination type {quote(dest_type)} (one of: {', '.join(DESTINATION_TYPES)})")
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
        raise Invalid(f"{quote(text)} is a person id, not a destination (use +PHONE or TYPE:VALUE)")
    return ref


def _person_id(value: int, text: object) -> int:
    if value > MAX_ID:
        raise Invalid(f"{quote(text)} is too large for a person id")
    return value


def parse_ref(text: object) -> CustomerRef:
    """Parse a customer reference: a person id, a phone number, or ``TYPE:VALUE``."""
    if isinstance(text, bool):
        raise Invalid(f"{quote(text)} is not a customer reference")
    if isinstance(text, int):
        return PersonRef(_person_id(text, text))
    if not isinstance(text, str):
        raise Invalid(f"{quote(text)} is not a customer reference")
    raw = text.strip()
    if raw.isascii() and raw.isdigit() and not raw.startswith("0"):
        return PersonRef(_person_id(int(raw) if len(raw) <= 19 else MAX_ID + 1, text))
    if raw.startswith("id:"):
        digits = raw[3:].strip()
        if not (digits.isascii() and digits.isdigit()):
            raise Invalid(f"{quote(text)} is not a person id (write id:42)")
        digits = digits.lstrip("0") or "0"
        return PersonRef(_person_id(int(digits) if len(digits) <= 19 else MAX_ID + 1, text))
    if raw.startswith("+") or re.match(_NUMBER_LIKE, raw):
        # A leading zero is never a person id: a phone read in the default region, else refused with a hint.
        return DestinationRef("phone", normalize_phone(raw))
    dest_type, sep, value = raw.partition(":")
    if sep and dest_type in DESTINATION_TYPES:
        return DestinationRef(dest_type, normalize_value(dest_type, value))
    raise Invalid(
        f"{quote(text)} is not a customer reference: use a person id (42), a phone (+385911234567) "
        f"or TYPE:VALUE with TYPE one of {', '.join(DESTINATION_TYPES)}"
    )
