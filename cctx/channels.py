"""The channel table: slug -> kind, destination type, and whether it is shown in history."""

from typing import NamedTuple

MESSAGING = "messaging"
CALL = "call"
POSTS = "posts"


class Channel(NamedTuple):
    slug: str
    kind: str
    destination_type: str
    in_history: bool

    @property
    def item_kinds(self) -> tuple[str, ...]:
        """Item kinds a conversation on this channel may hold."""
        return ("call_event", "note") if self.kind == CALL else ("message", "note")


def _channel(slug: str, kind: str, destination_type: str) -> Channel:
    return Channel(slug, kind, destination_type, kind != POSTS)


CHANNELS: dict[str, Channel] = {
    c.slug: c
    for c in (
        _channel("whatsapp", MESSAGING, "phone"),
        _channel("viber", MESSAGING, "phone"),
        _channel("sms", MESSAGING, "phone"),
        _channel("mms", MESSAGING, "phone"),
        _channel("kakaotalk", MESSAGING, "phone"),
        _channel("voice", CALL, "phone"),
        _channel("video", CALL, "phone"),
        _channel("livechat", MESSAGING, "livechat"),
        _channel("inapp", MESSAGING, "inapp"),
        _channel("messenger", MESSAGING, "messenger"),
        _channel("instagram", MESSAGING, "instagram"),
        _channel("telegram", MESSAGING, "telegram"),
        _channel("line", MESSAGING, "line"),
        _channel("apple_business", MESSAGING, "apple_business"),
        _channel("email", MESSAGING, "email"),
        _channel("facebook_posts", POSTS, "messenger"),
        _channel("instagram_posts", POSTS, "instagram"),
        _channel("google_play_reviews", POSTS, "google_play"),
    )
}

CHANNEL_SLUGS: tuple[str, ...] = tuple(CHANNELS)
HISTORY_CHANNELS: tuple[str, ...] = tuple(c.slug for c in CHANNELS.values() if c.in_history)
DESTINATION_TYPES: tuple[str, ...] = tuple(dict.fromkeys(c.destination_type for c in CHANNELS.values()))

STATUSES: tuple[str, ...] = ("open", "waiting", "solved", "closed")
ALL_STATUSES: tuple[str, ...] = (*STATUSES, "merged")
ITEM_KINDS: tuple[str, ...] = ("message", "note", "call_event")
CALL_EVENTS: tuple[str, ...] = ("started", "answered", "ended", "recording")


def channels_of_type(destination_type: str) -> tuple[str, ...]:
    """The channels whose contacts are destinations of ``destination_type``."""
    return tuple(c.slug for c in CHANNELS.values() if c.destination_type == destination_type)
