/* textnorm.c — strip markup and fold look-alike forms before matching.
 *
 * One pass over the input.  Runs of bytes that come out unchanged are copied
 * in one go; only markup, references, white space and the few characters
 * that change go through the slower per-character path, which keeps plain
 * Chinese text close to memcpy speed.
 *
 * The offset map is a list of marks (norm, orig).  Mark k and mark k+1 bound
 * a segment: normalised bytes [norm_k, norm_k+1) came from input bytes
 * [orig_k, orig_k+1).  When both lengths are equal the bytes correspond one
 * to one (copied text); otherwise the segment is one replacement (an entity,
 * a folded character, a tag read as a space) or, with an empty normalised
 * side, something deleted.  A final mark (len, orig_len) closes the list. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "wording/textnorm.h"

enum segment { SEG_NONE, SEG_LINEAR, SEG_DELETED, SEG_REPLACED };

enum cpclass { CP_KEEP, CP_SPACE, CP_IGNORE, CP_FOLD };

struct tn_state {
	struct normtext *nt;
	struct strbuf    out;
	const unsigned char *in;
	size_t           len;
	int              flags;
	enum segment     seg;           /* kind of the open segment */
	size_t           next_orig;     /* input offset the open segment ends at */
	size_t           space_orig;    /* where the last space written came from */
	int              last_space;    /* output is empty or ends with a space */
};

#define REPLACEMENT_CHAR 0xfffd

static void
mark_push(struct tn_state *st, size_t orig)
{
	struct normtext *nt = st->nt;

	if (nt->nmarks == nt->capmarks) {
		nt->capmarks = nt->capmarks ? nt->capmarks * 2 : 16;
		nt->marks = xrealloc(nt->marks, nt->capmarks * sizeof(*nt->marks));
	}
	nt->marks[nt->nmarks].norm = st->out.len;
	nt->marks[nt->nmarks].orig = orig;
	nt->nmarks++;
}

/* Writes nlen bytes standing for input [orig, orig + olen). */
static void
emit(struct tn_state *st, size_t orig, size_t olen, const char *s, size_t nlen)
{
	int linear = nlen == olen;

	if (!(linear && st->seg == SEG_LINEAR && st->next_orig == orig))
		mark_push(st, orig);
	st->seg = linear ? SEG_LINEAR : SEG_REPLACED;
	st->next_orig = orig + olen;
	sb_append(&st->out, s, nlen);
	st->last_space = s[nlen - 1] == ' ';
	if (st->last_space)
		st->space_orig = orig + (linear ? nlen - 1 : 0);
}

static void
drop(struct tn_state *st, size_t orig)
{
	if (st->seg != SEG_DELETED)
		mark_push(st, orig);
	st->seg = SEG_DELETED;
}

/* A run of white space, wherever its parts come from, is one space. */
static void
emit_space(struct tn_state *st, size_t orig, size_t olen)
{
	if (st->last_space)
		drop(st, orig);
	else
		emit(st, orig, olen, " ", 1);
}

static enum cpclass
cp_class(uint32_t cp)
{
	if (cp < 0x80)
		return cp == ' ' || (cp >= '\t' && cp <= '\r') ? CP_SPACE :
		    cp < 0x20 || cp == 0x7f ? CP_IGNORE : CP_KEEP;
	if (cp < 0xa0)
		return cp == 0x85 ? CP_SPACE : CP_IGNORE;
	if (cp < 0x1680)
		return cp == 0xa0 ? CP_SPACE : cp == 0xad ? CP_IGNORE : CP_KEEP;
	if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return CP_SPACE;
	/* zero-width characters and direction marks hide nothing but can
	 * split a wrong form so that it escapes the list */
	if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2064) || cp == 0xfeff)
		return CP_IGNORE;
	if (cp >= 0xff01 && cp <= 0xff5e)
		return CP_FOLD;
	return CP_KEEP;
}

/* Writes code point cp, read from input [orig, orig + olen). */
static void
emit_cp(struct tn_state *st, uint32_t cp, size_t orig, size_t olen)
{
	char buf[4];

	switch (cp_class(cp)) {
	case CP_SPACE:
		emit_space(st, orig, olen);
		return;
	case CP_IGNORE:
		drop(st, orig);
		return;
	case CP_FOLD:
		cp -= 0xfee0;
		break;
	case CP_KEEP:
		break;
	}
	emit(st, orig, olen, buf, utf8_encode(cp, buf));
}

/* Offset of needle in in[from, len), ASCII case folded, or len. */
static size_t
find_seq(const struct tn_state *st, size_t from, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = from; i + n <= st->len; i++)
		if (strncasecmp((const char *)st->in + i, needle, n) == 0)
			return i;
	return st->len;
}

static int
is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int
is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Offset just past the '>' closing the tag at i, or 0.  A '>' inside a
 * quoted attribute value does not close it. */
