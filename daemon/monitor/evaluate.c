/* evaluate.c — account states, state changes and automatic problems, in
 * one pass over the active accounts. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "monitor/evaluate.h"
#include "poll/poller.h"
#include "registry/problem.h"
#include "store/db.h"
#include "store/side.h"

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

/* ---- reading: one pass over the active accounts ---- */

/* The columns of an account's facts (struct account_facts), shared by the
 * pass and the digest's lists. */
#define FACTS_SELECT \
	"SELECT a.id, a.unit_id, a.platform, a.platform_uid, a.feed_url," \
	" a.name, a.last_update_at, f.last_error, f.last_fetch_at," \
	" coalesce(f.last_status, 0), f.last_success_at, (SELECT" \
	" max(o.recorded_at) FROM observation o WHERE o.account_id = a.id)," \
	" coalesce(f.consecutive_failures, 0), coalesce(f.failing, 0)"
enum { F_ID, F_UNIT, F_PLATFORM, F_UID, F_FEED, F_NAME, F_LAST_UPDATE,
    F_ERROR, F_FETCHED, F_STATUS, F_SUCCESS, F_OBSERVED, F_FAILURES,
    F_FAILING, F_END };

/* Every active account with its fetch state and its state, in the order
 * of the table ("+a.status": a scan of the table reads the accounts in id
 * order, where the status index would read them out of order and sort). */
static const char pass_query[] = FACTS_SELECT ", a.opened_on, a.created_at,"
	" a.warn_after, a.stale_after, a.dormant_after, s.state, s.notified_at,"
	" s.last_update_at FROM account a"
	" LEFT JOIN feed_state f ON f.account_id = a.id"
	" LEFT JOIN account_state s ON s.account_id = a.id"
	" WHERE +a.status = 'active' ORDER BY a.id";
enum { S_OPENED = F_END, S_CREATED, S_WARN, S_STALE, S_DORMANT, S_STATE,
    S_NOTIFIED, S_ENTERED };

/* The open automatic problems, by account, read beside the accounts and
 * merged with them (problem_open_auto holds them in this order). */
static const char open_problems_query[] =
	"SELECT account_id, id, kind, coalesce(due_at, 0) FROM problem WHERE"
	" closed_at IS NULL"
	" AND (kind = 'stale' OR kind = 'dormant' OR kind = 'unreachable')"
	" ORDER BY account_id";

/* What one account looked like when the evaluation read it. */
struct subject {
	long long          id, unit_id;
	struct state_input in;
	int                old_state;      /* -1: never evaluated */
	time_t             notified_at;
	bool               has_entered;    /* its last update when it entered */
	time_t             entered;        /* … its state */
	bool               failing;
	long long          unreachable_id; /* its open unreachable problem */
	long long          quiet_id;       /* its open stale or dormant problem */
	bool               quiet_dormant;  /* … which is dormant */
	time_t             quiet_due;
};

static long long
threshold(sqlite3_stmt *st, int col, long long platform_value)
{
	return db_column_is_null(st, col) ? platform_value :
	    sqlite3_column_int64(st, col);
}

static void
read_subject(const struct config *cfg, sqlite3_stmt *st, time_t now,
    struct day_times *days, struct subject *s)
{
	const struct platform *p = config_platform(cfg,
	    db_column_text(st, F_PLATFORM));
	static const struct platform fallback = { .warn_after = 7 * DAY,
	    .stale_after = 14 * DAY, .dormant_after = 90 * DAY };
	long long success = sqlite3_column_int64(st, F_SUCCESS);
	long long observed = sqlite3_column_int64(st, F_OBSERVED);

	if (p == NULL)
		p = &fallback;   /* a platform removed from the configuration */
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, F_ID);
	s->unit_id = sqlite3_column_int64(st, F_UNIT);
	s->in.now = now;
	s->in.has_last_update = !db_column_is_null(st, F_LAST_UPDATE);
	s->in.last_update = (time_t)sqlite3_column_int64(st, F_LAST_UPDATE);
	s->in.registered = day_times_get(days, db_column_text(st, S_OPENED),
	    (time_t)sqlite3_column_int64(st, S_CREATED));
	s->in.warn_after = threshold(st, S_WARN, p->warn_after);
	s->in.stale_after = threshold(st, S_STALE, p->stale_after);
	s->in.dormant_after = threshold(st, S_DORMANT, p->dormant_after);
	/* seen: the later of the last successful fetch and observation */
	s->in.has_seen = success > 0 || observed > 0;
	s->in.last_seen = (time_t)(success > observed ? success : observed);
	s->in.verify_window = cfg->monitor.verify_window;
	s->failing = sqlite3_column_int(st, F_FAILING) != 0;
	s->old_state = db_column_is_null(st, S_STATE) ? -1 :
	    state_parse(db_column_text(st, S_STATE));
	s->notified_at = (time_t)sqlite3_column_int64(st, S_NOTIFIED);
	s->has_entered = !db_column_is_null(st, S_ENTERED) &&
	    sqlite3_column_int64(st, S_ENTERED) != 0;
	s->entered = (time_t)sqlite3_column_int64(st, S_ENTERED);
}

