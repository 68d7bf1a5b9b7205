/* recipient.h — whom each email reached, address by address.
 *
 * An email's envelope addresses (its To and Cc) get one row each at its
 * first delivery attempt.  An address is pending until a delivery reaches
 * it (sent) or the server refuses it for good (refused: a 5xx answer to
 * its RCPT).  A 4xx answer leaves it pending, with the answer, so only
 * pending addresses are tried again and nobody gets the email twice
 * because someone else's mailbox was full.
 *
 * Owns table: outbox_recipient.
 *
 * Every function runs inside the caller's transaction (or as one
 * statement); -1 means a database error, logged by the store. */
#ifndef MW_RECIPIENT_H
#define MW_RECIPIENT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Adds the addresses the email has no row for yet, then returns its
 * pending addresses (NULL-terminated, strv_free(); *n their number), or
 * NULL on error. */
char **recipient_pending(sqlite3 *db, long long outbox_id,
           char *const *addrs, size_t n_addrs, time_t now, size_t *n);

/* What one attempt learnt of one pending address. */
struct recipient_result {
	const char *address;
	int         code;          /* the reply to its RCPT; 0: none came */
	const char *reply;         /* that reply, or NULL */
	bool        delivered;     /* the message reached it */
};

/* Records one attempt for one address: sent when delivered, refused on a
 * 5xx, else still pending with the answer (if any). */
int  recipient_record(sqlite3 *db, long long outbox_id,
         const struct recipient_result *r, time_t now);

struct recipient_counts {
	long  sent, refused, pending;
};
int  recipient_count(sqlite3 *db, long long outbox_id,
         struct recipient_counts *c);

/* "a@x (550 5.1.1 …); b@y (…)" for the email's refused addresses, or NULL
 * when none was refused.  Caller frees. */
char *recipient_refusals(sqlite3 *db, long long outbox_id);

/* Makes the refused addresses of a failed email pending again (every
 * failed email when outbox_id is 0): `outbox retry`, after the address
 * was fixed at the other end.  Returns the rows changed, or -1. */
long recipient_retry_refused(sqlite3 *db, long long outbox_id);

/* The email's addresses as a JSON array of objects: address, status,
 * attempts, code, reply, updated_at (new reference; empty before the
 * first attempt). */
json_t *recipient_list_json(sqlite3 *db, long long outbox_id);

/* A unit's address that bounces: its latest outcome was a refusal. */
struct bounce {
	long long  unit_id;
	char      *unit_code, *unit_name;
	char      *address;
	char      *reply;            /* the server's answer */
	time_t     at;               /* when it was refused */
};

/* The addresses, among the current addresses of one unit (every unit
 * that is not removed when unit_id is 0), whose latest delivery outcome
 * is a refusal, by unit then address.  Returns the array (*n entries,
 * bounces_free()), or NULL with *n = 0 when there is none or on error. */
struct bounce *recipient_bounces(sqlite3 *db, long long unit_id, size_t *n);
void bounces_free(struct bounce *b, size_t n);

#endif
