/* smtp.c — SMTP submission with libcurl (STARTTLS, AUTH, CA file). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/mailaddr.h"
#include "base/util.h"
#include "mail/mime.h"
#include "mail/secret.h"
#include "mail/smtp.h"

#define REPLY_MAX    512

/* Spelt with three Ls before curl 8.2. */
#if LIBCURL_VERSION_NUM < 0x080200
#define CURLOPT_MAIL_RCPT_ALLOWFAILS CURLOPT_MAIL_RCPT_ALLLOWFAILS
#endif

struct rcpt_answer {
	int                 code;         /* 0: no reply seen */
	char                reply[REPLY_MAX];
};

struct smtp_job {
	char               *msg;          /* our copy of the message */
	size_t              len;
	size_t              off;          /* bytes handed to curl so far */
	struct curl_slist  *rcpts;        /* CURLOPT_MAIL_RCPT */
	size_t              n_rcpts;
	struct rcpt_answer *answers;      /* one per recipient */
	size_t              rcpt_sent;    /* RCPT commands sent so far */
	long                rcpt_waiting; /* whose RCPT awaits its reply, or -1 */
	bool                login;        /* mail.username is set */
	bool                replies_seen; /* the server spoke on this transfer */
	bool                authenticated;  /* it answered 235 to AUTH */
	bool                no_auth;      /* stopped: a login, but no AUTH */
	char                errbuf[CURL_ERROR_SIZE];
	char                refusal[REPLY_MAX]; /* the last 4xx/5xx line */
};

#define SETOPT(easy, opt, val) do {					\
	if (curl_easy_setopt((easy), (opt), (val)) != CURLE_OK) {	\
		*error = xasprintf("curl refused option %s", #opt);	\
		goto fail;						\
	}								\
} while (0)

static size_t
job_read(char *buf, size_t size, size_t nmemb, void *userp)
{
	struct smtp_job *job = userp;
	size_t n = size * nmemb;

	if (n > job->len - job->off)
		n = job->len - job->off;
	memcpy(buf, job->msg + job->off, n);
	job->off += n;
	return n;
}

/* A reply line: three digits, the first 2 to 5. */
static bool
is_reply(const char *s, size_t len)
{
	return len >= 3 && s[0] >= '2' && s[0] <= '5' &&
	    s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9';
}

/* One line of the server, without its line end, as printable ASCII
 * (replies are ASCII; anything else becomes '?'): it goes into logs, the
 * database and JSON output. */
static void
copy_line(char *dst, size_t size, const char *data, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\r' || c == '\n')
			break;
		dst[n++] = c < 0x20 ? ' ' : c >= 0x7f ? '?' : (char)c;
	}
	dst[n] = '\0';
}

/* curl sends RCPT commands one at a time, each waiting for its reply, so
 * the reply that follows "RCPT TO:" is that recipient's.  Only the command
 * word is looked at: the AUTH exchange goes out here too. */
static void
note_command(struct smtp_job *job, const char *data, size_t size)
{
	job->rcpt_waiting = -1;
	if (size >= 8 && strncasecmp(data, "RCPT TO:", 8) == 0 &&
	    job->rcpt_sent < job->n_rcpts)
		job->rcpt_waiting = (long)job->rcpt_sent++;
}

/* Keeps each recipient's answer, whether the login succeeded, and the
 * server's last refusal for the error message: curl's own error says
 * "RCPT failed: 550", not why, and the 221 to the QUIT that follows must
 * not hide it. */
static void
note_reply(struct smtp_job *job, const char *data, size_t size)
{
	struct rcpt_answer *a;
	int code;

	job->replies_seen = true;
	if (!is_reply(data, size) || (size > 3 && data[3] == '-'))
		return;                 /* a line before the last of a reply */
	code = (data[0] - '0') * 100 + (data[1] - '0') * 10 + (data[2] - '0');
	if (code == 235)
		job->authenticated = true;
	if (job->rcpt_waiting >= 0) {
		a = &job->answers[job->rcpt_waiting];
		a->code = code;
		copy_line(a->reply, sizeof(a->reply), data, size);
		job->rcpt_waiting = -1;
	}
	if (code >= 400)
		copy_line(job->refusal, sizeof(job->refusal), data, size);
}

static int
job_debug(CURL *easy, curl_infotype type, char *data, size_t size,
    void *userp)
{
	if (type == CURLINFO_HEADER_OUT)
		note_command(userp, data, size);
	else if (type == CURLINFO_HEADER_IN)
		note_reply(userp, data, size);
	return 0;
}

