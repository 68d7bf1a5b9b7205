/* closed.c — the weekly look at closed accounts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/template.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/compose.h"
#include "mail/outbox.h"
#include "monitor/closed.h"
#include "poll/feed_state.h"
#include "registry/problem.h"
#include "store/db.h"

/* Closed accounts with activity after their closing day that no problem
 * of this kind has covered yet (one opened for this activity or later). */
static const char suspects_sql[] =
	"SELECT a.id, a.unit_id, u.name, a.platform, a.name,"
	" coalesce(a.platform_uid, ''), a.closed_on, a.last_update_at"
	" FROM account a JOIN unit u ON u.id = a.unit_id"
	" WHERE a.status = 'closed' AND a.closed_on IS NOT NULL"
	" AND a.last_update_at IS NOT NULL"
	" AND NOT EXISTS (SELECT 1 FROM problem p WHERE p.account_id = a.id"
	"  AND p.kind = 'reopened-closed-account'"
	"  AND p.last_update_at >= a.last_update_at)"
	" ORDER BY a.id";

/* Midnight after the closing day, in the configured zone: a post that
 * day is still the account's last. */
static int
closing_end(const char *closed_on, time_t *out)
{
	struct tm tm;

	if (iso_date_to_time(closed_on, out) == -1)
		return -1;
	localtime_r(out, &tm);
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return 0;
}

/* The newest post from that time on: its title and link (malloc'd, ""
 * when there is none). */
static void
newest_post(sqlite3 *db, long long account, time_t since, char **title,
    char **link)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT coalesce(title, ''),"
	    " coalesce(link, '') FROM post WHERE account_id = ? AND"
	    " coalesce(published_at, first_seen_at) >= ? ORDER BY"
	    " coalesce(published_at, first_seen_at) DESC, id DESC LIMIT 1", "II",
	    account, (long long)since);

	if (st && sqlite3_step(st) == SQLITE_ROW) {
		*title = db_column_strdup(st, 0);
		*link = db_column_strdup(st, 1);
	} else {
		*title = xstrdup("");
		*link = xstrdup("");
	}
	sqlite3_finalize(st);
}

/* One account of the admins' message; the texts are borrowed. */
struct reopened_row {
	const char *unit_name, *platform, *name, *uid;
	const char *closed_on;          /* YYYY-MM-DD */
	time_t      published;
	const char *title, *link;
	long long   problem_id;
};

/* Dates are written the Chinese way, as in every message. */
static void
add_row(struct tmpl_vars *v, const struct reopened_row *r)
{
	struct tmpl_vars *row = tmpl_add_row(v, "accounts");
	char closed[CN_DATE_SIZE], published[CN_DATE_SIZE];

	if (iso_date_to_cn(r->closed_on, closed, sizeof(closed)) == -1)
		snprintf(closed, sizeof(closed), "%s", r->closed_on);
	datetime_cn(r->published, published, sizeof(published));
	tmpl_set(row, "unit_name", r->unit_name);
	tmpl_set(row, "platform", r->platform);
	tmpl_set(row, "name", r->name);
	tmpl_set(row, "uid", r->uid);
	tmpl_set(row, "closed_on", closed);
	tmpl_set(row, "published", published);
	tmpl_set(row, "title", r->title);
	tmpl_set(row, "link", r->link);
	tmpl_setf(row, "problem_id", "%lld", r->problem_id);
}

static void
set_message_vars(struct tmpl_vars *v, const struct config *cfg, int n,
    time_t now)
{
	char when[CN_DATE_SIZE];

	datetime_cn(now, when, sizeof(when));
	tmpl_set(v, "now", when);
	tmpl_set(v, "issuer", cfg->notice.issuer);
	tmpl_setf(v, "n_accounts", "%d", n);
}

/* Opens the problem and adds the account to the admins' list.  1 when a
 * problem was opened, 0 when none is (the activity is not after closing,
 * or the account's problem is open already), -1. */
static int
one_suspect(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    time_t now, struct tmpl_vars *v)
{
	long long account = sqlite3_column_int64(st, 0), id;
	time_t end, last = (time_t)sqlite3_column_int64(st, 7);
	const struct platform *p = config_platform(cfg, db_column_text(st, 3));
	char *title, *link, when[32];
	int rc;

	if (closing_end(db_column_text(st, 6), &end) == -1 || last < end)
		return 0;
	time_format_local(last, when, sizeof(when));
	newest_post(db, account, end, &title, &link);
	rc = problem_reopened_open(db, account, sqlite3_column_int64(st, 1),
	    *link ? link : "信息源", last, config_deadline(cfg, now),
	    now, &id);
	if (rc == 1) {
		add_row(v, &(struct reopened_row){ db_column_text(st, 2),
		    p ? p->label : db_column_text(st, 3), db_column_text(st, 4),
		    db_column_text(st, 5), db_column_text(st, 6), last, title, link,
		    id });
		log_event(LOG_WARNING, NULL, account, NULL, "account %lld was "
		    "closed on %s but published at %s: problem %lld "
		    "(已注销账号违规私开)", account, db_column_text(st, 6), when, id);
	}
	free(title);
	free(link);
	return rc;
}

static int
tell_admins(sqlite3 *db, const struct config *cfg, struct tmpl_vars *v,
    int n, const char *key, time_t now)
{
	size_t n_to;
	char **to = outbox_admin_addresses(cfg, &n_to), *dedup;
	struct outgoing m = { .kind = "reopened", .to = (const char *const *)to,
	    .n_to = n_to };
	int rc;

	set_message_vars(v, cfg, n, now);
	dedup = xasprintf("reopened:%s", key);
	m.dedup_key = dedup;
	rc = compose_queue(db, cfg, "admin-reopened", v, &m, now);
	free(dedup);
	strv_free(to);
	return rc == -1 ? -1 : 0;
}

int
closed_accounts_check(sqlite3 *db, const struct config *cfg, time_t now)
{
	struct tmpl_vars *v = tmpl_vars_new();
	struct strbuf key = STRBUF_INIT;
	sqlite3_stmt *st;
	int n = 0, rc = 0, one;

	if (feed_state_space_closed(db, CLOSED_POLL_INTERVAL) == -1 ||
	    (st = db_prepare(db, suspects_sql, "")) == NULL) {
		tmpl_vars_free(v);
		return -1;
	}
	tmpl_set_list(v, "accounts");
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		if ((one = one_suspect(db, cfg, st, now, v)) == -1)
			rc = -1;
		else if (one == 1) {
			n++;
			sb_printf(&key, "%s%lld@%lld", key.len ? "," : "",
			    sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 7));
		}
	}
	sqlite3_finalize(st);
	if (rc == 0 && n > 0)
		rc = tell_admins(db, cfg, v, n, sb_str(&key), now);
	sb_free(&key);
	tmpl_vars_free(v);
	return rc == -1 ? -1 : n;
}

struct tmpl_vars *
closed_sample_vars(const struct config *cfg, time_t now)
{
	struct tmpl_vars *v = tmpl_vars_new();

	tmpl_set_list(v, "accounts");
	add_row(v, &(struct reopened_row){ "某某县教育局",
	    cfg->n_platforms ? cfg->platforms[0].label : "微信公众号",
	    "某某教育发布", "gh_0123456789ab", "2026-06-30", now - 86400,
	    "关于做好寒假安全工作的通知", "https://mp.weixin.qq.com/s/example",
	    1 });
	set_message_vars(v, cfg, 1, now);
	return v;
}
