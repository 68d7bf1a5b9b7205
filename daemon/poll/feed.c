/* feed.c — the entries of RSS, RDF, Atom and JSON Feed documents.
 *
 * XML is read through libxml2's SAX2 interface, without a tree: an entry is
 * kept when its element closes, so a truncated body yields the entries
 * before the cut and never a half-read one, and a 50 MB feed never becomes
 * a tree in memory. */
#define _GNU_SOURCE		/* memmem */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "base/i18n.h"
#include "base/jsonscan.h"
#include "base/util.h"
#include "poll/dateparse.h"
#include "poll/feed.h"
#include "poll/feed_charset.h"

/* No entity substitution (XXE, billion laughs), no network, no noise; the
 * text is UTF-8 already, whatever its declaration says. */
#define XML_OPTIONS	(XML_PARSE_RECOVER | XML_PARSE_NONET | \
			 XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
			 XML_PARSE_COMPACT | XML_PARSE_IGNORE_ENC)
#define CDATA_OPEN	"<![CDATA["
#define CDATA_CLOSE	"]]>"

/* The parts of an entry; the dates in DESIGN rule 1 order, best first. */
enum part {
	P_ID, P_TITLE, P_DC_TITLE, P_LINK, P_SUMMARY, P_CONTENT,
	P_PUBLISHED, P_CREATED, P_MODIFIED,
	P_COUNT,
	P_NONE = P_COUNT,
	P_FEED_TITLE,
	P_FEED_DC_TITLE,
};

/* Entries as they are read, whatever the format. */
struct builder {
	struct feed	*feed;
	size_t		 cap;			/* entries allocated */
	char		*part[P_COUNT];		/* of the open entry */
	bool		 epoch_dates;		/* Unix times count as dates */
	bool		 guid_permalink;	/* P_ID is an RSS guid that may
						 * be the item's page */
};

/* How much HTML a kept text still carries (see text_decoded). */
enum html_layer {
	HTML_NONE,		/* plain text: XML decoded it */
	HTML_IN_CDATA,		/* a title: CDATA sections are HTML */
	HTML_ALL,		/* Atom type="html": the whole text is */
};

enum vocab { V_FEED, V_DC, V_DCTERMS, V_CONTENT, V_OTHER };

struct sax {
	struct builder	 b;
	xmlParserCtxtPtr ctxt;
	char		*error;		/* why the document is no feed */
	const char	*item_name;	/* "item", or "entry" in Atom */
	int		 depth;		/* of the element being read; root 1 */
	int		 channel_depth;	/* of channel, or of Atom's feed */
	int		 item_depth;	/* of the open entry; 0 when none */
	int		 text_depth;	/* of the element whose text is kept */
	enum part	 text_part;	/* where that text goes */
	enum html_layer	 text_html;	/* and what is left to decode in it */
	struct strbuf	 text;
	char		*feed_dc_title;	/* the channel's dc:title */
};

static const struct {
	enum vocab	 vocab;
	const char	*name;
	enum part	 part;
} parts[] = {
	{ V_FEED, "title", P_TITLE },
	{ V_FEED, "link", P_LINK },
	{ V_FEED, "guid", P_ID },
	{ V_FEED, "id", P_ID },
	{ V_FEED, "description", P_SUMMARY },
	{ V_FEED, "summary", P_SUMMARY },
	{ V_FEED, "content", P_CONTENT },
	{ V_FEED, "pubDate", P_PUBLISHED },
	{ V_FEED, "published", P_PUBLISHED },	/* Atom 1.0 */
	{ V_FEED, "issued", P_PUBLISHED },	/* Atom 0.3 */
	{ V_FEED, "created", P_CREATED },	/* Atom 0.3 */
	{ V_FEED, "updated", P_MODIFIED },	/* Atom 1.0 */
	{ V_FEED, "modified", P_MODIFIED },	/* Atom 0.3 */
	{ V_DC, "date", P_PUBLISHED },
	{ V_DC, "title", P_DC_TITLE },
	{ V_DCTERMS, "issued", P_PUBLISHED },
	{ V_DCTERMS, "created", P_CREATED },
	{ V_DCTERMS, "modified", P_MODIFIED },
	{ V_CONTENT, "encoded", P_CONTENT },
};

/* A trimmed copy of text, or NULL when nothing is left; text is modified. */
static char *
trimmed_dup(char *text)
{
	text = str_trim(text);
	return *text != '\0' ? xstrdup(text) : NULL;
}

