/* bulletin.c — gathering a month's figures into the bulletin's data. */
#define _GNU_SOURCE             /* qsort_r() */
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "monitor/evaluate.h"
#include "paperwork/bulletin.h"
#include "paperwork/bulletin_figures.h"
#include "paperwork/bulletin_orders.h"
#include "paperwork/bulletin_text.h"
#include "paperwork/document.h"
#include "paperwork/render.h"
#include "poll/poller.h"
#include "registry/account.h"
#include "registry/problem.h"
#include "store/db.h"
#include "store/side.h"

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

/* Columns of the account query; ?1 is the check time, ?2 the start of
 * the watched time, ?3 the month whose figures are kept (NULL: none),
 * ?4 and ?5 the ids of the part of the walk (walk_part).
 * The accounts are read in id order (NOT INDEXED): each lookup in the
 * histories' indexes then lands where the previous account's did; they
 * are put in order after.  An account's state, last update and posts at
 * the check time are the figures kept for the month when there are
 * (bulletin_figures.h), else two lookups in the histories; the status
 * then is looked up only for the few accounts changed in the registry
 * since (else it is the current one: every change is audited), and the
 * undated posts are counted apart, from their own small index. */
enum { A_ID, A_UNIT_ID, A_UNIT, A_UNIT_NAME, A_PLATFORM, A_NAME, A_OPENED_ON,
    A_CREATED, A_STALE, A_WARN, A_UID, A_FEED, A_STATE, A_STATUS,
    A_LAST_UPDATE, A_POSTS, A_KEPT };

/* The columns both forms of the query share: the account up to A_FEED,
 * and A_STATUS, between which A_STATE stands. */
#define WALK_ACCOUNT \
	"SELECT a.id, a.unit_id, u.code, u.name, a.platform, a.name," \
	" a.opened_on, a.created_at, a.stale_after, a.warn_after," \
	" coalesce(a.platform_uid, ''), a.feed_url,"
#define WALK_STATUS \
	" CASE WHEN a.id IN (SELECT x.entity_id FROM audit x WHERE x.entity =" \
	"  'account' AND x.at > ?1) THEN " ACCOUNT_STATUS_AT("a.id", "?1") \
	"  ELSE a.status END,"

static const char account_query[] =
	WALK_ACCOUNT
	" CASE WHEN f.account_id IS NULL THEN " FIGURE_STATE " ELSE f.state END,"
	WALK_STATUS
	" CASE WHEN f.account_id IS NULL THEN " FIGURE_LAST_UPDATE
	"  ELSE f.last_update_at END,"
	" CASE WHEN f.account_id IS NULL THEN " FIGURE_POSTS " ELSE f.posts END,"
	" f.account_id IS NOT NULL"
	" FROM account a NOT INDEXED JOIN unit u ON u.id = a.unit_id"
	" LEFT JOIN account_state s ON s.account_id = a.id"
	" LEFT JOIN bulletin_figures f ON f.month = ?3 AND f.account_id = a.id"
	" WHERE a.id >= ?4 AND a.id < ?5";

/* The same columns for a part whose every account has the month's
 * figures kept (part_kept()): read in the figures' order, each account
 * then looked up by its id, the one after the last each time, which
 * SQLite finds without a search.  Looking up each account's figures took
 * half of the query's time. */
static const char kept_account_query[] =
	WALK_ACCOUNT " f.state," WALK_STATUS " f.last_update_at, f.posts, 1"
	" FROM bulletin_figures f CROSS JOIN account a ON a.id = f.account_id"
	" JOIN unit u ON u.id = a.unit_id"
	" WHERE f.month = ?3 AND f.account_id >= ?4 AND f.account_id < ?5";

/* Whether the figures of month are kept for every account with an id
 * from lo to below hi: an account registered after they were kept has
 * none. */
static bool
part_kept(sqlite3 *db, const char *month, long long lo, long long hi)
{
	long long same = 0;

	return month && db_query_int(db, &same, "SELECT (SELECT count(*) FROM"
	    " account WHERE id >= ?1 AND id < ?2) = (SELECT count(*) FROM"
	    " bulletin_figures WHERE month = ?3 AND account_id >= ?1 AND"
	    " account_id < ?2)", "IIs", lo, hi, month) == 0 && same;
}

/* Posts per account counted apart from the account query, by account. */
struct counts {
	long long *id, *n;
	size_t     count;
};

/* The rows (account id, count) of st, in account order; finalizes st. */
static int
counts_load(sqlite3_stmt *st, struct counts *c)
{
	size_t cap = 0;
	int rc = SQLITE_ERROR;

	memset(c, 0, sizeof(*c));
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->count == cap) {
			cap = cap ? cap * 2 : 64;
			c->id = xrealloc(c->id, cap * sizeof(*c->id));
			c->n = xrealloc(c->n, cap * sizeof(*c->n));
		}
		c->id[c->count] = sqlite3_column_int64(st, 0);
		c->n[c->count++] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Undated posts first seen in the watched time (few: the partial index
 * post_undated holds only them). */
static int
undated_load(sqlite3 *db, const struct period *p, struct counts *c)
{
	return counts_load(db_prepare(db, "SELECT account_id, count(*) FROM post"
	    " INDEXED BY post_undated WHERE published_at IS NULL AND"
	    " first_seen_at >= ? AND first_seen_at <= ? GROUP BY account_id"
	    " ORDER BY account_id", "II", (long long)p->from, (long long)p->check),
	    c);
}

/* Posts dated in the watched time but stored after the month's figures
 * were kept (after last_post): the kept counts leave them out.  They
 * are the table's last rows, read by id (NOT INDEXED: through the index
 * on dates SQLite would read every post of the month). */
static int
late_load(sqlite3 *db, const struct period *p, long long last_post,
    struct counts *c)
{
	return counts_load(db_prepare(db, "SELECT account_id, count(*) FROM post"
	    " NOT INDEXED WHERE id > ? AND published_at >= ? AND"
	    " published_at <= ? GROUP BY account_id ORDER BY account_id", "III",
	    last_post, (long long)p->from, (long long)p->check), c);
}

