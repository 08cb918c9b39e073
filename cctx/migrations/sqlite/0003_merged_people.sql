-- People merged away by `customer merge`. The source person is removed; its id is remembered here so
-- that any command given it acts on the person it was merged into. into_id is a plain integer, not a
-- foreign key: it may itself be merged later, and a chain resolves to its last target.
-- The Python step of this version (cctx/store/profiles.py) re-normalises stored phone
-- destinations and phone-channel contacts as libphonenumber reads them.
CREATE TABLE merged_people (
    id          INTEGER PRIMARY KEY,                 -- the id of the removed person
    into_id     INTEGER NOT NULL,                    -- the person it was merged into
    merged_at   TEXT NOT NULL
) STRICT;
CREATE INDEX merged_people_by_into ON merged_people(into_id);
