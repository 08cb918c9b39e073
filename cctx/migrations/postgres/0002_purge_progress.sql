CREATE TABLE purge_progress (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    started_at  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    details     TEXT NOT NULL                        -- JSON object: counts per channel and horizons, no content
);
