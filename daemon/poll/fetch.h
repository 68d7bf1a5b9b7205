/* fetch.h — one conditional HTTP GET of a feed, on a curlloop.
 *
 * Only http and https are fetched, also after redirects.  The body is
 * capped at max_size; gzip/deflate (and br where libcurl has it) are
 * accepted.  A result is always delivered through the callback, exactly once
 * (also for a transfer aborted by curlloop_free). */
#ifndef MW_FETCH_H
#define MW_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "net/curlloop.h"

struct fetch_options {
	long long   timeout;            /* whole transfer, seconds */
	long long   connect_timeout;    /* seconds */
	long long   max_size;           /* body bytes (decoded), 0 = no cap */
	long        max_redirects;
	const char *user_agent;
};

struct fetch_request {
	const char *url;
	const char *etag;               /* If-None-Match, or NULL */
	const char *last_modified;      /* If-Modified-Since, or NULL */
};

struct fetch_result {
	bool        ok;                 /* transfer completed, status 2xx or 304 */
	long        http_status;        /* 0 when no response arrived */
	char       *error;              /* human-readable reason when !ok, else NULL */
	char       *body;               /* NUL-terminated, body_len bytes; NULL on 304 */
	size_t      body_len;
	char       *etag;               /* response ETag or NULL */
	char       *last_modified;      /* response Last-Modified or NULL */
	char       *content_type;       /* media type, lower case, no parameters */
	char       *charset;            /* charset parameter of Content-Type, or NULL */
	char       *effective_url;      /* after redirects */
	char       *permanent_redirect; /* target of the first 301/308 hop, or NULL */
	long long   retry_after;        /* seconds from a 429/503 Retry-After, or -1 */
	bool        aborted;            /* ended by curlloop_free (shutdown) */
};

/* The result is valid only during the callback.
 *
 * Header values (etag, last_modified, content_type, charset) are those of
 * the final response, stripped of control characters, and NULL when absent,
 * over 1024 bytes or not UTF-8.  permanent_redirect is set only when the
 * very first response is a 301/308 to an http(s) URL (a temporary hop before
 * it means the old URL stays right); apply it only when ok.  retry_after is
 * capped at 7 days.  error: "HTTP 404", "body larger than N bytes", curl's
 * message ("Operation timed out after ..."), "aborted at shutdown". */
typedef void (*fetch_done_fn)(const struct fetch_result *result, void *userdata);

/* A copy of a result that outlives the callback, body included; free it
 * with fetch_result_free(). */
void fetch_result_copy(struct fetch_result *dst, const struct fetch_result *src);
void fetch_result_free(struct fetch_result *r);

/* 0: done will run exactly once, later, from the event loop.  -1 (logged):
 * the transfer could not be set up and done will not run. */
int fetch_start(struct curlloop *loop, const struct fetch_options *opts,
        const struct fetch_request *req, fetch_done_fn done, void *userdata);

#endif
