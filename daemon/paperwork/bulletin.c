/* bulletin.c — gathering a month's figures into the bulletin's data. */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "monitor/evaluate.h"
#include "paperwork/bulletin.h"
#include "paperwork/render.h"
#include "store/db.h"

#define LOOKBACK_MONTHS 36        /* longest repeat run reported */

/* The period a bulletin covers and the moment it judges. */
struct period {
	const struct month *m;
	time_t              check;    /* last second read */
};

/* Veto (单项否决) problems of an account open at some time in the month. */
static json_t *
veto_reasons(sqlite3 *db, long long account, const struct period *p)
{
	json_t *reasons = json_array();
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT DISTINCT kind FROM problem WHERE account_id = ?"
	    " AND opened_at <= ? AND (closed_at IS NULL OR closed_at > ?) AND"
	    " (kind IN ('stale', 'dormant') OR (kind = 'wording' AND severity ="
	    " 'serious')) ORDER BY kind DESC", "III", account, (long long)p->check,
	    (long long)p->m->start);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(reasons, json_string(strcmp(db_column_text(st,
		    0), "wording") == 0 ? "严重表述错误" :
		    problem_kind_label(db_column_text(st, 0))));
	sqlite3_finalize(st);
	return reasons;
}

static bool
has_string(const json_t *a, const char *s)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (strcmp(json_string_value(json_array_get(a, i)), s) == 0)
			return true;
	return false;
}

static char *
join(const json_t *a, const char *sep)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		sb_printf(&sb, "%s%s", i ? sep : "",
		    json_string_value(json_array_get(a, i)));
	return sb_steal(&sb);
}

static long long
posts_in_month(sqlite3 *db, long long account, const struct period *p)
{
	long long n = 0;

	db_query_int(db, &n, "SELECT count(*) FROM post WHERE account_id = ? AND"
	    " coalesce(published_at, first_seen_at) >= ? AND"
	    " coalesce(published_at, first_seen_at) <= ?", "III", account,
	    (long long)p->m->start, (long long)p->check);
	return n;
}

/* One account as the bulletin sees it at the check time. */
static json_t *
account_row(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    const struct period *p)
{
	long long id = sqlite3_column_int64(st, 0);
	const char *platform = db_column_text(st, 3);
	time_t registered = account_grace_start(db_column_text(st, 5),
	    (time_t)sqlite3_column_int64(st, 6)), last = 0;
	bool has = account_last_update_at(db, id, p->check, &last);
	long long age = (long long)(p->check - (has ? last : registered));
	json_t *reasons = veto_reasons(db, id, p);
	char *why;
	json_t *row;

	/* the national check itself: no update in the stale period before
	 * the check time fails, whether or not a problem was opened */
	if (age >= account_stale_after(cfg, platform, st, 7) &&
	    !has_string(reasons, "超期未更新") && !has_string(reasons, "长期未更新"))
		json_array_append_new(reasons, json_string("超期未更新"));
	why = join(reasons, "、");
	row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:s,"
	    " s:s, s:s}", "id", (json_int_t)id, "unit", db_column_text(st, 1),
	    "unit_name", db_column_text(st, 2), "platform_key", platform,
	    "platform", platform_label(cfg, platform), "account",
	    db_column_text(st, 4), "last_update", json_date(has, last), "days",
	    (json_int_t)days_between(has ? last : registered, p->check), "posts",
	    (json_int_t)posts_in_month(db, id, p), "result",
	    json_array_size(reasons) ? "不合格" : "合格", "state",
	    json_array_size(reasons) ? "fail" : "pass", "reasons", why);
	set_threshold_days(row, account_warn_after(cfg, platform, st, 8),
	    account_stale_after(cfg, platform, st, 7));
	free(why);
	json_decref(reasons);
	return row;
}

/* The accounts that were active at the check time. */
static json_t *
accounts(sqlite3 *db, const struct config *cfg, const struct period *p)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;
	char *status;

	st = db_prepare(db, "SELECT a.id, u.code, u.name, a.platform, a.name,"
	    " a.opened_on, a.created_at, a.stale_after, a.warn_after FROM account a"
	    " JOIN unit"
	    " u ON u.id = a.unit_id ORDER BY u.code, a.platform, a.id", "");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		if (account_registered(db_column_text(st, 5),
		    (time_t)sqlite3_column_int64(st, 6)) > p->check)
			continue;
		status = account_status_at(db, sqlite3_column_int64(st, 0), p->check);
		if (status && strcmp(status, "active") == 0)
			json_array_append_new(rows, account_row(db, cfg, st, p));
		free(status);
	}
	sqlite3_finalize(st);
	return rows;
}

