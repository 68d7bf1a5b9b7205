/* unit.c — responsible units (责任单位). */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "registry/unit.h"
#include "registry/validate.h"
#include "store/audit.h"
#include "store/db.h"

static int
refuse(char **error, const char *field, const char *why)
{
	*error = xasprintf("%s: %s", field, why);
	return -1;
}

long long
unit_id(sqlite3 *db, const char *code)
{
	long long id;

	if (db_query_int(db, &id, "SELECT id FROM unit WHERE code = ? AND "
	    "removed_at IS NULL", "s", code) != 0)
		return 0;
	return id;
}

/* A channel's name as the configuration allows it. */
static const char *
check_channel_name(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 32 || strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != n)
		return "a channel name is 1-32 characters of a-z, 0-9, '_' or '-'";
	return NULL;
}

static const char *
check_unit_fields(const struct unit_fields *f, const char **field)
{
	const char *why;
	size_t i;

	for (i = 0; i < f->n_add_channels; i++)
		if ((why = check_channel_name(f->add_channels[i])) != NULL)
			return *field = "channel", why;
	if (f->name && (why = check_name(f->name)) != NULL)
		return *field = "name", why;
	if ((why = check_optional_text(f->contact)) != NULL)
		return *field = "contact", why;
	if ((why = check_optional_text(f->phone)) != NULL)
		return *field = "phone", why;
	for (i = 0; f->set_emails && i < f->n_emails; i++)
		if ((why = check_email(f->emails[i])) != NULL)
			return *field = "email", why;
	return NULL;
}

char **
unit_channels(sqlite3 *db, long long id, size_t *n)
{
	char *text = NULL, **list;

	db_query_text(db, &text, "SELECT channels FROM unit WHERE id = ?", "I",
	    id);
	list = strv_from_json(text, n);
	free(text);
	return list;
}