/* The row's platform as the messages name it: the configuration's label,
 * else (a platform removed from it) its key. */
static const char *
platform_label(const struct config *cfg, struct strpool *pool,
    sqlite3_stmt *st)
{
	const char *platform = db_column_text(st, F_PLATFORM);
	const struct platform *p = config_platform(cfg, platform);

	return p ? p->label : strpool_add(pool, platform);
}

/* The URL the row's account is polled at, NULL when none. */
static const char *
feed_url(const struct config *cfg, struct strpool *pool, sqlite3_stmt *st)
{
	char *url = poller_feed_url(cfg, db_column_text(st, F_PLATFORM),
	    (const char *)sqlite3_column_text(st, F_UID),
	    (const char *)sqlite3_column_text(st, F_FEED));
	const char *copy = strpool_add(pool, url);

	free(url);
	return copy;
}

/* The account's facts from a row of FACTS_SELECT. */
static void
read_facts(const struct config *cfg, struct evaluation *ev,
    sqlite3_stmt *st, struct account_facts *f)
{
	const struct unit_info *u = evaluation_unit(ev,
	    sqlite3_column_int64(st, F_UNIT));

	f->unit_name = u ? u->name : "";
	f->platform_label = platform_label(cfg, &ev->strings, st);
	f->name = strpool_add(&ev->strings,
	    (const char *)sqlite3_column_text(st, F_NAME));
	f->uid = strpool_add(&ev->strings, db_column_text(st, F_UID));
	f->feed_url = feed_url(cfg, &ev->strings, st);
	f->last_error = strpool_add(&ev->strings,
	    (const char *)sqlite3_column_text(st, F_ERROR));
	f->sight = (struct sight){
		.polled = f->feed_url != NULL,
		.fetched = !db_column_is_null(st, F_FETCHED),
		.last_status = sqlite3_column_int(st, F_STATUS),
		.last_error = f->last_error,
		.has_success = !db_column_is_null(st, F_SUCCESS),
		.last_success = (time_t)sqlite3_column_int64(st, F_SUCCESS),
		.has_observation = !db_column_is_null(st, F_OBSERVED),
		.last_observation = (time_t)sqlite3_column_int64(st, F_OBSERVED),
	};
	f->has_last_update = !db_column_is_null(st, F_LAST_UPDATE);
	f->last_update = (time_t)sqlite3_column_int64(st, F_LAST_UPDATE);
	f->failures = sqlite3_column_int(st, F_FAILURES);
	f->failing = sqlite3_column_int(st, F_FAILING) != 0;
}

/* The names of an item's row in its unit's message. */
static void
read_names(const struct config *cfg, struct evaluation *ev, sqlite3_stmt *st,
    struct eval_item *it)
{
	it->platform_label = platform_label(cfg, &ev->strings, st);
	it->name = strpool_add(&ev->strings,
	    (const char *)sqlite3_column_text(st, F_NAME));
	it->uid = strpool_add(&ev->strings, db_column_text(st, F_UID));
}

/* The open problems of s from the cursor over them, which is moved past
 * s's.  Accounts are read in id order and so are the problems. */
struct open_cursor {
	sqlite3_stmt *st;
	int           rc;             /* of the last step */
};

static void
read_open_problems(struct open_cursor *c, struct subject *s)
{
	const char *kind;

	while (c->rc == SQLITE_ROW && sqlite3_column_int64(c->st, 0) < s->id)
		c->rc = sqlite3_step(c->st);
	for (; c->rc == SQLITE_ROW && sqlite3_column_int64(c->st, 0) == s->id;
	    c->rc = sqlite3_step(c->st)) {
		kind = db_column_text(c->st, 2);
		if (strcmp(kind, "unreachable") == 0) {
			s->unreachable_id = sqlite3_column_int64(c->st, 1);
			continue;
		}
		s->quiet_id = sqlite3_column_int64(c->st, 1);
		s->quiet_dormant = strcmp(kind, "dormant") == 0;
		s->quiet_due = (time_t)sqlite3_column_int64(c->st, 3);
	}
}

/* ---- what the pass decides ---- */

enum problem_action { ESCALATE_PROBLEM, CLOSE_PROBLEM };

/* A change of an open automatic problem. */
struct problem_change {
	enum problem_action action;
	long long           id;            /* the problem */
	const char         *kind, *detail; /* escalate: its new kind and detail */
	const char         *reason, *note; /* close */
};

/* An account that may be in the digest's lists. */
struct candidate {
	long long           unit_id, id;
	enum digest_list    list;
	enum account_state  state;
};

/* What one evaluation writes about a run of accounts, decided before it
 * is written (the state changes are the evaluation's moves).  The
 * problems opened are kept as they are written, their strings in the
 * plan's pool: the first evaluation opens one for each quiet account. */
