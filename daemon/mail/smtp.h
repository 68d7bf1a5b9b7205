/* smtp.h — SMTP submission through libcurl.
 *
 * The server is mail.url in the configuration:
 *     smtp://host[:port]           STARTTLS when the server offers it, else
 *                                  plain text (fit for a relay on localhost)
 *     smtp+starttls://host[:port]  STARTTLS required: a server that does not
 *                                  offer it is an error, nothing is sent in
 *                                  the clear (use this over any network)
 *     smtps://host[:port]          TLS from the first byte (port 465)
 * A path ("smtp://host/example.org") is the EHLO domain, as in curl.
 * Certificates are verified against the system store or mail.ca_file.
 * mail.username enables AUTH; the password is the content of
 * mail.password_file (one trailing newline removed) or, when that is a
 * bare name and $CREDENTIALS_DIRECTORY is set (systemd LoadCredential=),
 * of $CREDENTIALS_DIRECTORY/NAME.  The password is never logged.
 *
 * Addresses are envelope addresses: bare addr-specs that must pass
 * mail_address_valid() (take them from mailboxes with mail_address_parse()).
 * One refused recipient fails the whole message: the outbox retries it. */
#ifndef MW_SMTP_H
#define MW_SMTP_H

#include <curl/curl.h>
#include <stddef.h>

#include "config/config.h"

#define SMTP_CONNECT_TIMEOUT 30L  /* seconds */
#define SMTP_TIMEOUT        300L  /* seconds for the whole submission */

/* What a transfer reads (its copy of the message) and writes (curl's error
 * buffer, the server's last reply).  It is not reachable from the handle:
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

/* The outcome of a finished transfer given curl's result.  Returns 0 when
 * the server accepted the message, else -1 with *error (caller frees) that
 * carries curl's error and the server's refusal, e.g. "… RCPT failed: 550
 * (server said: 550 5.1.1 <x@example.org>: no such user)".  *code (may be
 * NULL) gets the last SMTP reply code: 5xx is permanent, 4xx transient, 0
 * no reply (connection or TLS failure).  It also detaches the job from
 * easy, so the job may be freed while curl still holds the handle. */
int   smtp_job_result(struct smtp_job *job, CURL *easy, CURLcode result,
          long *code, char **error);
void  smtp_job_free(struct smtp_job *job);           /* NULL is fine */

/* The same submission, blocking (curl_easy_perform), for mediawatchctl.
 * Returns 0, or -1 with *error as from smtp_job_result(). */
int   smtp_send(const struct mail_config *cfg, const char *from,
          const char *const *rcpts, size_t n, const char *msg, size_t len,
          char **error);

#endif
