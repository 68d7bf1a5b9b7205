-- What lets a bulletin of a registry of hundreds of thousands of accounts
-- be made in a moment.
--
-- A bulletin counts each account's posts in the month: the dated ones
-- from post_account_published, the undated ones by when they were first
-- seen.  Undated posts are few; an index holding only them lets the
-- bulletin count them for every account in one read, rather than look
-- them up account by account.
CREATE INDEX post_undated ON post(first_seen_at, account_id)
	WHERE published_at IS NULL;
