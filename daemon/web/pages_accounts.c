/* pages_accounts.c — 账号台账: the ledger, one account's page, and the
 * lifecycle actions (开设、变更、暂停、关停、整合、人工核实). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "monitor/evaluate.h"
#include "paperwork/paperwork.h"
#include "registry/account.h"
#include "registry/problem.h"
#include "store/audit.h"
#include "store/db.h"
#include "web/pages.h"

#define WEEK        (7 * 86400LL)
#define WEEKS       52
#define POSTS_SHOWN 15

/* ---- the list ---- */

struct account_query {
	const char *unit, *platform, *status, *state, *q;
	char       *like;              /* %q% with % and _ escaped */
};

/* The filters touch the account table alone (the unit by its id, the
 * state through a subquery), so that counting 100,000 accounts reads an
 * index and a page of them reads 50 rows. */
static const char account_where[] =
	" FROM account a WHERE %s AND (?1 IS NULL OR a.unit_id = (SELECT id FROM unit WHERE code = ?1"
	" AND removed_at IS NULL)) AND (?2 IS NULL OR a.platform = ?2) AND"
	" (CASE ?3 WHEN 'all' THEN 1 WHEN 'open' THEN a.status IN ('active',"
	" 'suspended') ELSE a.status = ?3 END) AND (?4 IS NULL OR (?4 = 'none'"
	" AND a.id NOT IN (SELECT account_id FROM account_state)) OR a.id IN"
	" (SELECT account_id FROM account_state WHERE state = ?4)) AND (?5 IS"
	" NULL OR a.name LIKE ?5 ESCAPE '\\' OR a.platform_uid LIKE ?5 ESCAPE"
	" '\\')";

static const char account_join[] =
	" JOIN unit u ON u.id = a.unit_id"
	" LEFT JOIN account_state s ON s.account_id = a.id"
	" LEFT JOIN feed_state f ON f.account_id = a.id";

static char *
like_pattern(const char *q)
{
	struct strbuf sb = STRBUF_INIT;

	sb_putc(&sb, '%');
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			sb_putc(&sb, '\\');
		sb_putc(&sb, *q);
	}
	sb_putc(&sb, '%');
	return sb_steal(&sb);
}

static void
read_query(struct req *r, struct account_query *aq)
{
	memset(aq, 0, sizeof(*aq));
	aq->unit = req_arg(r, "unit");
	aq->platform = req_arg(r, "platform");
	aq->status = req_arg(r, "status");
	aq->state = req_arg(r, "state");
	aq->q = req_arg(r, "q");
	if (aq->status == NULL)
		aq->status = "open";
	if (aq->q && strlen(aq->q) <= 200)
		aq->like = like_pattern(aq->q);
}

/* SELECT cols over the filtered accounts; the rows of a page come from
 * a subquery of ids, joined to their unit, state and fetch afterwards. */
static sqlite3_stmt *
account_stmt(struct req *r, const struct account_query *aq, const char *cols,
    const char *tail)
{
	char *scope = scope_sql(r), *limit = strcmp(scope, "1") == 0 ?
	    xstrdup("1") : xasprintf("a.unit_id IN (SELECT u.id FROM unit u WHERE"
	    " %s)", scope);
	char *where = xasprintf(account_where, limit);
	char *sql = strcmp(cols, "count(*)") == 0 ?
	    xasprintf("SELECT count(*)%s", where) :
	    xasprintf("SELECT %s FROM account a%s WHERE a.id IN (SELECT a.id%s%s)"
	    " ORDER BY a.id", cols, account_join, where, tail);
	sqlite3_stmt *st = db_prepare(r->web->db, sql, "sssss", aq->unit,
	    aq->platform, aq->status, aq->state, aq->like);

	free(sql);
	free(where);
	free(limit);
	free(scope);
	return st;
}

/* The number of accounts a filter finds, from page_count_cached(). */
static long long
account_count(struct req *r, const struct account_query *aq)
{
	char *key = xasprintf("accounts\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%lld",
	    aq->unit ? aq->unit : "", aq->platform ? aq->platform : "",
	    aq->status, aq->state ? aq->state : "", aq->like ? aq->like : "",
	    r->user.role == ROLE_UNIT ? r->user.unit_id : 0);
	long long n = page_count_cached(r, key);
	sqlite3_stmt *st;

	if (n < 0 && (st = account_stmt(r, aq, "count(*)", "")) != NULL) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		page_count_store(r, key, n);
	}
	free(key);
	return n < 0 ? 0 : n;
}

