from __future__ import annotations

from cctx.channels import CHANNELS, DESTINATION_TYPES, HISTORY_CHANNELS, channels_of_type


def test_channel_table_matches_the_contract() -> None:
    assert len(CHANNELS) == 18
    assert CHANNELS["voice"].item_kinds == ("call_event", "note")
    assert CHANNELS["whatsapp"].item_kinds == ("message", "note")
    assert CHANNELS["facebook_posts"].destination_type == "messenger"
    assert set(CHANNELS) - set(HISTORY_CHANNELS) == {"facebook_posts", "instagram_posts", "google_play_reviews"}
    assert set(channels_of_type("phone")) == {"whatsapp", "viber", "sms", "mms", "kakaotalk", "voice", "video"}
    assert "google_play" in DESTINATION_TYPES and len(DESTINATION_TYPES) == 10
