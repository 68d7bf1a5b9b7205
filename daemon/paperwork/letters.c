/* letters.c — invitations, password resets and review results. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/compose.h"
#include "monitor/alerts.h"
#include "paperwork/letters.h"
#include "paperwork/paperwork.h"
#include "registry/workorder.h"
#include "store/db.h"

void
letters_common_vars(const struct config *cfg, struct tmpl_vars *v,
    time_t now)
{
	char when[CN_DATE_SIZE];

	datetime_cn(now, when, sizeof(when));
	tmpl_set(v, "now", when);
	tmpl_set(v, "issuer", cfg->notice.issuer);
}

struct tmpl_vars *
letters_login_vars(const struct config *cfg, const char *login,
    const char *display_name, const char *unit_name, const char *link,
    time_t expires, time_t now)
{
	struct tmpl_vars *v = tmpl_vars_new();
	char when[CN_DATE_SIZE];

	letters_common_vars(cfg, v, now);
	datetime_cn(expires, when, sizeof(when));
	tmpl_set(v, "login", login);
	tmpl_set(v, "display_name", display_name);
	tmpl_set(v, "unit_name", unit_name);
	tmpl_set(v, "link", link);
	tmpl_set(v, "expires", when);
	return v;
}

/* ---- unit-review ---- */

/* What a review letter says, read from the database or invented. */
struct review_facts {
	long long   unit_id, problem_id;
	const char *unit_code, *unit_name, *contact;
	const char *platform, *account, *kind, *detail;
	time_t      opened, due;
	const char *measures, *done_on, *responsible;
	time_t      submitted_at, reviewed_at;
	bool        accepted;
	const char *comment;
};

static void
review_vars(const struct config *cfg, const struct review_facts *f,
    struct tmpl_vars *v)
{
	char t[CN_DATE_SIZE];

	tmpl_set(v, "unit_code", f->unit_code);
	tmpl_set(v, "unit_name", f->unit_name);
	tmpl_set(v, "contact_name", f->contact);
	tmpl_set(v, "accepted", f->accepted ? "1" : "");
	tmpl_setf(v, "problem_id", "%lld", f->problem_id);
	tmpl_set(v, "platform", f->platform);
	tmpl_set(v, "account", f->account);
	tmpl_set(v, "kind", f->kind);
	tmpl_set(v, "detail", f->detail);
	date_cn(f->opened, t, sizeof(t));
	tmpl_set(v, "opened", t);
	date_cn(f->due, t, sizeof(t));
	tmpl_set(v, "due", f->due ? t : "-");
	tmpl_set(v, "measures", f->measures);
	iso_date_to_cn(f->done_on, t, sizeof(t));
	tmpl_set(v, "done_on", t);
	tmpl_set(v, "responsible", f->responsible);
	datetime_cn(f->submitted_at, t, sizeof(t));
	tmpl_set(v, "submitted_at", t);
	datetime_cn(f->reviewed_at, t, sizeof(t));
	tmpl_set(v, "reviewed_at", t);
	tmpl_set(v, "comment", f->comment);
	if (cfg->console_url)
		tmpl_setf(v, "order_link", "%s/problems/%lld", cfg->console_url,
		    f->problem_id);
	else
		tmpl_set(v, "order_link", "");
}

static const char review_query[] =
	"SELECT u.id, u.code, u.name, coalesce(u.contact, ''), p.id,"
	" coalesce(a.platform, ''), coalesce(a.name, '（单位整体）'), p.kind,"
	" p.detail, p.opened_at, coalesce(p.due_at, 0), r.measures, r.done_on,"
	" r.responsible, r.submitted_at, v.reviewed_at, v.decision,"
	" coalesce(v.comment, ''), coalesce(p.severity, '')"
	" FROM review v JOIN reply r ON r.id = v.reply_id JOIN problem p ON"
	" p.id = v.problem_id JOIN unit u ON u.id = p.unit_id LEFT JOIN account"
	" a ON a.id = p.account_id WHERE v.id = ?";

static void
review_read(const struct config *cfg, sqlite3_stmt *st,
    struct review_facts *f)
{
	const char *kind = db_column_text(st, 7);

	f->unit_id = sqlite3_column_int64(st, 0);
	f->unit_code = db_column_text(st, 1);
	f->unit_name = db_column_text(st, 2);
	f->contact = db_column_text(st, 3);
	f->problem_id = sqlite3_column_int64(st, 4);
	f->platform = *db_column_text(st, 5) ?
	    platform_label(cfg, db_column_text(st, 5)) : "—";
	f->account = db_column_text(st, 6);
	f->kind = strcmp(kind, "wording") == 0 &&
	    strcmp(db_column_text(st, 18), "serious") == 0 ? "严重表述错误" :
	    problem_kind_label(kind);
	f->detail = db_column_text(st, 8);
	f->opened = (time_t)sqlite3_column_int64(st, 9);
	f->due = (time_t)sqlite3_column_int64(st, 10);
	f->measures = db_column_text(st, 11);
	f->done_on = db_column_text(st, 12);
	f->responsible = db_column_text(st, 13);
	f->submitted_at = (time_t)sqlite3_column_int64(st, 14);
	f->reviewed_at = (time_t)sqlite3_column_int64(st, 15);
	f->accepted = strcmp(db_column_text(st, 16), "accepted") == 0;
	f->comment = db_column_text(st, 17);
}

