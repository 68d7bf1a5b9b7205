/* session.h — console sessions and the throttling of failed logins.
 *
 * A session is a random 256-bit token in an HttpOnly cookie; the database
 * keeps only its SHA-256, with the user, a CSRF token for the session's
 * forms, and the times its idle and absolute expiry count from.
 *
 * Owns tables: session, login_failure. */
#ifndef MW_SESSION_H
#define MW_SESSION_H

#include <sqlite3.h>
#include <time.h>

#include "access/secret.h"

struct session {
	long long  id;
	long long  user_id;
	char       csrf[TOKEN_HEX];
	time_t     created_at;
	time_t     last_seen_at;
};

/* Opens a session for user_id and writes its cookie token into token
 * (TOKEN_HEX bytes).  -1 on failure (logged). */
int  session_open(sqlite3 *db, long long user_id, const char *address,
         time_t now, char *token, struct session *s);
/* The live session of token: 0 found (its last use moved to now), 1 none
 * or expired (idle: unused for idle seconds; max: older than max seconds),
 * -1 on a database error. */
int  session_find(sqlite3 *db, const char *token, time_t now, long long idle,
         long long max, struct session *s);
/* Ends one session (logout), or every session of a user (disabled, new
 * password).  -1 on a database error. */
int  session_close(sqlite3 *db, long long id, time_t now);
int  session_close_user(sqlite3 *db, long long user_id, time_t now);

/* Failed logins since since, for the name and for the address. */
int  login_failures(sqlite3 *db, const char *name, const char *address,
         time_t since, long long *by_name, long long *by_address);
/* Records one failure; forgets those older than forget_before. */
int  login_failure_record(sqlite3 *db, const char *name, const char *address,
         time_t now, time_t forget_before);

#endif
