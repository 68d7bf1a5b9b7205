/* workorder.c — replies, reviews, and the answers to notices. */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "base/workdays.h"
#include "registry/problem.h"
#include "registry/validate.h"
#include "registry/workorder.h"
#include "store/audit.h"
#include "store/db.h"

static const char *const state_names[N_WO_STATES] = { "open", "replied",
	"returned", "closed" };
static const char *const state_labels[N_WO_STATES] = { "待回复", "待审核",
	"已退回", "已销号" };

const char *
workorder_state_name(enum workorder_state s)
{
	return (unsigned)s < N_WO_STATES ? state_names[s] : "?";
}

const char *
workorder_state_label(enum workorder_state s)
{
	return (unsigned)s < N_WO_STATES ? state_labels[s] : "?";
}

int
workorder_state_parse(const char *s)
{
	int i;

	for (i = 0; s && i < N_WO_STATES; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

/* Nothing but spaces and line breaks. */
static bool
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

static int
refuse(char **error, const char *field, const char *why)
{
	*error = xasprintf("%s: %s", field, why);
	return -1;
}

int
workorder_state(sqlite3 *db, long long problem_id, enum workorder_state *s)
{
	char *name = NULL;
	int rc = db_query_text(db, &name, "SELECT " WORKORDER_STATE("p")
	    " FROM problem p WHERE p.id = ?", "I", problem_id);

	if (rc == 0)
		*s = (enum workorder_state)workorder_state_parse(name);
	free(name);
	return rc;
}

long long
workorder_pending_reply(sqlite3 *db, long long problem_id)
{
	long long id = 0;

	db_query_int(db, &id, "SELECT r.id FROM reply r JOIN problem p ON p.id ="
	    " r.problem_id WHERE r.problem_id = ? AND p.closed_at IS NULL AND"
	    " r.id = (SELECT max(id) FROM reply WHERE problem_id = r.problem_id)"
	    " AND NOT EXISTS (SELECT 1 FROM review v WHERE v.reply_id = r.id)",
	    "I", problem_id);
	return id;
}

/* ---- replying ---- */

static const char *
check_done_on(const char *done_on, time_t now)
{
	char today[32];

	if (str_empty(done_on) || check_date(done_on) != NULL)
		return "must be a date YYYY-MM-DD";
	date_format_local(now, today, sizeof(today));
	return strcmp(done_on, today) > 0 ? "must not be in the future" : NULL;
}

static int
check_reply_text(const struct workorder_reply *r, time_t now, char **error)
{
	const char *why;

	if (str_empty(r->measures) || blank(r->measures))
		return refuse(error, "measures", "say what was done");
	if ((why = check_paragraphs(r->measures)) != NULL)
		return refuse(error, "measures", why);
	if ((why = check_done_on(r->done_on, now)) != NULL)
		return refuse(error, "done_on", why);
	if ((why = check_name(r->responsible)) != NULL)
		return refuse(error, "responsible", why);
	if (str_empty(r->link) && r->attachment_id == 0)
		return refuse(error, "evidence", "give a link or attach a file");
	if (!str_empty(r->link) && (why = check_feed_url(r->link)) != NULL)
		return refuse(error, "link", why);
	return 0;
}

/* The problem is open, its work order waits for a reply, and the file
 * and the notice, when given, are the problem's unit's. */
static int
check_reply_target(sqlite3 *db, const struct workorder_reply *r,
    long long unit, char **error)
{
	enum workorder_state s;
	long long one;

	if (workorder_state(db, r->problem_id, &s) != 0)
		return refuse(error, "problem", "no such problem");
	if (s == WO_CLOSED)
		return refuse(error, "problem", "is closed already (销号)");
	if (s == WO_REPLIED)
		return refuse(error, "problem", "its reply waits for a review");
	if (r->attachment_id && db_query_int(db, &one, "SELECT 1 FROM attachment"
	    " WHERE id = ? AND unit_id = ?", "II", r->attachment_id, unit) != 0)
		return refuse(error, "attachment", "no such file of this unit");
	if (r->document_id && db_query_int(db, &one, "SELECT 1 FROM document d"
	    " JOIN document_problem dp ON dp.document_id = d.id WHERE d.id = ?"
	    " AND d.kind = 'notice' AND d.state = 'issued' AND dp.problem_id = ?",
	    "II", r->document_id, r->problem_id) != 0)
		return refuse(error, "notice", "does not list this problem");
	return 0;
}

static json_t *
reply_record(const struct workorder_reply *r)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "problem_id",
	    (json_int_t)r->problem_id, "measures", r->measures, "done_on",
	    r->done_on, "responsible", r->responsible);

	json_object_set_new(o, "link", str_empty(r->link) ? json_null() :
	    json_string(r->link));
	json_object_set_new(o, "attachment_id", r->attachment_id ?
	    json_integer(r->attachment_id) : json_null());
	json_object_set_new(o, "notice_id", r->document_id ?
	    json_integer(r->document_id) : json_null());
	return o;
}

