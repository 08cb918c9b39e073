"""What retention will do, read without changing anything: the expiry forecast's counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cctx.store.base import AggregateStore
from cctx.store.holds import not_held


class RetentionViewStore(AggregateStore):
    """What `history explain` and `history forecast` read."""

    def closed_expiry_buckets(
        self, channel: str, boundaries: Sequence[str], now: datetime
    ) -> list[tuple[int, int, int]]:
        """(bucket, conversations, items) of the closed conversations of ``channel`` that no hold keeps,
        bucket ``k`` holding those whose retention start is before ``boundaries[k]`` and not before
        ``boundaries[k - 1]``; none at or past the last boundary. Read through the expiry index
        (channel, expires_from); items are the conversations' counters."""
        if not boundaries:
            return []
        holds_sql, holds_params = not_held("c", now)
        whens = " ".join(f"WHEN c.expires_from < ? THEN {k}" for k in range(len(boundaries) - 1))
        rows = self.conn.execute(
            f"SELECT CASE {whens} ELSE {len(boundaries) - 1} END AS bucket, count(*), "
            "coalesce(sum(c.messages + c.notes + c.call_events), 0) "
            "FROM conversations c WHERE c.channel = ? AND c.expires_from < ? AND c.status = 'closed' "
            f"AND {holds_sql} GROUP BY bucket",
            [*boundaries[:-1], channel, boundaries[-1], *holds_params],
        )
        return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]

    def tombstone_chains(self, now: datetime) -> list[tuple[int, str, str | None, int, list[tuple[str, str | None]]]]:
        """Every tombstone no hold keeps: (id, channel, merged_at, items, [(channel, expires_from) of each
        conversation it was merged into, transitively]). A purge deletes a tombstone when it or any of
        those expires, whichever comes first."""
        holds_sql, holds_params = not_held("t", now)
        rows = self.conn.execute(
            "WITH RECURSIVE chain(id, ancestor) AS ("
            " SELECT t.id, t.merged_into FROM conversations t"
            f" WHERE t.merged_into IS NOT NULL AND t.status = 'merged' AND {holds_sql}"
            " UNION SELECT chain.id, a.merged_into FROM chain JOIN conversations a ON a.id = chain.ancestor"
            " WHERE a.merged_into IS NOT NULL AND a.status = 'merged')"
            " SELECT t.id, t.channel, t.expires_from, t.messages + t.notes + t.call_events, a.channel, a.expires_from"
            " FROM chain JOIN conversations t ON t.id = chain.id JOIN conversations a ON a.id = chain.ancestor"
            " ORDER BY t.id",
            holds_params,
        )
        found: dict[int, tuple[int, str, str | None, int, list[tuple[str, str | None]]]] = {}
        for r in rows:
            entry = found.setdefault(int(r[0]), (int(r[0]), r[1], r[2], int(r[3]), []))
            entry[4].append((r[4], r[5]))
        return list(found.values())
