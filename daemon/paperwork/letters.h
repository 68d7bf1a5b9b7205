/* letters.h — the messages of the units' side of the console.
 *
 *   user-invite, user-reset   the one-time link that sets a password: an
 *                             invitation to a new login, or a reset
 *                             (access/invite.h queues them);
 *   unit-review               the result of a review of the unit's reply:
 *                             accepted (销号) or returned with the reason;
 *   unit-reminder             a notice past its reply deadline without an
 *                             answer to every item (催办), once a week
 *                             from the day after the deadline.
 *
 * Texts come from templates (mail/compose.h); the names each gets are
 * filled here, by the same code for the real message and for the sample
 * check-config renders (messages.c). */
#ifndef MW_LETTERS_H
#define MW_LETTERS_H

#include <sqlite3.h>
#include <time.h>

#include "base/template.h"
#include "config/config.h"

/* The names of user-invite and user-reset: login, display_name,
 * unit_name (empty for a login of the centre), link, expires (a time),
 * and now and issuer as every message has them.  Caller frees. */
struct tmpl_vars *letters_login_vars(const struct config *cfg,
                      const char *login, const char *display_name,
                      const char *unit_name, const char *link,
                      time_t expires, time_t now);

/* Sets now and issuer, the names every message has. */
void letters_common_vars(const struct config *cfg, struct tmpl_vars *v,
         time_t now);

/* Queues unit-review about review_id to its unit (through the admins when
 * the unit has no address), inside the caller's transaction.  1 queued,
 * 0 queued before, -1 on error (logged). */
int  letters_review_queue(sqlite3 *db, const struct config *cfg,
         long long review_id, time_t now);

/* Queues unit-reminder for each notice overdue at now (registry/
 * workorder.h) that was not reminded this week of its lateness, in a
 * transaction of its own; mediawatchd runs it after each evaluation.
 * Returns the number queued, or -1 (logged, nothing kept). */
int  letters_reminders_run(sqlite3 *db, const struct config *cfg, time_t now);

/* The names of user-invite, user-reset, unit-review or unit-reminder with invented
 * values; NULL for another name.  Caller frees. */
struct tmpl_vars *letters_sample_vars(const struct config *cfg,
                      const char *name, time_t now);

#endif
