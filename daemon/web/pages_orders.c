/* pages_orders.c — 整改工单: a work order's page, the unit's reply with
 * its evidence, the admins' review (accept: 销号; return with a comment),
 * evidence files, and a notice's page where the unit answers its items.
 *
 * Every id that arrives — in the path, in a form field — is checked
 * against the user's units before anything is read or written: another
 * unit's problem, notice or file is a 404, recorded (scope_refuse()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "paperwork/document.h"
#include "paperwork/letters.h"
#include "paperwork/paperwork.h"
#include "registry/attachment.h"
#include "registry/problem.h"
#include "registry/workorder.h"
#include "store/db.h"
#include "web/pages.h"

static const char attachment_csp[] = "default-src 'none'; sandbox";

/* The unit of problem id, when the user may see it as a work order; else
 * 0 after a 404.  A unit login never sees a failing feed's problem: that
 * one is the monitoring's. */
static long long
order_unit(struct req *r, struct resp *resp, long long id)
{
	long long unit = 0, mine = 1;

	db_query_int(r->web->db, &unit, "SELECT unit_id FROM problem WHERE id = ?",
	    "I", id);
	if (!scope_check(r, resp, "problem", id, unit, "没有这个工单。"))
		return 0;
	if (is_unit_user(r))
		db_query_int(r->web->db, &mine, "SELECT " WORKORDER_KIND("p")
		    " FROM problem p WHERE p.id = ?", "I", id);
	if (!mine) {
		resp_error(r, resp, 404, "没有这个工单。");
		return 0;
	}
	return unit;
}

/* ---- the page ---- */

static const char *
kind_text(const json_t *p)
{
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *severity = json_string_value(json_object_get(p, "severity"));

	if (kind && strcmp(kind, "wording") == 0 && severity &&
	    strcmp(severity, "serious") == 0)
		return "严重表述错误";
	return problem_kind_label(kind);
}

static void
set_problem(struct req *r, struct tmpl_vars *v, const json_t *p)
{
	const char *platform = json_string_value(json_object_get(p, "platform"));
	const json_t *due = json_object_get(p, "due_at");

	set_json(v, "id", json_object_get(p, "id"));
	set_json(v, "unit", json_object_get(p, "unit"));
	set_json(v, "unit_name", json_object_get(p, "unit_name"));
	set_json(v, "account_id", json_object_get(p, "account_id"));
	set_json(v, "account", json_object_get(p, "account_name"));
	tmpl_set(v, "platform", platform ? platform_label(r->web->cfg,
	    platform) : "");
	tmpl_set(v, "kind", kind_text(p));
	set_json(v, "detail", json_object_get(p, "detail"));
	set_json(v, "evidence", json_object_get(p, "evidence"));
	set_date(v, "opened", json_object_get(p, "opened_at"));
	set_date(v, "due", due);
	set_time(v, "closed", json_object_get(p, "closed_at"));
	set_json(v, "close_note", json_object_get(p, "close_note"));
	tmpl_set(v, "overdue", json_is_true(json_object_get(p, "overdue")) ?
	    "1" : "");
}

/* Who sent or reviewed: the person's name as the users page has it, not
 * the actor key of the audit trail ("web:NAME"); the key itself when the
 * login is gone or was never a console login (mediawatchctl's OS user). */
static void
set_person(struct req *r, struct tmpl_vars *v, const char *key,
    const json_t *actor)
{
	const char *s = json_string_value(actor);
	struct user u;

	if (s == NULL) {
		tmpl_set(v, key, "");
		return;
	}
	if (str_has_prefix(s, "web:") && user_by_name(r->web->db, s + 4,
	    &u) == 0) {
		tmpl_set(v, key, u.display_name && *u.display_name ?
		    u.display_name : u.name);
		user_free(&u);
		return;
	}
	tmpl_set(v, key, str_has_prefix(s, "web:") ? s + 4 : s);
}