struct plan {
	time_t                 due;        /* of a problem opened now */
	struct state_move     *moves;
	size_t                 n_moves, cap_moves;
	long long             *reminded;   /* accounts reminded */
	size_t                 n_reminded, cap_reminded;
	struct problem_auto   *opened;
	size_t                 n_opened, cap_opened;
	struct problem_change *problems;   /* escalations and closes */
	size_t                 n_problems, cap_problems;
	struct candidate      *candidates;
	size_t                 n_candidates, cap_candidates;
	struct strpool         strings;    /* the opened problems' */
};

/* Room for one more element in a growing array. */
#define GROW(arr, n, cap) do {                                          \
	if ((n) == (cap)) {                                             \
		(cap) = (cap) ? (cap) * 2 : 64;                         \
		(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));        \
	}                                                               \
} while (0)

static void
plan_free(struct plan *pl)
{
	free(pl->moves);
	free(pl->reminded);
	free(pl->opened);
	free(pl->problems);
	free(pl->candidates);
	strpool_free(&pl->strings);
}

static struct problem_change *
add_problem_change(struct plan *pl, enum problem_action action, long long id)
{
	struct problem_change *c;

	GROW(pl->problems, pl->n_problems, pl->cap_problems);
	c = &pl->problems[pl->n_problems++];
	*c = (struct problem_change){ .action = action, .id = id };
	return c;
}

static struct eval_item *
add_item(struct evaluation *ev, const struct subject *s, enum account_state st,
    enum eval_event event)
{
	struct eval_item *it;
	time_t base;

	GROW(ev->items, ev->n_items, ev->cap_items);
	it = &ev->items[ev->n_items++];
	memset(it, 0, sizeof(*it));
	it->account_id = s->id;
	it->unit_id = s->unit_id;
	it->state = st;
	it->event = event;
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

static const char *
quiet_detail(struct plan *pl, const struct subject *s, enum account_state st)
{
	char buf[128];

	if (st != STATE_DORMANT)
		return "超期未更新：监测时间点前2周内无更新";
	snprintf(buf, sizeof(buf), "长期未更新：超过%lld天无更新",
	    s->in.dormant_after / DAY);
	return strpool_add(&pl->strings, buf);
}

/* Opens an automatic problem of the account: its evidence is the feed
 * of the row being read (人工核查 when it has none). */
static void
plan_open(const struct config *cfg, struct plan *pl, const struct subject *s,
    const char *kind, const char *detail, sqlite3_stmt *row)
{
	const char *evidence = feed_url(cfg, &pl->strings, row);

	GROW(pl->opened, pl->n_opened, pl->cap_opened);
	pl->opened[pl->n_opened++] = (struct problem_auto){
		.account_id = s->id, .unit_id = s->unit_id,
		.kind = kind, .detail = detail,
		.evidence = evidence ? evidence : "人工核查",
		.has_last_update = s->in.has_last_update,
		.last_update = s->in.last_update, .due = pl->due,
	};
}

static void
plan_close(struct plan *pl, long long id, const char *reason,
    const char *note)
{
	struct problem_change *c = add_problem_change(pl, CLOSE_PROBLEM, id);

	c->reason = reason;
	c->note = note;
}

/* Stale and dormant are one condition: one open problem, opened stale
 * (or dormant when first seen so) and escalated in place. */
static void
plan_quiet(const struct config *cfg, struct plan *pl, const struct subject *s,
    enum account_state st, struct eval_item *it, sqlite3_stmt *row)
{
	struct problem_change *c;
	time_t due = s->quiet_due;

