-- How the daemon's recurring jobs went: the last run, the last success and
-- the error that stopped the last failed run, so `mediawatchctl status`,
-- STATUS= and the daily digest can say that a job is failing.
CREATE TABLE health (
	job          TEXT PRIMARY KEY,     -- 'evaluation'
	last_run_at  INTEGER NOT NULL,
	last_ok_at   INTEGER,
	failed_at    INTEGER,              -- the last failed run; NULL after a success
	error        TEXT,                 -- why it failed
	failures     INTEGER NOT NULL DEFAULT 0   -- failed runs in a row
);
