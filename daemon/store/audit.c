/* audit.c — writing and reading the audit trail. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "store/audit.h"
#include "store/db.h"

/* Per thread: the console serves requests of different people at once. */
static _Thread_local char actor_override[128];

void
audit_set_actor(const char *name)
{
	snprintf(actor_override, sizeof(actor_override), "%s",
	    name && !has_control_chars(name) ? name : "");
}

const char *
audit_actor(void)
{
	static _Thread_local char actor[128];
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw;

	if (actor_override[0] != '\0')
		return actor_override;
	if (sudo && *sudo && !has_control_chars(sudo))
		snprintf(actor, sizeof(actor), "%s", sudo);
	else if ((pw = getpwuid(getuid())) != NULL)
		snprintf(actor, sizeof(actor), "%s", pw->pw_name);
	else
		snprintf(actor, sizeof(actor), "uid %u", (unsigned)getuid());
	return actor;
}

static char *
dump_or_null(json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
}

int
audit_record(sqlite3 *db, const char *action, const char *entity,
    long long entity_id, json_t *before, json_t *after, const char *reason)
{
	char *b = dump_or_null(before), *a = dump_or_null(after);
	int rc;

	rc = db_run(db, "INSERT INTO audit (at, actor, action, entity, entity_id,"
	    " before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "IsssIsss",
	    (long long)mw_now(), audit_actor(), action, entity, entity_id, b, a,
	    str_empty(reason) ? NULL : reason);
	free(b);
	free(a);
	return rc;
}

static json_t *
parse_or_null(sqlite3_stmt *st, int col)
{
	if (db_column_is_null(st, col))
		return json_null();
	return json_loads(db_column_text(st, col), 0, NULL);
}

json_t *
audit_history(sqlite3 *db, const char *entity, long long entity_id)
{
	sqlite3_stmt *st;
	json_t *rows = json_array();

	st = db_prepare(db, "SELECT id, at, actor, action, reason, before, after "
	    "FROM audit WHERE entity = ? AND entity_id = ? ORDER BY id", "sI",
	    entity, entity_id);
	if (st == NULL)
		return rows;
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "at", (json_int_t)sqlite3_column_int64(st, 1),
		    "actor", db_column_text(st, 2),
		    "action", db_column_text(st, 3),
		    "reason", db_column_is_null(st, 4) ? json_null() :
		        json_string(db_column_text(st, 4)),
		    "before", parse_or_null(st, 5),
		    "after", parse_or_null(st, 6)));
	sqlite3_finalize(st);
	return rows;
}