static long long
count_of(const struct counts *c, long long id)
{
	size_t lo = 0, hi = c->count, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->id[mid] == id)
			return c->n[mid];
		if (c->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void
counts_free(struct counts *c)
{
	free(c->id);
	free(c->n);
}

/* The posts of the watched time the account query does not count. */
struct apart {
	struct counts undated;
	struct counts late;      /* accounts with kept figures only */
};

static int
apart_load(sqlite3 *db, const struct period *p, bool kept, long long last_post,
    struct apart *ap)
{
	memset(ap, 0, sizeof(*ap));
	return undated_load(db, p, &ap->undated) == -1 ||
	    (kept && late_load(db, p, last_post, &ap->late) == -1) ? -1 : 0;
}

static long long
apart_of(const struct apart *ap, sqlite3_stmt *st, long long id)
{
	return count_of(&ap->undated, id) + (sqlite3_column_int(st, A_KEPT) ?
	    count_of(&ap->late, id) : 0);
}

static void
apart_free(struct apart *ap)
{
	counts_free(&ap->undated);
	counts_free(&ap->late);
}

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

/* Since when the account's feed could not be reached at the check time
 * (its unreachable problem open then), or 0. */
static time_t
unreachable_since(sqlite3 *db, long long id, const struct period *p)
{
	long long t = 0;

	if (db_query_int(db, &t, "SELECT coalesce(min(opened_at), 0) FROM problem"
	    " WHERE account_id = ?1 AND kind = 'unreachable' AND opened_at <= ?2"
	    " AND (closed_at IS NULL OR closed_at > ?2)", "II", id,
	    (long long)p->check) != 0)
		return 0;
	return (time_t)t;
}

/* Why monitoring could not see the account at the check time, or NULL
 * when it could.  Caller frees. */
static char *
unseen_reason(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    const struct period *p)
{
	char since[CN_DATE_SIZE], *url;
	time_t down;
	bool has_feed;

	/* no state by the check time: not evaluated by then */
	if (db_column_is_null(st, A_STATE))
		return xstrdup("登记后尚未完成首次监测");
	if (strcmp(db_column_text(st, A_STATE), "unverified") != 0)
		return NULL;
	if ((down = unreachable_since(db, sqlite3_column_int64(st, A_ID), p))) {
		date_cn(down, since, sizeof(since));
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

/* The accounts with problems in the watched part of the month. */
struct problem_set {
	struct problem_account *a;
	size_t                  n;
};

/* An account as the bulletin judges it at the check time. */
struct judged {
	long long   id, posts;
	long long   age;         /* seconds without update */
	const char *state;       /* "pass", "fail" or "gap" */
	char       *reasons;     /* owned */
	struct vetoes why;       /* of a fail, what reasons says */
};

static void
judge(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    const struct period *p, const struct problem_account *pa,
    struct judged *j)
{
	const char *platform = db_column_text(st, A_PLATFORM);
	struct vetoes v;

	j->id = sqlite3_column_int64(st, A_ID);
	if (!db_column_is_null(st, A_LAST_UPDATE))
		j->age = (long long)(p->check - (time_t)sqlite3_column_int64(st,
		    A_LAST_UPDATE));
	else
		j->age = (long long)(p->check - account_grace_start(
		    db_column_text(st, A_OPENED_ON), (time_t)sqlite3_column_int64(st,
		    A_CREATED)));
	vetoes_of(pa, &v);
	memset(&j->why, 0, sizeof(j->why));
	if (!any_veto(&v) && (j->reasons = unseen_reason(db, cfg, st, p))) {
		j->state = "gap";
		return;
	}
	/* the national check itself: no update in the stale period before
	 * the check time fails, whether or not a problem was opened; but
	 * only an age that a recent fetch confirmed */
	if (j->age >= account_stale_after(cfg, platform, st, A_STALE) &&
	    !v.dormant && strcmp(db_column_text(st, A_STATE), "unverified") != 0)
		v.stale = true;
	j->reasons = reasons_text(&v);
	j->state = *j->reasons ? "fail" : "pass";
	j->why = v;
}

static const char *
result_label(const char *state)
{
	if (strcmp(state, "gap") == 0)
		return "监测缺口";
	return strcmp(state, "pass") == 0 ? "合格" : "不合格";
}

/* The account's row in the documents. */
static json_t *
account_row(const struct config *cfg, sqlite3_stmt *st,
    const struct period *p, const struct judged *j, json_t *texts)
{
	const char *platform = db_column_text(st, A_PLATFORM);
	time_t last = (time_t)sqlite3_column_int64(st, A_LAST_UPDATE);
	bool has = !db_column_is_null(st, A_LAST_UPDATE);
	json_t *row;

	row = json_object();
	row_int(row, "account_id", j->id);
	row_shared(row, "unit", texts, db_column_text(st, A_UNIT));
	row_shared(row, "unit_name", texts, db_column_text(st, A_UNIT_NAME));
	row_shared(row, "platform_key", texts, platform);
	row_shared(row, "platform", texts, platform_label(cfg, platform));
	row_text(row, "account", db_column_text(st, A_NAME));
	row_text(row, "uid", db_column_text(st, A_UID));
	json_object_set_nocheck(row, "last_update", shared_date(texts, has,
	    last));
	row_int(row, "days", days_between(p->check - (time_t)j->age, p->check));
	row_int(row, "posts", j->posts);
	set_threshold_days(row, account_warn_after(cfg, platform, st, A_WARN),
	    account_stale_after(cfg, platform, st, A_STALE));
	row_shared(row, "result", texts, result_label(j->state));
	row_shared(row, "state", texts, j->state);
	row_shared(row, "reasons", texts, j->reasons);
	return row;
}

/* ---- totals ---- */

/* The counts of a group of accounts: a gap is neither qualified nor
 * not, it stays out of the pass rate.  The unqualified are also counted
 * by reason (the worse of dormant and stale, and serious wording), as
 * the bulletin's text says them. */
struct tally {
	long long accounts, qualified, unqualified, gaps, posts;
	long long dormant, stale, serious;
};

struct group {
	long long     id;        /* a unit's id; 0 for a platform */
	char         *key, *name;
	struct tally  t;
};

struct groups {
	struct group *g;
	size_t        n, cap;
};

static void
tally_add(struct tally *t, const struct judged *j)
{
	if (strcmp(j->state, "gap") == 0)
		t->gaps++;
	else {
		t->accounts++;
		if (strcmp(j->state, "pass") == 0)
			t->qualified++;
		else
			t->unqualified++;
	}
	t->dormant += j->why.dormant;
	t->stale += j->why.stale && !j->why.dormant;
	t->serious += j->why.serious;
	t->posts += j->posts;
}

static struct group *
group_add(struct groups *gs, size_t at, long long id, const char *key,
    const char *name)
{
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? gs->cap * 2 : 16;
		gs->g = xrealloc(gs->g, gs->cap * sizeof(*gs->g));
	}
	memmove(&gs->g[at + 1], &gs->g[at], (gs->n - at) * sizeof(*gs->g));
	gs->g[at] = (struct group){ id, xstrdup(key), xstrdup(name),
	    { 0 } };
	gs->n++;
	return &gs->g[at];
}

/* A unit's group; the groups are kept in id order, each found by
 * bisection (a registry has thousands of units). */
static struct group *
unit_group(struct groups *gs, long long id, const char *code,
    const char *name)
{
	size_t lo = 0, hi = gs->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (gs->g[mid].id == id)
			return &gs->g[mid];
		if (gs->g[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return group_add(gs, lo, id, code, name);
}

/* A platform's group, in first-seen order (there are a few). */
static struct group *
platform_group(struct groups *gs, const char *key, const char *label)
{
	size_t i;

	for (i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].key, key) == 0)
			return &gs->g[i];
	return group_add(gs, gs->n, 0, key, label);
}

static void
groups_free(struct groups *gs)
{
	size_t i;

	for (i = 0; i < gs->n; i++) {
		free(gs->g[i].key);
		free(gs->g[i].name);
	}
	free(gs->g);
}

static json_t *
tally_json(const struct tally *t, const char *key, const char *name)
{
	char *rate = pass_rate_text((long)t->qualified, (long)t->accounts);
	json_t *row = key ? json_pack("{s:s, s:s}", "key", key, "name", name) :
	    json_object();

	json_object_set_new(row, "accounts", json_integer(t->accounts));
	json_object_set_new(row, "qualified", json_integer(t->qualified));
	json_object_set_new(row, "unqualified", json_integer(t->unqualified));
	json_object_set_new(row, "pass_rate", json_string(rate));
	json_object_set_new(row, "gaps", json_integer(t->gaps));
	json_object_set_new(row, "posts", json_integer(t->posts));
	free(rate);
	return row;
}

/* The counts of every account, the unqualified by reason too. */
static json_t *
summary_json(const struct tally *t)
{
	json_t *row = tally_json(t, NULL, NULL);

	json_object_set_new(row, "unqualified_dormant", json_integer(t->dormant));
	json_object_set_new(row, "unqualified_stale", json_integer(t->stale));
	json_object_set_new(row, "unqualified_serious", json_integer(t->serious));
	return row;
}

/* The units, each unit's accounts counted. */
static json_t *
unit_totals(const struct config *cfg, const struct groups *units)
{
	json_t *rows = json_array();
	size_t i;

	for (i = 0; i < units->n; i++)
		json_array_append_new(rows, tally_json(&units->g[i].t,
		    units->g[i].key, units->g[i].name));
	sort_by_unit(cfg, rows, "key");
	return rows;
}

/* Platforms in the configured order, the unknown ones after. */
static json_t *
platform_totals(const struct config *cfg, const struct groups *ps)
{
	json_t *sorted = json_array();
	size_t i, j;

	for (j = 0; j < cfg->n_platforms; j++)
		for (i = 0; i < ps->n; i++)
			if (strcmp(ps->g[i].key, cfg->platforms[j].key) == 0)
				json_array_append_new(sorted, tally_json(&ps->g[i].t,
				    ps->g[i].key, ps->g[i].name));
	for (i = 0; i < ps->n; i++)
		if (config_platform(cfg, ps->g[i].key) == NULL)
			json_array_append_new(sorted, tally_json(&ps->g[i].t,
			    ps->g[i].key, ps->g[i].name));
	return sorted;
}

/* An account's platform and name, hashed: the accounts whose rows are
 * not kept must still tell apart the namesakes of those that are. */
struct name_key {
	uint64_t  hash;
	long long id;
};

/* What the walk over the accounts gathers. */
struct figures {
	bool             every;     /* keep every account's row */
	json_t          *rows;      /* the rows kept, in id order */
	bool             passed;    /* rows has rows of passed accounts */
	json_t          *texts;     /* the rows' shared texts (shared_text()) */
	struct tally     all;
	struct groups    units, platforms;
	struct name_key *names;     /* every account's, unless every */
	size_t           n_names, cap_names;
};

static void
name_add(struct figures *f, const char *platform, const char *name,
    long long id)
{
	if (f->every)
		return;
	if (f->n_names == f->cap_names) {
		f->cap_names = f->cap_names ? f->cap_names * 2 : 1024;
		f->names = xrealloc(f->names, f->cap_names * sizeof(*f->names));
	}
	/* equal hashes are only candidates: labelling compares the names */
	f->names[f->n_names++] = (struct name_key){ name_hash(platform, name),
	    id };
}

/* Whether the documents list every account: when f->every or when
 * there are few (LIST_ALL_ACCOUNTS). */
static bool
listed_all(const struct figures *f)
{
	return f->every || f->all.accounts + f->all.gaps <= LIST_ALL_ACCOUNTS;
}

/* Past LIST_ALL_ACCOUNTS, the rows of passed accounts go. */
static void
drop_passed(struct figures *f)
{
	json_t *kept, *r;
	size_t i;

	if (!f->passed)
		return;
	f->passed = false;
	kept = json_array();
	json_array_foreach(f->rows, i, r)
		if (strcmp(rd_str(r, "state"), "pass") != 0)
			json_array_append(kept, r);
	json_decref(f->rows);
	f->rows = kept;
}

/* Rows of passed accounts are kept while every account is listed (up
 * to LIST_ALL_ACCOUNTS, or when the caller wants them all); beyond,
 * the documents list only the accounts to act on. */
static void
keep_row(struct figures *f, json_t *row, const struct judged *j)
{
	long long seen = f->all.accounts + f->all.gaps;

	if (!f->every && seen == LIST_ALL_ACCOUNTS + 1)
		drop_passed(f);
	if (strcmp(j->state, "pass") != 0)
		json_array_append(f->rows, row);
	else if (f->every || seen <= LIST_ALL_ACCOUNTS) {
		json_array_append(f->rows, row);
		f->passed = true;
	}
}

static void
add_account(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    const struct period *p, const struct problem_set *ps,
    const struct apart *ap, struct figures *f)
{
	const char *platform = db_column_text(st, A_PLATFORM);
	struct judged j;
	json_t *row;

	judge(db, cfg, st, p, problem_account_find(ps->a, ps->n,
	    sqlite3_column_int64(st, A_ID)), &j);
	name_add(f, platform_label(cfg, platform), db_column_text(st, A_NAME),
	    j.id);
	j.posts = sqlite3_column_int64(st, A_POSTS) + apart_of(ap, st, j.id);
	tally_add(&f->all, &j);
	tally_add(&unit_group(&f->units, sqlite3_column_int64(st, A_UNIT_ID),
	    db_column_text(st, A_UNIT), db_column_text(st, A_UNIT_NAME))->t, &j);
	tally_add(&platform_group(&f->platforms, platform, platform_label(cfg,
	    platform))->t, &j);
	if (f->every || f->all.accounts + f->all.gaps <= LIST_ALL_ACCOUNTS + 1 ||
	    strcmp(j.state, "pass") != 0) {
		row = account_row(cfg, st, p, &j, f->texts);
		keep_row(f, row, &j);
		json_decref(row);
	}
	free(j.reasons);
}

/* The walk is cut in parts of the accounts' ids, taken in turn by the
 * caller and a thread beside it (db_side_share()): at 500,000 accounts
 * the walk is most of the bulletin's time, shared with the thread that
 * reads the other lists. */
#define WALK_PARTS 16

/* What every part of the walk reads alike, read once before it. */
struct walk_input {
	const struct config *cfg;
	const struct period *p;
	const char          *month;     /* of the kept figures, or NULL */
	struct apart         ap;
};

/* A part of the walk: the accounts with ids from lo to below hi, counted
 * and listed in figures of its own, their problems read by the part. */
struct walk_part {
	long long                lo, hi;
	struct figures           f;
	int                      rc;
};

/* The parts of the walk, in id order. */
struct walk {
	const struct walk_input *in;
	struct walk_part         part[WALK_PARTS];
};

/* The part's accounts that were active at the check time. */
static void
walk_part(sqlite3 *db, size_t i, void *arg)
{
	struct walk *walk = arg;
	const struct walk_input *in = walk->in;
	struct walk_part *w = &walk->part[i];
	struct day_times *days = day_times_new();
	struct problem_set ps = { NULL, 0 };
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_ERROR;

	if (problem_accounts(db, &(struct problem_window){ .from = in->p->from,
	    .to = in->p->check, .first_id = w->lo, .end_id = w->hi }, &ps.a,
	    &ps.n) == 0)
		st = db_prepare(db, part_kept(db, in->month, w->lo, w->hi) ?
		    kept_account_query : account_query, "IIsII",
		    (long long)in->p->check, (long long)in->p->from, in->month,
		    w->lo, w->hi);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (day_times_get(days, db_column_text(st, A_OPENED_ON),
		    (time_t)sqlite3_column_int64(st, A_CREATED)) > in->p->check)
			continue;
		if (strcmp(db_column_text(st, A_STATUS), "active") == 0)
			add_account(db, in->cfg, st, in->p, &ps, &in->ap, &w->f);
	}
	sqlite3_finalize(st);
	day_times_free(days);
	free(ps.a);
	w->rc = rc == SQLITE_DONE ? 0 : -1;
}

static void
tally_sum(struct tally *t, const struct tally *u)
{
	t->accounts += u->accounts;
	t->qualified += u->qualified;
	t->unqualified += u->unqualified;
	t->gaps += u->gaps;
	t->posts += u->posts;
	t->dormant += u->dormant;
	t->stale += u->stale;
	t->serious += u->serious;
}

/* Adds the figures of the part after f's (higher ids) to f. */
static void
figures_merge(struct figures *f, const struct figures *g)
{
	const struct group *u;
	size_t i;

	json_array_extend(f->rows, g->rows);
	f->passed |= g->passed;
	tally_sum(&f->all, &g->all);
	for (i = 0; i < g->units.n; i++) {
		u = &g->units.g[i];
		tally_sum(&unit_group(&f->units, u->id, u->key, u->name)->t, &u->t);
	}
	for (i = 0; i < g->platforms.n; i++) {
		u = &g->platforms.g[i];
		tally_sum(&platform_group(&f->platforms, u->key, u->name)->t, &u->t);
	}
	if (g->n_names > 0) {
		f->names = xrealloc(f->names, (f->n_names + g->n_names) *
		    sizeof(*f->names));
		memcpy(f->names + f->n_names, g->names, g->n_names *
		    sizeof(*g->names));
		f->n_names += g->n_names;
		f->cap_names = f->n_names;
	}
	/* each part kept the passed while it alone had seen few */
	if (!listed_all(f))
		drop_passed(f);
}

static struct figures
figures_new(bool every)
{
	return (struct figures){ .every = every, .rows = json_array(),
	    .texts = json_object() };
}

static void
figures_free(struct figures *f)
{
	json_decref(f->rows);
	json_decref(f->texts);
	groups_free(&f->units);
	groups_free(&f->platforms);
	free(f->names);
}

/* The accounts that were active at the check time, walked in parts of
 * their ids (WALK_PARTS) on two threads.  Each part counts in figures of
 * its own; f gets them all, in id order. */
static int
walk_accounts(sqlite3 *db, const struct config *cfg, const struct period *p,
    struct figures *f)
{
	struct walk_input in = { .cfg = cfg, .p = p };
	struct walk walk = { .in = &in };
	char month[16];
	long long last_post = 0, lo, hi;
	size_t i;
	int rc;
	bool kept;

	month_format(p->m, month, sizeof(month));
	kept = bulletin_figures_kept(db, p, month, &last_post);
	in.month = kept ? month : NULL;
	if (account_id_range(db, &lo, &hi) == -1 ||
	    apart_load(db, p, kept, last_post, &in.ap) == -1) {
		apart_free(&in.ap);
		return -1;
	}
	for (i = 0; i < WALK_PARTS; i++)
		walk.part[i] = (struct walk_part){ .lo = lo + (hi - lo) *
		    (long long)i / WALK_PARTS, .hi = lo + (hi - lo) *
		    (long long)(i + 1) / WALK_PARTS, .f = figures_new(f->every) };
	db_side_share(db, WALK_PARTS, walk_part, &walk);
	figures_free(f);
	*f = walk.part[0].f;
	rc = walk.part[0].rc;
	for (i = 1; i < WALK_PARTS; i++) {
		figures_merge(f, &walk.part[i].f);
		figures_free(&walk.part[i].f);
		rc |= walk.part[i].rc;
	}
	apart_free(&in.ap);
	sort_accounts_by_unit(cfg, f->rows);
	return rc;
}

/* The rows of the unqualified accounts and of the monitoring gaps, in
 * the rows' order: one pass over rows that no longer sit in the cache. */
static void
split_by_state(const json_t *accts, json_t *d)
{
	json_t *fail = json_array(), *gap = json_array(), *a;
	const char *state;
	size_t i;

	json_array_foreach(accts, i, a) {
		state = rd_str(a, "state");
		if (strcmp(state, "fail") == 0)
			json_array_append(fail, a);
		else if (strcmp(state, "gap") == 0)
			json_array_append(gap, a);
	}
	json_object_set_new(d, "unqualified", fail);
	json_object_set_new(d, "gaps", gap);
}

/* ---- ranking (排名) ---- */

/* What a unit left unanswered past its deadlines at the check time. */
static long long
overdue_answers(const json_t *u)
{
	return rd_int(u, "orders_overdue") + rd_int(u, "notices_overdue");
}

/* Whether unit a ranks above b: the higher pass rate, then fewer
 * unqualified accounts, then how it answered: fewer work orders and
 * notices left unanswered past their deadline, fewer late replies, fewer
 * replies returned.  Rates compared as fractions, never as floats. */
static int
rank_cmp(const json_t *a, const json_t *b)
{
	static const char *const fewer[] = { "unqualified", NULL, "orders_late",
	    "orders_returned" };
	long long qa = rd_int(a, "qualified"), na = rd_int(a, "accounts");
	long long qb = rd_int(b, "qualified"), nb = rd_int(b, "accounts");
	long long left = qa * nb, right = qb * na, x, y;
	size_t i;

	if (left != right)
		return left > right ? -1 : 1;
	for (i = 0; i < ARRAY_SIZE(fewer); i++) {
		x = fewer[i] ? rd_int(a, fewer[i]) : overdue_answers(a);
		y = fewer[i] ? rd_int(b, fewer[i]) : overdue_answers(b);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* A unit to rank and its place in units, which breaks ties. */
struct rank_entry {
	json_t *unit;
	size_t  at;
};

static int
rank_entry_cmp(const void *a, const void *b)
{
	const struct rank_entry *x = a, *y = b;
	int c = rank_cmp(x->unit, y->unit);

	return c ? c : x->at < y->at ? -1 : 1;
}

/* Units with judged accounts, best first (stable: ties keep the
 * configured order and share a rank, 1, 1, 3); each unit's "rank" is set,
 * "—" for a unit without judged accounts.  A sort, not insertions: a
 * region has thousands of units. */
static json_t *
ranking(json_t *units)
{
	struct rank_entry *e = xcalloc(json_array_size(units) + 1, sizeof(*e));
	json_t *ranked = json_array(), *u, *prev = NULL;
	size_t i, n = 0;

	json_array_foreach(units, i, u) {
		json_object_set_new(u, "rank", json_string("—"));
		if (rd_int(u, "accounts") != 0)
			e[n++] = (struct rank_entry){ u, i };
	}
	qsort(e, n, sizeof(*e), rank_entry_cmp);
	for (i = 0; i < n; i++) {
		u = e[i].unit;
		json_array_append(ranked, u);
		if (prev == NULL || rank_cmp(prev, u) != 0)
			json_object_set_new(u, "rank", json_integer((json_int_t)i + 1));
		else
			json_object_set(u, "rank", json_object_get(prev, "rank"));
		prev = u;
	}
	free(e);
	return ranked;
}

/* ---- problems, notices, returns ---- */

/* The month's lists of problems, read in one pass: new in the month (the
 * problems opened, and those escalated: a stale account turned dormant is
 * a new finding, listed as dormant), closed in the month, and overdue at
 * its end; a problem in two lists is one row in both.  ?1 is the start of
 * the watched time, ?2 the check time: a later closing or escalation is
 * not known at the check time, so a past month reads the same later.  e
 * is the problem's escalation in the watched time, if any; whether there
 * is one is asked of the month's escalations, read once, so that the
 * problems in no list are left before any join. */
static const char problem_query[] =
	"SELECT u.code, u.name, a.platform, a.name, " PROBLEM_KIND_AT("p", "?2")
	", coalesce(p.severity, ''), " PROBLEM_DETAIL_AT("p", "?2") ","
	" p.opened_at, p.due_at, CASE WHEN p.closed_at <= ?2 THEN p.closed_at"
	" END, coalesce(p.account_id, 0), coalesce(a.platform_uid, ''), e.at,"
	" coalesce(e.from_kind, ''),"
	" (p.opened_at >= ?1 AND p.opened_at <= ?2) OR p.id IN (SELECT"
	"  y.problem_id FROM problem_event y WHERE y.action = 'escalated' AND"
	"  y.at >= ?1 AND y.at <= ?2) AS o1,"
	" p.closed_at >= ?1 AND p.closed_at <= ?2 AND p.opened_at <= ?2 AS o2,"
	" p.opened_at <= ?2 AND p.due_at < ?2 AND (p.closed_at IS NULL OR"
	"  p.closed_at > ?2) AS o3"
	" FROM problem p JOIN unit u ON u.id = p.unit_id"
	" LEFT JOIN account a ON a.id = p.account_id"
	" LEFT JOIN problem_event e ON e.id = (SELECT min(x.id) FROM"
	"  problem_event x WHERE x.problem_id = p.id AND x.action = 'escalated'"
	"  AND x.at >= ?1 AND x.at <= ?2)"
	" WHERE p.kind != 'unreachable' AND (o1 OR o2 OR o3)"
	" ORDER BY p.opened_at, p.id";

enum { Q_UNIT, Q_UNIT_NAME, Q_PLATFORM, Q_NAME, Q_KIND, Q_SEVERITY, Q_DETAIL,
    Q_OPENED, Q_DUE, Q_CLOSED, Q_ACCOUNT, Q_UID, Q_ESCALATED, Q_FROM_KIND,
    Q_IN_OPENED };

static const char *const problem_lists[] = { "opened", "closed", "overdue" };

static json_t *
date_or_empty(sqlite3_stmt *st, int col, json_t *texts)
{
	char buf[CN_DATE_SIZE];

	if (db_column_is_null(st, col))
		return shared_text(texts, "");
	date_cn((time_t)sqlite3_column_int64(st, col), buf, sizeof(buf));
	return shared_text(texts, buf);
}

/* The detail as it stood at the check time; an escalation in the month
 * is said at its end: "…（2026年2月10日由超期未更新升级）".  A new
 * reference. */
static json_t *
detail_text(sqlite3_stmt *st, json_t *texts)
{
	char day[CN_DATE_SIZE];

	if (db_column_is_null(st, Q_ESCALATED))
		return json_incref(shared_text(texts, db_column_text(st, Q_DETAIL)));
	date_cn((time_t)sqlite3_column_int64(st, Q_ESCALATED), day, sizeof(day));
	return json_sprintf("%s（%s由%s升级）", db_column_text(st, Q_DETAIL), day,
	    problem_kind_label(db_column_text(st, Q_FROM_KIND)));
}

static json_t *
problem_row(const struct config *cfg, sqlite3_stmt *st, json_t *texts)
{
	bool unit_wide = sqlite3_column_int64(st, Q_ACCOUNT) == 0;
	bool serious = strcmp(db_column_text(st, Q_SEVERITY), "serious") == 0;

	json_t *row = json_object(), *detail = detail_text(st, texts);

	row_shared(row, "unit", texts, db_column_text(st, Q_UNIT));
	row_shared(row, "unit_name", texts, db_column_text(st, Q_UNIT_NAME));
	row_int(row, "account_id", sqlite3_column_int64(st, Q_ACCOUNT));
	row_shared(row, "platform", texts, unit_wide ? "—" : platform_label(cfg,
	    db_column_text(st, Q_PLATFORM)));
	row_text(row, "account", unit_wide ? "（单位整体）" :
	    db_column_text(st, Q_NAME));
	row_text(row, "uid", db_column_text(st, Q_UID));
	row_shared(row, "kind", texts, serious ? "严重表述错误" :
	    problem_kind_label(db_column_text(st, Q_KIND)));
	row_shared(row, "kind_key", texts, db_column_text(st, Q_KIND));
	json_object_set_new_nocheck(row, "detail", detail ? detail :
	    json_string(""));
	json_object_set_nocheck(row, "opened", date_or_empty(st, Q_OPENED, texts));
	json_object_set_nocheck(row, "due", date_or_empty(st, Q_DUE, texts));
	json_object_set_nocheck(row, "closed", date_or_empty(st, Q_CLOSED, texts));
	json_object_set_nocheck(row, "escalated", date_or_empty(st, Q_ESCALATED,
	    texts));
	return row;
}

/* The lists by name, each by unit, the rows of a list in the order the
 * problems were opened. */
static json_t *
problems(sqlite3 *db, const struct config *cfg, const struct period *p)
{
	json_t *lists = json_object(), *texts = json_object(), *row;
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(problem_lists); i++)
		json_object_set_new(lists, problem_lists[i], json_array());
	st = db_prepare(db, problem_query, "II", (long long)p->from,
	    (long long)p->check);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		row = problem_row(cfg, st, texts);
		for (i = 0; i < ARRAY_SIZE(problem_lists); i++)
			if (sqlite3_column_int64(st, Q_IN_OPENED + (int)i))
				json_array_append(json_object_get(lists,
				    problem_lists[i]), row);
		json_decref(row);
	}
	sqlite3_finalize(st);
	json_decref(texts);
	for (i = 0; i < ARRAY_SIZE(problem_lists); i++)
		sort_by_unit(cfg, json_object_get(lists, problem_lists[i]), "unit");
	return lists;
}

/* Whether the registry holds more accounts than the documents list one
 * by one: only then can the accounts active at the check time be more
 * (a database error: false, the lists are read). */
static bool
many_accounts(sqlite3 *db)
{
	bool over = false;

	return account_count_over(db, LIST_ALL_ACCOUNTS, false, &over) == 0 &&
	    over;
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

/* Accounts that were stale or dormant and posted again in the month,
 * read from their own index (state_change_return, sql/0017): its WHERE
 * is this one's, word for word. */
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

/* A problem as a run of months sees it: when it was open, and its
 * account (0 for a unit-wide problem).  Its condition is an offset in the
 * spells' text: tens of thousands of problems are read, their texts not
 * each allocated. */
struct spell {
	long long  unit_id, account_id;
	size_t     condition;
	time_t     opened, closed;        /* closed: 0 while open */
	bool       dormant;               /* open in the month, dormant at
	                                   * its check time */
};

struct spells {
	struct spell  *s;
	size_t         n;
	struct strbuf  text;              /* NUL-separated */
};

/* A text of a spell: the offset of the column's text in sp->text. */
static size_t
spell_text(struct spells *sp, sqlite3_stmt *st, int col)
{
	const char *text = db_column_text(st, col);
	size_t at = sp->text.len;

	sb_append(&sp->text, text, strlen(text) + 1);
	return at;
}

#define SPELL_TEXT(SP, S, F) ((SP)->text.buf + (S)->F)

/* The spells by unit, condition and account (a unit-wide problem's 0
 * first), then by opening. */
static int
spell_cmp(const void *a, const void *b, void *arg)
{
	const struct spell *x = a, *y = b;
	const struct spells *sp = arg;
	int c;

	if (x->unit_id != y->unit_id)
		return x->unit_id < y->unit_id ? -1 : 1;
	if ((c = strcmp(SPELL_TEXT(sp, x, condition), SPELL_TEXT(sp, y,
	    condition))) != 0)
		return c;
	if (x->account_id != y->account_id)
		return x->account_id < y->account_id ? -1 : 1;
	return x->opened < y->opened ? -1 : x->opened > y->opened;
}

/* Every problem but the unreachable ones opened by the check time and
 * open in the months a run is looked for in (LOOKBACK_MONTHS), by unit,
 * condition and account: one read for all the runs and for the month's
 * worst kind of each (the kind at the check time is looked up only for
 * the stale problems open in the month).  The problems are read in the
 * table's order (NOT INDEXED): in the order of the unit index each is a
 * random read of a table larger than SQLite's page cache.  They are
 * sorted here (spell_cmp()), not by SQLite's sorter, which took as long
 * as the read. */
static int
spells_load(sqlite3 *db, const struct period *p, struct spells *sp)
{
	struct month first;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = SQLITE_ERROR;

	month_shift(p->m, -(LOOKBACK_MONTHS - 1), &first);
	st = db_prepare(db, "SELECT p.unit_id, " CONDITION("p.kind")
	    " AS c, p.opened_at, coalesce(p.closed_at, 0),"
	    " coalesce(p.account_id, 0), CASE WHEN " CONDITION("p.kind") " ="
	    " 'stale' AND (p.closed_at IS NULL OR p.closed_at > ?3) THEN "
	    PROBLEM_KIND_AT("p", "?1") " = 'dormant' ELSE 0 END FROM problem p"
	    " NOT INDEXED WHERE p.kind != 'unreachable' AND p.opened_at <= ?1"
	    " AND (p.closed_at IS NULL OR p.closed_at > ?2)", "III",
	    (long long)p->check, (long long)first.start, (long long)p->m->start);

	memset(sp, 0, sizeof(*sp));
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sp->n == cap) {
			cap = cap ? cap * 2 : 256;
			sp->s = xrealloc(sp->s, cap * sizeof(*sp->s));
		}
		sp->s[sp->n++] = (struct spell){ sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 4), spell_text(sp, st, 1),
		    (time_t)sqlite3_column_int64(st, 2),
		    (time_t)sqlite3_column_int64(st, 3),
		    sqlite3_column_int64(st, 5) != 0 };
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	qsort_r(sp->s, sp->n, sizeof(*sp->s), spell_cmp, sp);
	return 0;
}

