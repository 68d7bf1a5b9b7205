/* csv.c — a small, strict CSV reader. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/i18n.h"
#include "base/util.h"

void
csv_reader_init(struct csv_reader *r, const char *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
	r->line = 1;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;              /* spreadsheets save UTF-8 with a BOM */
}

static void
push_field(struct csv_record *rec, struct strbuf *field)
{
	rec->fields = xrealloc(rec->fields, (rec->n + 1) * sizeof(char *));
	rec->fields[rec->n++] = sb_steal(field);
}

static int
fail(struct csv_record *rec, struct strbuf *field, char **error, size_t line,
    const char *why)
{
	/* "line N: " stays: readers turn it into FILE:N: */
	*error = xasprintf("line %zu: %s", line, _(why));
	sb_free(field);
	csv_record_free(rec);
	return -1;
}

/* Reads a quoted field body; r->p is just past the opening quote. */
static int
read_quoted(struct csv_reader *r, struct strbuf *field)
{
	while (r->p < r->end) {
		char c = *r->p++;

		if (c == '"') {
			if (r->p < r->end && *r->p == '"') {
				sb_putc(field, '"');
				r->p++;
				continue;
			}
			return 0;
		}
		if (c == '\n')
			r->line++;
		sb_putc(field, c);
		if (field->len > CSV_RECORD_MAX)
			return -1;
	}
	return -2;
}

static bool
at_record_end(const struct csv_reader *r)
{
	return r->p >= r->end || *r->p == '\n' ||
	    (*r->p == '\r' && (r->p + 1 >= r->end || r->p[1] == '\n'));
}

static void
skip_record_end(struct csv_reader *r)
{
	if (r->p < r->end && *r->p == '\r')
		r->p++;
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		r->line++;
	}
}

int
csv_next(struct csv_reader *r, struct csv_record *rec, char **error)
{
	struct strbuf field = STRBUF_INIT;
	const char *start;
	size_t bytes = 0;

	memset(rec, 0, sizeof(*rec));
	while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
		if (*r->p == '\n')
			r->line++;
		r->p++;
	}
	if (r->p >= r->end)
		return 0;
	rec->line = r->line;
	for (;;) {
		start = r->p;
		sb_reset(&field);
		if (r->p < r->end && *r->p == '"') {
			r->p++;
			switch (read_quoted(r, &field)) {
			case -1:
				return fail(rec, &field, error, rec->line,
				    N_("record is longer than 65536 bytes"));
			case -2:
				return fail(rec, &field, error, rec->line,
				    N_("a quoted field is never closed"));
			}
			if (!at_record_end(r) && *r->p != ',')
				return fail(rec, &field, error, r->line,
				    N_("text after a closing quote (write \"\" for a "
				    "quote inside a quoted field)"));
		} else {
			while (!at_record_end(r) && *r->p != ',') {
				if (*r->p == '"')
					return fail(rec, &field, error, r->line,
					    N_("a quote inside an unquoted field"));
				r->p++;
			}
			sb_append(&field, start, (size_t)(r->p - start));
		}
		bytes += field.len + 1;
		if (bytes > CSV_RECORD_MAX)
			return fail(rec, &field, error, rec->line,
			    N_("record is longer than 65536 bytes"));
		push_field(rec, &field);
		if (at_record_end(r))
			break;
		r->p++;                 /* the comma */
	}
	skip_record_end(r);
	sb_free(&field);
	return 1;
}

void
csv_record_free(struct csv_record *rec)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		free(rec->fields[i]);
	free(rec->fields);
	rec->fields = NULL;
	rec->n = 0;
}

/* GBK is read with the GB18030 converter, its superset, as browsers and
 * spreadsheet programs do. */
int
csv_from_gbk(const char *buf, size_t len, char **out, size_t *out_len,
    char **error)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	char *in = (char *)buf, *o, *res;
	size_t inleft = len, cap = len * 2 + 16, oleft = cap;

	if (cd == (iconv_t)-1) {
		*error = xstrdup(_("this system cannot convert from GBK (iconv)"));
		return -1;
	}
	res = o = xmalloc(cap + 1);
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		*error = xasprintf("line %zu: %s", line_number_at(buf,
		    (size_t)(in - buf)), _("not valid GBK text"));
		iconv_close(cd);
		free(res);
		return -1;
	}
	iconv_close(cd);
	*o = '\0';
	*out = res;
	*out_len = (size_t)(o - res);
	return 0;
}

int
csv_read_sheet(const char *buf, size_t len, struct sheet *s, char **error)
{
	struct csv_reader r;
	struct csv_record rec;
	struct sheet_row *row;
	size_t i;
	int got;

	memset(s, 0, sizeof(*s));
	csv_reader_init(&r, buf, len);
	while ((got = csv_next(&r, &rec, error)) == 1) {
		row = sheet_add_row(s, rec.line);
		row->width = rec.n;
		for (i = 0; i < rec.n; i++) {
			sheet_add_cell(row, (unsigned)i, CELL_TEXT, rec.fields[i]);
			rec.fields[i] = NULL;
		}
		csv_record_free(&rec);
	}
	if (got == -1) {
		sheet_free(s);
		return -1;
	}
	return 0;
}

/* The character at p (UTF-8) for a message, at most 4 bytes. */
static char *
character_at(const char *p, const char *end)
{
	uint32_t cp;
	size_t n = utf8_decode(p, (size_t)(end - p), &cp);

	return n ? xstrndup(p, n) : xstrdup("?");
}

int
csv_to_gbk(const char *buf, size_t len, char **out, size_t *out_len,
    char **error)
{
	iconv_t cd = iconv_open("GBK", "UTF-8");
	char *in = (char *)buf, *o, *res, *ch;
	size_t inleft = len, cap = len * 2 + 16, oleft = cap;

	if (cd == (iconv_t)-1) {
		*error = xstrdup(_("this system cannot convert to GBK (iconv)"));
		return -1;
	}
	res = o = xmalloc(cap + 1);
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		ch = character_at(in, buf + len);
		*error = xasprintf(_("line %zu: '%s' cannot be written in GBK"),
		    line_number_at(buf, (size_t)(in - buf)), ch);
		free(ch);
		iconv_close(cd);
		free(res);
		return -1;
	}
	iconv_close(cd);
	*o = '\0';
	*out = res;
	*out_len = (size_t)(o - res);
	return 0;
}
