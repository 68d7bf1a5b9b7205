/* bulletin.c — gathering a month's figures into the bulletin's data. */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "monitor/evaluate.h"
#include "paperwork/bulletin.h"
#include "paperwork/bulletin_text.h"
#include "paperwork/document.h"
#include "paperwork/render.h"
#include "poll/poller.h"
#include "registry/account.h"
#include "registry/problem.h"
#include "store/db.h"

#define LOOKBACK_MONTHS 36        /* longest repeat run reported */

bool
monitoring_began(sqlite3 *db, time_t *at)
{
	long long t = 0;

	if (db_query_int(db, &t, "SELECT min(at) FROM state_change", "") != 0 ||
	    t == 0)
		return false;
	*at = (time_t)t;
	return true;
}

/* ---- each account ---- */

/* Columns of the account query; ?1 is the check time. */
enum { A_ID, A_UNIT, A_UNIT_NAME, A_PLATFORM, A_NAME, A_OPENED_ON,
    A_CREATED, A_STALE, A_WARN, A_UID, A_FEED, A_FIRST_EVAL, A_STATE,
    A_UNREACHABLE };

static const char account_query[] =
	"SELECT a.id, u.code, u.name, a.platform, a.name, a.opened_on,"
	" a.created_at, a.stale_after, a.warn_after, coalesce(a.platform_uid,"
	" ''), a.feed_url,"
	" (SELECT min(sc.at) FROM state_change sc WHERE sc.account_id = a.id),"
	" (SELECT sc.to_state FROM state_change sc WHERE sc.account_id = a.id"
	"  AND sc.at <= ?1 ORDER BY sc.at DESC, sc.id DESC LIMIT 1),"
	" (SELECT min(p.opened_at) FROM problem p WHERE p.account_id = a.id AND"
	"  p.kind = 'unreachable' AND p.opened_at <= ?1 AND (p.closed_at IS NULL"
	"  OR p.closed_at > ?1))"
	" FROM account a JOIN unit u ON u.id = a.unit_id"
	" ORDER BY u.code, a.platform, a.id";

/* The veto (单项否决) problems of an account open at some time in the
 * watched part of the month: its worst kind then, at the check time
 * (problem_accounts(), the one count of accounts), and whether a serious
 * wording error was among them. */
struct vetoes {
	bool stale, dormant, serious;
};

static void
vetoes_of(const struct problem_account *pa, struct vetoes *v)
{
	memset(v, 0, sizeof(*v));
	if (pa == NULL)
		return;
	v->dormant = strcmp(pa->worst, "dormant") == 0;
	v->stale = strcmp(pa->worst, "stale") == 0;
	v->serious = pa->serious;
}

/* The reasons, the worse of stale and dormant only. */
static char *
reasons_text(const struct vetoes *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (v->dormant)
		sb_puts(&sb, "长期未更新");
	else if (v->stale)
		sb_puts(&sb, "超期未更新");
	if (v->serious)
		sb_printf(&sb, "%s严重表述错误", sb.len ? "、" : "");
	return sb_steal(&sb);
}

static bool
any_veto(const struct vetoes *v)
{
	return v->stale || v->dormant || v->serious;
}

static long long
posts_in_period(sqlite3 *db, long long account, const struct period *p)
{
	long long n = 0;

	db_query_int(db, &n, "SELECT count(*) FROM post WHERE account_id = ? AND"
	    " coalesce(published_at, first_seen_at) >= ? AND"
	    " coalesce(published_at, first_seen_at) <= ?", "III", account,
	    (long long)p->from, (long long)p->check);
	return n;
}

/* Why monitoring could not see the account at the check time, or NULL
 * when it could.  Caller frees. */
