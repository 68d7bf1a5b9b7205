/* report.c — gathering the status report. */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "monitor/evaluate.h"
#include "monitor/stats.h"
#include "paperwork/paperwork.h"
#include "paperwork/render.h"
#include "paperwork/report.h"
#include "registry/account.h"
#include "registry/problem.h"
#include "store/db.h"

/* The state class and label of an account: suspended accounts and those
 * the daemon has not evaluated yet are shown grey. */
static void
set_state(json_t *row, sqlite3_stmt *st)
{
	int s = db_column_is_null(st, 9) ? -1 : state_parse(db_column_text(st, 9));

	if (strcmp(db_column_text(st, 8), "suspended") == 0) {
		json_object_set_new(row, "state", json_string("none"));
		json_object_set_new(row, "state_label", json_string("已暂停"));
	} else if (s < 0) {
		json_object_set_new(row, "state", json_string("none"));
		json_object_set_new(row, "state_label", json_string("未评估"));
	} else {
		json_object_set_new(row, "state", json_string(state_name(s)));
		json_object_set_new(row, "state_label", json_string(state_label(s)));
	}
}

/* The accounts with open problems, each once (problem_accounts()). */
struct problem_set {
	struct problem_account *a;
	size_t                  n;
};

static json_t *
account_row(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    time_t now, const struct problem_set *ps)
{
	const struct problem_account *pa = problem_account_find(ps->a, ps->n,
	    sqlite3_column_int64(st, 0));
	time_t last = 0;
	bool has = account_last_update_at(db, sqlite3_column_int64(st, 0), now,
	    &last);
	time_t since = has ? last : account_grace_start(db_column_text(st, 6),
	    (time_t)sqlite3_column_int64(st, 7));
	json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "account_id",
	    (json_int_t)sqlite3_column_int64(st, 0), "unit", db_column_text(st, 1),
	    "unit_name", db_column_text(st, 2), "platform",
	    platform_label(cfg, db_column_text(st, 3)), "account",
	    db_column_text(st, 4), "uid", db_column_text(st, 12));

	set_state(row, st);
	json_object_set_new(row, "last_update", json_date(has, last));
	json_object_set_new(row, "days", json_integer(days_between(since, now)));
	json_object_set_new(row, "open_problems", json_integer(pa ? pa->problems :
	    0));
	set_threshold_days(row, account_warn_after(cfg, db_column_text(st, 3),
	    st, 10), account_stale_after(cfg, db_column_text(st, 3), st, 11));
	return row;
}

static json_t *
accounts(sqlite3 *db, const struct config *cfg, time_t now)
{
	json_t *rows = json_array();
	struct problem_set ps;
	sqlite3_stmt *st;

	if (problem_accounts(db, &(struct problem_window){ now, now, 0 }, &ps.a,
	    &ps.n) == -1) {
		json_decref(rows);
		return NULL;
	}
	st = db_prepare(db, "SELECT a.id, u.code, u.name, a.platform, a.name,"
	    " a.last_update_at, a.opened_on, a.created_at, a.status, s.state,"
	    " a.warn_after, a.stale_after, coalesce(a.platform_uid, '') FROM"
	    " account a JOIN unit u ON u.id = a.unit_id"
	    " LEFT JOIN account_state s ON s.account_id = a.id WHERE a.status IN"
	    " ('active', 'suspended') ORDER BY u.code, a.platform, a.id", "");
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, account_row(db, cfg, st, now, &ps));
	sqlite3_finalize(st);
	free(ps.a);
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

/* Units with their accounts nested, in the configured order; units
 * without open accounts are listed too, so nobody is missing from the
 * page. */
static json_t *
units(sqlite3 *db, const struct config *cfg, const json_t *accts)
{
	json_t *rows = json_array(), *list, *a;
	sqlite3_stmt *st;
	size_t i;

	st = db_prepare(db, "SELECT code, name FROM unit WHERE removed_at IS NULL"
	    " ORDER BY code", "");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		list = json_array();
		json_array_foreach(accts, i, a)
			if (strcmp(rd_str(a, "unit"), db_column_text(st, 0)) == 0)
				json_array_append(list, a);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:o}", "code",
		    db_column_text(st, 0), "name", db_column_text(st, 1),
		    "accounts", list));
	}
	sqlite3_finalize(st);
	sort_by_unit(cfg, rows, "code");
	return rows;
}

