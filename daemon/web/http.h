/* http.h — one request and its response, as the pages see them.
 *
 * server.c reads the request (path, query, form fields, one uploaded file)
 * within size limits and hands a complete struct req to the router, which
 * checks the login, the role and the CSRF token before a page runs.  A page
 * fills struct resp; server.c adds the security headers every response
 * carries. */
#ifndef MW_HTTP_H
#define MW_HTTP_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "access/session.h"
#include "access/user.h"
#include "base/util.h"
#include "config/config.h"

struct param {
	char   *key;
	char   *value;                 /* NUL-terminated, may hold NULs */
	size_t  len;
};

struct params {
	struct param *v;
	size_t        n;
};

/* The server's state shared by every request. */
struct web_state {
	const struct config *cfg;
	sqlite3             *db;
	pthread_mutex_t      lock;      /* the library and db: one at a time */
	bool                 tls;
	unsigned             writes;    /* changes made here (cache keys) */
	struct dash_cache   *dash;      /* the dashboard, see pages_dashboard.c */
	struct count_cache  *counts;    /* list totals, see page.c */
};

struct route;

struct req {
	struct web_state    *web;
	const char          *method;      /* "GET", "HEAD", "POST" */
	char                *path;        /* decoded, without the query */
	struct params        query;
	struct params        form;        /* POST fields, urlencoded or multipart */
	char                *upload_name; /* the file field's file name */
	struct strbuf        upload;      /* and its bytes */
	char                 address[64];
	const char          *cookie_session;   /* borrowed from the connection */
	const char          *cookie_login;
	const char          *remote_user;      /* web.remote_user_header's value */
	const struct route  *route;
	long long            id;          /* the number in the path, if any */
	char                *tail;        /* the path after the number */
	bool                 logged_in;
	struct user          user;
	struct session       session;
	time_t               now;
	long long            refresh;     /* seconds: the page reloads itself */
};

struct resp {
	int            status;
	const char    *content_type;
	struct strbuf  body;
	char          *location;        /* a redirect */
	char          *disposition;     /* Content-Disposition: a download */
	char          *cookies[2];      /* Set-Cookie values */
	bool           cacheable;       /* static files; pages are never cached */
	const char    *csp;             /* a document's own policy, else the pages' */
	bool           close;           /* close the connection after it */
};

/* ---- http.c ---- */
const char *param_get(const struct params *p, const char *key);  /* NULL */
/* The value of key when it is set and not blank, else NULL. */
const char *param_text(const struct params *p, const char *key);
void        params_add(struct params *p, const char *key, const char *value,
                size_t len);
void        params_free(struct params *p);
/* Query values of the request, or form values for a POST. */
const char *req_arg(const struct req *r, const char *key);
/* A positive number, or 0 when the value is absent or not one. */
long long   parse_id(const char *s);

/* Percent-encodes s for a query value into sb. */
void        url_encode_append(struct strbuf *sb, const char *s);
/* The current path with the query args, key replaced by value (NULL
 * drops it); caller frees. */
char       *url_with(const struct req *r, const char *key, const char *value);
/* Whether url may be a link target: http or https. */
bool        url_is_web(const char *url);

void resp_redirect(struct resp *resp, const char *fmt, ...) MW_PRINTF(2, 3);
void resp_set_cookie(struct resp *resp, const struct req *r, const char *name,
         const char *value, const char *path);
void resp_free(struct resp *resp);

/* The lock around the library: held while a page runs; a page may drop it
 * for slow work that touches neither (the password hash). */
void web_unlock(struct req *r);
void web_relock(struct req *r);

#endif
