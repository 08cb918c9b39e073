-- On SQLite this version makes destination ids never handed out twice, so that an undo can give a
-- removed destination back under its old id. PostgreSQL's identity columns already never reuse a value;
-- the version exists to keep both engines' series the same.
SELECT 1;
