/* user.c — console users: adding, passwords, disabling, reading. */
#include <stdlib.h>
#include <string.h>

#include "access/secret.h"
#include "access/session.h"
#include "access/user.h"
#include "base/util.h"
#include "registry/unit.h"
#include "registry/validate.h"
#include "store/audit.h"
#include "store/db.h"

static const char *const role_names[N_ROLES] = { "admin", "viewer", "unit" };
static const char *const role_labels[N_ROLES] = { "管理员", "查看", "责任单位" };

const char *
user_role_name(enum user_role r)
{
	return (unsigned)r < N_ROLES ? role_names[r] : "?";
}

const char *
user_role_label(enum user_role r)
{
	return (unsigned)r < N_ROLES ? role_labels[r] : "?";
}

int
user_role_parse(const char *s)
{
	int i;

	for (i = 0; s && i < N_ROLES; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

static int
refuse(char **error, const char *field, const char *why)
{
	*error = xasprintf("%s: %s", field, why);
	return -1;
}

/* Lower-case letters, digits and . _ - @: safe in a log line, an audit
 * actor and a header, and the same however it is typed. */
static const char *
check_login_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 64)
		return "must have 1 to 64 characters";
	if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-@") != n)
		return "may contain only a-z, 0-9, '.', '_', '-' and '@'";
	return NULL;
}

/* The audit record of a user: never the hash. */
static json_t *
user_record(sqlite3 *db, long long id)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT u.name, u.display_name, u.role,"
	    " n.code, u.disabled FROM user u LEFT JOIN unit n ON n.id = u.unit_id"
	    " WHERE u.id = ?", "I", id);
	json_t *o = NULL;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:b}", "id", (json_int_t)id,
		    "name", db_column_text(st, 0), "display_name",
		    db_column_text(st, 1), "role", db_column_text(st, 2), "unit",
		    db_column_json(st, 3), "disabled", sqlite3_column_int(st, 4));
	sqlite3_finalize(st);
	return o;
}

static int
audit_user(sqlite3 *db, const char *action, long long id, json_t *before,
    const char *reason)
{
	json_t *after = user_record(db, id);
	int rc = audit_record(db, action, "user", id, before, after, reason);

	json_decref(after);
	return rc;
}

static int
check_new(sqlite3 *db, const struct user_new *u, const char *password,
    long long *unit, char **error)
{
	const char *why;

	*unit = 0;
	if ((why = check_login_name(u->name)) != NULL)
		return refuse(error, "name", why);
	if (u->display_name && (why = check_name(u->display_name)) != NULL)
		return refuse(error, "display_name", why);
	if (password && (why = password_check(password)) != NULL)
		return refuse(error, "password", why);
	if ((u->role == ROLE_UNIT) != (u->unit_code != NULL))
		return refuse(error, "unit", "a unit login needs its unit, and "
		    "only a unit login has one");
	if (u->unit_code && (*unit = unit_id(db, u->unit_code)) == 0)
		return refuse(error, "unit", "no such unit");
	if (db_query_int(db, &(long long){0}, "SELECT 1 FROM user WHERE name = ?",
	    "s", u->name) == 0)
		return refuse(error, "name", "a user of that name exists");
	return 0;
}

int
user_add(sqlite3 *db, const struct user_new *u, const char *password,
    time_t now, long long *id, char **error)
{
	char *hash = NULL;
	long long unit;
	int rc;

	if (check_new(db, u, password, &unit, error) == -1)
		return -1;
	if (password && (hash = password_hash(password)) == NULL)
		return refuse(error, "password", "cannot be hashed");
	rc = db_run(db, "INSERT INTO user (name, display_name, role, unit_id,"
	    " password_hash, created_at, password_changed_at) VALUES (?, ?, ?,"
	    " nullif(?, 0), ?, ?, nullif(?, 0))", "sssIsII", u->name,
	    u->display_name ? u->display_name : u->name, user_role_name(u->role),
	    unit, hash, (long long)now, hash ? (long long)now : 0LL);
	free(hash);
	if (rc == -1)
		return refuse(error, "name", "cannot be stored");
	*id = sqlite3_last_insert_rowid(db);
	if (audit_user(db, "user.add", *id, NULL, NULL) == -1)
		return refuse(error, "name", "cannot be stored");
	return 0;
}

static long long
id_of(sqlite3 *db, const char *name)
{
	long long id = 0;

	if (db_query_int(db, &id, "SELECT id FROM user WHERE name = ?", "s",
	    name) != 0)
		return 0;
	return id;
}

