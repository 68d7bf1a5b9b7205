/* document.c — numbering, storing and voiding issued documents. */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "paperwork/document.h"
#include "paperwork/paperwork.h"
#include "store/audit.h"
#include "store/db.h"

const char *
document_serial_pattern(const struct config *cfg, const char *kind)
{
	return strcmp(kind, "bulletin") == 0 ? cfg->bulletin.serial_format :
	    cfg->notice.serial_format;
}

/* Voided documents count: their numbers stay taken. */
static long long
next_sequence(sqlite3 *db, const char *kind, int year)
{
	long long n = 0;

	db_query_int(db, &n, "SELECT coalesce(max(sequence), 0) + 1 FROM document"
	    " WHERE kind = ? AND year = ?", "si", kind, year);
	return n;
}

static int
link_problems(sqlite3 *db, long long id, const json_t *ids)
{
	const json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
		if (db_run(db, "INSERT OR IGNORE INTO document_problem (document_id,"
		    " problem_id) VALUES (?, ?)", "II", id,
		    (long long)json_integer_value(v)) == -1)
			return -1;
	return 0;
}

static int
audit_issue(sqlite3 *db, const struct document_new *d, long long id)
{
	json_t *after = json_pack("{s:s, s:O, s:O}", "kind", d->kind, "serial",
	    json_object_get(d->data, "serial"), "title",
	    json_object_get(d->data, "title"));
	int rc;

	if (d->unit_id)
		json_object_set(after, "unit", json_object_get(d->data, "unit_code"));
	if (d->period)
		json_object_set_new(after, "period", json_string(d->period));
	if (d->problem_ids)
		json_object_set(after, "problems", (json_t *)d->problem_ids);
	rc = audit_record(db, strcmp(d->kind, "bulletin") == 0 ?
	    "bulletin.issue" : "notice.issue", "document", id, NULL, after, NULL);
	json_decref(after);
	return rc;
}

int
document_issue(sqlite3 *db, const struct config *cfg, struct document_new *d,
    time_t now, long long *id, char **error)
{
	struct tm tm;
	long long seq;
	char *serial, *text;
	int year, rc;

	localtime_r(&now, &tm);
	year = tm.tm_year + 1900;
	seq = next_sequence(db, d->kind, year);
	serial = serial_format(document_serial_pattern(cfg, d->kind), year,
	    (long)seq);
	json_object_set_new(d->data, "serial", json_string(serial));
	json_object_set_new(d->data, "year", json_integer(year));
	json_object_set_new(d->data, "sequence", json_integer(seq));
	text = json_dumps(d->data, JSON_COMPACT | JSON_PRESERVE_ORDER);
	rc = db_run(db, "INSERT INTO document (kind, year, sequence, serial,"
	    " unit_id, period, issued_at, issued_by, due_on, data) VALUES (?, ?,"
	    " ?, ?, nullif(?, 0), ?, ?, ?, nullif(?, ''), ?)", "siIsIsIsss",
	    d->kind, year, seq, serial, d->unit_id, d->period, (long long)now,
	    audit_actor(), d->due_on ? d->due_on : "", text);
	free(text);
	free(serial);
	if (rc == -1)
		return set_error(error, "%s: could not be stored", d->kind);
	*id = sqlite3_last_insert_rowid(db);
	if ((d->problem_ids && link_problems(db, *id, d->problem_ids) == -1) ||
	    audit_issue(db, d, *id) == -1)
		return set_error(error, "%s: could not be stored", d->kind);
	return 0;
}

/* ---- voiding ---- */

struct doc_row {
	char  *kind, *state, *serial;
};

static int
read_row(sqlite3 *db, long long id, struct doc_row *r)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT kind, state, serial FROM"
	    " document WHERE id = ?", "I", id);
	int found = 0;

	memset(r, 0, sizeof(*r));
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		r->kind = db_column_strdup(st, 0);
		r->state = db_column_strdup(st, 1);
		r->serial = db_column_strdup(st, 2);
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

static void
row_free(struct doc_row *r)
{
	free(r->kind);
	free(r->state);
	free(r->serial);
}

static const char *
kind_word(const char *kind)
{
	return strcmp(kind, "bulletin") == 0 ? "bulletin" : "notice";
}

/* Refuses a document that is not there to void. */
static int
check_voidable(sqlite3 *db, const char *kind, long long id, struct doc_row *r,
    char **error)
{
	if (!read_row(db, id, r))
		return set_error(error, "%s %lld: no such %s", kind_word(kind), id,
		    kind_word(kind));
	if (strcmp(r->kind, kind) != 0)
		return set_error(error, "%s %lld: document %lld is a %s (use "
		    "`mediawatchctl %s void %lld`)", kind_word(kind), id, id,
		    r->kind, r->kind, id);
	if (strcmp(r->state, "void") == 0)
		return set_error(error, "%s %lld: %s was voided before", kind,
		    id, r->serial);
	return 0;
}

