from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cctx.errors import Invalid
from cctx.times import format_ts, normalize_ts, parse_duration, parse_ts


def test_timestamps_are_utc_with_z() -> None:
    assert normalize_ts("2026-05-01T11:00:00+02:00") == "2026-05-01T09:00:00Z"
    assert normalize_ts("2026-05-01T09:00:00.750Z") == "2026-05-01T09:00:00Z"
    assert normalize_ts(datetime(2026, 5, 1, 9, tzinfo=timezone(timedelta(hours=-4)))) == "2026-05-01T13:00:00Z"
    assert format_ts(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert parse_ts("2026-01-02T03:04:05z").tzinfo is not None


@pytest.mark.parametrize("value", ["2026-05-01T09:00:00", "yesterday", "", 20260501, datetime(2026, 5, 1)])
def test_bad_timestamps(value: object) -> None:
    with pytest.raises(Invalid):
        parse_ts(value)


def test_durations() -> None:
    assert parse_duration("90d") == timedelta(days=90)
    assert parse_duration("12w") == timedelta(weeks=12)
    assert parse_duration("36h") == timedelta(hours=36)
    for bad in ("0d", "-3d", "3m", "d", "1.5d", "90"):
        with pytest.raises(Invalid):
            parse_duration(bad)


def test_a_date_without_time_is_refused_in_plain_words() -> None:
    from datetime import date

    with pytest.raises(Invalid, match=r"created_at: 2026-01-02 is a date without a time and zone"):
        parse_ts(date(2026, 1, 2), "created_at")


def test_early_years_keep_four_digits_so_text_order_is_time_order() -> None:
    early = format_ts(datetime(999, 1, 1, tzinfo=UTC))
    assert early == "0999-01-01T00:00:00Z"
    assert early < format_ts(datetime(2026, 1, 1, tzinfo=UTC))
    assert normalize_ts("0999-01-01T00:00:00Z") == early


def test_a_duration_longer_than_the_calendar_is_the_longest_one() -> None:
    assert parse_duration("99999999999d") == timedelta.max


def test_a_zoneless_datetime_from_yaml_is_shown_as_written() -> None:
    with pytest.raises(Invalid, match=r"created_at: '2026-01-01T00:05:00' has no time zone"):
        parse_ts(datetime(2026, 1, 1, 0, 5), "created_at")
