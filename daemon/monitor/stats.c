/* stats.c — the monitoring's counts, one query per table. */
#include <string.h>

#include "base/util.h"
#include "monitor/stats.h"
#include "registry/problem.h"
#include "store/db.h"

/* Active accounts per state as of the last evaluation: the states of all
 * accounts (an index read) less those of the few accounts that are not
 * active, rather than every account joined with its state. */
static int
count_accounts(sqlite3 *db, struct monitor_counts *c)
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

/* The messages waiting and those given up, each an index range.  The
 * sent ones, which pile up by the million, are counted only by
 * monitor_outbox_sent(). */
static int
count_outbox(sqlite3 *db, struct monitor_counts *c)
{
	if (db_query_int(db, &c->outbox_queued, "SELECT count(*) FROM outbox"
	    " WHERE status = 'queued'", "") == -1 ||
	    db_query_int(db, &c->outbox_failed, "SELECT count(*) FROM outbox"
	    " WHERE status = 'failed'", "") == -1)
		return -1;
	return 0;
}

int
monitor_outbox_sent(sqlite3 *db, struct monitor_counts *c)
{
	return db_query_int(db, &c->outbox_sent, "SELECT count(*) FROM outbox"
	    " WHERE status = 'sent'", "") == -1 ? -1 : 0;
}

/* The active accounts whose feed fails: the index of failing or moved
 * feeds (feed_state_failing, whose condition the query repeats so that
 * it is used) read first, the few accounts looked up. */
#define FAILING_FEEDS_COUNT \
	"SELECT count(*) FROM feed_state f CROSS JOIN account a ON a.id =" \
	" f.account_id WHERE (f.failing OR f.permanent_redirect IS NOT NULL)" \
	" AND f.failing AND a.status = 'active'"

/* The accounts with open problems, each once at its worst. */
static int
count_problem_accounts(sqlite3 *db, time_t now, struct monitor_counts *c)
{
	struct problem_tally t;
	size_t i;

	if (problem_tally(db, &(struct problem_window){ now, now, 0 }, &t) == -1)
		return -1;
	c->problem_accounts = t.accounts;
	for (i = 0; i < ARRAY_SIZE(c->worst); i++)
		c->worst[i] = t.by_rank[i];
	return 0;
}

int
monitor_counts_load(sqlite3 *db, const struct config *cfg, time_t now,
    struct monitor_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (count_accounts(db, c) == -1 || count_outbox(db, c) == -1 ||
	    count_problem_accounts(db, now, c) == -1 ||
	    db_query_int(db, &c->failing_feeds, FAILING_FEEDS_COUNT, "") == -1 ||
	    db_query_int(db, &c->open_problems, "SELECT count(*) FROM problem"
	    " WHERE closed_at IS NULL", "") == -1 ||
	    db_query_int(db, &c->overdue_problems, "SELECT count(*) FROM problem"
	    " WHERE closed_at IS NULL AND due_at < ?", "I", (long long)now) == -1 ||
	    health_get(db, HEALTH_EVALUATION, &c->evaluation) == -1 ||
	    ledger_check_counts(db, cfg, now, &c->ledger) == -1)
		return -1;
	return 0;
}

void
monitor_counts_free(struct monitor_counts *c)
{
	health_free(&c->evaluation);
}
