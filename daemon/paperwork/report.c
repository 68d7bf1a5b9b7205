/* report.c — gathering the status report. */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "monitor/evaluate.h"
#include "monitor/stats.h"
#include "paperwork/paperwork.h"
#include "paperwork/render.h"
#include "paperwork/report.h"
#include "registry/account.h"
#include "registry/problem.h"
#include "store/db.h"
#include "store/side.h"

/* The state class of an account: suspended accounts and those the daemon
 * has not evaluated yet are "none", shown grey. */
static const char *
state_class(sqlite3_stmt *st, const char **label)
{
	int s = db_column_is_null(st, 9) ? -1 : state_parse(db_column_text(st, 9));

	if (strcmp(db_column_text(st, 8), "suspended") == 0) {
		*label = "已暂停";
		return "none";
	}
	if (s < 0) {
		*label = "未评估";
		return "none";
	}
	*label = state_label(s);
	return state_name(s);
}

/* The accounts with open problems, each once (problem_accounts()). */
struct problem_set {
	struct problem_account *a;
	size_t                  n;
};

/* The last update of an account not looked up by the accounts query. */
static bool
last_update_apart(sqlite3 *db, long long id, time_t now, time_t *last)
{
	long long t = 0;

	if (db_query_int(db, &t, "SELECT coalesce(" ACCOUNT_LAST_UPDATE_AT("?1",
	    "?2") ", -1)", "II", id, (long long)now) != 0 || t == -1)
		return false;
	*last = (time_t)t;
	return true;
}

static json_t *
account_row(sqlite3 *db, const struct config *cfg, sqlite3_stmt *st,
    time_t now, const char *state, const char *label, long problems,
    json_t *texts)
{
	const char *platform = db_column_text(st, 3);
	time_t last = (time_t)sqlite3_column_int64(st, 5), since;
	bool has = !db_column_is_null(st, 5);
	json_t *row = json_object();

	if (!sqlite3_column_int(st, 13))
		has = last_update_apart(db, sqlite3_column_int64(st, 0), now, &last);
	since = has ? last : account_grace_start(db_column_text(st, 6),
	    (time_t)sqlite3_column_int64(st, 7));
	row_int(row, "account_id", sqlite3_column_int64(st, 0));
	row_shared(row, "unit", texts, db_column_text(st, 1));
	row_shared(row, "unit_name", texts, db_column_text(st, 2));
	row_shared(row, "platform_key", texts, platform);
	row_shared(row, "platform", texts, platform_label(cfg, platform));
	row_text(row, "account", db_column_text(st, 4));
	row_text(row, "uid", db_column_text(st, 12));
	row_shared(row, "state", texts, state);
	row_shared(row, "state_label", texts, label);
	json_object_set_nocheck(row, "last_update", shared_date(texts, has,
	    last));
	row_int(row, "days", days_between(since, now));
	row_int(row, "open_problems", problems);
	set_threshold_days(row, account_warn_after(cfg, platform, st, 10),
	    account_stale_after(cfg, platform, st, 11));
	return row;
}

/* Whether an account is one to act on: stale, dormant, unverified (a
 * monitoring gap) or with a problem open.  A warning is not yet: its
 * unit has been told, and the state counts say how many there are. */
static bool
needs_action(const char *state, long problems)
{
	return problems > 0 || strcmp(state, "stale") == 0 ||
	    strcmp(state, "dormant") == 0 || strcmp(state, "unverified") == 0;
}

/* A unit's counts, in the order of its "counts" member. */
enum { C_ACCOUNTS, C_NONE = C_ACCOUNTS + 1 + N_STATES, C_PROBLEMS, N_COUNTS };

struct unit_tally {
	json_t    *unit;                  /* its entry, borrowed */
	long long  n[N_COUNTS];
};

static void
tally_add(struct unit_tally *t, const char *state, long problems)
{
	int s = state_parse(state);

	t->n[C_ACCOUNTS]++;
	t->n[s < 0 ? C_NONE : C_ACCOUNTS + 1 + s]++;
	t->n[C_PROBLEMS] += problems > 0;
}

static void
tally_write(const struct unit_tally *t)
{
	json_t *counts = json_object();
	int k;

	json_object_set_new(counts, "accounts", json_integer(t->n[C_ACCOUNTS]));
	for (k = 0; k < N_STATES; k++)
		json_object_set_new(counts, state_name(k),
		    json_integer(t->n[C_ACCOUNTS + 1 + k]));
	json_object_set_new(counts, "none", json_integer(t->n[C_NONE]));
	json_object_set_new(counts, "with_problems",
	    json_integer(t->n[C_PROBLEMS]));
	json_object_set_new(t->unit, "counts", counts);
}