static void
spells_free(struct spells *sp)
{
	free(sp->s);
	sb_free(&sp->text);
}

/* The end of the spells of the unit and condition of spell first. */
static size_t
group_end(const struct spells *sp, size_t first)
{
	const struct spell *head = &sp->s[first], *s;
	size_t end;

	for (end = first + 1; end < sp->n; end++) {
		s = &sp->s[end];
		if (s->unit_id != head->unit_id || strcmp(SPELL_TEXT(sp, s,
		    condition), SPELL_TEXT(sp, head, condition)) != 0)
			break;
	}
	return end;
}

/* The month's kind of the spells [first, end) of a unit's condition:
 * "dormant" when one of the stale ones open in the month was dormant at
 * its check time, else the condition; NULL when none was open in the
 * month (all were opened by the check time). */
static const char *
month_kind(const struct spells *sp, size_t first, size_t end,
    const struct period *p)
{
	const struct spell *s;
	bool open = false, dormant = false;
	size_t i;

	for (i = first; i < end; i++) {
		s = &sp->s[i];
		if (s->closed == 0 || s->closed > p->m->start) {
			open = true;
			dormant |= s->dormant;
		}
	}
	if (!open)
		return NULL;
	return dormant ? "dormant" : SPELL_TEXT(sp, &sp->s[first], condition);
}

