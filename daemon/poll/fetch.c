/* fetch.c — one conditional HTTP GET of a feed, on a curlloop.
 *
 * Everything a server sends is hostile: header values are stripped of
 * control characters and dropped when too long or not UTF-8, the body is
 * capped while it arrives, and only http and https are ever fetched. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/util.h"
#include "poll/fetch.h"

#define HEADER_VALUE_MAX 1024           /* ETag, Last-Modified, Content-Type */
#define LOCATION_MAX     8192           /* a redirect target */
#define CHARSET_MAX      40
#define RETRY_AFTER_MAX  (7LL * 86400)  /* a server cannot park us longer */

struct fetch {
	fetch_done_fn      done;
	void              *userdata;
	char              *url;           /* as requested: base of the first hop */
	long long          max_size;      /* body bytes, 0 = no cap */
	struct curl_slist *headers;       /* conditional request headers */
	char               errbuf[CURL_ERROR_SIZE];
	char              *error;         /* our own reason; beats curl's */
	int                hops;          /* final (non-1xx) responses so far */
	/* Of the response being received; reset on every status line. */
	long               status;
	struct strbuf      body;
	char              *etag;
	char              *last_modified;
	char              *content_type;
	char              *charset;
	/* Across hops. */
	char              *permanent_redirect;
};

static void
fetch_free(struct fetch *f)
{
	free(f->url);
	curl_slist_free_all(f->headers);
	free(f->error);
	sb_free(&f->body);
	free(f->etag);
	free(f->last_modified);
	free(f->content_type);
	free(f->charset);
	free(f->permanent_redirect);
	free(f);
}

static void
replace(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

static char *
take(char **slot)
{
	char *p = *slot;

	*slot = NULL;
	return p;
}

/* A header value as it may be stored and shown: control characters
 * (CR, LF, NUL, DEL, ...) removed, surrounding blanks trimmed; NULL when
 * empty, longer than max or not UTF-8, since a cut ETag or URL would be
 * wrong rather than short. */
static char *
header_value(const char *s, size_t len, size_t max)
{
	char *v, *t;
	size_t i, n = 0;

	v = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
			v[n++] = s[i];
	v[n] = '\0';
	t = str_trim(v);
	n = strlen(t);
	if (n == 0 || n > max || !utf8_valid(t, n)) {
		free(v);
		return NULL;
	}
	memmove(v, t, n + 1);
	return v;
}

/* Only names made of the characters IANA charset names use reach iconv.
 * The value may be quoted, also with the single quotes some servers use
 * (charset='gbk'). */
static char *
charset_value(const char *s, size_t len)
{
	size_t i;

	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0]) {
		s++;
		len -= 2;
	}
	if (len == 0 || len > CHARSET_MAX)
		return NULL;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("-_.:+", s[i]) == NULL)
			return NULL;
	return xstrndup(s, len);
}

/* "text/xml; charset=GB2312" → media type "text/xml" (lower case) and
 * charset "GB2312". */
static void
content_type_record(struct fetch *f, const char *s, size_t len)
{
	char *v, *p, *param, *name, *eq;

	replace(&f->content_type, NULL);
	replace(&f->charset, NULL);
	if ((v = header_value(s, len, HEADER_VALUE_MAX)) == NULL)
		return;
	p = v;
	name = str_trim(strsep(&p, ";"));
	for (eq = name; *eq; eq++)
		*eq = (char)tolower((unsigned char)*eq);
	if (*name)
		f->content_type = xstrdup(name);
	while ((param = strsep(&p, ";")) != NULL) {
		if ((eq = strchr(param, '=')) == NULL)
			continue;
		*eq++ = '\0';
		if (strcasecmp(str_trim(param), "charset") != 0)
			continue;
		eq = str_trim(eq);
		replace(&f->charset, charset_value(eq, strlen(eq)));
	}
	free(v);
}

static bool
url_is_http(CURLU *u)
{
	char *scheme = NULL;
	bool ok;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		return false;
	ok = strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0;
	curl_free(scheme);
	return ok;
}

/* The first hop answered 301/308: its Location, resolved against the
 * requested URL the way curl resolves it when following, is where the feed
 * now lives. */
