/* smtp.c — SMTP submission with libcurl (STARTTLS, AUTH, CA file). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mailaddr.h"
#include "base/util.h"
#include "mail/mime.h"
#include "mail/smtp.h"

#define PASSWORD_MAX 4096

struct smtp_job {
	char               *msg;          /* our copy of the message */
	size_t              len;
	size_t              off;          /* bytes handed to curl so far */
	struct curl_slist  *rcpts;        /* CURLOPT_MAIL_RCPT */
	char                errbuf[CURL_ERROR_SIZE];
	char                refusal[512]; /* the server's last 4xx/5xx line */
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

static bool
is_refusal(const char *s, size_t len)
{
	return len >= 3 && (s[0] == '4' || s[0] == '5') &&
	    s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9';
}

/* Keeps the server's last refusal, for the error message: curl's own error
 * says "RCPT failed: 550", not why; and the 221 to the QUIT that follows
 * must not hide it.  Only incoming lines are looked at: outgoing ones hold
 * the AUTH exchange. */
static int
job_debug(CURL *easy, curl_infotype type, char *data, size_t size,
    void *userp)
{
	struct smtp_job *job = userp;
	size_t i, n = 0;

	if (type != CURLINFO_HEADER_IN || !is_refusal(data, size))
		return 0;
	for (i = 0; i < size && n + 1 < sizeof(job->refusal); i++) {
		if (data[i] == '\r' || data[i] == '\n')
			break;
		job->refusal[n++] = (unsigned char)data[i] < 0x20 ? ' ' :
		    data[i];
	}
	job->refusal[n] = '\0';
	return 0;
}

static char *
password_path(const char *file)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");

	if (strchr(file, '/') == NULL && !str_empty(dir))
		return xasprintf("%s/%s", dir, file);
	return xstrdup(file);
}

static ssize_t
read_some(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t r;

	while (got < size) {
		if ((r = read(fd, buf + got, size - got)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The password, one trailing newline removed.  The caller wipes and frees
 * it (explicit_bzero) as soon as curl has its copy. */
static int
password_read(const char *file, char **password, char **error)
{
	char buf[PASSWORD_MAX + 1], *path;
	ssize_t n;
	int fd;

	path = password_path(file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*error = xasprintf("cannot open the SMTP password file %s: %s",
		    path, strerror(errno));
		free(path);
		return -1;
	}
	n = read_some(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > PASSWORD_MAX) {
		*error = xasprintf("cannot read the SMTP password file %s: %s",
		    path, n < 0 ? strerror(errno) : "too long");
		free(path);
		return -1;
	}
	free(path);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	*password = xstrndup(buf, (size_t)n);
	explicit_bzero(buf, sizeof(buf));
	return 0;
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
job_new(const char *const *rcpts, size_t n, const char *msg, size_t len)
{
	struct smtp_job *job = xcalloc(1, sizeof(*job));
	struct curl_slist *l;
	size_t i;

	job->msg = xstrndup(msg, len);
	job->len = len;
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
	if (!str_empty(cfg->password_file) &&
	    password_read(cfg->password_file, &password, error) == -1)
		return -1;
	SETOPT(easy, CURLOPT_USERNAME, cfg->username);
	if (password)
		SETOPT(easy, CURLOPT_PASSWORD, password);
	rc = 0;
fail:
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
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
	SETOPT(easy, CURLOPT_USE_SSL, use_ssl);
	if (!str_empty(cfg->ca_file))
		SETOPT(easy, CURLOPT_CAINFO, cfg->ca_file);
	SETOPT(easy, CURLOPT_MAIL_FROM, from);
	SETOPT(easy, CURLOPT_MAIL_RCPT, job->rcpts);
	SETOPT(easy, CURLOPT_UPLOAD, 1L);
	SETOPT(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->len);
	SETOPT(easy, CURLOPT_READFUNCTION, job_read);
	SETOPT(easy, CURLOPT_READDATA, job);
	SETOPT(easy, CURLOPT_ERRORBUFFER, job->errbuf);
	SETOPT(easy, CURLOPT_DEBUGFUNCTION, job_debug);
	SETOPT(easy, CURLOPT_DEBUGDATA, job);
	SETOPT(easy, CURLOPT_VERBOSE, 1L);      /* feeds job_debug only */
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
	job = job_new(rcpts, n, msg, len);
	if (transfer_setup(easy, cfg, job, from, error) == -1) {
		curl_easy_cleanup(easy);
		smtp_job_free(job);
		return NULL;
	}
	*jobp = job;
	return easy;
}

int
smtp_job_result(struct smtp_job *job, CURL *easy, CURLcode result,
    long *code, char **error)
{
	bool refused = job->refusal[0] != '\0' && result != CURLE_OK;
	long last = 0;

	/* curl may still talk (QUIT) when the handle is cleaned up later */
	curl_easy_setopt(easy, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, NULL);
	curl_easy_setopt(easy, CURLOPT_DEBUGDATA, NULL);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(easy, CURLOPT_READDATA, NULL);
	if (refused)
		last = strtol(job->refusal, NULL, 10);
	else if (result == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &last);
	if (code)
		*code = last;
	if (result == CURLE_OK)
		return 0;
	*error = xasprintf("SMTP: %s%s%s%s",
	    job->errbuf[0] ? job->errbuf : curl_easy_strerror(result),
	    refused ? " (server said: " : "", refused ? job->refusal : "",
	    refused ? ")" : "");
	return -1;
}

void
smtp_job_free(struct smtp_job *job)
{
	if (job == NULL)
		return;
	curl_slist_free_all(job->rcpts);
	free(job->msg);
	free(job);
}

int
smtp_send(const struct mail_config *cfg, const char *from,
    const char *const *rcpts, size_t n, const char *msg, size_t len,
    char **error)
{
	struct smtp_job *job;
	CURLcode result;
	CURL *easy;
	int rc;

	if ((easy = smtp_easy_new(cfg, from, rcpts, n, msg, len, &job,
	    error)) == NULL)
		return -1;
	result = curl_easy_perform(easy);
	rc = smtp_job_result(job, easy, result, NULL, error);
	curl_easy_cleanup(easy);
	smtp_job_free(job);
	return rc;
}
