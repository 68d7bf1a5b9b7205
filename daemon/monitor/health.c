/* health.c — the outcome of the daemon's recurring jobs. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "monitor/health.h"
#include "store/db.h"

int
health_record(sqlite3 *db, const char *job, time_t at, const char *error)
{
	return db_run(db, "INSERT INTO health (job, last_run_at, last_ok_at,"
	    " failed_at, error, failures) VALUES (?1, ?2, CASE WHEN ?3 IS NULL"
	    " THEN ?2 END, CASE WHEN ?3 IS NOT NULL THEN ?2 END, ?3, ?3 IS NOT"
	    " NULL) ON CONFLICT (job) DO UPDATE SET last_run_at = ?2,"
	    " last_ok_at = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_ok_at END,"
	    " failed_at = CASE WHEN ?3 IS NULL THEN NULL ELSE ?2 END, error = ?3,"
	    " failures = CASE WHEN ?3 IS NULL THEN 0 ELSE failures + 1 END",
	    "sIs", job, (long long)at, error);
}

int
health_get(sqlite3 *db, const char *job, struct health *h)
{
	sqlite3_stmt *st;
	int rc;

	memset(h, 0, sizeof(*h));
	st = db_prepare(db, "SELECT last_run_at, last_ok_at, failed_at, error,"
	    " failures FROM health WHERE job = ?", "s", job);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h->known = true;
		h->last_run_at = (time_t)sqlite3_column_int64(st, 0);
		h->has_ok = !db_column_is_null(st, 1);
		h->last_ok_at = (time_t)sqlite3_column_int64(st, 1);
		h->failing = !db_column_is_null(st, 2);
		h->failed_at = (time_t)sqlite3_column_int64(st, 2);
		h->error = db_column_strdup(st, 3);
		h->failures = sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

void
health_free(struct health *h)
{
	free(h->error);
	h->error = NULL;
}