static void
add_reply(struct req *r, struct tmpl_vars *v, const json_t *j)
{
	struct tmpl_vars *row = tmpl_add_row(v, "replies");
	const json_t *a = json_object_get(j, "attachment");
	const json_t *n = json_object_get(j, "notice");
	const json_t *rv = json_object_get(j, "review");
	const char *link = json_string_value(json_object_get(j, "link"));
	const char *decision = json_string_value(json_object_get(rv, "decision"));

	set_json(row, "reply_id", json_object_get(j, "id"));
	set_json(row, "measures", json_object_get(j, "measures"));
	set_json(row, "done_on", json_object_get(j, "done_on"));
	set_json(row, "responsible", json_object_get(j, "responsible"));
	tmpl_set(row, "link", link);
	tmpl_set(row, "link_web", url_is_web(link) ? "1" : "");
	set_time(row, "submitted_at", json_object_get(j, "submitted_at"));
	set_person(r, row, "submitted_by", json_object_get(j, "submitted_by"));
	set_json(row, "file_id", json_object_get(a, "id"));
	set_json(row, "file_name", json_object_get(a, "name"));
	tmpl_setf(row, "file_kb", "%lld", (long long)(json_integer_value(
	    json_object_get(a, "size")) + 1023) / 1024);
	set_json(row, "notice_id", json_object_get(n, "id"));
	set_json(row, "notice_serial", json_object_get(n, "serial"));
	tmpl_set(row, "reviewed", rv && json_is_object(rv) ? "1" : "");
	tmpl_set(row, "accepted", decision && strcmp(decision, "accepted") == 0 ?
	    "1" : "");
	set_json(row, "comment", json_object_get(rv, "comment"));
	set_time(row, "reviewed_at", json_object_get(rv, "reviewed_at"));
	set_person(r, row, "reviewed_by", json_object_get(rv, "reviewed_by"));
}

static void
add_notices_of(struct req *r, struct tmpl_vars *v, long long problem)
{
	sqlite3_stmt *st = db_prepare(r->web->db, "SELECT d.id, d.serial,"
	    " coalesce(d.due_on, '') FROM document_problem dp JOIN document d ON"
	    " d.id = dp.document_id WHERE dp.problem_id = ? AND d.state ="
	    " 'issued' ORDER BY d.issued_at", "I", problem);
	struct tmpl_vars *row;

	tmpl_set_list(v, "notices");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		row = tmpl_add_row(v, "notices");
		tmpl_set(row, "notice_id", db_column_text(st, 0));
		tmpl_set(row, "serial", db_column_text(st, 1));
		tmpl_set(row, "due_on", db_column_text(st, 2));
	}
	sqlite3_finalize(st);
}

/* Who may do what now: the unit replies to an open or returned work
 * order, an admin reviews the reply waiting, or closes the problem. */
static void
set_forms(struct req *r, struct tmpl_vars *v, enum workorder_state s,
    long long problem)
{
	char today[32];

	date_format_local(r->now, today, sizeof(today));
	tmpl_set(v, "today", today);
	tmpl_set(v, "state", workorder_state_name(s));
	tmpl_set(v, "closed_now", s == WO_CLOSED ? "1" : "");
	tmpl_set(v, "state_label", workorder_state_label(s));
	tmpl_set(v, "can_reply", is_unit_user(r) && (s == WO_OPEN ||
	    s == WO_RETURNED) ? "1" : "");
	tmpl_set(v, "can_review", r->user.role == ROLE_ADMIN &&
	    s == WO_REPLIED ? "1" : "");
	tmpl_set(v, "can_close", r->user.role == ROLE_ADMIN && s != WO_CLOSED ?
	    "1" : "");
	tmpl_setf(v, "pending_reply", "%lld", workorder_pending_reply(
	    r->web->db, problem));
}

