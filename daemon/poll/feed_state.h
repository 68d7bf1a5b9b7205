/* feed_state.h — what the poller knows of each account's feed: validators
 * for conditional GET, the schedule (next poll, the lease of a transfer in
 * flight), the outcome of the last fetch and the failure count.
 *
 * Owns table: feed_state.
 *
 * Every function runs inside the caller's transaction and returns -1 on a
 * database error (logged by the store), else 0. */
#ifndef MW_FEED_STATE_H
#define MW_FEED_STATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

/* Makes an active account (every active account when account_id is 0) due
 * at once: `mediawatchctl poll`. */
int feed_state_make_due(sqlite3 *db, long long account_id);

/* A lease: the account is not due again before until, so a transfer lost
 * in a crash is retried once the lease expires.  A make_due meanwhile
 * resets it. */
int feed_state_lease(sqlite3 *db, long long account_id, time_t until);
/* Gives a lease back at shutdown: the account is due at due_at again (its
 * schedule before the lease) unless something made it due sooner. */
int feed_state_release(sqlite3 *db, long long account_id, time_t due_at);

/* The outcome of one fetch.  Strings may be NULL. */
struct fetch_outcome {
	const char *url;              /* the URL fetched */
	long        http_status;      /* 0: no response */
	const char *etag;             /* success only: validators to keep */
	const char *last_modified;
	const char *format;           /* success with a body: rss, atom, … */
	const char *encoding;
	const char *error;            /* failure only */
	const char *permanent_redirect;  /* where a 301/308 pointed, or NULL */
	time_t      next_poll_at;     /* when to fetch again */
};

/* A successful fetch (a body or 304): the failure count is cleared.  A
 * schedule made due meanwhile (next_poll_at 0) stays due. */
int feed_state_record_success(sqlite3 *db, long long account_id,
        const struct fetch_outcome *o, time_t now);
/* A failed fetch.  Whether it counts against the feed is decided when the
 * poll cycle ends (feed_state_count_failure). */
int feed_state_record_failure(sqlite3 *db, long long account_id,
        const struct fetch_outcome *o, time_t now);
/* Counts one failure of the cycle; a permanent one (404, 410) or the
 * threshold-th in a row marks the feed failing. */
int feed_state_count_failure(sqlite3 *db, long long account_id,
        bool permanent, long threshold);

/* Closed accounts are polled only every interval seconds after their
 * last fetch (to see whether they publish again): pushes their next poll
 * there.  A poll made due by hand (next_poll_at 0) stays due. */
int feed_state_space_closed(sqlite3 *db, long long interval);

/* The permanent redirect recorded for the account, or NULL (caller frees). */
char *feed_state_redirect(sqlite3 *db, long long account_id);

#endif
