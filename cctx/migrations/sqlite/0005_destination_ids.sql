-- A destination's id is its order of addition (the first destination names a person without a first
-- name), so an undo that gives a removed destination back restores it under its old id. AUTOINCREMENT
-- keeps SQLite from handing that id to another destination in the meantime, as PostgreSQL's identity
-- columns never do.
CREATE TABLE destinations_0005 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    value       TEXT NOT NULL,
    UNIQUE (type, value)
) STRICT;
INSERT INTO destinations_0005 (id, person_id, type, value) SELECT id, person_id, type, value FROM destinations;
DROP TABLE destinations;
ALTER TABLE destinations_0005 RENAME TO destinations;
CREATE INDEX destinations_by_person ON destinations(person_id, id);
