/* output.c — tables, JSON and CSV from JSON rows. */
#include <stdlib.h>
#include <string.h>

#include "base/output.h"
#include "base/timeutil.h"
#include "base/util.h"

char *
output_cell(const json_t *v, enum column_kind kind)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[32];
	size_t i;

	if (v == NULL || json_is_null(v))
		return xstrdup(kind == COL_TEXT ? "" : "-");
	if (kind == COL_STATE)
		kind = COL_TEXT;
	if (json_is_integer(v) && kind != COL_TEXT) {
		if (kind == COL_TIME)
			time_format_local((time_t)json_integer_value(v), buf, sizeof(buf));
		else
			date_format_local((time_t)json_integer_value(v), buf, sizeof(buf));
		return xstrdup(buf);
	}
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_true(v) || json_is_false(v))
		return xstrdup(json_is_true(v) ? "yes" : "no");
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			char *item = output_cell(json_array_get(v, i), kind);

			sb_printf(&sb, "%s%s", i ? ", " : "", item);
			free(item);
		}
		return sb_steal(&sb);
	}
	return json_dumps(v, JSON_COMPACT);
}

/* Cells never break the table: control characters show as spaces. */
static void
put_padded(FILE *out, const char *s, size_t width, bool last)
{
	size_t w = utf8_display_width(s);

	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
	if (!last)
		for (; w < width + 2; w++)
			fputc(' ', out);
}

static void
print_table(FILE *out, const struct column *cols, size_t n, json_t *rows)
{
	size_t *width = xcalloc(n, sizeof(size_t));
	size_t r, c, nrows = json_array_size(rows);
	char ***cells = xcalloc(nrows ? nrows : 1, sizeof(char **));

	for (c = 0; c < n; c++)
		width[c] = utf8_display_width(cols[c].header);
	for (r = 0; r < nrows; r++) {
		cells[r] = xcalloc(n, sizeof(char *));
		for (c = 0; c < n; c++) {
			cells[r][c] = output_cell(json_object_get(
			    json_array_get(rows, r), cols[c].key), cols[c].kind);
			if (utf8_display_width(cells[r][c]) > width[c])
				width[c] = utf8_display_width(cells[r][c]);
		}
	}
	for (c = 0; c < n; c++)
		put_padded(out, cols[c].header, width[c], c + 1 == n);
	fputc('\n', out);
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < n; c++) {
			put_padded(out, cells[r][c], width[c], c + 1 == n);
			free(cells[r][c]);
		}
		fputc('\n', out);
		free(cells[r]);
	}
	free(cells);
	free(width);
}

void
csv_put_field(FILE *out, const char *v)
{
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

static void
print_csv(FILE *out, const struct column *cols, size_t n, json_t *rows)
{
	size_t r, c;

	for (c = 0; c < n; c++) {
		if (c)
			fputc(',', out);
		csv_put_field(out, cols[c].key);
	}
	fputs("\r\n", out);
	for (r = 0; r < json_array_size(rows); r++) {
		for (c = 0; c < n; c++) {
			char *cell = output_cell(json_object_get(
			    json_array_get(rows, r), cols[c].key), cols[c].kind);

			if (c)
				fputc(',', out);
			csv_put_field(out, cell);
			free(cell);
		}
		fputs("\r\n", out);
	}
}

void
output_rows(FILE *out, enum output_format fmt, const struct column *cols,
    size_t n, json_t *rows)
{
	switch (fmt) {
	case OUTPUT_JSON:
		json_dumpf(rows, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		break;
	case OUTPUT_CSV:
		print_csv(out, cols, n, rows);
		break;
	case OUTPUT_TABLE:
		print_table(out, cols, n, rows);
		break;
	}
}

void
output_record(FILE *out, enum output_format fmt, const struct column *cols,
    size_t n, json_t *record)
{
	json_t *rows;
	size_t c, width = 0;

	if (fmt == OUTPUT_JSON) {
		json_dumpf(record, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		return;
	}
	if (fmt == OUTPUT_CSV) {
		rows = json_pack("[O]", record);
		print_csv(out, cols, n, rows);
		json_decref(rows);
		return;
	}
	for (c = 0; c < n; c++)
		if (utf8_display_width(cols[c].header) > width)
			width = utf8_display_width(cols[c].header);
	for (c = 0; c < n; c++) {
		char *cell = output_cell(json_object_get(record, cols[c].key),
		    cols[c].kind);

		put_padded(out, cols[c].header, width, false);
		put_padded(out, cell, 0, true);
		fputc('\n', out);
		free(cell);
	}
}