static const char list_cols[] = "a.id, u.code, u.name, a.platform, a.name,"
	" a.platform_uid, a.status, s.state, a.last_update_at, a.opened_on,"
	" a.created_at, f.last_fetch_at, f.failing, a.feed_url, a.operator,"
	" a.filing_no";

static const char *const list_keys[] = { "id", "unit", "unit_name",
	"platform", "name", "platform_uid", "status", "state",
	"last_update_at", "opened_on", "created_at", "last_fetch_at",
	"feed_failing", "feed_url", "operator", "filing_no" };

static json_t *
list_row(const struct config *cfg, sqlite3_stmt *st)
{
	json_t *row = json_object();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(list_keys); i++)
		json_object_set_new(row, list_keys[i], db_column_json(st, (int)i));
	json_object_set_new(row, "platform_label", json_string(
	    platform_label(cfg, db_column_text(st, 3))));
	json_object_set_new(row, "status_label", json_string(
	    status_text(db_column_text(st, 6))));
	json_object_set_new(row, "state_label", json_string(
	    strcmp(db_column_text(st, 6), "active") ? "—" :
	    state_text(db_column_is_null(st, 7) ? NULL : db_column_text(st, 7))));
	return row;
}

static const struct column csv_cols[] = {
	{ "id", "编号", COL_TEXT }, { "unit", "单位代码", COL_TEXT },
	{ "unit_name", "单位", COL_TEXT }, { "platform_label", "平台", COL_TEXT },
	{ "name", "账号名称", COL_TEXT }, { "platform_uid", "账号ID", COL_TEXT },
	{ "status_label", "状态", COL_TEXT }, { "state_label", "监测状态", COL_TEXT },
	{ "last_update_at", "最近更新", COL_TIME },
	{ "last_fetch_at", "最近采集", COL_TIME },
	{ "feed_url", "订阅地址", COL_TEXT }, { "operator", "运维人员", COL_TEXT },
	{ "filing_no", "备案号", COL_TEXT }, { "opened_on", "开设日期", COL_TEXT },
};

static void
export_csv(struct req *r, struct resp *resp, const struct account_query *aq)
{
	sqlite3_stmt *st = account_stmt(r, aq, list_cols, "");
	json_t *rows = json_array();

	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, list_row(r->web->cfg, st));
	sqlite3_finalize(st);
	page_csv(resp, "accounts.csv", csv_cols, ARRAY_SIZE(csv_cols), rows);
	json_decref(rows);
}

/* One row of the page's table. */
static void
add_list_row(struct req *r, struct tmpl_vars *v, sqlite3_stmt *st)
{
	struct tmpl_vars *row = tmpl_add_row(v, "accounts");
	json_t *j = list_row(r->web->cfg, st);
	const char *status = db_column_text(st, 6);
	time_t since;

	set_json(row, "id", json_object_get(j, "id"));
	tmpl_set(row, "unit_name", db_column_text(st, 2));
	tmpl_set(row, "platform", json_string_value(json_object_get(j,
	    "platform_label")));
	tmpl_set(row, "name", db_column_text(st, 4));
	tmpl_set(row, "uid", db_column_text(st, 5));
	tmpl_set(row, "status", status_text(status));
	tmpl_set(row, "active", strcmp(status, "active") == 0 ? "1" : "");
	tmpl_set(row, "state", db_column_is_null(st, 7) ? "none" :
	    db_column_text(st, 7));
	tmpl_set(row, "state_label", json_string_value(json_object_get(j,
	    "state_label")));
	set_date(row, "last_update", json_object_get(j, "last_update_at"));
	since = db_column_is_null(st, 8) ? account_grace_start(
	    db_column_text(st, 9), (time_t)sqlite3_column_int64(st, 10)) :
	    (time_t)sqlite3_column_int64(st, 8);
	tmpl_setf(row, "days", "%ld", days_between(since, r->now));
	tmpl_set(row, "failing", sqlite3_column_int(st, 12) ? "1" : "");
	json_decref(j);
}