/* ---- totals ---- */

static json_t *
total_new(const char *key, const char *name)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:I}", "key", key,
	    "name", name, "accounts", (json_int_t)0, "qualified", (json_int_t)0,
	    "unqualified", (json_int_t)0, "pass_rate", "", "posts", (json_int_t)0);
}

static void
bump(json_t *t, const char *key, long long by)
{
	json_object_set_new(t, key, json_integer(rd_int(t, key) + by));
}

static void
total_add(json_t *t, const json_t *acct)
{
	bool pass = strcmp(rd_str(acct, "state"), "pass") == 0;

	bump(t, "accounts", 1);
	bump(t, pass ? "qualified" : "unqualified", 1);
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
unqualified(const json_t *accts)
{
	json_t *rows = json_array(), *a;
	size_t i;

	json_array_foreach(accts, i, a)
		if (strcmp(rd_str(a, "state"), "fail") == 0)
			json_array_append(rows, a);
	return rows;
}

/* ---- problems, notices, returns ---- */

/* ?1 is the month's start, ?2 the check time: a later closing is not
 * known at the check time. */
static const char problem_select[] =
	"SELECT u.name, a.platform, a.name, p.kind, coalesce(p.severity, ''),"
	" p.detail, p.opened_at, p.due_at, CASE WHEN p.closed_at <= ?2 THEN"
	" p.closed_at END FROM problem p JOIN unit u"
	" ON u.id = p.unit_id LEFT JOIN account a ON a.id = p.account_id"
	" WHERE p.kind != 'unreachable' AND ";

static json_t *
date_or_empty(sqlite3_stmt *st, int col)
{
	char buf[32];

	if (db_column_is_null(st, col))
		return json_string("");
	date_format_local((time_t)sqlite3_column_int64(st, col), buf, sizeof(buf));
	return json_string(buf);
}

static json_t *
problem_row(const struct config *cfg, sqlite3_stmt *st)
{
	bool unit_wide = db_column_is_null(st, 2);
	bool serious = strcmp(db_column_text(st, 4), "serious") == 0;

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
	    "unit_name", db_column_text(st, 0), "platform", unit_wide ? "—" :
	    platform_label(cfg, db_column_text(st, 1)), "account", unit_wide ?
	    "（单位整体）" : db_column_text(st, 2), "kind", serious ? "严重表述错误" :
	    problem_kind_label(db_column_text(st, 3)), "detail",
	    db_column_text(st, 5), "opened", date_or_empty(st, 6), "due",
	    date_or_empty(st, 7), "closed", date_or_empty(st, 8));
}

static json_t *
problems_where(sqlite3 *db, const struct config *cfg, const char *where,
    const struct period *p)
{
	struct strbuf sql = STRBUF_INIT;
	json_t *rows = json_array();
	sqlite3_stmt *st;

	sb_printf(&sql, "%s%s ORDER BY u.code, p.opened_at, p.id", problem_select,
	    where);
	st = db_prepare(db, sb_str(&sql), "II", (long long)p->m->start,
	    (long long)p->check);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, problem_row(cfg, st));
	sqlite3_finalize(st);
	sb_free(&sql);
	return rows;
}

static json_t *
problems(sqlite3 *db, const struct config *cfg, const struct period *p)
{
	return json_pack("{s:o, s:o, s:o}",
	    "opened", problems_where(db, cfg, "p.opened_at >= ?1 AND p.opened_at"
	    " <= ?2", p),
	    "closed", problems_where(db, cfg, "p.closed_at >= ?1 AND p.closed_at"
	    " <= ?2 AND p.opened_at <= ?2", p),
	    "overdue", problems_where(db, cfg, "p.opened_at <= ?2 AND"
	    " p.due_at < ?2 AND (p.closed_at IS NULL OR p.closed_at > ?2)", p));
}

