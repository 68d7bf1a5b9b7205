/* render_common.c — tables, HTML page frame and the SVG chart shared by
 * the notice, bulletin and report renderers. */
#include <pthread.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "base/template.h"
#include "base/util.h"
#include "paperwork/render.h"

static const char *const format_names[] = {
	[RENDER_MD] = "md", [RENDER_HTML] = "html", [RENDER_TXT] = "txt",
	[RENDER_JSON] = "json", [RENDER_CSV] = "csv", [RENDER_DOCX] = "docx",
};

int
render_format_parse(const char *s, enum render_format *out)
{
	size_t i;

	for (i = 0; s && i < ARRAY_SIZE(format_names); i++)
		if (strcmp(s, format_names[i]) == 0) {
			*out = (enum render_format)i;
			return 0;
		}
	return -1;
}

const char *
render_format_ext(enum render_format f)
{
	return format_names[f];
}

char *
render_to_string(void (*fn)(FILE *, const json_t *, enum render_format),
    const json_t *data, enum render_format f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL)
		return NULL;
	/* the stream is this call's alone: its millions of small writes
	 * need not take its lock */
	__fsetlocking(out, FSETLOCKING_BYCALLER);
	fn(out, data, f);
	fclose(out);
	return buf;
}

const char *
rd_str(const json_t *obj, const char *key)
{
	static char num[32];
	const json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return num;
	}
	return "";
}