/* Whether the spell was open at some time in [from, to). */
static bool
open_between(const struct spell *s, time_t from, time_t to)
{
	return s->opened < to && (s->closed == 0 || s->closed > from);
}

static bool
open_in_month(const struct spells *sp, size_t first, size_t end,
    const struct month *m)
{
	size_t i;

	for (i = first; i < end; i++)
		if (open_between(&sp->s[i], m->start, m->end))
			return true;
	return false;
}

/* The accounts of a run open since from, as "平台“名称”", in account
 * order, each once; their names are looked up here (account: "SELECT
 * platform, name FROM account WHERE id = ?"), for the runs reported
 * only. */
static char *
run_accounts(const struct config *cfg, const struct spells *sp, size_t first,
    size_t end, time_t from, sqlite3_stmt *account)
{
	struct strbuf sb = STRBUF_INIT;
	const struct spell *s, *prev = NULL;
	size_t i;

	for (i = first; i < end; i++) {
		s = &sp->s[i];
		if (s->closed != 0 && s->closed <= from)
			continue;
		if (prev && prev->account_id == s->account_id)
			continue;
		prev = s;
		if (sb.len)
			sb_puts(&sb, "、");
		sqlite3_reset(account);
		sqlite3_bind_int64(account, 1, s->account_id);
		if (s->account_id == 0 || sqlite3_step(account) != SQLITE_ROW)
			sb_puts(&sb, "（单位整体）");
		else
			sb_printf(&sb, "%s“%s”", platform_label(cfg,
			    db_column_text(account, 0)), db_column_text(account, 1));
	}
	return sb_steal(&sb);
}

