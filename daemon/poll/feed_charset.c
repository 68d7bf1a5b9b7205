/* feed_charset.c — which encoding a feed is in, and its text as UTF-8. */
#define _GNU_SOURCE		/* memmem */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "poll/feed_charset.h"

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */
#define LABEL_MAX	40

struct source {
	char	 name[LABEL_MAX + 1];	/* as reported, e.g. "GBK" */
	iconv_t	 cd;			/* to UTF-8; (iconv_t)-1 for UTF-8 */
	size_t	 skip;			/* bytes of byte order mark */
};

/* Labels whose converter or reported name is not the label itself; the
 * choices follow the WHATWG Encoding Standard. */
static const struct {
	const char	*label;
	const char	*name;
	const char	*converter;	/* NULL: the bytes are UTF-8 */
} aliases[] = {
	{ "utf-8", "UTF-8", NULL },
	{ "utf8", "UTF-8", NULL },
	{ "unicode-1-1-utf-8", "UTF-8", NULL },
	{ "gb2312", "GB2312", "GB18030" },
	{ "gb_2312-80", "GB2312", "GB18030" },
	{ "csgb2312", "GB2312", "GB18030" },
	{ "euc-cn", "GB2312", "GB18030" },
	{ "gbk", "GBK", "GB18030" },
	{ "x-gbk", "GBK", "GB18030" },
	{ "cp936", "GBK", "GB18030" },
	{ "windows-936", "GBK", "GB18030" },
	{ "gb18030", "GB18030", "GB18030" },
	{ "big5", "BIG5", "BIG5-HKSCS" },
	{ "cn-big5", "BIG5", "BIG5-HKSCS" },
	{ "csbig5", "BIG5", "BIG5-HKSCS" },
	{ "x-x-big5", "BIG5", "BIG5-HKSCS" },
	{ "big5-hkscs", "BIG5-HKSCS", "BIG5-HKSCS" },
	{ "utf-16", "UTF-16", "UTF-16LE" },
	{ "iso-8859-1", "ISO-8859-1", "WINDOWS-1252" },
	{ "latin1", "ISO-8859-1", "WINDOWS-1252" },
	{ "us-ascii", "US-ASCII", "WINDOWS-1252" },
};

static bool
label_char(char c)
{
	return isalnum((unsigned char)c) || (c != '\0' && strchr("-_.:", c));
}

/* Copies a label without quotes or spaces, refusing anything that is not
 * a plausible encoding name before it reaches iconv_open(). */
