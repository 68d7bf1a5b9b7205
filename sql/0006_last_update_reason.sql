-- Why each account's last update is what it is, so an admin can answer a
-- unit that disputes a notice: the entry (or manual observation) and the
-- rule that last raised account.last_update_at.  Written together with it,
-- by registry/account.c.  The entry is copied: posts expire.

CREATE TABLE last_update_reason (
	account_id  INTEGER PRIMARY KEY REFERENCES account(id),
	at          INTEGER NOT NULL,   -- the last update it explains
	rule        TEXT NOT NULL,      -- published, modified-unchanged,
	                                -- modified-new-entry, first-seen, observation
	clamped     INTEGER NOT NULL DEFAULT 0,  -- a future date: the fetch time
	post_id     INTEGER,            -- the post, until it expires
	guid        TEXT,               -- the entry's identity
	title       TEXT,
	link        TEXT,               -- or the observation's evidence
	date_raw    TEXT,               -- the date as the feed wrote it
	seen_at     INTEGER NOT NULL    -- the fetch, or the observation's recording
);

-- The modification date an entry carried at its latest fetch, when that was
-- its date: a modification date counts only once two fetches agree on it
-- (RSSHub writes the render time for undated entries).  Written by
-- poll/post.c.
ALTER TABLE post ADD COLUMN modified_at INTEGER;
