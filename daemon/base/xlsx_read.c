/* xlsx_read.c — worksheet cells out of an .xlsx zip: libzip for the
 * archive, libxml2's streaming reader for the parts.
 *
 * The parts read: _rels/.rels (where the workbook is), the workbook (its
 * sheets, the 1904 flag) and its relationships, the shared strings, the
 * styles (which cell formats are dates) and the one worksheet. */
#define _GNU_SOURCE		/* memmem */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "base/xlsx_read.h"

#define MAX_ROWS     1048576     /* Excel's limits */
#define MAX_COLUMNS  16384
#define MAX_STRINGS  2000000
#define MAX_STYLES   65536

struct rel {
	char *id, *type, *target;
};

struct sheet_ref {
	char *name, *rid;
	bool  hidden;
};

struct workbook {
	zip_t            *zip;
	char             *error;      /* the first failure */
	char             *path;       /* the workbook part */
	struct rel       *rels;       /* the workbook's relationships */
	size_t            n_rels;
	struct sheet_ref *sheets;
	size_t            n_sheets;
	bool              date1904;
	char            **strings;    /* shared strings */
	size_t            n_strings, cap_strings;
	bool             *xf_date;    /* cell format index → a date format */
	size_t            n_xf, cap_xf;
	long             *date_fmts;  /* custom number formats that are dates */
	size_t            n_date_fmts, cap_date_fmts;
};

static int MW_PRINTF(2, 3)
fail(struct workbook *wb, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = STRBUF_INIT;

	if (wb->error)
		return -1;
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	wb->error = sb_steal(&sb);
	return -1;
}

bool
xlsx_is_zip(const void *buf, size_t len)
{
	return len >= 4 && memcmp(buf, "PK\003\004", 4) == 0;
}