static char *
gap_reason(const struct config *cfg, sqlite3_stmt *st, const struct period *p)
{
	char since[CN_DATE_SIZE], *url;
	bool has_feed;

	if (db_column_is_null(st, A_FIRST_EVAL) ||
	    sqlite3_column_int64(st, A_FIRST_EVAL) > (long long)p->check)
		return xstrdup("登记后尚未完成首次监测");
	if (strcmp(db_column_text(st, A_STATE), "unverified") != 0)
		return NULL;
	if (!db_column_is_null(st, A_UNREACHABLE)) {
		date_cn((time_t)sqlite3_column_int64(st, A_UNREACHABLE), since,
		    sizeof(since));
		return xasprintf("订阅源自%s起无法访问", since);
	}
	url = poller_feed_url(cfg, db_column_text(st, A_PLATFORM),
	    db_column_text(st, A_UID), (const char *)sqlite3_column_text(st,
	    A_FEED));
	has_feed = url != NULL;
	free(url);
	return xstrdup(has_feed ? "近期未能成功获取订阅内容" :
	    "无订阅源，且近期无人工核查记录");
}

/* *age: seconds without update at the check time. */
static json_t *
account_base(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    const struct period *p, long long *age)
{
	long long id = sqlite3_column_int64(st, A_ID);
	const char *platform = db_column_text(st, A_PLATFORM);
	time_t registered = account_grace_start(db_column_text(st, A_OPENED_ON),
	    (time_t)sqlite3_column_int64(st, A_CREATED)), last = 0;
	bool has = account_last_update_at(db, id, p->check, &last);
	json_t *row;

	row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I}",
	    "account_id", (json_int_t)id, "unit", db_column_text(st, A_UNIT),
	    "unit_name", db_column_text(st, A_UNIT_NAME), "platform_key",
	    platform, "platform", platform_label(cfg, platform), "account",
	    db_column_text(st, A_NAME), "uid", db_column_text(st, A_UID),
	    "last_update", json_date(has, last), "days",
	    (json_int_t)days_between(has ? last : registered, p->check),
	    "posts", (json_int_t)posts_in_period(db, id, p));
	set_threshold_days(row, account_warn_after(cfg, platform, st, A_WARN),
	    account_stale_after(cfg, platform, st, A_STALE));
	*age = (long long)(p->check - (has ? last : registered));
	return row;
}

static void
set_result(json_t *row, const char *result, const char *state,
    const char *reasons)
{
	json_object_set_new(row, "result", json_string(result));
	json_object_set_new(row, "state", json_string(state));
	json_object_set_new(row, "reasons", json_string(reasons));
}

/* The accounts with problems in the watched part of the month. */
struct problem_set {
	struct problem_account *a;
	size_t                  n;
};

/* One account as the bulletin sees it at the check time. */
static json_t *
account_row(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    const struct period *p, const struct problem_set *ps)
{
	const char *platform = db_column_text(st, A_PLATFORM);
	long long age;
	json_t *row = account_base(db, cfg, st, p, &age);
	struct vetoes v;
	char *why, *gap;

	vetoes_of(problem_account_find(ps->a, ps->n, sqlite3_column_int64(st,
	    A_ID)), &v);
	if (!any_veto(&v) && (gap = gap_reason(cfg, st, p)) != NULL) {
		set_result(row, "监测缺口", "gap", gap);
		free(gap);
		return row;
	}
	/* the national check itself: no update in the stale period before
	 * the check time fails, whether or not a problem was opened; but
	 * only an age that a recent fetch confirmed */
	if (age >= account_stale_after(cfg, platform, st, A_STALE) && !v.dormant &&
	    strcmp(db_column_text(st, A_STATE), "unverified") != 0)
		v.stale = true;
	why = reasons_text(&v);
	set_result(row, *why ? "不合格" : "合格", *why ? "fail" : "pass", why);
	free(why);
	return row;
}

/* The accounts that were active at the check time, units in the
 * configured order. */
