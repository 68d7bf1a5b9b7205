/* problem.c — the problem list. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/jsonrow.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "base/workdays.h"
#include "registry/account.h"
#include "registry/problem.h"
#include "registry/unit.h"
#include "registry/validate.h"
#include "store/audit.h"
#include "store/db.h"

static int
refuse(char **error, const char *field, const char *why)
{
	*error = xasprintf("%s: %s", field, _(why));
	return -1;
}

static int
audit_problem(sqlite3 *db, const char *action, long long id, json_t *before,
    const char *reason)
{
	json_t *after = problem_json(db, id, mw_now());
	int rc = audit_record(db, action, "problem", id, before, after, reason);

	json_decref(after);
	return rc;
}

static int
resolve_owner(sqlite3 *db, const struct problem_new *p, long long *unit,
    char **evidence, char **error)
{
	char *feed = NULL;

	if (p->account_id == 0) {
		if (str_empty(p->unit_code))
			return refuse(error, "account", N_("give --account ID or --unit CODE"));
		if ((*unit = unit_id(db, p->unit_code)) == 0)
			return refuse(error, "unit", N_("no such unit"));
		return 0;
	}
	if (db_query_int(db, unit, "SELECT unit_id FROM account WHERE id = ?", "I",
	    p->account_id) != 0)
		return refuse(error, "account", N_("no such account"));
	db_query_text(db, &feed, "SELECT feed_url FROM account WHERE id = ?", "I",
	    p->account_id);
	*evidence = feed;
	return 0;
}

int
problem_add(sqlite3 *db, const struct problem_new *p, time_t due,
    long long *id, char **error)
{
	const char *kind = p->kind ? p->kind : "manual";
	char *feed = NULL;
	long long unit, last = 0;
	time_t now = mw_now();
	int rc;

	if (strcmp(kind, "manual") != 0 && strcmp(kind, "wording") != 0)
		return refuse(error, "kind", N_("admins add manual or wording problems; "
		    "the others are opened by the monitor"));
	if (check_name(p->detail))
		return refuse(error, "detail", check_name(p->detail));
	if (p->evidence && check_optional_text(p->evidence))
		return refuse(error, "evidence", check_optional_text(p->evidence));
	if (p->due && date_end_time(p->due, &due) == -1)
		return refuse(error, "due", N_("must be a date YYYY-MM-DD"));
	if (resolve_owner(db, p, &unit, &feed, error) == -1)
		return -1;
	if (p->account_id)
		db_query_int(db, &last, "SELECT coalesce(last_update_at, 0) FROM"
		    " account WHERE id = ?", "I", p->account_id);
	rc = db_run(db, "INSERT INTO problem (account_id, unit_id, kind, detail,"
	    " evidence, last_update_at, opened_at, opened_by, due_at) VALUES"
	    " (nullif(?, 0), ?, ?, ?, ?, nullif(?, 0), ?, ?, ?)", "IIsssIIsI",
	    p->account_id, unit, kind, p->detail,
	    p->evidence ? p->evidence : (feed ? feed : "人工核查"), last,
	    (long long)now, audit_actor(), (long long)due);
	free(feed);
	if (rc == -1)
		return refuse(error, "problem", N_("could not be stored"));
	*id = sqlite3_last_insert_rowid(db);
	return audit_problem(db, "problem.add", *id, NULL, NULL);
}

static int
problem_is_open(sqlite3 *db, long long id, bool *open)
{
	long long closed;

	if (db_query_int(db, &closed, "SELECT closed_at IS NOT NULL FROM problem"
	    " WHERE id = ?", "I", id) != 0)
		return -1;
	*open = !closed;
	return 0;
}

int
problem_close(sqlite3 *db, long long id, const char *reason, const char *note,
    char **error)
{
	json_t *before;
	bool open;
	int rc;

	if (problem_is_open(db, id, &open) == -1)
		return refuse(error, "id", N_("no such problem"));
	if (!open)
		return refuse(error, "status", N_("the problem is closed already"));
	if (reason == NULL || (strcmp(reason, "recovered") && strcmp(reason,
	    "rectified") && strcmp(reason, "waived")))
		return refuse(error, "reason", N_("must be recovered, rectified or waived"));
	if (note && check_optional_text(note))
		return refuse(error, "note", check_optional_text(note));
	before = problem_json(db, id, mw_now());
	rc = db_run(db, "UPDATE problem SET closed_at = ?, close_reason = ?,"
	    " close_note = ? WHERE id = ?", "IssI", (long long)mw_now(), reason,
	    note, id);
	if (rc == 0)
		rc = audit_problem(db, "problem.close", id, before, note);
	json_decref(before);
	return rc == 0 ? 0 : refuse(error, "problem", N_("could not be stored"));
}

/* The copy of a closed problem that reopens it. */
static int
insert_reopened(sqlite3 *db, long long id, time_t due, const char *note,
    long long *new_id)
{
	if (db_run(db, "INSERT INTO problem (account_id, unit_id, kind, detail,"
	    " evidence, last_update_at, opened_at, opened_by, due_at, post_id,"
	    " severity, reopened_from) SELECT p.account_id, p.unit_id, p.kind,"
	    " p.detail, p.evidence, coalesce(a.last_update_at, p.last_update_at),"
	    " ?2, ?3, ?4, p.post_id, p.severity, p.id FROM problem p LEFT JOIN"
	    " account a ON a.id = p.account_id WHERE p.id = ?1", "IIsI", id,
	    (long long)mw_now(), audit_actor(), (long long)due) == -1)
		return -1;
	*new_id = sqlite3_last_insert_rowid(db);
	return db_run(db, "INSERT INTO problem_event (problem_id, at, actor,"
	    " action, other_id, note) VALUES (?, ?, ?, 'reopened', ?, ?)",
	    "IIsIs", id, (long long)mw_now(), audit_actor(), *new_id, note);
}