/* The first non-empty value of a part wins. */
static void
part_keep(struct builder *b, enum part p, char *text)
{
	if (b->part[p] == NULL)
		b->part[p] = trimmed_dup(text);
}

static char *
part_take(struct builder *b, enum part p)
{
	char *v = b->part[p];

	b->part[p] = NULL;
	return v;
}

static void
builder_clear(struct builder *b)
{
	int p;

	for (p = 0; p < P_COUNT; p++)
		free(part_take(b, p));
	b->guid_permalink = false;
}

/* Non-conforming JSON feeds give Unix times, some in milliseconds.  Fewer
 * than 9 digits is more likely a compact date (20221105) than a time. */
static int
epoch_parse(const char *s, time_t *out)
{
	long long v;
	char *end;

	if (strspn(s, "0123456789") < 9)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end == '.')
		end += 1 + strspn(end + 1, "0123456789");
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (time_t)(v >= 100000000000LL ? v / 1000 : v);
	return 0;
}

static int
date_read(const struct builder *b, const char *text, time_t *out)
{
	if (date_parse(text, out) == 0)
		return 0;
	return b->epoch_dates ? epoch_parse(text, out) : -1;
}

static void
entry_date_take(struct builder *b, struct feed_entry *e, enum part p)
{
	e->date_raw = part_take(b, p);
	e->date_modified = p == P_MODIFIED;
}

/* DESIGN rule 1: the best-ranked date that can be read.  When none can,
 * the best-ranked text is kept for display, without a time (rule 6). */
static void
entry_date(struct builder *b, struct feed_entry *e)
{
	int p;

	for (p = P_PUBLISHED; p <= P_MODIFIED; p++)
		if (b->part[p] && date_read(b, b->part[p], &e->published) == 0) {
			e->has_date = true;
			entry_date_take(b, e, p);
			return;
		}
	for (p = P_PUBLISHED; p <= P_MODIFIED; p++)
		if (b->part[p]) {
			entry_date_take(b, e, p);
			return;
		}
}

/* An RSS guid is the item's permalink unless isPermaLink="false"; one that
 * is not a web address cannot be, whatever the attribute says. */
static char *
guid_link(const struct builder *b, const char *id)
{
	if (!b->guid_permalink || id == NULL ||
	    !(str_case_prefix(id, "http://") || str_case_prefix(id, "https://")))
		return NULL;
	return xstrdup(id);
}

static void
builder_commit(struct builder *b)
{
	struct feed *feed = b->feed;
	struct feed_entry *e;

	if (feed->n_entries == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		feed->entries = xrealloc(feed->entries,
		    b->cap * sizeof(*feed->entries));
	}
	e = &feed->entries[feed->n_entries++];
	memset(e, 0, sizeof(*e));
	e->id = part_take(b, P_ID);
	e->title = part_take(b, b->part[P_TITLE] ? P_TITLE : P_DC_TITLE);
	e->link = part_take(b, P_LINK);
	if (e->link == NULL)
		e->link = guid_link(b, e->id);
	e->summary = part_take(b, b->part[P_SUMMARY] ? P_SUMMARY : P_CONTENT);
	/* RSS 1.0 items are named by rdf:about, which is their link */
	if (e->id == NULL && feed->format == FEED_RDF)
		e->id = xstrdup(e->link);
	entry_date(b, e);
	builder_clear(b);
}

static void
feed_entries_clear(struct feed *feed)
{
	struct feed_entry *e;
	size_t i;

	for (i = 0; i < feed->n_entries; i++) {
		e = &feed->entries[i];
		free(e->id);
		free(e->title);
		free(e->link);
		free(e->summary);
		free(e->date_raw);
	}
	feed->n_entries = 0;
}

static char *html_decode_once(const char *text, size_t len);

/* JSON Feed
 *
 * Read as a stream: only the fields kept are unescaped, the rest is
 * checked and skipped.  The result is what a tree of the whole document
 * gave: a key's last occurrence wins, "items" may come before "version",
 * and a document refused anywhere yields nothing. */

/* The item fields kept, in the order the builder takes them: content_text
 * before summary, and both before content_html. */
static const struct {
	const char	*key;
	enum part	 part;
} json_item_fields[] = {
	{ "id", P_ID },
	{ "title", P_TITLE },
	{ "url", P_LINK },
	{ "content_text", P_SUMMARY },
	{ "summary", P_SUMMARY },
	{ "content_html", P_CONTENT },
	{ "date_published", P_PUBLISHED },
	{ "date_modified", P_MODIFIED },
};
#define JSON_ITEM_FIELDS ARRAY_SIZE(json_item_fields)

