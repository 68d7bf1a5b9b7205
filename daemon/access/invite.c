/* invite.c — one-time password links. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access/invite.h"
#include "access/secret.h"
#include "access/user.h"
#include "base/i18n.h"
#include "base/util.h"
#include "mail/compose.h"
#include "paperwork/letters.h"
#include "store/audit.h"
#include "store/db.h"

static int
refuse(char **error, const char *field, const char *why)
{
	*error = xasprintf("%s: %s", field, _(why));
	return -1;
}

static int
check_user(const struct config *cfg, const struct user *u, char **error)
{
	if (u->disabled)
		return refuse(error, "user", N_("is disabled (enable it first)"));
	if (str_empty(u->email))
		return refuse(error, "email", N_("the user has no email "
		    "address for the link"));
	if (cfg->console_url == NULL)
		return refuse(error, "console_url", N_("is not set: the "
		    "link needs the console's public address (console_url in "
		    "the configuration)"));
	return 0;
}

/* A new token row for u, the earlier ones revoked; token gets the
 * secret, *row the row's id. */
static int
store_token(sqlite3 *db, const struct user *u, enum invite_purpose p,
    time_t now, char *token, long long *row)
{
	char hash[TOKEN_HEX];

	if (token_new(token) == -1)
		return -1;
	token_hash(token, hash);
	if (db_run(db, "UPDATE user_token SET revoked_at = ? WHERE user_id = ?"
	    " AND used_at IS NULL AND revoked_at IS NULL", "II", (long long)now,
	    u->id) == -1 || db_run(db, "INSERT INTO user_token (user_id, purpose,"
	    " token_hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?,"
	    " ?, ?)", "IssIsI", u->id, p == INVITE_NEW ? "invite" : "reset", hash,
	    (long long)now, audit_actor(), (long long)now + INVITE_VALID) == -1)
		return -1;
	*row = sqlite3_last_insert_rowid(db);
	return 0;
}

static int
queue_link(sqlite3 *db, const struct config *cfg, const struct user *u,
    enum invite_purpose p, const char *token, long long row, time_t now)
{
	char *unit = NULL, *link, *key;
	const char *to[] = { u->email };
	struct tmpl_vars *v;
	int rc;

	if (u->unit_id)
		db_query_text(db, &unit, "SELECT name FROM unit WHERE id = ?", "I",
		    u->unit_id);
	link = xasprintf("%s/password?token=%s", cfg->console_url, token);
	v = letters_login_vars(cfg, u->name, u->display_name, unit, link,
	    now + INVITE_VALID, now);
	key = xasprintf("password-link:%lld", row);
	rc = compose_queue(db, cfg, p == INVITE_NEW ? "user-invite" :
	    "user-reset", v, &(struct outgoing){ .kind = "invite",
	    .unit_id = u->unit_id, .to = to, .n_to = 1, .dedup_key = key }, now);
	explicit_bzero(link, strlen(link));
	free(link);
	free(key);
	free(unit);
	tmpl_vars_free(v);
	return rc == 1 ? 0 : -1;
}

int
invite_send(sqlite3 *db, const struct config *cfg, long long user_id,
    time_t now, time_t *expires, char **error)
{
	enum invite_purpose p;
	char token[TOKEN_HEX];
	struct user u;
	long long row;
	int rc;

	if (user_by_id(db, user_id, &u) != 0)
		return refuse(error, "user", N_("no such user"));
	if (check_user(cfg, &u, error) == -1) {
		user_free(&u);
		return -1;
	}
	p = u.has_password ? INVITE_RESET : INVITE_NEW;
	rc = store_token(db, &u, p, now, token, &row);
	if (rc == 0)
		rc = queue_link(db, cfg, &u, p, token, row, now);
	if (rc == 0)
		rc = audit_record(db, p == INVITE_NEW ? "user.invite" :
		    "user.reset", "user", u.id, NULL, NULL, NULL);
	explicit_bzero(token, sizeof(token));
	user_free(&u);
	if (rc == -1)
		return refuse(error, "link", N_("could not be stored or "
		    "queued"));
	*expires = now + INVITE_VALID;
	return 0;
}

