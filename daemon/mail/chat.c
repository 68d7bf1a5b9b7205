/* chat.c — chat robots' and webhooks' requests, signatures and answers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/util.h"
#include "mail/chat.h"

#define ANSWER_MAX     512          /* bytes of an answer quoted in an error */
#define TAIL_RESERVE   240          /* bytes kept for the closing line */

/* ---- signatures (OpenSSL's HMAC, never our own SHA-256) ---- */

static int
hmac_sha256(const char *key, size_t keylen, const char *msg, size_t len,
    unsigned char mac[EVP_MAX_MD_SIZE], unsigned *maclen)
{
	if (keylen > INT32_MAX ||
	    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, len,
	    mac, maclen) == NULL)
		return -1;
	return 0;
}

static char *
base64(const unsigned char *in, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return out;
}

/* RFC 3986: everything but the unreserved characters as %XX. */
static char *
url_encode(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s))
			sb_putc(&sb, *s);
		else
			sb_printf(&sb, "%%%02X", (unsigned char)*s);
	return sb_steal(&sb);
}

/* 钉钉: Base64(HMAC-SHA256(key = secret, "MS\nsecret")). */
static char *
sign_dingtalk(const char *secret, long long ms)
{
	char *msg = xasprintf("%lld\n%s", ms, secret), *sig = NULL;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned n;

	if (hmac_sha256(secret, strlen(secret), msg, strlen(msg), mac, &n) == 0)
		sig = base64(mac, n);
	explicit_bzero(msg, strlen(msg));
	free(msg);
	return sig;
}

/* 飞书: Base64(HMAC-SHA256(key = "SECONDS\nsecret", "")). */
static char *
sign_feishu(const char *secret, long long seconds)
{
	char *key = xasprintf("%lld\n%s", seconds, secret), *sig = NULL;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned n;

	if (hmac_sha256(key, strlen(key), "", 0, mac, &n) == 0)
		sig = base64(mac, n);
	explicit_bzero(key, strlen(key));
	free(key);
	return sig;
}

/* The webhook: "sha256=" and the hex HMAC-SHA256 of the body. */
static char *
sign_body(const char *secret, const char *body)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	struct strbuf sb = STRBUF_INIT;
	unsigned n, i;

	if (hmac_sha256(secret, strlen(secret), body, strlen(body), mac, &n) == -1)
		return NULL;
	sb_puts(&sb, "sha256=");
	for (i = 0; i < n; i++)
		sb_printf(&sb, "%02x", mac[i]);
	return sb_steal(&sb);
}

/* ---- the text ---- */

size_t
chat_text_max(enum channel_type type)
{
	switch (type) {
	case CHANNEL_WECOM:
		return CHAT_WECOM_MAX;
	case CHANNEL_DINGTALK:
		return CHAT_DINGTALK_MAX;
	case CHANNEL_FEISHU:
		return CHAT_FEISHU_MAX;
	case CHANNEL_WEBHOOK:
		break;
	}
	return CHAT_WEBHOOK_MAX;
}

/* The longest prefix of s, at most max bytes, that ends at a character. */
static size_t
utf8_prefix(const char *s, size_t max)
{
	size_t n = 0, step;
	uint32_t cp;

	while (s[n] && (step = utf8_decode(s + n, strlen(s + n), &cp)) > 0 &&
	    n + step <= max)
		n += step;
	return n;
}

/* Lines with something on them: those a cut leaves out. */
static size_t
lines_in(const char *s)
{
	size_t n = 0, len;

	while (*s) {
		len = strcspn(s, "\n");
		if (strspn(s, " \t") < len)
			n++;
		s += len;
		if (*s == '\n')
			s++;
	}
	return n;
}

