/* evaluate.c — account states, state changes and automatic problems. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "monitor/evaluate.h"
#include "poll/poller.h"
#include "registry/problem.h"
#include "store/audit.h"
#include "store/db.h"

#define DAY 86400

static const char *const names[N_STATES] = {
	"fresh", "warning", "stale", "dormant", "unverified",
};
static const char *const labels[N_STATES] = {
	"正常", "预警", "超期未更新", "长期未更新", "未核实",
};

const char *
state_name(enum account_state s)
{
	return names[s];
}

const char *
state_label(enum account_state s)
{
	return labels[s];
}

int
state_parse(const char *name)
{
	int i;

	for (i = 0; i < N_STATES; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

enum account_state
state_by_age(const struct state_input *in)
{
	time_t base = in->has_last_update ? in->last_update : in->registered;
	long long age = (long long)(in->now - base);

	return age < in->warn_after ? STATE_FRESH :
	    age < in->stale_after ? STATE_WARNING :
	    age < in->dormant_after ? STATE_STALE : STATE_DORMANT;
}

enum account_state
state_compute(const struct state_input *in)
{
	enum account_state s = state_by_age(in);

	/* a unit is told only what we saw: an account never seen is not
	 * known to be fresh either, and a quiet one must have been seen
	 * quiet recently */
	if (!in->has_seen || (s != STATE_FRESH &&
	    in->now - in->last_seen > in->verify_window))
		return STATE_UNVERIFIED;
	return s;
}

time_t
account_grace_start(const char *opened_on, time_t created_at)
{
	time_t opened;

	if (str_empty(opened_on) || iso_date_to_time(opened_on, &opened) == -1)
		return created_at;
	return opened;
}

/* What one account looked like when the evaluation read it. */
struct subject {
	long long          id, unit_id;
	struct state_input in;
	int                old_state;      /* -1: never evaluated */
	time_t             since, notified_at;
	bool               failing, unreachable_open;
	char              *evidence;       /* feed URL or NULL */
	long long          quiet_id;       /* its open stale or dormant problem */
	bool               quiet_dormant;  /* … which is dormant */
	time_t             quiet_due;
};

/* One query reads all: the evaluation is set-based, not a query per
 * account. */
static const char subject_query[] =
	"SELECT a.id, a.unit_id, a.platform, a.platform_uid, a.feed_url,"
	" a.last_update_at, a.opened_on, a.created_at, a.warn_after,"
	" a.stale_after, a.dormant_after, nullif(max(coalesce("
	"  f.last_success_at, 0), coalesce((SELECT max(o.recorded_at) FROM"
	"  observation o WHERE o.account_id = a.id), 0)), 0),"
	" coalesce(f.failing, 0), s.state, s.since, s.notified_at,"
	" EXISTS (SELECT 1 FROM problem p WHERE p.account_id = a.id AND"
	"  p.kind = 'unreachable' AND p.closed_at IS NULL),"
	" q.id, q.kind = 'dormant', q.due_at"
	" FROM account a LEFT JOIN feed_state f ON f.account_id = a.id"
	" LEFT JOIN account_state s ON s.account_id = a.id"
	" LEFT JOIN problem q ON q.account_id = a.id AND q.closed_at IS NULL"
	"  AND q.kind IN ('stale', 'dormant')"
	" WHERE a.status = 'active' ORDER BY a.id";

static long long
threshold(sqlite3_stmt *st, int col, long long platform_value)
{
	return db_column_is_null(st, col) ? platform_value :
	    sqlite3_column_int64(st, col);
}

static void
read_subject(const struct config *cfg, sqlite3_stmt *st, time_t now,
    struct subject *s)
{
	const struct platform *p = config_platform(cfg, db_column_text(st, 2));
	static const struct platform fallback = { .warn_after = 7 * DAY,
	    .stale_after = 14 * DAY, .dormant_after = 90 * DAY };