struct json_reader {
	struct jsonscan	 scan;
	struct builder	 b;
	struct strbuf	 key;
	struct strbuf	 value;			/* of a top-level member */
	struct strbuf	 field[JSON_ITEM_FIELDS];	/* of the open item */
	bool		 has[JSON_ITEM_FIELDS];	/* its last value was text */
	bool		 version_ok;		/* the last "version" names
						 * jsonfeed.org */
};

static bool
json_token_is_text(enum jsonscan_token t)
{
	return t == JTOK_STRING || t == JTOK_INTEGER || t == JTOK_REAL;
}

/* A value as text, as jansson's integers and reals print: a string is
 * kept as is, numbers as "%lld" and "%.17g"; any other value is skipped
 * and gives none.  Returns the value's first token. */
static enum jsonscan_token
json_value_text(struct jsonscan *s, struct strbuf *text)
{
	enum jsonscan_token t = jsonscan_next(s, text);

	if (t == JTOK_INTEGER || t == JTOK_REAL) {
		sb_reset(text);
		if (t == JTOK_INTEGER)
			sb_printf(text, "%lld", s->integer);
		else
			sb_printf(text, "%.17g", s->real);
	} else if ((t == JTOK_OBJECT || t == JTOK_ARRAY) &&
	    jsonscan_leave(s) == -1)
		return JTOK_ERROR;
	return t;
}

static int
json_item_field(const char *key)
{
	size_t f;

	for (f = 0; f < JSON_ITEM_FIELDS; f++)
		if (strcmp(key, json_item_fields[f].key) == 0)
			return (int)f;
	return -1;
}

/* JSON has no markup of its own: an entity in a title is the publisher's
 * HTML escaping, read once as in an RSS title's CDATA. */
static void
json_keep_title(struct builder *b, const struct strbuf *raw)
{
	char *text = html_decode_once(raw->buf, raw->len);

	part_keep(b, P_TITLE, text);
	free(text);
}

static void
json_item_commit(struct json_reader *r)
{
	size_t f;

	for (f = 0; f < JSON_ITEM_FIELDS; f++) {
		if (!r->has[f])
			continue;
		if (json_item_fields[f].part == P_TITLE)
			json_keep_title(&r->b, &r->field[f]);
		else
			part_keep(&r->b, json_item_fields[f].part,
			    r->field[f].buf);
	}
	builder_commit(&r->b);
}

/* An item whose '{' was read. */
static int
json_item_read(struct json_reader *r)
{
	enum jsonscan_token t;
	int f;

	memset(r->has, 0, sizeof(r->has));
	while ((t = jsonscan_next(&r->scan, &r->key)) == JTOK_KEY) {
		if ((f = json_item_field(r->key.buf)) == -1) {
			if (jsonscan_skip(&r->scan) == -1)
				return -1;
			continue;
		}
		t = json_value_text(&r->scan, &r->field[f]);
		if (t == JTOK_ERROR)
			return -1;
		r->has[f] = json_token_is_text(t);
	}
	if (t != JTOK_OBJECT_END)
		return -1;
	json_item_commit(r);
	return 0;
}

/* The entries of the last "items" are the feed's: those of an earlier
 * one go.  Items that are not objects, and "items" that is not an array,
 * give none. */
static int
json_items_read(struct json_reader *r)
{
	enum jsonscan_token t;

	feed_entries_clear(r->b.feed);
	t = jsonscan_next(&r->scan, NULL);
	if (t == JTOK_OBJECT)
		return jsonscan_leave(&r->scan);
	if (t != JTOK_ARRAY)
		return t == JTOK_ERROR ? -1 : 0;
	while ((t = jsonscan_next(&r->scan, NULL)) != JTOK_ARRAY_END) {
		if (t == JTOK_ERROR)
			return -1;
		if (t == JTOK_OBJECT && json_item_read(r) == -1)
			return -1;
		if (t == JTOK_ARRAY && jsonscan_leave(&r->scan) == -1)
			return -1;
	}
	return 0;
}

static int
json_version_read(struct json_reader *r)
{
	enum jsonscan_token t = json_value_text(&r->scan, &r->value);

	r->version_ok = t == JTOK_STRING &&
	    strstr(r->value.buf, "jsonfeed.org") != NULL;
	return t == JTOK_ERROR ? -1 : 0;
}

