-- Where SQLite's FTS5 has no secure-delete (before 3.44), deleted words stay in the full-text index pages
-- until its segments are merged. A purge used to merge the whole index in its last batch's transaction
-- (2.5 s on a million conversations, while every other writer waited); it now merges it after its batches,
-- in short steps of its own (services/purge.py). Only an erasure, one transaction by contract, still
-- merges it at once: the Python step of this migration gives the trigger back for erasures only.
DROP TRIGGER IF EXISTS items_fts_forget;