static json_t *
accounts(sqlite3 *db, const struct config *cfg, const struct period *p)
{
	json_t *rows = json_array();
	struct problem_set ps;
	sqlite3_stmt *st;
	char *status;

	if (problem_accounts(db, &(struct problem_window){ p->from, p->check, 0 },
	    &ps.a, &ps.n) == -1) {
		json_decref(rows);
		return NULL;
	}
	st = db_prepare(db, account_query, "I", (long long)p->check);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		if (account_registered(db_column_text(st, A_OPENED_ON),
		    (time_t)sqlite3_column_int64(st, A_CREATED)) > p->check)
			continue;
		status = account_status_at(db, sqlite3_column_int64(st, A_ID),
		    p->check);
		if (status && strcmp(status, "active") == 0)
			json_array_append_new(rows, account_row(db, cfg, st, p, &ps));
		free(status);
	}
	sqlite3_finalize(st);
	free(ps.a);
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

/* ---- totals ---- */

static json_t *
total_new(const char *key, const char *name)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:I, s:I}", "key", key,
	    "name", name, "accounts", (json_int_t)0, "qualified", (json_int_t)0,
	    "unqualified", (json_int_t)0, "pass_rate", "", "gaps", (json_int_t)0,
	    "posts", (json_int_t)0);
}

static void
bump(json_t *t, const char *key, long long by)
{
	json_object_set_new(t, key, json_integer(rd_int(t, key) + by));
}

/* A gap is neither qualified nor not: it stays out of the pass rate. */
static void
total_add(json_t *t, const json_t *acct)
{
	const char *state = rd_str(acct, "state");

	if (strcmp(state, "gap") == 0)
		bump(t, "gaps", 1);
	else {
		bump(t, "accounts", 1);
		bump(t, strcmp(state, "pass") == 0 ? "qualified" : "unqualified", 1);
	}
	bump(t, "posts", rd_int(acct, "posts"));
}

static void
total_finish(json_t *t)
{
	char *rate = pass_rate_text((long)rd_int(t, "qualified"),
	    (long)rd_int(t, "accounts"));

	json_object_set_new(t, "pass_rate", json_string(rate));
	free(rate);
}

/* Totals of the accounts grouped by member key, in first-seen order;
 * name_key names each group. */
static json_t *
totals_by(const json_t *accts, const char *key, const char *name_key)
{
	json_t *groups = json_array(), *index = json_object(), *g, *a;
	size_t i;

	json_array_foreach(accts, i, a) {
		if ((g = json_object_get(index, rd_str(a, key))) == NULL) {
			g = total_new(rd_str(a, key), rd_str(a, name_key));
			json_object_set_new(index, rd_str(a, key), g);
			json_array_append(groups, g);
		}
		total_add(g, a);
	}
	json_array_foreach(groups, i, g)
		total_finish(g);
	json_decref(index);
	return groups;
}

/* Platforms in the configured order, the unknown ones after. */
static json_t *
platform_totals(const struct config *cfg, const json_t *accts)
{
	json_t *all = totals_by(accts, "platform_key", "platform");
	json_t *sorted = json_array(), *g;
	size_t i, j;

	for (j = 0; j < cfg->n_platforms; j++)
		json_array_foreach(all, i, g)
			if (strcmp(rd_str(g, "key"), cfg->platforms[j].key) == 0)
				json_array_append(sorted, g);
	json_array_foreach(all, i, g)
		if (config_platform(cfg, rd_str(g, "key")) == NULL)
			json_array_append(sorted, g);
	json_decref(all);
	return sorted;
}

static json_t *
summary(const json_t *accts)
{
	json_t *t = total_new("", "全部"), *a;
	size_t i;

	json_array_foreach(accts, i, a)
		total_add(t, a);
	total_finish(t);
	json_object_del(t, "key");
	json_object_del(t, "name");
	return t;
}

static json_t *
accounts_in_state(const json_t *accts, const char *state)
{
	json_t *rows = json_array(), *a;
	size_t i;

	json_array_foreach(accts, i, a)
		if (strcmp(rd_str(a, "state"), state) == 0)
			json_array_append(rows, a);
	return rows;
}

/* ---- ranking (排名) ---- */

/* Whether unit a ranks above b: the higher pass rate, then fewer
 * unqualified accounts.  Compared as fractions, never as floats. */