static json_t *
notices(sqlite3 *db, const struct period *p)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;
	char issued[32];

	st = db_prepare(db, "SELECT n.serial, coalesce(u.name, ''), n.issued_at,"
	    " coalesce(n.due_on, '—'), (SELECT count(*) FROM notice_problem np"
	    " WHERE np.notice_id = n.id) FROM notice n LEFT JOIN unit u ON u.id ="
	    " n.unit_id WHERE n.issued_at >= ? AND n.issued_at <= ? ORDER BY"
	    " n.issued_at, n.id", "II", (long long)p->m->start, (long long)p->check);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		date_format_local((time_t)sqlite3_column_int64(st, 2), issued,
		    sizeof(issued));
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:I}",
		    "serial", db_column_text(st, 0), "unit_name",
		    db_column_text(st, 1), "issued", issued, "due",
		    db_column_text(st, 3), "problems",
		    (json_int_t)sqlite3_column_int64(st, 4)));
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

	st = db_prepare(db, "SELECT u.name, a.platform, a.name, coalesce("
	    " sc.last_update_at, sc.at), (SELECT q.last_update_at FROM"
	    " state_change q WHERE q.account_id = sc.account_id AND q.at < sc.at"
	    " AND q.to_state IN ('stale', 'dormant') ORDER BY q.at DESC, q.id DESC"
	    " LIMIT 1) FROM state_change sc JOIN account a ON a.id ="
	    " sc.account_id JOIN unit u ON u.id = a.unit_id WHERE sc.at >= ? AND"
	    " sc.at <= ? AND sc.from_state IN ('stale', 'dormant') AND"
	    " sc.to_state IN ('fresh', 'warning') ORDER BY u.code, sc.at, sc.id",
	    "II", (long long)p->m->start, (long long)p->check);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		back = (time_t)sqlite3_column_int64(st, 3);
		has = !db_column_is_null(st, 4);
		quiet = (time_t)sqlite3_column_int64(st, 4);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:o, s:o,"
		    " s:o}", "unit_name", db_column_text(st, 0), "platform",
		    platform_label(cfg, db_column_text(st, 1)), "account",
		    db_column_text(st, 2), "quiet_since", json_date(has, quiet),
		    "returned", json_date(true, back), "days_quiet", has ?
		    json_integer(days_between(quiet, back)) : json_string("—")));
	}
	sqlite3_finalize(st);
	return rows;
}

/* ---- repeat offenders ---- */

static bool
open_in_month(sqlite3 *db, long long unit, const char *kind,
    const struct month *m)
{
	long long n = 0;

	db_query_int(db, &n, "SELECT EXISTS (SELECT 1 FROM problem WHERE unit_id ="
	    " ? AND kind = ? AND opened_at < ? AND (closed_at IS NULL OR closed_at"
	    " > ?))", "IsII", unit, kind, (long long)m->end, (long long)m->start);
	return n != 0;
}

static json_t *
run_accounts(sqlite3 *db, long long unit, const char *kind, time_t from,
    const struct period *p)
{
	json_t *names = json_array();
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT DISTINCT coalesce(a.name, '（单位整体）')"
	    " FROM problem p LEFT JOIN account a ON a.id = p.account_id WHERE"
	    " p.unit_id = ? AND p.kind = ? AND p.opened_at <= ? AND (p.closed_at"
	    " IS NULL OR p.closed_at > ?) ORDER BY 1", "IsII", unit, kind,
	    (long long)p->check, (long long)from);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(names, json_string(db_column_text(st, 0)));
	sqlite3_finalize(st);
	return names;
}

