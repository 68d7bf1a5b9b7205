/* pages_documents.c — 通报: point-to-point notices (preview, issue,
 * download) and the monthly bulletin.
 *
 * A document is shown as the paperwork renderers print it: a page of its
 * own, with its own style sheet inline and no script, so it gets a policy
 * of its own (inline style only) instead of the console's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "paperwork/bulletin.h"
#include "paperwork/notice.h"
#include "paperwork/paperwork.h"
#include "paperwork/render.h"
#include "store/db.h"
#include "web/pages.h"

static const char document_csp[] = "default-src 'none'; style-src "
	"'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none';"
	" form-action 'none'";

/* Whether notice id exists and is addressed to a unit the user sees. */
static bool
notice_visible(struct req *r, long long id)
{
	char *scope = scope_sql(r);
	char *sql = xasprintf("SELECT 1 FROM notice n JOIN unit u ON u.id ="
	    " n.unit_id WHERE n.id = ? AND %s", scope);
	long long one;
	int rc = db_query_int(r->web->db, &one, sql, "I", id);

	free(sql);
	free(scope);
	return rc == 0;
}

/* Whether unit code names a current unit the user sees. */
static bool
unit_visible(struct req *r, const char *code)
{
	char *scope = scope_sql(r);
	char *sql = xasprintf("SELECT 1 FROM unit u WHERE u.code = ? AND"
	    " u.removed_at IS NULL AND %s", scope);
	long long one;
	int rc = db_query_int(r->web->db, &one, sql, "s", code);

	free(sql);
	free(scope);
	return rc == 0;
}

static void
add_units(struct req *r, struct tmpl_vars *v)
{
	char *scope = scope_sql(r);
	char *sql = xasprintf("SELECT u.code, u.name, (SELECT count(*) FROM problem"
	    " p WHERE p.unit_id = u.id AND p.closed_at IS NULL AND p.kind <>"
	    " 'unreachable') FROM unit u WHERE u.removed_at IS NULL AND %s ORDER BY"
	    " 3 DESC, u.code", scope);
	sqlite3_stmt *st = db_prepare(r->web->db, sql, "");
	struct tmpl_vars *row;

	tmpl_set_list(v, "units");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		row = tmpl_add_row(v, "units");
		tmpl_set(row, "code", db_column_text(st, 0));
		tmpl_set(row, "name", db_column_text(st, 1));
		tmpl_set(row, "problems", db_column_text(st, 2));
	}
	sqlite3_finalize(st);
	free(sql);
	free(scope);
}

static void
add_notices(struct req *r, struct tmpl_vars *v)
{
	json_t *rows = notice_list_json(r->web->db), *n;
	struct tmpl_vars *row;
	size_t i;

	tmpl_set_list(v, "notices");
	json_array_foreach(rows, i, n) {
		row = tmpl_add_row(v, "notices");
		set_json(row, "id", json_object_get(n, "id"));
		set_json(row, "serial", json_object_get(n, "serial"));
		set_json(row, "unit_name", json_object_get(n, "unit_name"));
		set_time(row, "issued_at", json_object_get(n, "issued_at"));
		set_json(row, "due", json_object_get(n, "due"));
		set_json(row, "problems", json_object_get(n, "problems"));
		set_json(row, "issued_by", json_object_get(n, "issued_by"));
		tmpl_set(row, "sent", json_is_true(json_object_get(n, "sent")) ?
		    "已发送" : "未发送");
	}
	json_decref(rows);
}

void
page_documents(struct req *r, struct resp *resp)
{
	struct tmpl_vars *v = tmpl_vars_new();
	struct month m, prev;
	char month[8];

	add_units(r, v);
	add_notices(r, v);
	month_of(r->now, &m);
	month_shift(&m, -1, &prev);
	month_format(&prev, month, sizeof(month));
	tmpl_set(v, "month", month);
	page_render(r, resp, "documents.html", "通报", "documents", v);
}

static void
send_document(struct resp *resp, const json_t *data,
    void (*fn)(FILE *, const json_t *, enum render_format),
    enum render_format f, const char *name)
{
	char *text = render_to_string(fn, data, f);

