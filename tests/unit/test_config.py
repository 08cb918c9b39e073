from __future__ import annotations

import pytest

from cctx.config import DEFAULT_CARD_ATTRIBUTES, Config, Retention, parse_config
from cctx.errors import ConfigError


def test_defaults() -> None:
    assert parse_config(None) == Config()
    assert Config().card_attributes == DEFAULT_CARD_ATTRIBUTES
    assert Config().busy_timeout_ms == 5000
    assert Config().retention is None


def test_full_config() -> None:
    cfg = parse_config({
        "retention": {"default_days": 365, "channels": {"sms": 90, "voice": 30}},
        "card": {"attributes": ["gender", "plan"]},
        "busy_timeout_ms": 250,
    })
    assert cfg.retention == Retention(365, {"sms": 90, "voice": 30})
    assert cfg.retention.days_for("sms") == 90
    assert cfg.retention.days_for("email") == 365
    assert cfg.card_attributes == ("gender", "plan")
    assert cfg.busy_timeout_ms == 250
    assert Retention(None, {"sms": 3}).days_for("email") is None


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"colour": 1}, "colour"),
        ({"retention": {"days": 3}}, "retention.days"),
        ({"retention": {"default_days": "a year"}}, "retention.default_days"),
        ({"retention": {"default_days": 0}}, "retention.default_days"),
        ({"retention": {"channels": {"fax": 3}}}, "retention.channels.fax"),
        ({"retention": {"channels": {"sms": True}}}, "retention.channels.sms"),
        ({"retention": [1]}, "retention"),
        ({"card": {"attributes": "gender"}}, "card.attributes"),
        ({"card": {"fields": []}}, "card.fields"),
        ({"busy_timeout_ms": "5s"}, "busy_timeout_ms"),
        ([1, 2], "configuration"),
    ],
)
def test_errors_name_the_key(data: object, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config(data)


def test_a_config_file_that_is_not_utf8_is_a_config_error(tmp_path: object) -> None:
    from pathlib import Path

    from cctx.config import load_config

    path = Path(str(tmp_path)) / "cctx.yaml"
    path.write_bytes(b"\xff\xfe\x00retention: 1\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)