	if (p == NULL)
		p = &fallback;   /* a platform removed from the configuration */
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	s->unit_id = sqlite3_column_int64(st, 1);
	s->evidence = poller_feed_url(cfg, db_column_text(st, 2),
	    (const char *)sqlite3_column_text(st, 3),
	    (const char *)sqlite3_column_text(st, 4));
	s->in.now = now;
	s->in.has_last_update = !db_column_is_null(st, 5);
	s->in.last_update = (time_t)sqlite3_column_int64(st, 5);
	s->in.registered = account_grace_start(db_column_text(st, 6),
	    (time_t)sqlite3_column_int64(st, 7));
	s->in.warn_after = threshold(st, 8, p->warn_after);
	s->in.stale_after = threshold(st, 9, p->stale_after);
	s->in.dormant_after = threshold(st, 10, p->dormant_after);
	s->in.has_seen = !db_column_is_null(st, 11);
	s->in.last_seen = (time_t)sqlite3_column_int64(st, 11);
	s->in.verify_window = cfg->monitor.verify_window;
	s->failing = sqlite3_column_int(st, 12) != 0;
	s->old_state = db_column_is_null(st, 13) ? -1 :
	    state_parse(db_column_text(st, 13));
	s->since = (time_t)sqlite3_column_int64(st, 14);
	s->notified_at = (time_t)sqlite3_column_int64(st, 15);
	s->unreachable_open = sqlite3_column_int(st, 16) != 0;
	s->quiet_id = sqlite3_column_int64(st, 17);
	s->quiet_dormant = sqlite3_column_int(st, 18) != 0;
	s->quiet_due = (time_t)sqlite3_column_int64(st, 19);
}

static struct eval_item *
add_item(struct evaluation *ev, const struct subject *s, enum account_state st,
    enum eval_event event)
{
	struct eval_item *it;
	time_t base;

	if (ev->n_items == ev->cap_items) {
		ev->cap_items = ev->cap_items ? ev->cap_items * 2 : 64;
		ev->items = xrealloc(ev->items, ev->cap_items * sizeof(*it));
	}
	it = &ev->items[ev->n_items++];
	memset(it, 0, sizeof(*it));
	it->account_id = s->id;
	it->unit_id = s->unit_id;
	it->state = st;
	it->previous = s->old_state < 0 ? STATE_FRESH : s->old_state;
	it->event = event;
	it->would_be = state_by_age(&s->in);
	it->has_last_update = s->in.has_last_update;
	it->last_update = s->in.last_update;
	base = s->in.has_last_update ? s->in.last_update : s->in.registered;
	it->days = days_between(base, ev->now);
	it->veto_at = base + (time_t)s->in.stale_after;
	it->days_left = ev->now < it->veto_at ?
	    (long)((it->veto_at - ev->now + DAY - 1) / DAY) : 0;
	return it;
}

static bool
unit_facing(int s)
{
	return s == STATE_WARNING || s == STATE_STALE || s == STATE_DORMANT;
}

static long long
repeat_interval(const struct config *cfg, enum account_state s)
{
	switch (s) {
	case STATE_WARNING: return cfg->mail.repeat_warning;
	case STATE_STALE: return cfg->mail.repeat_stale;
	case STATE_DORMANT: return cfg->mail.repeat_dormant;
	default: return 0;
	}
}

/* Opens an automatic problem unless one of that kind is open; *due gets
 * the deadline of the problem now open.  -1 on a database error. */
static int
open_problem(sqlite3 *db, const struct config *cfg, struct evaluation *ev,
    const struct subject *s, const char *kind, const char *detail, time_t *due)
{
	const struct problem_auto p = {
		.account_id = s->id, .unit_id = s->unit_id, .kind = kind,
		.detail = detail, .evidence = s->evidence ? s->evidence : "人工核查",
		.has_last_update = s->in.has_last_update,
		.last_update = s->in.last_update,
		.due = config_deadline(cfg, ev->now),
	};
	int rc = problem_auto_open(db, &p, ev->now, NULL, due);

	ev->problems_opened += rc == 1;
	return rc == -1 ? -1 : 0;
}

/* Closes the account's open problems of the kinds; *closed tells whether
 * any was open.  -1 on a database error. */
static int
close_problems(sqlite3 *db, struct evaluation *ev, long long account_id,
    const char *const *kinds, const char *reason, const char *note,
    bool *closed)
{
	int n = problem_auto_close(db, account_id, kinds, reason, note, ev->now);

	if (n == -1)
		return -1;
	ev->problems_closed += (unsigned long)n;
	if (closed)
		*closed = n > 0;
	return 0;
}

static const char *const quiet_kinds[] = { "stale", "dormant", NULL };
static const char *const unreachable_kind[] = { "unreachable", NULL };

static char *
quiet_detail(const struct subject *s, enum account_state st)
{
	if (st == STATE_DORMANT)
		return xasprintf("长期未更新：超过%lld天无更新",
		    s->in.dormant_after / DAY);
	return xstrdup("超期未更新：监测时间点前2周内无更新");
}

