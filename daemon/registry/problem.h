/* problem.h — the problem list (问题清单): every problem followed until it
 * is closed (销号).  Automatic problems (stale, dormant, unreachable,
 * wording) are opened and closed by the monitor through the problem_auto_*
 * and problem_wording_* functions; admins add manual ones, close any with a
 * reason, and reopen.  Admin changes are audited; the monitor's are
 * recorded by its own state history.
 *
 * Owns table: problem. */
#ifndef MW_PROBLEM_H
#define MW_PROBLEM_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

struct problem_new {
	long long   account_id;      /* 0: about the unit as a whole */
	const char *unit_code;       /* required when account_id is 0 */
	const char *kind;            /* "manual" (default) or "wording" */
	const char *detail;
	const char *evidence;
	const char *due;             /* YYYY-MM-DD, or NULL for the default */
};

struct problem_filter {
	const char *unit_code;
	const char *kind;
	const char *state;           /* "open" (default), "closed", "all" */
	long long   account_id;
	bool        overdue;
	time_t      now;
};

/* Each returns -1 with *error (caller frees) on refusal; run inside the
 * caller's transaction. */
int problem_add(sqlite3 *db, const struct problem_new *p, long long default_due,
        long long *id, char **error);
int problem_close(sqlite3 *db, long long id, const char *reason,
        const char *note, char **error);
int problem_reopen(sqlite3 *db, long long id, const char *note, char **error);

/* ---- the monitor's problems (no audit row; inside its transaction) ---- */

/* An automatic problem about one account: kind stale, dormant,
 * unreachable or reopened-closed-account (one open per account and kind),
 * or wording. */
struct problem_auto {
	long long   account_id;
	long long   unit_id;
	const char *kind;
	const char *detail;
	const char *evidence;
	bool        has_last_update;
	time_t      last_update;     /* the account's, when opened */
	time_t      due;             /* rectification deadline */
	long long   post_id;         /* wording: the post, else 0 */
	const char *severity;        /* wording: serious | typo, else NULL */
	const char *opened_by;       /* NULL: "mediawatchd" */
};

/* Opens p unless a problem of its kind is open for the account (stale,
 * dormant, unreachable).  Returns 1 when opened (*id set), 0 when one was
 * open already (*id and *due, when given, are that one's), -1 on a
 * database error (logged). */
int problem_auto_open(sqlite3 *db, const struct problem_auto *p, time_t now,
        long long *id, time_t *due);
/* Closes the account's open problems of the kinds listed (a NULL-
 * terminated array) with reason and note.  Returns how many closed, or -1. */
int problem_auto_close(sqlite3 *db, long long account_id,
        const char *const *kinds, const char *reason, const char *note,
        time_t now);
/* Closes one open problem (a wording problem whose wrong form is gone) as
 * rectified.  Returns 1 when closed, 0 when it was not open, -1. */
int problem_auto_rectified(sqlite3 *db, long long id, const char *note,
        time_t now);
/* A closed account published after its closing day (已注销账号违规私开):
 * opens its problem of kind reopened-closed-account unless one is open.
 * last_update is the activity found; detail and evidence describe it.
 * Returns 1 when opened (*id set), 0 when one was open, -1 on a database
 * error.  Admins close it like any other. */
int problem_reopened_open(sqlite3 *db, long long account_id, long long unit_id,
        const char *evidence, time_t last_update, time_t due, time_t now,
        long long *id);
/* Accounts that stopped being active keep no automatic problem open: they
 * close as waived (a reopened closed account's problem stays).  Returns
 * how many closed, or -1. */
int problem_auto_close_inactive(sqlite3 *db, time_t now);

json_t *problem_json(sqlite3 *db, long long id, time_t now);
json_t *problem_list_json(sqlite3 *db, const struct problem_filter *f);

#endif