static int
rank_cmp(const json_t *a, const json_t *b)
{
	long long qa = rd_int(a, "qualified"), na = rd_int(a, "accounts");
	long long qb = rd_int(b, "qualified"), nb = rd_int(b, "accounts");
	long long left = qa * nb, right = qb * na;

	if (left != right)
		return left > right ? -1 : 1;
	if (rd_int(a, "unqualified") != rd_int(b, "unqualified"))
		return rd_int(a, "unqualified") < rd_int(b, "unqualified") ? -1 : 1;
	return 0;
}

/* Units with judged accounts, best first (stable: ties keep the
 * configured order and share a rank, 1, 1, 3); each unit's "rank" is set,
 * "—" for a unit without judged accounts. */
static json_t *
ranking(json_t *units)
{
	json_t *ranked = json_array(), *u, *prev = NULL;
	size_t i, j, n;

	json_array_foreach(units, i, u) {
		json_object_set_new(u, "rank", json_string("—"));
		if (rd_int(u, "accounts") == 0)
			continue;
		n = json_array_size(ranked);
		for (j = n; j > 0 && rank_cmp(u, json_array_get(ranked, j - 1)) < 0;
		    j--)
			continue;
		json_array_insert(ranked, j, u);
	}
	json_array_foreach(ranked, i, u) {
		if (prev == NULL || rank_cmp(prev, u) != 0)
			json_object_set_new(u, "rank", json_integer((json_int_t)i + 1));
		else
			json_object_set(u, "rank", json_object_get(prev, "rank"));
		prev = u;
	}
	return ranked;
}

/* ---- problems, notices, returns ---- */

/* ?1 is the start of the watched time, ?2 the check time: a later
 * closing or escalation is not known at the check time, so a past month
 * reads the same later.  e is the problem's escalation in the watched
 * time, if any. */
static const char problem_select[] =
	"SELECT u.code, u.name, a.platform, a.name, " PROBLEM_KIND_AT("p", "?2")
	", coalesce(p.severity, ''), " PROBLEM_DETAIL_AT("p", "?2") ","
	" p.opened_at, p.due_at, CASE WHEN p.closed_at <= ?2 THEN p.closed_at"
	" END, coalesce(p.account_id, 0), coalesce(a.platform_uid, ''), e.at,"
	" coalesce(e.from_kind, '') FROM problem p JOIN unit u ON u.id ="
	" p.unit_id LEFT JOIN account a ON a.id = p.account_id"
	" LEFT JOIN problem_event e ON e.id = (SELECT min(x.id) FROM"
	"  problem_event x WHERE x.problem_id = p.id AND x.action = 'escalated'"
	"  AND x.at >= ?1 AND x.at <= ?2)"
	" WHERE p.kind != 'unreachable' AND ";

enum { Q_UNIT, Q_UNIT_NAME, Q_PLATFORM, Q_NAME, Q_KIND, Q_SEVERITY, Q_DETAIL,
    Q_OPENED, Q_DUE, Q_CLOSED, Q_ACCOUNT, Q_UID, Q_ESCALATED, Q_FROM_KIND };

static json_t *
date_or_empty(sqlite3_stmt *st, int col)
{
	char buf[CN_DATE_SIZE];

	if (db_column_is_null(st, col))
		return json_string("");
	date_cn((time_t)sqlite3_column_int64(st, col), buf, sizeof(buf));
	return json_string(buf);
}

/* The detail as it stood at the check time; an escalation in the month
 * is said at its end: "…（2026年2月10日由超期未更新升级）". */
static json_t *
detail_text(sqlite3_stmt *st)
{
	char day[CN_DATE_SIZE];

	if (db_column_is_null(st, Q_ESCALATED))
		return json_string(db_column_text(st, Q_DETAIL));
	date_cn((time_t)sqlite3_column_int64(st, Q_ESCALATED), day, sizeof(day));
	return json_sprintf("%s（%s由%s升级）", db_column_text(st, Q_DETAIL), day,
	    problem_kind_label(db_column_text(st, Q_FROM_KIND)));
}