static void
add_filters(struct req *r, struct tmpl_vars *v, const struct account_query *aq)
{
	static const char *const statuses[][2] = { { "open", "在用和暂停" },
	    { "active", "在用" }, { "suspended", "暂停监测" },
	    { "closed", "已关停" }, { "merged", "已整合" }, { "all", "全部" } };
	static const char *const states[] = { "fresh", "warning", "stale",
	    "dormant", "unverified", "none" };
	const struct config *cfg = r->web->cfg;
	size_t i;

	add_unit_options(r, v, aq->unit);
	for (i = 0; i < cfg->n_platforms; i++)
		add_option(v, "platform_options", cfg->platforms[i].key,
		    cfg->platforms[i].label, aq->platform);
	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		add_option(v, "status_options", statuses[i][0], statuses[i][1],
		    aq->status);
	for (i = 0; i < ARRAY_SIZE(states); i++)
		add_option(v, "state_options", states[i], state_text(
		    strcmp(states[i], "none") ? states[i] : NULL), aq->state);
	tmpl_set(v, "q", aq->q);
}

void
page_accounts(struct req *r, struct resp *resp)
{
	struct tmpl_vars *v;
	struct account_query aq;
	long long total = 0, offset;
	sqlite3_stmt *st;
	char tail[96];

	read_query(r, &aq);
	if (!scope_code(r, resp, aq.unit)) {
		free(aq.like);
		return;
	}
	if (page_wants_csv(r)) {
		export_csv(r, resp, &aq);
		free(aq.like);
		return;
	}
	v = tmpl_vars_new();
	total = account_count(r, &aq);
	offset = page_paginate(r, v, total);
	snprintf(tail, sizeof(tail), " ORDER BY a.id LIMIT %ld OFFSET %lld",
	    r->web->cfg->web.page_size, offset);
	st = account_stmt(r, &aq, list_cols, tail);
	tmpl_set_list(v, "accounts");
	while (st && sqlite3_step(st) == SQLITE_ROW)
		add_list_row(r, v, st);
	sqlite3_finalize(st);
	add_filters(r, v, &aq);
	free(aq.like);
	page_render(r, resp, "accounts.html", "账号台账", "accounts", v);
}

/* ---- one account ---- */

/* Whether the account exists and its unit is in the user's scope. */
/* Whether the user sees account id; a 404 rendered when not (another
 * unit's account reached by a unit login is recorded). */
static bool
account_visible(struct req *r, struct resp *resp, long long id)
{
	long long unit = 0;

	db_query_int(r->web->db, &unit, "SELECT unit_id FROM account WHERE id = ?",
	    "I", id);
	return scope_check(r, resp, "account", id, unit, "没有这个账号。");
}

static const struct { const char *rule, *text; } rule_texts[] = {
	{ "published", "按订阅源中条目的发布日期认定" },
	{ "modified-unchanged", "按两次采集一致的修改日期认定（条目没有发布日期）" },
	{ "modified-new-entry", "按新出现条目的修改日期认定（条目没有发布日期）" },
	{ "first-seen", "条目没有日期，按首次采集到它的时间认定" },
	{ "observation", "按人工核实记录认定" },
};

static void
set_reason(struct tmpl_vars *v, const json_t *why)
{
	const char *rule = json_string_value(json_object_get(why, "rule"));
	const char *link = json_string_value(json_object_get(why, "link"));
	size_t i;

	tmpl_set(v, "why", json_is_object(why) ? "1" : "");
	tmpl_set(v, "why_rule", rule);
	for (i = 0; rule && i < ARRAY_SIZE(rule_texts); i++)
		if (strcmp(rule_texts[i].rule, rule) == 0)
			tmpl_set(v, "why_rule", rule_texts[i].text);
	set_json(v, "why_title", json_object_get(why, "title"));
	set_json(v, "why_date_raw", json_object_get(why, "date_raw"));
	set_json(v, "why_guid", json_object_get(why, "guid"));
	tmpl_set(v, "why_link", link);
	tmpl_set(v, "why_link_web", url_is_web(link) ? "1" : "");
	set_time(v, "why_seen_at", json_object_get(why, "seen_at"));
	tmpl_set(v, "why_clamped", json_is_true(json_object_get(why, "clamped")) ?
	    "1" : "");
}

