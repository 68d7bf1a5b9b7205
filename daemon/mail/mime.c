/* mime.c — RFC 5322 headers, RFC 2047 encoded-words, multipart bodies. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/mailaddr.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/mime.h"

/* "=?UTF-8?B?" and "?=" around the base64 text of one encoded-word. */
#define EW_PREFIX        "=?UTF-8?B?"
#define EW_OVERHEAD      12
#define BODY_LINE        76      /* RFC 2045 §6.8: base64 lines */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64_append(struct strbuf *sb, const unsigned char *p, size_t n)
{
	char q[4 * 64];            /* appended a block at a time: a unit's
	                              mail is hundreds of kilobytes */
	size_t k = 0;
	uint32_t v;

	for (; n >= 3; p += 3, n -= 3) {
		v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
		q[k++] = b64[v >> 18];
		q[k++] = b64[(v >> 12) & 63];
		q[k++] = b64[(v >> 6) & 63];
		q[k++] = b64[v & 63];
		if (k == sizeof(q)) {
			sb_append(sb, q, k);
			k = 0;
		}
	}
	sb_append(sb, q, k);
	if (n == 0)
		return;
	v = (uint32_t)p[0] << 16 | (n == 2 ? (uint32_t)p[1] << 8 : 0);
	q[0] = b64[v >> 18];
	q[1] = b64[(v >> 12) & 63];
	q[2] = n == 2 ? b64[(v >> 6) & 63] : '=';
	q[3] = '=';
	sb_append(sb, q, 4);
}

static void
random_bytes(void *buf, size_t n)
{
	/* getrandom() only fails for huge requests or before the pool is
	 * seeded; uniqueness, not secrecy, is what callers need here. */
	if (getrandom(buf, n, 0) != (ssize_t)n) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		memset(buf, 0, n);
		memcpy(buf, &ts, n < sizeof(ts) ? n : sizeof(ts));
	}
}

/*
 * A header field being written: words go on the current line while it stays
 * within MIME_LINE_MAX, else the line is folded (CRLF, then the space that
 * separates words anyway, so unfolding gives back the same value).
 */
struct hdr {
	struct strbuf *sb;
	size_t         col;      /* characters on the current line */
	int            words;    /* words on the current line */
};

static void
hdr_start(struct hdr *h, struct strbuf *sb, const char *name)
{
	h->sb = sb;
	sb_puts(sb, name);
	sb_putc(sb, ':');
	h->col = strlen(name) + 1;
	h->words = 0;
}

static void
hdr_fold(struct hdr *h)
{
	sb_puts(h->sb, "\r\n");
	h->col = 0;
	h->words = 0;
}

/* The separator before a word of n characters.  The first word of a line
 * never folds: a line with only the field name would be legal but odd, and
 * a long address is still far below the 998-character limit. */
static void
hdr_space(struct hdr *h, size_t n)
{
	if (h->words > 0 && h->col + 1 + n > MIME_LINE_MAX)
		hdr_fold(h);
	sb_putc(h->sb, ' ');
	h->col++;
	h->words++;
}

static void
hdr_word(struct hdr *h, const char *w, size_t n)
{
	hdr_space(h, n);
	sb_append(h->sb, w, n);
	h->col += n;
}

static void
hdr_end(struct hdr *h)
{
	sb_puts(h->sb, "\r\n");
}

/* How many bytes of s (whole characters) fit in max bytes. */
static size_t
utf8_prefix(const char *s, size_t len, size_t max)
{
	size_t used = 0, n;
	uint32_t cp;

	while (used < len) {
		if ((n = utf8_decode(s + used, len - used, &cp)) == 0)
			n = 1;          /* cleaned text has none; stay safe */
		if (used + n > max)
			break;
		used += n;
	}
	return used;
}

/* Clean UTF-8 text as encoded-words, each as long as the line allows and
 * never longer than 75 characters (RFC 2047 §2).  Readers drop the space
 * between adjacent encoded-words, so the split is invisible. */
static void
hdr_encoded(struct hdr *h, const char *s)
{
	size_t len = strlen(s), take, n;

	while (len > 0) {
		take = 0;
		if (h->col + 1 + EW_OVERHEAD < MIME_LINE_MAX)
			take = utf8_prefix(s, len,
			    (MIME_LINE_MAX - h->col - 1 - EW_OVERHEAD) / 4 * 3);
		if (take == 0) {
			hdr_fold(h);    /* a fresh line holds 45 bytes */
			continue;
		}
		n = EW_OVERHEAD + (take + 2) / 3 * 4;
		hdr_space(h, n);
		sb_puts(h->sb, EW_PREFIX);
		base64_append(h->sb, (const unsigned char *)s, take);
		sb_puts(h->sb, "?=");
		h->col += n;
		s += take;
		len -= take;
	}
}

