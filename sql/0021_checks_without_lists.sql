-- The CHECK constraints of the two tables each evaluation writes most,
-- the states and the problems, said as comparisons joined by OR instead
-- of an IN list.  Both allow exactly the same values (NULL included, as
-- before); but SQLite built a table of the list's values for every row it
-- checked, nearly half the cost of inserting a state.  As in 0008, no
-- stored row changes, so the definitions are edited in place; RESET makes
-- this connection read the new ones.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
	SET sql = replace(replace(sql, 'CHECK (state IN', 'CHECK ('),
	    '(''fresh'', ''warning'', ''stale'', ''dormant'', ''unverified''))',
	    'state = ''fresh'' OR state = ''warning'' OR state = ''stale'' OR'
	    || ' state = ''dormant'' OR state = ''unverified'')')
	WHERE type = 'table' AND name = 'account_state';
UPDATE sqlite_master
	SET sql = replace(replace(replace(sql, 'CHECK (kind IN', 'CHECK ('),
	    '(''stale'', ''dormant'', ''unreachable'', ''wording'', ''manual'','
	    || ' ''reopened-closed-account''))',
	    'kind = ''stale'' OR kind = ''dormant'' OR kind = ''unreachable'' OR'
	    || ' kind = ''wording'' OR kind = ''manual'' OR'
	    || ' kind = ''reopened-closed-account'')'),
	    'CHECK (close_reason IN (''recovered'', ''rectified'', ''waived''))',
	    'CHECK (close_reason = ''recovered'' OR close_reason = ''rectified'''
	    || ' OR close_reason = ''waived'')')
	WHERE type = 'table' AND name = 'problem';
PRAGMA writable_schema = RESET;
-- The migration fails (and rolls back) unless both tables were edited
-- and no list is left in them.
CREATE TEMP TABLE migration_0021 (edited INTEGER CHECK (edited = 2));
INSERT INTO migration_0021 SELECT count(*) FROM sqlite_master
	WHERE type = 'table' AND instr(sql, ' IN (') = 0
	AND instr(sql, ' IN' || char(10)) = 0
	AND ((name = 'account_state'
	      AND instr(sql, 'OR state = ''unverified'')') > 0)
	  OR (name = 'problem'
	      AND instr(sql, 'OR kind = ''reopened-closed-account'')') > 0
	      AND instr(sql, 'OR close_reason = ''waived'')') > 0));
DROP TABLE migration_0021;
