/* report.h — the status report people look at: every unit and account
 * with its state (as of the daemon's last evaluation), days since the last
 * update, and the open problems, as of now.  Beyond LIST_ALL_ACCOUNTS
 * accounts it lists the accounts to act on ("listed": "action") and
 * counts the open problems per unit ("problem_counts") instead of
 * listing them ("problems"). */
#ifndef MW_REPORT_H
#define MW_REPORT_H

#include <jansson.h>
#include <sqlite3.h>
#include <time.h>

#include "config/config.h"

/* The report's data (render with render_report()).  Caller owns; NULL
 * when the database cannot be read. */
json_t *report_build(sqlite3 *db, const struct config *cfg, time_t now);

#endif
