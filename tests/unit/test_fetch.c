/* test_fetch.c — the fetch engine against a real HTTP server on loopback.
 *
 * The server is a forked process listening on 127.0.0.1 on an ephemeral
 * port; every connection is answered by its own child from a table of
 * canned responses, so slow responses never hold up the others.  Each test
 * drives a real sd-event loop until every fetch has reported. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/util.h"
#include "net/curlloop.h"
#include "poll/fetch.h"

/* The server side. */

static pid_t server_pid = -1;
static int   server_port;

static const char last_modified[] = "Wed, 21 Oct 2015 07:28:00 GMT";

/* gzip of "<rss>decoded gzip body</rss>" */
static const unsigned char gzip_body[] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xb3, 0x29,
	0x2a, 0x2e, 0xb6, 0x4b, 0x49, 0x4d, 0xce, 0x4f, 0x49, 0x4d, 0x51, 0x48,
	0xaf, 0xca, 0x2c, 0x50, 0x48, 0xca, 0x4f, 0xa9, 0xb4, 0xd1, 0x07, 0x09,
	0x03, 0x00, 0xa2, 0xb4, 0xa5, 0xad, 0x1c, 0x00, 0x00, 0x00,
};

static void
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			_exit(0);       /* the client went away */
		}
		p += n;
		len -= (size_t)n;
	}
}

static void
respond(int fd, const char *status, const char *headers, const void *body,
    size_t len)
{
	char head[8192];

	snprintf(head, sizeof(head), "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", status, headers, len);
	write_all(fd, head, strlen(head));
	write_all(fd, body, len);
}

static void
respond_text(int fd, const char *status, const char *headers, const char *body)
{
	respond(fd, status, headers, body, strlen(body));
}

static void
serve_redirect(int fd, const char *status, const char *location)
{
	char headers[1024];

	snprintf(headers, sizeof(headers), "Location: %s\r\n", location);
	respond_text(fd, status, headers, "moved\n");
}

static void
serve_conditional(int fd, const char *req, const char *validator)
{
	if (strstr(req, validator))
		respond(fd, "304 Not Modified", "ETag: \"v1\"\r\n", "", 0);
	else
		respond_text(fd, "200 OK", "ETag: \"v1\"\r\n", "fresh");
}

static void
serve_big(int fd, bool declared)
{
	char body[5000];

	memset(body, 'x', sizeof(body));
	if (declared) {
		respond(fd, "200 OK", "", body, sizeof(body));
		return;
	}
	/* No length: the body ends when the connection closes. */
	write_all(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 38);
	write_all(fd, body, sizeof(body));
}

static void
serve_trickle(int fd)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	int i;

	write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 40);
	for (i = 0; i < 100; i++) {
		write_all(fd, "x", 1);
		nanosleep(&pause, NULL);
	}
}

