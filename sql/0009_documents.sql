-- Official documents (公文): point-to-point notices (点对点通报) and monthly
-- bulletins (月通报), numbered the way a registry office numbers them: one
-- series per kind and year; a number once taken is never reused.  A
-- document issued by mistake is voided (作废): it keeps its number and its
-- data, marked void with who, when and why.  Each keeps the exact data it
-- was rendered from, so it prints the same again.  Previews are rendered,
-- never stored or numbered.  Replaces the notice tables of 0004; notices
-- keep their ids.

CREATE TABLE document (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('notice', 'bulletin')),
	year         INTEGER NOT NULL,        -- of the issue date, configured zone
	sequence     INTEGER NOT NULL,        -- 1, 2, … within kind and year
	serial       TEXT NOT NULL,           -- as printed: 武政新通〔2026〕3号
	unit_id      INTEGER REFERENCES unit(id),   -- a notice's addressee
	period       TEXT,                    -- a bulletin's month, YYYY-MM
	state        TEXT NOT NULL DEFAULT 'issued'
	             CHECK (state IN ('issued', 'void')),
	issued_at    INTEGER NOT NULL,
	issued_by    TEXT NOT NULL,
	due_on       TEXT,                    -- reply deadline, YYYY-MM-DD
	data         TEXT NOT NULL,           -- JSON the renderers read
	outbox_id    INTEGER REFERENCES outbox(id),   -- set when sent
	voided_at    INTEGER,
	voided_by    TEXT,
	void_reason  TEXT,
	UNIQUE (kind, year, sequence)
);
-- One issued bulletin a month; a voided one makes room for its successor.
CREATE UNIQUE INDEX document_bulletin_period ON document(period)
	WHERE kind = 'bulletin' AND state = 'issued';
CREATE INDEX document_unit ON document(unit_id, issued_at);
CREATE INDEX document_issued ON document(issued_at);

-- The problems a notice listed.
CREATE TABLE document_problem (
	document_id  INTEGER NOT NULL REFERENCES document(id),
	problem_id   INTEGER NOT NULL REFERENCES problem(id),
	PRIMARY KEY (document_id, problem_id)
);
CREATE INDEX document_problem_problem ON document_problem(problem_id);

INSERT INTO document (id, kind, year, sequence, serial, unit_id, issued_at,
	issued_by, due_on, data, outbox_id)
	SELECT id, kind, year, sequence, serial, unit_id, issued_at, issued_by,
	due_on, data, outbox_id FROM notice;
INSERT INTO document_problem (document_id, problem_id)
	SELECT notice_id, problem_id FROM notice_problem;
DROP TABLE notice_problem;
DROP TABLE notice;