/* A run is named by the worst kind of its condition this month. */
static json_t *
offender(sqlite3_stmt *unit, const char *kind, int run,
    const struct period *p, const char *accounts)
{
	json_t *months = json_array(), *row;
	struct strbuf text = STRBUF_INIT;
	struct month m;
	char buf[16];
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
	row = json_pack("{s:s, s:s, s:s, s:I, s:o, s:s, s:s}", "unit",
	    db_column_text(unit, 0), "unit_name", db_column_text(unit, 1),
	    "kind", problem_kind_label(kind),
	    "months_count", (json_int_t)run, "months", months, "months_text",
	    sb_str(&text), "accounts", accounts);
	sb_free(&text);
	return row;
}

/* How many months up to this one the condition was open in, each. */
static int
run_length(const struct spells *sp, size_t first, size_t end,
    const struct period *p)
{
	struct month m;
	int run;

	for (run = 1; run < LOOKBACK_MONTHS; run++) {
		month_shift(p->m, -run, &m);
		if (!open_in_month(sp, first, end, &m))
			break;
	}
	return run;
}

/* Whether some problem (not unreachable) was open in the month before
 * this one: without, no run of two months or more ends in this one (in
 * the first month watched, say) and the problems need not be read.  On
 * a database error, true: the reading that follows says it. */
