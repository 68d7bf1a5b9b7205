/* alerts.c — composing grouped alert emails from an evaluation. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/log.h"
#include "base/template.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/compose.h"
#include "mail/outbox.h"
#include "mail/recipient.h"
#include "monitor/alerts.h"
#include "monitor/stats.h"
#include "poll/post.h"
#include "store/db.h"

/* Facts about one account for a message row. */
struct account_facts {
	char *unit_name, *platform_label, *name, *uid, *feed_url, *last_error;
	bool  has_success;
	time_t last_success;
	long  failures;
};

static void
facts_free(struct account_facts *f)
{
	free(f->unit_name);
	free(f->platform_label);
	free(f->name);
	free(f->uid);
	free(f->feed_url);
	free(f->last_error);
}

static int
facts_load(sqlite3 *db, const struct config *cfg, long long id,
    struct account_facts *f)
{
	const struct platform *p;
	sqlite3_stmt *st;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	st = db_prepare(db, "SELECT u.name, a.platform, a.name, a.platform_uid,"
	    " coalesce(a.feed_url, f.url), f.last_error, f.last_success_at,"
	    " coalesce(f.consecutive_failures, 0) FROM account a JOIN unit u ON"
	    " u.id = a.unit_id LEFT JOIN feed_state f ON f.account_id = a.id"
	    " WHERE a.id = ?", "I", id);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		p = config_platform(cfg, db_column_text(st, 1));
		f->unit_name = db_column_strdup(st, 0);
		f->platform_label = xstrdup(p ? p->label : db_column_text(st, 1));
		f->name = db_column_strdup(st, 2);
		f->uid = xstrdup(db_column_text(st, 3));
		f->feed_url = xstrdup(db_column_text(st, 4));
		f->last_error = xstrdup(db_column_text(st, 5));
		f->has_success = !db_column_is_null(st, 6);
		f->last_success = (time_t)sqlite3_column_int64(st, 6);
		f->failures = sqlite3_column_int(st, 7);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static void
set_date(struct tmpl_vars *v, const char *key, bool has, time_t t,
    const char *none)
{
	char buf[32];

	if (!has) {
		tmpl_set(v, key, none);
		return;
	}
	date_format_local(t, buf, sizeof(buf));
	tmpl_set(v, key, buf);
}

static void
set_time(struct tmpl_vars *v, const char *key, bool has, time_t t,
    const char *none)
{
	char buf[32];

	if (!has) {
		tmpl_set(v, key, none);
		return;
	}
	time_format_local(t, buf, sizeof(buf));
	tmpl_set(v, key, buf);
}

static struct tmpl_vars *
base_vars(const struct config *cfg, time_t now)
{
	struct tmpl_vars *v = tmpl_vars_new();

	set_time(v, "now", true, now, "");
	tmpl_set(v, "issuer", cfg->notice.issuer);
	return v;
}

/* The common names of an account row. */
static void
fill_row(struct tmpl_vars *row, const struct account_facts *f,
    const struct eval_item *it)
{
	tmpl_set(row, "unit_name", f->unit_name);
	tmpl_set(row, "platform", f->platform_label);
	tmpl_set(row, "name", f->name);
	tmpl_set(row, "uid", f->uid);
	set_date(row, "last_update", it->has_last_update, it->last_update, "从未更新");
	tmpl_setf(row, "days", "%ld", it->days);
}

static void
set_unit_vars(sqlite3 *db, long long unit_id, struct tmpl_vars *v)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT code, name, coalesce(contact,"
	    " '') FROM unit WHERE id = ?", "I", unit_id);

	if (st && sqlite3_step(st) == SQLITE_ROW) {
		tmpl_set(v, "unit_code", db_column_text(st, 0));
		tmpl_set(v, "unit_name", db_column_text(st, 1));
		tmpl_set(v, "contact_name", db_column_text(st, 2));
	}
	sqlite3_finalize(st);
}

/* Unit mail goes to the unit's addresses; a unit without any falls back
 * to the admins, so no alert is ever dropped for want of an address. */
static char **
unit_recipients(sqlite3 *db, const struct config *cfg, long long unit_id,
    size_t *n, bool *fallback)
{
	char **to = outbox_unit_addresses(db, unit_id, n);

	if (!(*fallback = *n == 0))
		return to;
	strv_free(to);
	return outbox_admin_addresses(cfg, n);
}

