/* outbox.h — the durable email queue.
 *
 * An email is a row committed before any attempt to send it.  The sender
 * leases a due row (pushes its next attempt past the longest a delivery
 * can take, and commits) before delivering, and marks it sent only after
 * the transport accepted it; a failure schedules a retry with exponential
 * backoff, and after mail.max_attempts the row is marked failed with the
 * error.  A crash therefore loses nothing; at worst a message accepted but
 * not yet marked is sent once more after its lease, never one marked sent.
 *
 * Each attempt goes to the addresses not reached yet (mail/recipient.h):
 * an address the server refuses with a 5xx is refused for good, a 4xx
 * leaves it for the next attempt.  A row is sent once every address is
 * reached or refused and one at least was reached; failed when all were
 * refused, or after mail.max_attempts with addresses still pending.
 *
 * Owns table: outbox. */
#ifndef MW_OUTBOX_H
#define MW_OUTBOX_H

#include <sqlite3.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "config/config.h"
#include "net/curlloop.h"

struct outgoing {
	const char         *kind;        /* alert, recovery, digest, gap, notice, … */
	long long           unit_id;     /* 0 for admin mail */
	const char *const  *to;          /* mailboxes */
	size_t              n_to;
	const char *const  *cc;
	size_t              n_cc;
	const char         *subject;
	const char         *text;
	const char         *html;        /* may be NULL */
	const char         *dedup_key;   /* the same key is never queued twice */
};

/* The unit's email addresses (possibly none), and the admins' (with none
 * configured, mail.from, so admin mail always has somewhere to go).  The
 * lists are NULL-terminated; free with strv_free(). */
char **outbox_unit_addresses(sqlite3 *db, long long unit_id, size_t *n);
char **outbox_admin_addresses(const struct config *cfg, size_t *n);

/* Queues inside the caller's transaction.  Returns 1 when queued, 0 when
 * the dedup key was queued before, -1 on error. */
int  outbox_enqueue(sqlite3 *db, const struct config *cfg,
         const struct outgoing *m, time_t now);

/* Puts failed mail back in the queue, its attempts reset: the row id, or
 * every failed row when id is 0.  Queued mail is left alone (it may be in a
 * delivery now).  Returns the number of rows requeued, or -1. */
long outbox_retry_failed(sqlite3 *db, long long id);

/* Delivers one queued row now, blocking (for `mediawatchctl outbox
 * send`) to the addresses it has still to reach; returns 0 when it is now
 * sent, -1 otherwise (the row and its recipients record why). */
int  outbox_deliver_blocking(sqlite3 *db, const struct config *cfg, long long id);

/* The sender in mediawatchd's event loop.  SMTP transfers share the
 * daemon's curlloop; maildir and sendmail deliveries run in the loop. */
struct outbox_sender;

struct outbox_sender *outbox_sender_new(sd_event *event, sqlite3 *db,
          const struct config *cfg, struct curlloop *curl);
void outbox_sender_free(struct outbox_sender *s);
void outbox_sender_set_config(struct outbox_sender *s, const struct config *cfg);
/* Looks for due mail at once (after an evaluation queued some). */
void outbox_sender_kick(struct outbox_sender *s);
/* Called before the sender writes, so that another part of the loop can
 * commit a transaction it keeps open (the poller's batch). */
void outbox_sender_set_flush(struct outbox_sender *s, void (*fn)(void *),
         void *userdata);
/* Called whenever the sender finds nothing due and nothing in flight. */
void outbox_sender_on_idle(struct outbox_sender *s, void (*fn)(void *),
         void *userdata);

#endif
