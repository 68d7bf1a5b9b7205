/* problem.h — the problem list (问题清单): every problem followed until it
 * is closed (销号).  Automatic problems (stale, dormant, unreachable,
 * wording) are opened and closed by the monitor through the problem_auto_*
 * functions; admins add manual ones, close any with a reason, and reopen.
 *
 * One problem per account and condition: an account that is not updated
 * has one open problem for it, stale at first and escalated in place to
 * dormant.  History is never rewritten: a closed problem stays closed as
 * it was (reopening opens a new problem that names it), and an escalation
 * is an event of the problem, so a past month reads the same later.
 * Admin changes are audited; escalations and reopenings are also events
 * of the problem (problem_event).
 *
 * Owns tables: problem, problem_event. */
#ifndef MW_PROBLEM_H
#define MW_PROBLEM_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

struct problem_new {
	long long   account_id;      /* 0: about the unit as a whole */
	const char *unit_code;       /* required when account_id is 0 */
	const char *kind;            /* "manual" (default) or "wording" */
	const char *detail;
	const char *evidence;
	const char *due;             /* YYYY-MM-DD, or NULL for the default */
};

struct problem_filter {
	const char *unit_code;
	const char *kind;
	const char *state;           /* "open" (default), "closed", "all" */
	long long   account_id;
	bool        overdue;
	time_t      now;
};

/* Each returns -1 with *error (caller frees) on refusal; run inside the
 * caller's transaction.  due is the deadline when p->due gives none
 * (config_deadline()); a given date is due by the end of that day. */
int problem_add(sqlite3 *db, const struct problem_new *p, time_t due,
        long long *id, char **error);
int problem_close(sqlite3 *db, long long id, const char *reason,
        const char *note, char **error);
/* Opens a new problem like the closed problem id (its account, unit,
 * kind, detail and evidence) due at due, which names id as reopened_from;
 * id keeps its closing and records the reopening.  *new_id is the new
 * problem. */
int problem_reopen(sqlite3 *db, long long id, const char *note, time_t due,
        long long *new_id, char **error);

/* ---- the monitor's problems (no audit row; inside its transaction) ---- */

/* An automatic problem about one account: kind stale, dormant,
 * unreachable or reopened-closed-account (one open per account and kind),
 * or wording. */
struct problem_auto {
	long long   account_id;
	long long   unit_id;
	const char *kind;
	const char *detail;
	const char *evidence;
	bool        has_last_update;
	time_t      last_update;     /* the account's, when opened */
	time_t      due;             /* rectification deadline */
	long long   post_id;         /* wording: the post, else 0 */
	const char *severity;        /* wording: serious | typo, else NULL */
	const char *opened_by;       /* NULL: "mediawatchd" */
};

/* Opens p unless a problem of its condition is open for the account
 * (unreachable; stale and dormant share one).  Returns 1 when opened (*id
 * set), 0 when one was open already (*id and *due, when given, are that
 * one's), -1 on a database error (logged). */
int problem_auto_open(sqlite3 *db, const struct problem_auto *p, time_t now,
        long long *id, time_t *due);
/* problem_auto_open() for the n problems of p (of different conditions
 * or accounts), written in batches: the evaluation's first pass opens
 * one for each quiet account.  Neither ids nor deadlines come back.
 * Returns how many were opened (the others' conditions were open
 * already), -1 on a database error (logged). */
long long problem_auto_open_many(sqlite3 *db, const struct problem_auto *p,
        size_t n, time_t now);
/* Escalates the open problem id in place to kind with detail (a stale
 * account that turned dormant), recording the kind and detail it had.
 * Its deadline stays.  Returns 1 when escalated, 0 when it was not open,
 * -1 on a database error. */
int problem_auto_escalate(sqlite3 *db, long long id, const char *kind,
        const char *detail, time_t now);
/* Closes the open problem id with reason (recovered, rectified, waived)
 * and note: a recovered account's, a wording problem whose wrong form is
 * gone.  Returns 1 when closed, 0 when it was not open, -1. */
int problem_auto_close(sqlite3 *db, long long id, const char *reason,
        const char *note, time_t now);