static int
json_title_read(struct json_reader *r)
{
	struct feed *feed = r->b.feed;
	enum jsonscan_token t = json_value_text(&r->scan, &r->value);

	free(feed->title);
	feed->title = json_token_is_text(t) ? trimmed_dup(r->value.buf) : NULL;
	return t == JTOK_ERROR ? -1 : 0;
}

static int
json_member_read(struct json_reader *r)
{
	const char *key = r->key.buf;

	if (strcmp(key, "version") == 0)
		return json_version_read(r);
	if (strcmp(key, "title") == 0)
		return json_title_read(r);
	if (strcmp(key, "items") == 0)
		return json_items_read(r);
	return jsonscan_skip(&r->scan);
}

/* 0 when the text is JSON (an array holds no feed: no version either),
 * -1 when it is not. */
static int
json_document_read(struct json_reader *r)
{
	enum jsonscan_token t = jsonscan_next(&r->scan, NULL);

	if (t == JTOK_ARRAY)
		return jsonscan_leave(&r->scan);
	if (t != JTOK_OBJECT)
		return -1;
	while ((t = jsonscan_next(&r->scan, &r->key)) == JTOK_KEY)
		if (json_member_read(r) == -1)
			return -1;
	return t == JTOK_OBJECT_END ? 0 : -1;
}

static void
json_reader_free(struct json_reader *r)
{
	size_t f;

	builder_clear(&r->b);
	sb_free(&r->key);
	sb_free(&r->value);
	for (f = 0; f < JSON_ITEM_FIELDS; f++)
		sb_free(&r->field[f]);
}

/* On -1 the entries and title read so far stay in feed: feed_parse()
 * frees them with the rest. */
static int
json_parse(const char *text, size_t len, struct feed *feed, char **error)
{
	struct json_reader r = {
		.b = { .feed = feed, .epoch_dates = true },
	};
	int rc;

	jsonscan_init(&r.scan, text, len);
	rc = json_document_read(&r);
	json_reader_free(&r);
	if (rc == -1) {
		*error = xasprintf(_("not a feed: JSON Feed: %s at line %d"),
		    r.scan.error, r.scan.line);
		return -1;
	}
	if (!r.version_ok) {
		*error = xstrdup(_("not a feed: JSON without a jsonfeed.org "
		    "version"));
		return -1;
	}
	feed->format = FEED_JSON;
	return 0;
}

/* XML references */

static uint32_t
entity_code(const char *name)
{
	const htmlEntityDesc *desc;

	/* the one XML entity HTML 4 lacks */
	if (strcmp(name, "apos") == 0)
		return '\'';
	desc = htmlEntityLookup((const xmlChar *)name);
	return desc != NULL ? desc->value : 0;
}

/* A well-formed numeric reference at p ("&#38;", "&#x4E2D;", HTML's
 * "&#X4E2D;"): its length, or 0. */
static size_t
numeric_ref_len(const char *p, const char *end)
{
	const char *q = p + 2;
	const char *digits = "0123456789";

	if (end - p < 4 || p[1] != '#')
		return 0;
	if (*q == 'x' || *q == 'X') {
		q++;
		digits = "0123456789abcdefABCDEF";
	}
	if (q == end || strchr(digits, *q) == NULL || *q == '\0')
		return 0;
	while (q < end && *q != '\0' && strchr(digits, *q) != NULL)
		q++;
	return q < end && *q == ';' ? (size_t)(q + 1 - p) : 0;
}

/* "&#60;": a numeric reference, written without printf, which would cost
 * more than the rest of the pass (Atom summaries escape every tag). */
static void
charref_put(struct strbuf *sb, uint32_t cp)
{
	char buf[16], *p = buf + sizeof(buf);

	*--p = ';';
	do {
		*--p = (char)('0' + cp % 10);
		cp /= 10;
	} while (cp > 0);
	*--p = '#';
	*--p = '&';
	sb_append(sb, p, (size_t)(buf + sizeof(buf) - p));
}

/* Writes the reference at p as libxml2 reads it even after an error, and
 * returns where the text goes on: numeric references stay, named ones
 * (XML's and HTML's) become numeric, anything else is a literal '&'. */