static bool
open_last_month(sqlite3 *db, const struct period *p)
{
	struct month last;
	long long n = 0;

	month_shift(p->m, -1, &last);
	return db_query_int(db, &n, "SELECT count(*) FROM (SELECT 1 FROM"
	    " problem NOT INDEXED WHERE kind != 'unreachable' AND opened_at < ?1"
	    " AND (closed_at IS NULL OR closed_at > ?2) LIMIT 1)", "II",
	    (long long)last.end, (long long)last.start) != 0 || n > 0;
}

/* Units whose same problem kind was open in each of the last
 * repeat_months months up to this one (年度考核扣分名单), found in the
 * spells read once (spells_load()); each unit's code and name is looked
 * up for its runs only. */
static json_t *
repeat_offenders(sqlite3 *db, const struct config *cfg, const struct period *p)
{
	json_t *rows = json_array();
	struct spells sp;
	struct month m;
	sqlite3_stmt *unit, *account;
	const char *kind;
	size_t first, end;
	char *names;
	int run;

	if (cfg->notice.repeat_months >= 2 && !open_last_month(db, p))
		return rows;
	if (spells_load(db, p, &sp) == -1) {
		spells_free(&sp);
		return rows;
	}
	unit = db_prepare(db, "SELECT code, name FROM unit WHERE id = ?", "I",
	    0LL);
	account = db_prepare(db, "SELECT platform, name FROM account WHERE"
	    " id = ?", "I", 0LL);
	for (first = 0; unit && account && first < sp.n; first = end) {
		end = group_end(&sp, first);
		if ((kind = month_kind(&sp, first, end, p)) == NULL)
			continue;
		run = run_length(&sp, first, end, p);
		if (run < cfg->notice.repeat_months)
			continue;
		sqlite3_reset(unit);
		sqlite3_bind_int64(unit, 1, sp.s[first].unit_id);
		if (sqlite3_step(unit) != SQLITE_ROW)
			continue;
		month_shift(p->m, -(run - 1), &m);
		names = run_accounts(cfg, &sp, first, end, m.start, account);
		json_array_append_new(rows, offender(unit, kind, run, p, names));
		free(names);
	}
	sqlite3_finalize(unit);
	sqlite3_finalize(account);
	spells_free(&sp);
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
		return set_error(error, _("month %s: has not started yet"), month);
	if (!monitoring_began(db, &start))
		return set_error(error, _("month %s: monitoring has not begun (no "
		    "account has been evaluated yet); a bulletin covers only "
		    "watched time"), month);
	date_cn(start, began, sizeof(began));
	if (start >= m->end)
		return set_error(error, _("month %s: monitoring began on %s, after "
		    "this month; a bulletin covers only watched time"), month,
		    began);
	p->m = m;
	p->check = m->end - 1 < now ? m->end - 1 : now;
	/* watched days: the day monitoring began is one of them */
	p->from = day_start(start) > m->start ? day_start(start) : m->start;
	p->began = start;
	return 0;
}

