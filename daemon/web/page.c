/* page.c — the layout around every page, paging, CSV exports and the
 * small helpers the pages share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "monitor/evaluate.h"
#include "registry/unit.h"
#include "registry/validate.h"
#include "store/audit.h"
#include "store/db.h"
#include "web/pages.h"

extern const struct template_file web_files[];
extern const size_t n_web_files;

const char *
web_file(const char *name)
{
	size_t i;

	for (i = 0; i < n_web_files; i++)
		if (strcmp(web_files[i].name, name) == 0)
			return web_files[i].text;
	return NULL;
}

/* What a finished action says on the page it leads back to (?done=KEY):
 * a fixed text, so a link cannot put words in the console's mouth. */
static const struct { const char *key, *text; } done_texts[] = {
	{ "opened", "账号已登记。" },
	{ "changed", "账号信息已变更。" },
	{ "suspended", "账号已暂停监测。" },
	{ "resumed", "账号已恢复监测。" },
	{ "closed", "账号已关停。" },
	{ "merged", "账号已整合。" },
	{ "touched", "已记录人工核实的更新。" },
	{ "problem", "问题已销号。" },
	{ "issued", "通报已印发。" },
	{ "voided", "通报已作废。" },
	{ "imported", "台账已导入。" },
	{ "replied", "整改回复已提交，等待审核。" },
	{ "accepted", "整改回复已审核通过，问题已销号，已邮件告知单位。" },
	{ "returned", "整改回复已退回，已邮件告知单位。" },
	{ "invited", "邀请邮件已进入发件箱，链接72小时内有效。" },
	{ "reset", "重设密码的邮件已进入发件箱，链接72小时内有效。" },
	{ "password", "密码已设置，请用新密码登录。" },
	{ "forgot", "如该账号登记了邮箱，重设密码的链接已发往该邮箱，72小时内有效。" },
};

static const char *
done_text(const struct req *r)
{
	const char *key = param_get(&r->query, "done");
	size_t i;

	for (i = 0; key && i < ARRAY_SIZE(done_texts); i++)
		if (strcmp(done_texts[i].key, key) == 0)
			return done_texts[i].text;
	return "";
}

static const char *const navs[] = { "dashboard", "accounts", "units",
	"problems", "documents", "import", "outbox", "audit", "users" };

static void
set_common(struct req *r, struct tmpl_vars *v, const char *title,
    const char *nav)
{
	char now[32], key[32];
	size_t i;

	time_format_local(r->now, now, sizeof(now));
	tmpl_set(v, "title", title);
	tmpl_set(v, "issuer", r->web->cfg->notice.issuer);
	tmpl_set(v, "now", now);
	tmpl_set(v, "logged_in", r->logged_in ? "1" : "");
	tmpl_set(v, "user_name", r->logged_in ? r->user.name : "");
	tmpl_set(v, "user_display", r->logged_in ? r->user.display_name : "");
	tmpl_set(v, "role_label", r->logged_in ? user_role_label(r->user.role) : "");
	tmpl_set(v, "is_admin", r->logged_in && r->user.role == ROLE_ADMIN ?
	    "1" : "");
	tmpl_set(v, "is_unit", r->logged_in && is_unit_user(r) ? "1" : "");
	tmpl_set(v, "is_staff", r->logged_in && !is_unit_user(r) ? "1" : "");
	tmpl_set(v, "csrf", r->logged_in ? r->session.csrf : "");
	tmpl_set(v, "flash", done_text(r));
	if (r->refresh > 0)
		tmpl_setf(v, "refresh", "%lld", r->refresh);
	else
		tmpl_set(v, "refresh", "");
	for (i = 0; i < ARRAY_SIZE(navs); i++) {
		snprintf(key, sizeof(key), "nav_%s", navs[i]);
		tmpl_set(v, key, nav && strcmp(nav, navs[i]) == 0 ? "1" : "");
	}
}

