/* user.h — the people who may log in to the console (mediawatch-web).
 *
 * A user has a login name (also the audit actor, as "web:NAME"), a name
 * for display, a role and a password hash.  Role admin may change the
 * registry, viewer may only read; role unit (a unit's own staff, bound to
 * one unit and its subordinates) is reserved in the schema for the units'
 * side of the console.  Every change is audited (entity "user").
 *
 * Owns table: user.
 *
 * Changes run inside the caller's transaction; on refusal they return -1
 * and set *error to a malloc'd sentence starting with the field it
 * concerns, which the caller frees. */
#ifndef MW_USER_H
#define MW_USER_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

enum user_role { ROLE_ADMIN, ROLE_VIEWER, ROLE_UNIT, N_ROLES };

struct user {
	long long       id;
	char           *name;
	char           *display_name;
	enum user_role  role;
	long long       unit_id;       /* ROLE_UNIT: its unit; else 0 */
	bool            disabled;
};

const char *user_role_name(enum user_role r);     /* "admin", … */
const char *user_role_label(enum user_role r);    /* 管理员, … */
/* -1 when s names no role. */
int  user_role_parse(const char *s);

struct user_new {
	const char     *name;
	const char     *display_name;  /* NULL: the name */
	enum user_role  role;
	const char     *unit_code;     /* ROLE_UNIT only */
};

/* Adds a user with password (NULL: none yet, so no password login). */
int  user_add(sqlite3 *db, const struct user_new *u, const char *password,
         time_t now, long long *id, char **error);
int  user_set_password(sqlite3 *db, const char *name, const char *password,
         time_t now, char **error);
/* Disabling also ends the user's sessions; enabling gives none back. */
int  user_set_disabled(sqlite3 *db, const char *name, bool disabled,
         const char *reason, time_t now, char **error);
/* A login or logout, for the audit trail. */
int  user_record_login(sqlite3 *db, const struct user *u, bool login,
         time_t now);

/* Fills *u (free with user_free()).  0 found, 1 none, -1 database error. */
int  user_by_id(sqlite3 *db, long long id, struct user *u);
int  user_by_name(sqlite3 *db, const char *name, struct user *u);
/* The password hash of an enabled user (caller frees); 1 when there is no
 * such enabled user or it has no password. */
int  user_password_hash(sqlite3 *db, const char *name, char **hash);
void user_free(struct user *u);

/* Every user, without hashes, in name order.  Caller owns. */
json_t *user_list_json(sqlite3 *db);

#endif