/* Printable ASCII words separated by single spaces, none looking like an
 * encoded-word and each short enough to fold around, can stay as they
 * are; anything else is encoded (encoded-words can be split anywhere). */
static bool
text_plain(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t word = 0;

	if (*p == ' ')
		return false;
	for (; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return false;
		if (p[0] == ' ' && (p[1] == ' ' || p[1] == '\0'))
			return false;
		if (p[0] == '=' && p[1] == '?')
			return false;
		word = *p == ' ' ? 0 : word + 1;
		if (word > MIME_LINE_MAX - 10)
			return false;
	}
	return true;
}

/* A display name may stay plain only as atext words (RFC 5322 §3.2.3);
 * anything with specials would need quoting, an encoded-word is simpler. */
static bool
phrase_plain(const char *s)
{
	const char *p;

	if (!text_plain(s))
		return false;
	for (p = s; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr(" !#$%&'*+-/=?^_`{|}~", *p))
			return false;
	return true;
}

static void
hdr_plain_words(struct hdr *h, const char *s)
{
	size_t n;

	while (*s) {
		n = strcspn(s, " ");
		hdr_word(h, s, n);
		s += n;
		if (*s == ' ')
			s++;
	}
}

static void
hdr_unstructured(struct hdr *h, const char *text)
{
	char *clean = utf8_printable_copy(text);

	if (text_plain(clean))
		hdr_plain_words(h, clean);
	else
		hdr_encoded(h, clean);
	free(clean);
}

char *
mime_header_encode(const char *text, size_t column)
{
	struct strbuf sb = STRBUF_INIT;
	struct hdr h = { &sb, column > 0 ? column - 1 : 0, 0 };
	char *s;

	hdr_unstructured(&h, text);
	s = sb_steal(&sb);
	if (*s == ' ')
		memmove(s, s + 1, strlen(s));
	return s;
}

static int
hdr_mailbox(struct hdr *h, const char *mailbox, bool comma, char **error)
{
	char *name, *addr, *clean, *w;

	if (mail_address_parse(mailbox, &name, &addr, error) == -1)
		return -1;
	if (name) {
		clean = utf8_printable_copy(name);
		if (phrase_plain(clean))
			hdr_plain_words(h, clean);
		else
			hdr_encoded(h, clean);
		free(clean);
		w = xasprintf("<%s>%s", addr, comma ? "," : "");
	} else
		w = xasprintf("%s%s", addr, comma ? "," : "");
	hdr_word(h, w, strlen(w));
	free(w);
	free(name);
	free(addr);
	return 0;
}

static int
hdr_mailboxes(struct strbuf *sb, const char *field, const char *const *list,
    size_t n, char **error)
{
	struct hdr h;
	size_t i;

	hdr_start(&h, sb, field);
	for (i = 0; i < n; i++)
		if (hdr_mailbox(&h, list[i], i + 1 < n, error) == -1)
			return -1;
	hdr_end(&h);
	return 0;
}

/* RFC 5322 §3.3 with English names whatever the locale, and the zone as a
 * number: the configured zone, so readers see the local hour. */
