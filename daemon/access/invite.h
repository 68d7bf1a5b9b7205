/* invite.h — one-time links that set a password: the invitation to a new
 * login (a unit's staff, made by `mediawatchctl user invite` or an admin
 * in the console) and the reset of a forgotten password.
 *
 * A link is console_url/password?token=T, T 256 random bits of which only
 * the SHA-256 is kept.  It works once, for INVITE_VALID (72 hours); a new
 * link for the same user revokes the ones before it.  Setting the
 * password ends the user's sessions and is audited as user.passwd.  The
 * link goes out by email only (user-invite, user-reset: paperwork/
 * letters.h), to the user's own address, through the outbox; the outbox
 * keeps the message, so a link is as secret as the database, and dies
 * with its first use or its 72 hours.
 *
 * Owns table: user_token. */
#ifndef MW_INVITE_H
#define MW_INVITE_H

#include <sqlite3.h>
#include <time.h>

#include "access/user.h"
#include "config/config.h"

#define INVITE_VALID (72 * 3600)

enum invite_purpose { INVITE_NEW, INVITE_RESET };

/* Makes a link for user_id — an invitation while the user has no
 * password, else a reset — revoking earlier ones, and queues its email,
 * inside the caller's transaction.  Refuses (-1, *error "field: why",
 * caller frees) an unknown or disabled user, one without an email
 * address, and a configuration without console_url (the link needs the
 * console's public address).  *expires is when the link dies. */
int  invite_send(sqlite3 *db, const struct config *cfg, long long user_id,
         time_t now, time_t *expires, char **error);

/* A unit's staff invited: adds the unit login u without a password (its
 * name defaults to its email address), or finds it when a unit login of
 * that name and unit exists and has no password yet, then sends its
 * invitation as invite_send() does.  *id is the login. */
int  invite_unit_user(sqlite3 *db, const struct config *cfg,
         const struct user_new *u, time_t now, long long *id,
         time_t *expires, char **error);

/* The user a live link token belongs to: 0 with *user_id and *purpose;
 * 1 when the token is unknown, used, revoked or expired; -1 on a database
 * error. */
int  invite_find(sqlite3 *db, const char *token, time_t now,
         long long *user_id, enum invite_purpose *purpose);

/* Sets the user's password through token, once, inside the caller's
 * transaction; refuses a dead link ("link: …") or a weak password. */
int  invite_use(sqlite3 *db, const char *token, const char *password,
         time_t now, char **error);

#endif
