/* pages_units.c — 单位: responsible units, their contacts and accounts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paperwork/paperwork.h"
#include "registry/unit.h"
#include "store/db.h"
#include "web/pages.h"

static const char unit_cols[] = "u.id, u.code, u.name, p.code, u.contact,"
	" u.phone, u.emails, (SELECT count(*) FROM account a WHERE a.unit_id ="
	" u.id AND a.status IN ('active', 'suspended')), (SELECT count(*) FROM"
	" account a JOIN account_state s ON s.account_id = a.id WHERE a.unit_id ="
	" u.id AND a.status = 'active' AND s.state IN ('stale', 'dormant')),"
	" (SELECT count(*) FROM problem q WHERE q.unit_id = u.id AND q.closed_at"
	" IS NULL)";

static const char *const unit_keys[] = { "id", "code", "name", "parent",
	"contact", "phone", "emails", "accounts", "failing", "problems" };

static sqlite3_stmt *
unit_stmt(struct req *r, const char *cols, const char *tail)
{
	char *scope = scope_sql(r);
	char *sql = xasprintf("SELECT %s FROM unit u LEFT JOIN unit p ON p.id ="
	    " u.parent_id WHERE u.removed_at IS NULL AND %s AND (?1 IS NULL OR"
	    " u.code LIKE '%%' || ?1 || '%%' OR u.name LIKE '%%' || ?1 || '%%')%s",
	    cols, scope, tail);
	sqlite3_stmt *st = db_prepare(r->web->db, sql, "s", req_arg(r, "q"));

	free(sql);
	free(scope);
	return st;
}

/* The JSON list of addresses as "a, b". */
static char *
emails_text(const char *json)
{
	size_t n, i;
	char **list = strv_from_json(json, &n);
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < n; i++)
		sb_printf(&sb, "%s%s", i ? "，" : "", list[i]);
	strv_free(list);
	return sb_steal(&sb);
}

static json_t *
unit_row(sqlite3_stmt *st)
{
	json_t *row = json_object();
	char *emails = emails_text(db_column_text(st, 6));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unit_keys); i++)
		json_object_set_new(row, unit_keys[i], i == 6 ? json_string(emails) :
		    db_column_json(st, (int)i));
	free(emails);
	return row;
}

static const struct column unit_csv[] = {
	{ "code", "单位代码", COL_TEXT }, { "name", "单位名称", COL_TEXT },
	{ "parent", "上级单位", COL_TEXT }, { "contact", "联系人", COL_TEXT },
	{ "phone", "电话", COL_TEXT }, { "emails", "邮箱", COL_TEXT },
	{ "accounts", "账号数", COL_TEXT }, { "failing", "超期及长期未更新", COL_TEXT },
	{ "problems", "未整改问题", COL_TEXT },
};

void
page_units(struct req *r, struct resp *resp)
{
	struct tmpl_vars *v, *row;
	long long total = 0, offset;
	sqlite3_stmt *st;
	json_t *rows = json_array(), *j;
	char tail[96];
	size_t i, k;

	if (page_wants_csv(r)) {
		st = unit_stmt(r, unit_cols, " ORDER BY u.code");
		while (st && sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(rows, unit_row(st));
		sqlite3_finalize(st);
		page_csv(resp, "units.csv", unit_csv, ARRAY_SIZE(unit_csv), rows);
		json_decref(rows);
		return;
	}
	v = tmpl_vars_new();
	if ((st = unit_stmt(r, "count(*)", "")) && sqlite3_step(st) == SQLITE_ROW)
		total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	offset = page_paginate(r, v, total);
	snprintf(tail, sizeof(tail), " ORDER BY u.code LIMIT %ld OFFSET %lld",
	    r->web->cfg->web.page_size, offset);
	st = unit_stmt(r, unit_cols, tail);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, unit_row(st));
	sqlite3_finalize(st);
	tmpl_set_list(v, "units");
	json_array_foreach(rows, i, j) {
		row = tmpl_add_row(v, "units");
		for (k = 0; k < ARRAY_SIZE(unit_keys); k++)
			set_json(row, unit_keys[k], json_object_get(j, unit_keys[k]));
	}
	json_decref(rows);
	tmpl_set(v, "q", req_arg(r, "q"));
	page_render(r, resp, "units.html", "单位", "units", v);
}

