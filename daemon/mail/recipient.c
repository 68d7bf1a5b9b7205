/* recipient.c — per-address outcomes of the outbox's emails. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "mail/recipient.h"
#include "store/db.h"

char **
recipient_pending(sqlite3 *db, long long outbox_id, char *const *addrs,
    size_t n_addrs, time_t now, size_t *n)
{
	char **list = NULL;
	sqlite3_stmt *st;
	size_t i, cap = 0;
	int rc;

	*n = 0;
	for (i = 0; i < n_addrs; i++)
		if (db_run(db, "INSERT INTO outbox_recipient (outbox_id, address,"
		    " updated_at) VALUES (?, ?, ?) ON CONFLICT (outbox_id,"
		    " address) DO NOTHING", "IsI", outbox_id, addrs[i],
		    (long long)now) == -1)
			return NULL;
	st = db_prepare(db, "SELECT address FROM outbox_recipient WHERE"
	    " outbox_id = ? AND status = 'pending' ORDER BY id", "I", outbox_id);
	if (st == NULL)
		return NULL;
	list = xcalloc(1, sizeof(char *));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n + 1 >= cap) {
			cap = cap ? cap * 2 : 8;
			list = xrealloc(list, cap * sizeof(char *));
		}
		list[(*n)++] = db_column_strdup(st, 0);
		list[*n] = NULL;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		strv_free(list);
		*n = 0;
		return NULL;
	}
	return list;
}

int
recipient_record(sqlite3 *db, long long outbox_id,
    const struct recipient_result *r, time_t now)
{
	const char *status = r->delivered ? "sent" :
	    r->code >= 500 && r->code <= 599 ? "refused" : "pending";

	return db_run(db, "UPDATE outbox_recipient SET status = ?, attempts ="
	    " attempts + 1, code = nullif(?, 0), reply = ?, updated_at = ?"
	    " WHERE outbox_id = ? AND address = ?", "sIsIIs", status,
	    (long long)r->code, r->reply, (long long)now, outbox_id,
	    r->address);
}

int
recipient_count(sqlite3 *db, long long outbox_id, struct recipient_counts *c)
{
	sqlite3_stmt *st;
	int rc;

	memset(c, 0, sizeof(*c));
	st = db_prepare(db, "SELECT coalesce(sum(status = 'sent'), 0),"
	    " coalesce(sum(status = 'refused'), 0), coalesce(sum(status ="
	    " 'pending'), 0) FROM outbox_recipient WHERE outbox_id = ?", "I",
	    outbox_id);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->sent = sqlite3_column_int(st, 0);
		c->refused = sqlite3_column_int(st, 1);
		c->pending = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

char *
recipient_refusals(sqlite3 *db, long long outbox_id)
{
	struct strbuf sb = STRBUF_INIT;
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT address, coalesce(reply, code) FROM"
	    " outbox_recipient WHERE outbox_id = ? AND status = 'refused'"
	    " ORDER BY id", "I", outbox_id);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		sb_printf(&sb, "%s%s (%s)", sb.len ? "; " : "",
		    db_column_text(st, 0), db_column_text(st, 1));
	sqlite3_finalize(st);
	if (sb.len == 0) {
		sb_free(&sb);
		return NULL;
	}
	return sb_steal(&sb);
}

long
recipient_retry_refused(sqlite3 *db, long long outbox_id)
{
	if (db_run(db, "UPDATE outbox_recipient SET status = 'pending' WHERE"
	    " status = 'refused' AND outbox_id IN (SELECT id FROM outbox WHERE"
	    " status = 'failed' AND (?1 = 0 OR id = ?1))", "I", outbox_id) == -1)
		return -1;
	return sqlite3_changes(db);
}

json_t *
recipient_list_json(sqlite3 *db, long long outbox_id)
{
	json_t *a = json_array();
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT address, status, attempts, code, reply,"
	    " updated_at FROM outbox_recipient WHERE outbox_id = ? ORDER BY id",
	    "I", outbox_id);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:o, s:o, s:I}",
		    "address", db_column_text(st, 0),
		    "status", db_column_text(st, 1),
		    "attempts", (json_int_t)sqlite3_column_int64(st, 2),
		    "code", db_column_json(st, 3),
		    "reply", db_column_json(st, 4),
		    "updated_at", (json_int_t)sqlite3_column_int64(st, 5)));
	sqlite3_finalize(st);
	return a;
}

/* An address bounces while its latest outcome (in any email) is a
 * refusal: a later delivery that reaches it clears it, and so does
 * taking it off the unit. */
static const char bounces_query[] =
	"SELECT u.id, u.code, u.name, e.value, coalesce(r.reply, r.code),"
	" r.updated_at FROM unit u JOIN json_each(u.emails) e"
	" JOIN outbox_recipient r ON r.id = (SELECT r2.id FROM"
	" outbox_recipient r2 WHERE r2.address = e.value AND r2.status IN"
	" ('sent', 'refused') ORDER BY r2.updated_at DESC, r2.id DESC LIMIT 1)"
	" WHERE r.status = 'refused' AND (?1 = 0 AND u.removed_at IS NULL OR"
	" u.id = ?1) ORDER BY u.code, e.value";

struct bounce *
recipient_bounces(sqlite3 *db, long long unit_id, size_t *n)
{
	struct bounce *b = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;

	*n = 0;
	st = db_prepare(db, bounces_query, "I", unit_id);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			b = xrealloc(b, cap * sizeof(*b));
		}
		b[*n] = (struct bounce){
			.unit_id = sqlite3_column_int64(st, 0),
			.unit_code = db_column_strdup(st, 1),
			.unit_name = db_column_strdup(st, 2),
			.address = db_column_strdup(st, 3),
			.reply = db_column_strdup(st, 4),
			.at = (time_t)sqlite3_column_int64(st, 5),
		};
		(*n)++;
	}
	sqlite3_finalize(st);
	return b;
}

void
bounces_free(struct bounce *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(b[i].unit_code);
		free(b[i].unit_name);
		free(b[i].address);
		free(b[i].reply);
	}
	free(b);
}
