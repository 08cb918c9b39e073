-- People, their destinations and tags.
CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    first_name  TEXT,
    last_name   TEXT,
    gender      TEXT,
    city        TEXT,
    country     TEXT,
    attributes  TEXT NOT NULL DEFAULT '{}',          -- JSON object of custom attributes
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE destinations (
    id          INTEGER PRIMARY KEY,                 -- order of addition: the first destination is the lowest id
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    value       TEXT NOT NULL,
    UNIQUE (type, value)
) STRICT;
CREATE INDEX destinations_by_person ON destinations(person_id, id);

CREATE TABLE tags (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (person_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX tags_by_tag ON tags(tag, person_id);

-- Queues, agents and the queues each agent may see.
CREATE TABLE queues (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE agents (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE agent_queues (
    agent_id    INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    queue_id    INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, queue_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX agent_queues_by_queue ON agent_queues(queue_id, agent_id);

-- Conversations. Counters and last_activity_at are kept with the items they describe.
CREATE TABLE conversations (
    id                  INTEGER PRIMARY KEY,
    channel             TEXT NOT NULL,
    contact_type        TEXT NOT NULL,               -- destination type of the channel
    contact             TEXT NOT NULL,
    person_id           INTEGER REFERENCES people(id),
    unlinked_explicitly INTEGER NOT NULL DEFAULT 0,  -- 1: never auto-linked again (auto-link)
    queue_id            INTEGER REFERENCES queues(id),
    status              TEXT NOT NULL CHECK (status IN ('open', 'waiting', 'solved', 'closed', 'merged')),
    display_name        TEXT NOT NULL,               -- "talking with", refreshed only on card expansion
    created_at          TEXT NOT NULL,
    closed_at           TEXT,
    merged_into         INTEGER REFERENCES conversations(id),
    merged_at           TEXT,
    messages            INTEGER NOT NULL DEFAULT 0,
    notes               INTEGER NOT NULL DEFAULT 0,
    call_events         INTEGER NOT NULL DEFAULT 0,
    last_activity_at    TEXT NOT NULL,
    -- the moment retention counts from: closed_at of a closed one, merged_at of a tombstone
    expires_from        TEXT GENERATED ALWAYS AS (
        CASE status WHEN 'closed' THEN closed_at WHEN 'merged' THEN merged_at END
    ) VIRTUAL
) STRICT;
CREATE INDEX conversations_by_person ON conversations(person_id, created_at);
CREATE INDEX conversations_by_contact ON conversations(contact_type, contact, created_at);
CREATE INDEX conversations_expiry ON conversations(channel, expires_from) WHERE expires_from IS NOT NULL;
CREATE INDEX conversations_by_queue ON conversations(queue_id);
CREATE INDEX conversations_merged_into ON conversations(merged_into) WHERE merged_into IS NOT NULL;

-- Agents taking part in a conversation: listed agents and authors of its items.
CREATE TABLE participants (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    agent_id        INTEGER NOT NULL REFERENCES agents(id),
    PRIMARY KEY (conversation_id, agent_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX participants_by_agent ON participants(agent_id, conversation_id);

CREATE TABLE items (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    at              TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('message', 'note', 'call_event')),
    author          TEXT,                            -- 'customer' or an agent name
    text            TEXT,
    event           TEXT,
    recording       TEXT
) STRICT;
CREATE INDEX items_by_conversation ON items(conversation_id, at);

-- The audit log: written in the same transaction as the change it records, never edited.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,                       -- JSON list of ids
    details     TEXT NOT NULL                        -- JSON object
) STRICT;
CREATE INDEX audit_by_action ON audit(action, id);