static void
serve_reset(int fd)
{
	struct linger lg = { 1, 0 };
	static const char partial[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc";

	write_all(fd, partial, sizeof(partial) - 1);
	/* Linger 0: close() sends RST instead of FIN. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void
serve_hostile(int fd)
{
	char headers[4096], type[2100];

	memset(type, 'a', sizeof(type) - 1);
	type[sizeof(type) - 1] = '\0';
	snprintf(headers, sizeof(headers),
	    "ETag: \"a\x01" "b\x7f" "c\"\r\n"
	    "Last-Modified: \xff\xfe\r\n"
	    "Content-Type: text/%s\r\n", type);
	respond_text(fd, "200 OK", headers, "hostile");
}

static void
serve_path(int fd, const char *path, const char *req)
{
	char buf[256];

	if (strcmp(path, "/feed") == 0) {
		snprintf(buf, sizeof(buf), "ETag: \"v1\"\r\nLast-Modified: %s\r\n"
		    "Content-Type: Application/RSS+XML; q=1; charset=\"GB2312\"\r\n",
		    last_modified);
		respond_text(fd, "200 OK", buf, "<rss/>");
	} else if (strcmp(path, "/single-quoted") == 0)
		respond_text(fd, "200 OK", "Content-Type: text/xml;"
		    " charset = 'gbk' ; x=1\r\n", "<rss/>");
	else if (strcmp(path, "/conditional") == 0)
		serve_conditional(fd, req, "\r\nIf-None-Match: \"v1\"\r\n");
	else if (strcmp(path, "/conditional-date") == 0) {
		snprintf(buf, sizeof(buf), "\r\nIf-Modified-Since: %s\r\n",
		    last_modified);
		serve_conditional(fd, req, buf);
	} else if (strcmp(path, "/gzip") == 0) {
		if (strstr(req, "Accept-Encoding:") && strstr(req, "gzip"))
			respond(fd, "200 OK", "Content-Encoding: gzip\r\n",
			    gzip_body, sizeof(gzip_body));
		else
			respond_text(fd, "406 Not Acceptable", "", "");
	} else if (strcmp(path, "/dir/moved") == 0)
		respond_text(fd, "301 Moved Permanently",
		    "ETag: \"hop\"\r\nLocation: next?x=1\r\n", "moved\n");
	else if (strcmp(path, "/dir/next?x=1") == 0 ||
	    strcmp(path, "/dir/next") == 0)
		respond_text(fd, "200 OK", "", "final");
	else if (strcmp(path, "/perm308") == 0)
		serve_redirect(fd, "308 Permanent Redirect", "/dir/next");
	else if (strcmp(path, "/temp") == 0)
		serve_redirect(fd, "302 Found", "/dir/next");
	else if (strcmp(path, "/temp-then-perm") == 0)
		serve_redirect(fd, "302 Found", "/dir/moved");
	else if (strcmp(path, "/to-file") == 0)
		serve_redirect(fd, "302 Found", "file:///etc/passwd");
	else if (strcmp(path, "/to-ftp") == 0)
		serve_redirect(fd, "301 Moved Permanently",
		    "ftp://127.0.0.1/pub/feed");
	else if (strcmp(path, "/loop") == 0)
		serve_redirect(fd, "302 Found", "/loop");
	else if (strcmp(path, "/429") == 0)
		respond_text(fd, "429 Too Many Requests", "Retry-After: 120\r\n",
		    "slow down");
	else if (strcmp(path, "/big") == 0)
		serve_big(fd, false);
	else if (strcmp(path, "/big-declared") == 0)
		serve_big(fd, true);
	else if (strcmp(path, "/trickle") == 0)
		serve_trickle(fd);
	else if (strcmp(path, "/reset") == 0)
		serve_reset(fd);
	else if (strcmp(path, "/hostile") == 0)
		serve_hostile(fd);
	else if (strncmp(path, "/echo/", 6) == 0) {
		/* Long enough that the transfers overlap. */
		struct timespec pause = { 0, 100 * 1000 * 1000 };

		nanosleep(&pause, NULL);
		respond_text(fd, "200 OK", "", path + 6);
	} else
		respond_text(fd, "404 Not Found", "", "not here");
}

static void
serve_connection(int fd)
{
	char req[16384], path[1024];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(req) - 1) {
		if ((n = read(fd, req + len, sizeof(req) - 1 - len)) <= 0)
			_exit(0);
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (sscanf(req, "GET %1023s HTTP/", path) != 1)
		_exit(0);
	serve_path(fd, path, req);
	close(fd);
	_exit(0);
}

static void
server_loop(int lfd)
{
	int fd;

	signal(SIGCHLD, SIG_IGN);       /* connection children reap themselves */
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			continue;
		if (fork() == 0) {
			close(lfd);
			serve_connection(fd);
		}
		close(fd);
	}
}

static int
server_start(void **state)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int lfd;

	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 64) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &slen) == -1)
		return -1;
	server_port = ntohs(sin.sin_port);
	if ((server_pid = fork()) == -1)
		return -1;
	if (server_pid == 0) {
		/* Its own group, so teardown also ends trickling children. */
		setpgid(0, 0);
		server_loop(lfd);
	}
	setpgid(server_pid, server_pid);
	close(lfd);
	return 0;
}