static json_t *
problem_row(const struct config *cfg, sqlite3_stmt *st)
{
	bool unit_wide = sqlite3_column_int64(st, Q_ACCOUNT) == 0;
	bool serious = strcmp(db_column_text(st, Q_SEVERITY), "serious") == 0;

	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o,"
	    " s:o, s:o, s:o}", "unit", db_column_text(st, Q_UNIT), "unit_name",
	    db_column_text(st, Q_UNIT_NAME), "account_id",
	    (json_int_t)sqlite3_column_int64(st, Q_ACCOUNT), "platform",
	    unit_wide ? "—" : platform_label(cfg, db_column_text(st, Q_PLATFORM)),
	    "account", unit_wide ? "（单位整体）" : db_column_text(st, Q_NAME),
	    "uid", db_column_text(st, Q_UID), "kind", serious ? "严重表述错误" :
	    problem_kind_label(db_column_text(st, Q_KIND)), "kind_key",
	    db_column_text(st, Q_KIND), "detail", detail_text(st), "opened",
	    date_or_empty(st, Q_OPENED), "due", date_or_empty(st, Q_DUE),
	    "closed", date_or_empty(st, Q_CLOSED), "escalated",
	    date_or_empty(st, Q_ESCALATED));
}

static json_t *
problems_where(sqlite3 *db, const struct config *cfg, const char *where,
    const struct period *p)
{
	struct strbuf sql = STRBUF_INIT;
	json_t *rows = json_array();
	sqlite3_stmt *st;

	sb_printf(&sql, "%s%s ORDER BY p.opened_at, p.id", problem_select, where);
	st = db_prepare(db, sb_str(&sql), "II", (long long)p->from,
	    (long long)p->check);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, problem_row(cfg, st));
	sqlite3_finalize(st);
	sb_free(&sql);
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

/* New in the month: the problems opened, and those escalated (a stale
 * account turned dormant is a new finding, listed as dormant). */
static json_t *
problems(sqlite3 *db, const struct config *cfg, const struct period *p)
{
	return json_pack("{s:o, s:o, s:o}",
	    "opened", problems_where(db, cfg, "((p.opened_at >= ?1 AND"
	    " p.opened_at <= ?2) OR e.id IS NOT NULL)", p),
	    "closed", problems_where(db, cfg, "p.closed_at >= ?1 AND p.closed_at"
	    " <= ?2 AND p.opened_at <= ?2", p),
	    "overdue", problems_where(db, cfg, "p.opened_at <= ?2 AND"
	    " p.due_at < ?2 AND (p.closed_at IS NULL OR p.closed_at > ?2)", p));
}

/* The notices issued in the watched time that stood at the check time: a
 * notice voided later was still in force then. */
static json_t *
notices(sqlite3 *db, const struct period *p)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;
	char issued[CN_DATE_SIZE];

	st = db_prepare(db, "SELECT d.serial, coalesce(u.name, ''), d.issued_at,"
	    " d.due_on, (SELECT count(*) FROM document_problem dp WHERE"
	    " dp.document_id = d.id), coalesce(u.code, '') FROM document d LEFT"
	    " JOIN unit u ON u.id = d.unit_id WHERE d.kind = 'notice' AND"
	    " d.issued_at >= ?1 AND d.issued_at <= ?2 AND (d.state = 'issued' OR"
	    " d.voided_at > ?2) ORDER BY d.issued_at, d.id", "II",
	    (long long)p->from, (long long)p->check);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		date_cn((time_t)sqlite3_column_int64(st, 2), issued, sizeof(issued));
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:o,"
		    " s:I}", "serial", db_column_text(st, 0), "unit",
		    db_column_text(st, 5), "unit_name", db_column_text(st, 1),
		    "issued", issued, "due", iso_date_cn(db_column_text(st, 3)),
		    "problems", (json_int_t)sqlite3_column_int64(st, 4)));
	}
	sqlite3_finalize(st);
	return rows;
}

