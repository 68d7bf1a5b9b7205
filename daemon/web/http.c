/* http.c — request values, URLs and responses shared by the pages. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "web/http.h"

const char *
param_get(const struct params *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0)
			return p->v[i].value;
	return NULL;
}

const char *
param_text(const struct params *p, const char *key)
{
	const char *v = param_get(p, key), *s;

	for (s = v; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return v;
	return NULL;
}

void
params_add(struct params *p, const char *key, const char *value, size_t len)
{
	struct param *n;

	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	n = &p->v[p->n++];
	n->key = xstrdup(key ? key : "");
	n->value = xmalloc(len + 1);
	memcpy(n->value, value, len);
	n->value[len] = '\0';
	n->len = len;
}

void
params_free(struct params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

const char *
req_arg(const struct req *r, const char *key)
{
	const char *v = strcmp(r->method, "POST") == 0 ?
	    param_text(&r->form, key) : NULL;

	return v ? v : param_text(&r->query, key);
}

long long
parse_id(const char *s)
{
	long long v;
	char *end;

	if (s == NULL || *s < '1' || *s > '9')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end ? 0 : v;
}

void
url_encode_append(struct strbuf *sb, const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
			sb_putc(sb, (char)*p);
		else {
			sb_putc(sb, '%');
			sb_putc(sb, hexd[*p >> 4]);
			sb_putc(sb, hexd[*p & 15]);
		}
	}
}

char *
url_with(const struct req *r, const char *key, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	char sep = '?';
	size_t i;

	sb_puts(&sb, r->path);
	for (i = 0; i < r->query.n; i++) {
		const struct param *q = &r->query.v[i];

		if (strcmp(q->key, key) == 0 || q->value[0] == '\0' ||
		    strcmp(q->key, "done") == 0)
			continue;
		sb_putc(&sb, sep);
		url_encode_append(&sb, q->key);
		sb_putc(&sb, '=');
		url_encode_append(&sb, q->value);
		sep = '&';
	}
	if (value) {
		sb_putc(&sb, sep);
		url_encode_append(&sb, key);
		sb_putc(&sb, '=');
		url_encode_append(&sb, value);
	}
	return sb_steal(&sb);
}

bool
url_is_web(const char *url)
{
	return url && (str_case_prefix(url, "http://") ||
	    str_case_prefix(url, "https://")) && !has_control_chars(url);
}

void
resp_redirect(struct resp *resp, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = STRBUF_INIT;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	free(resp->location);
	resp->location = sb_steal(&sb);
	resp->status = 303;
	sb_reset(&resp->body);
}

void
resp_set_cookie(struct resp *resp, const struct req *r, const char *name,
    const char *value, const char *path)
{
	const struct config *cfg = r->web->cfg;
	bool secure = cfg->web.secure_cookie == SECURE_ALWAYS ||
	    (cfg->web.secure_cookie == SECURE_AUTO && r->web->tls);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(resp->cookies); i++)
		if (resp->cookies[i] == NULL)
			break;
	if (i == ARRAY_SIZE(resp->cookies))
		return;
	resp->cookies[i] = xasprintf("%s=%s; Path=%s; HttpOnly; SameSite=Strict%s%s",
	    name, value, path, value[0] ? "" : "; Max-Age=0",
	    secure ? "; Secure" : "");
}

void
resp_free(struct resp *resp)
{
	size_t i;

	sb_free(&resp->body);
	free(resp->location);
	free(resp->disposition);
	for (i = 0; i < ARRAY_SIZE(resp->cookies); i++)
		free(resp->cookies[i]);
}

void
web_unlock(struct req *r)
{
	pthread_mutex_unlock(&r->web->lock);
}

void
web_relock(struct req *r)
{
	pthread_mutex_lock(&r->web->lock);
}