static int
server_stop(void **state)
{
	if (server_pid > 0) {
		kill(-server_pid, SIGKILL);
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
	}
	return 0;
}

/* The client side. */

/* A deep copy of one fetch_result, which lives only during the callback. */
struct outcome {
	struct run *run;
	int         calls;
	bool        ok, aborted;
	long        status;
	long long   retry_after;
	size_t      body_len;
	char       *error, *body, *etag, *last_modified, *content_type;
	char       *charset, *effective_url, *permanent_redirect;
};

struct run {
	sd_event        *event;
	struct curlloop *loop;
	int              pending;
};

static void
on_fetched(const struct fetch_result *r, void *arg)
{
	struct outcome *o = arg;

	o->calls++;
	o->ok = r->ok;
	o->aborted = r->aborted;
	o->status = r->http_status;
	o->retry_after = r->retry_after;
	o->body_len = r->body_len;
	o->error = xstrdup(r->error);
	o->body = r->body ? xstrndup(r->body, r->body_len) : NULL;
	o->etag = xstrdup(r->etag);
	o->last_modified = xstrdup(r->last_modified);
	o->content_type = xstrdup(r->content_type);
	o->charset = xstrdup(r->charset);
	o->effective_url = xstrdup(r->effective_url);
	o->permanent_redirect = xstrdup(r->permanent_redirect);
	if (--o->run->pending == 0)
		sd_event_exit(o->run->event, 0);
}

static void
outcome_free(struct outcome *o)
{
	free(o->error);
	free(o->body);
	free(o->etag);
	free(o->last_modified);
	free(o->content_type);
	free(o->charset);
	free(o->effective_url);
	free(o->permanent_redirect);
	memset(o, 0, sizeof(*o));
}

static int
on_guard(sd_event_source *s, uint64_t usec, void *arg)
{
	return sd_event_exit(sd_event_source_get_event(s), -ETIMEDOUT);
}

static struct fetch_options
default_options(void)
{
	struct fetch_options o = {
		.timeout = 10,
		.connect_timeout = 5,
		.max_size = 1 << 20,
		.max_redirects = 5,
		.user_agent = "mediawatch-test/1",
	};

	return o;
}

static char *
url(const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", server_port, path);
}

static void
run_init(struct run *run)
{
	memset(run, 0, sizeof(*run));
	assert_int_equal(sd_event_new(&run->event), 0);
	run->loop = curlloop_new(run->event, 16, 8);
	assert_non_null(run->loop);
	/* A hung test fails instead of hanging. */
	assert_true(sd_event_add_time_relative(run->event, NULL,
	    CLOCK_MONOTONIC, 15 * 1000000ULL, 0, on_guard, NULL) >= 0);
}

static void
run_start(struct run *run, const struct fetch_options *opts,
    const char *path, const char *etag, const char *lm, struct outcome *o)
{
	struct fetch_request req = { NULL, etag, lm };
	char *u = url(path);

	memset(o, 0, sizeof(*o));
	o->run = run;
	req.url = u;
	assert_int_equal(fetch_start(run->loop, opts, &req, on_fetched, o), 0);
	run->pending++;
	free(u);        /* fetch keeps its own copy */
}

static void
run_finish(struct run *run)
{
	assert_int_equal(sd_event_loop(run->event), 0);
	curlloop_free(run->loop);
	sd_event_unref(run->event);
}

/* One fetch of path, run to completion. */
static void
fetch_path(const struct fetch_options *opts, const char *path,
    const char *etag, const char *lm, struct outcome *o)
{
	struct run run;

	run_init(&run);
	run_start(&run, opts, path, etag, lm, o);
	run_finish(&run);
	assert_int_equal(o->calls, 1);
}

static void
assert_contains(const char *s, const char *needle)
{
	if (s == NULL || strstr(s, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)",
		    needle);
}

/* The tests. */

static void
test_single_quoted_charset_is_read(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/single-quoted", NULL, NULL, &o);
	assert_true(o.ok);
	assert_string_equal(o.content_type, "text/xml");
	assert_string_equal(o.charset, "gbk");
	outcome_free(&o);
}

