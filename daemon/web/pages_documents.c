/* pages_documents.c — 通报: point-to-point notices and monthly bulletins
 * (preview, issue, void, download as .docx, HTML and the rest).
 *
 * A document is shown as the paperwork renderers print it: a page of its
 * own, with its own style sheet inline and no script, so it gets a policy
 * of its own (inline style only) instead of the console's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "paperwork/bulletin.h"
#include "paperwork/document.h"
#include "paperwork/notice.h"
#include "paperwork/paperwork.h"
#include "paperwork/render.h"
#include "registry/unit.h"
#include "registry/workorder.h"
#include "store/db.h"
#include "web/pages.h"

static const char document_csp[] = "default-src 'none'; style-src "
	"'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none';"
	" form-action 'none'";

/* Whether the user sees the unit of this code. */
static bool
visible(struct req *r, const char *code)
{
	long long id = unit_id(r->web->db, code);

	return id != 0 && scope_allows(r, id);
}

/* Whether the user sees document id: a bulletin whoever may read the
 * region, and a unit login once it is issued (it goes to every unit); a
 * notice through its unit.  A 404 rendered when not, another unit's
 * notice reached by a unit login recorded. */
static bool
document_visible(struct req *r, struct resp *resp, long long id)
{
	sqlite3_stmt *st = db_prepare(r->web->db, "SELECT kind, state,"
	    " coalesce(unit_id, 0) FROM document WHERE id = ?", "I", id);
	bool found = st && sqlite3_step(st) == SQLITE_ROW, ok = false;
	long long unit = found ? sqlite3_column_int64(st, 2) : 0;

	if (found && strcmp(db_column_text(st, 0), "bulletin") == 0)
		ok = !is_unit_user(r) || strcmp(db_column_text(st, 1),
		    "issued") == 0;
	sqlite3_finalize(st);
	if (ok)
		return true;
	if (!found || unit == 0) {
		resp_error(r, resp, 404, "没有这份通报。");
		return false;
	}
	return scope_check(r, resp, "notice", id, unit, "没有这份通报。");
}

