/* cycle.h — one evaluation run, what mediawatchd does after each poll
 * cycle: evaluate every active account, look at the closed ones that
 * publish again (closed.h), and queue the mail it calls for, all in one
 * transaction.
 *
 * A run that fails is rolled back as a whole (no state, problem or mail
 * of it is kept) and is loud: logged at error level, recorded in the
 * health table (so `mediawatchctl status` and STATUS= say "last
 * evaluation failed at … : reason"), and reported to the admins by email
 * once a day per reason, from a built-in template. */
#ifndef MW_CYCLE_H
#define MW_CYCLE_H

#include <sqlite3.h>
#include <time.h>

#include "config/config.h"

/* Returns the number of emails queued, or -1 when the run failed. */
int monitor_evaluate(sqlite3 *db, const struct config *cfg, time_t now);

#endif
