"""The configuration file: YAML turned into a typed, frozen Config. Unknown keys are errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from cctx.channels import CHANNELS
from cctx.errors import ConfigError, quote

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_CARD_ATTRIBUTES: tuple[str, ...] = ("gender", "city", "country")
DEFAULT_BUSY_TIMEOUT_MS = 5000
MAX_BUSY_TIMEOUT_MS = 3_600_000  # an hour
MAX_RETENTION_DAYS = 36_500  # a hundred years


class Retention(NamedTuple):
    """Days to keep closed conversations: by default and per channel. ``None`` never expires."""

    default_days: int | None
    channels: dict[str, int]

    def days_for(self, channel: str) -> int | None:
        return self.channels.get(channel, self.default_days)


class Config(NamedTuple):
    retention: Retention | None = None
    card_attributes: tuple[str, ...] = DEFAULT_CARD_ATTRIBUTES
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    phone_region: str | None = None  # phone.default_region: national numbers and its international prefix
    duplicate_attributes: tuple[str, ...] = ()  # duplicates.match_attributes


def _check_keys(section: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in section:
        if key not in allowed:
            name = f"{where}.{key}" if where else str(key)
            raise ConfigError(f"configuration: unknown key {quote(name)}")


def _whole_number(value: Any, key: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``: never cut or wrapped into range (2147483648 is refused, not 0)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"configuration: {key} must be a whole number from {low} to {high:,}, not {quote(value)}")
    return value


def _mapping(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"configuration: {key} must be a mapping, not {quote(value)}")
    return value


def _retention(value: Any) -> Retention | None:
    if value is None:
        return None
    section = _mapping(value, "retention")
    _check_keys(section, {"default_days", "channels"}, "retention")
    default = section.get("default_days")
    default_days = None if default is None else _whole_number(default, "retention.default_days", 1, MAX_RETENTION_DAYS)
    channels: dict[str, int] = {}
    for slug, days in _mapping(section.get("channels") or {}, "retention.channels").items():
        if slug not in CHANNELS:
            raise ConfigError(f"configuration: unknown channel {quote(f'retention.channels.{slug}')}")
        channels[slug] = _whole_number(days, f"retention.channels.{slug}", 1, MAX_RETENTION_DAYS)
    return Retention(default_days, channels)


def _card_attributes(value: Any) -> tuple[str, ...]:
    section = _mapping(value, "card")
    _check_keys(section, {"attributes"}, "card")
    attrs = section.get("attributes", list(DEFAULT_CARD_ATTRIBUTES))
    if not isinstance(attrs, list) or not all(isinstance(a, str) and a for a in attrs):
        raise ConfigError("configuration: card.attributes must be a list of attribute names")
    return tuple(attrs)


def _phone_region(value: Any) -> str | None:
    section = _mapping(value, "phone")
    _check_keys(section, {"default_region"}, "phone")
    region = section.get("default_region")
    if region is None:
        return None
    if not isinstance(region, str) or not (len(region) == 2 and region.isascii() and region.isalpha()):
        raise ConfigError(
            f"configuration: phone.default_region must be a two-letter ISO 3166-1 country code, not {region!r:.80}"
        )
    from cctx.phones import known_region

    if not known_region(region.upper()):
        raise ConfigError(f"configuration: phone.default_region {quote(region)} is not a country phonenumbers knows")
    return region.upper()


def _duplicate_attributes(value: Any) -> tuple[str, ...]:
    section = _mapping(value, "duplicates")
    _check_keys(section, {"match_attributes"}, "duplicates")
    attrs = section.get("match_attributes", [])
    if not isinstance(attrs, list) or not all(isinstance(a, str) and a.strip() for a in attrs):
        raise ConfigError("configuration: duplicates.match_attributes must be a list of attribute names")
    return tuple(dict.fromkeys(a.strip() for a in attrs))


def parse_config(data: Any) -> Config:
    """Turn loaded YAML into a Config, naming the key of any problem."""
    if data is None:
        return Config()
    root = _mapping(data, "the configuration")
    _check_keys(root, {"retention", "card", "busy_timeout_ms", "phone", "duplicates"}, "")
    return Config(
        retention=_retention(root.get("retention")),
        card_attributes=_card_attributes(root.get("card") or {}),
        busy_timeout_ms=_whole_number(
            root.get("busy_timeout_ms", DEFAULT_BUSY_TIMEOUT_MS), "busy_timeout_ms", 1, MAX_BUSY_TIMEOUT_MS
        ),
        phone_region=_phone_region(root.get("phone") or {}),
        duplicate_attributes=_duplicate_attributes(root.get("duplicates") or {}),
    )


def load_config(path: Path | None) -> Config:
    """Load ``path`` (None: built-in defaults); an empty file is the defaults too."""
    if path is None:
        return Config()
    from cctx import inputs

    source = inputs.read_text(
        str(path), limit=inputs.MAX_CONFIG_BYTES, name=f"configuration {path}", error=ConfigError, allow_empty=True
    )
    data = inputs.load_yaml(source)
    try:
        return parse_config(data)
    except ConfigError as exc:  # name the file, as a message about reading it does
        raise ConfigError(f"{source.name}: {exc.message.removeprefix('configuration: ')}") from None