static void
test_200_captures_validators_type_and_charset(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;
	char *u = url("/feed");

	fetch_path(&opts, "/feed", NULL, NULL, &o);
	assert_true(o.ok);
	assert_false(o.aborted);
	assert_null(o.error);
	assert_int_equal(o.status, 200);
	assert_string_equal(o.body, "<rss/>");
	assert_int_equal(o.body_len, 6);
	assert_string_equal(o.etag, "\"v1\"");
	assert_string_equal(o.last_modified, last_modified);
	assert_string_equal(o.content_type, "application/rss+xml");
	assert_string_equal(o.charset, "GB2312");
	assert_string_equal(o.effective_url, u);
	assert_null(o.permanent_redirect);
	assert_int_equal(o.retry_after, -1);
	free(u);
	outcome_free(&o);
}

static void
test_etag_sent_as_if_none_match_gets_304_without_body(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/conditional", "\"v1\"", NULL, &o);
	assert_true(o.ok);
	assert_int_equal(o.status, 304);
	assert_null(o.body);
	assert_null(o.error);
	outcome_free(&o);

	/* Without the validator the same URL answers 200. */
	fetch_path(&opts, "/conditional", NULL, NULL, &o);
	assert_true(o.ok);
	assert_int_equal(o.status, 200);
	assert_string_equal(o.body, "fresh");
	outcome_free(&o);
}

static void
test_last_modified_sent_verbatim_as_if_modified_since(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/conditional-date", NULL, last_modified, &o);
	assert_true(o.ok);
	assert_int_equal(o.status, 304);
	assert_null(o.body);
	outcome_free(&o);
}

static void
test_validator_with_newline_is_not_sent(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/conditional", "\"v1\"\r\nX-Injected: 1", NULL, &o);
	assert_true(o.ok);
	assert_int_equal(o.status, 200);
	outcome_free(&o);
}

static void
test_gzip_body_is_decoded(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/gzip", NULL, NULL, &o);
	assert_true(o.ok);
	assert_int_equal(o.status, 200);
	assert_string_equal(o.body, "<rss>decoded gzip body</rss>");
	outcome_free(&o);
}

static void
test_301_records_resolved_permanent_redirect_and_final_headers(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;
	char *target = url("/dir/next?x=1");

	fetch_path(&opts, "/dir/moved", NULL, NULL, &o);
	assert_true(o.ok);
	assert_int_equal(o.status, 200);
	assert_string_equal(o.body, "final");
	assert_string_equal(o.permanent_redirect, target);
	assert_string_equal(o.effective_url, target);
	/* The hop's ETag belongs to the hop, not to the feed. */
	assert_null(o.etag);
	free(target);
	outcome_free(&o);
}

static void
test_308_records_permanent_redirect(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;
	char *target = url("/dir/next");

	fetch_path(&opts, "/perm308", NULL, NULL, &o);
	assert_true(o.ok);
	assert_string_equal(o.permanent_redirect, target);
	free(target);
	outcome_free(&o);
}

static void
test_302_does_not_record_permanent_redirect(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;
	char *target = url("/dir/next");

	fetch_path(&opts, "/temp", NULL, NULL, &o);
	assert_true(o.ok);
	assert_string_equal(o.body, "final");
	assert_string_equal(o.effective_url, target);
	assert_null(o.permanent_redirect);
	outcome_free(&o);

	/* A 301 behind a temporary hop does not move the subscription. */
	fetch_path(&opts, "/temp-then-perm", NULL, NULL, &o);
	assert_true(o.ok);
	assert_null(o.permanent_redirect);
	free(target);
	outcome_free(&o);
}

static void
test_redirect_to_file_url_is_refused(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/to-file", NULL, NULL, &o);
	assert_false(o.ok);
	assert_null(o.body);
	assert_contains(o.error, "redirect refused");
	assert_contains(o.error, "file");
	outcome_free(&o);
}