/* The units, their index by code in *index (values: positions). */
static json_t *
load_units(sqlite3 *db, json_t **index)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;

	*index = json_object();
	st = db_prepare(db, "SELECT code, name FROM unit WHERE removed_at IS NULL"
	    " ORDER BY code", "");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		json_object_set_new(*index, db_column_text(st, 0),
		    json_integer((json_int_t)json_array_size(rows)));
		json_array_append_new(rows, json_pack("{s:s, s:s, s:[]}", "code",
		    db_column_text(st, 0), "name", db_column_text(st, 1),
		    "accounts"));
	}
	sqlite3_finalize(st);
	return rows;
}

/* The active and suspended accounts, in id order: the table is read as
 * it is stored (NOT INDEXED) and each account's last update looked up
 * where the previous one's was.  Only a listed account needs it: every
 * one when ?2 (all are listed), else those to act on; column 13 says
 * whether it was looked up (an account listed for its open problem
 * alone is looked up apart: problem_accounts() knows them already).
 * ?3 and ?4 are the ids of the part of the walk (struct walk_part).
 * Each unit's rows are put in order after. */
#define LOOKED_UP "(?2 OR (a.status = 'active' AND s.state IN ('stale'," \
	" 'dormant', 'unverified')))"
static const char accounts_query[] =
	"SELECT a.id, u.code, u.name, a.platform, a.name, CASE WHEN "
	LOOKED_UP " THEN " ACCOUNT_LAST_UPDATE_AT("a.id", "?1") " END,"
	" a.opened_on, a.created_at, a.status, s.state, a.warn_after,"
	" a.stale_after, coalesce(a.platform_uid, ''), " LOOKED_UP
	" FROM account a NOT INDEXED JOIN unit u ON u.id = a.unit_id"
	" LEFT JOIN account_state s ON s.account_id = a.id"
	" WHERE a.status IN ('active', 'suspended') AND a.id >= ?3 AND a.id < ?4";

/* What both parts of the walk read alike. */
struct walk_input {
	const struct config *cfg;
	time_t               now;
	bool                 all;
	const json_t        *index;    /* unit code: its position */
	size_t               n_units;
};

/* A part of the walk: the accounts with ids from lo to below hi, counted
 * and listed by unit in a tally and rows of its own. */
struct walk_part {
	const struct walk_input *in;
	long long                lo, hi;
	struct unit_tally       *t;        /* by unit position */
	json_t                 **rows;     /* each unit's listed rows */
	json_t                  *texts;
	int                      rc;
};

static void
walk_part(sqlite3 *db, void *arg)
{
	struct walk_part *w = arg;
	const struct walk_input *in = w->in;
	const struct problem_account *pa;
	struct problem_set ps = { NULL, 0 };
	const char *state, *label;
	sqlite3_stmt *st = NULL;
	json_t *at;
	size_t i;
	long problems;
	int rc = SQLITE_ERROR;

	if (problem_accounts(db, &(struct problem_window){ .from = in->now,
	    .to = in->now, .first_id = w->lo, .end_id = w->hi }, &ps.a,
	    &ps.n) == 0)
		st = db_prepare(db, accounts_query, "IiII", (long long)in->now,
		    in->all, w->lo, w->hi);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((at = json_object_get(in->index, db_column_text(st, 1))) == NULL)
			continue;
		i = (size_t)json_integer_value(at);
		pa = problem_account_find(ps.a, ps.n, sqlite3_column_int64(st, 0));
		problems = pa ? pa->problems : 0;
		state = state_class(st, &label);
		tally_add(&w->t[i], state, problems);
		if (!in->all && !needs_action(state, problems))
			continue;
		json_array_append_new(w->rows[i], account_row(db, in->cfg, st,
		    in->now, state, label, problems, w->texts));
	}
	sqlite3_finalize(st);
	free(ps.a);
	w->rc = rc == SQLITE_DONE ? 0 : -1;
}

static void
walk_part_init(struct walk_part *w, const struct walk_input *in, long long lo,
    long long hi)
{
	size_t i;

	*w = (struct walk_part){ .in = in, .lo = lo, .hi = hi,
	    .t = xcalloc(in->n_units + 1, sizeof(*w->t)),
	    .rows = xcalloc(in->n_units + 1, sizeof(*w->rows)),
	    .texts = json_object() };
	for (i = 0; i < in->n_units; i++)
		w->rows[i] = json_array();
}

static void
walk_part_free(struct walk_part *w)
{
	size_t i;

	for (i = 0; i < w->in->n_units; i++)
		json_decref(w->rows[i]);
	free(w->rows);
	free(w->t);
	json_decref(w->texts);
}