void
page_order(struct req *r, struct resp *resp)
{
	struct tmpl_vars *v;
	enum workorder_state s;
	json_t *p, *replies, *j;
	char *title;
	size_t i;

	if (r->tail != NULL || order_unit(r, resp, r->id) == 0)
		return;
	if ((p = problem_json(r->web->db, r->id, r->now)) == NULL ||
	    workorder_state(r->web->db, r->id, &s) != 0) {
		json_decref(p);
		return resp_error(r, resp, 404, "没有这个工单。");
	}
	v = tmpl_vars_new();
	set_problem(r, v, p);
	replies = workorder_replies_json(r->web->db, r->id);
	tmpl_set_list(v, "replies");
	json_array_foreach(replies, i, j)
		add_reply(r, v, j);
	json_decref(replies);
	add_notices_of(r, v, r->id);
	set_forms(r, v, s, r->id);
	title = xasprintf("第%lld号工单", r->id);
	page_render(r, resp, "order.html", title, "problems", v);
	free(title);
	json_decref(p);
}

/* ---- replying ---- */

/* What a reply form sent, the file aside. */
struct reply_form {
	char        *measures;
	const char  *done_on, *responsible, *link;
};

static void
read_reply_form(struct req *r, struct reply_form *f)
{
	f->measures = form_paragraphs(r, "measures");
	f->done_on = param_text(&r->form, "done_on");
	f->responsible = param_text(&r->form, "responsible");
	f->link = param_text(&r->form, "link");
}

/* The uploaded file, when one came, kept as the unit's; 0 and *id 0 when
 * none.  A refused file is answered here (413 too large, 415 not a PDF,
 * JPEG or PNG) and gives -1. */
static int
store_upload(struct req *r, struct resp *resp, long long unit, long long *id)
{
	char *error = NULL, *msg;
	int status;

	*id = 0;
	if (r->upload.len == 0)
		return 0;
	if (attachment_add(r->web->db, unit, r->upload_name, r->upload.buf,
	    r->upload.len, r->now, id, &error) == 0)
		return 0;
	status = r->upload.len > ATTACHMENT_MAX ? 413 : 415;
	msg = xasprintf("佐证材料未接收：只接受不超过10 MB的 PDF、JPEG 或 PNG 文件，"
	    "按文件内容识别，与文件名无关。（%s）", error);
	resp_error(r, resp, status, msg);
	free(msg);
	free(error);
	return -1;
}

static const char *
reply_field_label(const char *error)
{
	static const struct { const char *field, *label; } labels[] = {
		{ "measures:", "整改措施" }, { "done_on:", "完成时间" },
		{ "responsible:", "责任人" }, { "evidence:", "佐证材料" },
		{ "link:", "佐证链接" }, { "problem:", "工单" },
		{ "notice:", "通报" }, { "attachment:", "佐证文件" },
	};
	size_t i;

	for (i = 0; error && i < ARRAY_SIZE(labels); i++)
		if (str_has_prefix(error, labels[i].field))
			return labels[i].label;
	return "回复";
}

static void
reply_refused(struct req *r, struct resp *resp, long long problem,
    char *error)
{
	char *what = xasprintf("第%lld号工单的%s有误，回复", problem,
	    reply_field_label(error));

	page_refused(r, resp, what, error);
	free(what);
}

/* One reply per problem of ids, sharing the form and the file, in one
 * transaction: all of them or none. */
static int
reply_all(struct req *r, struct resp *resp, long long unit,
    const long long *ids, size_t n, long long notice)
{
	struct reply_form f;
	struct workorder_reply w;
	sqlite3 *db = r->web->db;
	long long file, id;
	char *error = NULL;
	size_t i;
	int rc = -1;

	read_reply_form(r, &f);
	if (db_begin(db) == -1) {
		page_refused(r, resp, "回复", xstrdup("数据库正忙，请稍后再试"));
		free(f.measures);
		return -1;
	}
	if (store_upload(r, resp, unit, &file) == 0) {
		for (i = 0; i < n; i++) {
			w = (struct workorder_reply){ .problem_id = ids[i],
			    .measures = f.measures, .done_on = f.done_on,
			    .responsible = f.responsible, .link = f.link,
			    .attachment_id = file, .document_id = notice };
			if (workorder_reply(db, &w, r->now, &id, &error) == -1) {
				reply_refused(r, resp, ids[i], error);
				break;
			}
		}
		rc = i == n && db_commit(db) == 0 ? 0 : -1;
		if (rc == -1 && i == n)
			page_refused(r, resp, "回复", NULL);
	}
	if (rc == -1)
		db_rollback(db);
	else
		r->web->writes++;
	free(f.measures);
	return rc;
}