int
workorder_reply(sqlite3 *db, const struct workorder_reply *r, time_t now,
    long long *id, char **error)
{
	long long unit = 0;
	json_t *after;
	int rc;

	if (check_reply_text(r, now, error) == -1)
		return -1;
	db_query_int(db, &unit, "SELECT unit_id FROM problem WHERE id = ?", "I",
	    r->problem_id);
	if (check_reply_target(db, r, unit, error) == -1)
		return -1;
	if (db_run(db, "INSERT INTO reply (problem_id, unit_id, measures,"
	    " done_on, responsible, link, attachment_id, document_id,"
	    " submitted_at, submitted_by) VALUES (?, ?, ?, ?, ?, nullif(?, ''),"
	    " nullif(?, 0), nullif(?, 0), ?, ?)", "IIssssIIIs", r->problem_id,
	    unit, r->measures, r->done_on, r->responsible, r->link ? r->link : "",
	    r->attachment_id, r->document_id, (long long)now, audit_actor()) == -1)
		return refuse(error, "reply", "could not be stored");
	*id = sqlite3_last_insert_rowid(db);
	after = reply_record(r);
	json_object_set_new(after, "reply_id", json_integer(*id));
	rc = audit_record(db, "problem.reply", "problem", r->problem_id, NULL,
	    after, NULL);
	json_decref(after);
	return rc == 0 ? 0 : refuse(error, "reply", "could not be stored");
}

/* ---- reviewing ---- */

static int
close_rectified(sqlite3 *db, long long problem_id, long long reply_id,
    const char *comment, char **error)
{
	char *note = xasprintf("整改回复（第%lld号）经审核通过%s%s", reply_id,
	    str_empty(comment) ? "" : "：", str_empty(comment) ? "" : comment);
	int rc = problem_close(db, problem_id, "rectified", note, error);

	free(note);
	return rc;
}

int
workorder_review(sqlite3 *db, long long reply_id, bool accept,
    const char *comment, time_t now, long long *review_id,
    long long *problem_id, char **error)
{
	const char *why;
	json_t *after;
	int rc;

	if (db_query_int(db, problem_id, "SELECT problem_id FROM reply WHERE"
	    " id = ?", "I", reply_id) != 0)
		return refuse(error, "reply", "no such reply");
	if (workorder_pending_reply(db, *problem_id) != reply_id)
		return refuse(error, "reply", "is not the reply waiting for a "
		    "review (reviewed already, replaced, or its problem closed)");
	if (!accept && (str_empty(comment) || blank(comment)))
		return refuse(error, "comment", "say why the reply is returned");
	if ((why = check_paragraphs(comment)) != NULL)
		return refuse(error, "comment", why);
	if (db_run(db, "INSERT INTO review (reply_id, problem_id, decision,"
	    " comment, reviewed_at, reviewed_by) VALUES (?, ?, ?, nullif(?, ''),"
	    " ?, ?)", "IIssIs", reply_id, *problem_id, accept ? "accepted" :
	    "returned", comment ? comment : "", (long long)now,
	    audit_actor()) == -1)
		return refuse(error, "review", "could not be stored");
	*review_id = sqlite3_last_insert_rowid(db);
	after = json_pack("{s:I, s:s, s:s?}", "reply_id", (json_int_t)reply_id,
	    "decision", accept ? "accepted" : "returned", "comment",
	    str_empty(comment) ? NULL : comment);
	rc = audit_record(db, "problem.review", "problem", *problem_id, NULL,
	    after, comment);
	json_decref(after);
	if (rc == -1)
		return refuse(error, "review", "could not be stored");
	return accept ? close_rectified(db, *problem_id, reply_id, comment,
	    error) : 0;
}

/* ---- reading ---- */