/* A row kept and its account's id. */
struct kept_row {
	long long id;
	json_t   *row;
};

static int
kept_row_cmp(const void *a, const void *b)
{
	const struct kept_row *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The rows kept by account id. */
static struct kept_row *
kept_rows(const struct figures *f, size_t n_kept)
{
	struct kept_row *kept = xcalloc(n_kept + 1, sizeof(*kept));
	size_t i;

	for (i = 0; i < n_kept; i++) {
		kept[i].row = json_array_get(f->rows, i);
		kept[i].id = rd_int(kept[i].row, "account_id");
	}
	qsort(kept, n_kept, sizeof(*kept), kept_row_cmp);
	return kept;
}

/* A row of the platform and name of an account whose row was not kept. */
static json_t *
name_row(sqlite3 *db, const struct config *cfg, long long id)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT platform, name FROM account"
	    " WHERE id = ?", "I", id);
	json_t *row = NULL;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		row = json_pack("{s:I, s:s, s:s}", "account_id", (json_int_t)id,
		    "platform", platform_label(cfg, db_column_text(st, 0)),
		    "account", db_column_text(st, 1));
	sqlite3_finalize(st);
	return row;
}

/* The hashes of every active account's name and of the accounts named
 * in the n lists (their rows' "platform" and "account"). */
static struct shared_names *
names_of(const struct figures *f, json_t *const *lists, size_t n)
{
	struct shared_names *shared;
	size_t i, j, total = f->n_names;
	const json_t *r;
	json_int_t id;

	for (i = 0; i < n; i++)
		total += json_array_size(lists[i]);
	shared = shared_names_new(total);
	for (i = 0; i < f->n_names; i++)
		shared_names_add(shared, f->names[i].hash, f->names[i].id);
	for (i = 0; i < n; i++)
		json_array_foreach(lists[i], j, r)
			if ((id = rd_int(r, "account_id")) > 0)
				shared_names_add(shared, name_hash(rd_str(r, "platform"),
				    rd_str(r, "account")), id);
	return shared;
}

/* The active accounts that share their platform and name with another
 * account (active, or named in one of the n lists): their rows kept go
 * to named; rows are made for the others, returned, so that labelled
 * with them a namesake is told apart as it would be were every account
 * listed.  The hashes several accounts share are counted first
 * (shared_names): only their accounts are looked at, and the rows kept
 * read only if there are such. */
static json_t *
namesakes(sqlite3 *db, const struct config *cfg, struct figures *f,
    json_t *const *lists, size_t n, json_t *named)
{
	size_t i, n_kept = json_array_size(f->rows);
	struct shared_names *shared = names_of(f, lists, n);
	struct kept_row *kept = NULL, *hit;
	json_t *rows = json_array(), *row;

	for (i = 0; i < f->n_names; i++) {
		if (!shared_names_several(shared, f->names[i].hash))
			continue;
		if (kept == NULL)
			kept = kept_rows(f, n_kept);
		hit = bsearch(&(struct kept_row){ f->names[i].id, NULL }, kept,
		    n_kept, sizeof(*kept), kept_row_cmp);
		if (hit)
			json_array_append(named, hit->row);
		else if ((row = name_row(db, cfg, f->names[i].id)) != NULL)
			json_array_append_new(rows, row);
	}
	shared_names_free(shared);
	free(kept);
	return rows;
}

/* Accounts named the same way in more than one list are told apart the
 * same way in all: the accounts' rows kept (those of "accounts",
 * "unqualified" and "gaps"; of a large registry only those that have a
 * namesake), their namesakes not kept, and the other lists. */