static int
render_part(const char *name, struct tmpl_vars *v, struct strbuf *out)
{
	const char *tmpl = web_file(name);
	char *text = NULL, *error = NULL;

	if (tmpl == NULL) {
		log_warnx("web: no page template %s", name);
		return -1;
	}
	if (template_render(tmpl, v, TMPL_HTML, &text, &error) == -1) {
		log_warnx("web: %s: %s", name, error);
		free(error);
		return -1;
	}
	sb_puts(out, text);
	free(text);
	return 0;
}

/* The body is tmpl rendered with v, or fragment as it is. */
static void
render_page(struct req *r, struct resp *resp, const char *tmpl,
    const char *fragment, const char *title, const char *nav,
    struct tmpl_vars *v)
{
	set_common(r, v, title, nav);
	sb_reset(&resp->body);
	if (render_part("head.html", v, &resp->body) == -1 ||
	    (tmpl ? render_part(tmpl, v, &resp->body) :
	    (sb_puts(&resp->body, fragment), 0)) == -1 ||
	    render_part("foot.html", v, &resp->body) == -1) {
		sb_reset(&resp->body);
		sb_puts(&resp->body, "<!DOCTYPE html><title>错误</title>"
		    "<p>页面生成失败，详情见系统日志。</p>");
		resp->status = 500;
	}
	resp->content_type = "text/html; charset=utf-8";
	tmpl_vars_free(v);
}

void
page_render(struct req *r, struct resp *resp, const char *tmpl,
    const char *title, const char *nav, struct tmpl_vars *v)
{
	render_page(r, resp, tmpl, NULL, title, nav, v);
}

void
page_render_fragment(struct req *r, struct resp *resp, const char *fragment,
    const char *title, const char *nav)
{
	render_page(r, resp, NULL, fragment, title, nav, tmpl_vars_new());
}

int
page_fragment(const char *tmpl, struct tmpl_vars *v, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = render_part(tmpl, v, &sb);

	*out = rc == 0 ? sb_steal(&sb) : NULL;
	sb_free(&sb);
	return rc;
}

long long
page_paginate(struct req *r, struct tmpl_vars *v, long long total)
{
	long long size = r->web->cfg->web.page_size;
	long long pages = total == 0 ? 1 : (total + size - 1) / size;
	long long page = parse_id(param_get(&r->query, "page"));
	char num[24], *url;

	if (page < 1)
		page = 1;
	if (page > pages)
		page = pages;
	tmpl_setf(v, "total", "%lld", total);
	tmpl_setf(v, "page", "%lld", page);
	tmpl_setf(v, "pages", "%lld", pages);
	snprintf(num, sizeof(num), "%lld", page - 1);
	url = page > 1 ? url_with(r, "page", num) : NULL;
	tmpl_set(v, "prev_url", url);
	free(url);
	snprintf(num, sizeof(num), "%lld", page + 1);
	url = page < pages ? url_with(r, "page", num) : NULL;
	tmpl_set(v, "next_url", url);
	free(url);
	url = url_with(r, "format", "csv");
	tmpl_set(v, "csv_url", url);
	free(url);
	return (page - 1) * size;
}

bool
page_wants_csv(const struct req *r)
{
	const char *f = param_get(&r->query, "format");

	return f && strcmp(f, "csv") == 0;
}

/* Like output_rows()'s CSV, but headed with the columns' Chinese names:
 * the file is for people opening it in a spreadsheet. */
static void
csv_rows(FILE *out, const struct column *cols, size_t n, json_t *rows)
{
	const json_t *row;
	size_t i, r;
	char *cell;

	for (i = 0; i < n; i++) {
		fputs(i ? "," : "", out);
		csv_put_field(out, cols[i].header);
	}
	fputs("\r\n", out);
	json_array_foreach(rows, r, row) {
		for (i = 0; i < n; i++) {
			cell = output_cell(json_object_get(row, cols[i].key),
			    cols[i].kind);
			fputs(i ? "," : "", out);
			csv_put_field(out, cell);
			free(cell);
		}
		fputs("\r\n", out);
	}
}

void
page_csv(struct resp *resp, const char *filename, const struct column *cols,
    size_t n, json_t *rows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL)
		fatal("open_memstream");
	fputs("\xEF\xBB\xBF", out);
	csv_rows(out, cols, n, rows);
	fclose(out);
	sb_reset(&resp->body);
	sb_append(&resp->body, buf, len);
	free(buf);
	resp->content_type = "text/csv; charset=utf-8";
	free(resp->disposition);
	resp->disposition = xasprintf("attachment; filename=\"%s\"", filename);
}

