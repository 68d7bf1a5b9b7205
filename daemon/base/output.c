/* output.c — tables, JSON and CSV from JSON rows. */
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/output.h"
#include "base/timeutil.h"
#include "base/util.h"

static const char *(*platform_label)(const char *key);

/* The vocabulary of each word kind, and the kind it is printed as. */
static const struct {
	const char       *vocab;
	enum column_kind  base;
} word_kinds[] = {
	[COL_ACCOUNT_STATUS] = { VOCAB_ACCOUNT_STATUS, COL_TEXT },
	[COL_MONITOR_STATE] = { VOCAB_STATE, COL_STATE },
	[COL_FETCH] = { VOCAB_FETCH, COL_TEXT },
	[COL_PROBLEM_KIND] = { VOCAB_PROBLEM_KIND, COL_TEXT },
	[COL_PROBLEM_STATE] = { VOCAB_PROBLEM_STATE, COL_TEXT },
	[COL_CLOSE_REASON] = { VOCAB_CLOSE_REASON, COL_TEXT },
	[COL_SEVERITY] = { VOCAB_SEVERITY, COL_TEXT },
	[COL_OUTBOX_STATUS] = { VOCAB_OUTBOX_STATUS, COL_TEXT },
	[COL_OUTBOX_KIND] = { VOCAB_OUTBOX_KIND, COL_TEXT },
	[COL_RECIPIENT_STATUS] = { VOCAB_RECIPIENT_STATUS, COL_TEXT },
	[COL_DOCUMENT_STATE] = { VOCAB_DOCUMENT_STATE, COL_TEXT },
	[COL_ROLE] = { VOCAB_ROLE, COL_TEXT },
	[COL_ACTION] = { VOCAB_ACTION, COL_TEXT },
	[COL_FIELD] = { VOCAB_FIELD, COL_TEXT },
	[COL_PLATFORM] = { VOCAB_PLATFORM, COL_TEXT },
};

static const char *
kind_vocab(enum column_kind kind)
{
	return (size_t)kind < ARRAY_SIZE(word_kinds) ? word_kinds[kind].vocab :
	    NULL;
}

static enum column_kind
base_kind(enum column_kind kind)
{
	return kind_vocab(kind) ? word_kinds[kind].base : kind;
}

void
output_set_platforms(const char *(*fn)(const char *key))
{
	platform_label = fn;
}

const char *
output_word(const char *vocab, const char *value)
{
	const char *label;

	if (value == NULL || !i18n_translating())
		return value;
	if (strcmp(vocab, VOCAB_PLATFORM) == 0 && platform_label &&
	    (label = platform_label(value)) != NULL)
		return label;
	return i18n_word(vocab, value);
}

char *
output_cell(const json_t *v, enum column_kind kind)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[32];
	size_t i;

	kind = base_kind(kind);
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

/* One English heading may need two translations ("Opened": the day an
 * account was opened, the time a problem was): a heading marked NC_()
 * has its translation in the context of its column's vocabulary (the
 * "STATE" of the monitor's states), or else of its key ("opened_at");
 * any other is a plain message.  gettext("") is the catalog's header,
 * not an empty heading. */
static const char *
heading(const struct column *col)
{
	const char *vocab = kind_vocab(col->kind), *h = col->header, *t;

	if (*h == '\0')
		return h;
	if (vocab && (t = i18n_word(vocab, h)) != h)
		return t;
	if ((t = i18n_word(col->key, h)) != h)
		return t;
	return _(h);
}

/* A cell of a table: its text, the copy made for it if any, and its
 * width on a terminal. */
struct cell {
	const char *text;
	char       *owned;
	size_t      width;
};

static struct cell cell_of(const json_t *v, const struct column *col);

/* The text of a cell that is not a string, in the user's language: a
 * list of vocabulary words and yes/no translated; the rest as CSV shows
 * it. */
static char *
table_cell(const json_t *v, const struct column *col)
{
	struct strbuf sb = STRBUF_INIT;
	struct cell item;
	size_t i;

	if (kind_vocab(col->kind) && json_is_array(v) &&
	    json_array_size(v) > 0) {
		for (i = 0; i < json_array_size(v); i++) {
			item = cell_of(json_array_get(v, i), col);
			sb_printf(&sb, "%s%s", i ? ", " : "", item.text);
			free(item.owned);
		}
		return sb_steal(&sb);
	}
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? _("yes") : _("no"));
	return output_cell(v, col->kind);
}

/* A table's cell: the row's own text where it shows as it is (most
 * cells: a large registry's list has millions; a vocabulary word
 * translated), else table_cell(). */
static struct cell
cell_of(const json_t *v, const struct column *col)
{
	const char *vocab = kind_vocab(col->kind);
	struct cell c = { NULL, NULL, 0 };

	if (json_is_string(v))
		c.text = vocab ? output_word(vocab, json_string_value(v)) :
		    json_string_value(v);
	else
		c.text = c.owned = table_cell(v, col);
	c.width = utf8_display_width(c.text);
	return c;
}

/* Cells never break the table: control characters show as spaces. */
static void
put_padded(FILE *out, const struct cell *cell, size_t width, bool last)
{
	static const char spaces[] = "                                ";
	const char *s = cell->text;
	size_t pad, n;

	for (; *s; s += n) {
		n = strcspn(s, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
		    "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
		    "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f");
		fwrite(s, 1, n, out);
		if (s[n] != '\0') {
			fputc(' ', out);
			n++;
		}
	}
	if (last)
		return;
	for (pad = width + 2 - cell->width; pad > 0; pad -= n) {
		n = pad < sizeof(spaces) - 1 ? pad : sizeof(spaces) - 1;
		fwrite(spaces, 1, n, out);
	}
}

static struct cell
heading_cell(const struct column *col)
{
	const char *h = heading(col);

	return (struct cell){ h, NULL, utf8_display_width(h) };
}

/* Each cell is made and measured once: a large registry's list has
 * hundreds of thousands of rows. */
static void
print_table(FILE *out, const struct column *cols, size_t n, json_t *rows)
{
	size_t *width = xcalloc(n, sizeof(size_t));
	size_t r, c, nrows = json_array_size(rows);
	struct cell *cells = xcalloc(nrows * n + 1, sizeof(*cells)), *cell, h;

	for (c = 0; c < n; c++)
		width[c] = heading_cell(&cols[c]).width;
	for (r = 0; r < nrows; r++)
		for (c = 0; c < n; c++) {
			cell = &cells[r * n + c];
			*cell = cell_of(json_object_get(json_array_get(rows, r),
			    cols[c].key), &cols[c]);
			if (cell->width > width[c])
				width[c] = cell->width;
		}
	for (c = 0; c < n; c++) {
		h = heading_cell(&cols[c]);
		put_padded(out, &h, width[c], c + 1 == n);
	}
	fputc('\n', out);
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < n; c++) {
			put_padded(out, &cells[r * n + c], width[c], c + 1 == n);
			free(cells[r * n + c].owned);
		}
		fputc('\n', out);
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
		if (heading_cell(&cols[c]).width > width)
			width = heading_cell(&cols[c]).width;
	for (c = 0; c < n; c++) {
		struct cell h = heading_cell(&cols[c]), v = cell_of(
		    json_object_get(record, cols[c].key), &cols[c]);

		put_padded(out, &h, width, false);
		put_padded(out, &v, 0, true);
		fputc('\n', out);
		free(v.owned);
	}
}
