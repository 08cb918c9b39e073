-- `conversation list` without filters reads conversations in order of start: an index gives that order, so a
-- listing of millions starts printing at once instead of after a sort of the whole table.
CREATE INDEX conversations_by_start ON conversations(created_at, id);