/* Accounts that were stale or dormant and posted again in the month. */
static json_t *
returned(sqlite3 *db, const struct config *cfg, const struct period *p)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;
	time_t quiet, back;
	bool has;

	st = db_prepare(db, "SELECT u.code, u.name, a.platform, a.name, coalesce("
	    " sc.last_update_at, sc.at), (SELECT q.last_update_at FROM"
	    " state_change q WHERE q.account_id = sc.account_id AND q.at < sc.at"
	    " AND q.to_state IN ('stale', 'dormant') ORDER BY q.at DESC, q.id DESC"
	    " LIMIT 1), a.id, coalesce(a.platform_uid, '') FROM state_change sc"
	    " JOIN account a ON a.id = sc.account_id JOIN unit u ON u.id ="
	    " a.unit_id WHERE sc.at >= ? AND sc.at <= ? AND sc.from_state IN"
	    " ('stale', 'dormant') AND sc.to_state IN ('fresh', 'warning') ORDER"
	    " BY sc.at, sc.id", "II", (long long)p->from, (long long)p->check);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		back = (time_t)sqlite3_column_int64(st, 4);
		has = !db_column_is_null(st, 5);
		quiet = (time_t)sqlite3_column_int64(st, 5);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:I, s:s, s:s,"
		    " s:s, s:o, s:o, s:o}", "unit", db_column_text(st, 0),
		    "unit_name", db_column_text(st, 1), "account_id",
		    (json_int_t)sqlite3_column_int64(st, 6), "platform",
		    platform_label(cfg, db_column_text(st, 2)), "account",
		    db_column_text(st, 3), "uid", db_column_text(st, 7),
		    "quiet_since", json_date(has, quiet), "returned",
		    json_date(true, back), "days_quiet", has ?
		    json_integer(days_between(quiet, back)) : json_string("—")));
	}
	sqlite3_finalize(st);
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

/* ---- repeat offenders ---- */

/* Stale and dormant are one condition at two degrees (an account not
 * updated, escalated in place): a run of months counts them as one kind,
 * "stale". */
#define CONDITION(K) "(CASE " K " WHEN 'dormant' THEN 'stale' ELSE " K " END)"

static bool
open_in_month(sqlite3 *db, long long unit, const char *condition,
    const struct month *m)
{
	long long n = 0;

	db_query_int(db, &n, "SELECT EXISTS (SELECT 1 FROM problem WHERE unit_id ="
	    " ? AND " CONDITION("kind") " = ? AND opened_at < ? AND (closed_at IS"
	    " NULL OR closed_at > ?))", "IsII", unit, condition, (long long)m->end,
	    (long long)m->start);
	return n != 0;
}

/* The accounts of a run, as "平台“名称”". */
static char *
run_accounts(sqlite3 *db, const struct config *cfg, long long unit,
    const char *condition, time_t from, const struct period *p)
{
	struct strbuf sb = STRBUF_INIT;
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT DISTINCT a.platform, coalesce(a.name, ''),"
	    " a.id FROM problem p LEFT JOIN account a ON a.id = p.account_id WHERE"
	    " p.unit_id = ? AND " CONDITION("p.kind") " = ? AND p.opened_at <= ?"
	    " AND (p.closed_at IS NULL OR p.closed_at > ?) ORDER BY a.id", "IsII",
	    unit, condition, (long long)p->check, (long long)from);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		if (sb.len)
			sb_puts(&sb, "、");
		if (db_column_is_null(st, 2))
			sb_puts(&sb, "（单位整体）");
		else
			sb_printf(&sb, "%s“%s”", platform_label(cfg,
			    db_column_text(st, 0)), db_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return sb_steal(&sb);
}

/* Columns of the offender query. */
enum { R_UNIT_ID, R_UNIT, R_UNIT_NAME, R_CONDITION, R_WORST };