	if (s->quiet_id == 0) {
		plan_open(cfg, pl, s, st == STATE_DORMANT ? "dormant" :
		    "stale", quiet_detail(pl, s, st), row);
		due = pl->due;
	} else if (st == STATE_DORMANT && !s->quiet_dormant) {
		c = add_problem_change(pl, ESCALATE_PROBLEM, s->quiet_id);
		c->kind = "dormant";
		c->detail = quiet_detail(pl, s, st);
	}
	if (it)
		it->problem_due = due;
}

/* Problems follow the state: stale and dormant hold one open (the
 * escalation included), a recovery closes it (销号), and an account we
 * can no longer see is not held to it (监测缺口). */
static void
plan_problems(const struct config *cfg, struct plan *pl,
    const struct subject *s, enum account_state st, struct eval_item *it,
    sqlite3_stmt *row)
{
	if (st == STATE_STALE || st == STATE_DORMANT)
		plan_quiet(cfg, pl, s, st, it, row);
	else if (s->quiet_id == 0)
		return;
	else if (st == STATE_UNVERIFIED)
		plan_close(pl, s->quiet_id, "waived",
		    "监测缺口：无法核实账号更新情况，不予认定");
	else {
		plan_close(pl, s->quiet_id, "recovered", "账号恢复更新");
		if (it)
			it->problem_closed = true;
	}
}

static void
add_move(struct plan *pl, const struct subject *s, enum account_state st)
{
	GROW(pl->moves, pl->n_moves, pl->cap_moves);
	pl->moves[pl->n_moves++] = (struct state_move){ .account_id = s->id,
	    .last_update = s->in.has_last_update ? s->in.last_update : 0,
	    .from = (signed char)s->old_state, .to = (unsigned char)st };
}

/* An account the admins hear of, with its facts from the row. */
static void
add_account(const struct config *cfg, struct evaluation *ev,
    struct eval_account *a, const struct subject *s, enum account_state st,
    sqlite3_stmt *row)
{
	*a = (struct eval_account){ .account_id = s->id,
	    .unit_id = s->unit_id, .state = st };
	read_facts(cfg, ev, row, &a->facts);
}

/* Moves logged one by one, each with its account's journal field; beyond
 * them an evaluation logs how many accounts went from which state to
 * which.  The first evaluation of a large registry moves every account:
 * a message each would be hundreds of thousands, which journald's rate
 * limit (10,000 a service in 30 s by default) would mostly drop unsaid.
 * Every move is recorded in state_change either way. */
#define MOVES_LOGGED_EACH 1000

void
evaluation_log_moves(const struct evaluation *ev)
{
	size_t i;
	int from, to;

	if (ev->n_moved > MOVES_LOGGED_EACH) {
		log_notice("evaluation: %lu accounts changed state, counted by"
		    " change below; each change is recorded (state_change)",
		    ev->n_moved);
		for (from = 0; from <= N_STATES; from++)
			for (to = 0; to < N_STATES; to++)
				if (ev->moved[from][to] > 0)
					log_notice("evaluation: %lu accounts %s -> %s",
					    ev->moved[from][to], from == 0 ? "new" :
					    names[from - 1], names[to]);
		return;
	}
	log_hold();
	for (i = 0; i < ev->n_moves; i++)
		log_event(LOG_NOTICE, "2f1d7a6c3b8e4f5aa1c09e7d5b4c3a21",
		    ev->moves[i].account_id, NULL, "account %lld: %s -> %s",
		    ev->moves[i].account_id, ev->moves[i].from < 0 ? "new" :
		    names[ev->moves[i].from], names[ev->moves[i].to]);
	log_release();
}

/* For a recovery: how long the account had been without update, from its
 * last update as recorded when it entered its previous state to the new
 * one. */
static long
quiet_days(const struct subject *s)
{
	return days_between(s->has_entered ? s->entered : s->in.registered,
	    s->in.last_update);
}

static void
plan_change(const struct config *cfg, struct evaluation *ev, struct plan *pl,
    const struct subject *s, enum account_state st, sqlite3_stmt *row)
{
	struct eval_item *it = NULL;

	if (unit_facing(st))
		it = add_item(ev, s, st, EVENT_ENTER);
	else if (st == STATE_FRESH && unit_facing(s->old_state)) {
		it = add_item(ev, s, st, EVENT_RECOVER);
		it->days = quiet_days(s);
	} else if (st == STATE_UNVERIFIED) {
		GROW(ev->gaps, ev->n_gaps, ev->cap_gaps);
		add_account(cfg, ev, &ev->gaps[ev->n_gaps++], s, st, row);
	}
	if (it)
		read_names(cfg, ev, row, it);
	add_move(pl, s, st);
	plan_problems(cfg, pl, s, st, it, row);
}

static void
plan_same(const struct config *cfg, struct evaluation *ev, struct plan *pl,
    const struct subject *s, enum account_state st, sqlite3_stmt *row)
{
	long long repeat = repeat_interval(cfg, st);
	struct eval_item *it = NULL;

	if (unit_facing(st) && repeat > 0 && ev->now - s->notified_at >= repeat) {
		it = add_item(ev, s, st, EVENT_REMIND);
		read_names(cfg, ev, row, it);
		GROW(pl->reminded, pl->n_reminded, pl->cap_reminded);
		pl->reminded[pl->n_reminded++] = s->id;
	}
	plan_problems(cfg, pl, s, st, it, row);
}

/* A failing feed is a problem for the admins (unreachable), not the unit. */
static void
plan_unreachable(const struct config *cfg, struct evaluation *ev,
    struct plan *pl, const struct subject *s, enum account_state st,
    sqlite3_stmt *row)
{
	if (s->failing && s->unreachable_id == 0) {
		plan_open(cfg, pl, s, "unreachable", "订阅地址无法访问", row);
		GROW(ev->new_failing, ev->n_new_failing, ev->cap_new_failing);
		add_account(cfg, ev, &ev->new_failing[ev->n_new_failing++], s,
		    st, row);
	} else if (!s->failing && s->unreachable_id != 0)
		plan_close(pl, s->unreachable_id, "recovered",
		    "订阅地址恢复访问");
}

/* Unverified accounts are gaps (whatever their feed does), stale and
 * dormant ones one list, and the failing feeds of the others another. */
static void
plan_digest(struct plan *pl, const struct subject *s, enum account_state st)
{
	enum digest_list list;

	if (st == STATE_UNVERIFIED)
		list = DIGEST_GAPS;
	else if (st == STATE_STALE || st == STATE_DORMANT)
		list = DIGEST_STALE;
	else if (s->failing)
		list = DIGEST_FAILING;
	else
		return;
	GROW(pl->candidates, pl->n_candidates, pl->cap_candidates);
	pl->candidates[pl->n_candidates++] = (struct candidate){ s->unit_id,
	    s->id, list, st };
}

static void
plan_account(const struct config *cfg, struct evaluation *ev,
    struct plan *pl, const struct subject *s, sqlite3_stmt *row)
{
	enum account_state st = state_compute(&s->in);

