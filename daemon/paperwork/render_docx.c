/* render_docx.c — notices and bulletins as 公文 .docx (docx.h).
 *
 * The stored data already holds every word; this file only decides which
 * part of the 公文 each goes into: 版头 (the mark, the number), 主体
 * (title, 主送, body, 附件说明, signature, date, a 附注 for a voided
 * document or a preview, the attachments with their tables) and 版记
 * (抄送, 印发机关和印发日期). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "paperwork/docx.h"
#include "paperwork/render.h"

#define MAX_PARAS        64
#define MAX_ATTACHMENTS  4

/* Everything the gongwen points to, freed at once. */
struct build {
	struct gongwen             gw;
	struct gongwen_fonts       fonts;
	struct gongwen_para        paras[MAX_PARAS];
	struct gongwen_attachment  att[MAX_ATTACHMENTS];
	struct gongwen_table       tables[MAX_ATTACHMENTS];
	struct {
		char  **v;
		size_t  n, cap;
	} owned;                       /* strings made here */
	const char               **cells[MAX_ATTACHMENTS];
};

static const char *
keep(struct build *b, char *s)
{
	if (b->owned.n == b->owned.cap) {
		b->owned.cap = b->owned.cap ? b->owned.cap * 2 : 64;
		b->owned.v = xrealloc(b->owned.v, b->owned.cap * sizeof(char *));
	}
	return b->owned.v[b->owned.n++] = s;
}

static void
build_free(struct build *b)
{
	size_t i;

	for (i = 0; i < b->owned.n; i++)
		free(b->owned.v[i]);
	free(b->owned.v);
	for (i = 0; i < MAX_ATTACHMENTS; i++)
		free(b->cells[i]);
}

static void
add_para(struct build *b, enum gongwen_level level, const char *text,
    const char *run_on)
{
	struct gongwen_para *p;

	if (b->gw.n_body == MAX_PARAS || str_empty(text))
		return;
	p = &b->paras[b->gw.n_body++];
	p->level = level;
	p->text = text;
	p->run_on = str_empty(run_on) ? NULL : run_on;
}

/* ---- the title ---- */

/* A title longer than a line breaks after the words that name the
 * subject ("…政务新媒体账号" / "存在问题的通报"), as offices set it, rather
 * than wherever the line ends. */
static const char *
title_lines(struct build *b, const char *title)
{
	static const char *const breaks[] = { "政务新媒体账号", "政务新媒体" };
	const char *at;
	size_t i;

	if (utf8_display_width(title) <= 36)
		return title;
	for (i = 0; i < ARRAY_SIZE(breaks); i++)
		if ((at = strstr(title, breaks[i])) != NULL) {
			at += strlen(breaks[i]);
			if (*at == '\0' || (size_t)(at - title) > 3 * 20)
				continue;
			return keep(b, xasprintf("%.*s\n%s", (int)(at - title), title,
			    at));
		}
	return title;
}

/* ---- tables ---- */

struct table_col {
	const char *key, *header;
	char        align;
	unsigned    width;          /* half-characters, relative */
};

/* A table of the rows' members; cells are the rows' own strings, kept
 * alive by the data. */
static struct gongwen_table *
make_table(struct build *b, size_t slot, const struct table_col *cols,
    size_t n_cols, const json_t *rows)
{
	struct gongwen_table *t = &b->tables[slot];
	const char **header = xcalloc(n_cols, sizeof(char *));
	char *align = xcalloc(n_cols + 1, 1);
	unsigned *widths = xcalloc(n_cols, sizeof(unsigned));
	size_t r, c;

	b->cells[slot] = xcalloc(json_array_size(rows) * n_cols + 1,
	    sizeof(char *));
	for (c = 0; c < n_cols; c++) {
		header[c] = cols[c].header;
		align[c] = cols[c].align;
		widths[c] = cols[c].width;
	}
	for (r = 0; r < json_array_size(rows); r++)
		for (c = 0; c < n_cols; c++)
			b->cells[slot][r * n_cols + c] = keep(b, xstrdup(rd_str(
			    json_array_get(rows, r), cols[c].key)));
	keep(b, (char *)header);
	keep(b, align);
	keep(b, (char *)widths);
	*t = (struct gongwen_table){ .n_cols = n_cols, .header = header,
	    .n_rows = json_array_size(rows), .cells = b->cells[slot],
	    .align = align, .widths = widths, .half_points = 21 };
	return t;
}

static void
attach_table(struct build *b, const char *title, const struct table_col *cols,
    size_t n_cols, const json_t *rows)
{
	size_t slot = b->gw.n_attachments;

	if (slot == MAX_ATTACHMENTS)
		return;
	b->att[slot].title = title;
	b->att[slot].table = make_table(b, slot, cols, n_cols, rows);
	b->gw.n_attachments++;
}

/* ---- a notice ---- */

