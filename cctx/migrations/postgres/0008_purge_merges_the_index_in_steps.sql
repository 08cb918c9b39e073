-- Nothing to change on PostgreSQL: its GIN index drops a deleted row's words with the row. (On SQLite this
-- migration moves the full-text index's merge out of a purge's last batch.) The series keeps the same
-- version numbers on both engines.
SELECT 1;