void
page_order_reply(struct req *r, struct resp *resp)
{
	long long unit = order_unit(r, resp, r->id);

	if (unit == 0)
		return;
	if (reply_all(r, resp, unit, &r->id, 1, 0) == 0)
		resp_redirect(resp, "/problems/%lld?done=replied", r->id);
}

/* ---- reviewing ---- */

struct review_args {
	long long   reply;
	bool        accept;
	char       *comment;
};

static int
do_review(struct req *r, void *arg, char **error)
{
	struct review_args *a = arg;
	long long review, problem;

	if (workorder_review(r->web->db, a->reply, a->accept, a->comment, r->now,
	    &review, &problem, error) == -1)
		return -1;
	if (letters_review_queue(r->web->db, r->web->cfg, review, r->now) == -1) {
		*error = xstrdup("通知单位的邮件无法生成");
		return -1;
	}
	return 0;
}

void
page_order_review(struct req *r, struct resp *resp)
{
	const char *decision = param_text(&r->form, "decision");
	struct review_args a = { .reply = parse_id(param_text(&r->form,
	    "reply")) };
	long long problem = 0;

	if (order_unit(r, resp, r->id) == 0)
		return;
	db_query_int(r->web->db, &problem, "SELECT problem_id FROM reply WHERE"
	    " id = ?", "I", a.reply);
	if (a.reply == 0 || problem != r->id)
		return resp_error(r, resp, 404, "没有这份回复。");
	if (decision == NULL || (strcmp(decision, "accept") &&
	    strcmp(decision, "return")))
		return resp_error(r, resp, 400, "请选择审核结论：通过或退回。");
	a.accept = strcmp(decision, "accept") == 0;
	a.comment = form_paragraphs(r, "comment");
	if (!a.accept && a.comment == NULL) {
		free(a.comment);
		return resp_error(r, resp, 400, "退回时请填写审核意见，告诉单位"
		    "还需补充什么。");
	}
	if (page_change(r, resp, "审核", do_review, &a) == 0)
		resp_redirect(resp, "/problems/%lld?done=%s", r->id, a.accept ?
		    "accepted" : "returned");
	free(a.comment);
}

/* ---- evidence files ---- */

/* filename*= of RFC 5987 (UTF-8, percent-encoded), with a plain ASCII
 * filename= for old clients: the stored name never reaches the header
 * as it is. */
static char *
disposition(long long id, const struct attachment *a)
{
	struct strbuf sb = STRBUF_INIT;

	sb_printf(&sb, "attachment; filename=\"attachment-%lld.%s\"; "
	    "filename*=UTF-8''", id, filetype_ext(a->type));
	url_encode_append(&sb, a->name);
	return sb_steal(&sb);
}

void
page_attachment(struct req *r, struct resp *resp)
{
	struct attachment a;
	long long unit = 0;

	if (r->tail != NULL)
		return resp_error(r, resp, 404, "没有这个文件。");
	db_query_int(r->web->db, &unit, "SELECT unit_id FROM attachment WHERE"
	    " id = ?", "I", r->id);
	if (!scope_check(r, resp, "attachment", r->id, unit, "没有这个文件。"))
		return;
	if (attachment_get(r->web->db, r->id, true, &a) != 0 ||
	    a.type == FILETYPE_UNKNOWN) {
		attachment_free(&a);
		return resp_error(r, resp, 404, "没有这个文件。");
	}
	sb_reset(&resp->body);
	sb_append(&resp->body, (const char *)a.data, a.size);
	/* the type checked at upload, never one guessed; a download, never
	 * shown in the console's own origin */
	resp->content_type = filetype_mime(a.type);
	free(resp->disposition);
	resp->disposition = disposition(r->id, &a);
	resp->csp = attachment_csp;
	attachment_free(&a);
	audit_download(r, "attachment.download", "attachment", r->id);
}

