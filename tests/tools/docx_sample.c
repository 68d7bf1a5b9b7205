/* docx_sample.c — writes a 公文 .docx from a JSON description, so tests can
 * drive daemon/paperwork/docx.c without the rest of the programs.  Built by
 * `make` into build/tests/, never installed.
 *
 *     docx_sample DESCRIPTION.json OUT.docx
 *
 * The description mirrors struct gongwen (docx.h), member for member:
 *
 *     { "issuer_mark": "…文件", "mark_size": 0, "serial": "…〔2026〕3号",
 *       "title": "…", "addressee": "…",
 *       "body": [ "a paragraph", {"level": 1, "text": "一、…",
 *                                 "run_on": "…"} ],
 *       "attachments": [ {"title": "…", "body": [ … ],
 *                         "table": {"header": [ … ], "rows": [[ … ]],
 *                                   "widths": [ … ], "align": "clll",
 *                                   "half_points": 24}} ],
 *       "signature": "…", "date": "2026-12-02", "sealed": true,
 *       "note": "…", "copy_to": "…", "printer": "…", "print_date": "…",
 *       "created": 1764633600, "fonts": {"body": "…", …} }
 *
 * Exit status 0, or 1 with the library's message on stderr. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "paperwork/docx.h"

/* What the description's arrays become; freed all at once. */
struct holder {
	struct gongwen_para        *paras[64];
	size_t                      n_paras;
	struct gongwen_attachment  *attachments;
	struct gongwen_table       *tables;
	const char                **cells[32];
	unsigned                   *widths[32];
	size_t                      n_cells, n_widths;
};

static const char *
str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static struct gongwen_para *
paras(struct holder *h, const json_t *list, size_t *n)
{
	struct gongwen_para *p;
	const json_t *v;
	size_t i;

	*n = json_array_size(list);
	if (*n == 0 || h->n_paras == ARRAY_SIZE(h->paras))
		return NULL;
	p = xcalloc(*n, sizeof(*p));
	h->paras[h->n_paras++] = p;
	json_array_foreach(list, i, v) {
		if (json_is_string(v)) {
			p[i].text = json_string_value(v);
			continue;
		}
		p[i].level = (enum gongwen_level)json_integer_value(
		    json_object_get(v, "level"));
		p[i].text = str(v, "text");
		p[i].run_on = str(v, "run_on");
	}
	return p;
}

static void
table(struct holder *h, const json_t *t, struct gongwen_table *out)
{
	const json_t *header = json_object_get(t, "header"), *rows, *w;
	const char **cells;
	size_t r, c, n_cols = json_array_size(header), n_rows;

	rows = json_object_get(t, "rows");
	n_rows = json_array_size(rows);
	cells = xcalloc(n_cols * (n_rows + 1) + 1, sizeof(*cells));
	h->cells[h->n_cells++] = cells;
	for (c = 0; c < n_cols; c++)
		cells[c] = json_string_value(json_array_get(header, c));
	for (r = 0; r < n_rows; r++)
		for (c = 0; c < n_cols; c++)
			cells[n_cols * (r + 1) + c] = json_string_value(
			    json_array_get(json_array_get(rows, r), c));
	out->n_cols = n_cols;
	out->header = cells;
	out->n_rows = n_rows;
	out->cells = cells + n_cols;
	out->align = str(t, "align");
	out->half_points = (unsigned)json_integer_value(json_object_get(t,
	    "half_points"));
	if ((w = json_object_get(t, "widths")) != NULL) {
		unsigned *widths = xcalloc(n_cols + 1, sizeof(*widths));

		for (c = 0; c < n_cols; c++)
			widths[c] = (unsigned)json_integer_value(json_array_get(w, c));
		h->widths[h->n_widths++] = widths;
		out->widths = widths;
	}
}

static void
attachments(struct holder *h, const json_t *list, struct gongwen *gw)
{
	const json_t *a;
	size_t i, n = json_array_size(list);

	if (n == 0 || n > ARRAY_SIZE(h->cells))
		return;
	h->attachments = xcalloc(n, sizeof(*h->attachments));
	h->tables = xcalloc(n, sizeof(*h->tables));
	json_array_foreach(list, i, a) {
		h->attachments[i].title = str(a, "title");
		h->attachments[i].body = paras(h, json_object_get(a, "body"),
		    &h->attachments[i].n_body);
		if (json_object_get(a, "table")) {
			table(h, json_object_get(a, "table"), &h->tables[i]);
			h->attachments[i].table = &h->tables[i];
		}
	}
	gw->attachments = h->attachments;
	gw->n_attachments = n;
}

static void
fonts(const json_t *f, struct gongwen_fonts *out)
{
	out->mark = str(f, "mark");
	out->title = str(f, "title");
	out->body = str(f, "body");
	out->heading1 = str(f, "heading1");
	out->heading2 = str(f, "heading2");
	out->page_number = str(f, "page_number");
}

static void
describe(struct holder *h, const json_t *d, struct gongwen *gw,
    struct gongwen_fonts *f)
{
	gw->issuer_mark = str(d, "issuer_mark");
	gw->mark_size = (unsigned)json_integer_value(json_object_get(d,
	    "mark_size"));
	gw->serial = str(d, "serial");
	gw->title = str(d, "title");
	gw->addressee = str(d, "addressee");
	gw->body = paras(h, json_object_get(d, "body"), &gw->n_body);
	attachments(h, json_object_get(d, "attachments"), gw);
	gw->signature = str(d, "signature");
	gw->date = str(d, "date");
	gw->sealed = json_is_true(json_object_get(d, "sealed"));
	gw->note = str(d, "note");
	gw->copy_to = str(d, "copy_to");
	gw->printer = str(d, "printer");
	gw->print_date = str(d, "print_date");
	gw->created = (time_t)json_integer_value(json_object_get(d, "created"));
	if (json_is_object(json_object_get(d, "fonts"))) {
		fonts(json_object_get(d, "fonts"), f);
		gw->fonts = f;
	}
}

static void
holder_free(struct holder *h)
{
	size_t i;

	for (i = 0; i < h->n_paras; i++)
		free(h->paras[i]);
	for (i = 0; i < h->n_cells; i++)
		free(h->cells[i]);
	for (i = 0; i < h->n_widths; i++)
		free(h->widths[i]);
	free(h->attachments);
	free(h->tables);
}

int
main(int argc, char **argv)
{
	struct holder h = { .n_paras = 0 };
	struct gongwen gw = { .title = NULL };
	struct gongwen_fonts f = { .body = NULL };
	json_error_t jerr;
	json_t *d;
	char *error = NULL;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: docx_sample DESCRIPTION.json OUT.docx\n");
		return 2;
	}
	if ((d = json_load_file(argv[1], 0, &jerr)) == NULL) {
		fprintf(stderr, "docx_sample: %s:%d: %s\n", argv[1], jerr.line,
		    jerr.text);
		return 1;
	}
	describe(&h, d, &gw, &f);
	if ((rc = gongwen_docx_write(&gw, argv[2], &error)) == -1)
		fprintf(stderr, "docx_sample: %s\n", error);
	free(error);
	holder_free(&h);
	json_decref(d);
	return rc == -1 ? 1 : 0;
}
