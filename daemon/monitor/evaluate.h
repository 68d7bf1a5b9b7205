/* evaluate.h — turning last-update times into account states and problems.
 *
 * evaluate() runs inside the caller's transaction: it computes each active
 * account's state (DESIGN.md "Account states"), records state changes,
 * opens and closes automatic problems, and lists who must be told what.
 * alerts.c turns that list into emails in the same transaction, so a state
 * change and its alert are committed together or not at all.
 *
 * It is set-based: one pass reads every active account with its fetch
 * state, its state and its open problems (whatever their number, the
 * cost is one row an account), and the writes are only those of the rows
 * that change.  The pass reads on a second, read-only connection and a
 * thread of its own, in parts that the caller's connection writes as
 * they come (store/side.h); the caller's stays the only one that writes.
 *
 * Owns tables: account_state, state_change. */
#ifndef MW_EVALUATE_H
#define MW_EVALUATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#include "base/strpool.h"
#include "config/config.h"
#include "monitor/gaps.h"

enum account_state {
	STATE_FRESH,
	STATE_WARNING,        /* 预警 */
	STATE_STALE,          /* 超期未更新: the veto */
	STATE_DORMANT,        /* 长期未更新 */
	STATE_UNVERIFIED,     /* not seen by a recent fetch or observation:
	                         admins only, never the unit */
	N_STATES
};

const char *state_name(enum account_state s);    /* "fresh", … */
const char *state_label(enum account_state s);   /* 正常, 预警, … */
int         state_parse(const char *name);       /* -1 when unknown */

enum eval_event {
	EVENT_ENTER,          /* the unit is told of a new state */
	EVENT_REMIND,         /* repeat_* elapsed in the same state */
	EVENT_RECOVER,        /* posted again after warning/stale/dormant */
};

/* What the admins' messages say of an account, read in the evaluation's
 * pass.  The strings are borrowed: from the evaluation (its units and
 * strings) or the configuration (a platform's label). */
struct account_facts {
	const char   *unit_name;
	const char   *platform_label, *name, *uid, *feed_url, *last_error;
	struct sight  sight;          /* how it was seen; last_error its error */
	bool          has_last_update;
	time_t        last_update;
	long          failures;
	bool          failing;
};

/* An account its unit is told of: what its row in the unit's message
 * says, and no more (the first evaluation of 500,000 accounts holds
 * 200,000 of them until the messages are made).  The names are borrowed
 * like account_facts'. */
struct eval_item {
	long long           account_id;
	long long           unit_id;
	const char         *platform_label, *name, *uid;
	enum account_state  state;
	enum eval_event     event;
	bool                has_last_update;
	bool                problem_closed; /* recover: a problem was closed */
	time_t              last_update;
	long                days;          /* whole days without update */
	long                days_left;     /* warning: days before the veto */
	time_t              veto_at;       /* warning: when it becomes stale */
	time_t              problem_due;   /* stale: the opened problem's deadline */
};

/* An account the admins hear of: one that became unverified (a
 * monitoring gap), one whose feed started failing, or one of the daily
 * digest's lists. */
struct eval_account {
	long long            account_id;
	long long            unit_id;
	enum account_state   state;        /* as this evaluation judged it */
	struct account_facts facts;
};

/* The digest's lists: stale and dormant accounts, monitoring gaps, and
 * the failing feeds of the others.  Each lists at most DIGEST_ROWS
 * accounts, by unit; the counts are of them all. */
enum digest_list { DIGEST_STALE, DIGEST_GAPS, DIGEST_FAILING, N_DIGEST_LISTS };
#define DIGEST_ROWS 100

/* A responsible unit, as its messages name and address it. */
struct unit_info {
	long long  id;
	char      *code, *name, *contact;
	char      *emails;                 /* JSON array */
};

/* A change of an account's state: written to state_change and
 * account_state, and logged once committed. */
struct state_move {
	long long           account_id;
	time_t              last_update;   /* the account's; 0: never updated */
	signed char         from;          /* -1: first evaluation */
	unsigned char       to;            /* enum account_state */
};

struct evaluation {
	time_t             now;
	struct eval_item  *items;          /* by unit (in the order the units
	                                      first appear), then account */
	size_t             n_items, cap_items;
	struct eval_account *gaps;         /* accounts that became unverified,
	                                      by account */
	size_t             n_gaps, cap_gaps;
	unsigned long      counts[N_STATES];
	unsigned long      evaluated;
	unsigned long      problems_opened, problems_closed, problems_escalated;
	struct eval_account *new_failing;  /* accounts whose feed started failing */
	size_t             n_new_failing, cap_new_failing;
	bool               digest;         /* the digest's lists were read */
	struct eval_account *digest_rows;  /* by unit and account */
	size_t             n_digest_rows;
	unsigned long      digest_total[N_DIGEST_LISTS];
	struct unit_info  *units;          /* every unit, by id */
	size_t             n_units;
	struct state_move *moves;          /* state changes, by account: the
	                                      first 1,000 (logged each) */
	size_t             n_moves, cap_moves;
	unsigned long      n_moved;          /* state changes in all */
	unsigned long      moved[N_STATES + 1][N_STATES];  /* by from (0:
	                                      new; s + 1: state s) and to */
	struct strpool     strings;        /* the accounts' names and facts */
};

/* Called by evaluate() once every account is read and ev's items are
 * grouped by unit, on the thread that read them, while the caller's
 * thread still writes: work on ev's items, units and strings that needs
 * no database (the units' letters, alerts.h) is done there beside the
 * writes.  Not called when the reading fails. */
typedef void evaluate_read_fn(const struct evaluation *ev, void *arg);

/* Evaluates every active account in one pass, inside the caller's
 * transaction: states, state changes, automatic problems, and what must
 * be told (ev's items, with the facts the messages need).  With digest,
 * also the daily digest's lists.  Writes only what changed.  -1 on a
 * database error (logged); free ev with evaluation_free() either way. */
int  evaluate(sqlite3 *db, const struct config *cfg, time_t now, bool digest,
         struct evaluation *ev, evaluate_read_fn *read_done, void *arg);
/* Logs ev's state changes (journal field MEDIAWATCH_ACCOUNT), or past a
 * thousand of them how many went from which state to which: called once
 * they are committed, so the log never tells of a change that was rolled
 * back. */
void evaluation_log_moves(const struct evaluation *ev);
void evaluation_free(struct evaluation *ev);
/* The unit of ev with this id, or NULL. */
const struct unit_info *evaluation_unit(const struct evaluation *ev,
                            long long id);

/* The state an account with these facts is in (no database access).  An
 * account is judged only on what was seen within the verification
 * window, by a successful fetch or a manual observation: otherwise it is
 * unverified, and an account never seen is unverified at any age. */
struct state_input {
	time_t     now;
	bool       has_last_update;
	time_t     last_update;
	time_t     registered;       /* opened date or creation, the later */
	long long  warn_after, stale_after, dormant_after;
	bool       has_seen;         /* ever fetched successfully or observed */
	time_t     last_seen;        /* the latest such fetch or observation */
	long long  verify_window;
};
enum account_state state_compute(const struct state_input *in);
/* The state the age alone gives, as if the account had just been seen. */
enum account_state state_by_age(const struct state_input *in);

/* Where the age of a never-updated account counts from: its opening date
 * (DESIGN: "never updated: since the account was opened"), else its
 * registration here.  A newly opened account so has the stale period as
 * grace. */
time_t account_grace_start(const char *opened_on, time_t created_at);

#endif
