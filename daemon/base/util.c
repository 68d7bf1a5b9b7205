/* util.c — allocation, growable strings and UTF-8 measurement. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "base/util.h"

/* Allocation failure and broken invariants end the process here, below the
 * logging module (which itself allocates): the message goes to standard
 * error, which the journal collects under systemd. */
static void
util_die(const char *what)
{
	static const char prefix[] = "fatal: ";

	(void)!write(STDERR_FILENO, prefix, sizeof prefix - 1);
	(void)!write(STDERR_FILENO, what, strlen(what));
	(void)!write(STDERR_FILENO, "\n", 1);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		util_die("out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		util_die("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		util_die("out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	return sb_steal(&sb);
}

int
set_error(char **error, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	*error = sb_steal(&sb);
	return -1;
}

static void
sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	if (need < sb->len)
		util_die("string too large");
	sb->cap = sb->cap ? sb->cap : 64;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void
sb_append(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
sb_puts(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

void
sb_putc(struct strbuf *sb, char c)
{
	sb_append(sb, &c, 1);
}

void
sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list copy;
	size_t room;
	int n;

	/* formatted straight into the room there is, and again only when it
	 * did not fit: measuring first formatted every text twice */
	if (sb->buf == NULL)
		sb_grow(sb, 0);
	room = sb->cap - sb->len;
	va_copy(copy, ap);
	n = vsnprintf(sb->buf + sb->len, room, fmt, copy);
	va_end(copy);
	if (n < 0)
		util_die("bad format string");
	if ((size_t)n >= room) {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	sb->len += (size_t)n;
}

void
sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

const char *
sb_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *
sb_steal(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void
sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void
sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

size_t
utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, i;
	uint32_t c;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* reject overlong forms, surrogates and values past U+10FFFF */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

size_t
utf8_encode(uint32_t cp, char *s)
{
	if (cp < 0x80) {
		s[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	s[0] = (char)(0xf0 | (cp >> 18));
	s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	s[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

bool
utf8_valid(const char *s, size_t len)
{
	uint32_t cp;
	size_t n;

	while (len > 0) {
		if ((n = utf8_decode(s, len, &cp)) == 0)
			return false;
		s += n;
		len -= n;
	}
	return true;
}

/* East Asian Wide and Fullwidth ranges (UAX #11), enough to align tables of
 * Chinese names; combining marks count zero. */
int
codepoint_width(uint32_t cp)
{
	static const struct { uint32_t lo, hi; } wide[] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
		{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
		{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
	};
	size_t i;

	if (cp == 0 || (cp >= 0x300 && cp <= 0x36f) || cp == 0x200b)
		return 0;
	for (i = 0; i < ARRAY_SIZE(wide); i++)
		if (cp >= wide[i].lo && cp <= wide[i].hi)
			return 2;
	return 1;
}

size_t
utf8_display_width(const char *s)
{
	size_t len = strlen(s), width = 0, n;
	uint32_t cp;

	while (len > 0) {
		if ((unsigned char)*s < 0x80) {         /* ASCII: most cells */
			width++;
			s++;
			len--;
			continue;
		}
		if ((n = utf8_decode(s, len, &cp)) == 0) {
			cp = '?';
			n = 1;
		}
		width += (size_t)codepoint_width(cp);
		s += n;
		len -= n;
	}
	return width;
}

bool
has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

uint64_t
str_hash64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;     /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

const char *
int_text(long long n, char buf[INT_TEXT_SIZE])
{
	/* unsigned: -LLONG_MIN does not fit in a long long */
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n :
	    (unsigned long long)n;
	char *p = buf + INT_TEXT_SIZE - 1;

	*p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (n < 0)
		*--p = '-';
	return p;
}

bool
str_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

char *
str_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

bool
str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_case_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

size_t
line_number_at(const char *buf, size_t offset)
{
	size_t i, line = 1;

	for (i = 0; i < offset; i++)
		line += buf[i] == '\n';
	return line;
}

char **
strv_dup(const char *const *src)
{
	size_t n = 0, i;
	char **out;

	while (src && src[n])
		n++;
	out = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		out[i] = xstrdup(src[i]);
	return out;
}

char **
strv_from_json(const char *text, size_t *n)
{
	json_t *a = json_loads(text ? text : "[]", 0, NULL), *e;
	char **out = xcalloc(json_array_size(a) + 1, sizeof(char *));
	size_t i;

	*n = 0;
	json_array_foreach(a, i, e)
		if (json_is_string(e))
			out[(*n)++] = xstrdup(json_string_value(e));
	json_decref(a);
	return out;
}

void
strv_free(char **list)
{
	size_t i;

	for (i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

/* Header text a user typed, made safe: invalid UTF-8 becomes U+FFFD and
 * every control character (C0, DEL, C1) a space, so no value can end the
 * header line or smuggle in a new one. */
char *
utf8_printable_copy(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(s), n;
	uint32_t cp;

	while (len > 0) {
		if ((n = utf8_decode(s, len, &cp)) == 0) {
			sb_puts(&sb, "\xef\xbf\xbd");
			n = 1;
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			sb_putc(&sb, ' ');
		else
			sb_append(&sb, s, n);
		s += n;
		len -= n;
	}
	return sb_steal(&sb);
}