int
problem_reopen(sqlite3 *db, long long id, const char *note, time_t due,
    long long *new_id, char **error)
{
	bool open;

	if (problem_is_open(db, id, &open) == -1)
		return refuse(error, "id", N_("no such problem"));
	if (open)
		return refuse(error, "status", N_("the problem is open already"));
	if (str_empty(note))
		return refuse(error, "note", N_("say why it is reopened"));
	/* the closed problem stays as it was: a past bulletin read it so */
	if (insert_reopened(db, id, due, note, new_id) == -1)
		return refuse(error, "problem", N_("cannot be reopened (an open "
		    "problem of this condition exists for the account)"));
	return audit_problem(db, "problem.reopen", *new_id, NULL, note);
}

/* ---- the monitor's problems ---- */

/* One automatic problem: the columns, the row of their values and its
 * binding; a condition already open keeps its problem. */
#define AUTO_INSERT "INSERT INTO problem (account_id, unit_id, kind, detail," \
	" evidence, last_update_at, opened_at, opened_by, due_at, post_id," \
	" severity) VALUES"
#define AUTO_ROW "(?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, nullif(?, 0), ?)"
#define AUTO_COLS 11
#define AUTO_TAIL "ON CONFLICT DO NOTHING"
#define AUTO_FMT "IIsssIIsIIs"
#define AUTO_ARGS(p, now) (p)->account_id, (p)->unit_id, (p)->kind, \
	(p)->detail, (p)->evidence, \
	(p)->has_last_update ? (long long)(p)->last_update : 0LL, \
	(long long)(now), (p)->opened_by ? (p)->opened_by : "mediawatchd", \
	(long long)(p)->due, (p)->post_id, (p)->severity

int
problem_auto_open(sqlite3 *db, const struct problem_auto *p, time_t now,
    long long *id, time_t *due)
{
	long long existing_id = 0, existing_due = 0;

	if (db_run(db, AUTO_INSERT " " AUTO_ROW " " AUTO_TAIL, AUTO_FMT,
	    AUTO_ARGS(p, now)) == -1)
		return -1;
	if (sqlite3_changes(db) > 0) {
		if (id)
			*id = sqlite3_last_insert_rowid(db);
		if (due)
			*due = p->due;
		return 1;
	}
	/* stale and dormant are one condition: either holds the place */
	if (db_query_int(db, &existing_id, "SELECT id FROM problem WHERE"
	    " account_id = ?1 AND closed_at IS NULL AND (kind = ?2 OR (?2 IN"
	    " ('stale', 'dormant') AND kind IN ('stale', 'dormant')))", "Is",
	    p->account_id, p->kind) == -1 || db_query_int(db, &existing_due,
	    "SELECT coalesce(due_at, 0) FROM problem WHERE id = ?", "I",
	    existing_id) == -1)
		return -1;
	if (id)
		*id = existing_id;
	if (due)
		*due = (time_t)existing_due;
	return 0;
}

long long
problem_auto_open_many(sqlite3 *db, const struct problem_auto *p, size_t n,
    time_t now)
{
	struct db_batch b;
	size_t i;

	db_batch_begin(&b, db, AUTO_INSERT, AUTO_ROW, AUTO_COLS, AUTO_TAIL, n);
	for (i = 0; i < n; i++)
		if (db_batch_row(&b, AUTO_FMT, AUTO_ARGS(&p[i], now)) == -1)
			break;
	return db_batch_end(&b);
}