static json_t *
offender(sqlite3 *db, sqlite3_stmt *st, int run, const struct period *p)
{
	long long unit = sqlite3_column_int64(st, 0);
	const char *kind = db_column_text(st, 3);
	json_t *months = json_array();
	struct month m;
	char buf[16], *names_text, *months_text;
	json_t *names, *row;
	int k;

	for (k = run - 1; k >= 0; k--) {
		month_shift(p->m, -k, &m);
		month_format(&m, buf, sizeof(buf));
		json_array_append_new(months, json_string(buf));
	}
	month_shift(p->m, -(run - 1), &m);
	names = run_accounts(db, unit, kind, m.start, p);
	names_text = join(names, "、");
	months_text = join(months, "、");
	row = json_pack("{s:s, s:s, s:s, s:I, s:o, s:s, s:s}", "unit",
	    db_column_text(st, 1), "unit_name", db_column_text(st, 2), "kind",
	    problem_kind_label(kind), "months_count", (json_int_t)run, "months",
	    months, "months_text", months_text, "accounts", names_text);
	free(names_text);
	free(months_text);
	json_decref(names);
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

	st = db_prepare(db, "SELECT DISTINCT p.unit_id, u.code, u.name, p.kind"
	    " FROM problem p JOIN unit u ON u.id = p.unit_id WHERE p.kind !="
	    " 'unreachable' AND p.opened_at <= ? AND (p.closed_at IS NULL OR"
	    " p.closed_at > ?) ORDER BY u.code, p.kind", "II", (long long)p->check,
	    (long long)p->m->start);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		for (run = 1; run < LOOKBACK_MONTHS; run++) {
			month_shift(p->m, -run, &m);
			if (!open_in_month(db, sqlite3_column_int64(st, 0),
			    db_column_text(st, 3), &m))
				break;
		}
		if (run >= cfg->notice.repeat_months)
			json_array_append_new(rows, offender(db, st, run, p));
	}
	sqlite3_finalize(st);
	return rows;
}

/* ---- the whole ---- */

static void
set_header(json_t *d, const struct config *cfg, const struct period *p)
{
	char month[16], first[32], last[32], check[48], *serial, *title;
	const struct month *m = p->m;

	month_format(m, month, sizeof(month));
	date_format_local(m->start, first, sizeof(first));
	date_format_local(m->end - 1, last, sizeof(last));
	if (p->check < m->end - 1)
		time_format_local(p->check, check, sizeof(check));
	else
		snprintf(check, sizeof(check), "%s 24:00", last);
	/* one bulletin a month: its number is the month's */
	serial = serial_format(cfg->notice.serial_format, m->year, m->mon);
	title = xasprintf("%d年%d月政务新媒体监测通报", m->year, m->mon);
	json_object_set_new(d, "kind", json_string("bulletin"));
	json_object_set_new(d, "title", json_string(title));
	json_object_set_new(d, "serial", json_string(serial));
	json_object_set_new(d, "issuer", json_string(cfg->notice.issuer));
	json_object_set_new(d, "month", json_string(month));
	json_object_set_new(d, "period", json_pack("[ss]", first, last));
	json_object_set_new(d, "check_time", json_string(check));
	json_object_set_new(d, "complete", json_boolean(p->check >= m->end - 1));
	json_object_set_new(d, "repeat_months",
	    json_integer(cfg->notice.repeat_months));
	free(serial);
	free(title);
}

json_t *
bulletin_build(sqlite3 *db, const struct config *cfg, const struct month *m,
    time_t now, char **error)
{
	struct period p = { m, m->end - 1 < now ? m->end - 1 : now };
	json_t *d, *accts, *probs, *sum;

	if (m->start > now) {
		*error = xasprintf("month %04d-%02d: has not started yet",
		    m->year, m->mon);
		return NULL;
	}
	d = json_object();
	set_header(d, cfg, &p);
	accts = accounts(db, cfg, &p);
	probs = problems(db, cfg, &p);
	sum = summary(accts);
	json_object_set_new(d, "summary", sum);
	json_object_set_new(d, "platforms", platform_totals(cfg, accts));
	json_object_set_new(d, "units", totals_by(accts, "unit", "unit_name"));
	json_object_set_new(d, "unqualified", unqualified(accts));
	json_object_set_new(d, "accounts", accts);
	json_object_set_new(d, "returned", returned(db, cfg, &p));
	json_object_set_new(d, "problems", probs);
	json_object_set_new(d, "notices", notices(db, &p));
	json_object_set_new(d, "repeat_offenders", repeat_offenders(db, cfg, &p));
	json_object_set_new(sum, "problems_opened", json_integer((json_int_t)
	    json_array_size(json_object_get(probs, "opened"))));
	json_object_set_new(sum, "problems_closed", json_integer((json_int_t)
	    json_array_size(json_object_get(probs, "closed"))));
	json_object_set_new(sum, "problems_overdue", json_integer((json_int_t)
	    json_array_size(json_object_get(probs, "overdue"))));
	json_object_set_new(sum, "notices", json_integer((json_int_t)
	    json_array_size(json_object_get(d, "notices"))));
	json_object_set_new(sum, "repeat_offenders", json_integer((json_int_t)
	    json_array_size(json_object_get(d, "repeat_offenders"))));
	return d;
}
