/* closed.h — closed accounts that publish again (已注销账号违规私开).
 *
 * A closed account whose feed is known stays in the poller's schedule, a
 * week between fetches.  When its last update comes after its closing day
 * (a post dated then, by the rules of post.c), a problem of kind
 * reopened-closed-account opens and the admins are told at once.  An
 * account's activity opens one problem: a later post opens another only
 * after that one was closed. */
#ifndef MW_CLOSED_H
#define MW_CLOSED_H

#include <sqlite3.h>
#include <time.h>

#include "base/template.h"
#include "config/config.h"

#define CLOSED_POLL_INTERVAL (7 * 86400LL)

/* Runs inside the evaluation's transaction, after each poll cycle.
 * Returns the number of problems opened, or -1 (a database error,
 * logged: the caller rolls back). */
int closed_accounts_check(sqlite3 *db, const struct config *cfg, time_t now);

/* The names of the admin-reopened message with invented values, built by
 * the same code as the real ones (for check-config).  Caller frees. */
struct tmpl_vars *closed_sample_vars(const struct config *cfg, time_t now);

#endif