static void
set_details(struct req *r, struct tmpl_vars *v, const json_t *a)
{
	static const char *const text_keys[] = { "id", "unit", "unit_name",
	    "name", "platform_uid", "feed_url", "status", "merged_into",
	    "opened_on", "closed_on", "operator", "filing_no", "notes",
	    "last_error", "last_status", "permanent_redirect" };
	const char *platform = json_string_value(json_object_get(a, "platform"));
	const char *status = json_string_value(json_object_get(a, "status"));
	const char *state = json_string_value(json_object_get(a, "state"));
	const char *feed = json_string_value(json_object_get(a, "feed_url"));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(text_keys); i++)
		set_json(v, text_keys[i], json_object_get(a, text_keys[i]));
	tmpl_set(v, "platform", platform);
	tmpl_set(v, "platform_label", platform_label(r->web->cfg, platform));
	tmpl_set(v, "status_label", status_text(status));
	tmpl_set(v, "is_open", strcmp(status, "active") == 0 ||
	    strcmp(status, "suspended") == 0 ? "1" : "");
	tmpl_set(v, "is_active", strcmp(status, "active") == 0 ? "1" : "");
	tmpl_set(v, "is_suspended", strcmp(status, "suspended") == 0 ? "1" : "");
	tmpl_set(v, "state", state ? state : "none");
	tmpl_set(v, "state_label", strcmp(status, "active") ? "—" : state_text(state));
	tmpl_set(v, "feed_web", url_is_web(feed) ? "1" : "");
	set_time(v, "last_update_at", json_object_get(a, "last_update_at"));
	set_time(v, "last_fetch_at", json_object_get(a, "last_fetch_at"));
	set_time(v, "last_success_at", json_object_get(a, "last_success_at"));
	set_time(v, "next_poll_at", json_object_get(a, "next_poll_at"));
	set_time(v, "created_at", json_object_get(a, "created_at"));
	tmpl_set(v, "feed_failing", json_is_true(json_object_get(a,
	    "feed_failing")) ? "1" : "");
	set_reason(v, json_object_get(a, "last_update_reason"));
}

static const struct { const char *action, *text; } action_texts[] = {
	{ "account.open", "开设登记" }, { "account.change", "变更" },
	{ "account.suspend", "暂停监测" }, { "account.resume", "恢复监测" },
	{ "account.close", "关停" }, { "account.merge", "整合" },
	{ "account.touch", "人工核实更新" }, { "account.import", "台账导入" },
};

static const char *
action_text(const char *action)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(action_texts); i++)
		if (strcmp(action_texts[i].action, action) == 0)
			return action_texts[i].text;
	return action;
}

/* "name: 旧 → 新; …" for the fields a change touched. */
static char *
changes_text(const json_t *before, const json_t *after)
{
	struct strbuf sb = STRBUF_INIT;
	const char *key;
	json_t *b, *a;
	char *bs, *as;

	if (!json_is_object(before) || !json_is_object(after))
		return xstrdup("");
	json_object_foreach((json_t *)after, key, a) {
		b = json_object_get(before, key);
		if (json_equal(a, b) || (b == NULL && json_is_null(a)))
			continue;
		bs = json_is_string(b) ? xstrdup(json_string_value(b)) :
		    json_dumps(b ? b : json_null(), JSON_ENCODE_ANY);
		as = json_is_string(a) ? xstrdup(json_string_value(a)) :
		    json_dumps(a, JSON_ENCODE_ANY);
		sb_printf(&sb, "%s%s：%s → %s", sb.len ? "；" : "", field_label(key),
		    json_is_null(b ? b : json_null()) ? "（空）" : bs,
		    json_is_null(a) ? "（空）" : as);
		free(bs);
		free(as);
	}
	return sb_steal(&sb);
}

