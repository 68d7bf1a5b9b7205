/* notice.c — issuing, storing and sending point-to-point notices. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "base/workdays.h"
#include "mail/compose.h"
#include "mail/outbox.h"
#include "monitor/evaluate.h"
#include "paperwork/notice.h"
#include "paperwork/paperwork.h"
#include "paperwork/render.h"
#include "registry/account.h"
#include "registry/problem.h"
#include "registry/unit.h"
#include "store/audit.h"
#include "store/db.h"

#define NOTICE_TITLE "政务新媒体点对点通报"

static int refuse(char **, const char *, ...) MW_PRINTF(2, 3);

static int
refuse(char **error, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	*error = sb_steal(&sb);
	return -1;
}

static const char *
notice_kind_label(sqlite3_stmt *st)
{
	const char *kind = db_column_text(st, 3);

	if (strcmp(kind, "wording") == 0 &&
	    strcmp(db_column_text(st, 4), "serious") == 0)
		return "严重表述错误";
	return problem_kind_label(kind);
}

/* Days without update and the last update date, as of now; a problem of
 * the unit as a whole has no account to date. */
static void
set_update_facts(sqlite3 *db, json_t *row, sqlite3_stmt *st, time_t now)
{
	time_t last = 0, since;
	bool has;

	if (!db_column_is_null(st, 11)) {
		has = account_last_update_at(db, sqlite3_column_int64(st, 11), now,
		    &last);
		since = has ? last : account_grace_start(db_column_text(st, 9),
		    (time_t)sqlite3_column_int64(st, 10));
		json_object_set_new(row, "last_update", json_date(has, last));
		json_object_set_new(row, "days", json_integer(days_between(since,
		    now)));
	} else {
		json_object_set_new(row, "last_update", json_string("—"));
		json_object_set_new(row, "days", json_string("—"));
	}
}

static json_t *
problem_row(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st, size_t no,
    time_t now)
{
	json_t *row = json_object();
	bool unit_wide = db_column_is_null(st, 11);
	char opened[32];

	date_format_local((time_t)sqlite3_column_int64(st, 7), opened,
	    sizeof(opened));
	json_object_set_new(row, "no", json_integer((json_int_t)no));
	json_object_set_new(row, "platform", json_string(unit_wide ? "—" :
	    platform_label(cfg, db_column_text(st, 1))));
	json_object_set_new(row, "account", json_string(unit_wide ?
	    "（单位整体）" : db_column_text(st, 2)));
	json_object_set_new(row, "kind", json_string(notice_kind_label(st)));
	json_object_set_new(row, "detail", json_string(db_column_text(st, 5)));
	set_update_facts(db, row, st, now);
	json_object_set_new(row, "opened", json_string(opened));
	json_object_set_new(row, "evidence", json_string(
	    str_empty(db_column_text(st, 6)) ? "人工核查" : db_column_text(st, 6)));
	return row;
}

/* The open problems of the unit at now, with their ids in *ids. */
static json_t *
open_problems(sqlite3 *db, const struct config *cfg, long long unit,
    time_t now, json_t *ids)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT p.id, a.platform, a.name, p.kind,"
	    " coalesce(p.severity, ''), p.detail, coalesce(p.evidence,"
	    " a.feed_url), p.opened_at, a.last_update_at, a.opened_on,"
	    " a.created_at, p.account_id FROM problem p LEFT JOIN account a ON"
	    " a.id = p.account_id WHERE p.unit_id = ?1 AND (p.closed_at IS NULL"
	    " OR p.closed_at > ?2) AND p.kind != 'unreachable' AND p.opened_at"
	    " <= ?2 ORDER BY p.opened_at, p.id", "II", unit, (long long)now);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		json_array_append_new(ids, json_integer(sqlite3_column_int64(st, 0)));
		json_array_append_new(rows, problem_row(db, cfg, st,
		    json_array_size(rows) + 1, now));
	}
	sqlite3_finalize(st);
	return rows;
}

