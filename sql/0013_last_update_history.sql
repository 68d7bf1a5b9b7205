-- Every raise of an account's last update, with the time it was made, so
-- that a past month's bulletin reads the last update the monitor had
-- decided by its check time — the rules of "How the last update is
-- decided" as applied then — rather than one rebuilt from the posts.
-- Written by registry/account.c together with account.last_update_at.

CREATE TABLE last_update_history (
	id              INTEGER PRIMARY KEY,
	account_id      INTEGER NOT NULL REFERENCES account(id),
	last_update_at  INTEGER NOT NULL,    -- the value it was raised to
	recorded_at     INTEGER NOT NULL     -- the fetch, or the observation's
	                                     -- recording, that raised it
);
CREATE INDEX last_update_history_account
	ON last_update_history(account_id, recorded_at);

-- What is known of the time before this table: the values the monitor
-- stated (state changes, the reason of the current value), the manual
-- observations, and the posts as the rules read them — dated entries at
-- their date (never after they were seen), undated ones at their first
-- sight unless that was the account's first fetch; entries dated by a
-- modification date are left out (RSSHub's render time).  None goes past
-- the account's stored last update, which the monitor decided.
INSERT INTO last_update_history (account_id, last_update_at, recorded_at)
SELECT account_id, x, seen FROM (
	SELECT account_id, last_update_at AS x, at AS seen FROM state_change
	WHERE last_update_at IS NOT NULL
	UNION SELECT account_id, at, seen_at FROM last_update_reason
	UNION SELECT account_id, at, recorded_at FROM observation
	UNION SELECT p.account_id, min(p.published_at, p.first_seen_at),
		p.first_seen_at FROM post p
	WHERE p.published_at IS NOT NULL AND p.modified_at IS NULL
	UNION SELECT p.account_id, p.first_seen_at, p.first_seen_at FROM post p
	WHERE p.published_at IS NULL AND p.first_seen_at > (SELECT
		min(q.first_seen_at) FROM post q WHERE q.account_id = p.account_id)
) JOIN account a ON a.id = account_id
WHERE x <= a.last_update_at
ORDER BY seen, x;