/* How far a notice was answered, in words for its row. */
static void
set_answer(struct req *r, struct tmpl_vars *row, long long id,
    const char *due)
{
	struct notice_answer a;
	char today[32];

	date_format_local(r->now, today, sizeof(today));
	if (workorder_notice_answer(r->web->db, id, r->now, &a) == -1)
		memset(&a, 0, sizeof(a));
	tmpl_setf(row, "n_items", "%ld", a.items);
	tmpl_setf(row, "n_settled", "%ld", a.settled);
	tmpl_set(row, "answered", a.answered ? "1" : "");
	tmpl_set(row, "late", !a.answered && due && *due &&
	    strcmp(due, today) < 0 ? "1" : "");
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

/* The issued documents of kind as rows of list (notices, bulletins). */
static void
add_documents(struct req *r, struct tmpl_vars *v, const char *kind,
    const char *list)
{
	json_t *rows = document_list_json(r->web->db, kind), *n;
	struct tmpl_vars *row;
	const char *state;
	size_t i;

	tmpl_set_list(v, list);
	json_array_foreach(rows, i, n) {
		state = json_string_value(json_object_get(n, "state"));
		if (strcmp(kind, "notice") == 0 && !scope_allows(r,
		    unit_id(r->web->db, json_string_value(json_object_get(n,
		    "unit")))))
			continue;
		if (is_unit_user(r) && strcmp(state, "void") == 0)
			continue;
		row = tmpl_add_row(v, list);
		set_json(row, "id", json_object_get(n, "id"));
		set_json(row, "serial", json_object_get(n, "serial"));
		set_json(row, "unit_name", json_object_get(n, "unit_name"));
		set_json(row, "period", json_object_get(n, "period"));
		set_time(row, "issued_at", json_object_get(n, "issued_at"));
		set_json(row, "due", json_object_get(n, "due"));
		set_json(row, "problems", json_object_get(n, "problems"));
		set_json(row, "issued_by", json_object_get(n, "issued_by"));
		tmpl_set(row, "sent", json_is_true(json_object_get(n, "sent")) ?
		    "已发送" : "未发送");
		tmpl_set(row, "voided", state && strcmp(state, "void") == 0 ?
		    "1" : "");
		set_json(row, "void_reason", json_object_get(n, "void_reason"));
		set_date(row, "voided_at", json_object_get(n, "voided_at"));
		tmpl_set(row, "kind", kind);
		if (strcmp(kind, "notice") == 0)
			set_answer(r, row, json_integer_value(json_object_get(n,
			    "id")), json_string_value(json_object_get(n, "due")));
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
	add_documents(r, v, "notice", "notices");
	add_documents(r, v, "bulletin", "bulletins");
	month_of(r->now, &m);
	month_shift(&m, -1, &prev);
	month_format(&prev, month, sizeof(month));
	tmpl_set(v, "month", month);
	page_render(r, resp, "documents.html", "通报", "documents", v);
}

/* A document in format f: HTML shown in the browser, anything else a
 * download named name.EXT. */
static void
send_document(struct req *r, struct resp *resp, const json_t *data,
    void (*fn)(FILE *, const json_t *, enum render_format),
    enum render_format f, const char *name)
{
	char *bytes = NULL, *error = NULL;
	size_t len = 0;

	if (f == RENDER_DOCX) {
		if (render_docx(data, r->web->cfg, &bytes, &len, &error) == -1)
			return page_refused(r, resp, "生成 .docx", error);
	} else if ((bytes = render_to_string(fn, data, f)) != NULL)
		len = strlen(bytes);
	sb_reset(&resp->body);
	sb_append(&resp->body, bytes ? bytes : "", len);
	free(bytes);
	resp->csp = document_csp;
	resp->content_type = f == RENDER_HTML ? "text/html; charset=utf-8" :
	    f == RENDER_DOCX ? "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document" : f == RENDER_CSV ?
	    "text/csv; charset=utf-8" : f == RENDER_JSON ? "application/json" :
	    "text/plain; charset=utf-8";
	if (f == RENDER_HTML && param_get(&r->query, "download") == NULL)
		return;
	free(resp->disposition);
	resp->disposition = xasprintf("attachment; filename=\"%s.%s\"", name,
	    render_format_ext(f));
}

/* ?format=: html (the default) and the formats of the kind. */
static int
format_arg(struct req *r, bool bulletin, enum render_format *f)
{
	const char *s = param_text(&r->query, "format");

	*f = RENDER_HTML;
	if (s == NULL)
		return 0;
	if (render_format_parse(s, f) == -1 || (*f == RENDER_CSV && !bulletin))
		return -1;
	return 0;
}

/* A preview is rendered and never stored: it takes no number. */
void
page_document_preview(struct req *r, struct resp *resp)
{
	const char *unit = req_arg(r, "unit"), *month = req_arg(r, "month");
	enum render_format f;
	char *error = NULL;
	json_t *data = NULL;
	struct month m;

	if (format_arg(r, month != NULL, &f) == -1)
		return resp_error(r, resp, 400, "不支持这种文件格式。");
	if (month) {
		if (r->user.role == ROLE_UNIT)
			return resp_error(r, resp, 404, "没有这份通报。");
		if (month_parse(month, &m) == -1)
			return resp_error(r, resp, 400, "月份应写作“年-月”，如 2026-10。");
		/* as the CLI: the JSON and the CSV list every account, the
		 * documents of a large registry only those to act on */
		if ((data = bulletin_build_listing(r->web->db, r->web->cfg, &m,
		    r->now, f == RENDER_JSON || f == RENDER_CSV, &error)) == NULL)
			return page_refused(r, resp, "月度通报预览", error);
		send_document(r, resp, data, render_bulletin, f, "bulletin-preview");
		json_decref(data);
		return;
	}
	if (unit == NULL || !visible(r, unit))
		return resp_error(r, resp, 404, "没有这个单位。");
	if ((data = notice_preview(r->web->db, r->web->cfg, unit,
	    param_text(&r->query, "allow_empty") != NULL, r->now, &error)) == NULL)
		return page_refused(r, resp, "通报预览", error);
	send_document(r, resp, data, render_notice, f, "notice-preview");
	json_decref(data);
}

struct issue_args {
	const char   *unit;
	struct month  m;
	bool          bulletin, send, allow_empty;
	long long     id;
};

static int
do_issue(struct req *r, void *arg, char **error)
{
	struct issue_args *a = arg;

	if (a->bulletin)
		return bulletin_issue(r->web->db, r->web->cfg, &a->m, r->now, &a->id,
		    error);
	if (notice_issue(r->web->db, r->web->cfg, a->unit, a->allow_empty, r->now,
	    &a->id, error) == -1)
		return -1;
	return a->send ? notice_send(r->web->db, r->web->cfg, a->id, r->now,
	    error) : 0;
}

void
page_document_issue(struct req *r, struct resp *resp)
{
	const char *month = param_text(&r->form, "month");
	struct issue_args a = { 0 };

	a.bulletin = month != NULL;
	a.unit = param_text(&r->form, "unit");
	a.send = param_text(&r->form, "send") != NULL;
	a.allow_empty = param_text(&r->form, "allow_empty") != NULL;
	if (a.bulletin && month_parse(month, &a.m) == -1)
		return resp_error(r, resp, 400, "月份应写作“年-月”，如 2026-10。");
	if (!a.bulletin && a.unit == NULL)
		return resp_error(r, resp, 400, "请选择受文单位。");
	if (!a.bulletin && !visible(r, a.unit))
		return resp_error(r, resp, 404, "没有这个单位。");
	if (page_change(r, resp, a.bulletin ? "印发月度通报" : "印发通报", do_issue,
	    &a) == 0)
		resp_redirect(resp, "/documents?done=issued#document-%lld", a.id);
}

/* /documents/ID/KIND.EXT: notice.docx, bulletin.html, … */
void
page_document_download(struct req *r, struct resp *resp)
{
	const char *dot = strrchr(r->tail, '.');
	enum render_format f;
	bool bulletin;
	json_t *data;
	char *error = NULL, *name;

	bulletin = dot && (size_t)(dot - r->tail) == strlen("bulletin") &&
	    strncmp(r->tail, "bulletin", strlen("bulletin")) == 0;
	if (dot == NULL || (!bulletin && ((size_t)(dot - r->tail) !=
	    strlen("notice") || strncmp(r->tail, "notice", 6) != 0)) ||
	    render_format_parse(dot + 1, &f) == -1 ||
	    (f == RENDER_CSV && !bulletin))
		return resp_error(r, resp, 404, "没有这份通报。");
	if (!document_visible(r, resp, r->id))
		return;
	if ((data = document_data(r->web->db, bulletin ? "bulletin" : "notice",
	    r->id, &error)) == NULL) {
		free(error);
		return resp_error(r, resp, 404, "没有这份通报。");
	}
	name = xasprintf("%s-%lld", bulletin ? "bulletin" : "notice", r->id);
	send_document(r, resp, data, bulletin ? render_bulletin : render_notice,
	    f, name);
	/* what a unit's staff took of the centre's documents is on record,
	 * as everything a unit login does; the centre's own reading is not */
	if (is_unit_user(r) && resp->status == 200)
		audit_download(r, "document.download", "document", r->id);
	free(name);
	json_decref(data);
}

struct void_args {
	const char *kind, *reason;
};

static int
do_void(struct req *r, void *arg, char **error)
{
	struct void_args *a = arg;

	return document_void(r->web->db, a->kind, r->id, a->reason, r->now, error);
}

void
page_document_void(struct req *r, struct resp *resp)
{
	struct void_args a;

	a.kind = param_text(&r->form, "kind");
	if (a.kind == NULL || (strcmp(a.kind, "notice") &&
	    strcmp(a.kind, "bulletin")))
		return resp_error(r, resp, 404, "没有这份通报。");
	if (!document_visible(r, resp, r->id))
		return;
	if ((a.reason = form_reason(r, resp)) == NULL)
		return;
	if (page_change(r, resp, "作废", do_void, &a) == 0)
		resp_redirect(resp, "/documents?done=voided#document-%lld", r->id);
}