char *
chat_fit(const char *text, size_t max, const char *console_url)
{
	struct strbuf sb = STRBUF_INIT;
	size_t reserve, budget, cut = 0, i;

	if (strlen(text) <= max)
		return xstrdup(text);
	reserve = TAIL_RESERVE + (console_url ? strlen(console_url) : 0);
	budget = max > 2 * reserve ? max - reserve : max / 2;
	for (i = 0; i < budget && text[i]; i++)
		if (text[i] == '\n')
			cut = i;
	if (cut == 0)
		cut = utf8_prefix(text, budget);
	sb_append(&sb, text, cut);
	sb_printf(&sb, "\n\n……（以下 %zu 行从略，", lines_in(text + cut));
	if (console_url && *console_url)
		sb_printf(&sb, "请到监测系统查看：%s）", console_url);
	else
		sb_puts(&sb, "完整内容见同时发出的邮件）");
	if (sb.len > max) {              /* a console address of kilobytes */
		sb.len = utf8_prefix(sb.buf, max);
		sb.buf[sb.len] = '\0';
	}
	return sb_steal(&sb);
}

/* The title as a platform shows it: one line, not empty, not too long. */
static char *
title_line(const char *title)
{
	char *t = utf8_printable_copy(title && *title ? title : "政务新媒体监测");
	size_t n = 0, chars = 0, step;
	uint32_t cp;

	while (t[n] && chars < CHAT_TITLE_MAX &&
	    (step = utf8_decode(t + n, strlen(t + n), &cp)) > 0) {
		n += step;
		chars++;
	}
	t[n] = '\0';
	return t;
}

/* The text a robot shows: the title first where the platform has no place
 * for it, within the limit, with the keyword. */
static char *
robot_text(enum channel_type type, const char *title,
    const struct chat_message *m)
{
	size_t max = chat_text_max(type);
	struct strbuf sb = STRBUF_INIT;
	/* config.c keeps a keyword to one line of 64 bytes */
	bool keyword = m->keyword && *m->keyword && strlen(m->keyword) <= 64 &&
	    strstr(title, m->keyword) == NULL && strstr(m->text, m->keyword) == NULL;
	char *fitted;

	if (type == CHANNEL_WECOM || type == CHANNEL_DINGTALK)
		sb_printf(&sb, "**%s**\n\n", title);
	sb_puts(&sb, m->text);
	if (keyword)
		max -= strlen(m->keyword) + 2;
	fitted = chat_fit(sb_str(&sb), max, m->console_url);
	sb_free(&sb);
	if (!keyword)
		return fitted;
	sb_puts(&sb, fitted);
	sb_printf(&sb, "\n\n%s", m->keyword);
	free(fitted);
	return sb_steal(&sb);
}

/* ---- the requests ---- */

static const char *
card_colour(const char *kind)
{
	if (kind == NULL)
		return "blue";
	if (strcmp(kind, "recovery") == 0)
		return "green";
	if (strcmp(kind, "alert") == 0 || strcmp(kind, "wording") == 0 ||
	    strcmp(kind, "reopened") == 0)
		return "red";
	if (strcmp(kind, "gap") == 0)
		return "orange";
	return "blue";
}

static json_t *
wecom_body(const char *text)
{
	return json_pack("{s:s, s:{s:s}}", "msgtype", "markdown", "markdown",
	    "content", text);
}

static json_t *
dingtalk_body(const char *title, const char *text)
{
	return json_pack("{s:s, s:{s:s, s:s}}", "msgtype", "markdown",
	    "markdown", "title", title, "text", text);
}

static json_t *
feishu_body(const char *title, const char *text, const char *kind)
{
	return json_pack("{s:s, s:{s:{s:b}, s:{s:{s:s, s:s}, s:s}, s:[{s:s, "
	    "s:{s:s, s:s}}]}}", "msg_type", "interactive", "card",
	    "config", "wide_screen_mode", 1,
	    "header", "title", "tag", "plain_text", "content", title,
	    "template", card_colour(kind),
	    "elements", "tag", "div", "text", "tag", "lark_md", "content", text);
}

static json_t *
webhook_body(const char *title, const struct chat_message *m,
    long long now_ms)
{
	json_t *o = m->data ? json_loads(m->data, 0, NULL) : NULL;
	char *text = chat_fit(m->text, CHAT_WEBHOOK_MAX, m->console_url);

	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	json_object_set_new(o, "source", json_string("mediawatch"));
	json_object_set_new(o, "id", json_string(m->id ? m->id : ""));
	json_object_set_new(o, "title", json_string(title));
	json_object_set_new(o, "text", json_string(text));
	json_object_set_new(o, "sent_at", json_integer(now_ms / 1000));
	free(text);
	return o;
}