static void
set_unit(sqlite3 *db, long long unit, json_t *d)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT code, name, coalesce(contact,"
	    " '') FROM unit WHERE id = ?", "I", unit);

	if (st && sqlite3_step(st) == SQLITE_ROW) {
		json_object_set_new(d, "unit_code", json_string(db_column_text(st, 0)));
		json_object_set_new(d, "unit_name", json_string(db_column_text(st, 1)));
		json_object_set_new(d, "contact", json_string(db_column_text(st, 2)));
	}
	sqlite3_finalize(st);
}

static void
add_paragraph(json_t *list, char *text)
{
	json_array_append_new(list, json_string(text));
	free(text);
}

/* The body text is part of the stored data, so a later change of the
 * wording or of the configuration never alters an issued notice. */
static void
set_paragraphs(const struct config *cfg, json_t *d, const char *check_time,
    size_t n, const char *due)
{
	const struct notice_config *nc = &cfg->notice;
	json_t *body = json_array(), *req = json_array();

	if (n == 0) {
		add_paragraph(body, xasprintf("经监测，截至%s，贵单位作为责任单位的"
		    "政务新媒体账号未发现待整改问题。请继续严格执行“三审三校”制度，"
		    "保持账号正常更新。", check_time));
		json_object_set_new(d, "body", body);
		json_object_set_new(d, "requirements", req);
		return;
	}
	add_paragraph(body, xasprintf("经监测，截至%s，贵单位作为责任单位的政务"
	    "新媒体账号存在以下%zu个问题。按照《政府网站与政务新媒体检查指标》"
	    "（国办秘函〔2019〕19号），监测时间点前2周内无更新的账号判定为不合格"
	    "（单项否决）。现予通报，请认真整改。", check_time, n));
	add_paragraph(req, xasprintf("请于%s前（%ld个工作日内）完成整改。账号"
	    "恢复更新后，相应问题由系统自动销号；确无能力维护的账号，请按照国办发"
	    "〔2018〕123号文件要求予以关停或整合，并向主管部门办理备案。", due,
	    nc->rectify_days));
	add_paragraph(req, xasprintf("请于%s前将整改情况书面报送%s。书面回复须"
	    "逐项说明整改措施、完成时间和责任人，并加盖单位公章。", due,
	    nc->issuer));
	add_paragraph(req, xasprintf("逾期未整改或整改不到位的，将在月通报中予以"
	    "通报；同一类问题连续%ld个月出现的，将在年度绩效考核中扣分。",
	    nc->repeat_months));
	json_object_set_new(d, "body", body);
	json_object_set_new(d, "requirements", req);
}

static long long
next_sequence(sqlite3 *db, int year)
{
	long long n = 0;

	db_query_int(db, &n, "SELECT coalesce(max(sequence), 0) + 1 FROM notice"
	    " WHERE kind = 'notice' AND year = ?", "i", year);
	return n;
}

static json_t *
build(sqlite3 *db, const struct config *cfg, long long unit, time_t now,
    json_t *ids, char *due, int *year, long long *seq)
{
	json_t *d = json_object(), *problems;
	char check_time[32], issued[32], *serial;
	struct tm tm;

	localtime_r(&now, &tm);
	*year = tm.tm_year + 1900;
	*seq = next_sequence(db, *year);
	time_format_local(now, check_time, sizeof(check_time));
	date_format_local(now, issued, sizeof(issued));
	problems = open_problems(db, cfg, unit, now, ids);
	serial = serial_format(cfg->notice.serial_format, *year, (long)*seq);
	if (json_array_size(problems) == 0 || workdays_add(&cfg->calendar.days, issued,
	    cfg->notice.rectify_days, due) == -1)
		due[0] = '\0';
	json_object_set_new(d, "kind", json_string("notice"));
	json_object_set_new(d, "title", json_string(NOTICE_TITLE));
	json_object_set_new(d, "serial", json_string(serial));
	json_object_set_new(d, "year", json_integer(*year));
	json_object_set_new(d, "sequence", json_integer(*seq));
	json_object_set_new(d, "issuer", json_string(cfg->notice.issuer));
	set_unit(db, unit, d);
	json_object_set_new(d, "check_time", json_string(check_time));
	json_object_set_new(d, "issued", json_string(issued));
	json_object_set_new(d, "rectify_days", json_integer(cfg->notice.rectify_days));
	json_object_set_new(d, "due", *due ? json_string(due) : json_null());
	json_object_set_new(d, "problem_count",
	    json_integer((json_int_t)json_array_size(problems)));
	set_paragraphs(cfg, d, check_time, json_array_size(problems), due);
	json_object_set_new(d, "problems", problems);
	free(serial);
	return d;
}

