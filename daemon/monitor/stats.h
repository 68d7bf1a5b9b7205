/* stats.h — the monitoring's numbers, counted in one place for everyone
 * who shows them: STATUS=, `mediawatchctl status`, the admins' daily
 * digest, the status report and the console's dashboards (a unit's login
 * sees its own share).  States are as of the last evaluation;
 * an account counts once, at its worst (problem_tally()). */
#ifndef MW_STATS_H
#define MW_STATS_H

#include <sqlite3.h>
#include <time.h>

#include "config/config.h"
#include "monitor/evaluate.h"
#include "monitor/health.h"
#include "registry/ledger.h"
#include "registry/workorder.h"

struct monitor_counts {
	long long      active;             /* accounts being monitored */
	long long      suspended;
	long long      states[N_STATES];   /* active accounts per state */
	long long      not_evaluated;      /* active, not evaluated yet */
	long long      failing_feeds;
	long long      open_problems;
	long long      problem_accounts;   /* accounts with open problems, each once */
	long long      worst[6];           /* … per worst kind (problem_kind_rank) */
	long long      overdue_problems;   /* open past their deadline at now */
	long long      outbox_queued;
	long long      outbox_failed;
	long long      outbox_sent;        /* by monitor_outbox_sent() only */
	long long      orders[N_WO_STATES];  /* open work orders by state (no
	                                        closed ones are counted) */
	long long      orders_overdue;     /* open or returned past their deadline */
	long long      notices_unanswered; /* issued notices not answered */
	long long      notices_overdue;    /* … whose deadline day has passed */
	struct health  evaluation;         /* how the last evaluation went */
	struct ledger_counts ledger;       /* what `ledger check` lists */
};

/* Counts everything as of now.  -1 on a database error (logged); free
 * with monitor_counts_free() either way. */
int  monitor_counts_load(sqlite3 *db, const struct config *cfg, time_t now,
         struct monitor_counts *c);
/* What the admins' daily digest shows beside the evaluation's own
 * counts of states: the problems (open, overdue, the accounts they are
 * about), failing feeds, work orders, notices and the outbox.  The states,
 * the worst kinds, the ledger check and the evaluation's health stay zero:
 * counting them took longer than the rest of the evaluation's mail. */
int  monitor_counts_load_digest(sqlite3 *db, time_t now,
         struct monitor_counts *c);
/* One unit's share, for its own login: the same counts over its accounts,
 * problems, work orders and notices, and with subordinates over those of
 * the units under it too.  The outbox, the ledger check and the
 * evaluation's health are the region's and stay zero here. */
int  monitor_counts_load_unit(sqlite3 *db, const struct config *cfg,
         time_t now, long long unit_id, bool subordinates,
         struct monitor_counts *c);
void monitor_counts_free(struct monitor_counts *c);
/* Fills c->outbox_sent, the messages ever sent, from c's queued and
 * failed counts (monitor_counts_load() first): it counts the whole
 * outbox.  -1 on a database error (logged). */
int  monitor_outbox_sent(sqlite3 *db, struct monitor_counts *c);

#endif
