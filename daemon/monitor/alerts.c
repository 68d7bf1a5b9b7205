/* alerts.c — composing grouped alert emails from an evaluation. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/holidays.h"
#include "base/log.h"
#include "base/template.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/compose.h"
#include "mail/outbox.h"
#include "mail/recipient.h"
#include "monitor/alerts.h"
#include "monitor/gaps.h"
#include "monitor/stats.h"
#include "poll/poller.h"
#include "poll/post.h"
#include "registry/workorder.h"
#include "store/db.h"

/* Dates and times in messages are written the Chinese way: 2026年12月2日,
 * 2026年12月2日 10:30. */
static void
set_date(struct tmpl_vars *v, const char *key, bool has, time_t t,
    const char *none)
{
	char buf[CN_DATE_SIZE];

	if (!has) {
		tmpl_set(v, key, none);
		return;
	}
	date_cn(t, buf, sizeof(buf));
	tmpl_set(v, key, buf);
}

static void
set_time(struct tmpl_vars *v, const char *key, bool has, time_t t,
    const char *none)
{
	char buf[CN_DATE_SIZE];

	if (!has) {
		tmpl_set(v, key, none);
		return;
	}
	datetime_cn(t, buf, sizeof(buf));
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
fill_row(struct tmpl_vars *row, const char *unit_name,
    const struct eval_item *it)
{
	tmpl_set(row, "unit_name", unit_name);
	tmpl_set(row, "platform", it->platform_label);
	tmpl_set(row, "name", it->name);
	tmpl_set(row, "uid", it->uid);
	tmpl_set(row, "known", it->has_last_update ? "1" : "");
	set_date(row, "last_update", it->has_last_update, it->last_update, "从未更新");
	tmpl_set_int(row, "days", it->days);
}

static void
set_unit_names(struct tmpl_vars *v, const char *code, const char *name,
    const char *contact)
{
	tmpl_set(v, "unit_code", code);
	tmpl_set(v, "unit_name", name);
	tmpl_set(v, "contact_name", contact);
}

static void
set_unit_vars(const struct unit_info *u, struct tmpl_vars *v)
{
	if (u)
		set_unit_names(v, u->code, u->name, u->contact);
}

/* A unit without addresses gets its mail through the admins. */
static char **
recipients_or_admins(const struct config *cfg, char **to, size_t *n,
    bool *fallback, struct tmpl_vars *v)
{
	*fallback = *n == 0;
	if (v)
		tmpl_set(v, "no_address", *fallback ? "1" : "");
	if (!*fallback)
		return to;
	strv_free(to);
	return outbox_admin_addresses(cfg, n);
}

char **
unit_mail_recipients(sqlite3 *db, const struct config *cfg,
    long long unit_id, size_t *n, bool *fallback, struct tmpl_vars *v)
{
	return recipients_or_admins(cfg, outbox_unit_addresses(db, unit_id, n),
	    n, fallback, v);
}

/* The same for a unit the evaluation read. */
static char **
unit_recipients(const struct config *cfg, const struct unit_info *u,
    size_t *n, bool *fallback, struct tmpl_vars *v)
{
	return recipients_or_admins(cfg, strv_from_json(u ? u->emails : NULL, n),
	    n, fallback, v);
}

/* What a unit's message is to the chat channels: the admins' channels
 * get it when the admins get the email, and an alert shows each channel
 * the states it carries (unit_chat_vars). */
struct chat_route {
	bool    admins;
	struct tmpl_vars *(*vars)(const struct channel *, void *);
	void   *arg;
};

/* Renders and queues one message, or queues it with the text rendered
 * ahead when there is one (subject not NULL); -1 when it cannot be. */
static int
queue_mail(sqlite3 *db, const struct config *cfg, const char *template,
    struct tmpl_vars *v, const char *kind, long long unit_id, char **to,
    size_t n_to, bool cc_admins, const char *dedup, time_t now,
    const struct chat_route *chat, const struct mail_text *ahead)
{
	struct outgoing m = {
		.kind = kind, .unit_id = unit_id,
		.to = (const char *const *)to, .n_to = n_to,
		.cc = cc_admins ? (const char *const *)cfg->mail.admins : NULL,
		.n_cc = cc_admins ? cfg->mail.n_admins : 0,
		.dedup_key = dedup,
		.admins = chat ? chat->admins : true,
		.chat_vars = chat ? chat->vars : NULL,
		.chat_arg = chat ? chat->arg : NULL,
	};

	if (ahead && ahead->subject)
		return compose_queue_text(db, cfg, template, v, &m, ahead, now);
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
unit_mail_init(struct unit_mail *um, const struct config *cfg, time_t now)
{
	*um = (struct unit_mail){ .reminder_only = true, .key = STRBUF_INIT };
	um->alert = base_vars(cfg, now);
	um->recovery = base_vars(cfg, now);
	tmpl_set_list(um->alert, "warning");
	tmpl_set_list(um->alert, "stale");
	tmpl_set_list(um->alert, "dormant");
	tmpl_set_list(um->recovery, "recovered");
}

/* The counts that head each message, once its rows are in. */
static void
unit_mail_finish(struct unit_mail *um)
{
	tmpl_setf(um->alert, "n_accounts", "%d", um->n_alert);
	tmpl_setf(um->alert, "n_warning", "%d", um->n_state[STATE_WARNING]);
	tmpl_setf(um->alert, "n_stale", "%d", um->n_state[STATE_STALE]);
	tmpl_setf(um->alert, "n_dormant", "%d", um->n_state[STATE_DORMANT]);
	tmpl_set(um->alert, "reminder", um->reminder_only ? "1" : "");
	tmpl_setf(um->recovery, "n_accounts", "%d", um->n_recovery);
}

static void
unit_mail_free(struct unit_mail *um)
{
	tmpl_vars_free(um->alert);
	tmpl_vars_free(um->recovery);
	sb_free(&um->key);
}

static void
alert_row(struct unit_mail *um, const char *unit_name,
    const struct eval_item *it)
{
	struct tmpl_vars *row;
	char n[INT_TEXT_SIZE];

	if (it->event == EVENT_RECOVER) {
		row = tmpl_add_row(um->recovery, "recovered");
		fill_row(row, unit_name, it);
		set_time(row, "last_update", it->has_last_update, it->last_update,
		    "从未更新");
		tmpl_set(row, "problem_closed", it->problem_closed ? "1" : "");
		um->n_recovery++;
	} else {
		row = tmpl_add_row(um->alert, list_for(it->state));
		fill_row(row, unit_name, it);
		tmpl_set_int(row, "days_left", it->days_left);
		set_date(row, "veto_date", true, it->veto_at, "");
		set_date(row, "problem_due", it->problem_due != 0, it->problem_due,
		    "-");
		um->n_alert++;
		um->n_state[it->state]++;
		um->cc_admins |= it->state != STATE_WARNING;
		um->reminder_only &= it->event == EVENT_REMIND;
	}
	/* by hand: printf would cost a third of the row */
	sb_putc(&um->key, ':');
	sb_puts(&um->key, int_text(it->account_id, n));
	sb_putc(&um->key, '.');
	sb_puts(&um->key, int_text(it->state, n));
	sb_putc(&um->key, '.');
	sb_puts(&um->key, int_text(it->event, n));
}

static bool
carried(const struct eval_item *it, unsigned kinds)
{
	if (it->event == EVENT_RECOVER)
		return kinds & KIND_RECOVERY;
	return kinds & (it->state == STATE_WARNING ? KIND_WARNING :
	    it->state == STATE_STALE ? KIND_STALE : KIND_DORMANT);
}

/* A unit's items: a run of ev's items, which are grouped by unit. */
struct unit_items {
	const struct eval_item *items;
	size_t                  n;
	const struct unit_info *unit;
};

/* The unit's alert and recovery, with the accounts of the kinds given. */
static void
unit_mail_fill(const struct config *cfg, time_t now,
    const struct unit_items *ui, unsigned kinds, struct unit_mail *um)
{
	const char *unit_name = ui->unit ? ui->unit->name : "";
	size_t i;

	unit_mail_init(um, cfg, now);
	for (i = 0; i < ui->n; i++)
		if (carried(&ui->items[i], kinds))
			alert_row(um, unit_name, &ui->items[i]);
	set_unit_vars(ui->unit, um->alert);
	set_unit_vars(ui->unit, um->recovery);
}

struct unit_chat {
	const struct config     *cfg;
	time_t                   now;
	const struct unit_items *ui;
	bool                     recovery, fallback;
};

/* A unit's alert (or recovery) as one channel gets it: the accounts in
 * the states it carries; NULL when none is. */
static struct tmpl_vars *
unit_chat_vars(const struct channel *ch, void *arg)
{
	struct unit_chat *uc = arg;
	struct tmpl_vars *v = NULL;
	struct unit_mail um;

	unit_mail_fill(uc->cfg, uc->now, uc->ui, ch->kind_mask, &um);
	tmpl_set(um.alert, "no_address", uc->fallback ? "1" : "");
	tmpl_set(um.recovery, "no_address", uc->fallback ? "1" : "");
	unit_mail_finish(&um);
	if (uc->recovery ? um.n_recovery > 0 : um.n_alert > 0) {
		v = uc->recovery ? um.recovery : um.alert;
		if (uc->recovery)
			um.recovery = NULL;
		else
			um.alert = NULL;
	}
	unit_mail_free(&um);
	return v;
}

/* A unit's alert and recovery, made with their recipients; rendered too
 * when made ahead (alerts_make_letters()). */
struct unit_letter {
	struct unit_mail  um;
	char            **to;
	size_t            n_to;
	bool              fallback;      /* no address: to the admins */
	bool              chat_admins;   /* the admins' channels get the alert */
	struct mail_text  alert, recovery;  /* subject NULL: not rendered */
};

static void
letter_make(const struct config *cfg, time_t now, const struct unit_items *ui,
    struct unit_letter *l)
{
	memset(l, 0, sizeof(*l));
	unit_mail_fill(cfg, now, ui, KIND_ALL, &l->um);
	l->to = unit_recipients(cfg, ui->unit, &l->n_to, &l->fallback,
	    l->um.alert);
	tmpl_set(l->um.recovery, "no_address", l->fallback ? "1" : "");
	l->chat_admins = l->um.cc_admins || l->fallback;
	/* the admins are To already when the unit has no address */
	l->um.cc_admins &= !l->fallback;
	unit_mail_finish(&l->um);
}

/* One message of a letter rendered ahead; its names are dropped once
 * rendered (they are most of its memory: a dozen for each account), as
 * the chat forms make their own (unit_chat_vars()).  What cannot be
 * rendered here keeps its names and is rendered again when queued, where
 * a failed override is reported (compose_render()).  Returns the bytes
 * rendered. */
static size_t
render_ahead(const struct config *cfg, const char *template, long long unit_id,
    struct tmpl_vars **v, struct mail_text *out)
{
	if (compose_render(cfg, template, *v, unit_id, out) == -1)
		return 0;
	tmpl_vars_free(*v);
	*v = NULL;
	return strlen(out->subject) + strlen(out->text) +
	    (out->html ? strlen(out->html) : 0);
}

static size_t
letter_render(const struct config *cfg, const struct unit_items *ui,
    struct unit_letter *l)
{
	long long unit_id = ui->items[0].unit_id;
	size_t bytes = 0;

	if (l->um.n_alert > 0)
		bytes += render_ahead(cfg, "unit-alert", unit_id, &l->um.alert,
		    &l->alert);
	if (l->um.n_recovery > 0)
		bytes += render_ahead(cfg, "unit-recovery", unit_id,
		    &l->um.recovery, &l->recovery);
	return bytes;
}

static void
letter_free(struct unit_letter *l)
{
	strv_free(l->to);
	unit_mail_free(&l->um);
	mail_text_free(&l->alert);
	mail_text_free(&l->recovery);
}

static int
queue_unit(sqlite3 *db, const struct config *cfg, const struct evaluation *ev,
    const struct unit_items *ui, struct unit_letter *l)
{
	long long unit_id = ui->items[0].unit_id;
	struct unit_chat uc = { cfg, ev->now, ui, false, l->fallback };
	struct chat_route chat = { l->chat_admins, unit_chat_vars, &uc };
	char *key;
	int rc = 0, queued = 0;

	if (l->um.n_alert > 0) {
		key = xasprintf("alert:%lld:%lld%s", unit_id, (long long)ev->now,
		    sb_str(&l->um.key));
		rc = queue_mail(db, cfg, "unit-alert", l->um.alert, "alert",
		    unit_id, l->to, l->n_to, l->um.cc_admins, key, ev->now,
		    &chat, &l->alert);
		queued += rc > 0;
		free(key);
	}
	if (rc != -1 && l->um.n_recovery > 0) {
		key = xasprintf("recovery:%lld:%lld%s", unit_id,
		    (long long)ev->now, sb_str(&l->um.key));
		uc.recovery = true;
		chat.admins = l->fallback;
		rc = queue_mail(db, cfg, "unit-recovery", l->um.recovery,
		    "recovery", unit_id, l->to, l->n_to, false, key, ev->now,
		    &chat, &l->recovery);
		queued += rc > 0;
		free(key);
	}
	return rc == -1 ? -1 : queued;
}

/* The units' runs of ev's items (grouped by unit), one after the other:
 * the run starting at *i, *i moved past it; false after the last. */
static bool
next_unit(const struct evaluation *ev, size_t *i, struct unit_items *ui)
{
	size_t j;

	if (*i >= ev->n_items)
		return false;
	for (j = *i; j < ev->n_items &&
	    ev->items[j].unit_id == ev->items[*i].unit_id; j++)
		continue;
	*ui = (struct unit_items){ &ev->items[*i], j - *i,
	    evaluation_unit(ev, ev->items[*i].unit_id) };
	*i = j;
	return true;
}

/* The text rendered ahead is held until queued: past this much, the
 * other units' letters are made when they are queued, as the memory of
 * a large registry's evaluation stays bounded (its units' mail is tens of
 * megabytes at 500,000 accounts). */
#define LETTERS_AHEAD_BYTES (16u << 20)

struct alert_letters {
	struct unit_letter *units;      /* the first units', in ev's order */
	size_t              n;
};

struct alert_letters *
alerts_make_letters(const struct config *cfg, const struct evaluation *ev)
{
	struct alert_letters *al = xcalloc(1, sizeof(*al));
	struct unit_items ui;
	size_t i = 0, cap = 0, bytes = 0;

	while (bytes < LETTERS_AHEAD_BYTES && next_unit(ev, &i, &ui)) {
		if (al->n == cap) {
			cap = cap ? 2 * cap : 64;
			al->units = xrealloc(al->units, cap * sizeof(*al->units));
		}
		letter_make(cfg, ev->now, &ui, &al->units[al->n]);
		bytes += letter_render(cfg, &ui, &al->units[al->n++]);
	}
	return al;
}

void
alerts_letters_free(struct alert_letters *al)
{
	size_t i;

	if (al == NULL)
		return;
	for (i = 0; i < al->n; i++)
		letter_free(&al->units[i]);
	free(al->units);
	free(al);
}

/* ---- admins ---- */

/* The names of an account row in the admins' mail about gaps. */
static void
fill_gap_row(struct tmpl_vars *row, const struct config *cfg,
    const struct account_facts *f, time_t now)
{
	char *reason = gap_reason(&f->sight);
	time_t seen = 0;
	bool has_seen = sight_last(&f->sight, &seen);

	tmpl_set(row, "unit_name", f->unit_name);
	tmpl_set(row, "platform", f->platform_label);
	tmpl_set(row, "name", f->name);
	tmpl_set(row, "uid", f->uid);
	tmpl_set(row, "feed_url", f->feed_url);
	tmpl_set(row, "reason", reason);
	tmpl_set(row, "known", f->has_last_update ? "1" : "");
	set_date(row, "last_update", f->has_last_update, f->last_update,
	    "从未更新");
	tmpl_set_int(row, "days", f->has_last_update ?
	    days_between(f->last_update, now) : 0L);
	set_time(row, "last_seen", has_seen, seen, "从未核实");
	/* the window has passed: we cannot say how the account is doing */
	tmpl_set(row, "unverified", !has_seen ||
	    now - seen > cfg->monitor.verify_window ? "1" : "");
	tmpl_set_int(row, "failures", f->failures);
	free(reason);
}

static void
gap_finish(const struct config *cfg, struct tmpl_vars *v, int n)
{
	char window[48];

	duration_format_zh(cfg->monitor.verify_window, window, sizeof(window));
	tmpl_set(v, "verify_window", window);
	tmpl_setf(v, "n_accounts", "%d", n);
}

static int
account_id_cmp(const void *a, const void *b)
{
	const struct eval_account *x = a, *y = b;

	return x->account_id < y->account_id ? -1 :
	    x->account_id > y->account_id;
}

static bool
is_gap(const struct evaluation *ev, long long id)
{
	struct eval_account key = { .account_id = id };

	return ev->n_gaps && bsearch(&key, ev->gaps, ev->n_gaps,
	    sizeof(*ev->gaps), account_id_cmp) != NULL;
}

/* The accounts the admins hear of at once: those that became unverified
 * and those whose feed started failing, each once, by account. */
static int
queue_gap(sqlite3 *db, const struct config *cfg, const struct evaluation *ev)
{
	struct tmpl_vars *v = base_vars(cfg, ev->now);
	struct strbuf key = STRBUF_INIT;
	char **to, *dedup;
	size_t i, n_to;
	int n = 0, rc = 0;

	tmpl_set_list(v, "accounts");
	for (i = 0; i < ev->n_gaps; i++, n++) {
		fill_gap_row(tmpl_add_row(v, "accounts"), cfg, &ev->gaps[i].facts,
		    ev->now);
		sb_printf(&key, ":%lld", ev->gaps[i].account_id);
	}
	for (i = 0; i < ev->n_new_failing; i++) {
		if (is_gap(ev, ev->new_failing[i].account_id))
			continue;
		fill_gap_row(tmpl_add_row(v, "accounts"), cfg,
		    &ev->new_failing[i].facts, ev->now);
		sb_printf(&key, ":%lld", ev->new_failing[i].account_id);
		n++;
	}
	if (n > 0) {
		gap_finish(cfg, v, n);
		to = outbox_admin_addresses(cfg, &n_to);
		dedup = xasprintf("gap:%lld%s", (long long)ev->now, sb_str(&key));
		rc = queue_mail(db, cfg, "admin-gap", v, "gap", 0, to, n_to, false,
		    dedup, ev->now, NULL, NULL);
		free(dedup);
		strv_free(to);
	}
	sb_free(&key);
	tmpl_vars_free(v);
	return rc;
}

char *
alerts_calendar_warning(const struct config *cfg, time_t now)
{
	struct strbuf sb = STRBUF_INIT;
	int years[2], n, i;

	n = holidays_missing(&cfg->calendar.days, now, years);
	for (i = 0; i < n; i++)
		sb_printf(&sb, "%s%d年", i ? "、" : "", years[i]);
	if (n > 0)
		sb_printf(&sb, "的节假日安排尚未载入，整改期限在这些年份只按周一至"
		    "周五计算，可能早于法定节假日后的实际期限。请在国务院办公厅发布"
		    "当年节假日安排后，按随系统安装的 holidays/README.md 编写"
		    "“年份.txt”文件，放入配置项 calendar.dir 指定的目录。");
	return n > 0 ? sb_steal(&sb) : NULL;
}

static void
set_digest_counts(struct tmpl_vars *v, const struct evaluation *ev,
    const struct monitor_counts *c)
{
	static const char *const keys[N_STATES] = { "n_fresh", "n_warning",
	    "n_stale", "n_dormant", "n_unverified" };
	int i;

	/* the evaluation being committed counts, not the stored states */
	tmpl_setf(v, "n_accounts", "%lu", ev->evaluated);
	for (i = 0; i < N_STATES; i++)
		tmpl_setf(v, keys[i], "%lu", ev->counts[i]);
	tmpl_setf(v, "n_problems_open", "%lld", c->open_problems);
	tmpl_setf(v, "n_problem_accounts", "%lld", c->problem_accounts);
	tmpl_setf(v, "n_problems_overdue", "%lld", c->overdue_problems);
	tmpl_setf(v, "n_failing", "%lld", c->failing_feeds);
	tmpl_setf(v, "outbox_queued", "%lld", c->outbox_queued);
	tmpl_setf(v, "outbox_failed", "%lld", c->outbox_failed);
	tmpl_setf(v, "n_orders_open", "%lld", c->orders[WO_OPEN]);
	tmpl_setf(v, "n_orders_replied", "%lld", c->orders[WO_REPLIED]);
	tmpl_setf(v, "n_orders_returned", "%lld", c->orders[WO_RETURNED]);
	tmpl_setf(v, "n_orders_overdue", "%lld", c->orders_overdue);
}

/* Notices past their reply deadline without an answer to every item
 * (registry/workorder.h), to be followed up: total of them, the first
 * DIGEST_ROWS listed (a year of unanswered notices in a large region is
 * tens of thousands, too many for one email). */
static void
set_overdue_notices(struct tmpl_vars *v, const json_t *rows,
    long long total)
{
	static const char *const keys[] = { "serial", "unit_name", "due_on",
	    "items", "unsettled", "days_over", "id" };
	struct tmpl_vars *row;
	const json_t *n, *x;
	char due[CN_DATE_SIZE];
	size_t i, k;

	tmpl_set_list(v, "overdue_notices");

	json_array_foreach(rows, i, n) {
		row = tmpl_add_row(v, "overdue_notices");
		for (k = 0; k < ARRAY_SIZE(keys); k++) {
			x = json_object_get(n, keys[k]);
			if (json_is_integer(x))
				tmpl_setf(row, keys[k], "%lld",
				    (long long)json_integer_value(x));
			else
				tmpl_set(row, keys[k], json_string_value(x));
		}
		iso_date_to_cn(json_string_value(json_object_get(n, "due_on")),
		    due, sizeof(due));
		tmpl_set(row, "due_on", due);
	}
	if (total < (long long)json_array_size(rows))
		total = (long long)json_array_size(rows);
	tmpl_setf(v, "n_overdue_notices", "%lld", total);
	tmpl_setf(v, "n_overdue_notices_more", "%lld", total -
	    (long long)json_array_size(rows));
}

static int
digest_notices(sqlite3 *db, time_t now, long long total,
    struct tmpl_vars *v)
{
	json_t *rows = workorder_notices_overdue(db, now, 0, DIGEST_ROWS);

	if (rows == NULL)
		return -1;
	set_overdue_notices(v, rows, total);
	json_decref(rows);
	return 0;
}

/* The counts, and the overdue notices counted with them. */
static int
digest_counts(sqlite3 *db, const struct evaluation *ev, struct tmpl_vars *v,
    long long *notices_overdue)
{
	struct monitor_counts c;
	int rc = monitor_counts_load_digest(db, ev->now, &c);

	set_digest_counts(v, ev, &c);
	*notices_overdue = c.notices_overdue;
	monitor_counts_free(&c);
	return rc;
}

/* One account in the digest, in one list only: unverified ones are gaps
 * (whatever their feed does), stale and dormant ones say whether their
 * feed fails, and the failing feeds of the others are listed apart. */
static void
digest_row(struct tmpl_vars *v, const struct config *cfg, int state,
    const struct account_facts *f, time_t now)
{
	struct tmpl_vars *row;

	if (state == STATE_UNVERIFIED)
		fill_gap_row(tmpl_add_row(v, "gaps"), cfg, f, now);
	else if (state == STATE_STALE || state == STATE_DORMANT) {
		row = tmpl_add_row(v, "stale");
		fill_gap_row(row, cfg, f, now);
		tmpl_set(row, "state_label", state_label(state));
		tmpl_set(row, "failing", f->failing ? "1" : "");
	} else if (f->failing)
		fill_gap_row(tmpl_add_row(v, "failing"), cfg, f, now);
}

static void
digest_lists_init(struct tmpl_vars *v)
{
	tmpl_set_list(v, "stale");
	tmpl_set_list(v, "failing");
	tmpl_set_list(v, "gaps");
}

/* n_*_list: the rows listed; n_*_more: the accounts left out of a list
 * longer than DIGEST_ROWS (the status report has them all). */
static void
digest_lists_finish(struct tmpl_vars *v, const unsigned long *total)
{
	static const char *const names[N_DIGEST_LISTS] = { "stale", "gaps",
	    "failing" };
	unsigned long listed;
	char key[32];
	int i;

	for (i = 0; i < N_DIGEST_LISTS; i++) {
		listed = total[i] < DIGEST_ROWS ? total[i] : DIGEST_ROWS;
		snprintf(key, sizeof(key), "n_%s_list", names[i]);
		tmpl_setf(v, key, "%lu", listed);
		snprintf(key, sizeof(key), "n_%s_more", names[i]);
		tmpl_setf(v, key, "%lu", total[i] - listed);
	}
}

/* The digest's lists, as the evaluation read them. */
static void
digest_lists(const struct config *cfg, const struct evaluation *ev,
    struct tmpl_vars *v)
{
	size_t i;

	digest_lists_init(v);
	for (i = 0; i < ev->n_digest_rows; i++)
		digest_row(v, cfg, ev->digest_rows[i].state,
		    &ev->digest_rows[i].facts, ev->now);
	digest_lists_finish(v, ev->digest_total);
}

static void
set_bounces(struct tmpl_vars *v, const struct bounce *b, size_t n)
{
	struct tmpl_vars *row;
	size_t i;

	tmpl_set_list(v, "bounces");
	for (i = 0; i < n; i++) {
		row = tmpl_add_row(v, "bounces");
		tmpl_set(row, "unit_name", b[i].unit_name);
		tmpl_set(row, "unit_code", b[i].unit_code);
		tmpl_set(row, "address", b[i].address);
		tmpl_set(row, "reply", b[i].reply ? b[i].reply : "");
		set_time(row, "refused_at", true, b[i].at, "");
	}
	tmpl_setf(v, "n_bounces", "%zu", n);
}

/* The units' addresses whose last email the server refused for good. */
static void
digest_bounces(sqlite3 *db, struct tmpl_vars *v)
{
	size_t n;
	struct bounce *b = recipient_bounces(db, 0, &n);

	set_bounces(v, b, n);
	bounces_free(b, n);
}

/* The digest's dedup key for now's day, once mail.digest_time has passed
 * in the configured zone; NULL before.  Caller frees. */
static char *
digest_key(const struct config *cfg, time_t now)
{
	char hhmm[8], day[16];
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (strcmp(hhmm, cfg->mail.digest_time) < 0)
		return NULL;
	return xasprintf("digest:%s", day);
}

bool
alerts_digest_due(sqlite3 *db, const struct config *cfg, time_t now)
{
	char *key = digest_key(cfg, now);
	bool due = key && !outbox_queued_before(db, key);

	free(key);
	return due;
}

static void
set_calendar_warning(struct tmpl_vars *v, const struct config *cfg,
    time_t now)
{
	char *warning = alerts_calendar_warning(cfg, now);

	tmpl_set(v, "calendar_warning", warning);
	free(warning);
}

/* Once a day: the first evaluation after mail.digest_time, which read
 * the digest's lists (alerts_digest_due()). */
static int
queue_digest(sqlite3 *db, const struct config *cfg, const struct evaluation *ev)
{
	struct tmpl_vars *v;
	char *key, **to;
	long long notices_overdue = 0;
	size_t n_to;
	int rc;

	if (!ev->digest || (key = digest_key(cfg, ev->now)) == NULL)
		return 0;
	v = base_vars(cfg, ev->now);
	set_date(v, "date", true, ev->now, "");
	if (digest_counts(db, ev, v, &notices_overdue) == -1 ||
	    digest_notices(db, ev->now, notices_overdue, v) == -1) {
		tmpl_vars_free(v);
		free(key);
		return -1;
	}
	digest_lists(cfg, ev, v);
	set_calendar_warning(v, cfg, ev->now);
	digest_bounces(db, v);
	to = outbox_admin_addresses(cfg, &n_to);
	/* the dedup key makes a second digest of the day queue nothing */
	rc = queue_mail(db, cfg, "admin-digest", v, "digest", 0, to, n_to, false,
	    key, ev->now, NULL, NULL);
	strv_free(to);
	tmpl_vars_free(v);
	free(key);
	return rc;
}

/* One message per unit (items come grouped by unit), then the admins'. */
int
alerts_queue(sqlite3 *db, const struct config *cfg, const struct evaluation *ev,
    struct alert_letters *ahead)
{
	struct unit_letter made, *l;
	struct unit_items ui;
	size_t i = 0, k = 0;
	int rc = 0, queued = 0;

	while (rc != -1 && next_unit(ev, &i, &ui)) {
		if (ahead && k < ahead->n)
			l = &ahead->units[k++];
		else
			letter_make(cfg, ev->now, &ui, l = &made);
		if ((rc = queue_unit(db, cfg, ev, &ui, l)) > 0)
			queued += rc;
		if (l == &made)
			letter_free(&made);
	}
	if (rc == -1 || (rc = queue_gap(db, cfg, ev)) == -1)
		return -1;
	queued += rc;
	if ((rc = queue_digest(db, cfg, ev)) == -1)
		return -1;
	return queued + rc;
}

/* ---- samples for check-config ---- */

/* One invented account, named like those of a county ledger, whose feed
 * fails. */
static struct account_facts
sample_facts(const struct config *cfg, time_t now)
{
	return (struct account_facts){
		.unit_name = "某某县教育局",
		.platform_label = cfg->n_platforms ? cfg->platforms[0].label :
		    "微信公众号",
		.name = "某某教育发布", .uid = "gh_0123456789ab",
		.feed_url = "https://rsshub.example.gov.cn/wechat/gh_0123456789ab",
		.sight = { .polled = true, .fetched = true, .last_status = 404,
		    .last_error = "HTTP 404", .has_success = true,
		    .last_success = now - 3 * 86400 },
		.has_last_update = true, .last_update = now - 20 * 86400,
		.failures = 3, .failing = true,
	};
}

static struct eval_item
sample_item(const struct account_facts *f, enum account_state state,
    enum eval_event event, time_t now)
{
	return (struct eval_item){
		.account_id = 1, .unit_id = 1,
		.platform_label = f->platform_label, .name = f->name,
		.uid = f->uid, .state = state,
		.event = event, .has_last_update = true,
		.last_update = now - 20 * 86400, .days = 20, .days_left = 2,
		.veto_at = now + 2 * 86400, .problem_due = now + 14 * 86400,
		.problem_closed = true,
	};
}

static struct tmpl_vars *
sample_unit_mail(const struct config *cfg, time_t now, bool recovery)
{
	struct account_facts f = sample_facts(cfg, now);
	struct tmpl_vars *v;
	struct unit_mail um;
	struct eval_item it;
	int s;

	unit_mail_init(&um, cfg, now);
	for (s = STATE_WARNING; s <= STATE_DORMANT; s++) {
		it = sample_item(&f, s, EVENT_ENTER, now);
		alert_row(&um, f.unit_name, &it);
	}
	it = sample_item(&f, STATE_FRESH, EVENT_RECOVER, now);
	alert_row(&um, f.unit_name, &it);
	unit_mail_finish(&um);
	set_unit_names(um.alert, "JYJ", f.unit_name, "王某某");
	set_unit_names(um.recovery, "JYJ", f.unit_name, "王某某");
	v = recovery ? um.recovery : um.alert;
	tmpl_set(v, "no_address", "1");
	if (recovery)
		um.recovery = NULL;
	else
		um.alert = NULL;
	unit_mail_free(&um);
	return v;
}

static struct tmpl_vars *
sample_gap(const struct config *cfg, time_t now)
{
	struct account_facts f = sample_facts(cfg, now);
	struct tmpl_vars *v = base_vars(cfg, now);

	tmpl_set_list(v, "accounts");
	fill_gap_row(tmpl_add_row(v, "accounts"), cfg, &f, now);
	f.sight = (struct sight){ .polled = false };
	f.feed_url = NULL;
	f.has_last_update = false;
	fill_gap_row(tmpl_add_row(v, "accounts"), cfg, &f, now);
	gap_finish(cfg, v, 2);
	return v;
}

static struct tmpl_vars *
sample_digest(const struct config *cfg, time_t now)
{
	struct account_facts f = sample_facts(cfg, now);
	struct tmpl_vars *v = base_vars(cfg, now);
	struct evaluation ev = { .now = now, .evaluated = 5,
	    .counts = { 1, 1, 1, 1, 1 } };
	struct monitor_counts c = { .open_problems = 3, .problem_accounts = 2,
	    .overdue_problems = 1, .failing_feeds = 2, .outbox_queued = 2,
	    .outbox_failed = 1, .orders = { 1, 1, 1, 0 }, .orders_overdue = 1 };
	json_t *notices = json_pack("[{s:I, s:s, s:s, s:s, s:I, s:I, s:I}]",
	    "id", 3, "serial", "〔2026〕3号", "unit_name", "某某县教育局", "due_on",
	    "2026-11-20", "items", 2, "unsettled", 1, "days_over", 5);
	/* each list longer than it shows, so that "more" renders too */
	const unsigned long total[N_DIGEST_LISTS] = { DIGEST_ROWS + 1,
	    DIGEST_ROWS + 2, DIGEST_ROWS + 3 };

	set_date(v, "date", true, now, "");
	set_digest_counts(v, &ev, &c);
	digest_lists_init(v);
	digest_row(v, cfg, STATE_STALE, &f, now);
	digest_row(v, cfg, STATE_UNVERIFIED, &f, now);
	digest_row(v, cfg, STATE_FRESH, &f, now);
	digest_lists_finish(v, total);
	tmpl_set(v, "calendar_warning", "2027年的节假日安排尚未载入。");
	set_bounces(v, &(struct bounce){ .unit_code = "JYJ",
	    .unit_name = "某某县教育局", .address = "jyj@example.gov.cn",
	    .reply = "550 5.1.1 <jyj@example.gov.cn>: User unknown",
	    .at = now - 3600 }, 1);
	set_overdue_notices(v, notices, 2);   /* one listed, one more */
	json_decref(notices);
	return v;
}

struct tmpl_vars *
alerts_sample_vars(const struct config *cfg, const char *name, time_t now)
{
	if (strcmp(name, "unit-alert") == 0)
		return sample_unit_mail(cfg, now, false);
	if (strcmp(name, "unit-recovery") == 0)
		return sample_unit_mail(cfg, now, true);
	if (strcmp(name, "admin-gap") == 0)
		return sample_gap(cfg, now);
	if (strcmp(name, "admin-digest") == 0)
		return sample_digest(cfg, now);
	return NULL;
}
