/* pages_problems.c — 问题清单: filters, closing (销号) with a reason,
 * export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paperwork/paperwork.h"
#include "registry/problem.h"
#include "registry/workorder.h"
#include "store/db.h"
#include "web/pages.h"

static const char problem_cols[] = "p.id, u.code, u.name, a.id, a.platform,"
	" coalesce(a.name, '（单位整体）'), p.kind, p.detail, p.opened_at,"
	" p.due_at, p.closed_at, p.close_reason, p.close_note, p.severity,"
	" p.evidence, " WORKORDER_STATE("p");

static const char *const problem_keys[] = { "id", "unit", "unit_name",
	"account_id", "platform", "account", "kind", "detail", "opened_at",
	"due_at", "closed_at", "close_reason", "close_note", "severity",
	"evidence", "order_state" };

/* The problems a unit login sees are its work orders: a failing feed is
 * the monitoring's problem and never shown to it. */
static const char order_kinds[] = " AND " WORKORDER_KIND("p");

static sqlite3_stmt *
problem_stmt(struct req *r, const char *state, const char *cols,
    const char *tail)
{
	char *scope = scope_sql(r);
	char *sql = xasprintf("SELECT %s FROM problem p JOIN unit u ON u.id ="
	    " p.unit_id LEFT JOIN account a ON a.id = p.account_id WHERE %s%s AND"
	    " (?1 IS NULL OR u.code = ?1) AND (?2 IS NULL OR p.kind = ?2) AND"
	    " (CASE ?3 WHEN 'open' THEN p.closed_at IS NULL WHEN 'overdue' THEN"
	    " p.closed_at IS NULL AND p.due_at < ?4 WHEN 'closed' THEN p.closed_at"
	    " IS NOT NULL WHEN 'all' THEN 1 ELSE " WORKORDER_STATE("p") " = ?3"
	    " END)%s", cols, scope, is_unit_user(r) ? order_kinds : "", tail);
	sqlite3_stmt *st = db_prepare(r->web->db, sql, "sssI", req_arg(r, "unit"),
	    req_arg(r, "kind"), state, (long long)r->now);

	free(sql);
	free(scope);
	return st;
}

static const char *
reason_text(const char *reason)
{
	if (reason == NULL)
		return "";
	return strcmp(reason, "recovered") == 0 ? "已恢复更新" :
	    strcmp(reason, "rectified") == 0 ? "已整改" :
	    strcmp(reason, "waived") == 0 ? "免于整改" : reason;
}

static json_t *
problem_row(struct req *r, sqlite3_stmt *st)
{
	json_t *row = json_object(), *due;
	size_t i;
	bool open = db_column_is_null(st, 10);

	for (i = 0; i < ARRAY_SIZE(problem_keys); i++)
		json_object_set_new(row, problem_keys[i], db_column_json(st, (int)i));
	json_object_set_new(row, "platform_label", json_string(
	    db_column_is_null(st, 4) ? "" :
	    platform_label(r->web->cfg, db_column_text(st, 4))));
	json_object_set_new(row, "kind_label", json_string(
	    strcmp(db_column_text(st, 13), "serious") == 0 ? "严重表述错误" :
	    problem_kind_label(db_column_text(st, 6))));
	due = json_object_get(row, "due_at");
	json_object_set_new(row, "state_label", json_string(!open ? "已销号" :
	    json_is_integer(due) && json_integer_value(due) < r->now ?
	    "逾期未整改" : "整改中"));
	json_object_set_new(row, "reason_label", json_string(
	    reason_text(db_column_is_null(st, 11) ? NULL :
	    db_column_text(st, 11))));
	json_object_set_new(row, "order_label", json_string(
	    workorder_state_label((enum workorder_state)workorder_state_parse(
	    db_column_text(st, 15)))));
	return row;
}

static const struct column problem_csv[] = {
	{ "id", "编号", COL_TEXT }, { "unit_name", "单位", COL_TEXT },
	{ "platform_label", "平台", COL_TEXT }, { "account", "账号", COL_TEXT },
	{ "kind_label", "问题类型", COL_TEXT }, { "detail", "问题说明", COL_TEXT },
	{ "opened_at", "发现日期", COL_DATE }, { "due_at", "整改期限", COL_DATE },
	{ "state_label", "状态", COL_TEXT }, { "closed_at", "销号日期", COL_DATE },
	{ "reason_label", "销号原因", COL_TEXT }, { "close_note", "销号说明", COL_TEXT },
	{ "order_label", "工单", COL_TEXT },
};