static int
store(sqlite3 *db, json_t *d, json_t *ids, long long unit, int year,
    long long seq, time_t now, const char *due, long long *id)
{
	char *text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_t *v;
	size_t i;
	int rc;

	rc = db_run(db, "INSERT INTO notice (kind, year, sequence, serial, unit_id,"
	    " issued_at, issued_by, due_on, data) VALUES ('notice', ?, ?, ?, ?, ?,"
	    " ?, nullif(?, ''), ?)", "iIsIIsss", year, seq,
	    json_string_value(json_object_get(d, "serial")), unit, (long long)now,
	    audit_actor(), due, text);
	free(text);
	if (rc == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(db);
	json_array_foreach(ids, i, v)
		if (db_run(db, "INSERT INTO notice_problem (notice_id, problem_id)"
		    " VALUES (?, ?)", "II", *id, (long long)json_integer_value(v)) == -1)
			return -1;
	v = json_pack("{s:O, s:O, s:O}", "serial", json_object_get(d, "serial"),
	    "unit", json_object_get(d, "unit_code"), "problems", ids);
	rc = audit_record(db, "notice.issue", "notice", *id, NULL, v, NULL);
	json_decref(v);
	return rc;
}

int
notice_issue(sqlite3 *db, const struct config *cfg, const char *unit_code,
    bool allow_empty, time_t now, long long *id, char **error)
{
	json_t *ids = json_array(), *d;
	char due[ISO_DATE_SIZE];
	long long unit, seq;
	int year, rc;

	if (str_empty(unit_code) || (unit = unit_id(db, unit_code)) == 0) {
		json_decref(ids);
		return refuse(error, "unit: no unit '%s'", unit_code ? unit_code : "");
	}
	d = build(db, cfg, unit, now, ids, due, &year, &seq);
	if (json_array_size(ids) == 0 && !allow_empty) {
		rc = refuse(error, "unit %s: no open problems to notify (use "
		    "--allow-empty to issue a notice anyway)", unit_code);
	} else if ((rc = store(db, d, ids, unit, year, seq, now, due, id)) == -1)
		*error = xstrdup("notice: could not be stored");
	json_decref(d);
	json_decref(ids);
	return rc;
}

json_t *
notice_data(sqlite3 *db, long long id)
{
	char *text = NULL;
	json_t *d;

	if (db_query_text(db, &text, "SELECT data FROM notice WHERE id = ?", "I",
	    id) != 0 || text == NULL)
		return NULL;
	d = json_loads(text, 0, NULL);
	free(text);
	return d;
}

json_t *
notice_list_json(sqlite3 *db)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT n.id, n.serial, u.code, u.name, n.issued_at,"
	    " n.due_on, (SELECT count(*) FROM notice_problem np WHERE"
	    " np.notice_id = n.id), n.outbox_id IS NOT NULL, n.issued_by FROM"
	    " notice n LEFT JOIN unit u ON u.id = n.unit_id ORDER BY n.issued_at"
	    " DESC, n.id DESC", "");
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:I,"
		    " s:o, s:I, s:b, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "serial", db_column_text(st, 1), "unit", db_column_text(st, 2),
		    "unit_name", db_column_text(st, 3), "issued_at",
		    (json_int_t)sqlite3_column_int64(st, 4), "due",
		    db_column_is_null(st, 5) ? json_null() :
		    json_string(db_column_text(st, 5)), "problems",
		    (json_int_t)sqlite3_column_int64(st, 6), "sent",
		    sqlite3_column_int(st, 7), "issued_by", db_column_text(st, 8)));
	sqlite3_finalize(st);
	return rows;
}

/* ---- sending ---- */

static char **
unit_addresses(sqlite3 *db, long long notice, long long *unit, size_t *n)
{
	*n = 0;
	db_query_int(db, unit, "SELECT unit_id FROM notice WHERE id = ?", "I", notice);
	return outbox_unit_addresses(db, *unit, n);
}

