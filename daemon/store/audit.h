/* audit.h — the audit trail: every registry change, who made it and why.
 *
 * Owns table: audit. */
#ifndef MW_AUDIT_H
#define MW_AUDIT_H

#include <jansson.h>
#include <sqlite3.h>

/* The person behind a change: $SUDO_USER, else the invoking user's login
 * name, else "uid N".  Points to static storage. */
const char *audit_actor(void);

/* Records one change inside the caller's transaction.  before/after are
 * borrowed (NULL for a creation or a removal). */
int audit_record(sqlite3 *db, const char *action, const char *entity,
        long long entity_id, json_t *before, json_t *after, const char *reason);

/* The audit rows of one entity, oldest first; caller owns the array. */
json_t *audit_history(sqlite3 *db, const char *entity, long long entity_id);

#endif