static void
add_history(struct req *r, struct tmpl_vars *v, long long id)
{
	json_t *rows = audit_history(r->web->db, "account", id), *h;
	struct tmpl_vars *row;
	size_t i;
	char *changes;

	tmpl_set_list(v, "history");
	for (i = json_array_size(rows); i-- > 0;) {
		h = json_array_get(rows, i);
		row = tmpl_add_row(v, "history");
		set_time(row, "at", json_object_get(h, "at"));
		set_json(row, "actor", json_object_get(h, "actor"));
		tmpl_set(row, "action", action_text(json_string_value(
		    json_object_get(h, "action"))));
		set_json(row, "reason", json_object_get(h, "reason"));
		changes = changes_text(json_object_get(h, "before"),
		    json_object_get(h, "after"));
		tmpl_set(row, "changes", changes);
		free(changes);
	}
	json_decref(rows);
}

static void
add_posts(struct req *r, struct tmpl_vars *v, long long id)
{
	sqlite3_stmt *st = db_prepare(r->web->db, "SELECT title, link,"
	    " coalesce(published_at, first_seen_at), published_at IS NULL FROM post"
	    " WHERE account_id = ? ORDER BY coalesce(published_at, first_seen_at)"
	    " DESC, id DESC LIMIT ?", "Ii", id, POSTS_SHOWN);
	struct tmpl_vars *row;
	json_t *t;
	int n = 0;

	tmpl_set_list(v, "posts");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		n++;
		row = tmpl_add_row(v, "posts");
		tmpl_set(row, "title", db_column_is_null(st, 0) ? "（无标题）" :
		    db_column_text(st, 0));
		tmpl_set(row, "link", db_column_text(st, 1));
		tmpl_set(row, "link_web", url_is_web(db_column_text(st, 1)) ? "1" : "");
		t = db_column_json(st, 2);
		set_time(row, "date", t);
		json_decref(t);
		tmpl_set(row, "undated", sqlite3_column_int(st, 3) ? "1" : "");
	}
	sqlite3_finalize(st);
	tmpl_setf(v, "n_posts", "%d", n);
}

/* Posts per week over the last year, oldest week first, as SVG bars drawn
 * by the template from numbers alone. */