static void
test_redirect_to_ftp_url_is_refused_and_not_recorded(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/to-ftp", NULL, NULL, &o);
	assert_false(o.ok);
	assert_contains(o.error, "redirect refused");
	assert_contains(o.error, "ftp");
	assert_null(o.permanent_redirect);
	outcome_free(&o);
}

static void
test_non_http_url_is_not_fetched(void **state)
{
	struct fetch_options opts = default_options();
	struct fetch_request req = { "file:///etc/passwd", NULL, NULL };
	struct outcome o;
	struct run run;

	run_init(&run);
	memset(&o, 0, sizeof(o));
	o.run = &run;
	assert_int_equal(fetch_start(run.loop, &opts, &req, on_fetched, &o), 0);
	run.pending++;
	run_finish(&run);
	assert_int_equal(o.calls, 1);
	assert_false(o.ok);
	assert_null(o.body);
	assert_contains(o.error, "file");
	outcome_free(&o);
}

static void
test_redirect_loop_stops_at_max_redirects(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	opts.max_redirects = 3;
	fetch_path(&opts, "/loop", NULL, NULL, &o);
	assert_false(o.ok);
	assert_null(o.body);
	assert_contains(o.error, "Maximum (3) redirects");
	outcome_free(&o);
}

static void
test_429_reports_retry_after_seconds(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/429", NULL, NULL, &o);
	assert_false(o.ok);
	assert_int_equal(o.status, 429);
	assert_int_equal(o.retry_after, 120);
	assert_string_equal(o.error, "HTTP 429");
	assert_null(o.body);
	outcome_free(&o);
}

static void
test_404_is_an_error_naming_the_status(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/404", NULL, NULL, &o);
	assert_false(o.ok);
	assert_int_equal(o.status, 404);
	assert_string_equal(o.error, "HTTP 404");
	assert_null(o.body);
	assert_int_equal(o.retry_after, -1);
	outcome_free(&o);
}

static void
test_body_over_max_size_is_cut_off(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	opts.max_size = 1000;
	fetch_path(&opts, "/big", NULL, NULL, &o);
	assert_false(o.ok);
	assert_null(o.body);
	assert_string_equal(o.error, "body larger than 1000 bytes");
	outcome_free(&o);
}

static void
test_declared_length_over_max_size_is_refused(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	opts.max_size = 1000;
	fetch_path(&opts, "/big-declared", NULL, NULL, &o);
	assert_false(o.ok);
	assert_string_equal(o.error, "body larger than 1000 bytes");
	outcome_free(&o);

	/* Exactly at the cap is fine. */
	opts.max_size = 5000;
	fetch_path(&opts, "/big-declared", NULL, NULL, &o);
	assert_true(o.ok);
	assert_int_equal(o.body_len, 5000);
	outcome_free(&o);
}

static void
test_trickling_server_hits_timeout(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	opts.timeout = 1;
	fetch_path(&opts, "/trickle", NULL, NULL, &o);
	assert_false(o.ok);
	assert_false(o.aborted);
	assert_null(o.body);
	assert_contains(o.error, "timed out");
	outcome_free(&o);
}

static void
test_connection_reset_is_an_error(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/reset", NULL, NULL, &o);
	assert_false(o.ok);
	assert_null(o.body);
	assert_non_null(o.error);
	outcome_free(&o);
}

static void
test_hostile_header_values_are_cleaned_or_dropped(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;

	fetch_path(&opts, "/hostile", NULL, NULL, &o);
	assert_true(o.ok);
	assert_string_equal(o.etag, "\"abc\"");        /* controls stripped */
	assert_null(o.last_modified);                   /* not UTF-8 */
	assert_null(o.content_type);                    /* too long */
	assert_null(o.charset);
	outcome_free(&o);
}

