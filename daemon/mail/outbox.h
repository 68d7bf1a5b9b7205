/* outbox.h — the durable queue of every message: email and chat.
 *
 * A message is a row committed before any attempt to send it, for one
 * transport: email, or one chat channel of the configuration (a 企业微信,
 * 钉钉 or 飞书 robot, a webhook; mail/chat.h), each with its own retry and
 * backoff (mail.max_attempts and mail.retry_base, the channel's own).  The sender
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
 * A chat message is sent once its platform accepted it (HTTP 2xx, and an
 * errcode or code 0 where the platform answers one).  A rate-limit answer
 * (HTTP 429, the platform's frequency-limit codes) is not an attempt: the
 * message, and every message queued for that channel, waits for the delay
 * the answer asked (Retry-After) or the platform's penalty, and counts a
 * deferral.  The daemon has one delivery at a time in flight per channel.
 *
 * Owns table: outbox. */
#ifndef MW_OUTBOX_H
#define MW_OUTBOX_H

#include <sqlite3.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "base/template.h"
#include "config/config.h"
#include "net/curlloop.h"

struct outgoing {
	const char         *kind;        /* alert, recovery, digest, gap, notice, … */
	const char         *channel;     /* a channel's name; NULL: email */
	const char         *payload;     /* chat: the webhook's data (JSON), or NULL */
	long long           unit_id;     /* 0 for admin mail */
	const char *const  *to;          /* mailboxes */
	size_t              n_to;
	const char *const  *cc;
	size_t              n_cc;
	const char         *subject;
	const char         *text;
	const char         *html;        /* may be NULL */
	const char         *dedup_key;   /* the same key is never queued twice */
	/* For compose_queue(), which queues the message for the chat channels
	 * too (compose.h): */
	bool                admins;      /* the admins get it (To or Cc): their
	                                    channels too (unit_id 0 implies it) */
	/* The names a channel gets (new, freed by compose), or NULL when it
	 * carries none of this message, when that depends on the channel: an
	 * alert shows a channel the states it carries.  NULL: the message's
	 * own names, for the channels that carry its kind. */
	struct tmpl_vars  *(*chat_vars)(const struct channel *ch, void *arg);
	void               *chat_arg;
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

/* Whether a message with this dedup key was ever queued. */
bool outbox_queued_before(sqlite3 *db, const char *dedup_key);
/* How many messages wait in the queue and how many failed for good
 * (email and chat).  -1 on a database error (logged). */
int  outbox_pending(sqlite3 *db, long long *queued, long long *failed);
/* Clears the text (plain, HTML and chat payload) of the messages sent
 * before cutoff, and records when; the rest of the row stays: who was
 * told what and when.  Queued and failed messages keep theirs.  The
 * number cleared, or -1 on a database error (logged). */
long outbox_expire_bodies(sqlite3 *db, time_t cutoff, time_t now);

/* Puts failed messages back in the queue, their attempts reset: the row
 * id, or every failed row when id is 0, email and chat.  Queued messages
 * are left alone (one may be in a delivery now).  Returns the number of
 * rows requeued, or -1. */
long outbox_retry_failed(sqlite3 *db, long long id);

/* Delivers one queued row now, blocking (for `mediawatchctl outbox
 * send`): an email to the addresses it has still to reach, a chat message
 * to its channel; returns 0 when it is now sent, -1 otherwise (the row and
 * its recipients record why). */
int  outbox_deliver_blocking(sqlite3 *db, const struct config *cfg, long long id);

/* The sender in mediawatchd's event loop.  SMTP and chat transfers share
 * the daemon's curlloop; maildir and sendmail deliveries run in the loop. */
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