static const char *
reference_fix(struct strbuf *sb, const char *p, const char *end)
{
	char name[33];
	const char *q = p + 1;
	size_t n;
	uint32_t cp;

	if ((n = numeric_ref_len(p, end)) > 0) {
		/* XML knows only the lower-case x; "&#X41;" would become
		 * "X41;" */
		sb_puts(sb, "&#");
		if (p[2] == 'X')
			sb_putc(sb, 'x');
		sb_append(sb, p + 2 + (p[2] == 'X'), n - 2 - (p[2] == 'X'));
		return p + n;
	}
	for (n = 0; q < end && n < sizeof(name) - 1 &&
	    isalnum((unsigned char)*q); n++)
		name[n] = *q++;
	name[n] = '\0';
	if (q < end && *q == ';' && n > 0 && (cp = entity_code(name)) != 0) {
		charref_put(sb, cp);
		return q + 1;
	}
	sb_puts(sb, "&#38;");
	return p + 1;
}

/* The code point a reference names; U+FFFD for one XML forbids (NUL,
 * controls, surrogates), 0 when it names nothing. */
static uint32_t
reference_code(const char *p, size_t n)
{
	char name[33];
	unsigned long v;
	bool hex;

	if (p[1] != '#') {
		if (n - 2 >= sizeof(name))
			return 0;
		memcpy(name, p + 1, n - 2);
		name[n - 2] = '\0';
		return entity_code(name);
	}
	hex = p[2] == 'x' || p[2] == 'X';
	v = strtoul(p + 2 + hex, NULL, hex ? 16 : 10);
	if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ||
	    (v < 0x20 && v != '\t' && v != '\n' && v != '\r') ||
	    v == 0xfffe || v == 0xffff)
		return 0xfffd;
	return (uint32_t)v;
}

/* A named reference at p ("&ldquo;"): its length, or 0. */
static size_t
named_ref_len(const char *p, const char *end)
{
	const char *q = p + 1;

	while (q < end && q - p <= 32 && isalnum((unsigned char)*q))
		q++;
	return q > p + 1 && q < end && *q == ';' ? (size_t)(q + 1 - p) : 0;
}

/* HTML references decoded once: "&ldquo;" becomes “, "&amp;amp;" becomes
 * "&amp;"; a bare '&' and unknown names stay as written.  Caller frees. */
static char *
html_decode_once(const char *text, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text, *end = text + len, *amp;
	xmlChar utf8[8];
	uint32_t cp;
	size_t n;

	sb_append(&sb, "", 0);
	while ((amp = memchr(p, '&', (size_t)(end - p))) != NULL) {
		sb_append(&sb, p, (size_t)(amp - p));
		n = numeric_ref_len(amp, end);
		if (n == 0)
			n = named_ref_len(amp, end);
		if (n > 0 && (cp = reference_code(amp, n)) != 0) {
			sb_append(&sb, (const char *)utf8,
			    (size_t)xmlCopyCharMultiByte(utf8, (int)cp));
			p = amp + n;
		} else {
			sb_putc(&sb, '&');
			p = amp + 1;
		}
	}
	sb_append(&sb, p, (size_t)(end - p));
	return sb_steal(&sb);
}

static const char *
find_or_end(const char *p, const char *end, const char *needle)
{
	const char *q = memmem(p, (size_t)(end - p), needle, strlen(needle));

	return q != NULL ? q : end;
}

/* Once libxml2 has seen an error it drops even &amp; (parser.c skips
 * entity references when the document is not well-formed), and HTML names
 * such as &nbsp; are errors in XML.  Character references are always read,
 * so every reference outside CDATA sections is rewritten as one.  Both
 * searches move forward only: the pass stays linear. */
static char *
xml_fix_references(const char *text, size_t len, size_t *out_len)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text, *end = text + len, *amp, *cdata, *close;

	amp = find_or_end(p, end, "&");
	cdata = find_or_end(p, end, CDATA_OPEN);
	while (p < end) {
		if (amp < p)
			amp = find_or_end(p, end, "&");
		if (cdata < p)
			cdata = find_or_end(p, end, CDATA_OPEN);
		if (cdata < amp) {
			close = find_or_end(cdata, end, CDATA_CLOSE);
			if (close < end)
				close += strlen(CDATA_CLOSE);
			sb_append(&sb, p, (size_t)(close - p));
			p = close;
		} else {
			sb_append(&sb, p, (size_t)(amp - p));
			p = amp < end ? reference_fix(&sb, amp, end) : end;
		}
	}
	*out_len = sb.len;
	return sb_steal(&sb);
}

/* XML elements */

