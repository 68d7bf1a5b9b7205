-- Feed polling: per-account fetch state, the posts seen, and manual
-- observations for accounts that have no feed.

CREATE TABLE feed_state (
	account_id            INTEGER PRIMARY KEY REFERENCES account(id),
	url                   TEXT,             -- URL of the last fetch
	etag                  TEXT,
	last_modified         TEXT,
	next_poll_at          INTEGER NOT NULL DEFAULT 0,
	last_fetch_at         INTEGER,
	last_status           INTEGER,          -- HTTP status, 0 = no response
	last_error            TEXT,
	consecutive_failures  INTEGER NOT NULL DEFAULT 0,
	last_success_at       INTEGER,
	successes             INTEGER NOT NULL DEFAULT 0,
	failing               INTEGER NOT NULL DEFAULT 0,   -- shown to admins
	permanent_redirect    TEXT,             -- recorded, never applied silently
	feed_format           TEXT,
	feed_encoding         TEXT
);
CREATE INDEX feed_state_next ON feed_state(next_poll_at);

CREATE TABLE post (
	id             INTEGER PRIMARY KEY,
	account_id     INTEGER NOT NULL REFERENCES account(id),
	guid_hash      INTEGER NOT NULL,        -- 64-bit FNV-1a of guid
	guid           TEXT NOT NULL,
	title          TEXT,
	link           TEXT,
	summary        TEXT,
	published_at   INTEGER,                 -- NULL: the feed gave no date
	first_seen_at  INTEGER NOT NULL,
	UNIQUE (account_id, guid_hash)
);
CREATE INDEX post_account_published ON post(account_id, published_at);
CREATE INDEX post_first_seen ON post(first_seen_at);

CREATE TABLE observation (
	id           INTEGER PRIMARY KEY,
	account_id   INTEGER NOT NULL REFERENCES account(id),
	at           INTEGER NOT NULL,          -- when the account was seen active
	evidence     TEXT,                      -- URL or note
	actor        TEXT NOT NULL,
	recorded_at  INTEGER NOT NULL
);
CREATE INDEX observation_account ON observation(account_id, at);
