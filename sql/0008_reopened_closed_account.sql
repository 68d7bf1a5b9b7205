-- A closed account that publishes again (已注销账号违规私开) is a problem
-- of its own kind, reopened-closed-account, one open per account.
--
-- The kinds are a CHECK constraint on problem, which ALTER TABLE cannot
-- change.  Allowing one more value changes no stored row, so the table's
-- definition is edited in place, the way SQLite documents for loosening a
-- constraint; copying the table would drop the columns other migrations
-- add to it.  RESET makes this connection read the new definition.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
	SET sql = replace(sql, '''wording'', ''manual'')',
	    '''wording'', ''manual'', ''reopened-closed-account'')')
	WHERE type = 'table' AND name = 'problem';
PRAGMA writable_schema = RESET;
-- The migration fails (and rolls back) if the edit found nothing to change.
CREATE TEMP TABLE migration_0008 (edited INTEGER CHECK (edited = 1));
INSERT INTO migration_0008 SELECT count(*) FROM sqlite_master
	WHERE type = 'table' AND name = 'problem'
	AND sql LIKE '%''reopened-closed-account''%';
DROP TABLE migration_0008;

CREATE UNIQUE INDEX problem_open_reopened ON problem(account_id)
	WHERE closed_at IS NULL AND kind = 'reopened-closed-account';