int
problem_auto_escalate(sqlite3 *db, long long id, const char *kind,
    const char *detail, time_t now)
{
	if (db_run(db, "INSERT INTO problem_event (problem_id, at, actor, action,"
	    " from_kind, to_kind, detail_before) SELECT id, ?2, 'mediawatchd',"
	    " 'escalated', kind, ?3, detail FROM problem WHERE id = ?1 AND"
	    " closed_at IS NULL AND kind != ?3", "IIs", id, (long long)now,
	    kind) == -1)
		return -1;
	if (sqlite3_changes(db) == 0)
		return 0;
	return db_run(db, "UPDATE problem SET kind = ?, detail = ? WHERE id = ?",
	    "ssI", kind, detail, id) == -1 ? -1 : 1;
}

int
problem_auto_close(sqlite3 *db, long long id, const char *reason,
    const char *note, time_t now)
{
	if (db_run(db, "UPDATE problem SET closed_at = ?, close_reason = ?,"
	    " close_note = ? WHERE id = ? AND closed_at IS NULL", "IssI",
	    (long long)now, reason, note, id) == -1)
		return -1;
	return sqlite3_changes(db);
}

int
problem_reopened_open(sqlite3 *db, long long account_id, long long unit_id,
    const char *evidence, time_t last_update, time_t due, time_t now,
    long long *id)
{
	const struct problem_auto p = {
		.account_id = account_id, .unit_id = unit_id,
		.kind = "reopened-closed-account", .detail = "已注销账号违规私开",
		.evidence = evidence, .has_last_update = true,
		.last_update = last_update, .due = due,
	};

	return problem_auto_open(db, &p, now, id, NULL);
}

int
problem_auto_close_inactive(sqlite3 *db, time_t now)
{
	if (db_run(db, "UPDATE problem SET closed_at = ?, close_reason = 'waived',"
	    " close_note = '账号已暂停、关停或整合' WHERE closed_at IS NULL"
	    " AND (kind = 'stale' OR kind = 'dormant' OR kind = 'unreachable')"
	    " AND account_id IN (SELECT id FROM account WHERE status != 'active')",
	    "I", (long long)now) == -1)
		return -1;
	return sqlite3_changes(db);
}

static const char problem_select[] =
	"SELECT p.id, u.code, u.name, p.account_id, a.name, a.platform, p.kind,"
	" p.severity, p.detail, p.evidence, p.last_update_at, p.opened_at,"
	" p.opened_by, p.due_at, p.closed_at, p.close_reason, p.close_note,"
	" p.post_id, p.reopened_from, (SELECT max(e.other_id) FROM problem_event"
	" e WHERE e.problem_id = p.id AND e.action = 'reopened'), (SELECT"
	" min(e.at) FROM problem_event e WHERE e.problem_id = p.id AND"
	" e.action = 'escalated') FROM problem p JOIN unit u ON u.id = p.unit_id"
	" LEFT JOIN account a ON a.id = p.account_id ";

/* A problem's row; the texts that repeat from problem to problem (its
 * unit, platform, kind, the monitor's wording) are shared in texts. */
static json_t *
problem_row(sqlite3_stmt *st, time_t now, json_t *texts)
{
	static const struct {
		const char *key;
		bool        shared;
	} cols[] = { { "id", false }, { "unit", true }, { "unit_name", true },
	    { "account_id", false }, { "account_name", false },
	    { "platform", true }, { "kind", true }, { "severity", true },
	    { "detail", true }, { "evidence", false },
	    { "last_update_at", false }, { "opened_at", false },
	    { "opened_by", true }, { "due_at", false }, { "closed_at", false },
	    { "close_reason", true }, { "close_note", false },
	    { "post_id", false }, { "reopened_from", false },
	    { "reopened_as", false }, { "escalated_at", false } };
	json_t *row = json_object();
	bool open = db_column_is_null(st, 14);
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(cols); i++)
		if (cols[i].shared && sqlite3_column_type(st, i) == SQLITE_TEXT)
			row_shared(row, cols[i].key, texts, db_column_text(st, i));
		else
			json_object_set_new(row, cols[i].key, db_column_json(st, i));
	row_shared(row, "state", texts, open ? "open" : "closed");
	json_object_set_new(row, "overdue", json_boolean(open &&
	    !db_column_is_null(st, 13) && sqlite3_column_int64(st, 13) < now));
	return row;
}

json_t *
problem_json(sqlite3 *db, long long id, time_t now)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	json_t *row = NULL, *texts = json_object();

	sb_printf(&sql, "%sWHERE p.id = ?", problem_select);
	if ((st = db_prepare(db, sb_str(&sql), "I", id)) != NULL &&
	    sqlite3_step(st) == SQLITE_ROW)
		row = problem_row(st, now, texts);
	sqlite3_finalize(st);
	json_decref(texts);
	sb_free(&sql);
	return row;
}

