/* stats.c — the monitoring's counts, one query per table.
 *
 * Every query takes the scope as a condition on a unit id column: "1" for
 * the region, a unit login's units otherwise (unit_scope_sql()). */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "mail/outbox.h"
#include "monitor/stats.h"
#include "registry/problem.h"
#include "registry/unit.h"
#include "store/db.h"

/* Which units count: all (unit_id 0), or one with or without those under
 * it. */
struct scope {
	long long  unit_id;
	bool       subordinates;
};

/* The scope as a condition on column; caller frees. */
static char *
scope_on(const struct scope *s, const char *column)
{
	return s->unit_id ? unit_scope_sql(column, s->unit_id, s->subordinates) :
	    xstrdup("1");
}

/* One unit's share: its accounts joined with their states (a few). */
static int
count_accounts_scoped(sqlite3 *db, const struct scope *s,
    struct monitor_counts *c)
{
	char *where = scope_on(s, "a.unit_id");
	char *sql = xasprintf("SELECT a.status, s.state, count(*) FROM account a"
	    " LEFT JOIN account_state s ON s.account_id = a.id WHERE a.status IN"
	    " ('active', 'suspended') AND %s GROUP BY 1, 2", where);
	sqlite3_stmt *st = db_prepare(db, sql, "");
	int rc = SQLITE_ERROR, state;
	long long n;

	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 2);
		if (strcmp(db_column_text(st, 0), "suspended") == 0) {
			c->suspended += n;
			continue;
		}
		c->active += n;
		state = db_column_is_null(st, 1) ? -1 :
		    state_parse(db_column_text(st, 1));
		if (state < 0)
			c->not_evaluated += n;
		else
			c->states[state] += n;
	}
	sqlite3_finalize(st);
	free(sql);
	free(where);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Active accounts per state as of the last evaluation, region-wide: the
 * states of all accounts (an index read) less those of the few accounts
 * that are not active, rather than every account joined with its state. */
static int
count_accounts_all(sqlite3 *db, struct monitor_counts *c)
{
	sqlite3_stmt *st;
	long long evaluated = 0, n;
	int rc, state;

	if (db_query_int(db, &c->active, "SELECT count(*) FROM account WHERE"
	    " status = 'active'", "") == -1 || db_query_int(db, &c->suspended,
	    "SELECT count(*) FROM account WHERE status = 'suspended'", "") == -1 ||
	    (st = db_prepare(db, "SELECT state, sum(n) FROM (SELECT state,"
	    " count(*) AS n FROM account_state GROUP BY state UNION ALL SELECT"
	    " s.state, -count(*) FROM account a JOIN account_state s ON"
	    " s.account_id = a.id WHERE a.status IN ('suspended', 'closed',"
	    " 'merged') GROUP BY s.state) GROUP BY state", "")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 1);
		if ((state = state_parse(db_column_text(st, 0))) >= 0)
			c->states[state] += n;
		evaluated += n;
	}
	sqlite3_finalize(st);
	c->not_evaluated = c->active - evaluated;
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
count_accounts(sqlite3 *db, const struct scope *s, struct monitor_counts *c)
{
	return s->unit_id ? count_accounts_scoped(db, s, c) :
	    count_accounts_all(db, c);
}

static int
count_outbox(sqlite3 *db, struct monitor_counts *c)
{
	return outbox_pending(db, &c->outbox_queued, &c->outbox_failed);
}

/* Every message is queued, sent or failed (the table's CHECK): the sent
 * ones are all the others.  SQLite counts a whole table from its pages'
 * cell counts, without reading each row as a condition makes it do. */
int
monitor_outbox_sent(sqlite3 *db, struct monitor_counts *c)
{
	long long all = 0;

	if (db_query_int(db, &all, "SELECT count(*) FROM outbox", "") == -1)
		return -1;
	c->outbox_sent = all - c->outbox_queued - c->outbox_failed;
	return 0;
}

/* The active accounts whose feed fails, region-wide: the index of failing
 * or moved feeds (feed_state_failing, whose condition the query repeats
 * so that it is used) read first, the few accounts looked up. */
#define FAILING_FEEDS_COUNT \
	"SELECT count(*) FROM feed_state f CROSS JOIN account a ON a.id =" \
	" f.account_id WHERE (f.failing OR f.permanent_redirect IS NOT NULL)" \
	" AND f.failing AND a.status = 'active'"

static void
add_tally(struct monitor_counts *c, const struct problem_tally *t)
{
	size_t i;

	c->problem_accounts += t->accounts;
	for (i = 0; i < ARRAY_SIZE(c->worst); i++)
		c->worst[i] += t->by_rank[i];
}

/* The accounts with open problems, each once at its worst: an account
 * belongs to one unit, so a scope's count is the sum of its units'. */
static int
count_problem_accounts(sqlite3 *db, const struct scope *s, time_t now,
    struct monitor_counts *c)
{
	struct problem_window w = { .from = now, .to = now };
	struct problem_tally t;
	char *where, *sql;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	if (s->unit_id == 0) {
		if (problem_tally(db, &w, &t) == -1)
			return -1;
		add_tally(c, &t);
		return 0;
	}
	where = scope_on(s, "u.id");
	sql = xasprintf("SELECT u.id FROM unit u WHERE %s", where);
	st = db_prepare(db, sql, "");
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		w.unit_id = sqlite3_column_int64(st, 0);
		if (problem_tally(db, &w, &t) == -1) {
			rc = SQLITE_ERROR;
			break;
		}
		add_tally(c, &t);
	}
	sqlite3_finalize(st);
	free(sql);
	free(where);
	return st && rc == SQLITE_DONE ? 0 : -1;
}