static void
label_all(sqlite3 *db, const struct config *cfg, json_t *d,
    struct figures *f)
{
	json_t *probs = json_object_get(d, "problems");
	json_t *lists[] = { NULL, NULL, json_object_get(d, "returned"),
	    json_object_get(probs, "opened"), json_object_get(probs, "closed"),
	    json_object_get(probs, "overdue") };
	/* every account's row kept: none to look up, all labelled */
	json_t *named = f->every ? json_incref(f->rows) : json_array();

	lists[1] = namesakes(db, cfg, f, lists + 2, ARRAY_SIZE(lists) - 2,
	    named);
	lists[0] = named;
	label_accounts(lists, ARRAY_SIZE(lists));
	json_decref(named);
	json_decref(lists[1]);
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

/* A list's rows, or the sum of its counts per unit when it is counted. */
static json_int_t
list_count(const json_t *d, const char *list)
{
	const json_t *r;
	json_int_t n = (json_int_t)json_array_size(json_object_get(
	    json_object_get(d, "problems"), list));
	size_t i;

	json_array_foreach(json_object_get(d, "problem_counts"), i, r)
		n += rd_int(r, list);
	return n;
}

static void
set_counts(json_t *d)
{
	json_t *sum = json_object_get(d, "summary");
	json_t *probs = json_object_get(d, "problems");
	const json_t *r;
	json_int_t escalated = escalations(json_object_get(probs, "opened"));
	size_t i;

	json_array_foreach(json_object_get(d, "problem_counts"), i, r)
		escalated += rd_int(r, "escalated");
	json_object_set_new(sum, "problems_opened", json_integer(list_count(d,
	    "opened")));
	json_object_set_new(sum, "problems_escalated", json_integer(escalated));
	json_object_set_new(sum, "problems_closed", json_integer(list_count(d,
	    "closed")));
	json_object_set_new(sum, "problems_overdue", json_integer(list_count(d,
	    "overdue")));
	json_object_set_new(sum, "notices", json_integer((json_int_t)
	    json_array_size(json_object_get(d, "notices"))));
	json_object_set_new(sum, "repeat_offenders", json_integer((json_int_t)
	    json_array_size(json_object_get(d, "repeat_offenders"))));
}

/* The lists that do not depend on the walk over the accounts, read
 * beside it on a thread of their own (store/side.h): at 500,000 accounts
 * they take as long as the walk and the returns together.  The month's
 * problems are counted per unit rather than listed when counted is set
 * (bulletin_order_counts() counts them with the work orders). */
struct side_lists {
	const struct config *cfg;
	const struct period *p;
	bool    counted;
	json_t *overdue, *orders, *problems, *counts, *notices, *offenders;
};

static void
read_side_lists(sqlite3 *db, void *arg)
{
	struct side_lists *l = arg;

	l->overdue = bulletin_overdue_notices(db, l->cfg, l->p);
	l->orders = bulletin_order_counts(db, l->cfg, l->p, l->overdue,
	    l->counted ? &l->counts : NULL);
	if (!l->counted)
		l->problems = problems(db, l->cfg, l->p);
	l->notices = notices(db, l->p);
	l->offenders = repeat_offenders(db, l->cfg, l->p);
}

static void
side_lists_free(struct side_lists *l)
{
	json_decref(l->overdue);
	json_decref(l->orders);
	json_decref(l->problems);
	json_decref(l->counts);
	json_decref(l->notices);
	json_decref(l->offenders);
}

/* Every account's row is in "accounts" when listed_all(); beyond, only
 * the accounts to act on are, and the month's problems are counted per
 * unit in "problem_counts" instead of listed in "problems". */
static int
set_figures(sqlite3 *db, const struct config *cfg, json_t *d,
    const struct period *p, bool every)
{
	struct figures f = figures_new(every);
	struct side_lists l = { .cfg = cfg, .p = p,
	    .counted = !every && many_accounts(db) };
	struct db_side side;
	json_t *units, *back = NULL;
	int rc;

	/* what needs only the walk is read while the side reads */
	db_side_start(&side, db, read_side_lists, &l);
	if ((rc = walk_accounts(db, cfg, p, &f)) == 0) {
		back = returned(db, cfg, p);
	}
	db_side_join(&side);
	/* many accounts, few of them active at the check time */
	if (rc == 0 && l.counted && listed_all(&f)) {
		json_decref(l.counts);
		l.counts = NULL;
		l.problems = problems(db, cfg, p);
	}
	if (rc == -1 || l.orders == NULL || (l.problems == NULL &&
	    l.counts == NULL)) {
		rc = -1;
		goto done;
	}
	units = unit_totals(cfg, &f.units);
	json_object_set_new(d, "summary", summary_json(&f.all));
	bulletin_orders_set(d, units, l.orders, l.overdue);
	l.orders = l.overdue = NULL;
	json_object_set_new(d, "platforms", platform_totals(cfg, &f.platforms));
	json_object_set_new(d, "ranking", ranking(units));
	json_object_set_new(d, "units", units);
	split_by_state(f.rows, d);
	if (listed_all(&f))
		json_object_set(d, "accounts", f.rows);
	json_object_set(d, "returned", back);
	json_object_set(d, l.problems ? "problems" : "problem_counts",
	    l.problems ? l.problems : l.counts);
	json_object_set(d, "notices", l.notices);
	json_object_set(d, "repeat_offenders", l.offenders);
	label_all(db, cfg, d, &f);
	set_counts(d);
done:
	side_lists_free(&l);
	json_decref(back);
	figures_free(&f);
	return rc;
}

json_t *
bulletin_build_listing(sqlite3 *db, const struct config *cfg,
    const struct month *m, time_t now, bool every, char **error)
{
	struct period p;
	json_t *d;

	if (watched_period(db, m, now, &p, error) == -1)
		return NULL;
	d = json_object();
	bulletin_set_header(d, cfg, &p, now);
	if (set_figures(db, cfg, d, &p, every) == -1) {
		json_decref(d);
		set_error(error, _("database: the problems of the month cannot be read"));
		return NULL;
	}
	bulletin_set_text(d, cfg, now);
	return d;
}

int
bulletin_keep_last_month(sqlite3 *db, time_t now, long long *accounts)
{
	struct month this_month, m;
	struct period p;
	char month[16], *error = NULL;

	*accounts = 0;
	month_of(now, &this_month);
	month_shift(&this_month, -1, &m);
	/* a month not watched has no figures to keep */
	if (watched_period(db, &m, now, &p, &error) == -1) {
		free(error);
		return 0;
	}
	month_format(&m, month, sizeof(month));
	return bulletin_figures_keep(db, &p, month, now, accounts);
}

json_t *
bulletin_build(sqlite3 *db, const struct config *cfg, const struct month *m,
    time_t now, char **error)
{
	return bulletin_build_listing(db, cfg, m, now, true, error);
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
		return set_error(error, _("month %s: is not over yet; preview it with "
		    "`bulletin preview`, issue it from the 1st of next month"), month);
	if ((issued = document_bulletin_of(db, month)) != 0) {
		db_query_text(db, &serial, "SELECT serial FROM document WHERE id = ?",
		    "I", issued);
		rc = set_error(error, _("month %s: issued before as %s (bulletin %lld); "
		    "void it first to issue it again"), month, serial ? serial : "",
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