static bool
listed(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] && strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool
json_has(const json_t *a, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* The unit's channels with f's added and dropped, as JSON text; NULL
 * with *error when f drops one the unit does not have. */
static char *
channels_changed(sqlite3 *db, long long id, const struct unit_fields *f,
    char **error)
{
	json_t *a = json_array();
	char **now, *s = NULL;
	size_t n = 0, i;

	now = id ? unit_channels(db, id, &n) : strv_dup(NULL);
	for (i = 0; i < f->n_drop_channels; i++)
		if (!listed((const char *const *)now, n, f->drop_channels[i])) {
			*error = xasprintf("channel: the unit has no channel '%s'",
			    f->drop_channels[i]);
			goto out;
		}
	for (i = 0; i < n; i++)
		if (!listed(f->drop_channels, f->n_drop_channels, now[i]))
			json_array_append_new(a, json_string(now[i]));
	for (i = 0; i < f->n_add_channels; i++)
		if (!json_has(a, f->add_channels[i]))
			json_array_append_new(a, json_string(f->add_channels[i]));
	s = json_dumps(a, JSON_COMPACT);
out:
	strv_free(now);
	json_decref(a);
	return s;
}

static char *
emails_json(const struct unit_fields *f)
{
	json_t *a = json_array();
	char *s;
	size_t i;

	for (i = 0; i < f->n_emails; i++)
		json_array_append_new(a, json_string(f->emails[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* Resolves a parent code; a unit may not be its own ancestor. */
static int
resolve_parent(sqlite3 *db, const char *parent, long long self, long long *out,
    char **error)
{
	long long id, cur, guard;

	*out = 0;
	if (str_empty(parent))
		return 0;
	if ((id = unit_id(db, parent)) == 0)
		return refuse(error, "parent", "no such unit");
	for (cur = id, guard = 0; cur != 0 && guard < 1000; guard++) {
		if (cur == self)
			return refuse(error, "parent", "would make the unit its "
			    "own ancestor");
		if (db_query_int(db, &cur, "SELECT coalesce(parent_id, 0) FROM "
		    "unit WHERE id = ?", "I", cur) != 0)
			break;
	}
	*out = id;
	return 0;
}

int
unit_add(sqlite3 *db, const struct unit_fields *f, char **error)
{
	const char *field, *why;
	long long parent, id;
	char *emails, *channels;
	int rc;
	json_t *after;

	if ((why = check_unit_code(f->code)) != NULL)
		return refuse(error, "code", why);
	if ((why = check_name(f->name)) != NULL)
		return refuse(error, "name", why);
	if ((why = check_unit_fields(f, &field)) != NULL)
		return refuse(error, field, why);
	if (unit_id(db, f->code) != 0)
		return refuse(error, "code", "a unit with this code exists already");
	if (resolve_parent(db, f->parent, 0, &parent, error) == -1)
		return -1;
	if ((channels = channels_changed(db, 0, f, error)) == NULL)
		return -1;
	emails = emails_json(f);
	rc = db_run(db, "INSERT INTO unit (code, name, parent_id, contact, emails,"
	    " phone, created_at, channels) VALUES (?, ?, nullif(?, 0), ?, ?, ?,"
	    " ?, ?)", "ssIsssIs", f->code, f->name, parent, f->contact, emails,
	    f->phone, (long long)mw_now(), channels);
	free(emails);
	free(channels);
	if (rc == -1)
		return refuse(error, "unit", "could not be stored");
	id = sqlite3_last_insert_rowid(db);
	after = unit_json(db, id);
	rc = audit_record(db, "unit.add", "unit", id, NULL, after, NULL);
	json_decref(after);
	return rc;
}

static int
apply_unit_change(sqlite3 *db, long long id, const struct unit_fields *f,
    char **error)
{
	long long parent;
	char *emails, *channels;
	int rc = 0;

	if (f->name)
		rc |= db_run(db, "UPDATE unit SET name = ? WHERE id = ?", "sI", f->name, id);
	if (f->contact)
		rc |= db_run(db, "UPDATE unit SET contact = nullif(?, '') WHERE id = ?",
		    "sI", f->contact, id);
	if (f->phone)
		rc |= db_run(db, "UPDATE unit SET phone = nullif(?, '') WHERE id = ?",
		    "sI", f->phone, id);
	if (f->set_emails) {
		emails = emails_json(f);
		rc |= db_run(db, "UPDATE unit SET emails = ? WHERE id = ?", "sI",
		    emails, id);
		free(emails);
	}
	if (f->n_add_channels || f->n_drop_channels) {
		if ((channels = channels_changed(db, id, f, error)) == NULL)
			return -1;
		rc |= db_run(db, "UPDATE unit SET channels = ? WHERE id = ?", "sI",
		    channels, id);
		free(channels);
	}
	if (f->parent) {
		if (resolve_parent(db, f->parent, id, &parent, error) == -1)
			return -1;
		rc |= db_run(db, "UPDATE unit SET parent_id = nullif(?, 0) WHERE "
		    "id = ?", "II", parent, id);
	}
	if (rc != 0)
		return refuse(error, "unit", "could not be stored");
	return 0;
}

int
unit_change(sqlite3 *db, const char *code, const struct unit_fields *f,
    const char *reason, char **error)
{
	const char *field, *why;
	json_t *before, *after;
	long long id;
	int rc;

	if ((id = unit_id(db, code)) == 0)
		return refuse(error, "code", "no such unit");
	if ((why = check_unit_fields(f, &field)) != NULL)
		return refuse(error, field, why);
	before = unit_json(db, id);
	if (apply_unit_change(db, id, f, error) == -1) {
		json_decref(before);
		return -1;
	}
	after = unit_json(db, id);
	rc = audit_record(db, "unit.change", "unit", id, before, after, reason);
	json_decref(before);
	json_decref(after);
	return rc;
}

int
unit_remove(sqlite3 *db, const char *code, const char *reason, char **error)
{
	long long id, open;
	json_t *before;
	int rc;

	if ((id = unit_id(db, code)) == 0)
		return refuse(error, "code", "no such unit");
	if (db_query_int(db, &open, "SELECT count(*) FROM account WHERE unit_id = ?"
	    " AND status IN ('active', 'suspended')", "I", id) != 0)
		return refuse(error, "unit", "could not be read");
	if (open > 0) {
		*error = xasprintf("unit: %s still has %lld open account(s); close "
		    "or move them first", code, open);
		return -1;
	}
	before = unit_json(db, id);
	rc = db_run(db, "UPDATE unit SET removed_at = ? WHERE id = ?", "II",
	    (long long)mw_now(), id);
	if (rc == 0)
		rc = audit_record(db, "unit.remove", "unit", id, before, NULL, reason);
	json_decref(before);
	return rc;
}

static const char unit_select[] =
	"SELECT u.id, u.code, u.name, p.code, u.contact, u.emails, u.phone,"
	" u.created_at, u.removed_at,"
	" (SELECT count(*) FROM account a WHERE a.unit_id = u.id AND"
	"  a.status IN ('active', 'suspended')), u.channels"
	" FROM unit u LEFT JOIN unit p ON p.id = u.parent_id ";

static json_t *
text_or_null(sqlite3_stmt *st, int col)
{
	return db_column_is_null(st, col) ? json_null() :
	    json_string(db_column_text(st, col));
}

static json_t *
int_or_null(sqlite3_stmt *st, int col)
{
	return db_column_is_null(st, col) ? json_null() :
	    json_integer(sqlite3_column_int64(st, col));
}

static json_t *
unit_row(sqlite3_stmt *st)
{
	json_t *emails = json_loads(db_column_text(st, 5), 0, NULL);
	json_t *channels = json_loads(db_column_text(st, 10), 0, NULL);

	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:I}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "code", db_column_text(st, 1),
	    "name", db_column_text(st, 2),
	    "parent", text_or_null(st, 3),
	    "contact", text_or_null(st, 4),
	    "emails", emails ? emails : json_array(),
	    "channels", channels ? channels : json_array(),
	    "phone", text_or_null(st, 6),
	    "created_at", (json_int_t)sqlite3_column_int64(st, 7),
	    "removed_at", int_or_null(st, 8),
	    "open_accounts", (json_int_t)sqlite3_column_int64(st, 9));
}

json_t *
unit_json(sqlite3 *db, long long id)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	json_t *row = NULL;

	sb_printf(&sql, "%sWHERE u.id = ?", unit_select);
	if ((st = db_prepare(db, sb_str(&sql), "I", id)) != NULL) {
		if (sqlite3_step(st) == SQLITE_ROW)
			row = unit_row(st);
		sqlite3_finalize(st);
	}
	sb_free(&sql);
	return row;
}

json_t *
unit_list_json(sqlite3 *db, bool include_removed)
{
	struct strbuf sql = STRBUF_INIT;
	json_t *rows = json_array();
	sqlite3_stmt *st;

	sb_printf(&sql, "%s%s ORDER BY u.code, u.id", unit_select,
	    include_removed ? "" : "WHERE u.removed_at IS NULL");
	if ((st = db_prepare(db, sb_str(&sql), "")) != NULL) {
		while (sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(rows, unit_row(st));
		sqlite3_finalize(st);
	}
	sb_free(&sql);
	return rows;
}
