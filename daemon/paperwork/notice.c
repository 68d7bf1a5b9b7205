/* notice.c — building, issuing and sending point-to-point notices. */
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/compose.h"
#include "monitor/alerts.h"
#include "monitor/evaluate.h"
#include "paperwork/document.h"
#include "paperwork/notice.h"
#include "paperwork/paperwork.h"
#include "paperwork/render.h"
#include "registry/account.h"
#include "registry/problem.h"
#include "registry/unit.h"
#include "store/db.h"

#define ATTACHMENT_TITLE "政务新媒体账号问题清单"

/* ---- the problems ---- */

/* Columns of the problem query. */
enum { P_ID, P_PLATFORM, P_NAME, P_KIND, P_SEVERITY, P_DETAIL, P_EVIDENCE,
    P_OPENED, P_UID, P_OPENED_ON, P_CREATED, P_ACCOUNT, P_SEEN };

static const char problem_query[] =
	"SELECT p.id, a.platform, a.name, " PROBLEM_KIND_AT("p", "?2") ","
	" coalesce(p.severity, ''), " PROBLEM_DETAIL_AT("p", "?2") ","
	" coalesce(p.evidence, ''), p.opened_at,"
	" coalesce(a.platform_uid, ''), a.opened_on, a.created_at, p.account_id,"
	" max(coalesce((SELECT f.last_success_at FROM feed_state f WHERE"
	"  f.account_id = p.account_id AND f.last_success_at <= ?2), 0),"
	"  coalesce((SELECT max(o.at) FROM observation o WHERE o.account_id ="
	"  p.account_id AND o.at <= ?2), 0))"
	" FROM problem p LEFT JOIN account a ON a.id = p.account_id"
	" WHERE p.unit_id = ?1 AND (p.closed_at IS NULL OR p.closed_at > ?2)"
	" AND p.kind != 'unreachable' AND p.opened_at <= ?2"
	" ORDER BY p.opened_at, p.id";

static bool
quiet_kind(const char *kind)
{
	return strcmp(kind, "stale") == 0 || strcmp(kind, "dormant") == 0;
}

static const char *
kind_label(sqlite3_stmt *st)
{
	if (strcmp(db_column_text(st, P_KIND), "wording") == 0 &&
	    strcmp(db_column_text(st, P_SEVERITY), "serious") == 0)
		return "严重表述错误";
	return problem_kind_label(db_column_text(st, P_KIND));
}

/* Days without update and the last update, as of now; a problem of the
 * unit as a whole has no account to date. */
static void
set_update_facts(sqlite3 *db, json_t *row, sqlite3_stmt *st, time_t now)
{
	time_t last = 0, since;
	bool has;

	if (db_column_is_null(st, P_ACCOUNT)) {
		json_object_set_new(row, "last_update", json_string("—"));
		json_object_set_new(row, "days", json_string("—"));
		return;
	}
	has = account_last_update_at(db, sqlite3_column_int64(st, P_ACCOUNT),
	    now, &last);
	since = has ? last : account_grace_start(db_column_text(st, P_OPENED_ON),
	    (time_t)sqlite3_column_int64(st, P_CREATED));
	json_object_set_new(row, "last_update", json_date(has, last));
	json_object_set_new(row, "days", json_integer(days_between(since, now)));
}

/* What shows that the problem is real, in terms a unit can check: for an
 * account that stopped updating, its public identity and the day we last
 * looked; for the others, the post or the note the problem was opened
 * with. */
static char *
evidence(sqlite3_stmt *st)
{
	const char *uid = db_column_text(st, P_UID);
	time_t seen = (time_t)sqlite3_column_int64(st, P_SEEN);
	char day[CN_DATE_SIZE];

	if (!quiet_kind(db_column_text(st, P_KIND)))
		return xstrdup(str_empty(db_column_text(st, P_EVIDENCE)) ? "人工核查" :
		    db_column_text(st, P_EVIDENCE));
	if (seen <= 0)
		return *uid ? xasprintf("账号ID %s", uid) : xstrdup("人工核查");
	date_cn(seen, day, sizeof(day));
	return *uid ? xasprintf("账号ID %s，%s监测", uid, day) :
	    xasprintf("%s监测", day);
}

