"""`conversation search`: the conversations whose messages and notes hold every word of a search text.

What may be shown is what a history shows (services/history.py): tombstones never, posts channels only
when named, nothing past the retention horizon, only what an agent may see with ``as_agent``, one
customer with ``customer``. Words match as cctx folds them (search_fold.py). Each result is a conversation
summary with a ``snippet`` of its best matching item, the matches in ``[ ]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cctx.config import Retention
from cctx.errors import Invalid
from cctx.results.conversations import SearchResult
from cctx.search_fold import SearchWord, search_words, word_spans
from cctx.services.history import history_query
from cctx.services.summaries import summary
from cctx.store import Store
from cctx.store.search import ItemText

DEFAULT_LIMIT = 20
MAX_WORDS = 20
SNIPPET = 200  # characters at most, brackets and ellipses included
_LEAD = 40  # characters of text before the first match, when it stands further in
_SPACE = re.compile(r"\s+")


def search(
    store: Store,
    text: str,
    *,
    channels: Sequence[str] = (),
    customer: str | None = None,
    as_agent: str | None = None,
    limit: int | None = None,
    retention: Retention | None,
    now: datetime,
) -> list[SearchResult]:
    """Conversation summaries with a ``snippet``, best match first, at most ``limit`` (default 20)."""
    words = search_words(text)
    if not words:
        raise Invalid("nothing to search for: the search text holds no letter or digit")
    if len(words) > MAX_WORDS:
        raise Invalid(f"too many words to search for: {len(words)} (at most {MAX_WORDS})")
    query = history_query(
        store, customer, channels=channels, as_agent=as_agent, limit=limit or DEFAULT_LIMIT, retention=retention,
        now=now, named_posts=True,
    )
    hits = store.search.hits(words, query)
    best = best_items(store.search.item_texts([h.conversation.id for h in hits]), words)
    return [
        SearchResult(summary(h.conversation), snippet(best[h.conversation.id].text, words))
        for h in hits
        if h.conversation.id in best
    ]


def best_items(items: Any, words: Sequence[SearchWord]) -> dict[int, ItemText]:
    """Per conversation, the item that holds the most of ``words`` (the latest among equals)."""
    best: dict[int, tuple[tuple[int, str, int], ItemText]] = {}
    for item in items:
        held = set(item.folded.split(" "))
        count = sum(1 for w in words if any(w.matches(h) for h in held))
        if not count:
            continue
        key = (count, item.at, item.id)
        current = best.get(item.conversation_id)
        if current is None or key > current[0]:
            best[item.conversation_id] = (key, item)
    return {cid: item for cid, (_, item) in best.items()}


def snippet(text: str, words: Sequence[SearchWord], width: int = SNIPPET) -> str:
    """A piece of ``text`` of at most ``width`` characters around its first match, each match of ``words``
    in ``[ ]``, white space runs as one space, ``…`` where the text was cut."""
    spans = sorted({(s, e) for w, s, e in word_spans(text) if any(q.matches(w) for q in words)})
    if not spans:
        return _fit(_clean(text), width)
    start = spans[0][0]
    if start > _LEAD:
        cut = text.find(" ", start - _LEAD, start)
        start = cut + 1 if cut >= 0 else start - _LEAD
    else:
        start = 0
    out = "…" if start else ""
    budget = width - 1  # room for a closing ellipsis
    pos, stop = start, len(text)
    for s, e in spans:
        if s < pos:
            continue
        before = _clean(text[pos:s])
        match = "[" + _clean(text[s:e]) + "]"
        if len(out) + len(before) + len(match) > budget:
            stop = s
            break
        out += before + match
        pos = e
    if pos == start:  # not even the first match fits: it is cut
        first = _clean(text[spans[0][0] : spans[0][1]])
        return out + "[" + first[: width - len(out) - 3] + "…]"
    rest = _clean(text[pos:stop])
    if stop == len(text) and len(out) + len(rest) <= width:
        return out + rest
    room = width - len(out) - 1
    return out + rest[:room] + "…"


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