	ev->counts[st]++;
	ev->evaluated++;
	if ((int)st != s->old_state)
		plan_change(cfg, ev, pl, s, st, row);
	else
		plan_same(cfg, ev, pl, s, st, row);
	plan_unreachable(cfg, ev, pl, s, st, row);
	if (ev->digest)
		plan_digest(pl, s, st);
}

/* ---- the pass: read on a thread of its own, written as it goes ---- */

/* Accounts a part of the pass holds.  The reader decides part after part
 * on a second connection while the caller writes the parts decided: on
 * two cores the pass then takes about as long as its writes, where
 * reading first and writing after took both, one after the other.  The
 * reader, the faster, stays at most PARTS_AHEAD parts ahead (about half
 * a megabyte each on a first evaluation): what is decided and not yet
 * written is bounded, whatever the number of accounts. */
#define PART_ACCOUNTS 4096
#define PARTS_AHEAD   16
/* The reader's page cache: it reads the accounts once, in order. */
#define READER_CACHE "PRAGMA cache_size = -2048"

static void group_items(struct evaluation *ev);

/* A part decided and not yet written. */
struct part {
	struct plan  plan;
	struct part *next;
};

/* The pass between its reader and its writer.  Until the reader ends, ev's
 * items, gaps, failing feeds, counts and strings are the reader's; the
 * writer has the parts it takes off the queue. */
struct pass {
	sqlite3             *db;         /* the caller's, which writes */
	const struct config *cfg;
	struct evaluation   *ev;
	time_t               due;        /* of a problem opened now */
	evaluate_read_fn    *read_done;
	void                *read_done_arg;
	pthread_mutex_t      lock;
	pthread_cond_t       handed;     /* a part was queued, or the reader ended */
	pthread_cond_t       taken;      /* a part was taken, or the writer failed */
	struct part         *head, **tail;
	size_t               queued;     /* parts in the queue */
	bool                 read_all;   /* the reader ended */
	bool                 stop;       /* the writer failed: read no further */
	char                *error;      /* why the reader failed, NULL if it did not */
};

static struct part *
part_new(const struct pass *p)
{
	struct part *part = xcalloc(1, sizeof(*part));

	part->plan.due = p->due;
	return part;
}

static void
part_free(struct part *part)
{
	plan_free(&part->plan);
	free(part);
}

/* Queues a decided part for the writer, once fewer than PARTS_AHEAD are
 * waiting (unless in_line: the writer starts when the reader ends);
 * false when the writer has failed and wants no more. */
static bool
hand_over(struct pass *p, struct part *part, bool in_line)
{
	bool go_on;

	pthread_mutex_lock(&p->lock);
	while (!in_line && p->queued >= PARTS_AHEAD && !p->stop)
		pthread_cond_wait(&p->taken, &p->lock);
	*p->tail = part;
	p->tail = &part->next;
	p->queued++;
	go_on = !p->stop;
	pthread_cond_signal(&p->handed);
	pthread_mutex_unlock(&p->lock);
	return go_on;
}

static void
reader_ends(struct pass *p, sqlite3 *db, int rc)
{
	pthread_mutex_lock(&p->lock);
	/* the writer logs it: the log's last problem is the caller's */
	if (rc == -1)
		p->error = xstrdup(sqlite3_errmsg(db));
	p->read_all = true;
	pthread_cond_signal(&p->handed);
	pthread_mutex_unlock(&p->lock);
}

/* Every active account read once, beside its open problems, and decided
 * part by part. */
static void
read_pass(sqlite3 *db, void *arg)
{
	struct pass *p = arg;
	struct open_cursor oc = { db_prepare(db, open_problems_query, ""), 0 };
	sqlite3_stmt *st = db_prepare(db, pass_query, "");
	struct day_times *days = day_times_new();
	struct part *part = part_new(p);
	bool in_line = db == p->db;     /* the caller's (side.h) */
	struct subject s;
	size_t n = 0;
	int rc = -1;

	if (!in_line)
		db_exec(db, READER_CACHE);
	if (st && oc.st) {
		oc.rc = sqlite3_step(oc.st);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			read_subject(p->cfg, st, p->ev->now, days, &s);
			read_open_problems(&oc, &s);
			plan_account(p->cfg, p->ev, &part->plan, &s, st);
			if (++n % PART_ACCOUNTS != 0)
				continue;
			if (!hand_over(p, part, in_line)) {
				part = NULL;
				break;
			}
			part = part_new(p);
		}
		rc = part == NULL || (rc == SQLITE_DONE &&
		    (oc.rc == SQLITE_ROW || oc.rc == SQLITE_DONE)) ? 0 : -1;
	}
	if (part && hand_over(p, part, in_line) && rc == 0) {
		group_items(p->ev);
		if (p->read_done)
			p->read_done(p->ev, p->read_done_arg);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(oc.st);
	day_times_free(days);
	reader_ends(p, db, rc);
}

/* The next part to write, NULL when the reader has ended and all are
 * taken. */
static struct part *
take_part(struct pass *p)
{
	struct part *part;

	pthread_mutex_lock(&p->lock);
	while (p->head == NULL && !p->read_all)
		pthread_cond_wait(&p->handed, &p->lock);
	if ((part = p->head) != NULL) {
		if ((p->head = part->next) == NULL)
			p->tail = &p->head;
		p->queued--;
		pthread_cond_signal(&p->taken);
	}
	pthread_mutex_unlock(&p->lock);
	return part;
}

static void
stop_reader(struct pass *p)
{
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->taken);
	pthread_mutex_unlock(&p->lock);
}

