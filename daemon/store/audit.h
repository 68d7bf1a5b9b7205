/* audit.h — the audit trail: every registry change, who made it and why.
 *
 * Owns table: audit. */
#ifndef MW_AUDIT_H
#define MW_AUDIT_H

#include <jansson.h>
#include <sqlite3.h>

/* The person behind a change: the actor set by audit_set_actor() in this
 * thread, else $SUDO_USER, else the invoking user's login name, else "uid
 * N".  Points to storage of the calling thread. */
const char *audit_actor(void);
/* Makes name the actor of this thread's changes until it is set again;
 * NULL goes back to the invoking user.  The web console sets its logged-in
 * user ("web:alice") for each request, so a change made in a browser is
 * recorded under the person who made it, not the service's account. */
void audit_set_actor(const char *name);

/* Records one change inside the caller's transaction.  before/after are
 * borrowed (NULL for a creation or a removal). */
int audit_record(sqlite3 *db, const char *action, const char *entity,
        long long entity_id, json_t *before, json_t *after, const char *reason);

/* The audit rows of one entity, oldest first; caller owns the array. */
json_t *audit_history(sqlite3 *db, const char *entity, long long entity_id);

#endif