static json_t *
problem_row(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    time_t now, size_t no)
{
	bool unit_wide = db_column_is_null(st, P_ACCOUNT);
	char opened[CN_DATE_SIZE], *proof = evidence(st);
	json_t *row = json_object();

	date_cn((time_t)sqlite3_column_int64(st, P_OPENED), opened,
	    sizeof(opened));
	json_object_set_new(row, "no", json_integer((json_int_t)no));
	json_object_set_new(row, "platform", json_string(unit_wide ? "—" :
	    platform_label(cfg, db_column_text(st, P_PLATFORM))));
	json_object_set_new(row, "account", json_string(unit_wide ?
	    "（单位整体）" : db_column_text(st, P_NAME)));
	json_object_set_new(row, "uid", json_string(db_column_text(st, P_UID)));
	json_object_set_new(row, "account_id", json_integer(unit_wide ? 0 :
	    sqlite3_column_int64(st, P_ACCOUNT)));
	json_object_set_new(row, "kind", json_string(kind_label(st)));
	json_object_set_new(row, "kind_key", json_string(db_column_text(st,
	    P_KIND)));
	json_object_set_new(row, "detail", json_string(db_column_text(st,
	    P_DETAIL)));
	set_update_facts(db, row, st, now);
	json_object_set_new(row, "opened", json_string(opened));
	json_object_set_new(row, "evidence", json_string(proof));
	free(proof);
	return row;
}

/* The open problems of the unit at now, one row each (an account has one
 * problem per condition), with every problem id in *ids. */
static json_t *
open_problems(sqlite3 *db, const struct config *cfg, long long unit,
    time_t now, json_t *ids)
{
	json_t *rows = json_array(), *lists[1];
	sqlite3_stmt *st;

	st = db_prepare(db, problem_query, "II", unit, (long long)now);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		json_array_append_new(ids, json_integer(sqlite3_column_int64(st,
		    P_ID)));
		json_array_append_new(rows, problem_row(db, cfg, st, now,
		    json_array_size(rows) + 1));
	}
	sqlite3_finalize(st);
	lists[0] = rows;
	label_accounts(lists, 1);
	return rows;
}

/* ---- the text ---- */

/* The accounts at their worst (problem_tally(), the count every document
 * shares) and the problems of the other kinds. */
struct tally {
	long   dormant, stale, accounts;
	size_t wording, serious, manual, unit_wide;
};

static int
count_problems(sqlite3 *db, long long unit, time_t now, const json_t *rows,
    struct tally *t)
{
	struct problem_tally pt;
	const json_t *row;
	const char *kind;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (problem_tally(db, &(struct problem_window){ .from = now,
	    .to = now, .unit_id = unit }, &pt) == -1)
		return -1;
	t->dormant = pt.by_rank[problem_kind_rank("dormant")];
	t->stale = pt.by_rank[problem_kind_rank("stale")];
	/* an account whose worst is a failing feed is ours, not the unit's */
	t->accounts = pt.accounts - pt.by_rank[problem_kind_rank("unreachable")];
	json_array_foreach(rows, i, row) {
		kind = rd_str(row, "kind_key");
		if (rd_int(row, "account_id") == 0)
			t->unit_wide++;
		else if (strcmp(kind, "wording") == 0) {
			t->wording++;
			t->serious += strcmp(rd_str(row, "kind"), "严重表述错误") == 0;
		} else if (strcmp(kind, "stale") != 0 && strcmp(kind, "dormant") != 0)
			t->manual++;
	}
	return 0;
}

/* "长期未更新账号2个": what, the count, the measure word. */
static void
put_count(struct strbuf *sb, long n, const char *what, const char *unit)
{
	if (n == 0)
		return;
	sb_printf(sb, "%s%s%ld%s", sb->len ? "，" : "", what, n, unit);
}

/* 一、存在问题: the problems by kind; the attachment lists them. */
static char *
findings(const struct tally *t)
{
	struct strbuf sb = STRBUF_INIT;
	char *text;

	put_count(&sb, t->dormant, "长期未更新账号", "个");
	put_count(&sb, t->stale, "超期未更新账号", "个");
	put_count(&sb, (long)t->wording, "表述错误", "处");
	if (t->serious)
		sb_printf(&sb, "（其中严重表述错误%zu处）", t->serious);
	put_count(&sb, (long)t->manual, "人工核查发现的账号问题", "个");
	put_count(&sb, (long)t->unit_wide, "单位整体问题", "个");
	text = xasprintf("其中%s。各问题的账号、最近更新日期和监测依据见附件。",
	    sb_str(&sb));
	sb_free(&sb);
	return text;
}

static json_t *
requirement(const char *heading, char *text)
{
	json_t *r = json_pack("{s:s, s:s}", "heading", heading, "text", text);

	free(text);
	return r;
}

