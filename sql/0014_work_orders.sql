-- The units' side of the console: their logins, and the work orders (工单)
-- they answer until 销号.
--
-- Every open problem is a work order for its unit.  The unit replies
-- online (reply: what was done, when, by whom, with a link and/or a file
-- as evidence); an admin reviews the latest reply (review): accepted closes
-- the problem as rectified, returned sends it back with a comment for
-- another reply.  The state of a work order is read from these rows, never
-- stored twice: closed when the problem is closed, else open without a
-- reply, returned when its latest reply was returned, replied while that
-- reply waits for its review.  A notice is answered when each problem it
-- listed has a reply or is closed.  reply and review are written by
-- registry/workorder.c, attachment by registry/attachment.c, user_token by
-- access/invite.c, the new user columns by access/user.c.

-- A unit login's address for its invitation and password resets, and
-- whether it also sees the units under its own (unit.parent_id).
ALTER TABLE user ADD COLUMN email TEXT;
ALTER TABLE user ADD COLUMN subordinates INTEGER NOT NULL DEFAULT 0;

-- One-time links that set a password: an invitation for a new login, a
-- reset for one who forgot it.  Only the SHA-256 of the link's token is
-- kept; a new link for the user revokes the ones before it.
CREATE TABLE user_token (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES user(id),
	purpose      TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
	token_hash   TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the link's token
	created_at   INTEGER NOT NULL,
	created_by   TEXT NOT NULL,          -- the admin, or "web:NAME" for a
	                                     -- reset the user asked for
	expires_at   INTEGER NOT NULL,
	used_at      INTEGER,                -- the password was set with it
	revoked_at   INTEGER                 -- a newer link replaced it
);
CREATE INDEX user_token_user ON user_token(user_id);

-- A file a unit sent as evidence: a PDF, JPEG or PNG whose type was read
-- from its content, kept in the database with the rest of the record.
CREATE TABLE attachment (
	id           INTEGER PRIMARY KEY,
	unit_id      INTEGER NOT NULL REFERENCES unit(id),   -- whose it is
	name         TEXT NOT NULL,          -- the file name, cleaned
	type         TEXT NOT NULL CHECK (type IN
	             ('application/pdf', 'image/jpeg', 'image/png')),
	size         INTEGER NOT NULL,
	data         BLOB NOT NULL,
	uploaded_at  INTEGER NOT NULL,
	uploaded_by  TEXT NOT NULL
);
CREATE INDEX attachment_unit ON attachment(unit_id);

-- A unit's answer to a work order.
CREATE TABLE reply (
	id             INTEGER PRIMARY KEY,
	problem_id     INTEGER NOT NULL REFERENCES problem(id),
	unit_id        INTEGER NOT NULL REFERENCES unit(id),   -- the problem's
	measures       TEXT NOT NULL,        -- what was done (整改措施)
	done_on        TEXT NOT NULL,        -- when, YYYY-MM-DD (完成时间)
	responsible    TEXT NOT NULL,        -- by whom (责任人)
	link           TEXT,                 -- evidence: an http(s) address
	attachment_id  INTEGER REFERENCES attachment(id),     -- evidence: a file
	document_id    INTEGER REFERENCES document(id),       -- the notice it
	                                                      -- answered, if any
	submitted_at   INTEGER NOT NULL,
	submitted_by   TEXT NOT NULL,        -- "web:NAME"
	CHECK (link IS NOT NULL OR attachment_id IS NOT NULL)
);
CREATE INDEX reply_problem ON reply(problem_id, id);
CREATE INDEX reply_unit ON reply(unit_id, submitted_at);

-- An admin's decision on one reply.
CREATE TABLE review (
	id           INTEGER PRIMARY KEY,
	reply_id     INTEGER NOT NULL UNIQUE REFERENCES reply(id),
	problem_id   INTEGER NOT NULL REFERENCES problem(id),
	decision     TEXT NOT NULL CHECK (decision IN ('accepted', 'returned')),
	comment      TEXT,                   -- required when returned
	reviewed_at  INTEGER NOT NULL,
	reviewed_by  TEXT NOT NULL
);
CREATE INDEX review_problem ON review(problem_id, reviewed_at);
