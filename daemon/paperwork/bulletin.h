/* bulletin.h — the monthly bulletin (月通报), computed from history.
 *
 * A bulletin covers only watched time: monitoring began at the first
 * evaluation that judged an account (its first state change), so a month
 * that ended before it has no bulletin, and a month it began in is
 * covered from that day, as the bulletin says.  The check time of a past
 * month is its last second; of the current month, now.  Only rows dated
 * at or before the check time are read (and the audit trail, which never
 * changes), so a past month's bulletin is the same whenever it is made.
 *
 * Each active account counts once, at its worst: 合格, 不合格 (with its
 * reasons), or, when monitoring could not see it at the check time
 * (never evaluated yet, or unverified: no recent successful fetch or
 * observation), a monitoring gap (监测缺口) listed apart with the reason and
 * left out of the pass rate.  Units are listed in the configured order
 * (document.unit_order) and ranked by pass rate (排名), ties broken by
 * fewer unqualified accounts, then by how the unit answered its work
 * orders and notices (bulletin_orders.h): fewer left unanswered past
 * their deadline, fewer late replies, fewer replies returned.  Feed failures
 * (unreachable) are the monitoring's own problem and are left out of the
 * problem lists.
 *
 * A preview is built any time and stored nowhere; a month's bulletin is
 * issued once, when the month is over, and takes the next number of its
 * year (document.h).  Once a month is over, the daemon keeps its costly
 * per-account figures (bulletin_figures.h), which every later bulletin of
 * that month reads instead of the histories. */
#ifndef MW_BULLETIN_H
#define MW_BULLETIN_H

#include <jansson.h>
#include <sqlite3.h>
#include <time.h>

#include "config/config.h"
#include "paperwork/paperwork.h"

/* The bulletin's data for month m (render with render_bulletin()),
 * without a number; NULL with *error (caller frees) for a month that has
 * not started or was not watched.  Caller owns the result. */
json_t *bulletin_build(sqlite3 *db, const struct config *cfg,
            const struct month *m, time_t now, char **error);
/* The same, every account's row in "accounts" only when every is set or
 * the accounts are few (LIST_ALL_ACCOUNTS); else "accounts" is left out
 * and the documents, which then list only the accounts to act on, are
 * made from what remains.  The JSON and the CSV want every account. */
json_t *bulletin_build_listing(sqlite3 *db, const struct config *cfg,
            const struct month *m, time_t now, bool every, char **error);

/* Issues the bulletin of month m inside the caller's transaction.
 * Refuses (-1, *error) a month that is not over, one already issued (and
 * not voided), and what bulletin_build() refuses. */
int  bulletin_issue(sqlite3 *db, const struct config *cfg,
         const struct month *m, time_t now, long long *id, char **error);

/* Keeps the figures of last month, once it is over and if it was
 * watched, unless they are kept already (bulletin_figures.h); *accounts
 * gets the rows kept now.  -1 on a database error (logged). */
int  bulletin_keep_last_month(sqlite3 *db, time_t now, long long *accounts);

/* When monitoring began (the first evaluation); false when it has not. */
bool monitoring_began(sqlite3 *db, time_t *at);

#endif