static size_t
tag_end(const struct tn_state *st, size_t i)
{
	unsigned char quote = 0;
	size_t j;

	for (j = i + 1; j < st->len; j++) {
		if (quote) {
			if (st->in[j] == quote)
				quote = 0;
		} else if (st->in[j] == '"' || st->in[j] == '\'')
			quote = st->in[j];
		else if (st->in[j] == '>')
			return j + 1;
	}
	/* an unbalanced quote: read the tag as ending at the first '>' */
	for (j = i + 1; j < st->len; j++)
		if (st->in[j] == '>')
			return j + 1;
	return 0;
}

static int
tag_is(const struct tn_state *st, size_t name, size_t namelen, const char *s)
{
	return namelen == strlen(s) &&
	    strncasecmp((const char *)st->in + name, s, namelen) == 0;
}

/* Tags that end a line or a cell when rendered: text on either side of
 * them is not one word. */
static int
tag_breaks_text(const struct tn_state *st, size_t name, size_t namelen)
{
	static const char *const blocks[] = {
		"br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr",
		"td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
		"pre", "blockquote", "section", "article", "header", "footer",
		"title", "figure", "figcaption", "img",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(blocks); i++)
		if (tag_is(st, name, namelen, blocks[i]))
			return 1;
	return 0;
}

/* Handles a tag at i (in[i] == '<'); returns the bytes it takes, or 0 when
 * the '<' is plain text. */
static size_t
html_tag(struct tn_state *st, size_t i)
{
	size_t name, namelen, end, close;

	name = i + 1 + (st->in[i + 1] == '/');
	if (name >= st->len || !is_alpha(st->in[name]))
		return 0;
	for (namelen = 0; name + namelen < st->len &&
	    is_alnum(st->in[name + namelen]); namelen++)
		;
	if ((end = tag_end(st, i)) == 0)
		return 0;
	if (st->in[i + 1] != '/' && (tag_is(st, name, namelen, "script") ||
	    tag_is(st, name, namelen, "style"))) {
		/* their contents are code, never text */
		close = find_seq(st, end, namelen == 6 ? "</script" :
		    "</style");
		end = close < st->len ? tag_end(st, close) : 0;
		if (end == 0)
			end = st->len;
	}
	if (tag_breaks_text(st, name, namelen))
		emit_space(st, i, end - i);
	else
		drop(st, i);
	return end - i;
}

/* Comments, declarations and processing instructions say nothing. */
static size_t
html_other(struct tn_state *st, size_t i)
{
	size_t end;

	if (i + 3 < st->len && memcmp(st->in + i, "<!--", 4) == 0) {
		end = find_seq(st, i + 4, "-->");
		end = end < st->len ? end + 3 : st->len;
	} else if ((end = tag_end(st, i)) == 0)
		return 0;
	drop(st, i);
	return end - i;
}

static size_t
html_markup(struct tn_state *st, size_t i)
{
	if (i + 1 >= st->len)
		return 0;
	if (st->in[i + 1] == '!' || st->in[i + 1] == '?')
		return html_other(st, i);
	return html_tag(st, i);
}

static uint32_t
entity_named(const unsigned char *s, size_t n)
{
	static const struct { const char *name; uint32_t cp; } names[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "nbsp", 0xa0 }, { "ensp", 0x2002 },
		{ "emsp", 0x2003 }, { "thinsp", 0x2009 }, { "shy", 0xad },
		{ "zwsp", 0x200b }, { "zwnj", 0x200c }, { "zwj", 0x200d },
		{ "ldquo", 0x201c }, { "rdquo", 0x201d }, { "lsquo", 0x2018 },
		{ "rsquo", 0x2019 }, { "mdash", 0x2014 }, { "ndash", 0x2013 },
		{ "hellip", 0x2026 }, { "middot", 0xb7 }, { "bull", 0x2022 },
		{ "copy", 0xa9 }, { "reg", 0xae }, { "trade", 0x2122 },
		{ "times", 0xd7 }, { "divide", 0xf7 }, { "yen", 0xa5 },
		{ "deg", 0xb0 }, { "laquo", 0xab }, { "raquo", 0xbb },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i].name) == n &&
		    memcmp(names[i].name, s, n) == 0)
			return names[i].cp;
	return 0;
}

