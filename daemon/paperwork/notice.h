/* notice.h — point-to-point notices (点对点通报) to a responsible unit.
 *
 * A notice lists the unit's open problems at the check time, carries the
 * next serial number of its kind and year and a rectification deadline in
 * working days, and is stored with the exact data it was rendered from
 * (render_notice() prints it again byte for byte).  Feed failures
 * (unreachable) are our monitoring's problem, not the unit's, and are not
 * listed.
 *
 * Owns tables: notice, notice_problem. */
#ifndef MW_NOTICE_H
#define MW_NOTICE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#include "config/config.h"

/* Issues a notice inside the caller's transaction: builds its data,
 * numbers it, stores it and links its problems.  Refuses (-1, *error
 * malloc'd, caller frees) an unknown unit, or a unit without open problems
 * unless allow_empty. */
int  notice_issue(sqlite3 *db, const struct config *cfg, const char *unit_code,
         bool allow_empty, time_t now, long long *id, char **error);

/* Queues the notice (text and HTML) to the unit's addresses with the
 * admins in copy, inside the caller's transaction.  Refuses a unit without
 * addresses and a notice sent before. */
int  notice_send(sqlite3 *db, const struct config *cfg, long long id,
         time_t now, char **error);

/* The stored data of notice id; NULL when there is none.  Caller owns. */
json_t *notice_data(sqlite3 *db, long long id);
/* Every notice, newest first: id, serial, unit, issued_at, due, problems,
 * sent.  Caller owns. */
json_t *notice_list_json(sqlite3 *db);

/* The data of a notice to an invented unit with two problems, built by
 * the same code as a real one in a scratch database (for check-config).
 * NULL when it cannot be made (logged).  Caller owns. */
json_t *notice_sample_data(const struct config *cfg, time_t now);

#endif
