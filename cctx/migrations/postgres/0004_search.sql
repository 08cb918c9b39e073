-- Full-text search over message and note text (`conversation search`).
-- cctx folds case, accents and special letters itself (cctx/search_fold.py), so that both engines match
-- exactly the same words and no server extension is needed: `folded` holds an item's distinct folded
-- words joined by single spaces, written with the item. The words become lexemes as they are
-- (array_to_tsvector), so the server's text parser and locale cannot split or join them differently;
-- a GIN index over that expression serves the search. The migration's Python step folds the text of items
-- stored before this version (cctx/store/search.py).
ALTER TABLE items ADD COLUMN folded TEXT;
CREATE INDEX items_words ON items USING GIN (array_to_tsvector(string_to_array(folded, ' ')));