static void
add_row(struct tmpl_vars *v, const json_t *j)
{
	struct tmpl_vars *row = tmpl_add_row(v, "problems");
	const char *state = json_string_value(json_object_get(j, "state_label"));

	set_json(row, "id", json_object_get(j, "id"));
	set_json(row, "unit_name", json_object_get(j, "unit_name"));
	set_json(row, "account_id", json_object_get(j, "account_id"));
	set_json(row, "platform", json_object_get(j, "platform_label"));
	set_json(row, "account", json_object_get(j, "account"));
	set_json(row, "kind", json_object_get(j, "kind_label"));
	set_json(row, "detail", json_object_get(j, "detail"));
	set_date(row, "opened", json_object_get(j, "opened_at"));
	set_date(row, "due", json_object_get(j, "due_at"));
	set_date(row, "closed", json_object_get(j, "closed_at"));
	tmpl_set(row, "state_label", state);
	tmpl_set(row, "open", strcmp(state, "已销号") ? "1" : "");
	tmpl_set(row, "overdue", strcmp(state, "逾期未整改") == 0 ? "1" : "");
	set_json(row, "reason", json_object_get(j, "reason_label"));
	set_json(row, "note", json_object_get(j, "close_note"));
	set_json(row, "order", json_object_get(j, "order_label"));
	set_json(row, "order_state", json_object_get(j, "order_state"));
}

static void
add_filters(struct req *r, struct tmpl_vars *v, const char *state)
{
	static const char *const kinds[] = { "stale", "dormant", "unreachable",
	    "wording", "manual", "reopened-closed-account" };
	static const char *const states[][2] = { { "open", "未销号" },
	    { "overdue", "逾期未整改" }, { "replied", "回复待审核" },
	    { "returned", "回复已退回" }, { "closed", "已销号" },
	    { "all", "全部" } };
	size_t i;

	add_unit_options(r, v, req_arg(r, "unit"));
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!is_unit_user(r) || strcmp(kinds[i], "unreachable") != 0)
			add_option(v, "kind_options", kinds[i],
			    problem_kind_label(kinds[i]), req_arg(r, "kind"));
	for (i = 0; i < ARRAY_SIZE(states); i++)
		add_option(v, "state_options", states[i][0], states[i][1], state);
}

void
page_problems(struct req *r, struct resp *resp)
{
	const char *state = req_arg(r, "state");
	struct tmpl_vars *v;
	long long total = 0, offset;
	sqlite3_stmt *st;
	json_t *j;
	char tail[96];

	state = state ? state : "open";
	if (!scope_code(r, resp, req_arg(r, "unit")))
		return;
	if (page_wants_csv(r)) {
		json_t *rows = json_array();

		st = problem_stmt(r, state, problem_cols, " ORDER BY p.id");
		while (st && sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(rows, problem_row(r, st));
		sqlite3_finalize(st);
		page_csv(resp, "problems.csv", problem_csv, ARRAY_SIZE(problem_csv),
		    rows);
		json_decref(rows);
		return;
	}
	v = tmpl_vars_new();
	if ((st = problem_stmt(r, state, "count(*)", "")) &&
	    sqlite3_step(st) == SQLITE_ROW)
		total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	offset = page_paginate(r, v, total);
	snprintf(tail, sizeof(tail), " ORDER BY p.closed_at IS NOT NULL,"
	    " p.due_at, p.id LIMIT %ld OFFSET %lld", r->web->cfg->web.page_size,
	    offset);
	st = problem_stmt(r, state, problem_cols, tail);
	tmpl_set_list(v, "problems");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		j = problem_row(r, st);
		add_row(v, j);
		json_decref(j);
	}
	sqlite3_finalize(st);
	add_filters(r, v, state);
	page_render(r, resp, "problems.html", is_unit_user(r) ? "整改工单" :
	    "问题清单", "problems", v);
}

struct close_args {
	const char *reason, *note;
};

static int
do_close(struct req *r, void *arg, char **error)
{
	struct close_args *c = arg;

	return problem_close(r->web->db, r->id, c->reason, c->note, error);
}

void
page_problem_close(struct req *r, struct resp *resp)
{
	struct close_args c;
	long long unit = 0;

	db_query_int(r->web->db, &unit, "SELECT unit_id FROM problem WHERE id = ?",
	    "I", r->id);
	if (!scope_check(r, resp, "problem", r->id, unit, "没有这个问题。"))
		return;
	c.reason = param_text(&r->form, "close_reason");
	if (c.reason == NULL || (strcmp(c.reason, "rectified") &&
	    strcmp(c.reason, "waived")))
		return resp_error(r, resp, 400, "请选择销号原因：已整改或免于整改。");
	if ((c.note = form_reason(r, resp)) == NULL)
		return;
	if (page_change(r, resp, "销号", do_close, &c) == 0)
		resp_redirect(resp, "/problems?done=problem");
}