/* Stale and dormant are one condition: one open problem, opened stale
 * (or dormant when first seen so) and escalated in place. */
static int
open_quiet(sqlite3 *db, const struct config *cfg, struct evaluation *ev,
    const struct subject *s, enum account_state st, struct eval_item *it)
{
	char *detail = quiet_detail(s, st);
	time_t due = s->quiet_due;
	int rc = 0;

	if (s->quiet_id == 0)
		rc = open_problem(db, cfg, ev, s, st == STATE_DORMANT ? "dormant" :
		    "stale", detail, &due);
	else if (st == STATE_DORMANT && !s->quiet_dormant) {
		rc = problem_auto_escalate(db, s->quiet_id, "dormant", detail,
		    ev->now);
		ev->problems_escalated += rc == 1;
	}
	if (it)
		it->problem_due = due;
	free(detail);
	return rc == -1 ? -1 : 0;
}

/* Problems follow the state: stale and dormant hold one open (the
 * escalation included), a recovery closes it (销号), and an account we
 * can no longer see is not held to it (监测缺口). */
static int
update_problems(sqlite3 *db, const struct config *cfg, struct evaluation *ev,
    const struct subject *s, enum account_state st, struct eval_item *it)
{
	if (st == STATE_STALE || st == STATE_DORMANT)
		return open_quiet(db, cfg, ev, s, st, it);
	if (s->quiet_id == 0)
		return 0;
	if (st == STATE_UNVERIFIED)
		return close_problems(db, ev, s->id, quiet_kinds, "waived",
		    "监测缺口：无法核实账号更新情况，不予认定", NULL);
	return close_problems(db, ev, s->id, quiet_kinds, "recovered",
	    "账号恢复更新", it ? &it->problem_closed : NULL);
}

static int
record_change(sqlite3 *db, const struct subject *s, enum account_state st,
    time_t now, bool notified)
{
	if (db_run(db, "INSERT INTO state_change (account_id, from_state,"
	    " to_state, at, last_update_at) VALUES (?, ?, ?, ?, nullif(?, 0))",
	    "IssII", s->id, s->old_state < 0 ? NULL : names[s->old_state],
	    names[st], (long long)now, s->in.has_last_update ?
	    (long long)s->in.last_update : 0LL) == -1 ||
	    db_run(db, "INSERT INTO account_state (account_id, state, since,"
	    " notified_at, notices_sent, evaluated_at) VALUES (?1, ?2, ?3,"
	    " nullif(?4, 0), ?5, ?3) ON CONFLICT (account_id) DO UPDATE SET"
	    " state = excluded.state, since = excluded.since, notified_at ="
	    " excluded.notified_at, notices_sent = excluded.notices_sent,"
	    " evaluated_at = excluded.evaluated_at", "IsIII", s->id, names[st],
	    (long long)now, notified ? (long long)now : 0LL,
	    notified ? 1LL : 0LL) == -1)
		return -1;
	return 0;
}

static void
add_move(struct evaluation *ev, const struct subject *s, enum account_state st)
{
	if (ev->n_moves == ev->cap_moves) {
		ev->cap_moves = ev->cap_moves ? ev->cap_moves * 2 : 64;
		ev->moves = xrealloc(ev->moves, ev->cap_moves * sizeof(*ev->moves));
	}
	ev->moves[ev->n_moves++] = (struct state_move){ s->id, s->old_state, st };
}

void
evaluation_log_moves(const struct evaluation *ev)
{
	size_t i;

	for (i = 0; i < ev->n_moves; i++)
		log_event(LOG_NOTICE, "2f1d7a6c3b8e4f5aa1c09e7d5b4c3a21",
		    ev->moves[i].account_id, NULL, "account %lld: %s -> %s",
		    ev->moves[i].account_id, ev->moves[i].from < 0 ? "new" :
		    names[ev->moves[i].from], names[ev->moves[i].to]);
}

/* For a recovery: how long the account had been without update, from its
 * last update as recorded when it entered its previous state to the new
 * one. */
static long
quiet_days(sqlite3 *db, const struct subject *s)
{
	long long before = 0;

	if (db_query_int(db, &before, "SELECT coalesce(last_update_at, 0) FROM"
	    " state_change WHERE account_id = ? ORDER BY id DESC LIMIT 1", "I",
	    s->id) != 0 || before == 0)
		before = (long long)s->in.registered;
	return days_between((time_t)before, s->in.last_update);
}

