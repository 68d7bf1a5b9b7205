/* jsonscan.c — a pull reader of JSON text, one token at a time. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonscan.h"
#include "base/util.h"

/* What the grammar allows at s->p. */
enum state {
	AT_ROOT,                /* the top-level object or array */
	AFTER_OPEN_OBJECT,      /* a key or '}' */
	AFTER_OPEN_ARRAY,       /* a value or ']' */
	AFTER_KEY,              /* ':' and a value */
	AFTER_VALUE,            /* ',' or the close of the innermost level */
	AT_END,                 /* nothing: the text is over */
};

/* Bytes that end a run of plain string text: the quote, the backslash and
 * the control characters JSON forbids raw. */
static const unsigned char string_stop[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

static enum jsonscan_token
fail(struct jsonscan *s, const char *why)
{
	s->error = why;
	s->state = AT_END;
	return JTOK_ERROR;
}

/* Strings hold no raw line feed, so whitespace is the only place lines
 * are counted. */
static void
space_skip(struct jsonscan *s)
{
	const char *p = s->p;

	while (p < s->end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r')) {
		if (*p == '\n')
			s->line++;
		p++;
	}
	s->p = p;
}

static bool
at(const struct jsonscan *s, char c)
{
	return s->p < s->end && *s->p == c;
}

static bool
in_object(const struct jsonscan *s)
{
	int level = s->depth - 1;

	return s->in_object[level / 8] & (1u << (level % 8));
}

static enum jsonscan_token
container_open(struct jsonscan *s, bool object)
{
	int level = s->depth++;
	unsigned char bit = (unsigned char)(1u << (level % 8));

	if (object)
		s->in_object[level / 8] |= bit;
	else
		s->in_object[level / 8] &= (unsigned char)~bit;
	s->p++;
	s->state = object ? AFTER_OPEN_OBJECT : AFTER_OPEN_ARRAY;
	return object ? JTOK_OBJECT : JTOK_ARRAY;
}

/* The top level's close is held back until the rest of the text is seen
 * to be whitespace: a caller that stops there has read a whole document. */
static enum jsonscan_token
container_close(struct jsonscan *s)
{
	enum jsonscan_token t = in_object(s) ? JTOK_OBJECT_END : JTOK_ARRAY_END;

	s->p++;
	s->state = --s->depth > 0 ? AFTER_VALUE : AT_END;
	if (s->depth == 0) {
		space_skip(s);
		if (s->p < s->end)
			return fail(s, "text after the end of the document");
	}
	return t;
}

/* For the helpers that return a length: 0 is the refusal. */
static size_t
fail_len(struct jsonscan *s, const char *why)
{
	fail(s, why);
	return 0;
}

static int
hex4(const char *p, const char *end, uint32_t *out)
{
	uint32_t v = 0;
	int i, d;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* A \u escape at p (just past the backslash), with the low half that must
 * follow a high surrogate: its length, or 0 with s->error set. */
static size_t
unicode_escape_read(struct jsonscan *s, const char *p, uint32_t *cp)
{
	uint32_t low;

	if (hex4(p + 1, s->end, cp) == -1)
		return fail_len(s, "invalid \\u escape");
	if (*cp == 0)
		return fail_len(s, "\\u0000 in a string");
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail_len(s, "UTF-16 low surrogate without a high one");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 5;
	if (s->end - p < 7 || p[5] != '\\' || p[6] != 'u')
		return fail_len(s, "UTF-16 high surrogate without a low one");
	if (hex4(p + 7, s->end, &low) == -1)
		return fail_len(s, "invalid \\u escape");
	if (low < 0xdc00 || low > 0xdfff)
		return fail_len(s, "UTF-16 high surrogate without a low one");
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
	return 11;
}

/* The escape at p (its backslash): its length, or 0 with s->error set.
 * Its text goes to text unless text is NULL. */
static size_t
escape_read(struct jsonscan *s, const char *p, struct strbuf *text)
{
	static const char simple_in[] = "\"\\/bfnrt";
	static const char simple_out[] = "\"\\/\b\f\n\r\t";
	const char *simple;
	char utf8[4];
	uint32_t cp;
	size_t n;

	if (s->end - p < 2)
		return fail_len(s, "string not closed");
	if (p[1] != 'u') {
		if (p[1] == '\0' || (simple = strchr(simple_in, p[1])) == NULL)
			return fail_len(s, "invalid escape");
		if (text != NULL)
			sb_putc(text, simple_out[simple - simple_in]);
		return 2;
	}
	if ((n = unicode_escape_read(s, p + 1, &cp)) == 0)
		return 0;
	if (text != NULL)
		sb_append(text, utf8, utf8_encode(cp, utf8));
	return 1 + n;
}

/* The string at s->p (its opening quote), its text unescaped into text
 * unless text is NULL. */
static enum jsonscan_token
string_read(struct jsonscan *s, struct strbuf *text, enum jsonscan_token t)
{
	const char *p = s->p + 1, *run;
	size_t n;

	if (text != NULL) {
		sb_reset(text);
		sb_append(text, "", 0);
	}
	for (;;) {
		for (run = p; p < s->end && !string_stop[(unsigned char)*p]; p++)
			;
		if (text != NULL)
			sb_append(text, run, (size_t)(p - run));
		if (p == s->end)
			return fail(s, "string not closed");
		if (*p == '"')
			break;
		if (*p != '\\')
			return fail(s, "control character in a string");
		if ((n = escape_read(s, p, text)) == 0)
			return JTOK_ERROR;
		p += n;
	}
	s->p = p + 1;
	return t;
}

static const char *
digits_skip(const char *p, const char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/* The end of the number at p, in JSON's grammar: no '+', no leading zero,
 * digits on both sides of the point.  NULL when it breaks the grammar. */
static const char *
number_end(const char *p, const char *end)
{
	const char *q;

	if (p < end && *p == '-')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return NULL;
	q = *p == '0' ? p + 1 : digits_skip(p, end);
	if (q < end && *q >= '0' && *q <= '9')
		return NULL;
	if (q < end && *q == '.') {
		if ((p = digits_skip(q + 1, end)) == q + 1)
			return NULL;
		q = p;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if ((p = digits_skip(q, end)) == q)
			return NULL;
		q = p;
	}
	return q;
}

/* An integer's value, refused as jansson refuses one outside int64. */
static enum jsonscan_token
integer_read(struct jsonscan *s, const char *p, const char *end)
{
	bool negative = *p == '-';
	uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	uint64_t v = 0, d;

	for (p += negative; p < end; p++) {
		d = (uint64_t)(*p - '0');
		if (v > (limit - d) / 10)
			return fail(s, "integer out of the 64-bit range");
		v = v * 10 + d;
	}
	if (!negative)
		s->integer = (long long)v;
	else
		s->integer = v == 0 ? 0 : -(long long)(v - 1) - 1;
	return JTOK_INTEGER;
}

/* strtod() wants a terminated string, and the buffer need not be one. */
static enum jsonscan_token
real_read(struct jsonscan *s, const char *p, size_t len)
{
	char small[64], *copy = len < sizeof(small) ? small : xmalloc(len + 1);

	memcpy(copy, p, len);
	copy[len] = '\0';
	errno = 0;
	s->real = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	if (errno == ERANGE && isinf(s->real))
		return fail(s, "real number overflow");
	return JTOK_REAL;
}

static enum jsonscan_token
number_read(struct jsonscan *s)
{
	const char *start = s->p, *end = number_end(start, s->end);
	size_t len;

	if (end == NULL)
		return fail(s, "invalid number");
	len = (size_t)(end - start);
	s->p = end;
	s->number = start;
	s->number_len = len;
	if (memchr(start, '.', len) == NULL && memchr(start, 'e', len) == NULL &&
	    memchr(start, 'E', len) == NULL)
		return integer_read(s, start, end);
	return real_read(s, start, len);
}

static enum jsonscan_token
literal_read(struct jsonscan *s, const char *word, enum jsonscan_token t)
{
	size_t len = strlen(word);

	if ((size_t)(s->end - s->p) < len || memcmp(s->p, word, len) != 0)
		return fail(s, "invalid literal");
	s->p += len;
	return t;
}

static enum jsonscan_token
value_read(struct jsonscan *s, struct strbuf *text)
{
	if (s->depth >= JSONSCAN_MAX_DEPTH)
		return fail(s, "nested too deep");
	if (s->p == s->end)
		return fail(s, "premature end of text");
	s->state = AFTER_VALUE;
	switch (*s->p) {
	case '{':
		return container_open(s, true);
	case '[':
		return container_open(s, false);
	case '"':
		return string_read(s, text, JTOK_STRING);
	case 't':
		return literal_read(s, "true", JTOK_TRUE);
	case 'f':
		return literal_read(s, "false", JTOK_FALSE);
	case 'n':
		return literal_read(s, "null", JTOK_NULL);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return number_read(s);
	default:
		return fail(s, "a value expected");
	}
}

static enum jsonscan_token
key_read(struct jsonscan *s, struct strbuf *text)
{
	if (!at(s, '"'))
		return fail(s, s->p == s->end ? "premature end of text" :
		    "a key expected");
	s->state = AFTER_KEY;
	return string_read(s, text, JTOK_KEY);
}

static enum jsonscan_token
root_read(struct jsonscan *s)
{
	if (s->p == s->end)
		return fail(s, "no document");
	if (*s->p != '{' && *s->p != '[')
		return fail(s, "the document is neither an object nor an array");
	return container_open(s, *s->p == '{');
}

/* After a member or an element: its level closes, or a comma and the
 * next one follow. */
static enum jsonscan_token
after_value_read(struct jsonscan *s, struct strbuf *text)
{
	if (at(s, in_object(s) ? '}' : ']'))
		return container_close(s);
	if (!at(s, ','))
		return fail(s, s->p == s->end ? "premature end of text" :
		    in_object(s) ? "',' or '}' expected" : "',' or ']' expected");
	s->p++;
	space_skip(s);
	return in_object(s) ? key_read(s, text) : value_read(s, text);
}

void
jsonscan_init(struct jsonscan *s, const char *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->p = buf;
	s->end = buf + len;
	s->line = 1;
	s->state = AT_ROOT;
}

enum jsonscan_token
jsonscan_next(struct jsonscan *s, struct strbuf *text)
{
	if (s->error != NULL)
		return JTOK_ERROR;
	space_skip(s);
	switch (s->state) {
	case AT_ROOT:
		return root_read(s);
	case AFTER_OPEN_OBJECT:
		return at(s, '}') ? container_close(s) : key_read(s, text);
	case AFTER_OPEN_ARRAY:
		return at(s, ']') ? container_close(s) : value_read(s, text);
	case AFTER_KEY:
		if (!at(s, ':'))
			return fail(s, "':' expected");
		s->p++;
		space_skip(s);
		return value_read(s, text);
	case AFTER_VALUE:
		return after_value_read(s, text);
	default:
		return JTOK_END;
	}
}

int
jsonscan_skip(struct jsonscan *s)
{
	switch (jsonscan_next(s, NULL)) {
	case JTOK_ERROR:
		return -1;
	case JTOK_OBJECT:
	case JTOK_ARRAY:
		return jsonscan_leave(s);
	default:
		return 0;
	}
}

int
jsonscan_leave(struct jsonscan *s)
{
	int depth = s->depth;

	while (s->depth >= depth && depth > 0)
		if (jsonscan_next(s, NULL) == JTOK_ERROR)
			return -1;
	return 0;
}
