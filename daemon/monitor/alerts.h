/* alerts.h — the emails an evaluation calls for, queued in the outbox.
 *
 * One email per unit per evaluation (Alertmanager's group-by-unit): the
 * accounts that entered warning, stale or dormant, or are due a reminder,
 * in unit-alert; those that posted again in unit-recovery.  Admins are in
 * copy for stale and dormant, get monitoring gaps (admin-gap) at once and a
 * daily digest (admin-digest).  Texts come from the templates (compose.h). */
#ifndef MW_ALERTS_H
#define MW_ALERTS_H

#include <sqlite3.h>
#include <time.h>

#include "base/template.h"

#include "config/config.h"
#include "monitor/evaluate.h"

/* Queues everything ev calls for, inside the caller's transaction.
 * Returns the number of emails queued, or -1 (a database error, logged;
 * the caller rolls back so nothing is half-done).  A template override
 * that fails is replaced by the built-in one (compose.h). */
int alerts_queue(sqlite3 *db, const struct config *cfg,
        const struct evaluation *ev);

/* The names a message of this module gets, with invented values, built by
 * the same code as the real ones: check-config renders every template in
 * force with them.  name is unit-alert, unit-recovery, admin-gap or
 * admin-digest; NULL for another.  Caller frees. */
struct tmpl_vars *alerts_sample_vars(const struct config *cfg,
                      const char *name, time_t now);

#endif