/* The mail is the unit-notice template filled from the stored data, so
 * what is sent matches what was issued. */
static int
enqueue(sqlite3 *db, const struct config *cfg, long long id, long long unit,
    char **to, size_t n_to, const json_t *d, time_t now)
{
	struct tmpl_vars *v = tmpl_vars_from_json(d);
	char *key = xasprintf("notice:%lld", id);
	struct outgoing m = { .kind = "notice", .unit_id = unit,
	    .to = (const char *const *)to, .n_to = n_to,
	    .cc = (const char *const *)cfg->mail.admins, .n_cc = cfg->mail.n_admins,
	    .dedup_key = key };
	int rc = compose_queue(db, cfg, "unit-notice", v, &m, now);

	if (rc == 1)
		rc = db_run(db, "UPDATE notice SET outbox_id = (SELECT id FROM outbox"
		    " WHERE dedup_key = ?) WHERE id = ?", "sI", key, id);
	else
		rc = -1;
	tmpl_vars_free(v);
	free(key);
	return rc;
}

int
notice_send(sqlite3 *db, const struct config *cfg, long long id, time_t now,
    char **error)
{
	json_t *d = notice_data(db, id);
	long long unit = 0, sent = 0;
	size_t n_to;
	char **to;
	int rc;

	if (d == NULL)
		return refuse(error, "notice %lld: no such notice", id);
	db_query_int(db, &sent, "SELECT outbox_id IS NOT NULL FROM notice WHERE"
	    " id = ?", "I", id);
	to = unit_addresses(db, id, &unit, &n_to);
	if (sent)
		rc = refuse(error, "notice %lld: queued for sending before", id);
	else if (n_to == 0)
		rc = refuse(error, "unit %s: has no email addresses (add them with "
		    "`unit change CODE --email ADDR`)", rd_str(d, "unit_code"));
	else if ((rc = enqueue(db, cfg, id, unit, to, n_to, d, now)) == -1)
		*error = xstrdup("notice: could not be queued");
	strv_free(to);
	json_decref(d);
	return rc;
}

/* ---- a sample for check-config ---- */

/* A sample county unit with one account problem and one unit-wide
 * problem, in a database of its own in memory. */
static long long
sample_unit(sqlite3 *db, const struct config *cfg)
{
	const char *emails[] = { "jyj@example.gov.cn" };
	const struct unit_fields u = { .code = "JYJ", .name = "某某县教育局",
	    .contact = "王某某", .emails = emails, .n_emails = 1,
	    .set_emails = true };
	const struct account_fields a = { .unit_code = "JYJ",
	    .platform = cfg->n_platforms ? cfg->platforms[0].key : NULL,
	    .name = "某某教育发布", .platform_uid = "gh_0123456789ab" };
	struct problem_new p = { .unit_code = "JYJ",
	    .detail = "政务公开栏目“通知公告”3个月未更新" };
	char *error = NULL;
	long long account = 0, id;

	if (unit_add(db, &u, &error) == -1 ||
	    account_open(db, cfg, &a, NULL, &account, &error) == -1 ||
	    problem_add(db, &p, config_deadline(cfg, mw_now()), &id, &error) == -1) {
		free(error);
		return 0;
	}
	p = (struct problem_new){ .account_id = account,
	    .detail = "转载内容未注明来源" };
	if (problem_add(db, &p, config_deadline(cfg, mw_now()), &id, &error) == -1) {
		free(error);
		return 0;
	}
	return unit_id(db, "JYJ");
}

json_t *
notice_sample_data(const struct config *cfg, time_t now)
{
	sqlite3 *db = db_open(":memory:", true);
	json_t *ids = json_array(), *d = NULL;
	char due[ISO_DATE_SIZE];
	long long unit, seq;
	int year;

	if (db != NULL && db_begin(db) == 0 &&
	    (unit = sample_unit(db, cfg)) != 0)
		d = build(db, cfg, unit, now, ids, due, &year, &seq);
	json_decref(ids);
	db_close(db);
	return d;
}