/* Renders and queues one message; -1 when it cannot be. */
static int
queue_mail(sqlite3 *db, const struct config *cfg, const char *template,
    struct tmpl_vars *v, const char *kind, long long unit_id, char **to,
    size_t n_to, bool cc_admins, const char *dedup, time_t now)
{
	struct outgoing m = {
		.kind = kind, .unit_id = unit_id,
		.to = (const char *const *)to, .n_to = n_to,
		.cc = cc_admins ? (const char *const *)cfg->mail.admins : NULL,
		.n_cc = cc_admins ? cfg->mail.n_admins : 0,
		.dedup_key = dedup,
	};

	return compose_queue(db, cfg, template, v, &m, now);
}

static const char *
list_for(enum account_state s)
{
	return s == STATE_WARNING ? "warning" : s == STATE_STALE ? "stale" : "dormant";
}

struct unit_mail {
	struct tmpl_vars *alert, *recovery;
	int               n_alert, n_recovery, n_state[N_STATES];
	bool              cc_admins, reminder_only;
	struct strbuf     key;
};

static void
add_alert_row(sqlite3 *db, const struct config *cfg, struct unit_mail *um,
    const struct eval_item *it)
{
	struct account_facts f;
	struct tmpl_vars *row;
	char buf[32];

	if (facts_load(db, cfg, it->account_id, &f) == -1)
		return;
	if (it->event == EVENT_RECOVER) {
		row = tmpl_add_row(um->recovery, "recovered");
		fill_row(row, &f, it);
		set_time(row, "last_update", it->has_last_update, it->last_update,
		    "从未更新");
		tmpl_set(row, "problem_closed", it->problem_closed ? "1" : "");
		um->n_recovery++;
	} else {
		row = tmpl_add_row(um->alert, list_for(it->state));
		fill_row(row, &f, it);
		tmpl_setf(row, "days_left", "%ld", it->days_left);
		date_format_local(it->veto_at, buf, sizeof(buf));
		tmpl_set(row, "veto_date", buf);
		set_date(row, "problem_due", it->problem_due != 0, it->problem_due,
		    "-");
		um->n_alert++;
		um->n_state[it->state]++;
		um->cc_admins |= it->state != STATE_WARNING;
		um->reminder_only &= it->event == EVENT_REMIND;
	}
	sb_printf(&um->key, ":%lld.%d.%d", it->account_id, it->state, it->event);
	facts_free(&f);
}

static int
queue_unit(sqlite3 *db, const struct config *cfg, const struct evaluation *ev,
    long long unit_id)
{
	struct unit_mail um = { .reminder_only = true, .key = STRBUF_INIT };
	char **to, *key;
	size_t i, n_to;
	bool fallback;
	int rc = 0, queued = 0;

	um.alert = base_vars(cfg, ev->now);
	um.recovery = base_vars(cfg, ev->now);
	tmpl_set_list(um.alert, "warning");
	tmpl_set_list(um.alert, "stale");
	tmpl_set_list(um.alert, "dormant");
	tmpl_set_list(um.recovery, "recovered");
	for (i = 0; i < ev->n_items; i++)
		if (ev->items[i].unit_id == unit_id && ev->items[i].event != EVENT_GAP)
			add_alert_row(db, cfg, &um, &ev->items[i]);
	set_unit_vars(db, unit_id, um.alert);
	set_unit_vars(db, unit_id, um.recovery);
	to = unit_recipients(db, cfg, unit_id, &n_to, &fallback);
	/* the admins are To already when the unit has no address */
	um.cc_admins &= !fallback;
	if (um.n_alert > 0) {
		tmpl_setf(um.alert, "n_accounts", "%d", um.n_alert);
		tmpl_setf(um.alert, "n_warning", "%d", um.n_state[STATE_WARNING]);
		tmpl_setf(um.alert, "n_stale", "%d", um.n_state[STATE_STALE]);
		tmpl_setf(um.alert, "n_dormant", "%d", um.n_state[STATE_DORMANT]);
		tmpl_set(um.alert, "reminder", um.reminder_only ? "1" : "");
		key = xasprintf("alert:%lld:%lld%s", unit_id, (long long)ev->now,
		    sb_str(&um.key));
		rc = queue_mail(db, cfg, "unit-alert", um.alert, "alert", unit_id,
		    to, n_to, um.cc_admins, key, ev->now);
		queued += rc > 0;
		free(key);
	}
	if (rc != -1 && um.n_recovery > 0) {
		tmpl_setf(um.recovery, "n_accounts", "%d", um.n_recovery);
		key = xasprintf("recovery:%lld:%lld%s", unit_id, (long long)ev->now,
		    sb_str(&um.key));
		rc = queue_mail(db, cfg, "unit-recovery", um.recovery, "recovery",
		    unit_id, to, n_to, false, key, ev->now);
		queued += rc > 0;
		free(key);
	}
	strv_free(to);
	tmpl_vars_free(um.alert);
	tmpl_vars_free(um.recovery);
	sb_free(&um.key);
	return rc == -1 ? -1 : queued;
}