int
letters_review_queue(sqlite3 *db, const struct config *cfg,
    long long review_id, time_t now)
{
	sqlite3_stmt *st = db_prepare(db, review_query, "I", review_id);
	struct review_facts f = { 0 };
	struct tmpl_vars *v;
	struct outgoing m = { .kind = "review" };
	bool fallback;
	char **to, *key;
	size_t n_to;
	int rc;

	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		log_warnx("review %lld: not found for its letter", review_id);
		sqlite3_finalize(st);
		return -1;
	}
	review_read(cfg, st, &f);
	v = tmpl_vars_new();
	letters_common_vars(cfg, v, now);
	review_vars(cfg, &f, v);
	to = unit_mail_recipients(db, cfg, f.unit_id, &n_to, &fallback, v);
	key = xasprintf("review:%lld", review_id);
	m.unit_id = f.unit_id;
	m.to = (const char *const *)to;
	m.n_to = n_to;
	m.dedup_key = key;
	m.admins = fallback;
	rc = compose_queue(db, cfg, "unit-review", v, &m, now);
	free(key);
	strv_free(to);
	tmpl_vars_free(v);
	sqlite3_finalize(st);
	return rc;
}

/* ---- unit-reminder ---- */

static const char reminder_items[] =
	"SELECT p.id, coalesce(a.platform, ''), coalesce(a.name, '（单位整体）'),"
	" p.kind, coalesce(p.severity, ''), p.detail FROM document_problem dp"
	" JOIN problem p ON p.id = dp.problem_id LEFT JOIN account a ON a.id ="
	" p.account_id WHERE dp.document_id = ? AND p.closed_at IS NULL AND NOT"
	" EXISTS (SELECT 1 FROM reply r WHERE r.problem_id = p.id) ORDER BY p.id";

static void
reminder_item(const struct config *cfg, struct tmpl_vars *v, long long id,
    const char *platform, const char *account, const char *kind,
    const char *severity, const char *detail)
{
	struct tmpl_vars *row = tmpl_add_row(v, "open_items");

	tmpl_setf(row, "id", "%lld", id);
	tmpl_set(row, "platform", *platform ? platform_label(cfg, platform) : "—");
	tmpl_set(row, "account", account);
	tmpl_set(row, "kind", strcmp(kind, "wording") == 0 &&
	    strcmp(severity, "serious") == 0 ? "严重表述错误" :
	    problem_kind_label(kind));
	tmpl_set(row, "detail", detail);
}

/* The names of one overdue notice n (a row of workorder_notices_overdue)
 * but its items. */
static void
reminder_fill(const struct config *cfg, struct tmpl_vars *v, const json_t *n,
    const char *title, const char *contact, time_t now)
{
	long long id = json_integer_value(json_object_get(n, "id"));
	char day[CN_DATE_SIZE];

	letters_common_vars(cfg, v, now);
	tmpl_set(v, "unit_code", json_string_value(json_object_get(n, "unit")));
	tmpl_set(v, "unit_name", json_string_value(json_object_get(n,
	    "unit_name")));
	tmpl_set(v, "contact_name", contact);
	tmpl_set(v, "serial", json_string_value(json_object_get(n, "serial")));
	tmpl_set(v, "title", title);
	date_cn((time_t)json_integer_value(json_object_get(n, "issued_at")), day,
	    sizeof(day));
	tmpl_set(v, "issued", day);
	iso_date_to_cn(json_string_value(json_object_get(n, "due_on")), day,
	    sizeof(day));
	tmpl_set(v, "due", day);
	tmpl_setf(v, "items", "%lld", json_integer_value(json_object_get(n,
	    "items")));
	tmpl_setf(v, "unsettled", "%lld", json_integer_value(json_object_get(n,
	    "unsettled")));
	tmpl_setf(v, "days_over", "%lld", json_integer_value(json_object_get(n,
	    "days_over")));
	if (cfg->console_url)
		tmpl_setf(v, "notice_link", "%s/notices/%lld", cfg->console_url, id);
	else
		tmpl_set(v, "notice_link", "");
	tmpl_set_list(v, "open_items");
}

