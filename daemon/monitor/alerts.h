/* alerts.h — the emails an evaluation calls for, queued in the outbox.
 *
 * One email per unit per evaluation (Alertmanager's group-by-unit): the
 * accounts that entered warning, stale or dormant, or are due a reminder,
 * in unit-alert; those that posted again in unit-recovery.  Admins are in
 * copy for stale and dormant, get monitoring gaps (admin-gap) at once and a
 * daily digest (admin-digest).  Texts come from the templates (compose.h),
 * which also queues each message's chat form for the unit's channels and
 * the admins' (an alert shows each channel the states it carries). */
#ifndef MW_ALERTS_H
#define MW_ALERTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/template.h"

#include "config/config.h"
#include "monitor/evaluate.h"

/* The units' alerts and recoveries of ev, made and rendered ahead of
 * their queueing, without the database: evaluate() has them made on its
 * reading thread, beside its writes (evaluate_read_fn). */
struct alert_letters;
struct alert_letters *alerts_make_letters(const struct config *cfg,
                          const struct evaluation *ev);
void alerts_letters_free(struct alert_letters *al);

/* Queues everything ev calls for, inside the caller's transaction, the
 * units' messages made ahead when ahead is not NULL.  Returns the number
 * of emails queued, or -1 (a database error, logged; the caller rolls
 * back so nothing is half-done).  A template override that fails is
 * replaced by the built-in one (compose.h). */
int alerts_queue(sqlite3 *db, const struct config *cfg,
        const struct evaluation *ev, struct alert_letters *ahead);

/* Whether the daily digest is due: mail.digest_time has passed today in
 * the configured zone and today's was not queued yet.  The evaluation
 * then reads the digest's lists (evaluate()). */
bool alerts_digest_due(sqlite3 *db, const struct config *cfg, time_t now);

/* Who gets a unit's mail: its addresses; a unit without any gets it
 * through the admins (*fallback), so that nothing is dropped for want of
 * an address, and v (when given) gets no_address "1" so that the mail
 * says so.  The list is NULL-terminated; free with strv_free(). */
char **unit_mail_recipients(sqlite3 *db, const struct config *cfg,
          long long unit_id, size_t *n, bool *fallback, struct tmpl_vars *v);

/* The warning that the holiday calendar misses the current year, or next
 * year from 1 December (holidays_missing()), in Chinese for the daily
 * digest; NULL when nothing is missing.  Caller frees. */
char *alerts_calendar_warning(const struct config *cfg, time_t now);

/* The names a message of this module gets, with invented values, built by
 * the same code as the real ones: check-config renders every template in
 * force with them.  name is unit-alert, unit-recovery, admin-gap or
 * admin-digest; NULL for another.  Caller frees. */
struct tmpl_vars *alerts_sample_vars(const struct config *cfg,
                      const char *name, time_t now);

#endif