	sb_reset(&resp->body);
	sb_puts(&resp->body, text ? text : "");
	free(text);
	resp->csp = document_csp;
	if (f == RENDER_HTML) {
		resp->content_type = "text/html; charset=utf-8";
		return;
	}
	resp->content_type = f == RENDER_CSV ? "text/csv; charset=utf-8" :
	    f == RENDER_JSON ? "application/json" : "text/plain; charset=utf-8";
	free(resp->disposition);
	resp->disposition = xasprintf("attachment; filename=\"%s.%s\"", name,
	    render_format_ext(f));
}

/* A preview is the notice issue would make, made and rolled back: it
 * takes no number and leaves nothing behind. */
void
page_document_preview(struct req *r, struct resp *resp)
{
	const char *unit = req_arg(r, "unit"), *month = req_arg(r, "month");
	sqlite3 *db = r->web->db;
	char *error = NULL;
	json_t *data = NULL;
	long long id;
	struct month m;

	if (month) {
		if (month_parse(month, &m) == -1 ||
		    (data = bulletin_build(db, r->web->cfg, &m, r->now, &error)) == NULL)
			return page_refused(r, resp, "月度通报生成", error ? error :
			    xstrdup("月份应写作“年-月”，如 2026-10"));
		send_document(resp, data, render_bulletin, RENDER_HTML, "bulletin");
		json_decref(data);
		return;
	}
	if (unit == NULL || !unit_visible(r, unit))
		return resp_error(r, resp, 404, "没有这个单位。");
	if (db_begin(db) == -1)
		return resp_error(r, resp, 503, "数据库正忙，请稍后再试。");
	if (notice_issue(db, r->web->cfg, unit, true, r->now, &id, &error) == 0)
		data = notice_data(db, id);
	db_rollback(db);
	if (data == NULL)
		return page_refused(r, resp, "预览", error);
	send_document(resp, data, render_notice, RENDER_HTML, "notice");
	json_decref(data);
}

struct issue_args {
	const char *unit;
	bool        send, allow_empty;
	long long   id;
};

static int
do_issue(struct req *r, void *arg, char **error)
{
	struct issue_args *a = arg;

	if (notice_issue(r->web->db, r->web->cfg, a->unit, a->allow_empty, r->now,
	    &a->id, error) == -1)
		return -1;
	return a->send ? notice_send(r->web->db, r->web->cfg, a->id, r->now,
	    error) : 0;
}

void
page_document_issue(struct req *r, struct resp *resp)
{
	struct issue_args a = { 0 };

	a.unit = param_text(&r->form, "unit");
	a.send = param_text(&r->form, "send") != NULL;
	a.allow_empty = param_text(&r->form, "allow_empty") != NULL;
	if (a.unit == NULL)
		return resp_error(r, resp, 400, "请选择受文单位。");
	if (!unit_visible(r, a.unit))
		return resp_error(r, resp, 404, "没有这个单位。");
	if (page_change(r, resp, "印发通报", do_issue, &a) == 0)
		resp_redirect(resp, "/documents?done=issued#notice-%lld", a.id);
}

void
page_document_download(struct req *r, struct resp *resp)
{
	static const struct { const char *name; enum render_format f; } kinds[] = {
		{ "notice.html", RENDER_HTML }, { "notice.md", RENDER_MD },
		{ "notice.txt", RENDER_TXT }, { "notice.json", RENDER_JSON },
	};
	json_t *data;
	char *name;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(kinds[i].name, r->tail) == 0)
			break;
	if (i == ARRAY_SIZE(kinds) || !notice_visible(r, r->id) ||
	    (data = notice_data(r->web->db, r->id)) == NULL)
		return resp_error(r, resp, 404, "没有这份通报。");
	name = xasprintf("notice-%lld", r->id);
	send_document(resp, data, render_notice, kinds[i].f, name);
	if (param_get(&r->query, "download") && kinds[i].f == RENDER_HTML) {
		free(resp->disposition);
		resp->disposition = xasprintf("attachment; filename=\"%s.html\"", name);
	}
	free(name);
	json_decref(data);
}
