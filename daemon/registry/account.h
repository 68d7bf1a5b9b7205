/* account.h — the ledger (台账) of government new-media accounts: opening,
 * changing, suspending, closing and merging them (开设、变更、关停、注销),
 * manual observations, and the derived last update.
 *
 * Owns tables: account, observation, last_update_reason, last_update_history.
 *
 * Every function runs inside the caller's transaction (db_begin … commit),
 * so an import of many rows is all-or-nothing.  Every change writes an audit
 * row.  On refusal a function returns -1 and sets *error to a malloc'd
 * sentence starting with the field it concerns ("platform_uid: …"); the
 * caller frees it and decides where to print it. */
#ifndef MW_ACCOUNT_H
#define MW_ACCOUNT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#include "config/config.h"

/* Field names are the import/export column names. */
struct account_fields {
	const char *unit_code;
	const char *platform;
	const char *name;
	const char *platform_uid;
	const char *feed_url;
	const char *operator_name;
	const char *filing_no;
	const char *opened_on;         /* not in the future */
	const char *notes;
	const char *warn_after;        /* duration overrides; "" clears */
	const char *stale_after;
	const char *dormant_after;
};

enum account_transition { ACCOUNT_SUSPEND, ACCOUNT_RESUME, ACCOUNT_CLOSE };

/* reason (may be NULL) goes into the audit row, as for every change. */
int account_open(sqlite3 *db, const struct config *cfg,
        const struct account_fields *f, const char *reason, long long *id,
        char **error);
/* Fields left NULL stay; "" clears an optional field. */
int account_change(sqlite3 *db, const struct config *cfg, long long id,
        const struct account_fields *f, const char *reason, char **error);
/* on: the closing date (YYYY-MM-DD, not in the future nor before the
 * opening); NULL is today.  Only ACCOUNT_CLOSE takes one. */
int account_transition(sqlite3 *db, long long id, enum account_transition t,
        const char *on, const char *reason, char **error);
/* Both accounts' histories record the merge. */
int account_merge(sqlite3 *db, long long id, long long into,
        const char *reason, char **error);
/* Records a manual observation of activity (accounts without a feed). */
int account_touch(sqlite3 *db, long long id, time_t at, const char *evidence,
        char **error);
/* What proved a last update, kept beside it (last_update_reason) so that
 * `account show` can say which entry and which rule decided it.  The
 * strings are borrowed. */
struct last_update_reason {
	const char *rule;          /* "published", "modified-unchanged",
	                            * "modified-new-entry", "first-seen",
	                            * "observation" (see poll/post.h) */
	bool        clamped;       /* a future date, taken as the fetch time */
	long long   post_id;       /* 0: none */
	const char *guid;          /* the entry's identity, or NULL */
	const char *title;
	const char *link;          /* or the observation's evidence */
	const char *date_raw;      /* the date as the feed wrote it */
	time_t      seen_at;       /* the fetch, or when the observation was
	                            * recorded */
};

/* Raises the account's last update to at when that is newer (it never goes
 * back), and records why: what a poll does when a feed proves activity.
 * Each raise is also kept in the history (last_update_history) with its
 * time, why->seen_at.  Not audited — it is an observation, not a registry
 * change.  -1 on a database error. */
int account_raise_last_update(sqlite3 *db, long long id, time_t at,
        const struct last_update_reason *why);
/* The last update the monitor had decided at the time t: the newest value
 * raised at or before t.  false when there was none then (never updated,
 * or not yet seen to be). */
bool account_last_update_at(sqlite3 *db, long long id, time_t t,
         time_t *out);
/* The accounts' ids lie from *lo to below *hi, for a walk cut in parts
 * of them; -1 on a database error. */
int account_id_range(sqlite3 *db, long long *lo, long long *hi);
/* Whether the registry holds more than n accounts (open_only: active or
 * suspended ones), without counting past n + 1; -1 on a database
 * error. */
int account_count_over(sqlite3 *db, long long n, bool open_only,
        bool *over);
/* The same as an SQL expression, for a query that reads many accounts:
 * the account ID (an SQL expression, such as a column) at the time T (an
 * SQL expression, such as a bound parameter); NULL when there was none.
 * The history's index holds each account's values in order, so the
 * newest one raised by T is found without reading the others (a value
 * the history backfilled from before it was kept may have been recorded
 * after a larger one). */
#define ACCOUNT_LAST_UPDATE_AT(ID, T) \
	"(SELECT h.last_update_at FROM last_update_history h WHERE" \
	" h.account_id = " ID " AND h.recorded_at <= " T " ORDER BY" \
	" h.last_update_at DESC LIMIT 1)"

struct account_filter {
	const char *unit_code;
	const char *platform;
	const char *status;
};

/* The registry record (the audit's before/after). */
json_t *account_record_json(sqlite3 *db, long long id);
/* The record with its monitoring state, as shown by `account show`; its
 * "last_update_reason" is an object with the reason's columns, or null when
 * none was recorded. */
json_t *account_json(sqlite3 *db, long long id);
json_t *account_list_json(sqlite3 *db, const struct account_filter *filter);

#endif
