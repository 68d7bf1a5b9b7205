/* smtp_workers.h — SMTP submissions on worker threads, their outcomes
 * back in the event loop.
 *
 * libcurl waits for the server's answer to the end of a message inside
 * its "done" phase, blocking whatever drives it (curl issue #8555,
 * "More non-blocking" in curl's TODO): driven by the event loop, four
 * open connections still carried one message at a time, and the loop
 * stood still meanwhile.  Each worker runs curl_easy_perform() on one
 * submission at a time and keeps its connection for the next one (a
 * connection cache of its own).  The workers never touch the database:
 * done runs in the loop, where the outbox records the outcome.
 */
#ifndef MW_SMTP_WORKERS_H
#define MW_SMTP_WORKERS_H

#include <curl/curl.h>
#include <stddef.h>
#include <systemd/sd-event.h>

/* Called in the loop for each finished submission, with curl's result
 * (CURLE_ABORTED_BY_CALLBACK when smtp_workers_free() cut it off or it
 * never started).  The handle is cleaned up after done returns. */
typedef void (*smtp_done_fn)(CURL *easy, CURLcode result, void *userdata);

struct smtp_workers;

/* n threads (at least 1), started at once.  NULL on failure (logged). */
struct smtp_workers *smtp_workers_new(sd_event *event, size_t n,
          smtp_done_fn done);

/* Hands easy (from smtp_easy_new()) over; it is performed by the first
 * free worker.  Never fails: the queue grows. */
void  smtp_workers_add(struct smtp_workers *w, CURL *easy, void *userdata);

/* Submissions handed over and not yet reported through done. */
size_t smtp_workers_pending(const struct smtp_workers *w);

/* Cuts the running submissions off (within about a second), reports
 * every submission not yet reported through done, ends the threads and
 * closes their connections.  NULL is fine. */
void  smtp_workers_free(struct smtp_workers *w);

#endif
