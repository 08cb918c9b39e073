"""Results about conversations: summaries, transcripts, search hits, link, merge and relink."""

from typing import Any, NamedTuple

from cctx.models import Item


class Summary(NamedTuple):
    """A conversation as `history show` and `conversation list` list it (the contract's summary keys)."""

    id: int
    channel: str
    status: str
    queue: str | None
    contact: str
    customer_id: int | None
    talking_with: str
    started_at: str
    closed_at: str | None
    last_activity_at: str
    messages: int
    notes: int
    call_events: int

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class SearchResult(NamedTuple):
    """A conversation found by `conversation search`: its summary and the best matching text."""

    summary: Summary
    snippet: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary._asdict(), "snippet": self.snippet}


class Transcript(NamedTuple):
    """`conversation show`: the summary, the agents, merge state, expiry and the items in time order."""

    summary: Summary
    agents: tuple[str, ...]
    merged_into: int | None
    merged_at: str | None
    expired: bool
    items: tuple[Item, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary._asdict(),
            "agents": list(self.agents),
            "merged_into": self.merged_into,
            "merged_at": self.merged_at,
            "expired": self.expired,
            "items": [
                {"at": i.at, "kind": i.kind, "author": i.author, "text": i.text, "event": i.event,
                 "recording": i.recording}
                for i in self.items
            ],
        }


class LinkResult(NamedTuple):
    """`conversation link` / `unlink`. ``autolinked`` is None unless a destination was asked to be added."""

    conversation: int
    customer: int | None
    changed: bool
    destination_added: bool | None = None
    autolinked: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"conversation": self.conversation, "customer": self.customer, "changed": self.changed}
        if self.autolinked is not None:
            result["destination_added"] = self.destination_added
            result["autolinked"] = list(self.autolinked)
        return result


class MergeResult(NamedTuple):
    """`conversation merge`: what moved (or, with --dry-run, would move) and the target's resulting state."""

    target: int
    merged: tuple[int, ...]
    items_moved: int
    dry_run: bool
    status: str
    closed_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "merged": list(self.merged),
            "items_moved": self.items_moved,
            "dry_run": self.dry_run,
            "status": self.status,
            "closed_at": self.closed_at,
        }


class RelinkResult(NamedTuple):
    """`conversation relink`: how many rows linked, unlinked and left as they were."""

    linked: int
    unlinked: int
    unchanged: int
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {"linked": self.linked, "unlinked": self.unlinked, "unchanged": self.unchanged, "dry_run": self.dry_run}