static bool
name_is(const xmlChar *name, const char *s)
{
	return strcmp((const char *)name, s) == 0;
}

/* Namespaces are known by URI, or by the usual prefix when a feed forgot
 * to declare it. */
static enum vocab
vocab_of(const xmlChar *prefix, const xmlChar *uri)
{
	static const struct {
		const char	*uri;
		const char	*prefix;
		enum vocab	 vocab;
	} known[] = {
		{ "http://www.w3.org/2005/Atom", "atom", V_FEED },
		{ "http://purl.org/atom/ns#", NULL, V_FEED },
		{ "http://purl.org/rss/1.0/", NULL, V_FEED },
		{ "http://my.netscape.com/rdf/simple/0.9/", NULL, V_FEED },
		{ "http://backend.userland.com/rss2", NULL, V_FEED },
		{ "http://purl.org/dc/elements/1.1/", "dc", V_DC },
		{ "http://purl.org/dc/terms/", "dcterms", V_DCTERMS },
		{ "http://purl.org/rss/1.0/modules/content/", "content",
		    V_CONTENT },
	};
	size_t i;

	if (uri == NULL && prefix == NULL)
		return V_FEED;
	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (uri != NULL ? name_is(uri, known[i].uri) :
		    known[i].prefix != NULL && name_is(prefix, known[i].prefix))
			return known[i].vocab;
	return V_OTHER;
}

static enum part
part_of(enum vocab vocab, const xmlChar *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parts); i++)
		if (parts[i].vocab == vocab && name_is(name, parts[i].name))
			return parts[i].part;
	return P_NONE;
}

/* An attribute's value, whatever its namespace.  Without entity
 * substitution libxml2 hands '&' in attribute values over as "&#38;". */
static char *
attr_get(const xmlChar **attrs, int nattrs, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const char *v, *end, *amp;
	int i;

	for (i = 0; i < nattrs; i++, attrs += 5) {
		if (!name_is(attrs[0], name))
			continue;
		v = (const char *)attrs[3];
		end = (const char *)attrs[4];
		while ((amp = memmem(v, (size_t)(end - v), "&#38;", 5))) {
			sb_append(&sb, v, (size_t)(amp - v));
			sb_putc(&sb, '&');
			v = amp + 5;
		}
		sb_append(&sb, v, (size_t)(end - v));
		return sb_steal(&sb);
	}
	return NULL;
}

static void
attr_keep(struct builder *b, enum part p, const xmlChar **attrs, int nattrs,
    const char *name)
{
	char *v;

	if ((v = attr_get(attrs, nattrs, name)) != NULL) {
		part_keep(b, p, v);
		free(v);
	}
}

static void
root_begin(struct sax *s, const xmlChar *name)
{
	struct feed *feed = s->b.feed;

	if (name_is(name, "rss"))
		feed->format = FEED_RSS;
	else if (name_is(name, "RDF"))
		feed->format = FEED_RDF;
	else if (name_is(name, "feed")) {
		feed->format = FEED_ATOM;
		s->item_name = "entry";
		s->channel_depth = 1;
	} else {
		s->error = xasprintf(_("not a feed: the document is <%.40s>"),
		    (const char *)name);
		xmlStopParser(s->ctxt);
	}
}

static void
item_begin(struct sax *s, const xmlChar **attrs, int nattrs)
{
	/* entries do not nest: the open one lost its end tag */
	if (s->item_depth > 0)
		builder_commit(&s->b);
	s->item_depth = s->depth;
	attr_keep(&s->b, P_ID, attrs, nattrs, "about");
}

static void
text_begin(struct sax *s, enum part p, enum html_layer html)
{
	s->text_depth = s->depth;
	s->text_part = p;
	s->text_html = html;
	sb_reset(&s->text);
	sb_append(&s->text, "", 0);	/* a buffer even for <title/> */
}

/* A title is text for people: the HTML a publisher escaped is decoded
 * once, whatever the XML wrapping. */
static char *
text_decoded(struct sax *s)
{
	if (s->text_html == HTML_ALL)
		return html_decode_once(s->text.buf, s->text.len);
	return xstrdup(s->text.buf);
}

static void
text_end(struct sax *s)
{
	char *text = text_decoded(s);

	if (s->text_part == P_FEED_TITLE)
		s->b.feed->title = trimmed_dup(text);
	else if (s->text_part == P_FEED_DC_TITLE) {
		free(s->feed_dc_title);
		s->feed_dc_title = trimmed_dup(text);
	} else
		part_keep(&s->b, s->text_part, text);
	free(text);
	s->text_depth = 0;
}

