/* notice.h — point-to-point notices (点对点通报) to a responsible unit.
 *
 * A notice lists the unit's open problems at the check time (each account
 * once per condition: a stale account that is also dormant shows as
 * dormant), gives a rectification deadline in working days and the reply
 * it requires, and is written as a 公文: title, 主送 (the unit), body,
 * the problem list as its attachment (附件), signature and date.  Feed
 * failures (unreachable) are our monitoring's problem, not the unit's, and
 * are not listed.
 *
 * A preview renders the notice without a number and stores nothing; an
 * issued notice takes the next number of its year (document.h) and keeps
 * the exact data it was rendered from, so it prints the same again. */
#ifndef MW_NOTICE_H
#define MW_NOTICE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#include "config/config.h"

/* The data of a notice to unit_code as it would be issued now, without a
 * number (serial ""); nothing is stored.  Refuses (NULL, *error malloc'd,
 * caller frees) an unknown unit, or a unit without open problems unless
 * allow_empty.  Caller owns the result. */
json_t *notice_preview(sqlite3 *db, const struct config *cfg,
            const char *unit_code, bool allow_empty, time_t now,
            char **error);

/* Issues a notice inside the caller's transaction: builds its data,
 * numbers it, stores it and links its problems.  Refuses as
 * notice_preview() does. */
int  notice_issue(sqlite3 *db, const struct config *cfg, const char *unit_code,
         bool allow_empty, time_t now, long long *id, char **error);

/* Queues the notice (text and HTML) to the unit's addresses with the
 * admins in copy, inside the caller's transaction; a unit without
 * addresses gets it through the admins, with a line that says so
 * (unit_mail_recipients()).  Refuses a voided notice and a notice sent
 * before. */
int  notice_send(sqlite3 *db, const struct config *cfg, long long id,
         time_t now, char **error);

/* The data of a notice to an invented unit with two problems, built by
 * the same code as a real one in a scratch database (for check-config),
 * with the names its mail gets when sent (no_address).
 * NULL when it cannot be made (logged).  Caller owns. */
json_t *notice_sample_data(const struct config *cfg, time_t now);

#endif
