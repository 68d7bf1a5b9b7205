/* server.c — libmicrohttpd glue: sockets, TLS, reading requests within
 * limits, the headers every response carries. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "web/http.h"
#include "web/pages.h"
#include "web/web.h"

/* Limits of one request.  The URL and headers share MHD's per-connection
 * buffer, so a longer request line or header block is refused by MHD
 * itself (414, 431); a form without a file is small. */
#define CONN_MEMORY     (64 * 1024)
#define URL_MAX         2048
#define QUERY_ARGS_MAX  32
#define CONN_TIMEOUT    30
#define CONN_LIMIT      256
#define LISTEN_MAX      16

struct web {
	struct web_state     state;
	struct MHD_Daemon   *mhd;
	int                  fd;          /* the socket we opened, or -1 */
	char                *address;
	char                *cert, *key;  /* PEM text for TLS */
};

/* Per request: what server.c keeps between MHD's calls. */
struct pending {
	struct req                 req;
	struct MHD_PostProcessor  *pp;
	size_t                     body;        /* bytes received */
	size_t                     limit;
	int                        refuse;      /* a status to answer instead */
	bool                       answered;    /* … and it was queued */
	const char                *refuse_msg;
	char                      *field;       /* the upload's file field */
};

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	sb_vprintf(&sb, fmt, ap);
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	log_info("http: %s", sb_str(&sb));
	sb_free(&sb);
}

/* ---- responses ---- */

static const char csp[] = "default-src 'none'; script-src 'self'; "
	"style-src 'self'; img-src 'self' data:; form-action 'self'; "
	"frame-ancestors 'none'; base-uri 'none'";

static void
add_security_headers(struct MHD_Response *m, const struct web_state *w,
    bool cacheable, const char *policy)
{
	MHD_add_response_header(m, "Content-Security-Policy", policy ? policy : csp);
	MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(m, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(m, "X-Frame-Options", "DENY");
	MHD_add_response_header(m, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(m, "Cache-Control", cacheable ?
	    "private, max-age=3600" : "no-store");
	if (w->tls)
		MHD_add_response_header(m, "Strict-Transport-Security",
		    "max-age=31536000");
}

static enum MHD_Result
send_resp(struct MHD_Connection *c, const struct web_state *w,
    struct resp *resp)
{
	size_t len = resp->body.len, i;
	struct MHD_Response *m;
	enum MHD_Result rc;

	m = MHD_create_response_from_buffer(len, sb_steal(&resp->body),
	    MHD_RESPMEM_MUST_FREE);
	if (m == NULL)
		return MHD_NO;
	MHD_add_response_header(m, "Content-Type", resp->content_type ?
	    resp->content_type : "text/html; charset=utf-8");
	add_security_headers(m, w, resp->cacheable, resp->csp);
	if (resp->location)
		MHD_add_response_header(m, "Location", resp->location);
	if (resp->close)
		MHD_add_response_header(m, "Connection", "close");
	if (resp->disposition)
		MHD_add_response_header(m, "Content-Disposition", resp->disposition);
	for (i = 0; i < ARRAY_SIZE(resp->cookies); i++)
		if (resp->cookies[i])
			MHD_add_response_header(m, "Set-Cookie", resp->cookies[i]);
	rc = MHD_queue_response(c, (unsigned)resp->status, m);
	MHD_destroy_response(m);
	return rc;
}

/* A refusal before the request is complete: MHD sends it and closes the
 * connection without reading the rest of the body. */
static enum MHD_Result
send_refusal(struct MHD_Connection *c, struct web_state *w,
    struct pending *p, int status, const char *msg)
{
	struct resp resp = { .status = status, .close = true };
	enum MHD_Result rc;

	p->answered = true;
	resp_error(&p->req, &resp, status, msg);
	rc = send_resp(c, w, &resp);
	resp_free(&resp);
	return rc;
}

/* ---- reading the request ---- */

static void
client_address(struct MHD_Connection *c, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, size, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    out, (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    out, (socklen_t)size);
	else if (sa && sa->sa_family == AF_UNIX)
		snprintf(out, size, "local");
}

/* Percent-decoding that keeps the length: a %00 would otherwise cut the
 * path short ("/static/app.css%00.html"), so it becomes DEL, a control
 * character every check refuses. */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
	size_t n = MHD_http_unescape(s), i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0')
			s[i] = 0x7f;
	return n;
}

static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct params *q = cls;

	if (q->n > QUERY_ARGS_MAX)
		return MHD_NO;
	params_add(q, key, value ? value : "", value ? strlen(value) : 0);
	return MHD_YES;
}

static size_t
query_length(const struct params *q)
{
	size_t i, n = 0;

	for (i = 0; i < q->n; i++)
		n += strlen(q->v[i].key) + q->v[i].len + 2;
	return n;
}