/* A closed account published after its closing day (已注销账号违规私开):
 * opens its problem of kind reopened-closed-account unless one is open.
 * last_update is the activity found; detail and evidence describe it.
 * Returns 1 when opened (*id set), 0 when one was open, -1 on a database
 * error.  Admins close it like any other. */
int problem_reopened_open(sqlite3 *db, long long account_id, long long unit_id,
        const char *evidence, time_t last_update, time_t due, time_t now,
        long long *id);
/* Accounts that stopped being active keep no automatic problem open: they
 * close as waived (a reopened closed account's problem stays).  Returns
 * how many closed, or -1. */
int problem_auto_close_inactive(sqlite3 *db, time_t now);

json_t *problem_json(sqlite3 *db, long long id, time_t now);
json_t *problem_list_json(sqlite3 *db, const struct problem_filter *f);

/* ---- counting each account once ---- */

/* The SQL expressions of the kind and the detail problem P (a table
 * alias) had at the time T (an SQL expression, such as a bound
 * parameter): an escalation after T had not happened yet, so the kind and
 * detail it replaced stood.  For queries that read a past month:
 * PROBLEM_KIND_AT("p", "?2").  When no escalation at all came after T (T
 * is now, or the current month's check time), the problem's own kind and
 * detail are those: SQLite finds the last escalation once a statement,
 * and each problem is not looked up in the events (at 100,000 accounts,
 * 30,000 look-ups for the status, the report or the bulletin). */
#define PROBLEM_BEFORE_ESCALATION(P, T, COL) \
	"(CASE WHEN " T " < (SELECT coalesce(max(le.at), 0) FROM problem_event" \
	" le WHERE le.action = 'escalated') THEN (SELECT pe." COL " FROM" \
	" problem_event pe WHERE pe.problem_id = " P ".id AND pe.action =" \
	" 'escalated' AND pe.at > " T " ORDER BY pe.at, pe.id LIMIT 1) END)"
#define PROBLEM_KIND_AT(P, T) \
	"coalesce(" PROBLEM_BEFORE_ESCALATION(P, T, "from_kind") ", " P ".kind)"
#define PROBLEM_DETAIL_AT(P, T) \
	"coalesce(" PROBLEM_BEFORE_ESCALATION(P, T, "detail_before") ", " P \
	".detail)"

/* How bad a kind is: dormant, stale, wording, manual, unreachable (the
 * last is ours, not the unit's), from 5 down to 1; any other kind weighs
 * as manual. */
int problem_kind_rank(const char *kind);

/* One account among those with problems, at its worst. */
struct problem_account {
	long long   account_id;
	long long   unit_id;
	const char *worst;          /* its worst kind then; static storage */
	long        problems;       /* its problems open then, all kinds */
	bool        serious;        /* one of them a serious wording error
	                               (严重表述错误, a veto like stale) */
};

struct problem_window {
	time_t      from, to;       /* open at some moment of [from, to];
	                               from = to: open at that moment */
	long long   unit_id;        /* 0: every unit */
	long long   first_id, end_id;   /* problem_accounts(): the accounts
	                               with ids in [first_id, end_id) only;
	                               end_id 0: no bound */
};

/* The accounts with a problem open in w, each once at its worst kind
 * then (PROBLEM_KIND_AT(to)), by account id; for notices, bulletins,
 * status and the report, so that no account counts twice.  Problems about
 * a unit as a whole are not included.  *out is malloc'd (caller frees);
 * -1 on a database error. */
int problem_accounts(sqlite3 *db, const struct problem_window *w,
        struct problem_account **out, size_t *n);
/* The account id among the n of problem_accounts(), or NULL. */
const struct problem_account *problem_account_find(
        const struct problem_account *a, size_t n, long long account_id);

/* The counts of problem_accounts(): accounts in total and per worst kind,
 * indexed by problem_kind_rank(). */
struct problem_tally {
	long        accounts;
	long        by_rank[6];
};
int problem_tally(sqlite3 *db, const struct problem_window *w,
        struct problem_tally *t);
/* How many accounts problem_accounts() finds in w, without their worst
 * kinds (which take a look in the problem's history each). */
int problem_account_count(sqlite3 *db, const struct problem_window *w,
        long long *n);

#endif