/* A run is named by the worst kind of its condition this month. */
static json_t *
offender(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st, int run,
    const struct period *p)
{
	const char *condition = db_column_text(st, R_CONDITION);
	json_t *months = json_array(), *row;
	struct strbuf text = STRBUF_INIT;
	struct month m;
	char buf[16], *names;
	int k;

	for (k = run - 1; k >= 0; k--) {
		month_shift(p->m, -k, &m);
		month_format(&m, buf, sizeof(buf));
		json_array_append_new(months, json_string(buf));
	}
	/* 2026年1月至3月, 2025年12月至2026年2月 */
	month_shift(p->m, -(run - 1), &m);
	sb_printf(&text, "%d年%d月至", m.year, m.mon);
	if (m.year != p->m->year)
		sb_printf(&text, "%d年", p->m->year);
	sb_printf(&text, "%d月", p->m->mon);
	names = run_accounts(db, cfg, sqlite3_column_int64(st, R_UNIT_ID),
	    condition, m.start, p);
	row = json_pack("{s:s, s:s, s:s, s:I, s:o, s:s, s:s}", "unit",
	    db_column_text(st, R_UNIT), "unit_name", db_column_text(st,
	    R_UNIT_NAME), "kind", problem_kind_label(db_column_text(st, R_WORST)),
	    "months_count", (json_int_t)run, "months", months, "months_text",
	    sb_str(&text), "accounts", names);
	free(names);
	sb_free(&text);
	return row;
}

/* Units whose same problem kind was open in each of the last
 * repeat_months months up to this one (年度考核扣分名单). */
static json_t *
repeat_offenders(sqlite3 *db, const struct config *cfg, const struct period *p)
{
	json_t *rows = json_array();
	struct month m;
	sqlite3_stmt *st;
	int run;

	st = db_prepare(db, "SELECT p.unit_id, u.code, u.name, "
	    CONDITION("p.kind") " AS c, CASE WHEN " CONDITION("p.kind") " ="
	    " 'stale' AND max("
	    PROBLEM_KIND_AT("p", "?1") " = 'dormant') THEN 'dormant' ELSE "
	    CONDITION("p.kind") " END"
	    " FROM problem p JOIN unit u ON u.id = p.unit_id WHERE p.kind !="
	    " 'unreachable' AND p.opened_at <= ?1 AND (p.closed_at IS NULL OR"
	    " p.closed_at > ?2) GROUP BY p.unit_id, c ORDER BY u.code, c", "II",
	    (long long)p->check, (long long)p->m->start);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		for (run = 1; run < LOOKBACK_MONTHS; run++) {
			month_shift(p->m, -run, &m);
			if (!open_in_month(db, sqlite3_column_int64(st, R_UNIT_ID),
			    db_column_text(st, R_CONDITION), &m))
				break;
		}
		if (run >= cfg->notice.repeat_months)
			json_array_append_new(rows, offender(db, cfg, st, run, p));
	}
	sqlite3_finalize(st);
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

/* ---- the whole ---- */

