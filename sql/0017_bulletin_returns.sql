-- What lets a bulletin find the month's returns without reading the
-- month's state changes.
--
-- A bulletin lists the accounts that were stale or dormant and posted
-- again in the month.  A month of a large registry holds a hundred
-- thousand state changes or more, a few thousand of them returns; an
-- index holding only the returns reads those alone, in time order.  Its
-- WHERE is the bulletin's, word for word: SQLite uses a partial index
-- only for a query whose WHERE says the same.
CREATE INDEX state_change_return ON state_change(at)
	WHERE from_state IN ('stale', 'dormant')
	AND to_state IN ('fresh', 'warning');
