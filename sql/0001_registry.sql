-- The account registry: responsible units, their accounts, and the audit
-- trail of every change.  Times are UTC Unix seconds; calendar dates
-- (opened_on, closed_on) are ISO YYYY-MM-DD in the configured zone.

CREATE TABLE unit (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL,
	name        TEXT NOT NULL,
	parent_id   INTEGER REFERENCES unit(id),
	contact     TEXT,
	emails      TEXT NOT NULL DEFAULT '[]',   -- JSON array of addresses
	phone       TEXT,
	created_at  INTEGER NOT NULL,
	removed_at  INTEGER                       -- removed units keep their history
);
-- A code names one current unit; a removed unit's code may be reused.
CREATE UNIQUE INDEX unit_code_current ON unit(code) WHERE removed_at IS NULL;

CREATE TABLE account (
	id              INTEGER PRIMARY KEY,
	unit_id         INTEGER NOT NULL REFERENCES unit(id),
	platform        TEXT NOT NULL,
	name            TEXT NOT NULL,
	platform_uid    TEXT,
	feed_url        TEXT,             -- NULL: manual observation (or template)
	status          TEXT NOT NULL DEFAULT 'active'
	                CHECK (status IN ('active', 'suspended', 'closed', 'merged')),
	merged_into     INTEGER REFERENCES account(id),
	opened_on       TEXT,
	closed_on       TEXT,
	operator        TEXT,             -- 运维人员
	filing_no       TEXT,             -- 备案号
	warn_after      INTEGER,          -- per-account threshold overrides (s)
	stale_after     INTEGER,
	dormant_after   INTEGER,
	notes           TEXT,
	created_at      INTEGER NOT NULL,
	last_update_at  INTEGER           -- newest activity, see DESIGN.md
);
-- One open account per platform identity (国办发〔2018〕123号).
CREATE UNIQUE INDEX account_open_identity ON account(platform, platform_uid)
	WHERE status IN ('active', 'suspended') AND platform_uid IS NOT NULL;
CREATE INDEX account_unit ON account(unit_id);

CREATE TABLE audit (
	id          INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	action      TEXT NOT NULL,        -- "account.open", "unit.change", …
	entity      TEXT NOT NULL,        -- "account" | "unit"
	entity_id   INTEGER NOT NULL,
	before      TEXT,                 -- JSON, NULL for a creation
	after       TEXT,                 -- JSON, NULL for a removal
	reason      TEXT
);
CREATE INDEX audit_entity ON audit(entity, entity_id);
