/* feed_state.c — the per-account fetch state. */
#include "poll/feed_state.h"
#include "store/db.h"

int
feed_state_make_due(sqlite3 *db, long long account_id)
{
	return db_run(db, "INSERT INTO feed_state (account_id, next_poll_at)"
	    " SELECT id, 0 FROM account WHERE status = 'active' AND (?1 = 0 OR"
	    " id = ?1) ON CONFLICT (account_id) DO UPDATE SET next_poll_at = 0",
	    "I", account_id);
}

int
feed_state_lease(sqlite3 *db, long long account_id, time_t until)
{
	return db_run(db, "INSERT INTO feed_state (account_id, next_poll_at)"
	    " VALUES (?1, ?2) ON CONFLICT (account_id) DO UPDATE SET"
	    " next_poll_at = ?2", "II", account_id, (long long)until);
}

int
feed_state_release(sqlite3 *db, long long account_id, time_t due_at)
{
	return db_run(db, "UPDATE feed_state SET next_poll_at = min(?,"
	    " next_poll_at) WHERE account_id = ?", "II", (long long)due_at,
	    account_id);
}

int
feed_state_record_success(sqlite3 *db, long long account_id,
    const struct fetch_outcome *o, time_t now)
{
	return db_run(db, "UPDATE feed_state SET url = ?, etag = coalesce(?, etag),"
	    " last_modified = coalesce(?, last_modified), next_poll_at = CASE"
	    " next_poll_at WHEN 0 THEN 0 ELSE ? END,"
	    " last_fetch_at = ?, last_status = ?, last_error = NULL,"
	    " consecutive_failures = 0, failing = 0, last_success_at = ?,"
	    " successes = successes + 1, feed_format = coalesce(?, feed_format),"
	    " feed_encoding = coalesce(?, feed_encoding), permanent_redirect = ?"
	    " WHERE account_id = ?",
	    "sssIIIIsssI", o->url, o->etag, o->last_modified,
	    (long long)o->next_poll_at, (long long)now, (long long)o->http_status,
	    (long long)now, o->format, o->encoding, o->permanent_redirect,
	    account_id);
}

int
feed_state_record_failure(sqlite3 *db, long long account_id,
    const struct fetch_outcome *o, time_t now)
{
	return db_run(db, "UPDATE feed_state SET url = ?, next_poll_at = CASE"
	    " next_poll_at WHEN 0 THEN 0 ELSE ? END,"
	    " last_fetch_at = ?, last_status = ?, last_error = ?,"
	    " permanent_redirect = ? WHERE account_id = ?", "sIIIssI", o->url,
	    (long long)o->next_poll_at, (long long)now,
	    (long long)o->http_status, o->error, o->permanent_redirect,
	    account_id);
}

int
feed_state_count_failure(sqlite3 *db, long long account_id, bool permanent,
    long threshold)
{
	return db_run(db, "UPDATE feed_state SET consecutive_failures ="
	    " consecutive_failures + 1, failing = CASE WHEN ? OR"
	    " consecutive_failures + 1 >= ? THEN 1 ELSE failing END"
	    " WHERE account_id = ?", "III", permanent ? 1LL : 0LL,
	    (long long)threshold, account_id);
}

int
feed_state_space_closed(sqlite3 *db, long long interval)
{
	return db_run(db, "UPDATE feed_state SET next_poll_at = last_fetch_at + ?1"
	    " WHERE next_poll_at != 0 AND last_fetch_at IS NOT NULL AND"
	    " next_poll_at < last_fetch_at + ?1 AND account_id IN (SELECT id FROM"
	    " account WHERE status = 'closed')", "I", interval);
}

char *
feed_state_redirect(sqlite3 *db, long long account_id)
{
	char *old = NULL;

	db_query_text(db, &old, "SELECT permanent_redirect FROM feed_state"
	    " WHERE account_id = ?", "I", account_id);
	return old;
}
