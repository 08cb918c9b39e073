-- Full-text search over message and note text (`conversation search`).
-- cctx folds case, accents and special letters itself (cctx/search_fold.py), so that both engines match
-- exactly the same words: `folded` holds an item's distinct folded words joined by single spaces, written
-- with the item. The FTS5 index over it (items_fts, external content: the words are not stored twice) and
-- the triggers that keep it in step with every insert, update and delete of items (import, merge, undo,
-- purge, erasure) are set up by the migration's Python step with sqlite-utils (cctx/store/search.py),
-- which also folds the text of items stored before this version.
ALTER TABLE items ADD COLUMN folded TEXT;
