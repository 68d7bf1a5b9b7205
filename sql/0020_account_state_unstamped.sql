-- An account's state row was stamped at every evaluation (evaluated_at):
-- each run rewrote the row of every active account, 500,000 rows an hour
-- at 500,000 accounts, for a time nothing read.  Every active account is
-- evaluated at each run, and the time of each run is kept once, in the
-- evaluation's health (table health); the row now changes only with the
-- state or an alert.
ALTER TABLE account_state DROP COLUMN evaluated_at;
