/* chatpost.h — one chat message POSTed to its channel through libcurl.
 *
 * Only http and https, no redirects (a robot's address does not move; a
 * redirect could carry the body elsewhere), certificates and host names
 * verified against the system's store.  The address holds the robot's
 * token: it is never logged, and curl's errors name the host at most.
 * The answer's body is kept up to CHATPOST_ANSWER_MAX bytes, and a
 * Retry-After given in seconds. */
#ifndef MW_CHATPOST_H
#define MW_CHATPOST_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "mail/chat.h"

#define CHATPOST_CONNECT_TIMEOUT 10L   /* seconds */
#define CHATPOST_ANSWER_MAX      65536

/* What one POST learnt. */
struct chatpost_outcome {
	long    status;         /* the HTTP status; 0 when none came */
	char   *body;           /* the answer (NUL-terminated), or NULL */
	size_t  len;
	long    retry_after;    /* seconds the answer asked to wait, or 0 */
	char   *error;          /* the transfer's own failure, or NULL */
	bool    aborted;        /* cut off at shutdown: nothing is known */
};
void chatpost_outcome_free(struct chatpost_outcome *o);   /* the members */

/* What a transfer reads and writes, as struct smtp_job (smtp.h): the
 * caller owns it and frees it after chatpost_job_result(). */
struct chatpost_job;

/* A configured easy handle POSTing r (copied) within timeout seconds, with
 * *job set; the same ownership rules as smtp_easy_new().  NULL with
 * *error on failure. */
CURL *chatpost_easy_new(const struct chat_request *r, long timeout,
          struct chatpost_job **job, char **error);
/* Fills *out (caller frees) from a finished transfer and detaches the job
 * from easy. */
void  chatpost_job_result(struct chatpost_job *job, CURL *easy,
          CURLcode result, struct chatpost_outcome *out);
void  chatpost_job_free(struct chatpost_job *job);   /* NULL is fine */

/* The same, blocking, for mediawatchctl. */
void  chatpost_send(const struct chat_request *r, long timeout,
          struct chatpost_outcome *out);

#endif
