/* pages_logs.c — 发件箱 and 审计日志: read-only lists with filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "web/pages.h"

/* ---- the outbox ---- */

static const char outbox_cols[] = "o.id, o.created_at, o.kind, u.name,"
	" o.recipients, o.subject, o.status, o.attempts, o.last_error, o.sent_at";
static const char *const outbox_keys[] = { "id", "created_at", "kind",
	"unit_name", "recipients", "subject", "status", "attempts", "last_error",
	"sent_at" };

static sqlite3_stmt *
outbox_stmt(struct req *r, const char *cols, const char *tail)
{
	/* mail to the admins has no unit: visible to admins and viewers */
	char *scope = scope_sql(r);
	char *sql = xasprintf("SELECT %s FROM outbox o LEFT JOIN unit u ON u.id ="
	    " o.unit_id WHERE (u.id IS NULL AND %d OR %s) AND (?1 IS NULL OR"
	    " o.status = ?1) AND (?2 IS NULL OR o.kind = ?2) AND (?3 IS NULL OR"
	    " o.subject LIKE '%%' || ?3 || '%%' OR o.recipients LIKE '%%' || ?3 ||"
	    " '%%')%s", cols, r->user.role != ROLE_UNIT, scope, tail);
	sqlite3_stmt *st = db_prepare(r->web->db, sql, "sss", req_arg(r, "status"),
	    req_arg(r, "kind"), req_arg(r, "q"));

	free(sql);
	free(scope);
	return st;
}

static const char *
mail_status_text(const char *s)
{
	return strcmp(s, "queued") == 0 ? "待发送" : strcmp(s, "sent") == 0 ?
	    "已发送" : strcmp(s, "failed") == 0 ? "发送失败" : s;
}

static json_t *
outbox_row(sqlite3_stmt *st)
{
	json_t *row = json_object();
	char *to;
	size_t i, n;
	char **list;
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < ARRAY_SIZE(outbox_keys); i++)
		json_object_set_new(row, outbox_keys[i], db_column_json(st, (int)i));
	list = strv_from_json(db_column_text(st, 4), &n);
	for (i = 0; i < n; i++)
		sb_printf(&sb, "%s%s", i ? "，" : "", list[i]);
	strv_free(list);
	to = sb_steal(&sb);
	json_object_set_new(row, "recipients", json_string(to ? to : ""));
	free(to);
	json_object_set_new(row, "status_label", json_string(
	    mail_status_text(db_column_text(st, 6))));
	return row;
}

static const struct column outbox_csv[] = {
	{ "id", "编号", COL_TEXT }, { "created_at", "生成时间", COL_TIME },
	{ "kind", "类别", COL_TEXT }, { "unit_name", "单位", COL_TEXT },
	{ "recipients", "收件人", COL_TEXT }, { "subject", "主题", COL_TEXT },
	{ "status_label", "状态", COL_TEXT }, { "attempts", "尝试次数", COL_TEXT },
	{ "last_error", "最近错误", COL_TEXT }, { "sent_at", "发送时间", COL_TIME },
};

static void
add_outbox_row(struct tmpl_vars *v, const json_t *j)
{
	struct tmpl_vars *row = tmpl_add_row(v, "mails");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(outbox_keys); i++)
		set_json(row, outbox_keys[i], json_object_get(j, outbox_keys[i]));
	set_time(row, "created_at", json_object_get(j, "created_at"));
	set_time(row, "sent_at", json_object_get(j, "sent_at"));
	set_json(row, "status_label", json_object_get(j, "status_label"));
}

/* The filters and rows shared by both lists. */
static void
list_page(struct req *r, struct resp *resp, struct tmpl_vars *v,
    sqlite3_stmt *(*stmt)(struct req *, const char *, const char *),
    const char *cols, const char *order, json_t *(*row)(sqlite3_stmt *),
    void (*add)(struct tmpl_vars *, const json_t *))
{
	long long total = 0, offset;
	sqlite3_stmt *st;
	char *tail;
	json_t *j;

	if ((st = stmt(r, "count(*)", "")) && sqlite3_step(st) == SQLITE_ROW)
		total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	offset = page_paginate(r, v, total);
	tail = xasprintf(" ORDER BY %s LIMIT %ld OFFSET %lld", order,
	    r->web->cfg->web.page_size, offset);
	st = stmt(r, cols, tail);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		j = row(st);
		add(v, j);
		json_decref(j);
	}
	sqlite3_finalize(st);
	free(tail);
}

static void
export(struct req *r, struct resp *resp, const char *name,
    sqlite3_stmt *(*stmt)(struct req *, const char *, const char *),
    const char *cols, const char *order, json_t *(*row)(sqlite3_stmt *),
    const struct column *csv, size_t n)
{
	json_t *rows = json_array();
	char *tail = xasprintf(" ORDER BY %s", order);
	sqlite3_stmt *st = stmt(r, cols, tail);

	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, row(st));
	sqlite3_finalize(st);
	page_csv(resp, name, csv, n, rows);
	json_decref(rows);
	free(tail);
}