static int
handle_change(sqlite3 *db, const struct config *cfg, struct evaluation *ev,
    const struct subject *s, enum account_state st)
{
	struct eval_item *it = NULL;

	if (unit_facing(st))
		it = add_item(ev, s, st, EVENT_ENTER);
	else if (st == STATE_FRESH && unit_facing(s->old_state)) {
		it = add_item(ev, s, st, EVENT_RECOVER);
		it->days = quiet_days(db, s);
	}
	else if (st == STATE_UNVERIFIED)
		add_item(ev, s, st, EVENT_GAP);
	if (record_change(db, s, st, ev->now, unit_facing(st)) == -1)
		return -1;
	add_move(ev, s, st);
	return update_problems(db, cfg, ev, s, st, it);
}

static int
handle_same(sqlite3 *db, const struct config *cfg, struct evaluation *ev,
    const struct subject *s, enum account_state st)
{
	long long repeat = repeat_interval(cfg, st);
	struct eval_item *it = NULL;
	bool remind = unit_facing(st) && repeat > 0 &&
	    ev->now - s->notified_at >= repeat;

	if (remind)
		it = add_item(ev, s, st, EVENT_REMIND);
	if (db_run(db, "UPDATE account_state SET evaluated_at = ?1,"
	    " notified_at = CASE WHEN ?2 THEN ?1 ELSE notified_at END,"
	    " notices_sent = notices_sent + ?2 WHERE account_id = ?3", "III",
	    (long long)ev->now, remind ? 1LL : 0LL, s->id) == -1)
		return -1;
	return update_problems(db, cfg, ev, s, st, it);
}

static void
add_new_failing(struct evaluation *ev, long long id)
{
	if (ev->n_new_failing == ev->cap_new_failing) {
		ev->cap_new_failing = ev->cap_new_failing ? ev->cap_new_failing * 2 : 16;
		ev->new_failing = xrealloc(ev->new_failing,
		    ev->cap_new_failing * sizeof(long long));
	}
	ev->new_failing[ev->n_new_failing++] = id;
}

/* A failing feed is a problem for the admins (unreachable), not the unit. */
static int
update_unreachable(sqlite3 *db, const struct config *cfg, struct evaluation *ev,
    const struct subject *s)
{
	if (s->failing && !s->unreachable_open) {
		if (open_problem(db, cfg, ev, s, "unreachable", "订阅地址无法访问",
		    NULL) == -1)
			return -1;
		add_new_failing(ev, s->id);
	} else if (!s->failing && s->unreachable_open)
		return close_problems(db, ev, s->id, unreachable_kind,
		    "recovered", "订阅地址恢复访问", NULL);
	return 0;
}

/* Accounts that stopped being active keep no automatic problem open. */
static int
close_inactive(sqlite3 *db, struct evaluation *ev)
{
	int n = problem_auto_close_inactive(db, ev->now);

	if (n == -1)
		return -1;
	ev->problems_closed += (unsigned long)n;
	return 0;
}

static int
load_subjects(sqlite3 *db, const struct config *cfg, time_t now,
    struct subject **out, size_t *n)
{
	sqlite3_stmt *st = db_prepare(db, subject_query, "");
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*out = xrealloc(*out, cap * sizeof(struct subject));
		}
		read_subject(cfg, st, now, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
evaluate(sqlite3 *db, const struct config *cfg, time_t now,
    struct evaluation *ev)
{
	struct subject *subjects;
	enum account_state st;
	size_t i, n;
	int rc = 0;

	memset(ev, 0, sizeof(*ev));
	ev->now = now;
	/* read first: the loop writes to tables the query reads */
	if (load_subjects(db, cfg, now, &subjects, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		const struct subject *s = &subjects[i];

		st = state_compute(&s->in);
		ev->counts[st]++;
		ev->evaluated++;
		if (rc == 0)
			rc = (int)st != s->old_state ?
			    handle_change(db, cfg, ev, s, st) :
			    handle_same(db, cfg, ev, s, st);
		if (rc == 0)
			rc = update_unreachable(db, cfg, ev, s);
		free(s->evidence);
	}
	free(subjects);
	if (rc == 0)
		rc = close_inactive(db, ev);
	return rc;
}

void
evaluation_free(struct evaluation *ev)
{
	free(ev->items);
	free(ev->new_failing);
	free(ev->moves);
	memset(ev, 0, sizeof(*ev));
}