/* ---- units ---- */

static int
load_units(sqlite3 *db, struct evaluation *ev)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, code, name,"
	    " coalesce(contact, ''), emails FROM unit ORDER BY id", "");
	size_t cap = 0;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		GROW(ev->units, ev->n_units, cap);
		ev->units[ev->n_units++] = (struct unit_info){
			.id = sqlite3_column_int64(st, 0),
			.code = db_column_strdup(st, 1),
			.name = db_column_strdup(st, 2),
			.contact = db_column_strdup(st, 3),
			.emails = db_column_strdup(st, 4),
		};
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
unit_cmp(const void *key, const void *elem)
{
	long long id = *(const long long *)key;
	const struct unit_info *u = elem;

	return id < u->id ? -1 : id > u->id;
}

const struct unit_info *
evaluation_unit(const struct evaluation *ev, long long id)
{
	return ev->n_units ? bsearch(&id, ev->units, ev->n_units,
	    sizeof(*ev->units), unit_cmp) : NULL;
}

/* Items by unit, the units in the order they first appear (by account
 * id), so that each unit's mail is made from one run of items.  The pass
 * adds at most one item an account, in account order, so a stable
 * counting sort by unit keeps each unit's items in account order; its
 * permutation is applied in place, by cycles: a copy of the items would
 * double the evaluation's largest array. */
static void
group_items(struct evaluation *ev)
{
	size_t n_u = ev->n_units + 1;       /* the last: an unknown unit */
	size_t *unit_of = xcalloc(ev->n_items + 1, sizeof(size_t));
	size_t *count = xcalloc(n_u, sizeof(size_t));
	size_t *first = xcalloc(n_u, sizeof(size_t));
	size_t *next = xcalloc(n_u, sizeof(size_t));
	size_t i, u, at = 0, d;
	const struct unit_info *ui;
	struct eval_item tmp;

	for (i = 0; i < ev->n_items; i++) {
		ui = evaluation_unit(ev, ev->items[i].unit_id);
		u = ui ? (size_t)(ui - ev->units) : ev->n_units;
		if (count[u]++ == 0)
			first[u] = i;
		unit_of[i] = u;
	}
	/* each unit's run starts where the runs of the units seen before it
	 * end; unit_of[i] becomes item i's place */
	for (i = 0; i < ev->n_items; i++)
		if (first[u = unit_of[i]] == i) {
			next[u] = at;
			at += count[u];
		}
	for (i = 0; i < ev->n_items; i++)
		unit_of[i] = next[unit_of[i]]++;
	for (i = 0; i < ev->n_items; i++)
		while ((d = unit_of[i]) != i) {
			tmp = ev->items[d];
			ev->items[d] = ev->items[i];
			ev->items[i] = tmp;
			unit_of[i] = unit_of[d];
			unit_of[d] = d;
		}
	free(unit_of);
	free(count);
	free(first);
	free(next);
}

/* ---- the digest's lists ---- */

static int
candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->unit_id != y->unit_id)
		return x->unit_id < y->unit_id ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The first DIGEST_ROWS of each list, by unit and account, with their
 * facts read in one query. */
static int
load_digest(sqlite3 *db, const struct config *cfg, struct evaluation *ev,
    struct plan *pl)
{
	struct strbuf ids = STRBUF_INIT;
	struct eval_account *a;
	sqlite3_stmt *st;
	size_t i, j = 0;
	int rc;