static void
permanent_redirect_record(struct fetch *f, const char *s, size_t len)
{
	char *loc, *out = NULL;
	CURLU *u;

	if ((loc = header_value(s, len, LOCATION_MAX)) == NULL)
		return;
	if ((u = curl_url()) == NULL)
		fatalx("out of memory");
	if (curl_url_set(u, CURLUPART_URL, f->url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, loc, CURLU_URLENCODE) == CURLUE_OK &&
	    url_is_http(u) &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
		replace(&f->permanent_redirect, xstrdup(out));
	else
		log_debug("fetch %s: unusable permanent redirect", f->url);
	curl_free(out);
	curl_url_cleanup(u);
	free(loc);
}

/* A status line opens a new response (a redirect hop, a 1xx, the final
 * one): what the previous one said no longer applies. */
static void
response_begin(struct fetch *f, const char *s, size_t len)
{
	const char *sp = memchr(s, ' ', len);
	long status = 0;
	size_t i;

	if (sp != NULL) {
		sp++;
		for (i = 0; i < 3 && sp + i < s + len &&
		    isdigit((unsigned char)sp[i]); i++)
			status = status * 10 + (sp[i] - '0');
		if (i != 3)
			status = 0;
	}
	f->status = status;
	if (status >= 200)
		f->hops++;
	sb_reset(&f->body);
	replace(&f->etag, NULL);
	replace(&f->last_modified, NULL);
	replace(&f->content_type, NULL);
	replace(&f->charset, NULL);
}

static bool
header_is(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && strncasecmp(name, want, len) == 0;
}

static void
header_record(struct fetch *f, const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	const char *v;
	size_t nlen, vlen;

	if (colon == NULL)
		return;
	nlen = (size_t)(colon - s);
	v = colon + 1;
	vlen = len - nlen - 1;
	if (header_is(s, nlen, "ETag"))
		replace(&f->etag, header_value(v, vlen, HEADER_VALUE_MAX));
	else if (header_is(s, nlen, "Last-Modified"))
		replace(&f->last_modified,
		    header_value(v, vlen, HEADER_VALUE_MAX));
	else if (header_is(s, nlen, "Content-Type"))
		content_type_record(f, v, vlen);
	else if (header_is(s, nlen, "Location") && f->hops == 1 &&
	    (f->status == 301 || f->status == 308) &&
	    f->permanent_redirect == NULL)
		permanent_redirect_record(f, v, vlen);
}

static size_t
on_header(char *data, size_t size, size_t nitems, void *arg)
{
	size_t len = size * nitems;

	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0)
		response_begin(arg, data, len);
	else
		header_record(arg, data, len);
	return len;
}

/* Returning short makes curl end the transfer with CURLE_WRITE_ERROR. */
static size_t
on_body(char *data, size_t size, size_t nitems, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * nitems;

	/* An error page is not worth receiving: its status is the result. */
	if (f->status >= 400)
		return 0;
	if (f->max_size > 0 &&
	    (unsigned long long)f->body.len + len >
	    (unsigned long long)f->max_size) {
		replace(&f->error,
		    xasprintf(_("body larger than %lld bytes"), f->max_size));
		return 0;
	}
	sb_append(&f->body, data, len);
	return len;
}

/* curl's own words, which may quote what the server sent. */
static char *
curl_error(struct fetch *f, CURLcode rc, long status)
{
	const char *msg = f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc);
	char *clean;

	if ((clean = header_value(msg, strlen(msg), CURL_ERROR_SIZE)) == NULL)
		clean = xstrdup(curl_easy_strerror(rc));
	if (rc == CURLE_UNSUPPORTED_PROTOCOL && status >= 300 && status < 400)
		replace(&clean, xasprintf(_("redirect refused, only http and "
		    "https are followed: %s"), clean));
	return clean;
}

static char *
result_error(struct fetch *f, CURLcode rc, long status)
{
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return xstrdup(_("aborted at shutdown"));
	if (f->error)
		return take(&f->error);
	if (rc == CURLE_FILESIZE_EXCEEDED)
		return xasprintf(_("body larger than %lld bytes"), f->max_size);
	if (status >= 400)
		return xasprintf("HTTP %ld", status);
	if (rc != CURLE_OK)
		return curl_error(f, rc, status);
	if ((status >= 200 && status < 300) || status == 304)
		return NULL;
	if (status == 0)
		return xstrdup("no HTTP response");
	return xasprintf("HTTP %ld", status);
}

/* Retry-After means something only on a 429 or 503; curl has already
 * turned an HTTP date into seconds from now. */
static long long
result_retry_after(CURL *easy, long status)
{
	curl_off_t secs = 0;

	if (status != 429 && status != 503)
		return -1;
	if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &secs) != CURLE_OK ||
	    secs <= 0)
		return -1;
	return secs > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : (long long)secs;
}

/* The result takes over f's strings; fetch_result_free() releases them. */
static void
result_fill(struct fetch *f, CURL *easy, CURLcode rc, struct fetch_result *r)
{
	char *url = NULL;

	memset(r, 0, sizeof(*r));
	if (curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->http_status) !=
	    CURLE_OK)
		r->http_status = 0;
	if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK)
		r->effective_url = xstrdup(url);
	r->aborted = rc == CURLE_ABORTED_BY_CALLBACK;
	r->error = result_error(f, rc, r->http_status);
	r->ok = r->error == NULL;
	if (r->ok && r->http_status != 304) {
		r->body_len = f->body.len;
		r->body = sb_steal(&f->body);
	}
	r->retry_after = result_retry_after(easy, r->http_status);
	r->etag = take(&f->etag);
	r->last_modified = take(&f->last_modified);
	r->content_type = take(&f->content_type);
	r->charset = take(&f->charset);
	r->permanent_redirect = take(&f->permanent_redirect);
}

