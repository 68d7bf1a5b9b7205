-- The unique index of the open automatic problems (one a condition and
-- account) says its kinds as comparisons joined by OR, as 0021 did for
-- the CHECKs: for every problem inserted SQLite built a table of the
-- list's values to see whether the row belongs to the index, a third of
-- the cost of opening a problem.  The condition holds the same rows.  The
-- queries that read the index say its WHERE word for word (SQLite uses a
-- partial index only then): the evaluation's open problems and the
-- closing of those of inactive accounts.
DROP INDEX problem_open_auto;
CREATE UNIQUE INDEX problem_open_auto ON problem(account_id, kind)
	WHERE closed_at IS NULL
	AND (kind = 'stale' OR kind = 'dormant' OR kind = 'unreachable');
