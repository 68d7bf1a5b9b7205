-- Indexes for a registry of hundreds of thousands of accounts, and what
-- lets the evaluation read every account in one pass.
--
-- An index on problem(closed_at) alone made SQLite look an account's open
-- problems up through all the open problems of every account: each
-- account's lookup scanned thousands of rows, so the evaluation grew with
-- the square of the registry.  Problems are looked up by account (and
-- kind) instead, and the open ones counted and listed by their deadline.
DROP INDEX problem_open;
CREATE INDEX problem_account ON problem(account_id, kind, closed_at);
CREATE INDEX problem_open_due ON problem(due_at) WHERE closed_at IS NULL;

-- The account's last update when it entered its state, as state_change
-- recorded it: a recovery note says how long the account was quiet
-- without looking its history up.
ALTER TABLE account_state ADD COLUMN last_update_at INTEGER;
UPDATE account_state SET last_update_at = (SELECT sc.last_update_at FROM
	state_change sc WHERE sc.account_id = account_state.account_id
	ORDER BY sc.id DESC LIMIT 1);

-- The last update an account had at a time (a bulletin's check time) is
-- the largest value raised by then: with the values in order, the newest
-- is found at once instead of after reading the account's whole history.
DROP INDEX last_update_history_account;
CREATE INDEX last_update_history_account
	ON last_update_history(account_id, last_update_at, recorded_at);

-- What every status display counts, read from small indexes rather than
-- by joining every account: the states, the failing or moved feeds, and
-- the ledger's accounts without a feed or without operator or filing
-- number (the queries repeat these conditions so that SQLite uses them).
CREATE INDEX account_state_state ON account_state(state);
CREATE INDEX feed_state_failing ON feed_state(account_id)
	WHERE failing OR permanent_redirect IS NOT NULL;
CREATE INDEX account_unwatched ON account(status) WHERE feed_url IS NULL;
CREATE INDEX account_incomplete ON account(status)
	WHERE operator IS NULL OR filing_no IS NULL;

-- A bulletin reads each account's state at its check time and its
-- status then from the audit trail: indexes that hold the state and the
-- time answer that without reading the rows.
DROP INDEX state_change_account;
CREATE INDEX state_change_account ON state_change(account_id, at, to_state);
DROP INDEX audit_entity;
CREATE INDEX audit_entity ON audit(entity, entity_id, at);