static json_t *
body_for(enum channel_type type, const char *title,
    const struct chat_message *m, long long now_ms)
{
	json_t *body;
	char *text;

	if (type == CHANNEL_WEBHOOK)
		return webhook_body(title, m, now_ms);
	text = robot_text(type, title, m);
	body = type == CHANNEL_WECOM ? wecom_body(text) :
	    type == CHANNEL_DINGTALK ? dingtalk_body(title, text) :
	    feishu_body(title, text, m->kind);
	free(text);
	return body;
}

/* The signature where each platform wants it. */
static int
sign(enum channel_type type, const char *secret, long long now_ms,
    json_t *body, struct chat_request *out)
{
	char *sig, *enc;

	switch (type) {
	case CHANNEL_DINGTALK:
		if ((sig = sign_dingtalk(secret, now_ms)) == NULL)
			return -1;
		enc = url_encode(sig);
		free(sig);
		sig = out->url;
		out->url = xasprintf("%s%ctimestamp=%lld&sign=%s", sig,
		    strchr(sig, '?') ? '&' : '?', now_ms, enc);
		free(sig);
		free(enc);
		return 0;
	case CHANNEL_FEISHU:
		if ((sig = sign_feishu(secret, now_ms / 1000)) == NULL)
			return -1;
		json_object_set_new(body, "timestamp", json_sprintf("%lld",
		    now_ms / 1000));
		json_object_set_new(body, "sign", json_string(sig));
		free(sig);
		return 0;
	case CHANNEL_WECOM:
	case CHANNEL_WEBHOOK:
		break;
	}
	return 0;
}

