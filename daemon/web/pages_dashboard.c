/* pages_dashboard.c — 总览: the status report live.
 *
 * Counting 100,000 accounts takes about half a second, longer than a page
 * may, so the body is kept and made again when a minute has passed (days
 * and deadlines move with the clock), at once after a change made in the
 * console, and after a change by another program (SQLite's data_version:
 * the daemon's poll results, mediawatchctl) once the page is DASH_MIN_AGE
 * old: mediawatchd commits every few hundred milliseconds while it polls,
 * and the page says the time its figures are from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "monitor/evaluate.h"
#include "monitor/stats.h"
#include "paperwork/paperwork.h"
#include "paperwork/render.h"
#include "store/db.h"
#include "web/pages.h"

#define DASH_MAX_AGE   60
#define DASH_MIN_AGE   10
#define DASH_UNITS     15       /* rows of the per-unit table */
#define DASH_ROWS      10       /* failing feeds, overdue problems */
#define DASH_BARS      20       /* accounts in the chart */

struct dash_cache {
	char       *html;
	long long   data_version;
	unsigned    writes;
	time_t      at;
	char       *scope;      /* the scope it was made for */
};

static void
set_counts(struct tmpl_vars *v, const struct monitor_counts *c)
{
	int k;

	tmpl_setf(v, "active", "%lld", c->active);
	for (k = 0; k < N_STATES; k++)
		tmpl_setf(v, state_name((enum account_state)k), "%lld", c->states[k]);
	tmpl_setf(v, "suspended", "%lld", c->suspended);
	tmpl_setf(v, "not_evaluated", "%lld", c->not_evaluated);
	tmpl_setf(v, "failing_feeds", "%lld", c->failing_feeds);
	tmpl_setf(v, "open_problems", "%lld", c->open_problems);
	tmpl_setf(v, "overdue_problems", "%lld", c->overdue_problems);
	tmpl_setf(v, "outbox_queued", "%lld", c->outbox_queued);
	tmpl_setf(v, "outbox_failed", "%lld", c->outbox_failed);
	tmpl_set(v, "eval_failing", c->evaluation.failing ? "1" : "");
	tmpl_set(v, "eval_error", c->evaluation.error);
	if (c->evaluation.has_ok) {
		char t[32];

		time_format_local(c->evaluation.last_ok_at, t, sizeof(t));
		tmpl_set(v, "eval_ok_at", t);
	} else
		tmpl_set(v, "eval_ok_at", "");
}

/* Units with the most stale and dormant accounts first. */
static void
add_units(sqlite3 *db, struct tmpl_vars *v, const char *scope, time_t now)
{
	char *sql = xasprintf("SELECT u.id, u.code, u.name, count(a.id),"
	    " sum(s.state = 'fresh'), sum(s.state = 'warning'),"
	    " sum(s.state = 'stale'), sum(s.state = 'dormant'),"
	    " sum(s.state = 'unverified'), (SELECT count(*) FROM problem p WHERE"
	    " p.unit_id = u.id AND p.closed_at IS NULL), (SELECT count(*) FROM"
	    " problem p WHERE p.unit_id = u.id AND p.closed_at IS NULL AND"
	    " p.due_at < ?1) FROM unit u LEFT JOIN account a ON a.unit_id = u.id"
	    " AND a.status = 'active' LEFT JOIN account_state s ON s.account_id ="
	    " a.id WHERE u.removed_at IS NULL AND %s GROUP BY u.id ORDER BY"
	    " coalesce(sum(s.state IN ('stale', 'dormant')), 0) DESC, 10 DESC,"
	    " u.code LIMIT %d", scope, DASH_UNITS);
	sqlite3_stmt *st = db_prepare(db, sql, "I", (long long)now);
	static const char *const keys[] = { "id", "code", "name", "accounts",
	    "fresh", "warning", "stale", "dormant", "unverified", "problems",
	    "overdue" };
	struct tmpl_vars *row;
	size_t i;

	tmpl_set_list(v, "units");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		row = tmpl_add_row(v, "units");
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			tmpl_setf(row, keys[i], "%s", i == 1 || i == 2 ?
			    db_column_text(st, (int)i) :
			    db_column_is_null(st, (int)i) ? "0" :
			    db_column_text(st, (int)i));
	}
	sqlite3_finalize(st);
	free(sql);
}