/* ---- a notice and its items ---- */

/* The unit of notice id, when the user may see it; else 0 after a 404. */
static long long
notice_unit(struct req *r, struct resp *resp, long long id)
{
	long long unit = 0;

	db_query_int(r->web->db, &unit, "SELECT coalesce(unit_id, 0) FROM"
	    " document WHERE id = ? AND kind = 'notice'", "I", id);
	if (!scope_check(r, resp, "notice", id, unit, "没有这份通报。"))
		return 0;
	return unit;
}

static const char items_query[] =
	"SELECT p.id, coalesce(a.platform, ''), coalesce(a.name, '（单位整体）'),"
	" p.kind, coalesce(p.severity, ''), p.detail, p.due_at, "
	WORKORDER_STATE("p") ", " WORKORDER_SETTLED_AT("p") " FROM"
	" document_problem dp JOIN problem p ON p.id = dp.problem_id LEFT JOIN"
	" account a ON a.id = p.account_id WHERE dp.document_id = ? ORDER BY"
	" p.id";

static void
add_item(struct req *r, struct tmpl_vars *v, sqlite3_stmt *st)
{
	struct tmpl_vars *row = tmpl_add_row(v, "items");
	const char *kind = db_column_text(st, 3);
	int s = workorder_state_parse(db_column_text(st, 7));
	json_t *t;

	tmpl_set(row, "problem_id", db_column_text(st, 0));
	tmpl_set(row, "platform", *db_column_text(st, 1) ?
	    platform_label(r->web->cfg, db_column_text(st, 1)) : "—");
	tmpl_set(row, "account", db_column_text(st, 2));
	tmpl_set(row, "kind", strcmp(kind, "wording") == 0 &&
	    strcmp(db_column_text(st, 4), "serious") == 0 ? "严重表述错误" :
	    problem_kind_label(kind));
	tmpl_set(row, "detail", db_column_text(st, 5));
	t = db_column_json(st, 6);
	set_date(row, "due", t);
	json_decref(t);
	tmpl_set(row, "state_label", workorder_state_label(
	    (enum workorder_state)s));
	tmpl_set(row, "open", s == WO_OPEN || s == WO_RETURNED ? "1" : "");
	tmpl_set(row, "settled", db_column_is_null(st, 8) ? "" : "1");
	t = db_column_json(st, 8);
	set_time(row, "settled_at", t);
	json_decref(t);
}

static int
add_items(struct req *r, struct tmpl_vars *v, long long id)
{
	sqlite3_stmt *st = db_prepare(r->web->db, items_query, "I", id);
	int open = 0;

	tmpl_set_list(v, "items");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		add_item(r, v, st);
		open += strcmp(db_column_text(st, 7), "open") == 0 ||
		    strcmp(db_column_text(st, 7), "returned") == 0;
	}
	sqlite3_finalize(st);
	return open;
}

static void
set_answer(struct req *r, struct tmpl_vars *v, long long id, const json_t *d)
{
	struct notice_answer a;
	const char *due = json_string_value(json_object_get(d, "due_on"));
	char today[32];

	if (workorder_notice_answer(r->web->db, id, r->now, &a) == -1)
		memset(&a, 0, sizeof(a));
	date_format_local(r->now, today, sizeof(today));
	tmpl_setf(v, "n_items", "%ld", a.items);
	tmpl_setf(v, "n_settled", "%ld", a.settled);
	tmpl_set(v, "answered", a.answered ? "1" : "");
	tmpl_set(v, "late", !a.answered && due && strcmp(due, today) < 0 ?
	    "1" : "");
	if (a.has_answered_at) {
		char t[32];

		time_format_local(a.answered_at, t, sizeof(t));
		tmpl_set(v, "answered_at", t);
	} else
		tmpl_set(v, "answered_at", "");
}