/* The existing login of that name, when it is the same unit's and was
 * never used: inviting again sends a new link. */
static int
find_invited(sqlite3 *db, const struct user_new *u, long long *id,
    char **error)
{
	struct user old;
	long long unit = 0;
	int rc;

	if ((rc = user_by_name(db, u->name, &old)) != 0)
		return rc == 1 ? 1 : refuse(error, "name",
		    N_("cannot be read"));
	db_query_int(db, &unit, "SELECT id FROM unit WHERE code = ? AND"
	    " removed_at IS NULL", "s", u->unit_code);
	if (old.role != ROLE_UNIT || old.unit_id != unit)
		rc = refuse(error, "name", N_("a user of that name exists "
		    "(of another unit or role)"));
	else if (old.has_password)
		rc = refuse(error, "name", N_("has set a password already "
		    "(send a reset instead: mediawatchctl user reset NAME)"));
	else if (old.email == NULL || u->email == NULL ||
	    strcasecmp(old.email, u->email) != 0)
		rc = refuse(error, "email", N_("differs from the address "
		    "the user was invited at (change it with mediawatchctl "
		    "user email)"));
	else
		*id = old.id;
	user_free(&old);
	return rc;
}

int
invite_unit_user(sqlite3 *db, const struct config *cfg,
    const struct user_new *u, time_t now, long long *id, time_t *expires,
    char **error)
{
	struct user_new n = *u;
	char *name = NULL, *s;
	int rc;

	if (u->role != ROLE_UNIT || u->unit_code == NULL || str_empty(u->email))
		return refuse(error, "unit", N_("an invitation is for a unit "
		    "login: give its unit and email address"));
	if (n.name == NULL) {
		name = xstrdup(u->email);
		for (s = name; *s; s++)
			*s = (char)tolower((unsigned char)*s);
		n.name = name;
	}
	if (n.display_name == NULL)
		n.display_name = n.name;
	rc = find_invited(db, &n, id, error);
	if (rc == 1)
		rc = user_add(db, &n, NULL, now, id, error);
	if (rc == 0)
		rc = invite_send(db, cfg, *id, now, expires, error);
	free(name);
	return rc;
}

int
invite_find(sqlite3 *db, const char *token, time_t now, long long *user_id,
    enum invite_purpose *purpose)
{
	char hash[TOKEN_HEX], *p = NULL;
	sqlite3_stmt *st;
	int rc;

	if (token == NULL || strlen(token) != TOKEN_HEX - 1 ||
	    strspn(token, "0123456789abcdef") != TOKEN_HEX - 1)
		return 1;
	token_hash(token, hash);
	st = db_prepare(db, "SELECT t.user_id, t.purpose FROM user_token t JOIN"
	    " user u ON u.id = t.user_id WHERE t.token_hash = ? AND t.used_at IS"
	    " NULL AND t.revoked_at IS NULL AND t.expires_at > ? AND NOT"
	    " u.disabled", "sI", hash, (long long)now);
	rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(st, 0);
		p = db_column_strdup(st, 1);
		*purpose = strcmp(p, "invite") == 0 ? INVITE_NEW : INVITE_RESET;
	}
	free(p);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
invite_use(sqlite3 *db, const char *token, const char *password, time_t now,
    char **error)
{
	enum invite_purpose p;
	char hash[TOKEN_HEX];
	long long user_id;
	struct user u;
	int rc;

	if ((rc = invite_find(db, token, now, &user_id, &p)) != 0)
		return refuse(error, "link", rc == 1 ?
		    N_("is invalid, used or expired") : N_("cannot be read"));
	if (user_by_id(db, user_id, &u) != 0)
		return refuse(error, "link", N_("its user is gone"));
	rc = user_set_password(db, u.name, password, now, error);
	user_free(&u);
	if (rc == -1)
		return -1;
	token_hash(token, hash);
	if (db_run(db, "UPDATE user_token SET used_at = ? WHERE token_hash = ?",
	    "Is", (long long)now, hash) == -1)
		return refuse(error, "link",
		    N_("could not be marked used"));
	return 0;
}
