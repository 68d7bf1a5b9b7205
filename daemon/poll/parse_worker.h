/* parse_worker.h — reading feed bodies on a thread of its own.
 *
 * Reading a feed (its charset, XML or JSON, its dates) is computation over
 * a body in memory: no database, no event loop, no log.  It is also more
 * than half of a cold poll cycle's CPU, so it runs on the second core
 * while the event loop keeps curl busy and stores the results: the loop
 * hands a job over with parse_worker_submit() and gets it back, read,
 * through the done callback, which runs from the event loop (an eventfd
 * source).  The loop never waits for the worker, except in
 * parse_worker_pause() and parse_worker_free(), each bounded by the one
 * body being read.
 *
 * The worker never writes the database: the event loop's connection stays
 * the only writer of poll results, and a result is acted on only once the
 * loop has stored and committed it.
 *
 * Ownership: a submitted job belongs to the worker until done hands it
 * back; the body it points to must stay valid until then.  done owns
 * job->feed and job->error (feed_free(), free()).  A feed the loop is
 * done with can go back with parse_worker_discard(): its thousands of
 * strings were allocated on the thread, which frees them there too. */
#ifndef MW_PARSE_WORKER_H
#define MW_PARSE_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "poll/feed.h"

struct parse_job {
	const char       *body;        /* in: the response body … */
	size_t            len;
	const char       *charset;     /* … and its HTTP charset, or NULL */
	bool              cancelled;   /* out: never read (parse_worker_free) */
	int               rc;          /* out: feed_parse()'s result … */
	struct feed       feed;        /* … its feed when 0 */
	char             *error;       /* … its message when -1 */
	bool              last;        /* out: the last of the jobs done in
	                                * one go: nothing else runs on the
	                                * loop between their done calls */
	void             *userdata;    /* the submitter's, for done */
	struct parse_job *next;        /* the worker's */
};

struct parse_worker;

typedef void (*parse_done_fn)(struct parse_job *job);

/* Starts the thread.  done runs from event's loop, once per job, in the
 * order the jobs were read.  NULL (logged) when the thread cannot start. */
struct parse_worker *parse_worker_new(sd_event *event, parse_done_fn done);
void   parse_worker_submit(struct parse_worker *w, struct parse_job *job);
/* Takes *feed (left empty) for the thread to free. */
void   parse_worker_discard(struct parse_worker *w, struct feed *feed);
/* CPU time the thread has used so far. */
double parse_worker_cpu_seconds(const struct parse_worker *w);
/* Waits for the body being read, then keeps the worker from starting
 * another until parse_worker_resume(): for what must not happen while a
 * date is read, such as a reload changing the time zone (TZ). */
void   parse_worker_pause(struct parse_worker *w);
void   parse_worker_resume(struct parse_worker *w);
/* Stops the thread once the body it reads is read.  Every job still held
 * comes back through done before this returns: read, or cancelled. */
void   parse_worker_free(struct parse_worker *w);

#endif
