-- Evaluation: each account's state, the history of state changes, the
-- problem list (问题清单) and the durable email queue.

CREATE TABLE account_state (
	account_id        INTEGER PRIMARY KEY REFERENCES account(id),
	state             TEXT NOT NULL CHECK (state IN
	                  ('fresh', 'warning', 'stale', 'dormant', 'unverified')),
	since             INTEGER NOT NULL,   -- when it entered this state
	notified_at       INTEGER,            -- last alert about this state
	notices_sent      INTEGER NOT NULL DEFAULT 0,
	evaluated_at      INTEGER NOT NULL
);

CREATE TABLE state_change (
	id              INTEGER PRIMARY KEY,
	account_id      INTEGER NOT NULL REFERENCES account(id),
	from_state      TEXT,                 -- NULL for the first evaluation
	to_state        TEXT NOT NULL,
	at              INTEGER NOT NULL,
	last_update_at  INTEGER               -- as known at that moment
);
CREATE INDEX state_change_account ON state_change(account_id, at);
CREATE INDEX state_change_at ON state_change(at);

CREATE TABLE problem (
	id              INTEGER PRIMARY KEY,
	account_id      INTEGER REFERENCES account(id),
	unit_id         INTEGER NOT NULL REFERENCES unit(id),
	kind            TEXT NOT NULL CHECK (kind IN
	                ('stale', 'dormant', 'unreachable', 'wording', 'manual')),
	detail          TEXT NOT NULL,
	evidence        TEXT,                 -- feed URL, post link, observation
	last_update_at  INTEGER,              -- the account's last update when opened
	opened_at       INTEGER NOT NULL,
	opened_by       TEXT NOT NULL,        -- "mediawatchd" or the admin
	due_at          INTEGER,              -- rectification deadline
	closed_at       INTEGER,
	close_reason    TEXT CHECK (close_reason IN ('recovered', 'rectified', 'waived')),
	close_note      TEXT,
	post_id         INTEGER,              -- the post a wording problem is about
	severity        TEXT                  -- wording: 'serious' | 'typo'
);
-- One open automatic problem of a kind per account.
CREATE UNIQUE INDEX problem_open_auto ON problem(account_id, kind)
	WHERE closed_at IS NULL AND kind IN ('stale', 'dormant', 'unreachable');
CREATE INDEX problem_unit ON problem(unit_id, opened_at);
CREATE INDEX problem_open ON problem(closed_at);

CREATE TABLE outbox (
	id               INTEGER PRIMARY KEY,
	dedup_key        TEXT NOT NULL UNIQUE,
	kind             TEXT NOT NULL,       -- alert, recovery, digest, gap, notice, wording
	unit_id          INTEGER REFERENCES unit(id),
	recipients       TEXT NOT NULL,       -- JSON array of To addresses
	cc               TEXT NOT NULL DEFAULT '[]',
	subject          TEXT NOT NULL,
	body_text        TEXT NOT NULL,
	body_html        TEXT,
	message_id       TEXT NOT NULL,
	created_at       INTEGER NOT NULL,
	status           TEXT NOT NULL DEFAULT 'queued'
	                 CHECK (status IN ('queued', 'sent', 'failed')),
	attempts         INTEGER NOT NULL DEFAULT 0,
	next_attempt_at  INTEGER NOT NULL DEFAULT 0,
	leased_until     INTEGER NOT NULL DEFAULT 0,  -- a delivery is under way
	last_error       TEXT,
	sent_at          INTEGER
);
CREATE INDEX outbox_queue ON outbox(status, next_attempt_at);
