-- Notices (点对点通报): each issued notice keeps the exact data it was
-- rendered from, so it can be printed again byte for byte, and the
-- problems it listed.  Monthly bulletins are not stored: they are computed
-- from history and numbered by their month.

CREATE TABLE notice (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL DEFAULT 'notice'
	            CHECK (kind IN ('notice')),
	year        INTEGER NOT NULL,         -- of the issue date, configured zone
	sequence    INTEGER NOT NULL,         -- 1, 2, … within kind and year
	serial      TEXT NOT NULL,            -- as printed: 〔2026〕第3期
	unit_id     INTEGER REFERENCES unit(id),
	issued_at   INTEGER NOT NULL,
	issued_by   TEXT NOT NULL,
	due_on      TEXT,                     -- reply deadline, YYYY-MM-DD
	data        TEXT NOT NULL,            -- JSON the renderers read
	outbox_id   INTEGER REFERENCES outbox(id),   -- set when sent
	UNIQUE (kind, year, sequence)
);
CREATE INDEX notice_unit ON notice(unit_id, issued_at);
CREATE INDEX notice_issued ON notice(issued_at);

CREATE TABLE notice_problem (
	notice_id   INTEGER NOT NULL REFERENCES notice(id),
	problem_id  INTEGER NOT NULL REFERENCES problem(id),
	PRIMARY KEY (notice_id, problem_id)
);
CREATE INDEX notice_problem_problem ON notice_problem(problem_id);