/* A path we serve has no dot segment, no backslash, no control or NUL
 * byte and no empty segment: nothing that could mean a file elsewhere. */
static bool
path_clean(const char *path)
{
	const char *s;

	if (path[0] != '/' || strstr(path, "//") ||
	    strchr(path, '\\') || has_control_chars(path))
		return false;
	for (s = path; (s = strstr(s, "/.")) != NULL; s++)
		if (s[2] == '/' || s[2] == '\0' || (s[2] == '.' &&
		    (s[3] == '/' || s[3] == '\0')))
			return false;
	return true;
}

static enum MHD_Result
form_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
	struct pending *p = cls;
	struct req *r = &p->req;
	struct param *last;

	if (filename != NULL) {
		/* one file: the first file field's, whatever else is sent */
		if (p->field == NULL) {
			p->field = xstrdup(key);
			r->upload_name = xstrdup(filename);
		}
		if (strcmp(p->field, key) == 0 &&
		    strcmp(r->upload_name, filename) == 0)
			sb_append(&r->upload, data, size);
		return MHD_YES;
	}
	last = r->form.n ? &r->form.v[r->form.n - 1] : NULL;
	if (off > 0 && last && strcmp(last->key, key) == 0) {
		last->value = xrealloc(last->value, last->len + size + 1);
		memcpy(last->value + last->len, data, size);
		last->len += size;
		last->value[last->len] = '\0';
	} else if (r->form.n < 256)
		params_add(&r->form, key, data, size);
	return MHD_YES;
}

static const char *
header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The first call of a request: the request line and headers are in. */
static int
request_begin(struct web_state *w, struct MHD_Connection *c, const char *url,
    const char *method, struct pending *p)
{
	struct req *r = &p->req;
	const char *len_text;
	bool wrong_method = false;

	r->web = w;
	r->now = mw_now();
	r->method = strcmp(method, "HEAD") == 0 ? "HEAD" :
	    strcmp(method, "POST") == 0 ? "POST" : "GET";
	client_address(c, r->address, sizeof(r->address));
	if (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "POST"))
		return p->refuse_msg = "不支持的请求方法。", 405;
	if (strlen(url) > URL_MAX)
		return p->refuse_msg = "网址过长。", 414;
	r->path = xstrdup(url);
	if (!path_clean(r->path))
		return p->refuse_msg = "网址不合规范。", 400;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, &r->query);
	if (r->query.n > QUERY_ARGS_MAX || query_length(&r->query) +
	    strlen(url) > URL_MAX)
		return p->refuse_msg = "网址过长。", 414;
	r->cookie_session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
	    "mw_session");
	r->cookie_login = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
	    "mw_login");
	if (w->cfg->web.remote_user_header)
		r->remote_user = header(c, w->cfg->web.remote_user_header);
	r->route = route_find(r->method, r->path, &r->id, &r->tail, &wrong_method);
	if (r->route == NULL)
		return wrong_method ? (p->refuse_msg = "此网址不接受这种请求。", 405) :
		    (p->refuse_msg = "没有这个页面。", 404);
	if (strcmp(r->method, "POST") != 0)
		return 0;
	p->limit = route_body_max(r->route, w->cfg);
	len_text = header(c, "Content-Length");
	if (len_text && strtoull(len_text, NULL, 10) > p->limit)
		return p->refuse_msg = route_accepts_upload(r->route) ?
		    "上传的文件过大。" : "提交的内容过大。", 413;
	p->pp = MHD_create_post_processor(c, 16 * 1024, form_field, p);
	if (p->pp == NULL)
		return p->refuse_msg = "表单的编码不受支持。", 415;
	return 0;
}

/* More of the body: counted against the limit, then parsed. */
static void
request_body(struct pending *p, const char *data, size_t size)
{
	p->body += size;
	if (p->refuse)
		return;
	if (p->body > p->limit) {
		p->refuse = 413;
		p->refuse_msg = "提交的内容过大。";
		return;
	}
	if (MHD_post_process(p->pp, data, size) != MHD_YES) {
		p->refuse = 400;
		p->refuse_msg = "表单内容无法读取。";
	}
}

/* A body without Content-Length (chunked) can only be refused once it
 * ends: MHD sends no answer in the middle of a body.  Up to this many
 * times the limit is read and dropped for a clear 413; past that the
 * connection is closed. */