static json_t *
problem_row(const struct config *cfg, sqlite3_stmt *st, time_t now)
{
	char opened[CN_DATE_SIZE], due[CN_DATE_SIZE];
	bool unit_wide = db_column_is_null(st, 1);
	bool overdue = !db_column_is_null(st, 6) &&
	    sqlite3_column_int64(st, 6) < (long long)now;

	date_cn((time_t)sqlite3_column_int64(st, 5), opened, sizeof(opened));
	due[0] = '\0';
	if (!db_column_is_null(st, 6))
		date_cn((time_t)sqlite3_column_int64(st, 6), due, sizeof(due));
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:s, s:s, s:s}", "unit", db_column_text(st, 8), "unit_name",
	    db_column_text(st, 0), "account_id",
	    (json_int_t)sqlite3_column_int64(st, 9), "platform", unit_wide ?
	    "—" : platform_label(cfg, db_column_text(st, 1)), "account",
	    db_column_text(st, 2), "uid", db_column_text(st, 10), "kind",
	    strcmp(db_column_text(st, 7), "serious") == 0 ? "严重表述错误" :
	    problem_kind_label(db_column_text(st, 3)), "kind_key",
	    db_column_text(st, 3), "detail", db_column_text(st, 4), "opened",
	    opened, "due", due, "overdue", overdue ? "已逾期" : "", "state",
	    overdue ? "overdue" : "");
}

/* The open problems, one row each (an account has one problem per
 * condition). */
static json_t *
open_problems(sqlite3 *db, const struct config *cfg, time_t now)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT u.name, a.platform, coalesce(a.name,"
	    " '（单位整体）'), p.kind, p.detail, p.opened_at, p.due_at,"
	    " coalesce(p.severity, ''), u.code, coalesce(p.account_id, 0),"
	    " coalesce(a.platform_uid, '') FROM problem p JOIN unit u ON u.id ="
	    " p.unit_id LEFT JOIN account a ON a.id = p.account_id WHERE"
	    " p.closed_at IS NULL ORDER BY p.opened_at, p.id", "");
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, problem_row(cfg, st, now));
	sqlite3_finalize(st);
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

/* The counts at the top, from the one function every status display
 * uses; suspended accounts and those not evaluated yet count as "none". */
static json_t *
summary(sqlite3 *db, const struct config *cfg, time_t now)
{
	struct monitor_counts c;
	json_t *s = json_object();
	int k;

	monitor_counts_load(db, cfg, now, &c);
	json_object_set_new(s, "accounts", json_integer(c.active + c.suspended));
	for (k = 0; k < N_STATES; k++)
		json_object_set_new(s, state_name(k), json_integer(c.states[k]));
	json_object_set_new(s, "none", json_integer(c.suspended +
	    c.not_evaluated));
	json_object_set_new(s, "open_problems", json_integer(c.open_problems));
	json_object_set_new(s, "overdue_problems",
	    json_integer(c.overdue_problems));
	monitor_counts_free(&c);
	return s;
}

json_t *
report_build(sqlite3 *db, const struct config *cfg, time_t now)
{
	json_t *d, *accts = accounts(db, cfg, now), *problems, *lists[2];
	char generated[CN_DATE_SIZE];

	if (accts == NULL)
		return NULL;
	d = json_object();
	problems = open_problems(db, cfg, now);
	lists[0] = accts;
	lists[1] = problems;
	label_accounts(lists, ARRAY_SIZE(lists));
	time_cn(now, generated, sizeof(generated));
	json_object_set_new(d, "kind", json_string("report"));
	json_object_set_new(d, "title", json_string("政务新媒体账号监测状态"));
	json_object_set_new(d, "issuer", json_string(cfg->notice.issuer));
	json_object_set_new(d, "generated", json_string(generated));
	json_object_set_new(d, "summary", summary(db, cfg, now));
	json_object_set_new(d, "units", units(db, cfg, accts));
	json_object_set_new(d, "problems", problems);
	json_decref(accts);
	return d;
}