/* 二、整改要求, with the deadline counted at issue. */
static json_t *
requirements(const struct config *cfg, const char *due)
{
	const struct notice_config *nc = &cfg->notice;
	json_t *req = json_array();

	json_array_append_new(req, requirement("（一）限期整改。", xasprintf(
	    "请于%s前（%ld个工作日内）完成整改。账号恢复更新后，相应问题由系统自动"
	    "销号；确无能力维护的账号，请按照国办发〔2018〕123号文件要求予以关停或"
	    "整合，并向主管部门办理备案。", due, nc->rectify_days)));
	json_array_append_new(req, requirement("（二）在线回复。", xasprintf(
	    "请于%s前登录政务新媒体监测平台%s%s%s，逐项在线回复整改措施、完成时间"
	    "和责任人，并上传佐证材料（如加盖单位公章的书面回复扫描件）；逾期未回复"
	    "的，将在月度通报中予以通报。", due, cfg->console_url ? "（" : "",
	    cfg->console_url ? cfg->console_url : "", cfg->console_url ? "）" :
	    "")));
	json_array_append_new(req, requirement("（三）健全长效机制。", xstrdup(
	    "严格落实“三审三校”制度，明确专人负责账号日常运维，确保账号更新及时、"
	    "内容准确。")));
	return req;
}

/* A notice to a unit without problems says so and asks for nothing. */
static void
set_empty_text(json_t *d, json_t *body)
{
	json_array_append_new(body, json_sprintf("经监测，截至%s，贵单位作为责任"
	    "单位的政务新媒体账号未发现待整改问题。请继续严格落实“三审三校”制度，"
	    "保持账号正常更新。", rd_str(d, "check_time")));
	json_object_set_new(d, "findings", json_string(""));
	json_object_set_new(d, "requirements", json_array());
	json_object_set_new(d, "closing", json_string(""));
	json_object_set_new(d, "attachment", json_string(""));
}

/* The body text is part of the stored data, so a later change of the
 * wording or of the configuration never alters an issued notice. */
static void
set_text(const struct config *cfg, json_t *d, const json_t *rows,
    const struct tally *t)
{
	json_t *body = json_array();
	char *text;

	json_object_set_new(d, "account_count", json_integer((json_int_t)t->accounts));
	json_object_set_new(d, "body", body);
	if (json_array_size(rows) == 0) {
		set_empty_text(d, body);
		return;
	}
	text = t->accounts ? xasprintf("（涉及%ld个账号，详见附件）", t->accounts) :
	    xstrdup("（详见附件）");
	json_array_append_new(body, json_sprintf("经监测，截至%s，贵单位作为责任"
	    "单位的政务新媒体存在%zu个问题%s。按照《政府网站与政务新媒体检查指标》"
	    "（国办秘函〔2019〕19号），监测时间点前2周内无更新的账号判定为不合格"
	    "（单项否决）。现将有关情况通报如下。", rd_str(d, "check_time"),
	    json_array_size(rows), text));
	free(text);
	json_object_set_new(d, "findings", json_string((text = findings(t))));
	free(text);
	json_object_set_new(d, "requirements", requirements(cfg, rd_str(d, "due")));
	json_object_set_new(d, "closing", json_sprintf("逾期未整改或整改不到位的，"
	    "将在月通报中予以通报；同一类问题连续%ld个月出现的，将在年度绩效考核中"
	    "扣分。", cfg->notice.repeat_months));
	json_object_set_new(d, "attachment", json_string(ATTACHMENT_TITLE));
}

/* ---- the whole ---- */

static void
set_unit(sqlite3 *db, long long unit, json_t *d)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT code, name, coalesce(contact,"
	    " '') FROM unit WHERE id = ?", "I", unit);
	char *title;

	if (st && sqlite3_step(st) == SQLITE_ROW) {
		title = xasprintf("关于%s政务新媒体账号%s的通报",
		    db_column_text(st, 1), json_integer_value(json_object_get(d,
		    "problem_count")) ? "存在问题" : "监测情况");
		json_object_set_new(d, "title", json_string(title));
		json_object_set_new(d, "unit_code", json_string(db_column_text(st, 0)));
		json_object_set_new(d, "unit_name", json_string(db_column_text(st, 1)));
		json_object_set_new(d, "addressee", json_string(db_column_text(st, 1)));
		json_object_set_new(d, "contact", json_string(db_column_text(st, 2)));
		free(title);
	}
	sqlite3_finalize(st);
}

static json_t *
build(sqlite3 *db, const struct config *cfg, long long unit, time_t now,
    json_t *ids)
{
	json_t *d = json_object(), *problems;
	char check[CN_DATE_SIZE];
	struct tally t;

	problems = open_problems(db, cfg, unit, now, ids);
	time_cn(now, check, sizeof(check));
	json_object_set_new(d, "kind", json_string("notice"));
	json_object_set_new(d, "title", json_string(""));
	json_object_set_new(d, "serial", json_string(""));
	json_object_set_new(d, "year", json_null());
	json_object_set_new(d, "sequence", json_null());
	json_object_set_new(d, "problem_count",
	    json_integer((json_int_t)json_array_size(problems)));
	set_unit(db, unit, d);
	set_document_frame(d, cfg, now);
	json_object_set_new(d, "check_time", json_string(check));
	json_object_set_new(d, "rectify_days", json_integer(cfg->notice.rectify_days));
	set_due(d, cfg, now, json_array_size(problems) > 0);
	if (count_problems(db, unit, now, problems, &t) == -1) {
		json_decref(problems);
		json_decref(d);
		return NULL;
	}
	set_text(cfg, d, problems, &t);
	json_object_set_new(d, "problems", problems);
	return d;
}