static struct tmpl_vars *
reminder_vars(sqlite3 *db, const struct config *cfg, const json_t *n,
    time_t now)
{
	struct tmpl_vars *v = tmpl_vars_new();
	long long id = json_integer_value(json_object_get(n, "id"));
	char *title = NULL, *contact = NULL;
	sqlite3_stmt *st;

	db_query_text(db, &title, "SELECT json_extract(data, '$.title') FROM"
	    " document WHERE id = ?", "I", id);
	db_query_text(db, &contact, "SELECT coalesce(contact, '') FROM unit WHERE"
	    " id = ?", "I", json_integer_value(json_object_get(n, "unit_id")));
	reminder_fill(cfg, v, n, title, contact, now);
	st = db_prepare(db, reminder_items, "I", id);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		reminder_item(cfg, v, sqlite3_column_int64(st, 0),
		    db_column_text(st, 1), db_column_text(st, 2),
		    db_column_text(st, 3), db_column_text(st, 4),
		    db_column_text(st, 5));
	sqlite3_finalize(st);
	free(title);
	free(contact);
	return v;
}

/* One reminder a week of lateness: the key names the week. */
static int
queue_reminder(sqlite3 *db, const struct config *cfg, const json_t *n,
    time_t now)
{
	long long unit = json_integer_value(json_object_get(n, "unit_id"));
	struct tmpl_vars *v = reminder_vars(db, cfg, n, now);
	struct outgoing m = { .kind = "reminder", .unit_id = unit };
	bool fallback;
	char **to, *key;
	size_t n_to;
	int rc;

	to = unit_mail_recipients(db, cfg, unit, &n_to, &fallback, v);
	key = xasprintf("notice-reminder:%lld:%lld",
	    json_integer_value(json_object_get(n, "id")),
	    (json_integer_value(json_object_get(n, "days_over")) - 1) / 7);
	m.to = (const char *const *)to;
	m.n_to = n_to;
	m.dedup_key = key;
	m.admins = fallback;
	rc = compose_queue(db, cfg, "unit-reminder", v, &m, now);
	free(key);
	strv_free(to);
	tmpl_vars_free(v);
	return rc;
}

int
letters_reminders_run(sqlite3 *db, const struct config *cfg, time_t now)
{
	json_t *overdue, *n;
	int queued = 0, rc = 0;
	size_t i;

	if (db_begin(db) == -1)
		return -1;
	if ((overdue = workorder_notices_overdue(db, now, 0, 0)) == NULL)
		rc = -1;
	json_array_foreach(overdue, i, n) {
		if ((rc = queue_reminder(db, cfg, n, now)) == -1)
			break;
		queued += rc;
	}
	json_decref(overdue);
	if (rc == -1 || db_commit(db) == -1) {
		db_rollback(db);
		log_error("the reminders of overdue notices could not be queued;"
		    " they are tried again after the next evaluation");
		return -1;
	}
	if (queued > 0)
		log_info("%d reminders of overdue notices queued", queued);
	return queued;
}

/* ---- samples ---- */

struct tmpl_vars *
letters_sample_vars(const struct config *cfg, const char *name, time_t now)
{
	struct review_facts f = {
		.unit_id = 1, .problem_id = 12, .unit_code = "JYJ",
		.unit_name = "某某县教育局", .contact = "王某某",
		.platform = cfg->n_platforms ? cfg->platforms[0].label : "微信公众号",
		.account = "某某教育发布", .kind = problem_kind_label("stale"),
		.detail = "已16天未更新", .opened = now - 20 * 86400,
		.due = now - 6 * 86400, .measures = "已安排专人负责，恢复每周更新。",
		.done_on = "2026-11-20", .responsible = "李某某",
		.submitted_at = now - 86400, .reviewed_at = now,
		.comment = "请补充恢复更新后的发布截图。",
	};
	struct tmpl_vars *v;

	if (strcmp(name, "user-invite") == 0 || strcmp(name, "user-reset") == 0)
		return letters_login_vars(cfg, "jyj@example.gov.cn", "王某某",
		    f.unit_name, "https://mediawatch.example.gov.cn/password?token="
		    "0123456789abcdef", now + 72 * 3600, now);
	if (strcmp(name, "unit-reminder") == 0) {
		json_t *n = json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:I,"
		    " s:I}", "id", 3, "unit", "JYJ", "unit_id", 1, "unit_name",
		    f.unit_name, "serial", "〔2026〕3号", "issued_at",
		    (json_int_t)(now - 20 * 86400), "items", 2, "unsettled", 1,
		    "days_over", 5);

		json_object_set_new(n, "due_on", json_string("2026-11-20"));
		v = tmpl_vars_new();
		reminder_fill(cfg, v, n, "关于某某县教育局政务新媒体账号存在问题的通报",
		    "王某某", now);
		reminder_item(cfg, v, 12, cfg->n_platforms ?
		    cfg->platforms[0].key : "", "某某教育发布", "stale", "",
		    "已16天未更新");
		tmpl_set(v, "no_address", "");
		json_decref(n);
		return v;
	}
	if (strcmp(name, "unit-review") != 0)
		return NULL;
	v = tmpl_vars_new();
	letters_common_vars(cfg, v, now);
	review_vars(cfg, &f, v);
	tmpl_set(v, "no_address", "");
	return v;
}
