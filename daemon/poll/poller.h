/* poller.h — the schedule: which feed to fetch when, and what a fetch
 * result does to the database.
 *
 * The poller sweeps the due accounts in id order, keeping at most
 * poll.concurrency transfers in flight, and commits each result before it
 * starts more.  A sweep that has fetched every due account ends a cycle: the
 * failures of the cycle are then counted against their feeds, unless most
 * hosts failed at once (our own network), and the cycle callback runs (the
 * evaluation, or the exit of `mediawatchd --once`). */
#ifndef MW_POLLER_H
#define MW_POLLER_H

#include <sqlite3.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "config/config.h"
#include "net/curlloop.h"
#include "poll/post.h"

struct poller;

struct cycle_stats {
	unsigned long fetched;       /* transfers completed */
	unsigned long unchanged;     /* 304 or same ETag */
	unsigned long failed;
	unsigned long new_posts;
	unsigned long hosts;         /* distinct hosts attempted */
	unsigned long hosts_down;    /* distinct hosts with no answer */
	bool          outage;        /* failures not counted: our network */
};

typedef void (*cycle_done_fn)(struct poller *p, const struct cycle_stats *s,
    void *userdata);

/* cfg, db and curl are borrowed.  Free the curlloop before the poller:
 * its aborted transfers report to the poller (see poller_set_config for a
 * reload). */
struct poller *poller_new(sd_event *event, sqlite3 *db, const struct config *cfg,
           struct curlloop *curl);
void   poller_free(struct poller *p);
void   poller_on_cycle(struct poller *p, cycle_done_fn fn, void *userdata);
/* Hooks run for new and changed posts (copied). */
void   poller_set_post_hooks(struct poller *p, const struct post_hooks *hooks);
/* Called once no transfer is in flight after poller_stop(). */
void   poller_on_drained(struct poller *p, void (*fn)(void *), void *userdata);
/* Starts a sweep at once (a cycle, even when nothing is due), then
 * follows the schedule. */
int    poller_start(struct poller *p);
/* Starts no new transfers; those in flight finish (or are aborted by
 * curlloop_free). */
void   poller_stop(struct poller *p);
void   poller_set_config(struct poller *p, const struct config *cfg);
/* Bodies are read on a thread of their own (parse_worker.h), which reads
 * dates in the process's time zone: hold it while a reload may change TZ.
 * Pausing waits for at most the one body being read. */
void   poller_pause_reader(struct poller *p);
void   poller_resume_reader(struct poller *p);
size_t poller_in_flight(const struct poller *p);
/* Commits the results received so far.  Poll results are committed in
 * batches; anything else that writes to the database from the same loop
 * calls this first, so its own transactions never nest in a batch. */
void   poller_flush(struct poller *p);
/* The earliest next poll of an account with a feed, active or closed (0
 * for one never polled), or -1 when there is none. */
time_t poller_next_due(sqlite3 *db, const struct config *cfg);

/* The URL an account is polled at: its feed URL, else its platform's
 * feed_template with the uid URL-encoded, else NULL.  Caller frees. */
char  *poller_feed_url(const struct config *cfg, const char *platform,
           const char *uid, const char *feed_url);

#endif
