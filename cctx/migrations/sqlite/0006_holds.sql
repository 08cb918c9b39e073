-- Legal holds: while a hold is active (not released, `until` not yet past) the conversation it names,
-- or every conversation linked to the person it names, is kept by the purge and refuses erasure.
-- customer_id is a plain integer, not a foreign key: a hold outlives nothing it names (erasure is
-- refused while it applies) and follows a person merge by an explicit update.
CREATE TABLE holds (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER,
    conversation_id INTEGER,
    reason          TEXT NOT NULL,
    until           TEXT,                            -- NULL: until released
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    released_at     TEXT,
    CHECK ((customer_id IS NULL) != (conversation_id IS NULL))
) STRICT;
CREATE INDEX holds_by_customer ON holds(customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX holds_by_conversation ON holds(conversation_id) WHERE conversation_id IS NOT NULL;
