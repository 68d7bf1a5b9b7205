/* session.c — console sessions and failed logins. */
#include <string.h>

#include "access/session.h"
#include "base/util.h"
#include "store/db.h"

int
session_open(sqlite3 *db, long long user_id, const char *address, time_t now,
    char *token, struct session *s)
{
	char hash[TOKEN_HEX];

	memset(s, 0, sizeof(*s));
	if (token_new(token) == -1 || token_new(s->csrf) == -1)
		return -1;
	token_hash(token, hash);
	if (db_run(db, "INSERT INTO session (token_hash, user_id, csrf, address,"
	    " created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)", "sIssII",
	    hash, user_id, s->csrf, address, (long long)now, (long long)now) == -1)
		return -1;
	s->id = sqlite3_last_insert_rowid(db);
	s->user_id = user_id;
	s->created_at = s->last_seen_at = now;
	return 0;
}

/* A session's last use is written at most once a minute: a page with its
 * style sheet and script would otherwise write three times. */
#define TOUCH_EVERY 60

int
session_find(sqlite3 *db, const char *token, time_t now, long long idle,
    long long max, struct session *s)
{
	char hash[TOKEN_HEX];
	sqlite3_stmt *st;
	int rc;

	memset(s, 0, sizeof(*s));
	if (strlen(token) != TOKEN_HEX - 1)
		return 1;
	token_hash(token, hash);
	st = db_prepare(db, "SELECT id, user_id, csrf, created_at, last_seen_at"
	    " FROM session WHERE token_hash = ? AND ended_at IS NULL", "s", hash);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s->id = sqlite3_column_int64(st, 0);
		s->user_id = sqlite3_column_int64(st, 1);
		snprintf(s->csrf, sizeof(s->csrf), "%s", db_column_text(st, 2));
		s->created_at = (time_t)sqlite3_column_int64(st, 3);
		s->last_seen_at = (time_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	if (now - s->last_seen_at >= idle || now - s->created_at >= max) {
		session_close(db, s->id, now);
		return 1;
	}
	if (now - s->last_seen_at >= TOUCH_EVERY && db_run(db, "UPDATE session"
	    " SET last_seen_at = ? WHERE id = ?", "II", (long long)now, s->id) == -1)
		return -1;
	return 0;
}

int
session_close(sqlite3 *db, long long id, time_t now)
{
	return db_run(db, "UPDATE session SET ended_at = ? WHERE id = ? AND"
	    " ended_at IS NULL", "II", (long long)now, id);
}

int
session_close_user(sqlite3 *db, long long user_id, time_t now)
{
	return db_run(db, "UPDATE session SET ended_at = ? WHERE user_id = ? AND"
	    " ended_at IS NULL", "II", (long long)now, user_id);
}

int
login_failures(sqlite3 *db, const char *name, const char *address,
    time_t since, long long *by_name, long long *by_address)
{
	if (db_query_int(db, by_name, "SELECT count(*) FROM login_failure WHERE"
	    " name = ? AND at >= ?", "sI", name, (long long)since) == -1 ||
	    db_query_int(db, by_address, "SELECT count(*) FROM login_failure"
	    " WHERE address = ? AND at >= ?", "sI", address, (long long)since) == -1)
		return -1;
	return 0;
}

int
login_failure_record(sqlite3 *db, const char *name, const char *address,
    time_t now, time_t forget_before)
{
	if (db_run(db, "DELETE FROM login_failure WHERE at < ?", "I",
	    (long long)forget_before) == -1)
		return -1;
	return db_run(db, "INSERT INTO login_failure (at, name, address) VALUES"
	    " (?, ?, ?)", "Iss", (long long)now, name, address);
}