void
page_outbox(struct req *r, struct resp *resp)
{
	static const char *const statuses[][2] = { { "queued", "待发送" },
	    { "sent", "已发送" }, { "failed", "发送失败" } };
	static const char *const kinds[][2] = { { "alert", "预警通知" },
	    { "recovery", "恢复通知" }, { "gap", "监测缺口" },
	    { "digest", "每日汇总" }, { "notice", "点对点通报" },
	    { "wording", "表述错误" } };
	struct tmpl_vars *v;
	size_t i;

	if (page_wants_csv(r))
		return export(r, resp, "outbox.csv", outbox_stmt, outbox_cols,
		    "o.id DESC", outbox_row, outbox_csv, ARRAY_SIZE(outbox_csv));
	v = tmpl_vars_new();
	tmpl_set_list(v, "mails");
	list_page(r, resp, v, outbox_stmt, outbox_cols, "o.id DESC", outbox_row,
	    add_outbox_row);
	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		add_option(v, "status_options", statuses[i][0], statuses[i][1],
		    req_arg(r, "status"));
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		add_option(v, "kind_options", kinds[i][0], kinds[i][1],
		    req_arg(r, "kind"));
	tmpl_set(v, "q", req_arg(r, "q"));
	page_render(r, resp, "outbox.html", "发件箱", "outbox", v);
}

/* ---- the audit trail ---- */

static const char audit_cols[] = "id, at, actor, action, entity, entity_id,"
	" reason";
static const char *const audit_keys[] = { "id", "at", "actor", "action",
	"entity", "entity_id", "reason" };

static time_t
day_arg(struct req *r, const char *key, long long plus)
{
	time_t t;

	if (req_arg(r, key) == NULL || iso_date_to_time(req_arg(r, key), &t) == -1)
		return 0;
	return t + plus;
}

static sqlite3_stmt *
audit_stmt(struct req *r, const char *cols, const char *tail)
{
	/* the trail tells of every unit: only the centre's own staff read it */
	char *sql = xasprintf("SELECT %s FROM audit WHERE %d AND (?1 IS NULL OR"
	    " entity = ?1) AND (?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR"
	    " action = ?3) AND (?4 = 0 OR at >= ?4) AND (?5 = 0 OR at < ?5) AND"
	    " (?6 IS NULL OR reason LIKE '%%' || ?6 || '%%')%s", cols,
	    r->user.role != ROLE_UNIT, tail);
	sqlite3_stmt *st = db_prepare(r->web->db, sql, "sssIIs",
	    req_arg(r, "entity"), req_arg(r, "actor"), req_arg(r, "action"),
	    (long long)day_arg(r, "from", 0), (long long)day_arg(r, "to", 86400),
	    req_arg(r, "q"));

	free(sql);
	return st;
}

static json_t *
audit_row(sqlite3_stmt *st)
{
	json_t *row = json_object();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(audit_keys); i++)
		json_object_set_new(row, audit_keys[i], db_column_json(st, (int)i));
	return row;
}

static void
add_audit_row(struct tmpl_vars *v, const json_t *j)
{
	struct tmpl_vars *row = tmpl_add_row(v, "entries");
	const char *entity = json_string_value(json_object_get(j, "entity"));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(audit_keys); i++)
		set_json(row, audit_keys[i], json_object_get(j, audit_keys[i]));
	set_time(row, "at", json_object_get(j, "at"));
	tmpl_set(row, "is_account", entity && strcmp(entity, "account") == 0 ?
	    "1" : "");
	tmpl_set(row, "is_unit", entity && strcmp(entity, "unit") == 0 ? "1" : "");
}

static const struct column audit_csv[] = {
	{ "id", "编号", COL_TEXT }, { "at", "时间", COL_TIME },
	{ "actor", "操作人", COL_TEXT }, { "action", "操作", COL_TEXT },
	{ "entity", "对象类型", COL_TEXT }, { "entity_id", "对象编号", COL_TEXT },
	{ "reason", "事由", COL_TEXT },
};

void
page_audit(struct req *r, struct resp *resp)
{
	static const char *const entities[][2] = { { "account", "账号" },
	    { "unit", "单位" }, { "problem", "问题" }, { "user", "用户" },
	    { "notice", "通报" } };
	struct tmpl_vars *v;
	size_t i;

	if (page_wants_csv(r))
		return export(r, resp, "audit.csv", audit_stmt, audit_cols,
		    "id DESC", audit_row, audit_csv, ARRAY_SIZE(audit_csv));
	v = tmpl_vars_new();
	tmpl_set_list(v, "entries");
	list_page(r, resp, v, audit_stmt, audit_cols, "id DESC", audit_row,
	    add_audit_row);
	for (i = 0; i < ARRAY_SIZE(entities); i++)
		add_option(v, "entity_options", entities[i][0], entities[i][1],
		    req_arg(r, "entity"));
	tmpl_set(v, "actor", req_arg(r, "actor"));
	tmpl_set(v, "action", req_arg(r, "action"));
	tmpl_set(v, "from", req_arg(r, "from"));
	tmpl_set(v, "to", req_arg(r, "to"));
	tmpl_set(v, "q", req_arg(r, "q"));
	page_render(r, resp, "audit.html", "审计日志", "audit", v);
}