/* The entry's page is rel="alternate", Atom's default, also written as
 * its IANA address; an enclosure, a related or a self link is not. */
static bool
link_is_page(const xmlChar **attrs, int nattrs)
{
	char *rel = attr_get(attrs, nattrs, "rel");
	char *r = rel ? str_trim(rel) : NULL;
	bool page = r == NULL || *r == '\0' ||
	    strcasecmp(r, "alternate") == 0 ||
	    strcmp(r, "http://www.iana.org/assignments/relation/alternate") == 0;

	free(rel);
	return page;
}

/* A page link: its href, else its text (RSS <link>, and Atom links
 * written without href).  The first page link of an entry wins. */
static void
link_begin(struct sax *s, const xmlChar **attrs, int nattrs)
{
	char *href;

	if (!link_is_page(attrs, nattrs))
		return;
	href = attr_get(attrs, nattrs, "href");
	if (href != NULL && *str_trim(href) != '\0')
		part_keep(&s->b, P_LINK, href);
	else
		text_begin(s, P_LINK, HTML_NONE);
	free(href);
}

/* isPermaLink="false" says the guid is no address; absent, it is one. */
static void
guid_begin(struct sax *s, const xmlChar **attrs, int nattrs)
{
	char *perma;

	if (s->b.part[P_ID] == NULL) {
		perma = attr_get(attrs, nattrs, "isPermaLink");
		s->b.guid_permalink = perma == NULL ||
		    strcasecmp(str_trim(perma), "false") != 0;
		free(perma);
	}
	text_begin(s, P_ID, HTML_NONE);
}

/* Titles carry HTML in CDATA sections; Atom's type="html" (or
 * "text/html") says the whole text is HTML. */
static enum html_layer
title_html(const xmlChar **attrs, int nattrs)
{
	char *type = attr_get(attrs, nattrs, "type");
	char *t = type ? str_trim(type) : NULL;
	bool html = t != NULL && (strcasecmp(t, "html") == 0 ||
	    strcasecmp(t, "text/html") == 0);

	free(type);
	return html ? HTML_ALL : HTML_IN_CDATA;
}

static void
entry_part_begin(struct sax *s, enum part p, const xmlChar *name,
    const xmlChar **attrs, int nattrs)
{
	if (p == P_LINK)
		link_begin(s, attrs, nattrs);
	else if (p == P_ID && name_is(name, "guid"))
		guid_begin(s, attrs, nattrs);
	else if (p == P_TITLE || p == P_DC_TITLE)
		text_begin(s, p, title_html(attrs, nattrs));
	else
		text_begin(s, p, HTML_NONE);
}

/* Only children of the entry count: Atom's <source> carries the title,
 * id and dates of another feed. */
static void
part_begin(struct sax *s, enum part p, const xmlChar *name,
    const xmlChar **attrs, int nattrs)
{
	if (p == P_NONE)
		return;
	if (s->item_depth > 0 && s->depth == s->item_depth + 1)
		entry_part_begin(s, p, name, attrs, nattrs);
	else if (s->item_depth == 0 && s->depth == s->channel_depth + 1 &&
	    s->b.feed->title == NULL && (p == P_TITLE || p == P_DC_TITLE))
		text_begin(s, p == P_TITLE ? P_FEED_TITLE : P_FEED_DC_TITLE,
		    title_html(attrs, nattrs));
}

static void
sax_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct sax *s = ((xmlParserCtxtPtr)ctx)->_private;
	enum vocab vocab = vocab_of(prefix, uri);

	s->depth++;
	if (s->depth == 1)
		root_begin(s, name);
	else if (s->text_depth > 0)
		return;		/* markup inside a kept text: its text only */
	else if (vocab == V_FEED && name_is(name, s->item_name))
		item_begin(s, attrs, nattrs);
	else if (vocab == V_FEED && s->depth == 2 && name_is(name, "channel"))
		s->channel_depth = 2;
	else
		part_begin(s, part_of(vocab, name), name, attrs, nattrs);
}

static void
sax_end(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct sax *s = ((xmlParserCtxtPtr)ctx)->_private;

	if (s->depth == s->text_depth)
		text_end(s);
	else if (s->depth == s->item_depth) {
		builder_commit(&s->b);
		s->item_depth = 0;
	}
	s->depth--;
}