void
page_notice(struct req *r, struct resp *resp)
{
	struct tmpl_vars *v;
	char *error = NULL, *title, today[32];
	json_t *d;
	int open;

	if (r->tail != NULL || notice_unit(r, resp, r->id) == 0)
		return;
	if ((d = document_data(r->web->db, "notice", r->id, &error)) == NULL) {
		free(error);
		return resp_error(r, resp, 404, "没有这份通报。");
	}
	v = tmpl_vars_new();
	tmpl_setf(v, "id", "%lld", r->id);
	set_json(v, "serial", json_object_get(d, "serial"));
	set_json(v, "title", json_object_get(d, "title"));
	set_json(v, "unit_name", json_object_get(d, "unit_name"));
	set_json(v, "issued", json_object_get(d, "issued"));
	set_json(v, "due", json_object_get(d, "due"));
	set_json(v, "due_on", json_object_get(d, "due_on"));
	tmpl_set(v, "voided", json_object_get(d, "void") ? "1" : "");
	set_answer(r, v, r->id, d);
	open = add_items(r, v, r->id);
	tmpl_set(v, "can_reply", is_unit_user(r) && open > 0 &&
	    !json_object_get(d, "void") ? "1" : "");
	date_format_local(r->now, today, sizeof(today));
	tmpl_set(v, "today", today);
	title = xasprintf("通报 %s", json_string_value(json_object_get(d,
	    "serial")));
	page_render(r, resp, "notice.html", title, "documents", v);
	free(title);
	json_decref(d);
}

/* The problems the form names, each listed by the notice; another unit's
 * problem named in the form is refused and recorded like a path's. */
static long long *
reply_items(struct req *r, struct resp *resp, long long notice, size_t *n)
{
	long long *ids = xcalloc(r->form.n + 1, sizeof(*ids)), id, unit, one;
	size_t i;

	*n = 0;
	for (i = 0; i < r->form.n; i++) {
		if (strcmp(r->form.v[i].key, "problem") != 0)
			continue;
		id = parse_id(r->form.v[i].value);
		unit = 0;
		db_query_int(r->web->db, &unit, "SELECT unit_id FROM problem WHERE"
		    " id = ?", "I", id);
		if (!scope_check(r, resp, "problem", id, unit, "没有这个工单。"))
			break;
		if (db_query_int(r->web->db, &one, "SELECT 1 FROM document_problem"
		    " WHERE document_id = ? AND problem_id = ?", "II", notice,
		    id) != 0) {
			resp_error(r, resp, 404, "这份通报没有列出这个工单。");
			break;
		}
		ids[(*n)++] = id;
	}
	if (i < r->form.n) {
		free(ids);
		return NULL;
	}
	return ids;
}

void
page_notice_reply(struct req *r, struct resp *resp)
{
	long long unit = notice_unit(r, resp, r->id), *ids;
	char *error = NULL;
	json_t *d;
	size_t n;

	if (unit == 0)
		return;
	if ((d = document_data(r->web->db, "notice", r->id, &error)) == NULL ||
	    json_object_get(d, "void")) {
		free(error);
		json_decref(d);
		return resp_error(r, resp, 409, "这份通报已作废，无需回复。");
	}
	json_decref(d);
	if ((ids = reply_items(r, resp, r->id, &n)) == NULL)
		return;
	if (n == 0) {
		free(ids);
		return resp_error(r, resp, 400, "请勾选本次回复的问题。");
	}
	if (reply_all(r, resp, unit, ids, n, r->id) == 0)
		resp_redirect(resp, "/notices/%lld?done=replied", r->id);
	free(ids);
}