void
page_refused(struct req *r, struct resp *resp, const char *what, char *error)
{
	char *msg;

	error = error ? i18n_field_named(error) : NULL;
	msg = xasprintf("%s未执行：%s", what, error ? error : "数据库错误");

	resp_error(r, resp, 409, msg);
	free(msg);
	free(error);
}

static void
set_formatted(struct tmpl_vars *v, const char *key, const json_t *t,
    void (*fmt)(time_t, char *, size_t))
{
	char buf[32];

	if (!json_is_integer(t)) {
		tmpl_set(v, key, "—");
		return;
	}
	fmt((time_t)json_integer_value(t), buf, sizeof(buf));
	tmpl_set(v, key, buf);
}

void
set_time(struct tmpl_vars *v, const char *key, const json_t *t)
{
	set_formatted(v, key, t, time_format_local);
}

void
set_date(struct tmpl_vars *v, const char *key, const json_t *t)
{
	set_formatted(v, key, t, date_format_local);
}

void
set_json(struct tmpl_vars *v, const char *key, const json_t *j)
{
	if (json_is_string(j))
		tmpl_set(v, key, json_string_value(j));
	else if (json_is_integer(j))
		tmpl_setf(v, key, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
	else if (json_is_true(j))
		tmpl_set(v, key, "1");
	else
		tmpl_set(v, key, "");
}

void
add_option(struct tmpl_vars *v, const char *list, const char *value,
    const char *label, const char *current)
{
	struct tmpl_vars *row = tmpl_add_row(v, list);

	tmpl_set(row, "value", value);
	tmpl_set(row, "label", label);
	tmpl_set(row, "selected", current && strcmp(current, value) == 0 ?
	    "1" : "");
}

const char *
form_reason(struct req *r, struct resp *resp)
{
	const char *reason = param_text(&r->form, "reason");
	const char *why = reason ? check_note(reason) : "is required";

	if (why == NULL)
		return reason;
	resp_error(r, resp, 400, reason ? "事由含有不能保存的字符，请修改后重新提交。" :
	    "请填写事由：每项变更都记入审计日志。");
	return NULL;
}

int
page_change(struct req *r, struct resp *resp, const char *what,
    int (*fn)(struct req *, void *, char **), void *arg)
{
	sqlite3 *db = r->web->db;
	char *error = NULL;

	if (db_begin(db) == -1) {
		page_refused(r, resp, what, xstrdup("数据库正忙，请稍后再试"));
		return -1;
	}
	if (fn(r, arg, &error) == -1 || db_commit(db) == -1) {
		db_rollback(db);
		page_refused(r, resp, what, error);
		return -1;
	}
	r->web->writes++;
	return 0;
}

bool
is_unit_user(const struct req *r)
{
	return r->user.role == ROLE_UNIT;
}

char *
scope_sql_on(const struct req *r, const char *column)
{
	if (!is_unit_user(r))
		return xstrdup("1");
	return unit_scope_sql(column, r->user.unit_id, r->user.subordinates);
}

char *
scope_sql(const struct req *r)
{
	return scope_sql_on(r, "u.id");
}

void
add_unit_options(struct req *r, struct tmpl_vars *v, const char *current)
{
	char *scope = scope_sql(r);
	char *sql = xasprintf("SELECT u.code, u.name FROM unit u WHERE"
	    " u.removed_at IS NULL AND %s ORDER BY u.code", scope);
	sqlite3_stmt *st = db_prepare(r->web->db, sql, "");

	tmpl_set_list(v, "unit_options");
	while (st && sqlite3_step(st) == SQLITE_ROW)
		add_option(v, "unit_options", db_column_text(st, 0),
		    db_column_text(st, 1), current);
	sqlite3_finalize(st);
	free(sql);
	free(scope);
}

bool
scope_allows(struct req *r, long long unit_id)
{
	char *scope = scope_sql(r);
	char *sql = xasprintf("SELECT 1 FROM unit u WHERE u.id = ? AND %s", scope);
	long long one;
	int rc = db_query_int(r->web->db, &one, sql, "I", unit_id);

	free(sql);
	free(scope);
	return rc == 0;
}

/* The attempt in the audit trail, in a transaction of its own: a page
 * that reads has none open. */
static void
audit_refusal(struct req *r, const char *what, long long id)
{
	sqlite3 *db = r->web->db;
	json_t *after = json_pack("{s:s, s:s, s:I}", "method", r->method,
	    "route", r->path, "unit_id", (json_int_t)r->user.unit_id);

	if (db_begin(db) == 0 && audit_record(db, "access.denied", what, id,
	    NULL, after, "另一单位的数据") == 0 && db_commit(db) == 0)
		r->web->writes++;
	else
		db_rollback(db);
	json_decref(after);
}

void
role_refuse(struct req *r)
{
	sqlite3 *db = r->web->db;
	char actor[96], *code = NULL;
	json_t *after;

	if (r->user.role != ROLE_UNIT)
		return;
	db_query_text(db, &code, "SELECT code FROM unit WHERE id = ?", "I",
	    r->user.unit_id);
	log_event(LOG_WARNING, NULL, 0, code, "web: %s (unit login of %s) "
	    "refused %s %s: not for its role", r->user.name, code ? code : "?",
	    r->method, r->path);
	free(code);
	after = json_pack("{s:s, s:s, s:I}", "method", r->method, "route",
	    r->path, "unit_id", (json_int_t)r->user.unit_id);
	snprintf(actor, sizeof(actor), "web:%s", r->user.name);
	audit_set_actor(actor);
	if (db_begin(db) == 0 && audit_record(db, "access.forbidden", "route",
	    r->id, NULL, after, "不对责任单位开放的功能") == 0 &&
	    db_commit(db) == 0)
		r->web->writes++;
	else
		db_rollback(db);
	audit_set_actor(NULL);
	json_decref(after);
}

void
audit_download(struct req *r, const char *action, const char *entity,
    long long id)
{
	sqlite3 *db = r->web->db;

	if (db_begin(db) == 0 && audit_record(db, action, entity, id, NULL,
	    NULL, NULL) == 0 && db_commit(db) == 0)
		r->web->writes++;
	else
		db_rollback(db);
}

void
scope_refuse(struct req *r, struct resp *resp, const char *what, long long id,
    const char *msg)
{
	char *code = NULL;

	db_query_text(r->web->db, &code, "SELECT code FROM unit WHERE id = ?", "I",
	    r->user.unit_id);
	log_event(LOG_WARNING, NULL, 0, code, "web: %s (unit login of %s) "
	    "refused %s %s: %s %lld belongs to another unit", r->user.name,
	    code ? code : "?", r->method, r->path, what, id);
	audit_refusal(r, what, id);
	free(code);
	resp_error(r, resp, 404, msg);
}

bool
scope_check(struct req *r, struct resp *resp, const char *what, long long id,
    long long unit_id, const char *msg)
{
	if (unit_id == 0) {
		resp_error(r, resp, 404, msg);
		return false;
	}
	if (scope_allows(r, unit_id))
		return true;
	scope_refuse(r, resp, what, id, msg);
	return false;
}

bool
scope_code(struct req *r, struct resp *resp, const char *code)
{
	long long id = code ? unit_id(r->web->db, code) : 0;

	if (id == 0 || scope_allows(r, id))
		return true;
	scope_refuse(r, resp, "unit", id, "没有这个单位。");
	return false;
}

char *
form_paragraphs(struct req *r, const char *key)
{
	const char *v = param_text(&r->form, key);
	struct strbuf sb = STRBUF_INIT;

	if (v == NULL)
		return NULL;
	for (; *v; v++)
		if (!(v[0] == '\r' && v[1] == '\n'))
			sb_putc(&sb, *v);
	return sb_steal(&sb);
}

const char *
state_text(const char *state)
{
	int s = state ? state_parse(state) : -1;

	return s < 0 ? "未评估" : state_label((enum account_state)s);
}

const char *
status_text(const char *status)
{
	static const struct { const char *key, *label; } labels[] = {
		{ "active", "在用" }, { "suspended", "暂停监测" },
		{ "closed", "已关停" }, { "merged", "已整合" },
	};
	size_t i;

	for (i = 0; status && i < ARRAY_SIZE(labels); i++)
		if (strcmp(labels[i].key, status) == 0)
			return labels[i].label;
	return status ? status : "";
}

/* ---- list totals ---- */

#define COUNTS_KEPT     64
#define COUNTS_MAX_AGE  60

struct count_cache {
	struct {
		char       *key;
		long long   n;
		long long   data_version;
		unsigned    writes;
		time_t      at;
	} e[COUNTS_KEPT];
	unsigned next;
};

long long
web_data_version(struct web_state *w)
{
	long long v = -1;

	db_query_int(w->db, &v, "PRAGMA data_version", "");
	return v;
}

long long
page_count_cached(struct req *r, const char *key)
{
	struct count_cache *c = r->web->counts;
	long long dv;
	size_t i;

	if (c == NULL)
		return -1;
	dv = web_data_version(r->web);
	for (i = 0; i < COUNTS_KEPT; i++)
		if (c->e[i].key && strcmp(c->e[i].key, key) == 0)
			return c->e[i].data_version == dv &&
			    c->e[i].writes == r->web->writes &&
			    r->now >= c->e[i].at &&
			    r->now - c->e[i].at < COUNTS_MAX_AGE ? c->e[i].n : -1;
	return -1;
}

void
page_count_store(struct req *r, const char *key, long long n)
{
	struct count_cache *c = r->web->counts;
	size_t i;

	if (c == NULL)
		c = r->web->counts = xcalloc(1, sizeof(*c));
	for (i = 0; i < COUNTS_KEPT; i++)
		if (c->e[i].key && strcmp(c->e[i].key, key) == 0)
			break;
	if (i == COUNTS_KEPT)
		i = c->next++ % COUNTS_KEPT;
	free(c->e[i].key);
	c->e[i].key = xstrdup(key);
	c->e[i].n = n;
	c->e[i].data_version = web_data_version(r->web);
	c->e[i].writes = r->web->writes;
	c->e[i].at = r->now;
}

void
page_count_free(struct web_state *w)
{
	size_t i;

	if (w->counts == NULL)
		return;
	for (i = 0; i < COUNTS_KEPT; i++)
		free(w->counts->e[i].key);
	free(w->counts);
	w->counts = NULL;
}

void
resp_error(struct req *r, struct resp *resp, int status, const char *msg)
{
	struct tmpl_vars *v = tmpl_vars_new();

	tmpl_set(v, "message", msg);
	tmpl_setf(v, "status", "%d", status);
	resp->status = status;
	page_render(r, resp, "error.html", status >= 500 ? "出错了" :
	    "无法完成", NULL, v);
	resp->status = status;
}

const char *
field_label(const char *field)
{
	static const struct { const char *key, *label; } labels[] = {
		{ "unit", "单位" }, { "unit_code", "单位" }, { "unit_name", "单位名称" },
		{ "platform", "平台" }, { "name", "账号名称" },
		{ "platform_uid", "账号ID" }, { "feed_url", "订阅地址" },
		{ "status", "状态" }, { "merged_into", "并入账号" },
		{ "opened_on", "开设日期" }, { "closed_on", "关停日期" },
		{ "operator", "运维人员" }, { "filing_no", "备案号" },
		{ "notes", "备注" }, { "warn_after", "预警期限" },
		{ "stale_after", "超期期限" }, { "dormant_after", "长期未更新期限" },
		{ "display_name", "姓名" }, { "role", "角色" }, { "disabled", "停用" },
		{ "detail", "说明" }, { "close_reason", "销号原因" },
		{ "close_note", "销号说明" }, { "closed_at", "销号时间" },
	};
	size_t i;

	for (i = 0; field && i < ARRAY_SIZE(labels); i++)
		if (strcmp(labels[i].key, field) == 0)
			return labels[i].label;
	return field;
}