static void
add_failing(sqlite3 *db, const struct config *cfg, struct tmpl_vars *v,
    const char *scope)
{
	char *sql = xasprintf("SELECT a.id, a.platform, a.name, u.name,"
	    " f.consecutive_failures, coalesce(f.last_error, 'HTTP ' ||"
	    " f.last_status), f.last_success_at FROM feed_state f JOIN account a"
	    " ON a.id = f.account_id JOIN unit u ON u.id = a.unit_id WHERE"
	    " a.status = 'active' AND f.failing AND %s ORDER BY"
	    " f.consecutive_failures DESC, a.id LIMIT %d", scope, DASH_ROWS);
	sqlite3_stmt *st = db_prepare(db, sql, "");
	struct tmpl_vars *row;
	json_t *t;

	tmpl_set_list(v, "failing");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		row = tmpl_add_row(v, "failing");
		tmpl_set(row, "id", db_column_text(st, 0));
		tmpl_set(row, "platform", platform_label(cfg, db_column_text(st, 1)));
		tmpl_set(row, "name", db_column_text(st, 2));
		tmpl_set(row, "unit", db_column_text(st, 3));
		tmpl_set(row, "failures", db_column_text(st, 4));
		tmpl_set(row, "error", db_column_text(st, 5));
		t = db_column_json(st, 6);
		set_time(row, "last_success", t);
		json_decref(t);
	}
	sqlite3_finalize(st);
	free(sql);
}

static void
add_overdue(sqlite3 *db, const struct config *cfg, struct tmpl_vars *v,
    const char *scope, time_t now)
{
	char *sql = xasprintf("SELECT p.id, u.name, coalesce(a.platform, ''),"
	    " coalesce(a.name, '（单位整体）'), p.kind, p.due_at, a.id FROM problem p"
	    " JOIN unit u ON u.id = p.unit_id LEFT JOIN account a ON a.id ="
	    " p.account_id WHERE p.closed_at IS NULL AND p.due_at < ? AND %s"
	    " ORDER BY p.due_at, p.id LIMIT %d", scope, DASH_ROWS);
	sqlite3_stmt *st = db_prepare(db, sql, "I", (long long)now);
	struct tmpl_vars *row;
	json_t *t;

	tmpl_set_list(v, "overdue");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		row = tmpl_add_row(v, "overdue");
		tmpl_set(row, "id", db_column_text(st, 0));
		tmpl_set(row, "unit", db_column_text(st, 1));
		tmpl_set(row, "platform", platform_label(cfg, db_column_text(st, 2)));
		tmpl_set(row, "account", db_column_text(st, 3));
		tmpl_set(row, "account_id", db_column_text(st, 6));
		tmpl_set(row, "kind", problem_kind_label(db_column_text(st, 4)));
		t = db_column_json(st, 5);
		set_date(row, "due", t);
		json_decref(t);
		tmpl_setf(row, "days_over", "%ld", days_between(
		    (time_t)sqlite3_column_int64(st, 5), now));
	}
	sqlite3_finalize(st);
	free(sql);
}

/* The accounts longest without an update, each labelled with its
 * platform: one unit often has a namesake on several platforms. */
static char *
days_chart(sqlite3 *db, const struct config *cfg, const char *scope,
    time_t now, size_t *n)
{
	char *sql = xasprintf("SELECT a.platform, a.name, a.last_update_at,"
	    " a.opened_on, a.created_at, coalesce(s.state, 'none'), a.warn_after,"
	    " a.stale_after FROM account a JOIN unit u ON u.id = a.unit_id LEFT"
	    " JOIN account_state s ON s.account_id = a.id WHERE a.status ="
	    " 'active' AND %s ORDER BY coalesce(a.last_update_at, a.created_at),"
	    " a.id LIMIT %d", scope, DASH_BARS);
	sqlite3_stmt *st = db_prepare(db, sql, "");
	json_t *bars = json_array(), *bar;
	char *label, *svg;
	time_t since;

	while (st && sqlite3_step(st) == SQLITE_ROW) {
		since = db_column_is_null(st, 2) ? account_grace_start(
		    db_column_text(st, 3), (time_t)sqlite3_column_int64(st, 4)) :
		    (time_t)sqlite3_column_int64(st, 2);
		label = xasprintf("%s·%s", platform_label(cfg, db_column_text(st, 0)),
		    db_column_text(st, 1));
		bar = json_pack("{s:s, s:I, s:s}", "label", label, "days",
		    (json_int_t)days_between(since, now), "state",
		    db_column_text(st, 5));
		set_threshold_days(bar, account_warn_after(cfg, db_column_text(st, 0),
		    st, 6), account_stale_after(cfg, db_column_text(st, 0), st, 7));
		json_array_append_new(bars, bar);
		free(label);
	}
	sqlite3_finalize(st);
	free(sql);
	*n = json_array_size(bars);
	svg = NULL;
	if (*n) {
		size_t len;
		FILE *out = open_memstream(&svg, &len);

		chart_legend(out, bars, "距最近更新天数最多的账号");
		svg_days_chart(out, bars);
		fclose(out);
	}
	json_decref(bars);
	return svg;
}

