/* bulletin_figures.c — a past month's figures per account, kept. */
#include "paperwork/bulletin_figures.h"
#include "store/db.h"

static const char keep_query[] =
	"INSERT INTO bulletin_figures (month, account_id, state,"
	" last_update_at, posts) SELECT ?3, a.id, " FIGURE_STATE ", "
	FIGURE_LAST_UPDATE ", " FIGURE_POSTS " FROM account a NOT INDEXED"
	" LEFT JOIN account_state s ON s.account_id = a.id"
	" WHERE a.created_at <= ?1";

static int
keep(sqlite3 *db, const struct period *p, const char *month, time_t now,
    long long *accounts)
{
	if (db_run(db, "INSERT INTO bulletin_month (month, from_at, check_at,"
	    " last_post, kept_at) VALUES (?, ?, ?, (SELECT coalesce(max(id), 0)"
	    " FROM post), ?)", "sIII", month, (long long)p->from,
	    (long long)p->check, (long long)now) == -1 ||
	    db_run(db, keep_query, "IIs", (long long)p->check,
	    (long long)p->from, month) == -1)
		return -1;
	*accounts = sqlite3_changes(db);
	return 0;
}

int
bulletin_figures_keep(sqlite3 *db, const struct period *p, const char *month,
    time_t now, long long *accounts)
{
	long long kept = 0;

	*accounts = 0;
	if (db_query_int(db, &kept, "SELECT count(*) FROM bulletin_month WHERE"
	    " month = ?", "s", month) == -1)
		return -1;
	if (kept)
		return 0;
	if (db_begin(db) == -1)
		return -1;
	if (keep(db, p, month, now, accounts) == -1 || db_commit(db) == -1) {
		db_rollback(db);
		*accounts = 0;
		return -1;
	}
	return 0;
}

bool
bulletin_figures_kept(sqlite3 *db, const struct period *p, const char *month,
    long long *last_post)
{
	/* figures kept for another watched time (none should be) are not
	 * these */
	return db_query_int(db, last_post, "SELECT last_post FROM bulletin_month"
	    " WHERE month = ? AND from_at = ? AND check_at = ?", "sII", month,
	    (long long)p->from, (long long)p->check) == 0;
}
