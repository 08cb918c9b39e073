-- The running totals of a purge that has deleted some batches but not finished yet. Updated in each
-- batch's transaction; the last batch writes the one `history.purge` audit record with the totals and
-- removes the row. A purge killed mid-run leaves the row, and the next purge carries it into its record,
-- so every deleted conversation is accounted for exactly once.
CREATE TABLE purge_progress (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    started_at  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    details     TEXT NOT NULL                        -- JSON object: counts per channel and horizons, no content
) STRICT;
