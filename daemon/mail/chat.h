/* chat.h — what a chat channel is sent, and what its answer means.
 *
 * A chat message is a title and a Markdown text (rendered from a chat-*.md
 * template, values escaped, see template.h), and for the JSON webhook the
 * message's data.  At each delivery it becomes one HTTP POST, as each
 * platform documents it:
 *
 *   wecom     企业微信 group robot: {"msgtype":"markdown","markdown":
 *             {"content": TEXT}}, the content at most 4096 bytes.  Its key
 *             is part of its address; it signs nothing.
 *   dingtalk  钉钉 custom robot: {"msgtype":"markdown","markdown":{"title":
 *             TITLE,"text": TEXT}}.  Signed mode (加签): the address gets
 *             &timestamp=MS&sign=S, S the Base64 of HMAC-SHA256 keyed by the
 *             secret over "MS\nsecret", URL-encoded.
 *   feishu    飞书 custom bot: an interactive card, the title in its header
 *             and the text as lark_md.  Signature check (签名校验): the body
 *             gets "timestamp": SECONDS (a string) and "sign": the Base64 of
 *             HMAC-SHA256 keyed by "SECONDS\nsecret" over an empty message.
 *   webhook   the office's own system: the message as JSON (kind, status,
 *             title, text, unit, accounts, link, data, id, sent_at); with
 *             a secret, the header X-Mediawatch-Signature: sha256=HEX, the
 *             HMAC-SHA256 of the body keyed by the secret.
 *
 * A text over the platform's limit is cut at a line end and ends with how
 * many lines were left out and where to read them (the console).  A robot
 * in keyword mode (自定义关键词) refuses a message without its keyword:
 * the keyword is added when the text lacks it.
 *
 * Nothing here touches the network or the database; fuzz_chat.c drives it
 * with hostile text. */
#ifndef MW_CHAT_H
#define MW_CHAT_H

#include <jansson.h>
#include <stddef.h>

#include "config/config.h"

#define CHAT_WECOM_MAX     4096     /* bytes of a markdown content */
#define CHAT_DINGTALK_MAX  5000     /* bytes of a markdown text */
#define CHAT_FEISHU_MAX   16000     /* bytes of the card's text (body ≤ 20 KB) */
#define CHAT_WEBHOOK_MAX  65536
#define CHAT_TITLE_MAX       64     /* characters of a title */

/* One message as the outbox keeps it. */
struct chat_message {
	const char *kind;           /* alert, recovery, … (the outbox's kind) */
	const char *title;
	const char *text;           /* Markdown */
	const char *data;           /* JSON object: kind, status, unit, accounts,
	                               link, data (webhook only); may be NULL */
	const char *id;             /* the outbox row's message id */
	const char *console_url;    /* where a cut text points to, or NULL */
	const char *keyword;        /* the robot's keyword, or NULL */
};

/* The request of one delivery. */
struct chat_request {
	char *url;                  /* the address, signed for dingtalk */
	char *body;                 /* JSON, UTF-8 */
	char *signature;            /* the webhook's header value, or NULL */
};

/* Builds the request for type at time now_ms (Unix milliseconds): url and
 * secret (NULL or "" when unsigned) are the channel's.  Returns 0, or -1
 * with *error (caller frees).  Free with chat_request_free(). */
int   chat_request_build(enum channel_type type, const char *url,
          const char *secret, const struct chat_message *m, long long now_ms,
          struct chat_request *out, char **error);
void  chat_request_free(struct chat_request *r);

/* text cut to at most max bytes at a line end (a character end when a line
 * is longer), closed by a line saying how many lines were left out and,
 * when console_url is set, where to see them; text itself when it fits.
 * Caller frees. */
char *chat_fit(const char *text, size_t max, const char *console_url);

/* The largest text type shows. */
size_t chat_text_max(enum channel_type type);

enum chat_verdict {
	CHAT_SENT,                  /* the platform took it */
	CHAT_RATE_LIMITED,          /* too many: put off, not an attempt */
	CHAT_FAILED,                /* an attempt that failed */
};

/* What the answer (HTTP status, body) of a delivery to type means; for
 * CHAT_RATE_LIMITED and CHAT_FAILED *why says it in one printable line
 * (caller frees).  HTTP 200 with a non-zero errcode (wecom, dingtalk) or
 * code (feishu) is a failure; their frequency-limit codes, and HTTP 429
 * from any, are rate limits. */
enum chat_verdict chat_answer(enum channel_type type, long status,
          const char *body, size_t len, char **why);

/* How long to put a rate-limited channel off when the answer does not say
 * (Retry-After): the platform's documented penalty. */
long  chat_rate_limit_delay(enum channel_type type);

/* The webhook's message data: kind, status ("resolved" for a recovery,
 * else "firing"), unit (code and name, or null), link (or null), the
 * accounts (from the lists of data: state, platform, name, uid, days,
 * last_update, deadline) and data itself (the message's names, as the
 * templates see them).  Takes data over (the caller's reference). */
json_t *chat_webhook_data(const char *kind, const char *unit_code,
          const char *unit_name, const char *link, json_t *data);

#endif