/* Local midnight of the day of t. */
static time_t
day_start(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static int
watched_period(sqlite3 *db, const struct month *m, time_t now,
    struct period *p, char **error)
{
	char month[16], began[CN_DATE_SIZE];
	time_t start;

	month_format(m, month, sizeof(month));
	if (m->start > now)
		return set_error(error, "month %s: has not started yet", month);
	if (!monitoring_began(db, &start))
		return set_error(error, "month %s: monitoring has not begun (no "
		    "account has been evaluated yet); a bulletin covers only "
		    "watched time", month);
	date_cn(start, began, sizeof(began));
	if (start >= m->end)
		return set_error(error, "month %s: monitoring began on %s, after "
		    "this month; a bulletin covers only watched time", month,
		    began);
	p->m = m;
	p->check = m->end - 1 < now ? m->end - 1 : now;
	/* watched days: the day monitoring began is one of them */
	p->from = day_start(start) > m->start ? day_start(start) : m->start;
	p->began = start;
	return 0;
}

/* Accounts named the same way in more than one list are told apart the
 * same way in all. */
static void
label_all(json_t *d)
{
	json_t *probs = json_object_get(d, "problems");
	json_t *lists[] = { json_object_get(d, "accounts"),
	    json_object_get(d, "returned"), json_object_get(probs, "opened"),
	    json_object_get(probs, "closed"), json_object_get(probs, "overdue") };

	label_accounts(lists, ARRAY_SIZE(lists));
}

/* Rows that are an escalation in the month. */
static json_int_t
escalations(const json_t *rows)
{
	const json_t *r;
	json_int_t n = 0;
	size_t i;

	json_array_foreach(rows, i, r)
		n += *rd_str(r, "escalated") != '\0';
	return n;
}

static void
set_counts(json_t *d)
{
	json_t *sum = json_object_get(d, "summary");
	json_t *probs = json_object_get(d, "problems");

	json_object_set_new(sum, "problems_opened", json_integer((json_int_t)
	    json_array_size(json_object_get(probs, "opened"))));
	json_object_set_new(sum, "problems_escalated", json_integer(
	    escalations(json_object_get(probs, "opened"))));
	json_object_set_new(sum, "problems_closed", json_integer((json_int_t)
	    json_array_size(json_object_get(probs, "closed"))));
	json_object_set_new(sum, "problems_overdue", json_integer((json_int_t)
	    json_array_size(json_object_get(probs, "overdue"))));
	json_object_set_new(sum, "notices", json_integer((json_int_t)
	    json_array_size(json_object_get(d, "notices"))));
	json_object_set_new(sum, "repeat_offenders", json_integer((json_int_t)
	    json_array_size(json_object_get(d, "repeat_offenders"))));
}

static int
set_figures(sqlite3 *db, const struct config *cfg, json_t *d,
    const struct period *p)
{
	json_t *accts = accounts(db, cfg, p), *units;

	if (accts == NULL)
		return -1;
	units = totals_by(accts, "unit", "unit_name");
	json_object_set_new(d, "summary", summary(accts));
	json_object_set_new(d, "platforms", platform_totals(cfg, accts));
	json_object_set_new(d, "ranking", ranking(units));
	json_object_set_new(d, "units", units);
	json_object_set_new(d, "unqualified", accounts_in_state(accts, "fail"));
	json_object_set_new(d, "gaps", accounts_in_state(accts, "gap"));
	json_object_set_new(d, "accounts", accts);
	json_object_set_new(d, "returned", returned(db, cfg, p));
	json_object_set_new(d, "problems", problems(db, cfg, p));
	json_object_set_new(d, "notices", notices(db, p));
	json_object_set_new(d, "repeat_offenders", repeat_offenders(db, cfg, p));
	label_all(d);
	set_counts(d);
	return 0;
}

json_t *
bulletin_build(sqlite3 *db, const struct config *cfg, const struct month *m,
    time_t now, char **error)
{
	struct period p;
	json_t *d;

	if (watched_period(db, m, now, &p, error) == -1)
		return NULL;
	d = json_object();
	bulletin_set_header(d, cfg, &p, now);
	if (set_figures(db, cfg, d, &p) == -1) {
		json_decref(d);
		set_error(error, "database: the problems of the month cannot be read");
		return NULL;
	}
	bulletin_set_text(d, cfg, now);
	return d;
}

int
bulletin_issue(sqlite3 *db, const struct config *cfg, const struct month *m,
    time_t now, long long *id, char **error)
{
	struct document_new doc = { .kind = "bulletin" };
	char month[16], *serial = NULL;
	long long issued;
	int rc;

	month_format(m, month, sizeof(month));
	if (m->end > now)
		return set_error(error, "month %s: is not over yet; preview it with "
		    "`bulletin preview`, issue it from the 1st of next month", month);
	if ((issued = document_bulletin_of(db, month)) != 0) {
		db_query_text(db, &serial, "SELECT serial FROM document WHERE id = ?",
		    "I", issued);
		rc = set_error(error, "month %s: issued before as %s (bulletin %lld); "
		    "void it first to issue it again", month, serial ? serial : "",
		    issued);
		free(serial);
		return rc;
	}
	if ((doc.data = bulletin_build(db, cfg, m, now, error)) == NULL)
		return -1;
	doc.period = month;
	doc.due_on = json_string_value(json_object_get(doc.data, "due_on"));
	rc = document_issue(db, cfg, &doc, now, id, error);
	json_decref(doc.data);
	return rc;
}
