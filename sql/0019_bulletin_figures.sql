-- A past month's costly figures per account, kept once the month is over
-- (paperwork/bulletin_figures.h): its bulletin then reads one row an
-- account instead of searching two histories for each.
CREATE TABLE bulletin_month (
	month       TEXT PRIMARY KEY,       -- YYYY-MM
	from_at     INTEGER NOT NULL,       -- the watched time: first second
	check_at    INTEGER NOT NULL,       -- and the check time
	last_post   INTEGER NOT NULL,       -- the newest post counted then
	kept_at     INTEGER NOT NULL
);

CREATE TABLE bulletin_figures (
	month           TEXT NOT NULL REFERENCES bulletin_month(month),
	account_id      INTEGER NOT NULL REFERENCES account(id),
	state           TEXT,               -- at the check time; NULL: not
	                                    -- evaluated by then
	last_update_at  INTEGER,            -- at the check time; NULL: never
	posts           INTEGER NOT NULL,   -- dated in the watched time,
	                                    -- up to last_post
	PRIMARY KEY (month, account_id)
) WITHOUT ROWID;