static void
add_weekly(struct req *r, struct tmpl_vars *v, long long id)
{
	long long counts[WEEKS] = { 0 }, max = 0, total = 0, w;
	sqlite3_stmt *st = db_prepare(r->web->db, "SELECT (?1 - coalesce("
	    "published_at, first_seen_at)) / ?2, count(*) FROM post WHERE"
	    " account_id = ?3 AND coalesce(published_at, first_seen_at) > ?1 - ?4"
	    " AND coalesce(published_at, first_seen_at) <= ?1 GROUP BY 1", "IIII",
	    (long long)r->now, WEEK, id, WEEK * WEEKS);
	struct tmpl_vars *row;
	char date[32];
	int i;

	while (st && sqlite3_step(st) == SQLITE_ROW) {
		w = sqlite3_column_int64(st, 0);
		if (w >= 0 && w < WEEKS)
			counts[WEEKS - 1 - w] += sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	for (i = 0; i < WEEKS; i++) {
		max = counts[i] > max ? counts[i] : max;
		total += counts[i];
	}
	tmpl_set_list(v, "weeks");
	for (i = 0; i < WEEKS; i++) {
		long long h = max ? counts[i] * 100 / max : 0;

		row = tmpl_add_row(v, "weeks");
		tmpl_setf(row, "x", "%d", 40 + i * 13);
		tmpl_setf(row, "y", "%lld", 110 - h);
		tmpl_setf(row, "h", "%lld", h);
		tmpl_setf(row, "n", "%lld", counts[i]);
		date_format_local(r->now - (WEEKS - i) * WEEK, date, sizeof(date));
		tmpl_set(row, "from", date);
		tmpl_set(row, "tick", i % 13 == 0 ? "1" : "");
		tmpl_setf(row, "tx", "%d", 40 + i * 13);
	}
	tmpl_setf(v, "weeks_max", "%lld", max);
	tmpl_setf(v, "weeks_total", "%lld", total);
}

static void
add_problems(struct req *r, struct tmpl_vars *v, long long id)
{
	struct problem_filter f = { .state = "all", .account_id = id,
	    .now = r->now };
	json_t *rows = problem_list_json(r->web->db, &f), *p;
	struct tmpl_vars *row;
	size_t i;

	tmpl_set_list(v, "problems");
	json_array_foreach(rows, i, p) {
		/* a failing feed is the monitoring's problem, not the unit's */
		if (is_unit_user(r) && strcmp(json_string_value(json_object_get(p,
		    "kind")), "unreachable") == 0)
			continue;
		row = tmpl_add_row(v, "problems");
		set_json(row, "id", json_object_get(p, "id"));
		tmpl_set(row, "kind", problem_kind_label(json_string_value(
		    json_object_get(p, "kind"))));
		set_json(row, "detail", json_object_get(p, "detail"));
		set_date(row, "opened", json_object_get(p, "opened_at"));
		set_date(row, "due", json_object_get(p, "due_at"));
		set_date(row, "closed", json_object_get(p, "closed_at"));
		tmpl_set(row, "open", json_is_null(json_object_get(p, "closed_at")) ?
		    "1" : "");
	}
	json_decref(rows);
}

void
page_account(struct req *r, struct resp *resp)
{
	struct tmpl_vars *v;
	json_t *a;
	char *title;

	if (r->tail != NULL)
		return resp_error(r, resp, 404, "没有这个账号。");
	if (!account_visible(r, resp, r->id))
		return;
	if ((a = account_json(r->web->db, r->id)) == NULL)
		return resp_error(r, resp, 404, "没有这个账号。");
	v = tmpl_vars_new();
	set_details(r, v, a);
	add_history(r, v, r->id);
	add_posts(r, v, r->id);
	add_weekly(r, v, r->id);
	add_problems(r, v, r->id);
	title = xasprintf("%s·%s", platform_label(r->web->cfg,
	    json_string_value(json_object_get(a, "platform"))),
	    json_string_value(json_object_get(a, "name")));
	json_decref(a);
	page_render(r, resp, "account.html", title, "accounts", v);
	free(title);
}

/* ---- the actions ---- */

struct action_args {
	long long              id;
	const char            *reason;
	struct account_fields  f;
	long long              into;
	time_t                 at;
	const char            *evidence;
	const char            *on;           /* closing date; NULL: today */
	enum account_transition t;
};

/* A form value for a change: NULL (leave) when it equals the stored one. */
static const char *
changed(struct req *r, const json_t *a, const char *field, const char *key)
{
	const char *sent = param_get(&r->form, field);
	const char *now = json_string_value(json_object_get(a, key));

	if (sent == NULL)
		return NULL;
	if (strcmp(sent, now ? now : "") == 0)
		return NULL;
	return sent;
}

static int
do_change(struct req *r, void *arg, char **error)
{
	struct action_args *x = arg;

	return account_change(r->web->db, r->web->cfg, x->id, &x->f, x->reason,
	    error);
}

static int
do_transition(struct req *r, void *arg, char **error)
{
	struct action_args *x = arg;

	return account_transition(r->web->db, x->id, x->t, x->on, x->reason,
	    error);
}

static int
do_merge(struct req *r, void *arg, char **error)
{
	struct action_args *x = arg;

	return account_merge(r->web->db, x->id, x->into, x->reason, error);
}

static int
do_touch(struct req *r, void *arg, char **error)
{
	struct action_args *x = arg;

	return account_touch(r->web->db, x->id, x->at, x->evidence, error);
}

static void
change_fields(struct req *r, struct action_args *x)
{
	json_t *a = account_record_json(r->web->db, x->id);

	x->f.unit_code = changed(r, a, "unit", "unit");
	x->f.platform = changed(r, a, "platform", "platform");
	x->f.name = changed(r, a, "name", "name");
	x->f.platform_uid = changed(r, a, "platform_uid", "platform_uid");
	x->f.feed_url = changed(r, a, "feed_url", "feed_url");
	x->f.operator_name = changed(r, a, "operator", "operator");
	x->f.filing_no = changed(r, a, "filing_no", "filing_no");
	x->f.notes = changed(r, a, "notes", "notes");
	json_decref(a);
}

static int
touch_args(struct req *r, struct resp *resp, struct action_args *x)
{
	const char *at = param_text(&r->form, "at");
	char buf[32];

	x->evidence = param_text(&r->form, "evidence");
	if (x->evidence == NULL) {
		resp_error(r, resp, 400, "请填写核实依据（链接或说明）。");
		return -1;
	}
	/* a browser's datetime-local sends 2026-11-25T10:30 */
	snprintf(buf, sizeof(buf), "%s", at ? at : "");
	if (strlen(buf) == 16 && buf[10] == 'T')
		strcat(buf, ":00");
	if (at == NULL || local_time_parse(buf, &x->at) == -1) {
		resp_error(r, resp, 400, "核实时间格式不对，应为“年-月-日 时:分”。");
		return -1;
	}
	return 0;
}

void
page_account_action(struct req *r, struct resp *resp)
{
	static const struct { const char *name, *label, *done; } acts[] = {
		{ "change", "变更", "changed" }, { "suspend", "暂停监测", "suspended" },
		{ "resume", "恢复监测", "resumed" }, { "close", "关停", "closed" },
		{ "merge", "整合", "merged" }, { "touch", "人工核实", "touched" },
	};
	struct action_args x = { .id = r->id };
	int (*fn)(struct req *, void *, char **) = do_transition;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(acts); i++)
		if (strcmp(acts[i].name, r->tail) == 0)
			break;
	if (i == ARRAY_SIZE(acts))
		return resp_error(r, resp, 404, "没有这个账号或这项操作。");
	if (!account_visible(r, resp, r->id))
		return;
	if (i == 5) {
		if (touch_args(r, resp, &x) == -1)
			return;
		fn = do_touch;
	} else if ((x.reason = form_reason(r, resp)) == NULL)
		return;
	if (i == 0) {
		change_fields(r, &x);
		fn = do_change;
	} else if (i == 4) {
		if ((x.into = parse_id(param_text(&r->form, "into"))) == 0)
			return resp_error(r, resp, 400, "请填写并入账号的编号。");
		fn = do_merge;
	} else if (i != 5) {
		x.t = i == 1 ? ACCOUNT_SUSPEND : i == 2 ? ACCOUNT_RESUME :
		    ACCOUNT_CLOSE;
		x.on = i == 3 ? param_text(&r->form, "on") : NULL;
	}
	if (page_change(r, resp, acts[i].label, fn, &x) == 0)
		resp_redirect(resp, "/accounts/%lld?done=%s", r->id, acts[i].done);
}