json_t *
problem_list_json(sqlite3 *db, const struct problem_filter *f)
{
	struct strbuf sql = STRBUF_INIT;
	const char *state = f->state ? f->state : "open";
	json_t *rows = json_array(), *texts = json_object();
	sqlite3_stmt *st;

	sb_printf(&sql, "%sWHERE (?1 IS NULL OR u.code = ?1) AND (?2 IS NULL OR"
	    " p.kind = ?2) AND (?3 = 0 OR p.account_id = ?3) AND (?4 = 'all' OR"
	    " (?4 = 'open') = (p.closed_at IS NULL)) AND (?5 = 0 OR (p.closed_at"
	    " IS NULL AND p.due_at < ?6)) ORDER BY u.code, p.opened_at, p.id",
	    problem_select);
	st = db_prepare(db, sb_str(&sql), "ssIsII", f->unit_code, f->kind,
	    f->account_id, state, (long long)f->overdue, (long long)f->now);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, problem_row(st, f->now, texts));
	sqlite3_finalize(st);
	json_decref(texts);
	sb_free(&sql);
	return rows;
}

/* ---- counting each account once ---- */

static const char *const kinds_by_rank[] = { NULL, "unreachable", "manual",
    "wording", "stale", "dormant" };

int
problem_kind_rank(const char *kind)
{
	size_t i;

	for (i = 1; kind && i < ARRAY_SIZE(kinds_by_rank); i++)
		if (strcmp(kinds_by_rank[i], kind) == 0)
			return (int)i;
	return 2;     /* another kind weighs as a manual problem */
}

/* The problems of accounts open in the window: ?1 from, ?2 to, ?3 the
 * unit (0: all). */
#define IN_WINDOW \
	" FROM problem p WHERE p.account_id IS NOT NULL AND p.opened_at <= ?2" \
	" AND (p.closed_at IS NULL OR p.closed_at > ?1) AND (?3 = 0 OR" \
	" p.unit_id = ?3)"

/* Each account's worst rank, as kinds_by_rank orders them. */
static const char accounts_query[] =
	"SELECT p.account_id, max(p.unit_id), max(CASE " PROBLEM_KIND_AT("p", "?2")
	" WHEN 'dormant' THEN 5 WHEN 'stale' THEN 4 WHEN 'wording' THEN 3"
	" WHEN 'unreachable' THEN 1 ELSE 2 END), count(*), max(p.kind ="
	" 'wording' AND p.severity = 'serious')" IN_WINDOW
	" AND p.account_id >= ?4 AND p.account_id < ?5"
	" GROUP BY p.account_id ORDER BY p.account_id";

int
problem_accounts(sqlite3 *db, const struct problem_window *w,
    struct problem_account **out, size_t *n)
{
	sqlite3_stmt *st = db_prepare(db, accounts_query, "IIIII",
	    (long long)w->from, (long long)w->to, w->unit_id, w->first_id,
	    w->end_id ? w->end_id : LLONG_MAX);
	size_t cap = 0;
	int rc, rank;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		rank = sqlite3_column_int(st, 2);
		(*out)[(*n)++] = (struct problem_account){
			.account_id = sqlite3_column_int64(st, 0),
			.unit_id = sqlite3_column_int64(st, 1),
			.worst = kinds_by_rank[rank >= 1 && rank <= 5 ? rank : 2],
			.problems = sqlite3_column_int(st, 3),
			.serious = sqlite3_column_int(st, 4) != 0,
		};
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
account_cmp(const void *key, const void *elem)
{
	long long id = *(const long long *)key;
	const struct problem_account *a = elem;

	return id < a->account_id ? -1 : id > a->account_id;
}

const struct problem_account *
problem_account_find(const struct problem_account *a, size_t n,
    long long account_id)
{
	return n ? bsearch(&account_id, a, n, sizeof(*a), account_cmp) : NULL;
}

int
problem_account_count(sqlite3 *db, const struct problem_window *w,
    long long *n)
{
	return db_query_int(db, n, "SELECT count(DISTINCT p.account_id)"
	    IN_WINDOW, "III", (long long)w->from, (long long)w->to,
	    w->unit_id) == -1 ? -1 : 0;
}

int
problem_tally(sqlite3 *db, const struct problem_window *w,
    struct problem_tally *t)
{
	struct problem_account *a;
	size_t i, n;

	memset(t, 0, sizeof(*t));
	if (problem_accounts(db, w, &a, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		t->by_rank[problem_kind_rank(a[i].worst)]++;
	t->accounts = (long)n;
	free(a);
	return 0;
}