static void
hdr_date(struct strbuf *sb, time_t t)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	sb_printf(sb, "Date: %s, %d %s %d %02d:%02d:%02d %c%02ld%02ld\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

char *
mime_message_id_new(const char *domain)
{
	uint64_t r;

	random_bytes(&r, sizeof(r));
	return xasprintf("<%llx.%016llx@%s>", (long long)mw_now(),
	    (unsigned long long)r, domain);
}

static int
hdr_message_id(struct strbuf *sb, const struct mail_message *m,
    const char *from_addr, char **error)
{
	char *id;
	size_t n;

	if (m->message_id == NULL) {
		id = mime_message_id_new(strchr(from_addr, '@') + 1);
		sb_printf(sb, "Message-ID: %s\r\n", id);
		free(id);
		return 0;
	}
	n = strlen(m->message_id);
	if (n >= 2 && m->message_id[0] == '<' && m->message_id[n - 1] == '>')
		id = xstrndup(m->message_id + 1, n - 2);
	else
		id = xstrdup(m->message_id);
	/* the id-left@id-right forms we make are addr-spec shaped */
	if (!mail_address_valid(id)) {
		free(id);
		*error = xstrdup("the Message-ID is not of the form id@domain");
		return -1;
	}
	sb_printf(sb, "Message-ID: <%s>\r\n", id);
	free(id);
	return 0;
}

/* Base64 of body with canonical CRLF line endings, in 76-column lines. */
static void
body_base64(struct strbuf *sb, const char *body)
{
	struct strbuf crlf = STRBUF_INIT;
	size_t i, run;

	/* line ends become CRLF; the text between is copied in runs */
	while (*body) {
		run = strcspn(body, "\r\n");
		sb_append(&crlf, body, run);
		if (body[run] == '\0')
			break;
		sb_puts(&crlf, "\r\n");
		body += run + (body[run] == '\r' && body[run + 1] == '\n' ? 2 : 1);
	}
	for (i = 0; i < crlf.len; i += BODY_LINE / 4 * 3) {
		base64_append(sb, (const unsigned char *)crlf.buf + i,
		    crlf.len - i < BODY_LINE / 4 * 3 ? crlf.len - i :
		    BODY_LINE / 4 * 3);
		sb_puts(sb, "\r\n");
	}
	sb_free(&crlf);
}

static void
part_headers(struct strbuf *sb, const char *type)
{
	sb_printf(sb, "Content-Type: %s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n", type);
}

static void
body_append(struct strbuf *sb, const struct mail_message *m)
{
	char boundary[48];
	uint64_t r[2];

	if (m->html == NULL) {
		part_headers(sb, "text/plain");
		sb_puts(sb, "\r\n");
		body_base64(sb, m->text);
		return;
	}
	/* "=_" cannot occur in base64 text, so no part can hold the boundary */
	random_bytes(r, sizeof(r));
	snprintf(boundary, sizeof(boundary), "=_mw_%016llx%016llx",
	    (unsigned long long)r[0], (unsigned long long)r[1]);
	sb_printf(sb, "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"%s\"\r\n\r\n"
	    "This is a MIME message in text and HTML.\r\n", boundary);
	sb_printf(sb, "--%s\r\n", boundary);
	part_headers(sb, "text/plain");
	sb_puts(sb, "\r\n");
	body_base64(sb, m->text);
	sb_printf(sb, "--%s\r\n", boundary);
	part_headers(sb, "text/html");
	sb_puts(sb, "\r\n");
	body_base64(sb, m->html);
	sb_printf(sb, "--%s--\r\n", boundary);
}

static int
message_check(const struct mail_message *m, char **error)
{
	if (m->from == NULL || m->n_to == 0 || m->text == NULL) {
		*error = xstrdup("a message needs a sender, a recipient and "
		    "a text body");
		return -1;
	}
	if (!utf8_valid(m->text, strlen(m->text)) ||
	    (m->html && !utf8_valid(m->html, strlen(m->html)))) {
		*error = xstrdup("the message body is not valid UTF-8");
		return -1;
	}
	return 0;
}

static int
headers_append(struct strbuf *sb, const struct mail_message *m, char **error)
{
	struct hdr h;
	char *name, *from_addr;
	int rc;

	if (mail_address_parse(m->from, &name, &from_addr, error) == -1)
		return -1;
	free(name);
	rc = hdr_mailboxes(sb, "From", &m->from, 1, error);
	if (rc == 0)
		rc = hdr_mailboxes(sb, "To", m->to, m->n_to, error);
	if (rc == 0 && m->n_cc > 0)
		rc = hdr_mailboxes(sb, "Cc", m->cc, m->n_cc, error);
	if (rc == 0) {
		hdr_start(&h, sb, "Subject");
		hdr_unstructured(&h, m->subject ? m->subject : "");
		hdr_end(&h);
		hdr_date(sb, m->date ? m->date : mw_now());
		rc = hdr_message_id(sb, m, from_addr, error);
	}
	free(from_addr);
	if (rc == 0)
		/* RFC 3834: vacation responders must not answer alerts */
		sb_puts(sb, "MIME-Version: 1.0\r\n"
		    "Auto-Submitted: auto-generated\r\n");
	return rc;
}

int
mime_build(const struct mail_message *m, char **out, size_t *outlen,
    char **error)
{
	struct strbuf sb = STRBUF_INIT;

	if (message_check(m, error) == -1)
		return -1;
	if (headers_append(&sb, m, error) == -1) {
		sb_free(&sb);
		return -1;
	}
	body_append(&sb, m);
	*outlen = sb.len;
	*out = sb_steal(&sb);
	return 0;
}
