-- The engine log keeps each command record only: a command's events follow
-- from the record (a replay recomputes them), and writing them as JSON was the
-- largest part of every projection transaction.
ALTER TABLE engine_log DROP COLUMN events;