static char *
dashboard_body(struct req *r)
{
	sqlite3 *db = r->web->db;
	const struct config *cfg = r->web->cfg;
	struct tmpl_vars *v = tmpl_vars_new();
	struct monitor_counts c;
	char *scope = scope_sql(r), *chart, *html = NULL, t[32];
	size_t bars;

	monitor_counts_load(db, cfg, r->now, &c);
	set_counts(v, &c);
	monitor_counts_free(&c);
	add_units(db, v, scope, r->now);
	add_failing(db, cfg, v, scope);
	add_overdue(db, cfg, v, scope, r->now);
	chart = days_chart(db, cfg, scope, r->now, &bars);
	tmpl_setf(v, "n_bars", "%zu", bars);
	tmpl_set(v, "chart_html", "");
	time_format_local(r->now, t, sizeof(t));
	tmpl_set(v, "as_of", t);
	if (page_fragment("dashboard.html", v, &html) == 0 && chart) {
		/* the chart comes from the bulletin's own SVG writer, which
		 * escapes every label itself */
		char *mark = strstr(html, "<!--chart-->");

		if (mark) {
			char *joined = xasprintf("%.*s%s%s", (int)(mark - html), html,
			    chart, mark + strlen("<!--chart-->"));

			free(html);
			html = joined;
		}
	}
	tmpl_vars_free(v);
	free(chart);
	free(scope);
	return html;
}

static bool
cache_fresh(const struct dash_cache *d, const struct req *r, long long dv,
    const char *scope)
{
	if (d == NULL || d->html == NULL || strcmp(d->scope, scope) != 0 ||
	    d->writes != r->web->writes || r->now < d->at ||
	    r->now - d->at >= DASH_MAX_AGE)
		return false;
	return d->data_version == dv || r->now - d->at < DASH_MIN_AGE;
}

void
page_dashboard(struct req *r, struct resp *resp)
{
	struct web_state *w = r->web;
	long long dv = web_data_version(w);
	char *scope = scope_sql(r), *html;

	r->refresh = w->cfg->web.refresh;
	if (!cache_fresh(w->dash, r, dv, scope)) {
		if ((html = dashboard_body(r)) == NULL) {
			free(scope);
			return resp_error(r, resp, 500, "总览生成失败，详情见系统日志。");
		}
		dashboard_cache_free(w);
		w->dash = xcalloc(1, sizeof(*w->dash));
		w->dash->html = html;
		w->dash->data_version = dv;
		w->dash->writes = w->writes;
		w->dash->at = r->now;
		w->dash->scope = xstrdup(scope);
	}
	free(scope);
	page_render_fragment(r, resp, w->dash->html, "总览", "dashboard");
}

void
dashboard_cache_free(struct web_state *w)
{
	if (w->dash == NULL)
		return;
	free(w->dash->html);
	free(w->dash->scope);
	free(w->dash);
	w->dash = NULL;
}

void
page_static(struct req *r, struct resp *resp)
{
	const char *ext = strrchr(r->tail, '.'), *text;

	if (ext == NULL || (strcmp(ext, ".css") && strcmp(ext, ".js")) ||
	    (text = web_file(r->tail)) == NULL)
		return resp_error(r, resp, 404, "没有这个文件。");
	sb_puts(&resp->body, text);
	resp->content_type = strcmp(ext, ".css") == 0 ? "text/css; charset=utf-8" :
	    "text/javascript; charset=utf-8";
	resp->cacheable = true;
}