bool
xlsx_is_legacy_xls(const void *buf, size_t len)
{
	return len >= 8 && memcmp(buf, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0;
}

/* ---- the archive ---- */

/* Reads one part whole, never more than max bytes whatever the zip
 * directory says.  0, or 1 when it is absent and !required, or -1. */
static int
read_part(struct workbook *wb, const char *name, long max, bool required,
    struct strbuf *out)
{
	char chunk[65536];
	zip_int64_t idx, n;
	zip_file_t *f;

	idx = zip_name_locate(wb->zip, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return required ? fail(wb, "%s: missing from the workbook", name) : 1;
	if ((f = zip_fopen_index(wb->zip, (zip_uint64_t)idx, 0)) == NULL)
		return fail(wb, "%s: cannot be read (%s)", name,
		    zip_strerror(wb->zip));
	while ((n = zip_fread(f, chunk, sizeof(chunk))) > 0) {
		if (out->len + (size_t)n > (size_t)max) {
			zip_fclose(f);
			return fail(wb, "%s: more than %ld MiB uncompressed; "
			    "refused", name, max / (1024 * 1024));
		}
		sb_append(out, chunk, (size_t)n);
	}
	if (n < 0) {
		fail(wb, "%s: cannot be read (%s)", name, zip_file_strerror(f));
		zip_fclose(f);
		return -1;
	}
	zip_fclose(f);
	return 0;
}

/* "xl/worksheets/sheet1.xml" from the part "xl/workbook.xml" and the
 * target "worksheets/sheet1.xml" (or "/xl/…", or "../…"). */
static char *
resolve_target(const char *from_part, const char *target)
{
	struct strbuf sb = STRBUF_INIT;
	const char *slash = strrchr(from_part, '/'), *seg, *end;

	if (*target == '/')
		target++;
	else if (slash)
		sb_append(&sb, from_part, (size_t)(slash - from_part));
	for (seg = target; *seg; seg = *end ? end + 1 : end) {
		end = strchr(seg, '/');
		if (end == NULL)
			end = seg + strlen(seg);
		if (end - seg == 2 && strncmp(seg, "..", 2) == 0) {
			char *up = sb.buf ? strrchr(sb.buf, '/') : NULL;

			sb.len = up ? (size_t)(up - sb.buf) : 0;
			if (sb.buf)
				sb.buf[sb.len] = '\0';
		} else if (end > seg && !(end - seg == 1 && *seg == '.')) {
			if (sb.len)
				sb_putc(&sb, '/');
			sb_append(&sb, seg, (size_t)(end - seg));
		}
	}
	return sb_steal(&sb);
}

/* ---- XML ---- */

/* The parts are plain UTF-8 XML without a DTD; anything else (entities,
 * another encoding that could hide one) is refused before parsing. */
static bool
xml_acceptable(const struct strbuf *sb)
{
	return sb->len > 0 && memchr(sb->buf, '\0', sb->len) == NULL &&
	    memmem(sb->buf, sb->len, "<!DOCTYPE", 9) == NULL &&
	    memmem(sb->buf, sb->len, "<!ENTITY", 8) == NULL;
}

static xmlTextReaderPtr
xml_open(struct workbook *wb, const char *part, const struct strbuf *sb)
{
	xmlTextReaderPtr r;

	if (!xml_acceptable(sb)) {
		fail(wb, "%s: not a plain UTF-8 XML part (a DTD, entities or "
		    "another encoding); refused", part);
		return NULL;
	}
	r = xmlReaderForMemory(sb->buf, (int)sb->len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA);
	if (r == NULL)
		fail(wb, "%s: cannot be parsed", part);
	return r;
}

/* 1 at the next node, 0 at the end, -1 on malformed XML. */
static int
xml_next(struct workbook *wb, xmlTextReaderPtr r, const char *part)
{
	int rc = xmlTextReaderRead(r);

	if (rc == -1)
		return fail(wb, "%s:%d: not well-formed XML", part,
		    xmlTextReaderGetParserLineNumber(r));
	if (rc == 1 && xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE)
		return fail(wb, "%s: a DTD is not allowed", part);
	return rc;
}

static bool
is_start(xmlTextReaderPtr r, const char *local)
{
	const xmlChar *name;

	if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
		return false;
	name = xmlTextReaderConstLocalName(r);
	return name && strcmp((const char *)name, local) == 0;
}

static bool
is_end(xmlTextReaderPtr r, const char *local)
{
	const xmlChar *name;

	if (xmlTextReaderNodeType(r) != XML_READER_TYPE_END_ELEMENT)
		return false;
	name = xmlTextReaderConstLocalName(r);
	return name && strcmp((const char *)name, local) == 0;
}

static bool
is_text(xmlTextReaderPtr r)
{
	int t = xmlTextReaderNodeType(r);

	return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
	    t == XML_READER_TYPE_WHITESPACE ||
	    t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* The value of the attribute with this local name (any namespace), or
 * NULL.  Caller frees. */
static char *
attr(xmlTextReaderPtr r, const char *local)
{
	char *v = NULL;

	if (xmlTextReaderMoveToFirstAttribute(r) != 1)
		return NULL;
	do {
		const xmlChar *name = xmlTextReaderConstLocalName(r);

		if (name && strcmp((const char *)name, local) == 0) {
			v = xstrdup((const char *)xmlTextReaderConstValue(r));
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(r) == 1);
	xmlTextReaderMoveToElement(r);
	return v;
}

static void
append_text(xmlTextReaderPtr r, struct strbuf *sb)
{
	const xmlChar *v = xmlTextReaderConstValue(r);

	if (v)
		sb_puts(sb, (const char *)v);
}

static void
put_utf8(struct strbuf *sb, unsigned long cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80)
		sb_putc(sb, (char)cp);
	else if (cp < 0x800) {
		sb_putc(sb, (char)(0xc0 | (cp >> 6)));
		sb_putc(sb, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sb_putc(sb, (char)(0xe0 | (cp >> 12)));
		sb_putc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		sb_putc(sb, (char)(0x80 | (cp & 0x3f)));
	} else {
		sb_putc(sb, (char)(0xf0 | (cp >> 18)));
		sb_putc(sb, (char)(0x80 | ((cp >> 12) & 0x3f)));
		sb_putc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		sb_putc(sb, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Cell text escapes characters XML cannot hold as _xHHHH_ (a line feed
 * is _x000A_, an underscore before such a form _x005F_). */
static char *
decode_escapes(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (; *s; s++) {
		if (s[0] == '_' && s[1] == 'x') {
			for (i = 2; i < 6 && isxdigit((unsigned char)s[i]); i++)
				;
			if (i == 6 && s[6] == '_') {
				put_utf8(&sb, strtoul(s + 2, NULL, 16));
				s += 6;
				continue;
			}
		}
		sb_putc(&sb, *s);
	}
	if (sb.buf == NULL)
		return xstrdup("");
	return sb_steal(&sb);
}

/* ---- relationships and the workbook ---- */

static void
rel_clear(struct rel *rel)
{
	free(rel->id);
	free(rel->type);
	free(rel->target);
}

static void
rels_free(struct rel *rels, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rel_clear(&rels[i]);
	free(rels);
}

static int
read_rels(struct workbook *wb, const char *part, struct rel **out, size_t *n)
{
	struct strbuf sb = STRBUF_INIT;
	xmlTextReaderPtr r;
	struct rel rel;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = read_part(wb, part, XLSX_MAX_PART, false, &sb)) != 0) {
		sb_free(&sb);
		return rc == 1 ? 0 : -1;
	}
	if ((r = xml_open(wb, part, &sb)) == NULL) {
		sb_free(&sb);
		return -1;
	}
	while ((rc = xml_next(wb, r, part)) == 1) {
		char *mode;

		if (!is_start(r, "Relationship"))
			continue;
		mode = attr(r, "TargetMode");
		rel = (struct rel){ attr(r, "Id"), attr(r, "Type"), attr(r, "Target") };
		if (rel.id == NULL || rel.target == NULL ||
		    (mode && strcasecmp(mode, "External") == 0) || *n >= 4096) {
			rel_clear(&rel);
			free(mode);
			continue;
		}
		free(mode);
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = rel;
	}
	xmlFreeTextReader(r);
	sb_free(&sb);
	return rc;
}

static bool
type_is(const struct rel *rel, const char *suffix)
{
	size_t n = rel->type ? strlen(rel->type) : 0, m = strlen(suffix);

	return n >= m && strcmp(rel->type + n - m, suffix) == 0;
}

/* Where the workbook part is: _rels/.rels names it. */
static int
find_workbook(struct workbook *wb)
{
	struct rel *rels;
	size_t n, i;

	if (read_rels(wb, "_rels/.rels", &rels, &n) == -1)
		return -1;
	for (i = 0; i < n && wb->path == NULL; i++)
		if (type_is(&rels[i], "/officeDocument"))
			wb->path = resolve_target("", rels[i].target);
	rels_free(rels, n);
	if (wb->path == NULL)
		wb->path = xstrdup("xl/workbook.xml");
	return 0;
}

static void
add_sheet_ref(struct workbook *wb, xmlTextReaderPtr r)
{
	char *state = attr(r, "state");
	struct sheet_ref s = { attr(r, "name"), attr(r, "id"),
	    state && strcmp(state, "visible") != 0 };

	free(state);
	if (s.name == NULL || s.rid == NULL || wb->n_sheets >= 4096) {
		free(s.name);
		free(s.rid);
		return;
	}
	wb->sheets = xrealloc(wb->sheets, (wb->n_sheets + 1) * sizeof(s));
	wb->sheets[wb->n_sheets++] = s;
}

static bool
truthy(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
}

static int
read_workbook(struct workbook *wb)
{
	struct strbuf sb = STRBUF_INIT;
	xmlTextReaderPtr r;
	char *rels_path, *slash, *v;
	int rc;

	if (read_part(wb, wb->path, XLSX_MAX_PART, true, &sb) == -1 ||
	    (r = xml_open(wb, wb->path, &sb)) == NULL) {
		sb_free(&sb);
		return -1;
	}
	while ((rc = xml_next(wb, r, wb->path)) == 1) {
		if (is_start(r, "workbookPr")) {
			v = attr(r, "date1904");
			wb->date1904 = truthy(v);
			free(v);
		} else if (is_start(r, "sheet"))
			add_sheet_ref(wb, r);
	}
	xmlFreeTextReader(r);
	sb_free(&sb);
	if (rc == -1)
		return -1;
	if (wb->n_sheets == 0)
		return fail(wb, "%s: the workbook has no worksheet", wb->path);
	/* xl/workbook.xml → xl/_rels/workbook.xml.rels */
	slash = strrchr(wb->path, '/');
	rels_path = slash ? xasprintf("%.*s/_rels/%s.rels", (int)(slash - wb->path),
	    wb->path, slash + 1) : xasprintf("_rels/%s.rels", wb->path);
	rc = read_rels(wb, rels_path, &wb->rels, &wb->n_rels);
	free(rels_path);
	return rc;
}

/* The part of the first relationship of this type, or NULL. */
static char *
related_part(struct workbook *wb, const char *type_suffix, const char *id)
{
	size_t i;

	for (i = 0; i < wb->n_rels; i++)
		if (id ? strcmp(wb->rels[i].id, id) == 0 :
		    type_is(&wb->rels[i], type_suffix))
			return resolve_target(wb->path, wb->rels[i].target);
	return NULL;
}

/* ---- shared strings ---- */

static void
add_string(struct workbook *wb, struct strbuf *sb)
{
	if (wb->n_strings == wb->cap_strings) {
		wb->cap_strings = wb->cap_strings ? wb->cap_strings * 2 : 256;
		wb->strings = xrealloc(wb->strings,
		    wb->cap_strings * sizeof(*wb->strings));
	}
	wb->strings[wb->n_strings++] = decode_escapes(sb_str(sb));
	sb_reset(sb);
}

/* Each <si> is plain (<t>) or rich text (runs <r><t>); phonetic hints
 * (<rPh>) are not part of the text. */
static int
parse_strings(struct workbook *wb, xmlTextReaderPtr r, const char *part)
{
	struct strbuf cur = STRBUF_INIT;
	bool in_t = false, in_rph = false;
	int rc;

	while ((rc = xml_next(wb, r, part)) == 1) {
		if (is_start(r, "si") && xmlTextReaderIsEmptyElement(r))
			add_string(wb, &cur);
		else if (is_end(r, "si"))
			add_string(wb, &cur);
		else if (is_start(r, "rPh") && !xmlTextReaderIsEmptyElement(r))
			in_rph = true;
		else if (is_end(r, "rPh"))
			in_rph = false;
		else if (is_start(r, "t") && !xmlTextReaderIsEmptyElement(r))
			in_t = true;
		else if (is_end(r, "t"))
			in_t = false;
		else if (in_t && !in_rph && is_text(r))
			append_text(r, &cur);
		if (wb->n_strings > MAX_STRINGS) {
			rc = fail(wb, "%s: more than %d shared strings; refused",
			    part, MAX_STRINGS);
			break;
		}
	}
	sb_free(&cur);
	return rc;
}

static int
read_strings(struct workbook *wb)
{
	struct strbuf sb = STRBUF_INIT;
	char *part = related_part(wb, "/sharedStrings", NULL);
	xmlTextReaderPtr r;
	int rc = 0;

	if (part && (rc = read_part(wb, part, XLSX_MAX_STRINGS, false, &sb)) == 0) {
		if ((r = xml_open(wb, part, &sb)) == NULL)
			rc = -1;
		else {
			rc = parse_strings(wb, r, part);
			xmlFreeTextReader(r);
		}
	}
	free(part);
	sb_free(&sb);
	return rc == -1 ? -1 : 0;
}

/* ---- styles: which cell formats show a date ---- */

/* A format code shows a date or time when its first section has a day,
 * month, year, hour or second outside quoted text, escapes and [..]. */
static bool
format_is_date(const char *code)
{
	const char *p;

	for (p = code; *p && *p != ';'; p++) {
		switch (*p) {
		case '"':
			while (p[1] && p[1] != '"')
				p++;
			if (p[1])
				p++;
			break;
		case '\\': case '_': case '*':
			if (p[1])
				p++;
			break;
		case '[':
			if (strchr("hHmMsS", p[1]))
				return true;        /* elapsed time: [h]:mm */
			while (p[1] && p[1] != ']')
				p++;
			break;
		default:
			if (strncasecmp(p, "General", 7) == 0)
				p += 6;
			else if (strchr("dDmMyYhHsS", *p))
				return true;
		}
	}
	return false;
}

static bool
builtin_date_format(long id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) ||
	    (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

static bool
date_format_id(const struct workbook *wb, long id)
{
	size_t i;

	for (i = 0; i < wb->n_date_fmts; i++)
		if (wb->date_fmts[i] == id)
			return true;
	return builtin_date_format(id);
}

static long
attr_long(xmlTextReaderPtr r, const char *local, long fallback)
{
	char *v = attr(r, local), *end;
	long n;

	if (v == NULL)
		return fallback;
	n = strtol(v, &end, 10);
	if (end == v || *end)
		n = fallback;
	free(v);
	return n;
}

static void
add_custom_format(struct workbook *wb, xmlTextReaderPtr r)
{
	char *code = attr(r, "formatCode");

	if (code && format_is_date(code) && wb->n_date_fmts < MAX_STYLES) {
		if (wb->n_date_fmts == wb->cap_date_fmts) {
			wb->cap_date_fmts = wb->cap_date_fmts ? wb->cap_date_fmts * 2 : 16;
			wb->date_fmts = xrealloc(wb->date_fmts,
			    wb->cap_date_fmts * sizeof(long));
		}
		wb->date_fmts[wb->n_date_fmts++] = attr_long(r, "numFmtId", -1);
	}
	free(code);
}

static void
add_cell_format(struct workbook *wb, xmlTextReaderPtr r)
{
	if (wb->n_xf >= MAX_STYLES)
		return;
	if (wb->n_xf == wb->cap_xf) {
		wb->cap_xf = wb->cap_xf ? wb->cap_xf * 2 : 64;
		wb->xf_date = xrealloc(wb->xf_date, wb->cap_xf * sizeof(bool));
	}
	wb->xf_date[wb->n_xf++] = date_format_id(wb, attr_long(r, "numFmtId", 0));
}

static int
parse_styles(struct workbook *wb, xmlTextReaderPtr r, const char *part)
{
	bool in_xfs = false;
	int rc;

	while ((rc = xml_next(wb, r, part)) == 1) {
		if (is_start(r, "numFmt"))
			add_custom_format(wb, r);
		else if (is_start(r, "cellXfs") && !xmlTextReaderIsEmptyElement(r))
			in_xfs = true;
		else if (is_end(r, "cellXfs"))
			in_xfs = false;
		else if (in_xfs && is_start(r, "xf"))
			add_cell_format(wb, r);
	}
	return rc;
}

static int
read_styles(struct workbook *wb)
{
	struct strbuf sb = STRBUF_INIT;
	char *part = related_part(wb, "/styles", NULL);
	xmlTextReaderPtr r;
	int rc = 0;

	if (part && (rc = read_part(wb, part, XLSX_MAX_PART, false, &sb)) == 0) {
		if ((r = xml_open(wb, part, &sb)) == NULL)
			rc = -1;
		else {
			rc = parse_styles(wb, r, part);
			xmlFreeTextReader(r);
		}
	}
	free(part);
	sb_free(&sb);
	return rc == -1 ? -1 : 0;
}

/* ---- dates ---- */

int
xlsx_serial_date(double serial, bool date1904, char *buf, size_t size)
{
	long long days, secs;
	int y, m, d;

	/* 2958465 is 9999-12-31; day 60 of 1900 is Excel's 1900-02-29,
	 * which never was */
	if (!isfinite(serial) || serial < (date1904 ? 0 : 1) ||
	    serial >= 2958466 || (!date1904 && floor(serial) == 60))
		return -1;
	days = (long long)floor(serial);
	secs = llround((serial - (double)days) * 86400.0);
	if (secs >= 86400) {
		days++;
		secs -= 86400;
	}
	/* day 0 is 1899-12-31 before the phantom leap day, 1899-12-30 after;
	 * in the 1904 system day 0 is 1904-01-01 */
	if (date1904)
		days -= 24107;
	else
		days -= days < 60 ? 25568 : 25569;
	civil_from_days(days, &y, &m, &d);
	if (secs == 0)
		snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
	else
		snprintf(buf, size, "%04d-%02d-%02d %02lld:%02lld:%02lld", y, m,
		    d, secs / 3600, secs / 60 % 60, secs % 60);
	return 0;
}

/* ---- the worksheet ---- */

struct cell_state {
	long          col;             /* of the cell being read, 0-based */
	char          type[16];        /* t="…", "n" by default */
	long          style;
	bool          in_v, in_is, in_t, in_rph;
	struct strbuf value;           /* <v> */
	struct strbuf inline_text;     /* <is> */
};

struct sheet_parse {
	struct workbook   *wb;
	const char        *part;
	struct sheet      *out;
	struct sheet_row  *row;
	long               row_no, last_col, max_col;
	size_t             cells;
	struct cell_state  c;
	char             **merges;     /* A1:B3 ranges */
	size_t             n_merges;
};

/* "AB12" → column 27 (0-based) and row 12; -1 when malformed. */
static int
parse_ref(const char *ref, long *col, long *row)
{
	long c = 0, r = 0;
	const char *p = ref;

	while (*p >= 'A' && *p <= 'Z' && c <= MAX_COLUMNS)
		c = c * 26 + (*p++ - 'A' + 1);
	if (p == ref || c > MAX_COLUMNS)
		return -1;
	while (*p >= '0' && *p <= '9' && r <= MAX_ROWS)
		r = r * 10 + (*p++ - '0');
	if (*p || r > MAX_ROWS)
		return -1;
	*col = c - 1;
	*row = r;                      /* 0 when the ref has no row */
	return 0;
}

static int
start_row(struct sheet_parse *sp, xmlTextReaderPtr r)
{
	long n = attr_long(r, "r", sp->row_no + 1);

	if (n <= sp->row_no || n > MAX_ROWS)
		return fail(sp->wb, "%s:%d: row %ld is out of order or beyond "
		    "row %d", sp->part, xmlTextReaderGetParserLineNumber(r), n,
		    MAX_ROWS);
	sp->row_no = n;
	sp->last_col = -1;
	sp->row = sheet_add_row(sp->out, (size_t)n);
	return 0;
}

static int
start_cell(struct sheet_parse *sp, xmlTextReaderPtr r)
{
	struct cell_state *c = &sp->c;
	char *ref = attr(r, "r"), *t = attr(r, "t");
	long col = sp->last_col + 1, row = 0;
	int line = xmlTextReaderGetParserLineNumber(r);

	if (sp->row == NULL)
		fail(sp->wb, "%s:%d: a cell outside a row", sp->part, line);
	else if (ref && (parse_ref(ref, &col, &row) == -1 ||
	    (row && row != sp->row_no)))
		fail(sp->wb, "%s:%d: cell reference '%.20s' is not in row %ld",
		    sp->part, line, ref, sp->row_no);
	else if (col <= sp->last_col || col >= MAX_COLUMNS)
		fail(sp->wb, "%s:%d: cells out of order in row %ld", sp->part,
		    line, sp->row_no);
	free(ref);
	if (sp->wb->error) {
		free(t);
		return -1;
	}
	sp->last_col = col;
	c->col = col;
	snprintf(c->type, sizeof(c->type), "%s", t ? t : "n");
	free(t);
	c->style = attr_long(r, "s", 0);
	sb_reset(&c->value);
	sb_reset(&c->inline_text);
	c->in_v = c->in_is = c->in_t = c->in_rph = false;
	return 0;
}

/* "1234", "0.5", "1E+20" as the shortest text that reads back the same. */
static char *
number_text(double v)
{
	char buf[32];
	int prec;

	if (v == floor(v) && fabs(v) < 1e15)
		return xasprintf("%.0f", v == 0 ? 0.0 : v);
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*g", prec, v);
	return xstrdup(buf);
}

/* A t="d" cell holds ISO 8601 text: keep the date, and the time when it
 * is not midnight. */
static char *
iso_cell_text(const char *v)
{
	if (strlen(v) >= 10 && (v[10] == '\0' || strncmp(v + 10,
	    "T00:00:00", 9) == 0))
		return xstrndup(v, 10);
	if (strlen(v) >= 19 && v[10] == 'T')
		return xasprintf("%.10s %.8s", v, v + 11);
	return xstrdup(v);
}

static int
number_cell(struct sheet_parse *sp, const char *v, enum cell_kind *kind,
    char **text)
{
	struct workbook *wb = sp->wb;
	char *end, date[32];
	double n;

	n = strtod(v, &end);
	if (end == v || *end || !isfinite(n))
		return fail(wb, "%s: cell %ld of row %ld: '%.20s' is not a number",
		    sp->part, sp->c.col + 1, sp->row_no, v);
	if (sp->c.style >= 0 && (size_t)sp->c.style < wb->n_xf &&
	    wb->xf_date[sp->c.style] &&
	    xlsx_serial_date(n, wb->date1904, date, sizeof(date)) == 0) {
		*kind = CELL_DATE;
		*text = xstrdup(date);
	} else {
		*kind = CELL_NUMBER;
		*text = number_text(n);
	}
	return 0;
}

/* The value of the cell just ended, by its type. */
static int
cell_value(struct sheet_parse *sp, enum cell_kind *kind, char **text)
{
	struct cell_state *c = &sp->c;
	const char *v = sb_str(&c->value);
	char *end;
	unsigned long idx;

	*kind = CELL_TEXT;
	if (strcmp(c->type, "s") == 0) {
		idx = strtoul(v, &end, 10);
		if (end == v || *end || idx >= sp->wb->n_strings)
			return fail(sp->wb, "%s: row %ld: shared string '%.20s' "
			    "does not exist", sp->part, sp->row_no, v);
		*text = xstrdup(sp->wb->strings[idx]);
	} else if (strcmp(c->type, "inlineStr") == 0)
		*text = decode_escapes(sb_str(&c->inline_text));
	else if (strcmp(c->type, "str") == 0)
		*text = decode_escapes(v);
	else if (strcmp(c->type, "b") == 0) {
		*kind = CELL_BOOL;
		*text = xstrdup(strcmp(v, "1") == 0 ? "TRUE" : "FALSE");
	} else if (strcmp(c->type, "e") == 0) {
		*kind = CELL_ERROR;
		*text = xstrdup(v);
	} else if (strcmp(c->type, "d") == 0) {
		*kind = CELL_DATE;
		*text = iso_cell_text(v);
	} else if (*v == '\0')
		*text = xstrdup("");           /* a formatted empty cell */
	else
		return number_cell(sp, v, kind, text);
	return 0;
}

static int
end_cell(struct sheet_parse *sp)
{
	enum cell_kind kind;
	char *text = NULL;

	if (cell_value(sp, &kind, &text) == -1)
		return -1;
	if (*text && ++sp->cells > XLSX_MAX_CELLS) {
		free(text);
		return fail(sp->wb, "%s: more than %d cells; refused", sp->part,
		    XLSX_MAX_CELLS);
	}
	if (*text && sp->c.col > sp->max_col)
		sp->max_col = sp->c.col;
	sheet_add_cell(sp->row, (unsigned)sp->c.col, kind, text);
	return 0;
}

static void
note_merge(struct sheet_parse *sp, xmlTextReaderPtr r)
{
	char *ref = attr(r, "ref");

	if (ref == NULL || sp->n_merges >= 65536) {
		free(ref);
		return;
	}
	sp->merges = xrealloc(sp->merges, (sp->n_merges + 1) * sizeof(char *));
	sp->merges[sp->n_merges++] = ref;
}

/* Inside a cell: its value, or the text of an inline string. */
static void
cell_node(struct cell_state *c, xmlTextReaderPtr r)
{
	bool empty = xmlTextReaderIsEmptyElement(r);

	if (is_start(r, "v") && !empty)
		c->in_v = true;
	else if (is_end(r, "v"))
		c->in_v = false;
	else if (is_start(r, "is") && !empty)
		c->in_is = true;
	else if (is_end(r, "is"))
		c->in_is = false;
	else if (c->in_is && is_start(r, "rPh") && !empty)
		c->in_rph = true;
	else if (is_end(r, "rPh"))
		c->in_rph = false;
	else if (c->in_is && is_start(r, "t") && !empty)
		c->in_t = true;
	else if (is_end(r, "t"))
		c->in_t = false;
	else if (is_text(r)) {
		if (c->in_v)
			append_text(r, &c->value);
		else if (c->in_t && !c->in_rph)
			append_text(r, &c->inline_text);
	}
}

static int
sheet_node(struct sheet_parse *sp, xmlTextReaderPtr r, bool *in_cell)
{
	if (is_start(r, "row")) {
		if (start_row(sp, r) == -1)
			return -1;
		if (xmlTextReaderIsEmptyElement(r))
			sp->row = NULL;
	} else if (is_end(r, "row"))
		sp->row = NULL;
	else if (is_start(r, "c")) {
		if (start_cell(sp, r) == -1)
			return -1;
		*in_cell = !xmlTextReaderIsEmptyElement(r);
	} else if (*in_cell && is_end(r, "c")) {
		*in_cell = false;
		return end_cell(sp);
	} else if (*in_cell)
		cell_node(&sp->c, r);
	else if (is_start(r, "mergeCell"))
		note_merge(sp, r);
	return 0;
}

/* The index of the first row at or after line (rows ascend). */
static size_t
row_at(const struct sheet *s, size_t line)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->rows[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A merged range reads, as a person reads it, as its top-left value in
 * every cell (a unit's name merged down over its accounts).  Only rows
 * and columns that hold data are filled. */
static int
fill_merge(struct sheet_parse *sp, const char *ref)
{
	long c1, r1, c2, r2, col;
	char a[32], b[32];
	const struct sheet_cell *src = NULL;
	size_t i, top;

	if (sscanf(ref, "%31[A-Z0-9]:%31[A-Z0-9]", a, b) != 2 ||
	    parse_ref(a, &c1, &r1) == -1 || parse_ref(b, &c2, &r2) == -1 ||
	    c2 < c1 || r2 < r1)
		return 0;
	if (c2 > sp->max_col)
		c2 = sp->max_col;
	top = row_at(sp->out, (size_t)r1);
	if (top == sp->out->n || (src = sheet_cell(&sp->out->rows[top],
	    (unsigned)c1)) == NULL)
		return 0;
	for (i = top; i < sp->out->n && (long)sp->out->rows[i].line <= r2; i++)
		for (col = c1; col <= c2; col++) {
			if (i == top && col == c1)
				continue;
			if (++sp->cells > XLSX_MAX_CELLS)
				return fail(sp->wb, "%s: more than %d cells once "
				    "merged ranges are filled; refused", sp->part,
				    XLSX_MAX_CELLS);
			src = sheet_cell(&sp->out->rows[top], (unsigned)c1);
			sheet_set_cell(&sp->out->rows[i], (unsigned)col,
			    src->kind, xstrdup(src->text));
		}
	return 0;
}

static int
parse_sheet(struct sheet_parse *sp, xmlTextReaderPtr r)
{
	bool in_cell = false;
	size_t i;
	int rc;

	while ((rc = xml_next(sp->wb, r, sp->part)) == 1)
		if (sheet_node(sp, r, &in_cell) == -1)
			return -1;
	for (i = 0; rc == 0 && i < sp->n_merges; i++)
		rc = fill_merge(sp, sp->merges[i]);
	return rc;
}

static const struct sheet_ref *
choose_sheet(struct workbook *wb, const char *name)
{
	struct strbuf names = STRBUF_INIT;
	size_t i;

	for (i = 0; i < wb->n_sheets; i++)
		if (name ? strcmp(wb->sheets[i].name, name) == 0 :
		    !wb->sheets[i].hidden)
			return &wb->sheets[i];
	if (name == NULL) {
		fail(wb, "every worksheet is hidden; name one with --sheet");
		return NULL;
	}
	for (i = 0; i < wb->n_sheets; i++)
		sb_printf(&names, "%s\"%s\"", i ? ", " : "", wb->sheets[i].name);
	fail(wb, "no worksheet \"%s\" (the workbook has %s)", name,
	    sb_str(&names));
	sb_free(&names);
	return NULL;
}

static int
read_sheet(struct workbook *wb, const char *name, struct sheet *out)
{
	const struct sheet_ref *ref = choose_sheet(wb, name);
	struct sheet_parse sp = { .wb = wb, .out = out, .max_col = -1 };
	struct strbuf sb = STRBUF_INIT;
	xmlTextReaderPtr r = NULL;
	char *part;
	size_t i;
	int rc = -1;

	if (ref == NULL)
		return -1;
	if ((part = related_part(wb, NULL, ref->rid)) == NULL)
		return fail(wb, "%s: worksheet \"%s\" has no part", wb->path,
		    ref->name);
	sp.part = part;
	if (read_part(wb, part, XLSX_MAX_SHEET, true, &sb) == 0 &&
	    (r = xml_open(wb, part, &sb)) != NULL)
		rc = parse_sheet(&sp, r);
	xmlFreeTextReader(r);
	for (i = 0; i < sp.n_merges; i++)
		free(sp.merges[i]);
	free(sp.merges);
	sb_free(&sp.c.value);
	sb_free(&sp.c.inline_text);
	sb_free(&sb);
	free(part);
	return rc;
}

static void
workbook_free(struct workbook *wb)
{
	size_t i;

	if (wb->zip)
		zip_discard(wb->zip);
	rels_free(wb->rels, wb->n_rels);
	for (i = 0; i < wb->n_sheets; i++) {
		free(wb->sheets[i].name);
		free(wb->sheets[i].rid);
	}
	free(wb->sheets);
	for (i = 0; i < wb->n_strings; i++)
		free(wb->strings[i]);
	free(wb->strings);
	free(wb->xf_date);
	free(wb->date_fmts);
	free(wb->path);
}

static int
open_zip(struct workbook *wb, const void *buf, size_t len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_int64_t n;

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(buf, len, 0, &ze)) == NULL ||
	    (wb->zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS,
	    &ze)) == NULL) {
		fail(wb, "not an .xlsx workbook (%s)", zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	n = zip_get_num_entries(wb->zip, 0);
	if (n < 0 || n > XLSX_MAX_ENTRIES)
		return fail(wb, "more than %d entries in the zip archive; "
		    "refused", XLSX_MAX_ENTRIES);
	return 0;
}

int
xlsx_read(const void *buf, size_t len, const char *sheet_name,
    struct sheet *out, char **error)
{
	struct workbook wb = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	out->letters = true;
	rc = open_zip(&wb, buf, len) == 0 && find_workbook(&wb) == 0 &&
	    read_workbook(&wb) == 0 && read_strings(&wb) == 0 &&
	    read_styles(&wb) == 0 && read_sheet(&wb, sheet_name, out) == 0 ?
	    0 : -1;
	out->date1904 = wb.date1904;
	if (rc == -1) {
		sheet_free(out);
		*error = wb.error ? wb.error : xstrdup("not an .xlsx workbook");
		wb.error = NULL;
	} else
		sheet_drop_empty_rows(out);
	free(wb.error);
	workbook_free(&wb);
	return rc;
}