int
chat_request_build(enum channel_type type, const char *url,
    const char *secret, const struct chat_message *m, long long now_ms,
    struct chat_request *out, char **error)
{
	char *title = title_line(m->title);
	json_t *body = body_for(type, title, m, now_ms);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->url = xstrdup(url);
	if (body == NULL)
		rc = -1;
	else if (!str_empty(secret) && type != CHANNEL_WEBHOOK)
		rc = sign(type, secret, now_ms, body, out);
	if (rc == 0 && (out->body = json_dumps(body, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL)
		rc = -1;
	if (rc == 0 && !str_empty(secret) && type == CHANNEL_WEBHOOK &&
	    (out->signature = sign_body(secret, out->body)) == NULL)
		rc = -1;
	json_decref(body);
	free(title);
	if (rc == -1) {
		chat_request_free(out);
		*error = xstrdup("the message could not be encoded or signed");
	}
	return rc;
}

void
chat_request_free(struct chat_request *r)
{
	free(r->url);
	free(r->body);
	free(r->signature);
	memset(r, 0, sizeof(*r));
}

/* ---- the answers ---- */

/* A platform's answer, quoted in one printable line of reasonable length:
 * it goes into the log and the outbox. */
static char *
quote(const char *s, size_t len)
{
	char *copy = xstrndup(s ? s : "", len < ANSWER_MAX ? len : ANSWER_MAX);
	char *line = utf8_printable_copy(copy);

	free(copy);
	return line;
}

static bool
is_rate_code(enum channel_type type, json_int_t code)
{
	switch (type) {
	case CHANNEL_WECOM:             /* 接口调用超过限制 */
		return code == 45009;
	case CHANNEL_DINGTALK:          /* send too fast (20 a minute) */
		return code == 130101 || code == 410100;
	case CHANNEL_FEISHU:            /* frequency limited (100 a minute) */
		return code == 11232 || code == 9499;
	case CHANNEL_WEBHOOK:
		break;
	}
	return false;
}

/* errcode (wecom, dingtalk) or code (feishu; StatusCode in old answers). */
static bool
answer_code(enum channel_type type, json_t *root, json_int_t *code,
    const char **msg)
{
	json_t *c = json_object_get(root, type == CHANNEL_FEISHU ? "code" :
	    "errcode"), *t;

	if (c == NULL && type == CHANNEL_FEISHU)
		c = json_object_get(root, "StatusCode");
	t = json_object_get(root, type == CHANNEL_FEISHU ? "msg" : "errmsg");
	if (t == NULL && type == CHANNEL_FEISHU)
		t = json_object_get(root, "StatusMessage");
	*msg = json_is_string(t) ? json_string_value(t) : "";
	if (!json_is_integer(c))
		return false;
	*code = json_integer_value(c);
	return true;
}

static enum chat_verdict
judge_json(enum channel_type type, const char *body, size_t len, char **why)
{
	json_t *root = json_loadb(body ? body : "", len, 0, NULL);
	enum chat_verdict v = CHAT_FAILED;
	const char *msg;
	json_int_t code;
	char *m;

	if (!json_is_object(root) || !answer_code(type, root, &code, &msg)) {
		m = quote(body, len);
		*why = xasprintf("the answer is not the platform's: %s", m);
		free(m);
	} else if (code == 0)
		v = CHAT_SENT;
	else {
		v = is_rate_code(type, code) ? CHAT_RATE_LIMITED : CHAT_FAILED;
		m = quote(msg, strlen(msg));
		*why = xasprintf("%s %" JSON_INTEGER_FORMAT ": %s",
		    type == CHANNEL_FEISHU ? "code" : "errcode", code, m);
		free(m);
	}
	json_decref(root);
	return v;
}

enum chat_verdict
chat_answer(enum channel_type type, long status, const char *body, size_t len,
    char **why)
{
	char *m;

	*why = NULL;
	if (status == 429 || status < 200 || status > 299) {
		m = quote(body, len);
		*why = xasprintf("HTTP %ld%s%s", status, *m ? ": " : "", m);
		free(m);
		return status == 429 ? CHAT_RATE_LIMITED : CHAT_FAILED;
	}
	if (type == CHANNEL_WEBHOOK)
		return CHAT_SENT;
	return judge_json(type, body, len, why);
}

long
chat_rate_limit_delay(enum channel_type type)
{
	/* 钉钉 stops a robot for 10 minutes after 20 messages in a minute */
	return type == CHANNEL_DINGTALK ? 600 : 60;
}

/* ---- the webhook's data ---- */

/* The lists of the messages' names that hold accounts, and their state. */
static const struct {
	const char *kind, *list, *state, *deadline;
} account_lists[] = {
	{ "alert", "warning", "warning", "veto_date" },
	{ "alert", "stale", "stale", "problem_due" },
	{ "alert", "dormant", "dormant", "problem_due" },
	{ "recovery", "recovered", "fresh", NULL },
	{ "gap", "accounts", "unverified", NULL },
	{ "reopened", "accounts", "reopened", NULL },
};

static json_t *
account_json(const json_t *row, const char *state, const char *deadline)
{
	const char *days = json_string_value(json_object_get(row, "days"));
	json_t *d = deadline ? json_object_get(row, deadline) : NULL;

	return json_pack("{s:s, s:O?, s:O?, s:O?, s:O?, s:o, s:O?, s:O?}",
	    "state", state,
	    "unit_name", json_object_get(row, "unit_name"),
	    "platform", json_object_get(row, "platform"),
	    "name", json_object_get(row, "name"),
	    "uid", json_object_get(row, "uid"),
	    "days", days ? json_integer(strtoll(days, NULL, 10)) : json_null(),
	    "last_update", json_object_get(row, "last_update"),
	    "deadline", d);
}

static json_t *
accounts_of(const char *kind, const json_t *data)
{
	json_t *out = json_array(), *row;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(account_lists); i++) {
		if (strcmp(account_lists[i].kind, kind) != 0)
			continue;
		json_array_foreach(json_object_get(data, account_lists[i].list),
		    j, row)
			json_array_append_new(out, account_json(row,
			    account_lists[i].state, account_lists[i].deadline));
	}
	return out;
}

static json_t *
string_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *
chat_webhook_data(const char *kind, const char *unit_code,
    const char *unit_name, const char *link, json_t *data)
{
	json_t *unit = unit_code ? json_pack("{s:s, s:s}", "code", unit_code,
	    "name", unit_name ? unit_name : "") : json_null();

	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}",
	    "kind", kind,
	    "status", strcmp(kind, "recovery") == 0 ? "resolved" : "firing",
	    "unit", unit ? unit : json_null(),
	    "link", string_or_null(link),
	    "accounts", accounts_of(kind, data),
	    "data", data);
}