/* ---- admins ---- */

static void
fill_gap_row(struct tmpl_vars *row, const struct account_facts *f,
    const struct eval_item *it, const char *state_label)
{
	fill_row(row, f, it);
	tmpl_set(row, "feed_url", f->feed_url);
	tmpl_set(row, "state_label", state_label);
	set_time(row, "last_success", f->has_success, f->last_success, "从未成功");
	tmpl_set(row, "last_error", f->last_error);
}

static int
queue_gap(sqlite3 *db, const struct config *cfg, const struct evaluation *ev)
{
	struct tmpl_vars *v = base_vars(cfg, ev->now), *row;
	struct strbuf key = STRBUF_INIT;
	struct account_facts f;
	struct eval_item fake;
	long long last;
	char window[16], **to, *dedup;
	size_t i, n_to;
	int n = 0, rc = 0;

	tmpl_set_list(v, "accounts");
	for (i = 0; i < ev->n_items; i++) {
		if (ev->items[i].event != EVENT_GAP ||
		    facts_load(db, cfg, ev->items[i].account_id, &f) == -1)
			continue;
		fill_gap_row(tmpl_add_row(v, "accounts"), &f, &ev->items[i],
		    state_label(ev->items[i].would_be));
		sb_printf(&key, ":%lld", ev->items[i].account_id);
		facts_free(&f);
		n++;
	}
	for (i = 0; i < ev->n_new_failing; i++) {
		if (facts_load(db, cfg, ev->new_failing[i], &f) == -1)
			continue;
		memset(&fake, 0, sizeof(fake));
		last = 0;
		db_query_int(db, &last, "SELECT coalesce(last_update_at, 0) FROM"
		    " account WHERE id = ?", "I", ev->new_failing[i]);
		fake.last_update = (time_t)last;
		fake.has_last_update = last != 0;
		fake.days = fake.has_last_update ?
		    days_between(fake.last_update, ev->now) : 0;
		row = tmpl_add_row(v, "accounts");
		fill_gap_row(row, &f, &fake, "订阅地址无法访问");
		sb_printf(&key, ":f%lld", ev->new_failing[i]);
		facts_free(&f);
		n++;
	}
	if (n > 0) {
		duration_format(cfg->monitor.verify_window, window, sizeof(window));
		tmpl_set(v, "verify_window", window);
		tmpl_setf(v, "n_accounts", "%d", n);
		to = outbox_admin_addresses(cfg, &n_to);
		dedup = xasprintf("gap:%lld%s", (long long)ev->now, sb_str(&key));
		rc = queue_mail(db, cfg, "admin-gap", v, "gap", 0, to, n_to, false,
		    dedup, ev->now);
		free(dedup);
		strv_free(to);
	}
	sb_free(&key);
	tmpl_vars_free(v);
	return rc;
}

static int
digest_counts(sqlite3 *db, const struct evaluation *ev, struct tmpl_vars *v)
{
	static const char *const keys[N_STATES] = { "n_fresh", "n_warning",
	    "n_stale", "n_dormant", "n_unverified" };
	struct monitor_counts c;
	int i, rc = monitor_counts_load(db, ev->now, &c);

	/* the evaluation being committed counts, not the stored states */
	tmpl_setf(v, "n_accounts", "%lu", ev->evaluated);
	for (i = 0; i < N_STATES; i++)
		tmpl_setf(v, keys[i], "%lu", ev->counts[i]);
	tmpl_setf(v, "n_problems_open", "%lld", c.open_problems);
	tmpl_setf(v, "n_problems_overdue", "%lld", c.overdue_problems);
	tmpl_setf(v, "outbox_queued", "%lld", c.outbox_queued);
	tmpl_setf(v, "outbox_failed", "%lld", c.outbox_failed);
	monitor_counts_free(&c);
	return rc;
}

/* Rows for the digest's lists, straight from the database. */
static int
digest_lists(sqlite3 *db, const struct config *cfg, time_t now,
    struct tmpl_vars *v)
{
	struct eval_item it;
	struct account_facts f;
	struct tmpl_vars *row;
	sqlite3_stmt *st;
	int n_stale = 0, n_failing = 0;

	tmpl_set_list(v, "stale");
	tmpl_set_list(v, "failing");
	tmpl_set_list(v, "gaps");
	st = db_prepare(db, "SELECT a.id, s.state, a.last_update_at,"
	    " coalesce(f.failing, 0) FROM account_state s JOIN account a ON a.id ="
	    " s.account_id LEFT JOIN feed_state f ON f.account_id = a.id WHERE"
	    " a.status = 'active' AND (s.state IN ('stale', 'dormant',"
	    " 'unverified') OR f.failing) ORDER BY a.unit_id, a.id", "");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		int state = state_parse(db_column_text(st, 1));