/* Each account counted in its unit; listed in it when all are, else
 * when it is one to act on.  The accounts are walked in two parts of
 * their ids, the higher on a thread of its own (store/side.h) beside
 * the caller's; the parts' tallies are added and their rows put in
 * order by unit after.  *listed gets every listed row (borrowed). */
static int
add_accounts(sqlite3 *db, const struct config *cfg, time_t now, bool all,
    json_t *units, json_t *index, json_t *listed)
{
	struct walk_input in = { cfg, now, all, index, json_array_size(units) };
	struct walk_part low, high;
	struct unit_tally t;
	struct db_side side;
	long long lo, mid, hi;
	json_t *accounts;
	size_t i;
	int k, rc;

	if (account_id_range(db, &lo, &hi) == -1)
		return -1;
	mid = lo + (hi - lo) / 2;
	walk_part_init(&low, &in, lo, mid);
	walk_part_init(&high, &in, mid, hi);
	db_side_start(&side, db, walk_part, &high);
	walk_part(db, &low);
	db_side_join(&side);
	rc = low.rc == 0 && high.rc == 0 ? 0 : -1;
	for (i = 0; rc == 0 && i < in.n_units; i++) {
		t = (struct unit_tally){ json_array_get(units, i), { 0 } };
		for (k = 0; k < N_COUNTS; k++)
			t.n[k] = low.t[i].n[k] + high.t[i].n[k];
		tally_write(&t);
		accounts = json_object_get(t.unit, "accounts");
		json_array_extend(accounts, low.rows[i]);
		json_array_extend(accounts, high.rows[i]);
		json_array_extend(listed, accounts);
		/* by platform, then id, as the ledger lists them */
		sort_accounts_by_unit(cfg, accounts);
	}
	walk_part_free(&low);
	walk_part_free(&high);
	return rc;
}

/* Units with their accounts nested, in the configured order; units
 * without open accounts are listed too, so nobody is missing from the
 * page.  Every account is listed when all is set, else only those to act
 * on: each unit's counts say the rest. */
static json_t *
units(sqlite3 *db, const struct config *cfg, time_t now, bool all,
    json_t *listed)
{
	json_t *index, *rows;

	rows = load_units(db, &index);
	if (add_accounts(db, cfg, now, all, rows, index, listed) == -1) {
		json_decref(rows);
		rows = NULL;
	} else
		sort_by_unit(cfg, rows, "code");
	json_decref(index);
	return rows;
}

static json_t *
problem_row(const struct config *cfg, sqlite3_stmt *st, time_t now,
    json_t *texts)
{
	bool unit_wide = db_column_is_null(st, 1);
	bool has_due = !db_column_is_null(st, 6);
	bool overdue = has_due && sqlite3_column_int64(st, 6) < (long long)now;
	json_t *row = json_object();

	row_shared(row, "unit", texts, db_column_text(st, 8));
	row_shared(row, "unit_name", texts, db_column_text(st, 0));
	row_int(row, "account_id", sqlite3_column_int64(st, 9));
	row_shared(row, "platform", texts, unit_wide ? "—" :
	    platform_label(cfg, db_column_text(st, 1)));
	row_text(row, "account", db_column_text(st, 2));
	row_text(row, "uid", db_column_text(st, 10));
	row_shared(row, "kind", texts, strcmp(db_column_text(st, 7),
	    "serious") == 0 ? "严重表述错误" :
	    problem_kind_label(db_column_text(st, 3)));
	row_shared(row, "kind_key", texts, db_column_text(st, 3));
	row_text(row, "detail", db_column_text(st, 4));
	json_object_set_nocheck(row, "opened", shared_date(texts, true,
	    (time_t)sqlite3_column_int64(st, 5)));
	json_object_set_nocheck(row, "due", has_due ? shared_date(texts, true,
	    (time_t)sqlite3_column_int64(st, 6)) : shared_text(texts, ""));
	row_shared(row, "overdue", texts, overdue ? "已逾期" : "");
	row_shared(row, "state", texts, overdue ? "overdue" : "");
	return row;
}

/* The open problems, one row each (an account has one problem per
 * condition). */
static json_t *
open_problems(sqlite3 *db, const struct config *cfg, time_t now)
{
	json_t *rows = json_array(), *texts = json_object();
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT u.name, a.platform, coalesce(a.name,"
	    " '（单位整体）'), p.kind, p.detail, p.opened_at, p.due_at,"
	    " coalesce(p.severity, ''), u.code, coalesce(p.account_id, 0),"
	    " coalesce(a.platform_uid, '') FROM problem p JOIN unit u ON u.id ="
	    " p.unit_id LEFT JOIN account a ON a.id = p.account_id WHERE"
	    " p.closed_at IS NULL ORDER BY p.opened_at, p.id", "");
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, problem_row(cfg, st, now, texts));
	sqlite3_finalize(st);
	json_decref(texts);
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