long long
rd_int(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

void
rd_json(FILE *out, const json_t *data)
{
	json_dumpf(data, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
}

const char *
rd_serial(const json_t *d)
{
	return *rd_str(d, "serial") ? rd_str(d, "serial") : "（预览稿，未编号）";
}

char *
rd_status_note(const json_t *d)
{
	const json_t *v = json_object_get(d, "void");

	if (v == NULL)
		return NULL;
	return xasprintf("本件已于%s作废。作废原因：%s", rd_str(v, "at"),
	    rd_str(v, "reason"));
}

char *
rd_copy_line(const json_t *d)
{
	const char *to = rd_str(d, "copy_to");
	size_t n = strlen(to);

	if (n == 0)
		return NULL;
	return xasprintf("抄送：%s%s", to, n >= 3 && strcmp(to + n - 3, "。") ==
	    0 ? "" : "。");
}

/* ---- Markdown and text ---- */

static void
md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`')
			fputc('\\', out);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
	}
}

void
md_table(FILE *out, const struct column *cols, size_t n, const json_t *rows)
{
	size_t r, c;
	char *cell;

	if (json_array_size(rows) == 0) {
		fputs("无。\n", out);
		return;
	}
	for (c = 0; c < n; c++)
		fprintf(out, "| %s ", cols[c].header);
	fputs("|\n", out);
	for (c = 0; c < n; c++)
		fputs("|---", out);
	fputs("|\n", out);
	for (r = 0; r < json_array_size(rows); r++) {
		for (c = 0; c < n; c++) {
			cell = output_cell(json_object_get(json_array_get(rows, r),
			    cols[c].key), COL_TEXT);
			fputs("| ", out);
			md_cell(out, cell);
			fputc(' ', out);
			free(cell);
		}
		fputs("|\n", out);
	}
}

void
txt_table(FILE *out, const struct column *cols, size_t n, const json_t *rows)
{
	if (json_array_size(rows) == 0) {
		fputs("  无。\n", out);
		return;
	}
	output_rows(out, OUTPUT_TABLE, cols, n, (json_t *)rows);
}

/* ---- HTML ---- */

void
html_put(FILE *out, const char *s)
{
	html_escape_write(out, s);
}

/* Self-contained: no fonts, scripts or images from elsewhere, so the page
 * prints the same offline and from an email. */
static const char page_style[] =
"@page { size: A4; margin: 15mm 12mm; }\n"
"* { box-sizing: border-box; }\n"
"body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\","
" \"WenQuanYi Micro Hei\", \"Microsoft YaHei\", sans-serif; font-size: 11pt;"
" color: #222; max-width: 186mm; margin: 0 auto; padding: 8px;"
" line-height: 1.5; }\n"
"h1 { font-size: 18pt; text-align: center; margin: 0.4em 0; }\n"
"h2 { font-size: 13pt; border-bottom: 1px solid #999; margin-top: 1.2em; }\n"
"p.serial, p.meta { text-align: center; color: #444; margin: 0.2em 0; }\n"
"p.sign { text-align: right; }\n"
"p.status { text-align: center; color: #c62828; font-weight: bold;"
" border: 2px solid #c62828; padding: 4px; }\n"
"h2.attachment { border-bottom: none; }\n"
"@media print { h2.attachment { page-break-before: always; } }\n"
"table { border-collapse: collapse; width: 100%; margin: 0.5em 0;"
" font-size: 9.5pt; }\n"
"th, td { border: 1px solid #999; padding: 2px 4px; text-align: left;"
" vertical-align: top; word-break: break-all; }\n"
"th { background: #eee; }\n"
"tr { page-break-inside: avoid; }\n"
"thead { display: table-header-group; }\n"
".num { text-align: right; }\n"
".fresh td.state, .pass td.state { color: #1b7f3a; }\n"
".warning td.state { color: #c56a00; }\n"
".stale td.state, .fail td.state { color: #c62828; font-weight: bold; }\n"
".dormant td.state { color: #6a1b9a; font-weight: bold; }\n"
".unverified td.state, .none td.state { color: #666; }\n"
"span.dot { display: inline-block; width: 0.8em; height: 0.8em;"
" border-radius: 50%; margin-right: 0.3em; vertical-align: -0.05em; }\n"
".fresh span.dot, .pass span.dot { background: #2e9d4f; }\n"
".warning span.dot { background: #f0a020; }\n"
".stale span.dot, .fail span.dot { background: #d32f2f; }\n"
".dormant span.dot { background: #7b3fa0; }\n"
".unverified span.dot, .none span.dot { background: #9e9e9e; }\n"
"svg { display: block; max-width: 100%; height: auto; }\n"
"svg text { font-size: 11px; fill: #222; }\n"
".overdue { color: #c62828; }\n"
".summary td { text-align: center; }\n"
"@media print { body { max-width: none; padding: 0; } h2 {"
" page-break-after: avoid; } }\n";

void
html_begin(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>", out);
	html_put(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    page_style);
}

void
html_end(FILE *out)
{
	fputs("</body>\n</html>\n", out);
}

static bool
numeric_cell(const json_t *v)
{
	return json_is_integer(v);
}

/* The cell that shows a row's state gets its colour. */
static bool
state_cell(const char *key)
{
	return strcmp(key, "state_label") == 0 || strcmp(key, "result") == 0;
}

/* The rows [from, to) of a table's body. */
struct table_part {
	const struct column *cols;
	size_t               n;
	const json_t        *rows;
	const char          *row_class_key;
	size_t               from, to;
	char                *text;      /* a part written apart, or NULL */
	size_t               len;
};

static void
table_rows(FILE *out, const struct table_part *t)
{
	const json_t *row, *v;
	size_t r, c;
	char *cell;

	for (r = t->from; r < t->to; r++) {
		row = json_array_get(t->rows, r);
		fputs("<tr", out);
		if (t->row_class_key && *rd_str(row, t->row_class_key)) {
			fputs(" class=\"", out);
			html_put(out, rd_str(row, t->row_class_key));
			fputc('"', out);
		}
		fputc('>', out);
		for (c = 0; c < t->n; c++) {
			v = json_object_get(row, t->cols[c].key);
			fputs(numeric_cell(v) ? "<td class=\"num\">" :
			    state_cell(t->cols[c].key) ?
			    "<td class=\"state\"><span class=\"dot\"></span>" :
			    "<td>", out);
			if (json_is_string(v))      /* most cells: no copy */
				html_put(out, json_string_value(v));
			else if (json_is_integer(v))
				fprintf(out, "%" JSON_INTEGER_FORMAT,
				    json_integer_value(v));
			else {
				cell = output_cell(v, COL_TEXT);
				html_put(out, cell);
				free(cell);
			}
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
}

/* Writes a part into a text of its own (t->text stays NULL when the
 * stream cannot be had: the caller writes the part then). */
static void *
table_rows_apart(void *arg)
{
	struct table_part *t = arg;
	FILE *out = open_memstream(&t->text, &t->len);

	if (out == NULL)
		return NULL;
	__fsetlocking(out, FSETLOCKING_BYCALLER);
	table_rows(out, t);
	if (fclose(out) != 0) {
		free(t->text);
		t->text = NULL;
	}
	return NULL;
}

/* Rows from which a table's second half is written on a thread of its
 * own beside the first: a large registry's bulletin lists 150,000
 * accounts to act on, a second the writing alone. */
#define TABLE_ROWS_APART 4096

void
html_table(FILE *out, const struct column *cols, size_t n, const json_t *rows,
    const char *row_class_key)
{
	size_t c, total = json_array_size(rows);
	struct table_part first = { cols, n, rows, row_class_key, 0, total,
	    NULL, 0 };
	struct table_part second = first;
	pthread_t apart;
	bool split = false;

	if (total == 0) {
		fputs("<p>无。</p>\n", out);
		return;
	}
	fputs("<table>\n<thead><tr>", out);
	for (c = 0; c < n; c++) {
		fputs("<th>", out);
		html_put(out, cols[c].header);
		fputs("</th>", out);
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	if (total >= TABLE_ROWS_APART) {
		first.to = second.from = total / 2;
		split = pthread_create(&apart, NULL, table_rows_apart, &second) == 0;
		if (!split)
			first.to = total;
	}
	table_rows(out, &first);
	if (split) {
		pthread_join(apart, NULL);
		if (second.text)
			fwrite(second.text, 1, second.len, out);
		else
			table_rows(out, &second);
		free(second.text);
	}
	fputs("</tbody>\n</table>\n", out);
}

/* ---- the SVG chart ---- */

enum {
	CHART_WIDTH = 760, CHART_LABEL = 290, CHART_VALUE = 50,
	CHART_ROW = 18, CHART_TOP = 22, CHART_LABEL_COLUMNS = 46,
};

static const char *
bar_colour(const char *state)
{
	static const struct { const char *state, *colour; } colours[] = {
		{ "fresh", "#2e9d4f" }, { "pass", "#2e9d4f" },
		{ "warning", "#f0a020" }, { "stale", "#d32f2f" },
		{ "fail", "#d32f2f" }, { "dormant", "#7b3fa0" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(colours); i++)
		if (strcmp(colours[i].state, state) == 0)
			return colours[i].colour;
	return "#9e9e9e";
}

/* The label cut to fit the label column, by display width. */
static char *
chart_label(const char *s)
{
	size_t len = strlen(s), i = 0, n;
	int width = 0;
	uint32_t cp;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			break;
		if (width + codepoint_width(cp) > CHART_LABEL_COLUMNS - 2)
			return xasprintf("%.*s…", (int)i, s);
		width += codepoint_width(cp);
		i += n;
	}
	return xstrdup(s);
}

static long
chart_scale(const json_t *bars)
{
	long max = 21, d;
	size_t i;

	for (i = 0; i < json_array_size(bars); i++) {
		const json_t *b = json_array_get(bars, i);

		if ((d = (long)rd_int(b, "days")) > max)
			max = d;
		if ((d = (long)rd_int(b, "stale_days") + 7) > max)
			max = d;
	}
	/* whole weeks, and a very old account must not flatten the others */
	max = (max + 6) / 7 * 7;
	return max > 126 ? 126 : max;
}

static int
chart_x(long days, long scale)
{
	int span = CHART_WIDTH - CHART_LABEL - CHART_VALUE;

	if (days > scale)
		days = scale;
	return CHART_LABEL + (int)(days * span / scale);
}

static void
chart_line(FILE *out, long days, long scale, int height, const char *colour)
{
	int x = chart_x(days, scale);

	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
	    " stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n", x, CHART_TOP - 4,
	    x, height - 2, colour);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%ld天</text>\n",
	    x, CHART_TOP - 8, days);
}

static void
chart_bar(FILE *out, const json_t *bar, size_t i, long scale)
{
	int y = CHART_TOP + (int)i * CHART_ROW;
	long days = (long)rd_int(bar, "days");
	char *label = chart_label(rd_str(bar, "label"));
	int x = chart_x(days, scale);

	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
	    CHART_LABEL - 6, y + 13);
	html_put(out, label);
	fprintf(out, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
	    " fill=\"%s\"/>\n", CHART_LABEL, y + 3, x - CHART_LABEL, CHART_ROW - 5,
	    bar_colour(rd_str(bar, "state")));
	fprintf(out, "<text x=\"%d\" y=\"%d\">%ld%s</text>\n", x + 4, y + 13,
	    days, days > scale ? "+" : "");
	free(label);
}

/* A short mark on bar i at its own threshold, when thresholds differ
 * between accounts and no line across the chart can show them. */
static void
chart_tick(FILE *out, size_t i, long days, long scale, const char *colour)
{
	int y = CHART_TOP + (int)i * CHART_ROW, x = chart_x(days, scale);

	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
	    " stroke-width=\"2\"/>\n", x, y + 1, x, y + CHART_ROW - 1, colour);
}

bool
chart_thresholds(const json_t *bars, long *warn, long *stale)
{
	const json_t *b;
	size_t i;

	*warn = *stale = -1;
	json_array_foreach(bars, i, b) {
		if (i == 0) {
			*warn = (long)rd_int(b, "warn_days");
			*stale = (long)rd_int(b, "stale_days");
		} else if (rd_int(b, "warn_days") != *warn ||
		    rd_int(b, "stale_days") != *stale)
			return false;
	}
	return true;
}

void
chart_legend(FILE *out, const json_t *bars, const char *what)
{
	long warn, stale;

	if (chart_thresholds(bars, &warn, &stale))
		fprintf(out, "<p>%s（虚线：%ld天预警、%ld天单项否决，监测时间点前"
		    "%ld天内无更新即不合格）：</p>\n", what, warn, stale, stale);
	else
		fprintf(out, "<p>%s（各账号的预警和单项否决期限按平台或账号设置"
		    "不同，分别以橙色、红色竖线标在各自的条上）：</p>\n", what);
}

void
svg_days_chart(FILE *out, const json_t *bars)
{
	size_t i, n = json_array_size(bars);
	long scale = chart_scale(bars), warn, stale;
	int height = CHART_TOP + (int)n * CHART_ROW + 6;
	bool uniform = chart_thresholds(bars, &warn, &stale);

	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
	    " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\""
	    " aria-label=\"未更新天数\">\n", CHART_WIDTH, height, CHART_WIDTH,
	    height);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
	    " stroke=\"#666\"/>\n", CHART_LABEL, CHART_TOP - 4, CHART_LABEL,
	    height - 2);
	for (i = 0; i < n; i++) {
		const json_t *bar = json_array_get(bars, i);

		chart_bar(out, bar, i, scale);
		if (!uniform) {
			chart_tick(out, i, (long)rd_int(bar, "warn_days"), scale,
			    "#f0a020");
			chart_tick(out, i, (long)rd_int(bar, "stale_days"), scale,
			    "#d32f2f");
		}
	}
	if (uniform && n > 0) {
		chart_line(out, warn, scale, height, "#f0a020");
		chart_line(out, stale, scale, height, "#d32f2f");
	}
	fputs("</svg>\n", out);
}

/* A row's days without update, and where it was. */
struct days_at {
	long long days;
	size_t    index;
};

static int
days_at_cmp(const void *a, const void *b)
{
	const struct days_at *x = a, *y = b;

	if (x->days != y->days)
		return x->days > y->days ? -1 : 1;
	/* ties keep the document's order */
	return x->index < y->index ? -1 : x->index > y->index;
}

json_t *
chart_rows(const json_t *rows, const char *skip_state, bool *truncated)
{
	size_t i, n = 0, total = json_array_size(rows);
	struct days_at *d = xcalloc(total + 1, sizeof(*d));
	json_t *out = json_array(), *row;

	json_array_foreach(rows, i, row)
		if (skip_state == NULL || strcmp(rd_str(row, "state"),
		    skip_state) != 0)
			d[n++] = (struct days_at){ rd_int(row, "days"), i };
	*truncated = n > CHART_BARS;
	if (*truncated) {
		qsort(d, n, sizeof(*d), days_at_cmp);
		n = CHART_BARS;
	}
	for (i = 0; i < n; i++)
		json_array_append(out, json_array_get(rows, d[i].index));
	free(d);
	return out;
}

void
render_days_chart(FILE *out, const json_t *rows, const char *what,
    bool truncated)
{
	json_t *bars = json_array(), *row;
	char *legend, *label;
	size_t i;

	json_array_foreach(rows, i, row) {
		label = xasprintf("%s·%s·%s", rd_str(row, "unit_name"),
		    rd_str(row, "platform"), rd_str(row, "account"));
		json_array_append_new(bars, json_pack("{s:s, s:I, s:s, s:I, s:I}",
		    "label", label, "days", (json_int_t)rd_int(row, "days"),
		    "state", rd_str(row, "state"), "warn_days",
		    (json_int_t)rd_int(row, "warn_days"), "stale_days",
		    (json_int_t)rd_int(row, "stale_days")));
		free(label);
	}
	if (json_array_size(bars) == 0) {
		json_decref(bars);
		return;
	}
	legend = truncated ? xasprintf("未更新天数最长的%d个账号", CHART_BARS) :
	    xstrdup(what);
	chart_legend(out, bars, legend);
	svg_days_chart(out, bars);
	free(legend);
	json_decref(bars);
}