static void
test_concurrent_transfers_all_complete(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o[8];
	struct run run;
	char path[32];
	size_t i;

	run_init(&run);
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		snprintf(path, sizeof(path), "/echo/%zu", i);
		run_start(&run, &opts, path, NULL, NULL, &o[i]);
	}
	assert_int_equal(curlloop_active(run.loop), ARRAY_SIZE(o));
	assert_int_equal(sd_event_loop(run.event), 0);
	assert_int_equal(curlloop_active(run.loop), 0);
	curlloop_free(run.loop);
	sd_event_unref(run.event);
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		snprintf(path, sizeof(path), "%zu", i);
		assert_int_equal(o[i].calls, 1);
		assert_true(o[i].ok);
		assert_string_equal(o[i].body, path);
		outcome_free(&o[i]);
	}
}

static int
on_shutdown(sd_event_source *s, uint64_t usec, void *arg)
{
	struct run *run = arg;

	curlloop_free(run->loop);
	run->loop = NULL;
	return 0;
}

static void
test_curlloop_free_aborts_transfer_with_one_callback(void **state)
{
	struct fetch_options opts = default_options();
	struct outcome o;
	struct run run;

	run_init(&run);
	run_start(&run, &opts, "/trickle", NULL, NULL, &o);
	assert_true(sd_event_add_time_relative(run.event, NULL,
	    CLOCK_MONOTONIC, 300 * 1000ULL, 0, on_shutdown, &run) >= 0);
	assert_int_equal(sd_event_loop(run.event), 0);
	assert_null(run.loop);
	sd_event_unref(run.event);
	assert_int_equal(o.calls, 1);
	assert_true(o.aborted);
	assert_false(o.ok);
	assert_null(o.body);
	assert_non_null(o.error);
	outcome_free(&o);
}

static void
test_idle_curlloop_frees_without_callbacks(void **state)
{
	sd_event *ev;
	struct curlloop *loop;

	/* A loop with nothing in flight frees without callbacks. */
	assert_int_equal(sd_event_new(&ev), 0);
	loop = curlloop_new(ev, 0, 0);
	assert_non_null(loop);
	assert_int_equal(curlloop_active(loop), 0);
	curlloop_free(loop);
	sd_event_unref(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_200_captures_validators_type_and_charset),
		cmocka_unit_test(test_single_quoted_charset_is_read),
		cmocka_unit_test(test_etag_sent_as_if_none_match_gets_304_without_body),
		cmocka_unit_test(test_last_modified_sent_verbatim_as_if_modified_since),
		cmocka_unit_test(test_validator_with_newline_is_not_sent),
		cmocka_unit_test(test_gzip_body_is_decoded),
		cmocka_unit_test(test_301_records_resolved_permanent_redirect_and_final_headers),
		cmocka_unit_test(test_308_records_permanent_redirect),
		cmocka_unit_test(test_302_does_not_record_permanent_redirect),
		cmocka_unit_test(test_redirect_to_file_url_is_refused),
		cmocka_unit_test(test_redirect_to_ftp_url_is_refused_and_not_recorded),
		cmocka_unit_test(test_non_http_url_is_not_fetched),
		cmocka_unit_test(test_redirect_loop_stops_at_max_redirects),
		cmocka_unit_test(test_429_reports_retry_after_seconds),
		cmocka_unit_test(test_404_is_an_error_naming_the_status),
		cmocka_unit_test(test_body_over_max_size_is_cut_off),
		cmocka_unit_test(test_declared_length_over_max_size_is_refused),
		cmocka_unit_test(test_trickling_server_hits_timeout),
		cmocka_unit_test(test_connection_reset_is_an_error),
		cmocka_unit_test(test_hostile_header_values_are_cleaned_or_dropped),
		cmocka_unit_test(test_concurrent_transfers_all_complete),
		cmocka_unit_test(test_curlloop_free_aborts_transfer_with_one_callback),
		cmocka_unit_test(test_idle_curlloop_frees_without_callbacks),
	};
	static const char *proxies[] = { "http_proxy", "https_proxy",
	    "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
	size_t i;

	/* curl honours these; the server is on loopback. */
	for (i = 0; i < ARRAY_SIZE(proxies); i++)
		unsetenv(proxies[i]);
	return cmocka_run_group_tests(tests, server_start, server_stop);
}