	if (pl->n_candidates > 1)       /* none: candidates may be NULL */
		qsort(pl->candidates, pl->n_candidates,
		    sizeof(*pl->candidates), candidate_cmp);
	ev->digest_rows = xcalloc(N_DIGEST_LISTS * DIGEST_ROWS + 1,
	    sizeof(*ev->digest_rows));
	sb_puts(&ids, "[");
	for (i = 0; i < pl->n_candidates; i++) {
		const struct candidate *c = &pl->candidates[i];

		if (ev->digest_total[c->list]++ >= DIGEST_ROWS)
			continue;
		ev->digest_rows[ev->n_digest_rows++] = (struct eval_account){
		    .account_id = c->id, .unit_id = c->unit_id, .state = c->state };
		sb_printf(&ids, "%s%lld", ev->n_digest_rows > 1 ? "," : "", c->id);
	}
	sb_puts(&ids, "]");
	/* in the order given: json_each first, the accounts looked up */
	st = db_prepare(db, FACTS_SELECT " FROM json_each(?1) j CROSS JOIN"
	    " account a ON a.id = j.value LEFT JOIN feed_state f ON"
	    " f.account_id = a.id ORDER BY j.key", "s", sb_str(&ids));
	sb_free(&ids);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && j < ev->n_digest_rows) {
		a = &ev->digest_rows[j++];
		if (a->account_id == sqlite3_column_int64(st, F_ID))
			read_facts(cfg, ev, st, &a->facts);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* ---- writing what changed ---- */

/* The new state (account_state) of the accounts that had one (first
 * false) or of those evaluated for the first time (first true).  These
 * are plain inserts: on the first day they are every account, and an
 * upsert's look for the row it might replace cost twice the insert. */
static int
write_states(sqlite3 *db, const struct plan *pl, time_t at, bool first)
{
	long long now = (long long)at;
	const struct state_move *c;
	struct db_batch b;
	size_t i, n = 0;
	bool told;

	for (i = 0; i < pl->n_moves; i++)
		n += (pl->moves[i].from < 0) == first;
	db_batch_begin(&b, db, "INSERT INTO account_state (account_id, state,"
	    " since, notified_at, notices_sent, last_update_at) VALUES",
	    "(?, ?, ?, nullif(?, 0), ?, nullif(?, 0))", 6,
	    first ? "" : "ON CONFLICT (account_id) DO UPDATE SET state ="
	    " excluded.state, since = excluded.since, notified_at ="
	    " excluded.notified_at, notices_sent = excluded.notices_sent,"
	    " last_update_at = excluded.last_update_at", n);
	for (i = 0; i < pl->n_moves; i++) {
		c = &pl->moves[i];
		if ((c->from < 0) != first)
			continue;
		told = unit_facing(c->to);
		if (db_batch_row(&b, "IsIIII", c->account_id, names[c->to], now,
		    told ? now : 0LL, told ? 1LL : 0LL,
		    (long long)c->last_update) == -1)
			break;
	}
	return db_batch_end(&b) == -1 ? -1 : 0;
}

/* Each account's change (state_change) and its new state (account_state),
 * a batch of rows a statement; the unit is told of the states it faces. */
static int
write_changes(sqlite3 *db, const struct plan *pl, time_t at)
{
	long long now = (long long)at;
	const struct state_move *c;
	struct db_batch b;
	size_t i;

	db_batch_begin(&b, db, "INSERT INTO state_change (account_id,"
	    " from_state, to_state, at, last_update_at) VALUES",
	    "(?, ?, ?, ?, nullif(?, 0))", 5, "", pl->n_moves);
	for (i = 0; i < pl->n_moves; i++) {
		c = &pl->moves[i];
		if (db_batch_row(&b, "IssII", c->account_id, c->from < 0 ? NULL :
		    names[c->from], names[c->to], now,
		    (long long)c->last_update) == -1)
			break;
	}
	if (db_batch_end(&b) == -1 || write_states(db, pl, at, true) == -1)
		return -1;
	return write_states(db, pl, at, false);
}

/* The accounts reminded of the state they stay in. */
static int
write_reminders(sqlite3 *db, const struct plan *pl, time_t now)
{
	struct db_batch b;
	size_t i;

	db_batch_begin(&b, db, "UPDATE account_state SET notified_at ="
	    " r.column2, notices_sent = notices_sent + 1 FROM (VALUES",
	    "(?, ?)", 2, ") AS r WHERE"
	    " account_state.account_id = r.column1", pl->n_reminded);
	for (i = 0; i < pl->n_reminded; i++)
		if (db_batch_row(&b, "II", pl->reminded[i], (long long)now) == -1)
			break;
	return db_batch_end(&b) == -1 ? -1 : 0;
}

/* Closes and escalations one by one (they are few), then the problems
 * opened in batches.  Each account has at most one change a condition,
 * so their order does not matter. */
static int
write_problems(sqlite3 *db, struct evaluation *ev, const struct plan *pl)
{
	const struct problem_change *c;
	long long opened;
	size_t i;
	int rc = 0;

	for (i = 0; rc != -1 && i < pl->n_problems; i++) {
		c = &pl->problems[i];
		if (c->action == ESCALATE_PROBLEM) {
			rc = problem_auto_escalate(db, c->id, c->kind, c->detail,
			    ev->now);
			ev->problems_escalated += rc == 1;
		} else {
			rc = problem_auto_close(db, c->id, c->reason, c->note,
			    ev->now);
			ev->problems_closed += rc == 1;
		}
	}
	if (rc == -1 || (opened = problem_auto_open_many(db, pl->opened,
	    pl->n_opened, ev->now)) == -1)
		return -1;
	ev->problems_opened += (unsigned long)opened;
	return 0;
}

/* Only the rows that change are written, in batches: an account that
 * stays in its state unreminded keeps its row as it is (the time of the
 * run is kept once, in the evaluation's health). */
static int
write_plan(sqlite3 *db, struct evaluation *ev, struct plan *pl)
{
	if (write_changes(db, pl, ev->now) == -1 ||
	    write_reminders(db, pl, ev->now) == -1 ||
	    write_problems(db, ev, pl) == -1)
		return -1;
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

/* What stays of a written part: its moves, logged once committed (only
 * counted past MOVES_LOGGED_EACH), and its candidates for the digest's
 * lists. */
static void
keep_part(struct evaluation *ev, struct plan *kept, const struct plan *part)
{
	const struct state_move *m;
	size_t i;

	for (i = 0; i < part->n_moves; i++) {
		m = &part->moves[i];
		ev->moved[m->from + 1][m->to]++;
		if (++ev->n_moved > MOVES_LOGGED_EACH)
			continue;
		GROW(ev->moves, ev->n_moves, ev->cap_moves);
		ev->moves[ev->n_moves++] = *m;
	}
	for (i = 0; i < part->n_candidates; i++) {
		GROW(kept->candidates, kept->n_candidates, kept->cap_candidates);
		kept->candidates[kept->n_candidates++] = part->candidates[i];
	}
}

/* Writes the parts as the reader hands them over.  After a failed write
 * the reader is stopped and what it still hands over is dropped. */
static int
write_parts(sqlite3 *db, struct pass *p, struct plan *kept)
{
	struct part *part;
	int rc = 0;

	while ((part = take_part(p)) != NULL) {
		if (rc == 0 && (rc = write_plan(db, p->ev, &part->plan)) == -1)
			stop_reader(p);
		if (rc == 0)
			keep_part(p->ev, kept, &part->plan);
		part_free(part);
	}
	return rc;
}

/* The pass: read (read_pass()) beside its writes, on a second connection
 * that sees the database as it was before them: the caller's transaction
 * (BEGIN IMMEDIATE) lets nobody else commit meanwhile. */
static int
run_pass(sqlite3 *db, const struct config *cfg, struct evaluation *ev,
    struct plan *kept, evaluate_read_fn *read_done, void *arg)
{
	struct pass p = { .db = db, .cfg = cfg, .ev = ev, .due = kept->due,
	    .read_done = read_done, .read_done_arg = arg };
	struct db_side reader;
	int rc;

	p.tail = &p.head;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.handed, NULL);
	pthread_cond_init(&p.taken, NULL);
	db_side_start(&reader, db, read_pass, &p);
	rc = write_parts(db, &p, kept);
	db_side_join(&reader);
	if (p.error) {
		log_warnx("database: %s", p.error);
		rc = -1;
	}
	free(p.error);
	pthread_cond_destroy(&p.handed);
	pthread_cond_destroy(&p.taken);
	pthread_mutex_destroy(&p.lock);
	return rc;
}

/* The pass's items grew by doubling; the mail holds on to them, so they
 * keep only their rows (at 500,000 accounts the room to spare was tens of
 * megabytes).  The moves kept are a thousand at most. */
#define FIT(arr, n, cap) do {                                           \
	(cap) = (n) + 1;                                                \
	(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));                \
} while (0)