/* Widths in half-characters of 五号 type, in proportion: a row of the
 * text block holds 84, each cell's margins taking 1.  Platforms
 * (微信公众号) and dates (2026年12月10日) must keep to one line. */
static const struct table_col notice_cols[] = {
	{ "no", "序号", 'c', 6 }, { "platform", "平台", 'c', 11 },
	{ "account", "账号名称", 'l', 12 }, { "problem", "问题", 'l', 14 },
	{ "last_update", "最近更新", 'c', 18 }, { "evidence", "监测依据", 'l', 23 },
};

/* "账号ID …，…监测" on two lines: the identity, then the day. */
static void
evidence_lines(json_t *row)
{
	const char *e = rd_str(row, "evidence"), *comma = strstr(e, "，");
	char *text;

	if (comma == NULL)
		return;
	text = xasprintf("%.*s\n%s", (int)(comma - e), e, comma + strlen("，"));
	json_object_set_new(row, "evidence", json_string(text));
	free(text);
}

/* The attachment's rows: the kind and the days for an account that
 * stopped updating, the kind and the detail for the others. */
static json_t *
notice_rows(const json_t *problems)
{
	json_t *rows = json_deep_copy(problems), *r;
	const char *kind;
	char *text;
	size_t i;

	json_array_foreach(rows, i, r) {
		kind = rd_str(r, "kind_key");
		if (strcmp(kind, "stale") == 0 || strcmp(kind, "dormant") == 0) {
			text = xasprintf("%s\n%s天未更新", rd_str(r, "kind"),
			    rd_str(r, "days"));
			evidence_lines(r);
		} else
			text = xasprintf("%s：%s", rd_str(r, "kind"),
			    rd_str(r, "detail"));
		json_object_set_new(r, "problem", json_string(text));
		free(text);
	}
	return rows;
}

static void
notice_body(struct build *b, const json_t *d)
{
	const json_t *p, *req = json_object_get(d, "requirements");
	bool findings = *rd_str(d, "findings") != '\0';
	size_t i;

	json_array_foreach(json_object_get(d, "body"), i, p)
		add_para(b, GONGWEN_TEXT, json_string_value(p), NULL);
	if (findings) {
		add_para(b, GONGWEN_H1, "一、存在问题", NULL);
		add_para(b, GONGWEN_TEXT, rd_str(d, "findings"), NULL);
	}
	if (json_array_size(req))
		add_para(b, GONGWEN_H1, findings ? "二、整改要求" : "整改要求", NULL);
	json_array_foreach(req, i, p) {
		if (json_is_string(p))
			add_para(b, GONGWEN_TEXT, keep(b, xasprintf("%zu.%s", i + 1,
			    json_string_value(p))), NULL);
		else
			add_para(b, GONGWEN_H2, rd_str(p, "heading"),
			    rd_str(p, "text"));
	}
	add_para(b, GONGWEN_TEXT, rd_str(d, "closing"), NULL);
}

static void
notice_parts(struct build *b, const json_t *d, json_t *hold)
{
	const json_t *problems = json_object_get(d, "problems");
	json_t *rows;

	b->gw.addressee = *rd_str(d, "addressee") ? rd_str(d, "addressee") :
	    rd_str(d, "unit_name");
	notice_body(b, d);
	if (json_array_size(problems) == 0)
		return;
	rows = notice_rows(problems);
	json_array_append_new(hold, rows);
	attach_table(b, *rd_str(d, "attachment") ? rd_str(d, "attachment") :
	    "政务新媒体账号问题清单", notice_cols, ARRAY_SIZE(notice_cols), rows);
}

/* ---- a bulletin ---- */

static const struct table_col ranking_cols[] = {
	{ "rank", "排名", 'c', 6 }, { "name", "责任单位", 'l', 27 },
	{ "accounts", "统计账号", 'c', 9 }, { "qualified", "合格", 'c', 6 },
	{ "unqualified", "不合格", 'c', 7 }, { "pass_rate", "合格率", 'c', 9 },
	{ "gaps", "监测缺口", 'c', 9 }, { "posts", "发布条数", 'c', 9 },
};

static const struct table_col order_cols[] = {
	{ "unit_name", "责任单位", 'l', 24 }, { "orders", "收到工单", 'c', 9 },
	{ "orders_on_time", "按期回复", 'c', 9 },
	{ "orders_late", "逾期回复", 'c', 9 },
	{ "orders_returned", "被退回", 'c', 8 },
	{ "orders_open", "未办结", 'c', 8 },
	{ "orders_overdue", "逾期未回复", 'c', 10 },
	{ "notices_overdue", "逾期未回复通报", 'c', 9 },
};