static void
add_accounts(struct req *r, struct tmpl_vars *v, long long unit)
{
	sqlite3_stmt *st = db_prepare(r->web->db, "SELECT a.id, a.platform,"
	    " a.name, a.status, s.state, a.last_update_at FROM account a LEFT JOIN"
	    " account_state s ON s.account_id = a.id WHERE a.unit_id = ? AND"
	    " a.status IN ('active', 'suspended') ORDER BY a.platform, a.id LIMIT"
	    " 500", "I", unit);
	struct tmpl_vars *row;
	json_t *t;

	tmpl_set_list(v, "accounts");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		row = tmpl_add_row(v, "accounts");
		tmpl_set(row, "id", db_column_text(st, 0));
		tmpl_set(row, "platform", platform_label(r->web->cfg,
		    db_column_text(st, 1)));
		tmpl_set(row, "name", db_column_text(st, 2));
		tmpl_set(row, "status", status_text(db_column_text(st, 3)));
		tmpl_set(row, "state", db_column_is_null(st, 4) ? "none" :
		    db_column_text(st, 4));
		tmpl_set(row, "state_label", strcmp(db_column_text(st, 3), "active") ?
		    "—" : state_text(db_column_is_null(st, 4) ? NULL :
		    db_column_text(st, 4)));
		t = db_column_json(st, 5);
		set_date(row, "last_update", t);
		json_decref(t);
	}
	sqlite3_finalize(st);
}

static void
add_children(struct req *r, struct tmpl_vars *v, long long unit)
{
	sqlite3_stmt *st = db_prepare(r->web->db, "SELECT id, code, name FROM unit"
	    " WHERE parent_id = ? AND removed_at IS NULL ORDER BY code", "I", unit);
	struct tmpl_vars *row;

	tmpl_set_list(v, "children");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		row = tmpl_add_row(v, "children");
		tmpl_set(row, "id", db_column_text(st, 0));
		tmpl_set(row, "code", db_column_text(st, 1));
		tmpl_set(row, "name", db_column_text(st, 2));
	}
	sqlite3_finalize(st);
}

void
page_unit(struct req *r, struct resp *resp)
{
	char *scope = scope_sql(r), *sql, *emails;
	struct tmpl_vars *v;
	long long one;
	json_t *u;
	int rc;

	sql = xasprintf("SELECT 1 FROM unit u WHERE u.id = ? AND %s", scope);
	rc = db_query_int(r->web->db, &one, sql, "I", r->id);
	free(sql);
	free(scope);
	if (rc != 0 || (u = unit_json(r->web->db, r->id)) == NULL)
		return resp_error(r, resp, 404, "没有这个单位。");
	v = tmpl_vars_new();
	set_json(v, "id", json_object_get(u, "id"));
	set_json(v, "code", json_object_get(u, "code"));
	set_json(v, "name", json_object_get(u, "name"));
	set_json(v, "parent", json_object_get(u, "parent"));
	set_json(v, "contact", json_object_get(u, "contact"));
	set_json(v, "phone", json_object_get(u, "phone"));
	set_json(v, "open_accounts", json_object_get(u, "open_accounts"));
	set_time(v, "created_at", json_object_get(u, "created_at"));
	emails = json_dumps(json_object_get(u, "emails"), 0);
	sql = emails_text(emails);
	tmpl_set(v, "emails", sql);
	free(sql);
	free(emails);
	add_accounts(r, v, r->id);
	add_children(r, v, r->id);
	page_render(r, resp, "unit.html", json_string_value(json_object_get(u,
	    "name")), "units", v);
	json_decref(u);
}
