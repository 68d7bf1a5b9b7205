/* chatpost.c — HTTP POST of chat messages with libcurl. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/util.h"
#include "mail/chatpost.h"

struct chatpost_job {
	char               *body;         /* our copy of the request body */
	struct curl_slist  *headers;
	struct strbuf       answer;       /* its first CHATPOST_ANSWER_MAX bytes */
	long                retry_after;
	char                errbuf[CURL_ERROR_SIZE];
};

#define SETOPT(easy, opt, val) do {					\
	if (curl_easy_setopt((easy), (opt), (val)) != CURLE_OK) {	\
		*error = xasprintf("curl refused option %s", #opt);	\
		return -1;						\
	}								\
} while (0)

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct chatpost_job *job = userp;
	size_t n = size * nmemb, room = CHATPOST_ANSWER_MAX - job->answer.len;

	sb_append(&job->answer, data, n < room ? n : room);
	return n;
}

/* "Retry-After: 120" (the HTTP-date form is ignored: a delay is guessed). */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	struct chatpost_job *job = userp;
	size_t n = size * nmemb, k = strlen("Retry-After:");
	char buf[32];
	long v;

	if (n > k && n - k < sizeof(buf) && strncasecmp(data, "Retry-After:",
	    k) == 0) {
		memcpy(buf, data + k, n - k);
		buf[n - k] = '\0';
		v = strtol(buf, NULL, 10);
		job->retry_after = v > 0 && v < 86400 ? v : 0;
	}
	return n;
}

static struct curl_slist *
header_list(const struct chat_request *r)
{
	struct curl_slist *h = NULL, *l;
	char *sig = NULL;

	if ((l = curl_slist_append(h, "Content-Type: application/json; "
	    "charset=utf-8")) == NULL)
		fatalx("out of memory");
	h = l;
	if ((l = curl_slist_append(h, "Expect:")) == NULL)
		fatalx("out of memory");
	h = l;
	if (r->signature) {
		sig = xasprintf("X-Mediawatch-Signature: %s", r->signature);
		if ((l = curl_slist_append(h, sig)) == NULL)
			fatalx("out of memory");
		h = l;
		free(sig);
	}
	return h;
}

static int
transfer_setup(CURL *easy, const struct chat_request *r,
    struct chatpost_job *job, long timeout, char **error)
{
	SETOPT(easy, CURLOPT_URL, r->url);
	SETOPT(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(easy, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(easy, CURLOPT_POST, 1L);
	SETOPT(easy, CURLOPT_POSTFIELDS, job->body);
	SETOPT(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(job->body));
	SETOPT(easy, CURLOPT_HTTPHEADER, job->headers);
	SETOPT(easy, CURLOPT_USERAGENT, "mediawatch/1.0");
	SETOPT(easy, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(easy, CURLOPT_WRITEDATA, job);
	SETOPT(easy, CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(easy, CURLOPT_HEADERDATA, job);
	SETOPT(easy, CURLOPT_ERRORBUFFER, job->errbuf);
	SETOPT(easy, CURLOPT_NOSIGNAL, 1L);
	SETOPT(easy, CURLOPT_CONNECTTIMEOUT, CHATPOST_CONNECT_TIMEOUT);
	SETOPT(easy, CURLOPT_TIMEOUT, timeout);
	return 0;
}

CURL *
chatpost_easy_new(const struct chat_request *r, long timeout,
    struct chatpost_job **jobp, char **error)
{
	struct chatpost_job *job;
	CURL *easy;

	if ((easy = curl_easy_init()) == NULL) {
		*error = xstrdup("curl_easy_init failed");
		return NULL;
	}
	job = xcalloc(1, sizeof(*job));
	job->body = xstrdup(r->body);
	job->headers = header_list(r);
	if (transfer_setup(easy, r, job, timeout, error) == -1) {
		curl_easy_cleanup(easy);
		chatpost_job_free(job);
		return NULL;
	}
	*jobp = job;
	return easy;
}

void
chatpost_job_result(struct chatpost_job *job, CURL *easy, CURLcode result,
    struct chatpost_outcome *out)
{
	memset(out, 0, sizeof(*out));
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, NULL);
	out->aborted = result == CURLE_ABORTED_BY_CALLBACK;
	if (result != CURLE_OK) {
		out->error = xstrdup(job->errbuf[0] ? job->errbuf :
		    curl_easy_strerror(result));
		return;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &out->status);
	out->len = job->answer.len;
	out->body = sb_steal(&job->answer);
	out->retry_after = job->retry_after;
}

void
chatpost_job_free(struct chatpost_job *job)
{
	if (job == NULL)
		return;
	free(job->body);
	curl_slist_free_all(job->headers);
	sb_free(&job->answer);
	free(job);
}

void
chatpost_outcome_free(struct chatpost_outcome *o)
{
	free(o->body);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

void
chatpost_send(const struct chat_request *r, long timeout,
    struct chatpost_outcome *out)
{
	struct chatpost_job *job = NULL;
	char *error = NULL;
	CURL *easy;

	if ((easy = chatpost_easy_new(r, timeout, &job, &error)) == NULL) {
		memset(out, 0, sizeof(*out));
		out->error = error;
		return;
	}
	chatpost_job_result(job, easy, curl_easy_perform(easy), out);
	curl_easy_cleanup(easy);
	chatpost_job_free(job);
}
