-- The web console's logins (mediawatch-web): people, their sessions and
-- the failed logins that throttle guessing.  user is written by
-- access/user.c; session and login_failure by access/session.c.

-- A person who may log in.  role admin may change the registry, viewer
-- only reads; a unit login (role unit, bound to unit_id and, through
-- unit.parent, its subordinate units) sees only its own units' data.
CREATE TABLE user (
	id                   INTEGER PRIMARY KEY,
	name                 TEXT NOT NULL UNIQUE,  -- login name, audit actor
	display_name         TEXT NOT NULL,
	role                 TEXT NOT NULL
	                     CHECK (role IN ('admin', 'viewer', 'unit')),
	unit_id              INTEGER REFERENCES unit(id),   -- scope of a unit login
	password_hash        TEXT,                  -- argon2id, encoded; NULL: none set
	disabled             INTEGER NOT NULL DEFAULT 0,
	created_at           INTEGER NOT NULL,
	password_changed_at  INTEGER,
	last_login_at        INTEGER,
	CHECK ((role = 'unit') = (unit_id IS NOT NULL))
);

-- A logged-in browser.  The cookie carries a random 256-bit token; only
-- its SHA-256 is kept, so a copy of the database opens no session.
CREATE TABLE session (
	id            INTEGER PRIMARY KEY,
	token_hash    TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the cookie's token
	user_id       INTEGER NOT NULL REFERENCES user(id),
	csrf          TEXT NOT NULL,          -- the token every form carries
	address       TEXT,                   -- client address at login
	created_at    INTEGER NOT NULL,       -- absolute expiry counts from here
	last_seen_at  INTEGER NOT NULL,       -- idle expiry counts from here
	ended_at      INTEGER                 -- logout, expiry, user disabled
);
CREATE INDEX session_user ON session(user_id);

-- Failed logins, kept for the throttling window.
CREATE TABLE login_failure (
	id        INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,
	name      TEXT NOT NULL,              -- as typed (lower-cased)
	address   TEXT NOT NULL
);
CREATE INDEX login_failure_name ON login_failure(name, at);
CREATE INDEX login_failure_address ON login_failure(address, at);

-- The console counts and pages the ledger by status, unit and platform:
-- with this index, counting 100,000 accounts reads the index alone.
CREATE INDEX account_console ON account(status, unit_id, platform);