int
user_set_password(sqlite3 *db, const char *name, const char *password,
    time_t now, char **error)
{
	long long id = id_of(db, name);
	const char *why;
	char *hash;
	int rc;

	if (id == 0)
		return refuse(error, "name", "no such user");
	if ((why = password_check(password)) != NULL)
		return refuse(error, "password", why);
	if ((hash = password_hash(password)) == NULL)
		return refuse(error, "password", "cannot be hashed");
	rc = db_run(db, "UPDATE user SET password_hash = ?, password_changed_at"
	    " = ? WHERE id = ?", "sII", hash, (long long)now, id);
	free(hash);
	/* whoever knew the old password is logged out */
	if (rc == -1 || session_close_user(db, id, now) == -1 ||
	    audit_record(db, "user.passwd", "user", id, NULL, NULL, NULL) == -1)
		return refuse(error, "password", "cannot be stored");
	return 0;
}

int
user_set_disabled(sqlite3 *db, const char *name, bool disabled,
    const char *reason, time_t now, char **error)
{
	long long id = id_of(db, name);
	json_t *before;
	int rc;

	if (id == 0)
		return refuse(error, "name", "no such user");
	before = user_record(db, id);
	rc = db_run(db, "UPDATE user SET disabled = ? WHERE id = ?", "II",
	    (long long)disabled, id);
	if (rc == 0 && disabled)
		rc = session_close_user(db, id, now);
	if (rc == 0)
		rc = audit_user(db, disabled ? "user.disable" : "user.enable", id,
		    before, reason);
	json_decref(before);
	return rc == -1 ? refuse(error, "name", "cannot be changed") : 0;
}

int
user_record_login(sqlite3 *db, const struct user *u, bool login, time_t now)
{
	if (login && db_run(db, "UPDATE user SET last_login_at = ? WHERE id = ?",
	    "II", (long long)now, u->id) == -1)
		return -1;
	return audit_record(db, login ? "user.login" : "user.logout", "user",
	    u->id, NULL, NULL, NULL);
}

static const char user_select[] = "SELECT id, name, display_name, role,"
	" coalesce(unit_id, 0), disabled FROM user ";

static int
user_from(sqlite3_stmt *st, struct user *u)
{
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;

	memset(u, 0, sizeof(*u));
	if (rc == SQLITE_ROW) {
		u->id = sqlite3_column_int64(st, 0);
		u->name = db_column_strdup(st, 1);
		u->display_name = db_column_strdup(st, 2);
		u->role = (enum user_role)user_role_parse(db_column_text(st, 3));
		u->unit_id = sqlite3_column_int64(st, 4);
		u->disabled = sqlite3_column_int(st, 5) != 0;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return (int)u->role < 0 ? -1 : 0;
	return rc == SQLITE_DONE ? 1 : -1;
}

int
user_by_id(sqlite3 *db, long long id, struct user *u)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "%sWHERE id = ?", user_select);
	return user_from(db_prepare(db, sql, "I", id), u);
}

int
user_by_name(sqlite3 *db, const char *name, struct user *u)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "%sWHERE name = ?", user_select);
	return user_from(db_prepare(db, sql, "s", name), u);
}

int
user_password_hash(sqlite3 *db, const char *name, char **hash)
{
	*hash = NULL;
	return db_query_text(db, hash, "SELECT password_hash FROM user WHERE"
	    " name = ? AND NOT disabled AND password_hash IS NOT NULL", "s", name);
}

void
user_free(struct user *u)
{
	free(u->name);
	free(u->display_name);
	memset(u, 0, sizeof(*u));
}

json_t *
user_list_json(sqlite3 *db)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT u.id, u.name, u.display_name,"
	    " u.role, n.code, u.disabled, u.password_hash IS NOT NULL,"
	    " u.created_at, u.last_login_at FROM user u LEFT JOIN unit n ON"
	    " n.id = u.unit_id ORDER BY u.name", "");
	json_t *rows = json_array();

	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:o,"
		    " s:b, s:b, s:I, s:o}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "name",
		    db_column_text(st, 1), "display_name", db_column_text(st, 2),
		    "role", db_column_text(st, 3), "unit", db_column_json(st, 4),
		    "disabled", sqlite3_column_int(st, 5), "has_password",
		    sqlite3_column_int(st, 6), "created_at",
		    (json_int_t)sqlite3_column_int64(st, 7), "last_login_at",
		    db_column_json(st, 8)));
	sqlite3_finalize(st);
	return rows;
}