static void
fit_pass(struct evaluation *ev)
{
	FIT(ev->items, ev->n_items, ev->cap_items);
}

int
evaluate(sqlite3 *db, const struct config *cfg, time_t now, bool digest,
    struct evaluation *ev, evaluate_read_fn *read_done, void *arg)
{
	struct plan kept;
	int rc;

	memset(ev, 0, sizeof(*ev));
	memset(&kept, 0, sizeof(kept));
	ev->now = now;
	ev->digest = digest;
	kept.due = config_deadline(cfg, now);
	rc = load_units(db, ev);
	if (rc == 0)
		rc = run_pass(db, cfg, ev, &kept, read_done, arg);
	fit_pass(ev);
	/* after the writes: the digest's facts (accounts, fetch states) are
	 * not among what they change */
	if (rc == 0 && digest)
		rc = load_digest(db, cfg, ev, &kept);
	if (rc == 0)
		rc = close_inactive(db, ev);
	plan_free(&kept);
	return rc;
}

void
evaluation_free(struct evaluation *ev)
{
	size_t i;

	free(ev->items);
	free(ev->gaps);
	free(ev->new_failing);
	free(ev->digest_rows);
	for (i = 0; i < ev->n_units; i++) {
		free(ev->units[i].code);
		free(ev->units[i].name);
		free(ev->units[i].contact);
		free(ev->units[i].emails);
	}
	free(ev->units);
	free(ev->moves);
	strpool_free(&ev->strings);
	memset(ev, 0, sizeof(*ev));
}