/* The unit and its data, or NULL with *error. */
static json_t *
build_for(sqlite3 *db, const struct config *cfg, const char *unit_code,
    bool allow_empty, time_t now, long long *unit, json_t *ids, char **error)
{
	json_t *d;

	if (str_empty(unit_code) || (*unit = unit_id(db, unit_code)) == 0) {
		set_error(error, _("unit: no unit '%s'"), unit_code ? unit_code : "");
		return NULL;
	}
	if ((d = build(db, cfg, *unit, now, ids)) == NULL) {
		set_error(error, _("unit %s: its problems cannot be read from the "
		    "database"), unit_code);
		return NULL;
	}
	if (json_array_size(ids) == 0 && !allow_empty) {
		set_error(error, _("unit %s: no open problems to notify (use "
		    "--allow-empty for a notice anyway)"), unit_code);
		json_decref(d);
		return NULL;
	}
	return d;
}

json_t *
notice_preview(sqlite3 *db, const struct config *cfg, const char *unit_code,
    bool allow_empty, time_t now, char **error)
{
	json_t *ids = json_array(), *d;
	long long unit;

	d = build_for(db, cfg, unit_code, allow_empty, now, &unit, ids, error);
	json_decref(ids);
	return d;
}

int
notice_issue(sqlite3 *db, const struct config *cfg, const char *unit_code,
    bool allow_empty, time_t now, long long *id, char **error)
{
	json_t *ids = json_array(), *d;
	struct document_new doc = { .kind = "notice", .problem_ids = ids };
	int rc = -1;

	if ((d = build_for(db, cfg, unit_code, allow_empty, now, &doc.unit_id,
	    ids, error)) != NULL) {
		doc.data = d;
		doc.due_on = json_string_value(json_object_get(d, "due_on"));
		rc = document_issue(db, cfg, &doc, now, id, error);
	}
	json_decref(d);
	json_decref(ids);
	return rc;
}

/* ---- sending ---- */

/* The mail is the unit-notice template filled from the stored data, so
 * what is sent matches what was issued.  A unit without an address is
 * reached through the admins, and the mail says so (no_address), as the
 * alerts do. */
static int
enqueue(sqlite3 *db, const struct config *cfg, long long id, long long unit,
    const json_t *d, time_t now)
{
	struct tmpl_vars *v = tmpl_vars_from_json(d);
	char *key = xasprintf("notice:%lld", id), **to;
	size_t n_to = 0;
	bool fallback;
	struct outgoing m = { .kind = "notice", .unit_id = unit,
	    .dedup_key = key, .admins = true };
	int rc;

	to = unit_mail_recipients(db, cfg, unit, &n_to, &fallback, v);
	m.to = (const char *const *)to;
	m.n_to = n_to;
	if (!fallback) {
		m.cc = (const char *const *)cfg->mail.admins;
		m.n_cc = cfg->mail.n_admins;
	}
	rc = compose_queue(db, cfg, "unit-notice", v, &m, now);
	rc = rc == 1 ? document_mark_sent(db, id, key) : -1;
	strv_free(to);
	tmpl_vars_free(v);
	free(key);
	return rc;
}

int
notice_send(sqlite3 *db, const struct config *cfg, long long id, time_t now,
    char **error)
{
	json_t *d = document_data(db, "notice", id, error);
	int rc;

	if (d == NULL)
		return -1;
	if (json_object_get(d, "void"))
		rc = set_error(error, _("notice %lld: %s is void"), id, rd_str(d, "serial"));
	else if (document_sent(db, id))
		rc = set_error(error, _("notice %lld: queued for sending before"), id);
	else if ((rc = enqueue(db, cfg, id, document_unit(db, id), d, now)) == -1)
		*error = xstrdup(_("notice: could not be queued"));
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
	long long unit;

	/* the sample problems are opened at the clock's time, which may have
	 * passed now while they were added (a busy machine): the notice is
	 * made at the later, or it would list none */
	if (db != NULL && db_begin(db) == 0 &&
	    (unit = sample_unit(db, cfg)) != 0)
		d = build(db, cfg, unit, mw_now() > now ? mw_now() : now, ids);
	if (d) {
		json_object_set_new(d, "serial", json_string("〔2026〕1号"));
		/* a name the mail gets when it is sent (notice_send()) */
		json_object_set_new(d, "no_address", json_string("1"));
	}
	json_decref(ids);
	db_close(db);
	return d;
}
