/* problem.h — the problem list (问题清单): every problem followed until it
 * is closed (销号).  Automatic problems (stale, dormant, unreachable,
 * wording) are opened by the evaluation; admins add manual ones, close any
 * with a reason, and reopen.  Admin changes are audited. */
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

json_t *problem_json(sqlite3 *db, long long id, time_t now);
json_t *problem_list_json(sqlite3 *db, const struct problem_filter *f);

#endif
