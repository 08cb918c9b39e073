"""The configuration file: YAML turned into a typed, frozen Config. Unknown keys are errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cctx.channels import CHANNELS
from cctx.errors import ConfigError

DEFAULT_CARD_ATTRIBUTES: tuple[str, ...] = ("gender", "city", "country")
DEFAULT_BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Retention:
    """Days to keep closed conversations: by default and per channel. ``None`` never expires."""

    default_days: int | None = None
    channels: dict[str, int] = field(default_factory=dict)

    def days_for(self, channel: str) -> int | None:
        return self.channels.get(channel, self.default_days)


@dataclass(frozen=True)
class Config:
    retention: Retention | None = None
    card_attributes: tuple[str, ...] = DEFAULT_CARD_ATTRIBUTES
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    phone_region: str | None = None  # phone.default_region: national numbers and its international prefix
    duplicate_attributes: tuple[str, ...] = ()  # duplicates.match_attributes


def _check_keys(section: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in section:
        if key not in allowed:
            name = f"{where}.{key}" if where else str(key)
            raise ConfigError(f"configuration: unknown key {name!r}")


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"configuration: {key} must be a positive whole number, not {value!r}")
    return value


def _mapping(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"configuration: {key} must be a mapping, not {value!r}")
    return value


def _retention(value: Any) -> Retention | None:
    if value is None:
        return None
    section = _mapping(value, "retention")
    _check_keys(section, {"default_days", "channels"}, "retention")
    default = section.get("default_days")
    default_days = None if default is None else _positive_int(default, "retention.default_days")
    channels: dict[str, int] = {}
    for slug, days in _mapping(section.get("channels") or {}, "retention.channels").items():
        if slug not in CHANNELS:
            raise ConfigError(f"configuration: unknown channel 'retention.channels.{slug}'")
        channels[slug] = _positive_int(days, f"retention.channels.{slug}")
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
        raise ConfigError(f"configuration: phone.default_region {region!r} is not a country phonenumbers knows")
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
        busy_timeout_ms=_positive_int(root.get("busy_timeout_ms", DEFAULT_BUSY_TIMEOUT_MS), "busy_timeout_ms"),
        phone_region=_phone_region(root.get("phone") or {}),
        duplicate_attributes=_duplicate_attributes(root.get("duplicates") or {}),
    )


def load_config(path: Path | None) -> Config:
    """Load ``path`` (None: built-in defaults)."""
    if path is None:
        return Config()
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"configuration {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"configuration {path}: not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"configuration {path}: not valid YAML ({exc})") from None
    return parse_config(data)