static int
label_clean(const char *label, char *out)
{
	size_t n = 0;

	while (*label == ' ' || *label == '\t' || *label == '"' ||
	    *label == '\'')
		label++;
	for (; label_char(*label); label++) {
		if (n == LABEL_MAX)
			return -1;
		out[n++] = (char)tolower((unsigned char)*label);
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* Fills src for a label; -1 when the system cannot decode it, so the next
 * source of a label is tried, as browsers do with labels they do not know. */
static int
source_from_label(const char *label, struct source *src)
{
	const char *converter;
	char clean[LABEL_MAX + 1];
	size_t i;

	if (label_clean(label, clean) == -1)
		return -1;
	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (strcmp(clean, aliases[i].label) == 0)
			break;
	if (i < ARRAY_SIZE(aliases)) {
		snprintf(src->name, sizeof(src->name), "%s", aliases[i].name);
		converter = aliases[i].converter;
	} else {
		for (i = 0; clean[i] != '\0'; i++)
			src->name[i] = (char)toupper((unsigned char)clean[i]);
		src->name[i] = '\0';
		converter = src->name;
	}
	src->cd = (iconv_t)-1;
	if (converter == NULL)
		return 0;
	src->cd = iconv_open("UTF-8", converter);
	return src->cd == (iconv_t)-1 ? -1 : 0;
}

static bool
source_from_bom(const char *body, size_t len, struct source *src)
{
	static const struct {
		const char	*bom;
		size_t		 len;
		const char	*label;
	} boms[] = {
		{ "\xef\xbb\xbf", 3, "utf-8" },
		{ "\xff\xfe", 2, "utf-16le" },
		{ "\xfe\xff", 2, "utf-16be" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(boms); i++)
		if (len >= boms[i].len &&
		    memcmp(body, boms[i].bom, boms[i].len) == 0 &&
		    source_from_label(boms[i].label, src) == 0) {
			src->skip = boms[i].len;
			return true;
		}
	return false;
}

/* XML 1.0 Appendix F: without a byte order mark, a document that starts
 * with '<' (or blanks, or JSON's '{') shows its code unit size and byte
 * order by where the zero bytes fall.  No ASCII-compatible encoding has
 * them: XML forbids NUL. */
static bool
source_from_zero_bytes(const char *body, size_t len, struct source *src)
{
	/* '0' a zero byte, 's' a starting character, 'x' any other byte */
	static const struct {
		const char	*pattern;
		const char	*label;
	} layouts[] = {
		{ "000s", "utf-32be" }, { "s000", "utf-32le" },
		{ "0s0x", "utf-16be" }, { "s0x0", "utf-16le" },
	};
	const unsigned char *b = (const unsigned char *)body;
	size_t i, k;
	char c;

	if (len < 4)
		return false;
	for (i = 0; i < ARRAY_SIZE(layouts); i++) {
		for (k = 0; k < 4; k++)
			if ((c = layouts[i].pattern[k]) == '0' ? b[k] != 0 :
			    b[k] == 0 || (c == 's' &&
			    strchr("<{ \t\r\n", b[k]) == NULL))
				break;
		if (k == 4 && source_from_label(layouts[i].label, src) == 0)
			return true;
	}
	return false;
}

/* The encoding an XML declaration names, read as ASCII bytes. */
static bool
declared_label(const char *body, size_t len, char *label, size_t size)
{
	const char *p, *end, *q;
	char quote;

	while (len > 0 && isspace((unsigned char)*body)) {
		body++;
		len--;
	}
	if (len < 5 || memcmp(body, "<?xml", 5) != 0 ||
	    (end = memmem(body, len < 1024 ? len : 1024, "?>", 2)) == NULL ||
	    (p = memmem(body, (size_t)(end - body), "encoding", 8)) == NULL)
		return false;
	for (p += 8; p < end && isspace((unsigned char)*p); p++)
		;
	if (p == end || *p++ != '=')
		return false;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end || (*p != '"' && *p != '\''))
		return false;
	quote = *p++;
	if ((q = memchr(p, quote, (size_t)(end - p))) == NULL ||
	    (size_t)(q - p) >= size)
		return false;
	memcpy(label, p, (size_t)(q - p));
	label[q - p] = '\0';
	return true;
}

/* Valid UTF-8 but for a character cut at the very end: a cut body is
 * not in another encoding. */
static bool
utf8_but_cut(const char *body, size_t len)
{
	const unsigned char *b = (const unsigned char *)body;
	size_t tail = 0, need;

	while (tail < 3 && tail < len && (b[len - 1 - tail] & 0xc0) == 0x80)
		tail++;
	if (tail < len && b[len - 1 - tail] >= 0xc0) {
		need = b[len - 1 - tail] >= 0xf0 ? 4 :
		    b[len - 1 - tail] >= 0xe0 ? 3 : 2;
		if (need > tail + 1)
			len -= tail + 1;
	}
	return utf8_valid(body, len);
}

static void
source_choose(const char *body, size_t len, const char *http_charset,
    struct source *src)
{
	char label[LABEL_MAX + 1];

	src->skip = 0;
	if (source_from_bom(body, len, src) ||
	    source_from_zero_bytes(body, len, src))
		return;
	if (http_charset != NULL && source_from_label(http_charset, src) == 0)
		return;
	/* A declaration readable as ASCII is not UTF-16, whatever it says:
	 * without a BOM such a claim is a mistake, read as UTF-8. */
	if (declared_label(body, len, label, sizeof(label)) &&
	    !str_case_prefix(label, "utf-16") &&
	    source_from_label(label, src) == 0)
		return;
	/* Nothing says: UTF-8 when the bytes are, else what Chinese browsers
	 * fall back to, GB18030 (a superset of GB2312 and GBK). */
	source_from_label(utf8_but_cut(body, len) ? "utf-8" : "gb18030", src);
}

/* iconv() stops at a byte it cannot decode: a U+FFFD takes its place and
 * decoding goes on with the next byte. */
static void
convert(iconv_t cd, const char *in, size_t len, struct strbuf *out)
{
	char chunk[16384], *ip = (char *)in, *op;
	size_t room;

	while (len > 0) {
		op = chunk;
		room = sizeof(chunk);
		if (iconv(cd, &ip, &len, &op, &room) == (size_t)-1 &&
		    errno != E2BIG) {
			sb_append(out, chunk, sizeof(chunk) - room);
			sb_append(out, REPLACEMENT, 3);
			if (errno == EINVAL)
				break;		/* cut short at the end */
			ip++;
			len--;
			continue;
		}
		sb_append(out, chunk, sizeof(chunk) - room);
	}
	/* stateful converters (Big5-HKSCS) may still hold a character */
	op = chunk;
	room = sizeof(chunk);
	iconv(cd, NULL, NULL, &op, &room);
	sb_append(out, chunk, sizeof(chunk) - room);
}

/* XML 1.0 forbids C0 controls other than tab and line ends, and U+FFFE and
 * U+FFFF; libxml2 stops reading at them even when recovering. */
static bool
char_allowed(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	return cp != 0xfffe && cp != 0xffff;
}

/* The length of the character at s when it is UTF-8 that XML allows,
 * else 0.  Every byte of every feed comes through here: ASCII and the
 * three-byte characters of Chinese text are decided inline. */
static inline size_t
allowed_len(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' ||
		    s[0] == '\r';
	if (s[0] >= 0xe0 && s[0] <= 0xef && len >= 3 &&
	    (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		cp = (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		/* overlong forms, surrogates, U+FFFE and U+FFFF */
		return cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff) &&
		    cp < 0xfffe ? 3 : 0;
	}
	n = utf8_decode(str, len, &cp);
	return n > 0 && char_allowed(cp) ? n : 0;
}

/* Whether the eight bytes at s are all printable ASCII (or DEL): no high
 * bit set, and none below 0x20, tested a word at a time. */
static inline bool
printable_ascii8(const char *s)
{
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t v;

	memcpy(&v, s, sizeof(v));
	return (v & high) == 0 &&
	    ((v - 0x2020202020202020ULL) & ~v & high) == 0;
}

static void
utf8_clean(struct strbuf *out, const char *s, size_t len)
{
	const char *run = s;
	uint32_t cp;
	size_t n;

	while (len > 0) {
		if (len >= 8 && printable_ascii8(s)) {
			s += 8;
			len -= 8;
			continue;
		}
		if ((n = allowed_len(s, len)) > 0) {
			s += n;
			len -= n;
			continue;
		}
		n = utf8_decode(s, len, &cp);
		sb_append(out, run, (size_t)(s - run));
		sb_append(out, REPLACEMENT, 3);
		n = n > 0 ? n : 1;
		s += n;
		len -= n;
		run = s;
	}
	sb_append(out, run, (size_t)(s - run));
}

char *
charset_decode(const char *body, size_t len, const char *http_charset,
    size_t *out_len, char **encoding)
{
	struct strbuf utf8 = STRBUF_INIT, clean = STRBUF_INIT;
	struct source src;

	source_choose(body, len, http_charset, &src);
	body += src.skip;
	len -= src.skip;
	if (src.cd == (iconv_t)-1)
		utf8_clean(&clean, body, len);
	else {
		convert(src.cd, body, len, &utf8);
		iconv_close(src.cd);
		utf8_clean(&clean, sb_str(&utf8), utf8.len);
		sb_free(&utf8);
	}
	*encoding = xstrdup(src.name);
	*out_len = clean.len;
	return sb_steal(&clean);
}