void
fetch_result_copy(struct fetch_result *dst, const struct fetch_result *src)
{
	*dst = *src;
	dst->error = xstrdup(src->error);
	if (src->body) {
		dst->body = xmalloc(src->body_len + 1);
		memcpy(dst->body, src->body, src->body_len + 1);
	}
	dst->etag = xstrdup(src->etag);
	dst->last_modified = xstrdup(src->last_modified);
	dst->content_type = xstrdup(src->content_type);
	dst->charset = xstrdup(src->charset);
	dst->effective_url = xstrdup(src->effective_url);
	dst->permanent_redirect = xstrdup(src->permanent_redirect);
}

void
fetch_result_free(struct fetch_result *r)
{
	free(r->error);
	free(r->body);
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	free(r->charset);
	free(r->effective_url);
	free(r->permanent_redirect);
}

static void
on_done(CURL *easy, CURLcode rc, void *arg)
{
	struct fetch *f = arg;
	struct fetch_result r;

	result_fill(f, easy, rc, &r);
	if (!r.ok)
		log_debug("fetch %s: %s", f->url, r.error);
	f->done(&r, f->userdata);
	fetch_result_free(&r);
	fetch_free(f);
}

static void
conditional_header(struct fetch *f, const char *name, const char *value)
{
	struct curl_slist *l;
	char *line;

	if (str_empty(value))
		return;
	/* A stored validator with CR or LF would inject request headers. */
	if (has_control_chars(value)) {
		log_warnx(N_("fetch %s: ignoring %s with control characters"),
		    f->url, name);
		return;
	}
	line = xasprintf("%s: %s", name, value);
	l = curl_slist_append(f->headers, line);
	free(line);
	if (l == NULL)
		fatalx("out of memory");
	f->headers = l;
}

static int
fetch_setopt_request(CURL *easy, struct fetch *f,
    const struct fetch_options *opts, const struct fetch_request *req)
{
	/* The stored Last-Modified goes back verbatim: servers compare it
	 * as a string. */
	conditional_header(f, "If-None-Match", req->etag);
	conditional_header(f, "If-Modified-Since", req->last_modified);
	if (f->headers && EASY_SETOPT(easy, CURLOPT_HTTPHEADER, f->headers))
		return -1;
	if (opts->user_agent &&
	    EASY_SETOPT(easy, CURLOPT_USERAGENT, opts->user_agent))
		return -1;
	if (EASY_SETOPT(easy, CURLOPT_URL, req->url) ||
	    EASY_SETOPT(easy, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    EASY_SETOPT(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") ||
	    EASY_SETOPT(easy, CURLOPT_FOLLOWLOCATION, 1L) ||
	    EASY_SETOPT(easy, CURLOPT_MAXREDIRS, opts->max_redirects) ||
	    EASY_SETOPT(easy, CURLOPT_ACCEPT_ENCODING, "") ||
	    EASY_SETOPT(easy, CURLOPT_TIMEOUT, (long)opts->timeout) ||
	    EASY_SETOPT(easy, CURLOPT_CONNECTTIMEOUT,
	    (long)opts->connect_timeout) ||
	    EASY_SETOPT(easy, CURLOPT_NOSIGNAL, 1L))
		return -1;
	if (opts->max_size > 0 && EASY_SETOPT(easy, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)opts->max_size))
		return -1;
	return 0;
}

static int
fetch_setopt_callbacks(CURL *easy, struct fetch *f)
{
	if (EASY_SETOPT(easy, CURLOPT_ERRORBUFFER, f->errbuf) ||
	    EASY_SETOPT(easy, CURLOPT_HEADERFUNCTION, on_header) ||
	    EASY_SETOPT(easy, CURLOPT_HEADERDATA, f) ||
	    EASY_SETOPT(easy, CURLOPT_WRITEFUNCTION, on_body) ||
	    EASY_SETOPT(easy, CURLOPT_WRITEDATA, f))
		return -1;
	return 0;
}

int
fetch_start(struct curlloop *loop, const struct fetch_options *opts,
    const struct fetch_request *req, fetch_done_fn done, void *userdata)
{
	struct fetch *f;
	CURL *easy;

	if ((easy = curlloop_easy(loop)) == NULL) {
		log_warnx(N_("fetch %s: curl_easy_init failed"), req->url);
		return -1;
	}
	f = xcalloc(1, sizeof(*f));
	f->done = done;
	f->userdata = userdata;
	f->url = xstrdup(req->url);
	f->max_size = opts->max_size;
	if (fetch_setopt_request(easy, f, opts, req) == -1 ||
	    fetch_setopt_callbacks(easy, f) == -1) {
		curl_easy_cleanup(easy);
		fetch_free(f);
		return -1;
	}
	if (curlloop_add(loop, easy, on_done, f) == -1) {
		fetch_free(f);
		return -1;
	}
	return 0;
}