static const struct table_col unqualified_cols[] = {
	{ "no", "序号", 'c', 6 }, { "unit_name", "责任单位", 'l', 15 },
	{ "platform", "平台", 'c', 11 }, { "account", "账号名称", 'l', 12 },
	{ "last_update", "最近更新", 'c', 18 }, { "days", "未更新天数", 'c', 11 },
	{ "reasons", "不合格原因", 'l', 11 },
};

static const struct table_col gap_cols[] = {
	{ "no", "序号", 'c', 6 }, { "unit_name", "责任单位", 'l', 20 },
	{ "platform", "平台", 'c', 11 }, { "account", "账号名称", 'l', 14 },
	{ "reasons", "原因", 'l', 33 },
};

/* The rows with a "no" column, 1, 2, … */
static json_t *
numbered(const json_t *rows)
{
	json_t *copy = json_deep_copy(rows), *r;
	size_t i;

	json_array_foreach(copy, i, r)
		json_object_set_new(r, "no", json_integer((json_int_t)i + 1));
	return copy;
}

static void
bulletin_attachment(struct build *b, const json_t *d, const json_t *a,
    json_t *hold)
{
	const char *key = rd_str(a, "key");
	json_t *rows;

	if (strcmp(key, "ranking") == 0) {
		attach_table(b, rd_str(a, "title"), ranking_cols,
		    ARRAY_SIZE(ranking_cols), json_object_get(d, "ranking"));
		return;
	}
	if (strcmp(key, "orders") == 0) {
		attach_table(b, rd_str(a, "title"), order_cols,
		    ARRAY_SIZE(order_cols), json_object_get(d, "orders"));
		return;
	}
	rows = numbered(json_object_get(d, key));
	json_array_append_new(hold, rows);
	if (strcmp(key, "unqualified") == 0)
		attach_table(b, rd_str(a, "title"), unqualified_cols,
		    ARRAY_SIZE(unqualified_cols), rows);
	else if (strcmp(key, "gaps") == 0)
		attach_table(b, rd_str(a, "title"), gap_cols, ARRAY_SIZE(gap_cols),
		    rows);
}

static void
bulletin_parts(struct build *b, const json_t *d, json_t *hold)
{
	const json_t *p;
	size_t i;

	b->gw.addressee = rd_str(d, "addressee");
	json_array_foreach(json_object_get(d, "body"), i, p)
		add_para(b, (enum gongwen_level)rd_int(p, "level"), rd_str(p,
		    "text"), rd_str(p, "run_on"));
	json_array_foreach(json_object_get(d, "attachments"), i, p)
		bulletin_attachment(b, d, p, hold);
}

/* ---- the whole ---- */

static void
set_fonts(struct build *b, const struct config *cfg)
{
	const struct document_config *dc = &cfg->document;

	b->fonts = (struct gongwen_fonts){ .mark = dc->font_title,
	    .title = dc->font_title, .body = dc->font_body,
	    .heading1 = dc->font_heading1, .heading2 = dc->font_heading2 };
	b->gw.fonts = &b->fonts;
}

/* The frame: a notice issued before the frame was stored names only its
 * issuer, and its mark follows from that. */
static void
set_frame(struct build *b, const json_t *d)
{
	const char *date = *rd_str(d, "issued_on") ? rd_str(d, "issued_on") :
	    rd_str(d, "issued");
	char *note = rd_status_note(d);

	/* the number line stays blank; the 附注 says why */
	if (note == NULL && *rd_str(d, "serial") == '\0')
		note = xstrdup("预览稿，未编号，不作正式文件使用");

	b->gw.issuer_mark = *rd_str(d, "issuer_mark") ? rd_str(d, "issuer_mark") :
	    keep(b, xasprintf("%s文件", rd_str(d, "issuer")));
	b->gw.serial = *rd_str(d, "serial") ? rd_str(d, "serial") : NULL;
	b->gw.title = title_lines(b, rd_str(d, "title"));
	b->gw.signature = rd_str(d, "issuer");
	b->gw.date = date;
	b->gw.sealed = true;
	b->gw.note = note ? keep(b, note) : NULL;
	b->gw.copy_to = rd_str(d, "copy_to");
	b->gw.printer = *rd_str(d, "printer") ? rd_str(d, "printer") :
	    rd_str(d, "issuer");
}

int
render_docx(const json_t *d, const struct config *cfg, char **out,
    size_t *len, char **error)
{
	struct build b;
	json_t *hold = json_array();       /* rows made for the tables */
	int rc;

	memset(&b, 0, sizeof(b));
	b.gw.body = b.paras;
	b.gw.attachments = b.att;
	set_frame(&b, d);
	set_fonts(&b, cfg);
	if (strcmp(rd_str(d, "kind"), "bulletin") == 0)
		bulletin_parts(&b, d, hold);
	else
		notice_parts(&b, d, hold);
	rc = gongwen_docx(&b.gw, out, len, error);
	build_free(&b);
	json_decref(hold);
	return rc;
}
