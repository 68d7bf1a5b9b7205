-- One problem per account and condition, and a history that is never
-- rewritten.  An account that is not updated has one open problem for it:
-- stale at first, escalated in place to dormant (the escalation is an
-- event of the problem).  Reopening a closed problem opens a new one that
-- names it (reopened_from), so a closed problem stays closed as a month's
-- bulletin saw it.  Written by registry/problem.c.

CREATE TABLE problem_event (
	id             INTEGER PRIMARY KEY,
	problem_id     INTEGER NOT NULL REFERENCES problem(id),
	at             INTEGER NOT NULL,
	actor          TEXT NOT NULL,        -- "mediawatchd" or the admin
	action         TEXT NOT NULL CHECK (action IN ('escalated', 'reopened')),
	from_kind      TEXT,                 -- escalated: the kind before
	to_kind        TEXT,                 -- escalated: the kind after
	detail_before  TEXT,                 -- escalated: the detail before
	other_id       INTEGER REFERENCES problem(id),   -- reopened: the new problem
	note           TEXT
);
CREATE INDEX problem_event_problem ON problem_event(problem_id, action);

ALTER TABLE problem ADD COLUMN reopened_from INTEGER REFERENCES problem(id);

-- Accounts evaluated before this change may carry an open stale and an
-- open dormant problem at once.  The stale one (the older, the one
-- notices listed) is escalated as of the dormant one's opening; the
-- dormant duplicate is closed at its own opening, as merged into it.
INSERT INTO problem_event (problem_id, at, actor, action, from_kind,
	to_kind, detail_before, note)
SELECT s.id, d.opened_at, 'mediawatchd', 'escalated', 'stale', 'dormant',
	s.detail, '合并同一账号的长期未更新问题 #' || d.id
FROM problem s JOIN problem d ON d.account_id = s.account_id
WHERE s.kind = 'stale' AND d.kind = 'dormant'
	AND s.closed_at IS NULL AND d.closed_at IS NULL;

UPDATE problem SET closed_at = opened_at, close_reason = 'waived',
	close_note = '已并入同一账号的问题 #' || (SELECT s.id FROM problem s
		WHERE s.account_id = problem.account_id AND s.kind = 'stale'
		AND s.closed_at IS NULL)
WHERE kind = 'dormant' AND closed_at IS NULL AND EXISTS (SELECT 1 FROM
	problem s WHERE s.account_id = problem.account_id AND s.kind = 'stale'
	AND s.closed_at IS NULL);

UPDATE problem SET kind = 'dormant', detail = '长期未更新'
WHERE kind = 'stale' AND closed_at IS NULL AND id IN (SELECT problem_id
	FROM problem_event WHERE action = 'escalated');

-- One open problem per account for not being updated, stale or dormant.
CREATE UNIQUE INDEX problem_open_quiet ON problem(account_id)
	WHERE closed_at IS NULL AND kind IN ('stale', 'dormant');
