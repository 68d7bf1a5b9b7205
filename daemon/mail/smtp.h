/* smtp.h — SMTP submission through libcurl.
 *
 * The server is mail.url in the configuration:
 *     smtp://host[:port]           STARTTLS when the server offers it, else
 *                                  plain text: only for a relay on localhost
 *                                  without a login
 *     smtp+starttls://host[:port]  STARTTLS required: a server that does not
 *                                  offer it is an error, nothing is sent in
 *                                  the clear (use this over any network)
 *     smtps://host[:port]          TLS from the first byte (port 465)
 * A path ("smtp://host/example.org") is the EHLO domain, as in curl.
 *
 * Certificates and host names are always verified: against mail.ca_file
 * alone when it is set (the system's CA store is then not read at all, so
 * a pinned CA is really pinned), else against the system store.
 *
 * A login (mail.username, the password from mail.password_file, see
 * config_password_path()) makes TLS required whatever the URL says, so
 * the password never crosses the network in clear, and it must be used: a
 * server that offers no AUTH gets no message (curl would silently send
 * without logging in).  The password is never logged.
 *
 * Addresses are envelope addresses: bare addr-specs that must pass
 * mail_address_valid() (take them from mailboxes with mail_address_parse()).
 * Recipients are judged one by one: the message goes to those the server
 * accepts, and the answer to each RCPT is reported (struct smtp_outcome),
 * so the outbox can retry a 4xx and give up on a 5xx for that address
 * alone. */
#ifndef MW_SMTP_H
#define MW_SMTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

#define SMTP_CONNECT_TIMEOUT 30L  /* seconds */
#define SMTP_TIMEOUT        300L  /* seconds for the whole submission */

/* What one submission learnt of one recipient. */
struct smtp_rcpt {
	int    code;           /* reply code to its RCPT; 0: none came */
	char  *reply;          /* that reply line, printable; NULL when none */
	bool   delivered;      /* accepted at RCPT, and the message was taken */
};

/* What one submission learnt, recipient by recipient (in the order given). */
struct smtp_outcome {
	struct smtp_rcpt *rcpts;
	size_t            n;
	bool              aborted;  /* cut off at shutdown: nothing is known */
};
void  smtp_outcome_free(struct smtp_outcome *o);     /* the members */

/* What a transfer reads (its copy of the message) and writes (curl's error
 * buffer, the server's replies).  It is not reachable from the handle:
 * CURLOPT_PRIVATE belongs to whoever runs the transfer (the curlloop). */
struct smtp_job;

/*
 * A configured easy handle that submits len bytes of msg from from to the
 * n rcpts.  The message is copied.  On success returns the handle and sets
 * *job; the caller owns both:
 *   - the handle goes to curlloop_add() (which then owns and cleans it up)
 *     or to curl_easy_perform() and curl_easy_cleanup();
 *   - the job must outlive the transfer: pass it as the done callback's
 *     userdata, and there call smtp_job_result() and then smtp_job_free().
 *     If curlloop_add() fails, just smtp_job_free() it.
 * On error returns NULL with *error set (caller frees); nothing to free.
 */
CURL *smtp_easy_new(const struct mail_config *cfg, const char *from,
          const char *const *rcpts, size_t n, const char *msg, size_t len,
          struct smtp_job **job, char **error);

/* The outcome of a finished transfer given curl's result, filled into
 * *out (caller frees with smtp_outcome_free()).  Returns 0 when the server
 * took the message for at least one recipient (the others' refusals are in
 * *out), else -1 with *error (caller frees) that carries curl's error and
 * the server's refusal, e.g. "… RCPT failed: 550 (last error) (server
 * said: 550 5.1.1 <x@example.org>: no such user)".  It also detaches the
 * job from easy, so the job may be freed while curl still holds the
 * handle. */
int   smtp_job_result(struct smtp_job *job, CURL *easy, CURLcode result,
          struct smtp_outcome *out, char **error);
void  smtp_job_free(struct smtp_job *job);           /* NULL is fine */

/* The same submission, blocking (curl_easy_perform), for mediawatchctl.
 * Returns 0 or -1, with *out and *error as from smtp_job_result(). */
int   smtp_send(const struct mail_config *cfg, const char *from,
          const char *const *rcpts, size_t n, const char *msg, size_t len,
          struct smtp_outcome *out, char **error);

#endif