static uint32_t
entity_numeric(const unsigned char *s, size_t n)
{
	uint32_t cp = 0;
	int hex = s[0] == 'x' || s[0] == 'X', big = 0;
	size_t i;

	if (n == (size_t)hex)
		return 0;
	for (i = hex; i < n; i++) {
		unsigned char c = s[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return 0;
		cp = cp * (hex ? 16 : 10) + d;
		if (cp > 0x10ffff) {
			big = 1;
			cp = 0;
		}
	}
	if (big || cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
		return REPLACEMENT_CHAR;
	return cp;
}

/* Decodes a character reference at i (in[i] == '&'); returns the bytes it
 * takes, or 0 when the '&' is plain text.  Only references closed by ';'
 * count: "AT&T" and "a&b=1" stay as written. */
static size_t
html_entity(struct tn_state *st, size_t i)
{
	const unsigned char *s = st->in + i + 1;
	size_t n, max = st->len - i - 1;
	uint32_t cp;

	if (max > 32)
		max = 32;
	for (n = 0; n < max && s[n] != ';'; n++)
		;
	if (n == max || n == 0)
		return 0;
	cp = s[0] == '#' ? entity_numeric(s + 1, n - 1) : entity_named(s, n);
	if (cp == 0)
		return 0;
	emit_cp(st, cp, i, n + 2);
	return n + 2;
}

/* Handles an ASCII byte that cannot be copied as it is. */
static size_t
special_ascii(struct tn_state *st, size_t i)
{
	unsigned char c = st->in[i];
	size_t n = 0;

	if (c == '<' && (st->flags & TN_HTML))
		n = html_markup(st, i);
	else if (c == '&' && (st->flags & TN_HTML))
		n = html_entity(st, i);
	if (n > 0)
		return n;
	emit_cp(st, c, i, 1);
	return 1;
}

static void
flush_run(struct tn_state *st, size_t from, size_t to)
{
	if (to > from)
		emit(st, from, to - from, (const char *)st->in + from, to - from);
}

static void
scan(struct tn_state *st)
{
	const unsigned char *in = st->in;
	size_t i = 0, run = 0, n;
	uint32_t cp;

	while (i < st->len) {
		if (in[i] < 0x80) {
			if (in[i] > ' ' && in[i] < 0x7f && ((in[i] != '<' &&
			    in[i] != '&') || !(st->flags & TN_HTML))) {
				st->last_space = 0;
				i++;
				continue;
			}
			if (in[i] == ' ' && !st->last_space) {
				st->last_space = 1;
				st->space_orig = i++;
				continue;
			}
			flush_run(st, run, i);
			n = special_ascii(st, i);
		} else if (in[i] >= 0xe4 && in[i] <= 0xec && i + 2 < st->len &&
		    (in[i + 1] & 0xc0) == 0x80 && (in[i + 2] & 0xc0) == 0x80) {
			/* U+4000–U+CFFF: CJK ideographs and Hangul, none of
			 * them changed, so most Chinese text takes this path */
			st->last_space = 0;
			i += 3;
			continue;
		} else {
			n = utf8_decode((const char *)in + i, st->len - i, &cp);
			if (n > 0 && cp_class(cp) == CP_KEEP) {
				st->last_space = 0;
				i += n;
				continue;
			}
			flush_run(st, run, i);
			if (n == 0)
				emit_cp(st, REPLACEMENT_CHAR, i, n = 1);
			else
				emit_cp(st, cp, i, n);
		}
		i += n;
		run = i;
	}
	flush_run(st, run, st->len);
}

/* The last space is dropped: the segment it ended becomes a deletion. */
static void
trim_end(struct tn_state *st)
{
	struct normtext *nt = st->nt;

	if (st->out.len == 0 || st->out.buf[st->out.len - 1] != ' ')
		return;
	st->out.buf[--st->out.len] = '\0';
	while (nt->nmarks > 0 && nt->marks[nt->nmarks - 1].norm > st->out.len)
		nt->nmarks--;
	mark_push(st, st->space_orig);
}

void
textnorm(struct normtext *nt, const char *in, size_t len, int flags)
{
	struct tn_state st;

	memset(nt, 0, sizeof(*nt));
	memset(&st, 0, sizeof(st));
	st.nt = nt;
	st.in = (const unsigned char *)in;
	st.len = len;
	st.flags = flags;
	st.last_space = 1;
	scan(&st);
	trim_end(&st);
	mark_push(&st, len);
	nt->len = st.out.len;
	nt->text = sb_steal(&st.out);
	nt->orig_len = len;
}

void
normtext_free(struct normtext *nt)
{
	free(nt->text);
	free(nt->marks);
	memset(nt, 0, sizeof(*nt));
}

/* Index of the last mark at or before normalised offset off. */
static size_t
mark_find(const struct normtext *nt, size_t off)
{
	size_t lo = 0, hi = nt->nmarks, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (nt->marks[mid].norm <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? lo - 1 : 0;
}

static int
mark_linear(const struct normtext *nt, size_t k)
{
	return k + 1 < nt->nmarks && nt->marks[k + 1].norm - nt->marks[k].norm ==
	    nt->marks[k + 1].orig - nt->marks[k].orig;
}

size_t
normtext_orig_start(const struct normtext *nt, size_t off)
{
	size_t k;

	if (off >= nt->len)
		return nt->orig_len;
	k = mark_find(nt, off);
	if (mark_linear(nt, k))
		return nt->marks[k].orig + (off - nt->marks[k].norm);
	return nt->marks[k].orig;
}

size_t
normtext_orig_end(const struct normtext *nt, size_t end)
{
	size_t k;

	if (end == 0)
		return normtext_orig_start(nt, 0);
	if (end > nt->len)
		end = nt->len;
	k = mark_find(nt, end - 1);
	if (mark_linear(nt, k))
		return nt->marks[k].orig + (end - nt->marks[k].norm);
	return k + 1 < nt->nmarks ? nt->marks[k + 1].orig : nt->orig_len;
}

char *
textnorm_str(const char *s, int flags)
{
	struct normtext nt;
	char *text;

	textnorm(&nt, s, strlen(s), flags);
	text = nt.text;
	free(nt.marks);
	return text;
}