#define DISCARD_FACTOR 4

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct web_state *w = cls;
	struct pending *p = *con_cls;
	struct resp resp = { .status = 200 };
	enum MHD_Result rc;

	if (p == NULL) {
		p = *con_cls = xcalloc(1, sizeof(*p));
		if ((p->refuse = request_begin(w, c, url, method, p)) != 0)
			return send_refusal(c, w, p, p->refuse, p->refuse_msg);
		return MHD_YES;
	}
	if (p->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		request_body(p, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return p->body > p->limit * DISCARD_FACTOR ? MHD_NO : MHD_YES;
	}
	if (p->refuse)
		return send_refusal(c, w, p, p->refuse, p->refuse_msg);
	pthread_mutex_lock(&w->lock);
	/* the pages answer users: what the library refuses reads Chinese */
	i18n_speak(true);
	route_dispatch(&p->req, &resp);
	i18n_speak(false);
	pthread_mutex_unlock(&w->lock);
	rc = send_resp(c, w, &resp);
	resp_free(&resp);
	return rc;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct pending *p = *con_cls;

	if (p == NULL)
		return;
	if (p->pp)
		MHD_destroy_post_processor(p->pp);
	params_free(&p->req.query);
	params_free(&p->req.form);
	free(p->field);
	free(p->req.path);
	free(p->req.tail);
	free(p->req.upload_name);
	if (p->req.upload.buf)
		explicit_bzero(p->req.upload.buf, p->req.upload.len);
	sb_free(&p->req.upload);
	user_free(&p->req.user);
	free(p);
	*con_cls = NULL;
}

/* ---- sockets and TLS ---- */

static int
open_listen(const char *spec, char **shown)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICHOST | AI_PASSIVE }, *ai = NULL;
	int fd, one = 1, e;

	snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if ((e = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		log_warnx("web.listen %s: %s", spec, gai_strerror(e));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 || bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, 64) == -1) {
		log_warn("web.listen %s", spec);
		if (fd != -1)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	*shown = xstrdup(spec);
	return fd;
}

/* A credential name (no slash) is read from $CREDENTIALS_DIRECTORY, where
 * systemd's LoadCredential= puts it; anything else is a path. */
static char *
read_pem(const char *name)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	struct strbuf sb = STRBUF_INIT;
	char *path = strchr(name, '/') || dir == NULL ? xstrdup(name) :
	    xasprintf("%s/%s", dir, name);
	int rc = read_whole_file(path, 1024 * 1024, &sb);

	free(path);
	if (rc == -1) {
		sb_free(&sb);
		return NULL;
	}
	return sb_steal(&sb);
}

static int
load_tls(struct web *w, const struct config *cfg)
{
	if (cfg->web.tls_cert == NULL)
		return 0;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		log_warnx("web.tls_cert: this libmicrohttpd has no TLS");
		return -1;
	}
	if ((w->cert = read_pem(cfg->web.tls_cert)) == NULL ||
	    (w->key = read_pem(cfg->web.tls_key)) == NULL)
		return -1;
	w->state.tls = true;
	return 0;
}

/* The socket systemd passed (mediawatch-web.socket), else web.listen. */
static int
listen_socket(struct web *w, const struct config *cfg)
{
	int n = sd_listen_fds(1);

	if (n > 1)
		log_warnx("systemd passed %d sockets; serving the first", n);
	if (n >= 1) {
		w->address = xstrdup("the socket from systemd");
		return SD_LISTEN_FDS_START;
	}
	w->fd = open_listen(cfg->web.listen, &w->address);
	return w->fd;
}

static struct MHD_Daemon *
start_mhd(struct web *w, int fd)
{
	const struct config *cfg = w->state.cfg;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | (w->state.tls ? MHD_USE_TLS : 0);
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, w->cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, w->key },
		{ MHD_OPTION_END, 0, NULL },
	};

	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, &w->state,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->web.threads,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)LISTEN_MAX * 8,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
	    MHD_OPTION_ARRAY, w->state.tls ? tls : tls + 2,
	    MHD_OPTION_END);
}

struct web *
web_start(const struct config *cfg, sqlite3 *db)
{
	struct web *w = xcalloc(1, sizeof(*w));
	int fd;

	w->fd = -1;
	w->state.cfg = cfg;
	w->state.db = db;
	pthread_mutex_init(&w->state.lock, NULL);
	if (load_tls(w, cfg) == -1 || (fd = listen_socket(w, cfg)) == -1) {
		web_stop(w);
		return NULL;
	}
	free(w->address);
	w->address = fd == SD_LISTEN_FDS_START && w->fd == -1 ?
	    xstrdup("the socket passed by systemd") :
	    xasprintf("%s://%s", w->state.tls ? "https" : "http", cfg->web.listen);
	if ((w->mhd = start_mhd(w, fd)) == NULL) {
		log_warnx("cannot start the HTTP server on %s", w->address);
		web_stop(w);
		return NULL;
	}
	return w;
}

const char *
web_address(const struct web *w)
{
	return w->address;
}

void
web_stop(struct web *w)
{
	if (w == NULL)
		return;
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	if (w->fd != -1)
		close(w->fd);
	pages_cleanup(&w->state);
	pthread_mutex_destroy(&w->state.lock);
	free(w->address);
	if (w->key)
		explicit_bzero(w->key, strlen(w->key));
	free(w->key);
	free(w->cert);
	free(w);
}