static void
new_form(struct req *r, struct tmpl_vars *v)
{
	const struct config *cfg = r->web->cfg;
	size_t i;

	add_unit_options(r, v, req_arg(r, "unit"));
	tmpl_set_list(v, "platform_options");
	for (i = 0; i < cfg->n_platforms; i++)
		add_option(v, "platform_options", cfg->platforms[i].key,
		    cfg->platforms[i].label, NULL);
}

void
page_account_new(struct req *r, struct resp *resp)
{
	struct tmpl_vars *v = tmpl_vars_new();

	new_form(r, v);
	page_render(r, resp, "account_new.html", "登记新账号", "accounts", v);
}

static int
do_open(struct req *r, void *arg, char **error)
{
	struct action_args *x = arg;

	return account_open(r->web->db, r->web->cfg, &x->f, x->reason, &x->id,
	    error);
}

void
page_account_open(struct req *r, struct resp *resp)
{
	struct action_args x = { 0 };

	if ((x.reason = form_reason(r, resp)) == NULL)
		return;
	x.f.unit_code = param_text(&r->form, "unit");
	x.f.platform = param_text(&r->form, "platform");
	x.f.name = param_text(&r->form, "name");
	x.f.platform_uid = param_text(&r->form, "platform_uid");
	x.f.feed_url = param_text(&r->form, "feed_url");
	x.f.operator_name = param_text(&r->form, "operator");
	x.f.filing_no = param_text(&r->form, "filing_no");
	x.f.opened_on = param_text(&r->form, "opened_on");
	x.f.notes = param_text(&r->form, "notes");
	if (page_change(r, resp, "开设登记", do_open, &x) == 0)
		resp_redirect(resp, "/accounts/%lld?done=opened", x.id);
}