/* One number of a query over the scope: head, the condition on column,
 * then tail; it may use now as ?1 and today (YYYY-MM-DD) as ?2. */
static int
count_one(sqlite3 *db, const struct scope *s, const char *column,
    const char *head, const char *tail, time_t now, long long *out)
{
	char *where = scope_on(s, column), *sql, today[32];
	int rc;

	date_format_local(now, today, sizeof(today));
	/* both bound whether used or not: ?2 after ?1 keeps them numbered */
	sql = xasprintf("%s %s %s AND ?1 IS NOT NULL AND ?2 IS NOT NULL", head,
	    where, tail);
	rc = db_query_int(db, out, sql, "Is", (long long)now, today);
	free(sql);
	free(where);
	return rc == -1 ? -1 : 0;
}

static int
count_orders(sqlite3 *db, const struct scope *s, time_t now,
    struct monitor_counts *c)
{
	char *where = scope_on(s, "p.unit_id");
	char *sql = xasprintf("SELECT " WORKORDER_STATE("p") ", count(*),"
	    " coalesce(sum(p.due_at < ?), 0) FROM problem p WHERE p.closed_at IS"
	    " NULL AND " WORKORDER_KIND("p") " AND %s GROUP BY 1", where);
	sqlite3_stmt *st = db_prepare(db, sql, "I", (long long)now);
	int rc = SQLITE_ERROR, state;

	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((state = workorder_state_parse(db_column_text(st, 0))) < 0)
			continue;
		c->orders[state] += sqlite3_column_int64(st, 1);
		if (state == WO_OPEN || state == WO_RETURNED)
			c->orders_overdue += sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	free(sql);
	free(where);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
count_failing_feeds(sqlite3 *db, const struct scope *s, time_t now,
    struct monitor_counts *c)
{
	if (s->unit_id == 0)
		return db_query_int(db, &c->failing_feeds, FAILING_FEEDS_COUNT,
		    "") == -1 ? -1 : 0;
	return count_one(db, s, "a.unit_id", "SELECT count(*) FROM feed_state f"
	    " JOIN account a ON a.id = f.account_id WHERE a.status = 'active'"
	    " AND f.failing AND", "", now, &c->failing_feeds);
}

/* The notices not answered at now, and those of them past their deadline
 * (before today), in one pass over the notices. */
static int
count_notices(sqlite3 *db, const struct scope *s, time_t now,
    struct monitor_counts *c)
{
	char *where = scope_on(s, "d.unit_id"), *sql, today[32];
	sqlite3_stmt *st;
	int rc = SQLITE_ERROR;

	date_format_local(now, today, sizeof(today));
	sql = xasprintf("SELECT count(*), coalesce(sum(d.due_on < ?2), 0) FROM"
	    " document d WHERE d.kind = 'notice' AND d.state = 'issued' AND "
	    NOTICE_HAS_UNSETTLED("d", "?1") " AND %s", where);
	if ((st = db_prepare(db, sql, "Is", (long long)now, today)) != NULL &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->notices_unanswered = sqlite3_column_int64(st, 0);
		c->notices_overdue = sqlite3_column_int64(st, 1);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	free(sql);
	free(where);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The work to follow up: work orders, failing feeds, open and overdue
 * problems, unanswered notices. */
static int
count_work(sqlite3 *db, const struct scope *s, time_t now,
    struct monitor_counts *c)
{
	if (count_orders(db, s, now, c) == -1 ||
	    count_failing_feeds(db, s, now, c) == -1 ||
	    count_one(db, s, "unit_id", "SELECT count(*) FROM problem WHERE"
	    " closed_at IS NULL AND", "", now, &c->open_problems) == -1 ||
	    count_one(db, s, "unit_id", "SELECT count(*) FROM problem WHERE"
	    " closed_at IS NULL AND due_at < ?1 AND", "", now,
	    &c->overdue_problems) == -1 ||
	    count_notices(db, s, now, c) == -1)
		return -1;
	return 0;
}

static int
count_scoped(sqlite3 *db, const struct scope *s, time_t now,
    struct monitor_counts *c)
{
	if (count_accounts(db, s, c) == -1 ||
	    count_problem_accounts(db, s, now, c) == -1 ||
	    count_work(db, s, now, c) == -1)
		return -1;
	return 0;
}

int
monitor_counts_load(sqlite3 *db, const struct config *cfg, time_t now,
    struct monitor_counts *c)
{
	const struct scope all = { 0, false };

	memset(c, 0, sizeof(*c));
	if (count_scoped(db, &all, now, c) == -1 || count_outbox(db, c) == -1 ||
	    health_get(db, HEALTH_EVALUATION, &c->evaluation) == -1 ||
	    ledger_check_counts(db, cfg, now, &c->ledger) == -1)
		return -1;
	return 0;
}

int
monitor_counts_load_digest(sqlite3 *db, time_t now, struct monitor_counts *c)
{
	const struct scope all = { 0, false };
	const struct problem_window w = { .from = now, .to = now };

	memset(c, 0, sizeof(*c));
	if (problem_account_count(db, &w, &c->problem_accounts) == -1 ||
	    count_work(db, &all, now, c) == -1 || count_outbox(db, c) == -1)
		return -1;
	return 0;
}

int
monitor_counts_load_unit(sqlite3 *db, const struct config *cfg, time_t now,
    long long unit_id, bool subordinates, struct monitor_counts *c)
{
	const struct scope one = { unit_id, subordinates };

	memset(c, 0, sizeof(*c));
	return count_scoped(db, &one, now, c);
}

void
monitor_counts_free(struct monitor_counts *c)
{
	health_free(&c->evaluation);
}