/* The open problems counted per unit, where the report of a large
 * registry would list them: rows {unit, unit_name, open, overdue} in the
 * configured order of the units, read in the table's order (NOT
 * INDEXED, as spells_load() says).  NULL on a database error. */
static json_t *
open_problem_counts(sqlite3 *db, const struct config *cfg, time_t now)
{
	static const char *const keys[] = { "open", "overdue" };

	return unit_counts_read(cfg, db_prepare(db, "SELECT u.code, u.name,"
	    " c.n, c.overdue FROM (SELECT unit_id, count(*) AS n, sum(due_at < ?)"
	    " AS overdue FROM problem NOT INDEXED WHERE closed_at IS NULL GROUP"
	    " BY unit_id) c JOIN unit u ON u.id = c.unit_id", "I",
	    (long long)now), keys, ARRAY_SIZE(keys));
}

/* The counts at the top: the units' counts added up (every open account
 * belongs to a unit not removed), as every status display counts them;
 * suspended accounts and those not evaluated yet count as "none". */
static json_int_t
units_count(const json_t *units, const char *key)
{
	const json_t *u;
	json_int_t n = 0;
	size_t i;

	json_array_foreach(units, i, u)
		n += rd_int(json_object_get(u, "counts"), key);
	return n;
}

static json_t *
summary(const json_t *units, const json_t *problems, const json_t *counts)
{
	json_t *s = json_object(), *p;
	json_int_t open = (json_int_t)json_array_size(problems), overdue = 0;
	size_t i;
	int k;

	json_object_set_new(s, "accounts", json_integer(units_count(units,
	    "accounts")));
	for (k = 0; k < N_STATES; k++)
		json_object_set_new(s, state_name(k), json_integer(units_count(
		    units, state_name(k))));
	json_object_set_new(s, "none", json_integer(units_count(units, "none")));
	json_array_foreach(problems, i, p)
		overdue += strcmp(rd_str(p, "state"), "overdue") == 0;
	json_array_foreach(counts, i, p) {
		open += rd_int(p, "open");
		overdue += rd_int(p, "overdue");
	}
	json_object_set_new(s, "open_problems", json_integer(open));
	json_object_set_new(s, "overdue_problems", json_integer(overdue));
	return s;
}

/* The open problems, read beside the walk over the accounts on a thread
 * of their own (store/side.h): listed when every account is (all), else
 * counted per unit, as the accounts are. */
struct side_problems {
	const struct config *cfg;
	time_t               now;
	bool                 all;
	json_t              *rows, *counts;
};

static void
read_open_problems(sqlite3 *db, void *arg)
{
	struct side_problems *sp = arg;

	if (sp->all)
		sp->rows = open_problems(db, sp->cfg, sp->now);
	else
		sp->counts = open_problem_counts(db, sp->cfg, sp->now);
}

json_t *
report_build(sqlite3 *db, const struct config *cfg, time_t now)
{
	json_t *d, *listed, *u, *lists[2];
	struct side_problems sp = { .cfg = cfg, .now = now };
	struct db_side side;
	char generated[CN_DATE_SIZE];
	bool over;

	/* every account and problem listed up to LIST_ALL_ACCOUNTS open
	 * accounts */
	if (account_count_over(db, LIST_ALL_ACCOUNTS, true, &over) == -1)
		return NULL;
	sp.all = !over;
	listed = json_array();
	db_side_start(&side, db, read_open_problems, &sp);
	u = units(db, cfg, now, sp.all, listed);
	db_side_join(&side);
	if (u == NULL || (sp.rows == NULL && sp.counts == NULL)) {
		json_decref(u);
		json_decref(listed);
		json_decref(sp.rows);
		json_decref(sp.counts);
		return NULL;
	}
	d = json_object();
	lists[0] = listed;
	lists[1] = sp.rows;
	label_accounts(lists, ARRAY_SIZE(lists));
	time_cn(now, generated, sizeof(generated));
	json_object_set_new(d, "kind", json_string("report"));
	json_object_set_new(d, "title", json_string("政务新媒体账号监测状态"));
	json_object_set_new(d, "issuer", json_string(cfg->notice.issuer));
	json_object_set_new(d, "generated", json_string(generated));
	json_object_set_new(d, "summary", summary(u, sp.rows, sp.counts));
	json_object_set_new(d, "listed", json_string(sp.all ? "all" : "action"));
	json_object_set_new(d, "units", u);
	json_object_set_new(d, sp.rows ? "problems" : "problem_counts",
	    sp.rows ? sp.rows : sp.counts);
	json_decref(listed);
	return d;
}