static json_t *
reply_row(sqlite3_stmt *st)
{
	static const char *const keys[] = { "id", "measures", "done_on",
	    "responsible", "link", "submitted_at", "submitted_by" };
	json_t *row = json_object();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		json_object_set_new(row, keys[i], db_column_json(st, (int)i));
	json_object_set_new(row, "attachment", db_column_is_null(st, 7) ?
	    json_null() : json_pack("{s:I, s:s, s:s, s:I}", "id",
	    (json_int_t)sqlite3_column_int64(st, 7), "name",
	    db_column_text(st, 8), "type", db_column_text(st, 9), "size",
	    (json_int_t)sqlite3_column_int64(st, 10)));
	json_object_set_new(row, "notice", db_column_is_null(st, 11) ?
	    json_null() : json_pack("{s:I, s:s}", "id",
	    (json_int_t)sqlite3_column_int64(st, 11), "serial",
	    db_column_text(st, 12)));
	json_object_set_new(row, "review", db_column_is_null(st, 13) ?
	    json_null() : json_pack("{s:s, s:o, s:I, s:s}", "decision",
	    db_column_text(st, 13), "comment", db_column_json(st, 14),
	    "reviewed_at", (json_int_t)sqlite3_column_int64(st, 15),
	    "reviewed_by", db_column_text(st, 16)));
	return row;
}

json_t *
workorder_replies_json(sqlite3 *db, long long problem_id)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT r.id, r.measures, r.done_on,"
	    " r.responsible, r.link, r.submitted_at, r.submitted_by,"
	    " r.attachment_id, a.name, a.type, a.size, r.document_id, d.serial,"
	    " v.decision, v.comment, v.reviewed_at, v.reviewed_by FROM reply r"
	    " LEFT JOIN attachment a ON a.id = r.attachment_id LEFT JOIN document"
	    " d ON d.id = r.document_id LEFT JOIN review v ON v.reply_id = r.id"
	    " WHERE r.problem_id = ? ORDER BY r.id", "I", problem_id);
	json_t *rows = json_array();

	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, reply_row(st));
	sqlite3_finalize(st);
	return rows;
}

/* ---- notices ---- */

int
workorder_notice_answer(sqlite3 *db, long long document_id, time_t at,
    struct notice_answer *a)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT count(*), coalesce(sum(s <="
	    " ?2), 0), max(s), count(s) FROM (SELECT " WORKORDER_SETTLED_AT("p")
	    " AS s FROM document_problem dp JOIN problem p ON p.id ="
	    " dp.problem_id WHERE dp.document_id = ?1)", "II", document_id,
	    (long long)at);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;

	memset(a, 0, sizeof(*a));
	if (rc == SQLITE_ROW) {
		a->items = sqlite3_column_int(st, 0);
		a->settled = sqlite3_column_int(st, 1);
		a->answered = a->settled == a->items;
		/* answered when the last item was: never before the items
		 * existed, so with none it has no time */
		a->has_answered_at = a->answered && a->items > 0;
		a->answered_at = (time_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

json_t *
workorder_notices_overdue(sqlite3 *db, time_t now, long long unit_id,
    long long limit)
{
	sqlite3_stmt *st;
	json_t *rows = json_array();
	char today[32];
	time_t due;
	int rc = SQLITE_ERROR;

	/* a deadline day is over once the date has passed */
	date_format_local(now, today, sizeof(today));
	st = db_prepare(db, "SELECT d.id, d.serial, u.code, u.id, u.name,"
	    " d.due_on, d.issued_at, (SELECT count(*) FROM document_problem dp"
	    " WHERE dp.document_id = d.id), " NOTICE_UNSETTLED("d", "?1")
	    " AS unsettled FROM document d JOIN unit u ON u.id = d.unit_id WHERE"
	    " d.kind = 'notice' AND d.state = 'issued' AND d.due_on < ?2 AND"
	    " (?3 = 0 OR d.unit_id = ?3) AND unsettled > 0 ORDER BY d.due_on,"
	    " d.id LIMIT ?4", "IsII", (long long)now, today, unit_id,
	    limit > 0 ? limit : -1);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (date_end_time(db_column_text(st, 5), &due) == -1)
			due = now;
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:I, s:s,"
		    " s:s, s:I, s:I, s:I, s:I}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "serial",
		    db_column_text(st, 1), "unit", db_column_text(st, 2),
		    "unit_id", (json_int_t)sqlite3_column_int64(st, 3),
		    "unit_name", db_column_text(st, 4), "due_on",
		    db_column_text(st, 5), "issued_at",
		    (json_int_t)sqlite3_column_int64(st, 6), "items",
		    (json_int_t)sqlite3_column_int64(st, 7), "unsettled",
		    (json_int_t)sqlite3_column_int64(st, 8), "days_over",
		    (json_int_t)days_between(due, now) + 1));
	}
	if (st == NULL || rc != SQLITE_DONE) {
		json_decref(rows);
		rows = NULL;
	}
	sqlite3_finalize(st);
	return rows;
}