/*
 * Runs once the connection is set up (greeting, STARTTLS, AUTH), before
 * MAIL FROM.  curl skips AUTH without a word when the server does not
 * offer it; with a login configured that would hand the message over
 * unauthenticated, perhaps to a server that is not the one meant.  A
 * connection reused from an earlier message shows no reply here: it
 * logged in then (curl reuses one only for the same login, and closes one
 * whose transfer failed).
 */
static int
job_prereq(void *userp, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct smtp_job *job = userp;

	if (job->login && job->replies_seen && !job->authenticated) {
		job->no_auth = true;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* smtp+starttls:// is ours, not curl's: it is smtp:// with TLS required. */
static int
url_split(const char *url, char **curl_url, long *use_ssl, char **error)
{
	if (str_case_prefix(url ? url : "", "smtp+starttls://")) {
		*curl_url = xasprintf("smtp://%s", url + strlen("smtp+starttls://"));
		*use_ssl = CURLUSESSL_ALL;
	} else if (str_case_prefix(url ? url : "", "smtps://")) {
		*curl_url = xstrdup(url);
		*use_ssl = CURLUSESSL_ALL;
	} else if (str_case_prefix(url ? url : "", "smtp://")) {
		*curl_url = xstrdup(url);
		*use_ssl = CURLUSESSL_TRY;
	} else {
		*error = xstrdup("mail.url must start with smtp://, "
		    "smtp+starttls:// or smtps://");
		return -1;
	}
	return 0;
}

static int
envelope_check(const char *from, const char *const *rcpts, size_t n,
    char **error)
{
	size_t i;

	if (!mail_address_valid(from)) {
		*error = xstrdup("the envelope sender is not a valid address");
		return -1;
	}
	if (n == 0) {
		*error = xstrdup("a message needs at least one recipient");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!mail_address_valid(rcpts[i])) {
			*error = xstrdup("a recipient is not a valid address");
			return -1;
		}
	return 0;
}

static struct smtp_job *
job_new(const struct mail_config *cfg, const char *const *rcpts, size_t n,
    const char *msg, size_t len)
{
	struct smtp_job *job = xcalloc(1, sizeof(*job));
	struct curl_slist *l;
	size_t i;

	job->msg = xstrndup(msg, len);
	job->len = len;
	job->n_rcpts = n;
	job->answers = xcalloc(n, sizeof(*job->answers));
	job->rcpt_waiting = -1;
	job->login = !str_empty(cfg->username);
	for (i = 0; i < n; i++) {
		if ((l = curl_slist_append(job->rcpts, rcpts[i])) == NULL)
			fatalx("out of memory");
		job->rcpts = l;
	}
	return job;
}

static int
auth_setup(CURL *easy, const struct mail_config *cfg, char **error)
{
	char *password = NULL;
	int rc = -1;

	if (str_empty(cfg->username))
		return 0;
	if (!str_empty(cfg->password_file) && secret_read(cfg->password_file,
	    "the SMTP password", &password, error) == -1)
		return -1;
	SETOPT(easy, CURLOPT_USERNAME, cfg->username);
	if (password)
		SETOPT(easy, CURLOPT_PASSWORD, password);
	rc = 0;
fail:
	secret_free(password);
	return rc;
}

static int
transfer_setup(CURL *easy, const struct mail_config *cfg,
    struct smtp_job *job, const char *from, char **error)
{
	char *url = NULL;
	long use_ssl;
	int rc = -1;

	if (url_split(cfg->url, &url, &use_ssl, error) == -1)
		return -1;
	SETOPT(easy, CURLOPT_URL, url);
	SETOPT(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* a login never crosses the network in clear, whatever the URL */
	SETOPT(easy, CURLOPT_USE_SSL, job->login ? (long)CURLUSESSL_ALL : use_ssl);
	SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (!str_empty(cfg->ca_file)) {
		/* the pinned CA alone: without this, OpenSSL also looks in the
		 * CA path compiled into libcurl (/etc/ssl/certs on Debian) */
		SETOPT(easy, CURLOPT_CAINFO, cfg->ca_file);
		SETOPT(easy, CURLOPT_CAPATH, (char *)NULL);
	}
	SETOPT(easy, CURLOPT_MAIL_FROM, from);
	SETOPT(easy, CURLOPT_MAIL_RCPT, job->rcpts);
	SETOPT(easy, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
	SETOPT(easy, CURLOPT_UPLOAD, 1L);
	SETOPT(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->len);
	SETOPT(easy, CURLOPT_READFUNCTION, job_read);
	SETOPT(easy, CURLOPT_READDATA, job);
	SETOPT(easy, CURLOPT_ERRORBUFFER, job->errbuf);
	SETOPT(easy, CURLOPT_DEBUGFUNCTION, job_debug);
	SETOPT(easy, CURLOPT_DEBUGDATA, job);
	SETOPT(easy, CURLOPT_VERBOSE, 1L);      /* feeds job_debug only */
	SETOPT(easy, CURLOPT_PREREQFUNCTION, job_prereq);
	SETOPT(easy, CURLOPT_PREREQDATA, job);
	SETOPT(easy, CURLOPT_NOSIGNAL, 1L);
	SETOPT(easy, CURLOPT_CONNECTTIMEOUT, SMTP_CONNECT_TIMEOUT);
	SETOPT(easy, CURLOPT_TIMEOUT, SMTP_TIMEOUT);
	rc = auth_setup(easy, cfg, error);
fail:
	free(url);
	return rc;
}

CURL *
smtp_easy_new(const struct mail_config *cfg, const char *from,
    const char *const *rcpts, size_t n, const char *msg, size_t len,
    struct smtp_job **jobp, char **error)
{
	struct smtp_job *job;
	CURL *easy;

	if (envelope_check(from, rcpts, n, error) == -1)
		return NULL;
	if ((easy = curl_easy_init()) == NULL) {
		*error = xstrdup("curl_easy_init failed");
		return NULL;
	}
	job = job_new(cfg, rcpts, n, msg, len);
	if (transfer_setup(easy, cfg, job, from, error) == -1) {
		curl_easy_cleanup(easy);
		smtp_job_free(job);
		return NULL;
	}
	*jobp = job;
	return easy;
}

static void
outcome_fill(const struct smtp_job *job, CURLcode result,
    struct smtp_outcome *out)
{
	size_t i;

	out->n = job->n_rcpts;
	out->rcpts = xcalloc(job->n_rcpts + 1, sizeof(*out->rcpts));
	out->aborted = result == CURLE_ABORTED_BY_CALLBACK && !job->no_auth;
	for (i = 0; i < job->n_rcpts; i++) {
		const struct rcpt_answer *a = &job->answers[i];

		out->rcpts[i].code = a->code;
		out->rcpts[i].reply = a->code ? xstrdup(a->reply) : NULL;
		/* curl sends DATA only once every RCPT has its reply */
		out->rcpts[i].delivered = result == CURLE_OK &&
		    (a->code == 0 || a->code / 100 == 2);
	}
}

int
smtp_job_result(struct smtp_job *job, CURL *easy, CURLcode result,
    struct smtp_outcome *out, char **error)
{
	bool refused = job->refusal[0] != '\0' && result != CURLE_OK;

	/* curl may still talk (QUIT) when the handle is cleaned up later */
	curl_easy_setopt(easy, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, NULL);
	curl_easy_setopt(easy, CURLOPT_DEBUGDATA, NULL);
	curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, NULL);
	curl_easy_setopt(easy, CURLOPT_PREREQDATA, NULL);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(easy, CURLOPT_READDATA, NULL);
	outcome_fill(job, result, out);
	if (result == CURLE_OK)
		return 0;
	if (job->no_auth)
		*error = xstrdup("SMTP: mail.username is set, but the server "
		    "offers no AUTH: nothing was sent without logging in");
	else
		*error = xasprintf("SMTP: %s%s%s%s",
		    job->errbuf[0] ? job->errbuf : curl_easy_strerror(result),
		    refused ? " (server said: " : "", refused ? job->refusal : "",
		    refused ? ")" : "");
	return -1;
}

void
smtp_outcome_free(struct smtp_outcome *o)
{
	size_t i;

	if (o == NULL || o->rcpts == NULL)
		return;
	for (i = 0; i < o->n; i++)
		free(o->rcpts[i].reply);
	free(o->rcpts);
	memset(o, 0, sizeof(*o));
}

void
smtp_job_free(struct smtp_job *job)
{
	if (job == NULL)
		return;
	curl_slist_free_all(job->rcpts);
	free(job->answers);
	free(job->msg);
	free(job);
}

int
smtp_send(const struct mail_config *cfg, const char *from,
    const char *const *rcpts, size_t n, const char *msg, size_t len,
    struct smtp_outcome *out, char **error)
{
	struct smtp_job *job;
	CURLcode result;
	CURL *easy;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((easy = smtp_easy_new(cfg, from, rcpts, n, msg, len, &job,
	    error)) == NULL)
		return -1;
	result = curl_easy_perform(easy);
	rc = smtp_job_result(job, easy, result, out, error);
	curl_easy_cleanup(easy);
	smtp_job_free(job);
	return rc;
}