		if (facts_load(db, cfg, sqlite3_column_int64(st, 0), &f) == -1)
			continue;
		memset(&it, 0, sizeof(it));
		it.has_last_update = !db_column_is_null(st, 2);
		it.last_update = (time_t)sqlite3_column_int64(st, 2);
		it.days = it.has_last_update ? days_between(it.last_update, now) : 0;
		if (state == STATE_STALE || state == STATE_DORMANT) {
			row = tmpl_add_row(v, "stale");
			fill_row(row, &f, &it);
			tmpl_set(row, "state_label", state_label(state));
			n_stale++;
		} else if (state == STATE_UNVERIFIED)
			fill_gap_row(tmpl_add_row(v, "gaps"), &f, &it, "未核实");
		if (sqlite3_column_int(st, 3)) {
			row = tmpl_add_row(v, "failing");
			fill_gap_row(row, &f, &it, "订阅地址无法访问");
			tmpl_setf(row, "failures", "%ld", f.failures);
			n_failing++;
		}
		facts_free(&f);
	}
	sqlite3_finalize(st);
	tmpl_setf(v, "n_stale_list", "%d", n_stale);
	tmpl_setf(v, "n_failing", "%d", n_failing);
	return 0;
}

/* The units' addresses whose last email the server refused for good. */
static void
digest_bounces(sqlite3 *db, struct tmpl_vars *v)
{
	struct bounce *b;
	struct tmpl_vars *row;
	char when[32];
	size_t i, n;

	tmpl_set_list(v, "bounces");
	b = recipient_bounces(db, 0, &n);
	for (i = 0; i < n; i++) {
		row = tmpl_add_row(v, "bounces");
		tmpl_set(row, "unit_name", b[i].unit_name);
		tmpl_set(row, "unit_code", b[i].unit_code);
		tmpl_set(row, "address", b[i].address);
		tmpl_set(row, "reply", b[i].reply ? b[i].reply : "");
		time_format_local(b[i].at, when, sizeof(when));
		tmpl_set(row, "refused_at", when);
	}
	tmpl_setf(v, "n_bounces", "%zu", n);
	bounces_free(b, n);
}

/* Once a day, after mail.digest_time in the configured zone. */
static bool
digest_due(const struct config *cfg, time_t now, char *day, size_t size)
{
	char hhmm[8];
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
	strftime(day, size, "%Y-%m-%d", &tm);
	return strcmp(hhmm, cfg->mail.digest_time) >= 0;
}

static int
queue_digest(sqlite3 *db, const struct config *cfg, const struct evaluation *ev)
{
	struct tmpl_vars *v;
	char day[16], *key, **to;
	size_t n_to;
	int rc;

	if (!digest_due(cfg, ev->now, day, sizeof(day)))
		return 0;
	/* the dedup key makes later evaluations of the day queue nothing */
	key = xasprintf("digest:%s", day);
	v = base_vars(cfg, ev->now);
	tmpl_set(v, "date", day);
	if (digest_counts(db, ev, v) == -1) {
		tmpl_vars_free(v);
		free(key);
		return -1;
	}
	digest_lists(db, cfg, ev->now, v);
	digest_bounces(db, v);
	to = outbox_admin_addresses(cfg, &n_to);
	rc = queue_mail(db, cfg, "admin-digest", v, "digest", 0, to, n_to, false,
	    key, ev->now);
	strv_free(to);
	tmpl_vars_free(v);
	free(key);
	return rc;
}

static bool
has_unit(const long long *units, size_t n, long long id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (units[i] == id)
			return true;
	return false;
}

int
alerts_queue(sqlite3 *db, const struct config *cfg, const struct evaluation *ev)
{
	long long *units = xcalloc(ev->n_items + 1, sizeof(long long));
	size_t i, n_units = 0;
	int rc, queued = 0;

	for (i = 0; i < ev->n_items; i++)
		if (ev->items[i].event != EVENT_GAP &&
		    !has_unit(units, n_units, ev->items[i].unit_id))
			units[n_units++] = ev->items[i].unit_id;
	for (i = 0; i < n_units; i++) {
		if ((rc = queue_unit(db, cfg, ev, units[i])) == -1)
			break;
		queued += rc;
	}
	free(units);
	if (i < n_units || (rc = queue_gap(db, cfg, ev)) == -1)
		return -1;
	queued += rc;
	if ((rc = queue_digest(db, cfg, ev)) == -1)
		return -1;
	return queued + rc;
}