static void
sax_text(void *ctx, const xmlChar *text, int len)
{
	struct sax *s = ((xmlParserCtxtPtr)ctx)->_private;

	if (s->text_depth > 0)
		sb_append(&s->text, (const char *)text, (size_t)len);
}

/* XML leaves a CDATA section as written: in a title, what it holds is the
 * publisher's HTML ("关于&ldquo;双减&rdquo;"). */
static void
sax_cdata(void *ctx, const xmlChar *text, int len)
{
	struct sax *s = ((xmlParserCtxtPtr)ctx)->_private;
	char *decoded;

	if (s->text_depth == 0)
		return;
	if (s->text_html != HTML_IN_CDATA) {
		sb_append(&s->text, (const char *)text, (size_t)len);
		return;
	}
	decoded = html_decode_once((const char *)text, (size_t)len);
	sb_puts(&s->text, decoded);
	free(decoded);
}

/* libxml2's own SAX2 handlers keep the document's DTD and entities; only
 * elements and text come here, and nothing builds a tree. */
static void
sax_handler_init(xmlSAXHandler *h)
{
	memset(h, 0, sizeof(*h));
	xmlSAXVersion(h, 2);
	h->startElement = NULL;
	h->endElement = NULL;
	h->startElementNs = sax_start;
	h->endElementNs = sax_end;
	h->characters = sax_text;
	h->cdataBlock = sax_cdata;
	h->ignorableWhitespace = sax_text;
	h->reference = NULL;
	h->comment = NULL;
	h->processingInstruction = NULL;
}

static int
xml_parse(const char *text, size_t len, struct feed *feed, char **error)
{
	struct sax s = { .b.feed = feed, .item_name = "item" };
	xmlSAXHandler handler;
	xmlSAXHandlerPtr saved;
	xmlParserCtxtPtr ctxt;

	if (len > INT_MAX) {
		*error = xstrdup(_("feed too large for the XML parser"));
		return -1;
	}
	xmlInitParser();
	if ((ctxt = xmlCreateMemoryParserCtxt(text, (int)len)) == NULL) {
		*error = xstrdup(_("cannot create an XML parser"));
		return -1;
	}
	sax_handler_init(&handler);
	saved = ctxt->sax;
	ctxt->sax = &handler;
	xmlCtxtUseOptions(ctxt, XML_OPTIONS);
	ctxt->_private = &s;
	s.ctxt = ctxt;
	xmlParseDocument(ctxt);
	ctxt->sax = saved;
	xmlFreeDoc(ctxt->myDoc);
	xmlFreeParserCtxt(ctxt);
	builder_clear(&s.b);
	sb_free(&s.text);
	if (feed->title == NULL) {
		feed->title = s.feed_dc_title;
		s.feed_dc_title = NULL;
	}
	free(s.feed_dc_title);
	if (feed->format != FEED_UNKNOWN) {
		free(s.error);
		return 0;
	}
	*error = s.error ? s.error : xstrdup(_("not a feed: no XML element"));
	return -1;
}

int
feed_parse(const char *body, size_t len, const char *http_charset,
    struct feed *out, char **error)
{
	char *text, *fixed;
	const char *start;
	size_t text_len, fixed_len;
	int rc;

	memset(out, 0, sizeof(*out));
	*error = NULL;
	text = charset_decode(body, len, http_charset, &text_len,
	    &out->encoding);
	start = text + strspn(text, " \t\r\n");
	text_len -= (size_t)(start - text);
	if (*start == '{')
		rc = json_parse(start, text_len, out, error);
	else if (*start == '<') {
		fixed = xml_fix_references(start, text_len, &fixed_len);
		free(text);
		text = NULL;
		rc = xml_parse(fixed, fixed_len, out, error);
		free(fixed);
	} else {
		*error = xstrdup(*start == '\0' ? _("empty body") :
		    _("not a feed: neither XML nor JSON"));
		rc = -1;
	}
	free(text);
	if (rc == -1)
		feed_free(out);
	return rc;
}

void
feed_free(struct feed *feed)
{
	feed_entries_clear(feed);
	free(feed->entries);
	free(feed->encoding);
	free(feed->title);
	memset(feed, 0, sizeof(*feed));
}

const char *
feed_format_name(enum feed_format format)
{
	switch (format) {
	case FEED_RSS:
		return "rss";
	case FEED_RDF:
		return "rdf";
	case FEED_ATOM:
		return "atom";
	case FEED_JSON:
		return "json";
	default:
		return "unknown";
	}
}