int
document_void(sqlite3 *db, const char *kind, long long id, const char *reason,
    time_t now, char **error)
{
	struct doc_row r;
	json_t *before, *after;
	int rc;

	if (reason == NULL || str_empty(reason))
		return set_error(error, "%s void: a reason is required (--reason)",
		    kind_word(kind));
	if (check_voidable(db, kind, id, &r, error) == -1) {
		row_free(&r);
		return -1;
	}
	rc = db_run(db, "UPDATE document SET state = 'void', voided_at = ?,"
	    " voided_by = ?, void_reason = ? WHERE id = ?", "IssI",
	    (long long)now, audit_actor(), reason, id);
	before = json_pack("{s:s, s:s}", "serial", r.serial, "state", "issued");
	after = json_pack("{s:s, s:s}", "serial", r.serial, "state", "void");
	if (rc == 0)
		rc = audit_record(db, strcmp(kind, "bulletin") == 0 ?
		    "bulletin.void" : "notice.void", "document", id, before,
		    after, reason);
	if (rc == -1)
		set_error(error, "%s %lld: could not be voided", kind_word(kind), id);
	json_decref(before);
	json_decref(after);
	row_free(&r);
	return rc;
}

/* ---- reading ---- */

static void
add_void(json_t *d, sqlite3_stmt *st)
{
	char at[32];

	date_cn((time_t)sqlite3_column_int64(st, 3), at, sizeof(at));
	json_object_set_new(d, "void", json_pack("{s:s, s:s, s:s}", "at", at,
	    "by", db_column_text(st, 4), "reason", db_column_text(st, 5)));
}

json_t *
document_data(sqlite3 *db, const char *kind, long long id, char **error)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT kind, state, data, voided_at,"
	    " coalesce(voided_by, ''), coalesce(void_reason, '') FROM document"
	    " WHERE id = ?", "I", id);
	json_t *d = NULL;

	if (st && sqlite3_step(st) == SQLITE_ROW) {
		if (strcmp(db_column_text(st, 0), kind) != 0)
			set_error(error, "%s %lld: document %lld is a %s (use "
			    "`mediawatchctl %s show %lld`)", kind_word(kind), id,
			    id, db_column_text(st, 0), db_column_text(st, 0), id);
		else if ((d = json_loads(db_column_text(st, 2), 0, NULL)) == NULL)
			set_error(error, "%s %lld: its stored data is damaged",
			    kind_word(kind), id);
		else if (strcmp(db_column_text(st, 1), "void") == 0)
			add_void(d, st);
	} else
		set_error(error, "%s %lld: no such %s", kind_word(kind), id,
		    kind_word(kind));
	sqlite3_finalize(st);
	return d;
}

long long
document_bulletin_of(sqlite3 *db, const char *period)
{
	long long id = 0;

	db_query_int(db, &id, "SELECT id FROM document WHERE kind = 'bulletin'"
	    " AND period = ? AND state = 'issued'", "s", period);
	return id;
}

static json_t *
list_row(sqlite3_stmt *st)
{
	json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:o,"
	    " s:I, s:b}", "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "serial", db_column_text(st, 1), "state", db_column_text(st, 2),
	    "unit", db_column_text(st, 3), "unit_name", db_column_text(st, 4),
	    "period", db_column_text(st, 5), "issued_at",
	    (json_int_t)sqlite3_column_int64(st, 6), "issued_by",
	    db_column_text(st, 7), "due", db_column_json(st, 8), "problems",
	    (json_int_t)sqlite3_column_int64(st, 9), "sent",
	    sqlite3_column_int(st, 10));

	json_object_set_new(row, "voided_at", db_column_json(st, 11));
	json_object_set_new(row, "void_reason", db_column_json(st, 12));
	return row;
}

json_t *
document_list_json(sqlite3 *db, const char *kind)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT d.id, d.serial, d.state, coalesce(u.code,"
	    " ''), coalesce(u.name, ''), coalesce(d.period, ''), d.issued_at,"
	    " d.issued_by, d.due_on, coalesce(json_extract(d.data,"
	    " '$.problem_count'), (SELECT count(*) FROM document_problem dp"
	    " WHERE dp.document_id = d.id)), d.outbox_id IS NOT NULL,"
	    " d.voided_at, d.void_reason FROM document d LEFT JOIN unit u ON"
	    " u.id = d.unit_id WHERE d.kind = ? ORDER BY d.issued_at DESC,"
	    " d.id DESC", "s", kind);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, list_row(st));
	sqlite3_finalize(st);
	return rows;
}

long long
document_unit(sqlite3 *db, long long id)
{
	long long unit = 0;

	db_query_int(db, &unit, "SELECT coalesce(unit_id, 0) FROM document WHERE"
	    " id = ?", "I", id);
	return unit;
}

bool
document_sent(sqlite3 *db, long long id)
{
	long long sent = 0;

	db_query_int(db, &sent, "SELECT outbox_id IS NOT NULL FROM document"
	    " WHERE id = ?", "I", id);
	return sent != 0;
}

int
document_mark_sent(sqlite3 *db, long long id, const char *dedup_key)
{
	return db_run(db, "UPDATE document SET outbox_id = (SELECT id FROM"
	    " outbox WHERE dedup_key = ?) WHERE id = ?", "sI", dedup_key, id);
}
