/* account.h — the ledger (台账) of government new-media accounts: opening,
 * changing, suspending, closing and merging them (开设、变更、关停、注销),
 * manual observations, and the derived last update.
 *
 * Owns tables: account, observation.
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
/* Raises the account's last update to at when that is newer (it never goes
 * back): what a poll does when a feed proves activity.  Not audited — it
 * is an observation, not a registry change.  -1 on a database error. */
int account_raise_last_update(sqlite3 *db, long long id, time_t at);

struct account_filter {
	const char *unit_code;
	const char *platform;
	const char *status;
};

/* The registry record (the audit's before/after). */
json_t *account_record_json(sqlite3 *db, long long id);
/* The record with its monitoring state, as shown by `account show`. */
json_t *account_json(sqlite3 *db, long long id);
json_t *account_list_json(sqlite3 *db, const struct account_filter *filter);

#endif
