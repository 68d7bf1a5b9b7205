/* docx.c — a 公文 as WordprocessingML, after GB/T 9704-2012.
 *
 * Lengths are in twips (1/20 pt, 1/1440 in), font sizes in half-points,
 * as WordprocessingML counts them.  The layout lives in styles (named as
 * an office names them, so an editor in WPS or Word finds 正文, 标题, …);
 * paragraphs carry direct properties only where a document's content
 * decides them (the mark's size, the signature's indent). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "paperwork/docx.h"
#include "paperwork/ooxml.h"

enum {
	PAGE_W = 11906, PAGE_H = 16838,      /* A4 */
	MARGIN_TOP = 2098,                   /* 天头 37 mm */
	MARGIN_BOTTOM = 1984,                /* 35 mm: the text block is 225 mm */
	MARGIN_LEFT = 1588,                  /* 订口 28 mm */
	MARGIN_RIGHT = 1474,                 /* 26 mm: the text block is 156 mm */
	TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT,
	LINE = 579,                          /* 225 mm / 22 lines */
	CHAR = 320,                          /* one 3号 character, 16 pt */
	CONDENSED = -5,                      /* 16 pt characters 0.25 pt closer:
	                                        28 fill the 156 mm line */
	SMALL_CHAR = 280,                    /* one 4号 character, 14 pt */
	CELL_MARGIN = 57,                    /* 1 mm each side of a cell's text */
	FOOTER = 1389,                       /* puts the page number's dashes
	                                        7 mm below the text block */
	MARK_TOP = 1984,                     /* 35 mm from the text block's top */
	MARK_MAX = 42,                       /* 初号 */
	BODY_SIZE = 32, TITLE_SIZE = 44, SMALL_SIZE = 28, TABLE_SIZE = 24,
};

#define RED "FF0000"

const struct gongwen_fonts gongwen_default_fonts = {
	.mark = "方正小标宋简体",
	.title = "方正小标宋简体",
	.body = "仿宋_GB2312",
	.heading1 = "黑体",
	.heading2 = "楷体_GB2312",
	.page_number = "宋体",
};

/* One document being written. */
struct doc {
	const struct gongwen  *gw;
	struct gongwen_fonts   fonts;        /* defaults filled in */
	struct xmlpart        *x;            /* the part being written */
	unsigned               mark_size;    /* points */
	char                   date[GONGWEN_DATE_SIZE];
	char                   print_date[GONGWEN_DATE_SIZE];
};

static int refuse(char **, const char *, ...) MW_PRINTF(2, 3);

static int
refuse(char **error, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	sb_puts(&sb, "docx: ");
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	*error = sb_steal(&sb);
	return -1;
}

int
gongwen_date(const char *iso, char *buf, size_t size)
{
	int y, m, d, n;

	if (iso == NULL || iso_date_valid(iso) == -1 ||
	    sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3)
		return -1;
	n = snprintf(buf, size, "%d年%d月%d日", y, m, d);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* ---- checking the description ---- */

static bool
text_bad(const char *s)
{
	return s != NULL && !utf8_valid(s, strlen(s));
}

static int
check_paras(const struct gongwen_para *p, size_t n, const char *where,
    char **error)
{
	size_t i;

	if (n > 0 && p == NULL)
		return refuse(error, "%s: %zu paragraphs but no array", where, n);
	for (i = 0; i < n; i++) {
		if ((unsigned)p[i].level > GONGWEN_H3)
			return refuse(error, "%s[%zu]: unknown level %d", where, i,
			    (int)p[i].level);
		if (p[i].text == NULL)
			return refuse(error, "%s[%zu]: no text", where, i);
		if (text_bad(p[i].text) || text_bad(p[i].run_on))
			return refuse(error, "%s[%zu]: invalid UTF-8", where, i);
	}
	return 0;
}

static int
check_table_shape(const struct gongwen_table *t, const char *where,
    char **error)
{
	size_t c;

	if (t->n_cols == 0 || t->header == NULL)
		return refuse(error, "%s: a table needs columns and a header", where);
	if (t->n_rows > 0 && t->cells == NULL)
		return refuse(error, "%s: %zu rows but no cells", where, t->n_rows);
	if (t->half_points > 144)
		return refuse(error, "%s: type size %u half-points is too large",
		    where, t->half_points);
	if (t->align && strlen(t->align) < t->n_cols)
		return refuse(error, "%s.align: one of l, c, r for each of %zu "
		    "columns", where, t->n_cols);
	for (c = 0; c < t->n_cols; c++) {
		if (t->align && strchr("lcr", t->align[c]) == NULL)
			return refuse(error, "%s.align[%zu]: '%c' is not l, c or r",
			    where, c, t->align[c]);
		if (t->widths && t->widths[c] == 0)
			return refuse(error, "%s.widths[%zu]: a width must be "
			    "positive", where, c);
	}
	return 0;
}

static int
check_table(const struct gongwen_table *t, const char *where, char **error)
{
	size_t r, c;

	if (check_table_shape(t, where, error) == -1)
		return -1;
	for (c = 0; c < t->n_cols; c++)
		if (t->header[c] == NULL || text_bad(t->header[c]))
			return refuse(error, "%s.header[%zu]: %s", where, c,
			    t->header[c] ? "invalid UTF-8" : "no text");
	for (r = 0; r < t->n_rows; r++)
		for (c = 0; c < t->n_cols; c++)
			if (text_bad(t->cells[r * t->n_cols + c]))
				return refuse(error, "%s.cells[%zu][%zu]: invalid "
				    "UTF-8", where, r, c);
	return 0;
}

static int
check_attachments(const struct gongwen *gw, char **error)
{
	const struct gongwen_attachment *a;
	char where[64];
	size_t i;

	if (gw->n_attachments > 0 && gw->attachments == NULL)
		return refuse(error, "attachments: %zu but no array",
		    gw->n_attachments);
	for (i = 0; i < gw->n_attachments; i++) {
		a = &gw->attachments[i];
		if (str_empty(a->title) || text_bad(a->title))
			return refuse(error, "attachments[%zu].title: %s", i,
			    str_empty(a->title) ? "required" : "invalid UTF-8");
		snprintf(where, sizeof(where), "attachments[%zu].body", i);
		if (check_paras(a->body, a->n_body, where, error) == -1)
			return -1;
		snprintf(where, sizeof(where), "attachments[%zu].table", i);
		if (a->table && check_table(a->table, where, error) == -1)
			return -1;
	}
	return 0;
}

static int
check_fonts(const struct gongwen_fonts *f, char **error)
{
	const struct { const char *name, *value; } names[] = {
		{ "mark", f->mark }, { "title", f->title }, { "body", f->body },
		{ "heading1", f->heading1 }, { "heading2", f->heading2 },
		{ "page_number", f->page_number },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (text_bad(names[i].value) || (names[i].value &&
		    has_control_chars(names[i].value)))
			return refuse(error, "fonts.%s: not a font name",
			    names[i].name);
	return 0;
}

static int
check_texts(const struct gongwen *gw, char **error)
{
	const struct { const char *name, *value; } fields[] = {
		{ "issuer_mark", gw->issuer_mark }, { "serial", gw->serial },
		{ "title", gw->title }, { "addressee", gw->addressee },
		{ "signature", gw->signature }, { "note", gw->note },
		{ "copy_to", gw->copy_to }, { "printer", gw->printer },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (text_bad(fields[i].value))
			return refuse(error, "%s: invalid UTF-8", fields[i].name);
	return 0;
}

static int
check_dates(struct doc *d, char **error)
{
	const struct gongwen *gw = d->gw;

	if (!str_empty(gw->date) && gongwen_date(gw->date, d->date,
	    sizeof(d->date)) == -1)
		return refuse(error, "date: '%s' is not a date (YYYY-MM-DD)",
		    gw->date);
	if (!str_empty(gw->print_date) && gongwen_date(gw->print_date,
	    d->print_date, sizeof(d->print_date)) == -1)
		return refuse(error, "print_date: '%s' is not a date "
		    "(YYYY-MM-DD)", gw->print_date);
	if (str_empty(gw->print_date))
		memcpy(d->print_date, d->date, sizeof(d->date));
	return 0;
}

static int
check_input(struct doc *d, char **error)
{
	const struct gongwen *gw = d->gw;

	if (check_texts(gw, error) == -1)
		return -1;
	if (str_empty(gw->title))
		return refuse(error, "title: required");
	if (gw->mark_size > 72)
		return refuse(error, "mark_size: %u pt is too large", gw->mark_size);
	if (gw->fonts && check_fonts(gw->fonts, error) == -1)
		return -1;
	if (check_paras(gw->body, gw->n_body, "body", error) == -1 ||
	    check_attachments(gw, error) == -1)
		return -1;
	return check_dates(d, error);
}

/* ---- preparing ---- */

static const char *
or_default(const char *s, const char *fallback)
{
	return str_empty(s) ? fallback : s;
}

static void
resolve_fonts(struct doc *d)
{
	const struct gongwen_fonts *f = d->gw->fonts, *def = &gongwen_default_fonts;

	d->fonts = *def;
	if (f == NULL)
		return;
	d->fonts.mark = or_default(f->mark, def->mark);
	d->fonts.title = or_default(f->title, def->title);
	d->fonts.body = or_default(f->body, def->body);
	d->fonts.heading1 = or_default(f->heading1, def->heading1);
	d->fonts.heading2 = or_default(f->heading2, def->heading2);
	d->fonts.page_number = or_default(f->page_number, def->page_number);
}

/* Width of text in characters of its own size, times two (Chinese
 * characters count 2, digits and Latin letters 1). */
static long
half_chars(const char *s)
{
	return str_empty(s) ? 0 : (long)utf8_display_width(s);
}

/* The largest size up to 初号 at which the mark's longest line fills at
 * most nine tenths of the text block's width. */
static unsigned
mark_size_for(const char *mark)
{
	long widest = 1, w;
	char *copy, *line, *save = NULL;
	unsigned size;

	copy = xstrdup(mark);
	for (line = strtok_r(copy, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save))
		if ((w = half_chars(line)) > widest)
			widest = w;
	free(copy);
	/* TEXT_W twips at 20 twips a point; widest/2 characters */
	size = (unsigned)(TEXT_W * 9 / 10 / 20 * 2 / widest);
	if (size > MARK_MAX)
		size = MARK_MAX;
	return size < 16 ? 16 : size;
}

/* ---- run and paragraph properties ---- */

struct rpr {
	const char *style;         /* character style */
	const char *font;          /* East Asian and Latin alike */
	const char *color;
	int         spacing;       /* between characters, twips; 0: inherited */
	int         size;          /* half-points; 0: inherited */
};

struct ppr {
	const char *style;
	bool        keep_next;     /* with the paragraph after it */
	bool        keep_off;      /* not, whatever its style says */
	bool        page_break;    /* starts a page */
	bool        base;          /* the Normal style's settings */
	bool        red_rule;      /* the red separator below it */
	long        tab_right;     /* a right tab stop here; 0: none */
	bool        off_grid;      /* ignores the document grid (tables) */
	long        line;          /* exact height; 0: inherited; -1: single */
	long        before;
	long        left, right, first, hanging;
	const char *jc;
	int         outline;       /* heading level from 1; 0: body text */
};

static void
put_fonts(struct xmlpart *x, const char *font)
{
	xp_start(x, "w:rFonts");
	xp_attr(x, "w:ascii", font);
	xp_attr(x, "w:hAnsi", font);
	xp_attr(x, "w:eastAsia", font);
	xp_attr(x, "w:cs", font);
	/* quotes, dashes and ellipses take the Chinese face, full width */
	xp_attr(x, "w:hint", "eastAsia");
	xp_end(x);
}

static void
put_rpr(struct xmlpart *x, const struct rpr *r)
{
	xp_start(x, "w:rPr");
	if (r->style)
		xp_val(x, "w:rStyle", r->style);
	if (r->font)
		put_fonts(x, r->font);
	if (r->color)
		xp_val(x, "w:color", r->color);
	if (r->spacing)
		xp_val_int(x, "w:spacing", r->spacing);
	if (r->size) {
		xp_val_int(x, "w:sz", r->size);
		xp_val_int(x, "w:szCs", r->size);
	}
	xp_end(x);
}

static void
put_width(struct xmlpart *x, const char *name, long twips)
{
	xp_start(x, name);
	xp_attr_int(x, "w:w", twips);
	xp_attr(x, "w:type", "dxa");
	xp_end(x);
}

static void
put_rule(struct xmlpart *x)
{
	xp_start(x, "w:pBdr");
	xp_start(x, "w:bottom");
	xp_attr(x, "w:val", "single");
	xp_attr_int(x, "w:sz", 18);            /* eighths of a point */
	xp_attr_int(x, "w:space", 6);          /* points below the line of text */
	xp_attr(x, "w:color", RED);
	xp_end(x);
	xp_end(x);
}

static void
put_tab(struct xmlpart *x, long pos)
{
	xp_start(x, "w:tabs");
	xp_start(x, "w:tab");
	xp_attr(x, "w:val", "right");
	xp_attr_int(x, "w:pos", pos);
	xp_end(x);
	xp_end(x);
}

/* No space added between Chinese and digits or Latin letters, and no
 * right indent stretched by a grid: the standard's lines are plain. */
static void
put_no_autospace(struct xmlpart *x)
{
	xp_val_int(x, "w:autoSpaceDE", 0);
	xp_val_int(x, "w:autoSpaceDN", 0);
	xp_val_int(x, "w:adjustRightInd", 0);
}

static void
put_spacing(struct xmlpart *x, const struct ppr *p)
{
	if (p->line == 0 && p->before == 0)
		return;
	xp_start(x, "w:spacing");
	if (p->before)
		xp_attr_int(x, "w:before", p->before);
	if (p->line > 0) {
		xp_attr_int(x, "w:line", p->line);
		xp_attr(x, "w:lineRule", "exact");
	} else if (p->line < 0) {
		xp_attr_int(x, "w:line", 240);
		xp_attr(x, "w:lineRule", "auto");
	}
	xp_end(x);
}

static void
put_ind(struct xmlpart *x, const struct ppr *p)
{
	if (!p->left && !p->right && !p->first && !p->hanging)
		return;
	xp_start(x, "w:ind");
	if (p->left)
		xp_attr_int(x, "w:left", p->left);
	if (p->right)
		xp_attr_int(x, "w:right", p->right);
	if (p->first)
		xp_attr_int(x, "w:firstLine", p->first);
	if (p->hanging)
		xp_attr_int(x, "w:hanging", p->hanging);
	xp_end(x);
}

/* In the order the schema requires. */
static void
put_ppr(struct xmlpart *x, const struct ppr *p)
{
	xp_start(x, "w:pPr");
	if (p->style)
		xp_val(x, "w:pStyle", p->style);
	if (p->keep_next)
		xp_empty(x, "w:keepNext");
	else if (p->keep_off)
		xp_val_int(x, "w:keepNext", 0);
	if (p->page_break)
		xp_empty(x, "w:pageBreakBefore");
	if (p->base)                    /* pages full: 22 lines, no widows */
		xp_val_int(x, "w:widowControl", 0);
	if (p->red_rule)
		put_rule(x);
	if (p->tab_right)
		put_tab(x, p->tab_right);
	if (p->base)
		put_no_autospace(x);
	if (p->off_grid)
		xp_val_int(x, "w:snapToGrid", 0);
	put_spacing(x, p);
	put_ind(x, p);
	if (p->jc)
		xp_val(x, "w:jc", p->jc);
	if (p->outline)
		xp_val_int(x, "w:outlineLvl", p->outline - 1);
	xp_end(x);
}

/* ---- styles.xml ---- */

enum font_role { F_BODY, F_MARK, F_TITLE, F_H1, F_H2, F_PAGE };

static const char *
font_of(const struct doc *d, enum font_role role)
{
	switch (role) {
	case F_MARK: return d->fonts.mark;
	case F_TITLE: return d->fonts.title;
	case F_H1: return d->fonts.heading1;
	case F_H2: return d->fonts.heading2;
	case F_PAGE: return d->fonts.page_number;
	case F_BODY: break;
	}
	return d->fonts.body;
}

static const struct style_def {
	const char      *id, *name;
	enum font_role   font;
	int              size;       /* half-points; 0: the body's 3号 */
	bool             red;
	struct ppr       ppr;
} paragraph_styles[] = {
	{ "GwMark", "发文机关标志", F_MARK, 0, true,
	    { .jc = "center", .off_grid = true } },
	{ "GwSerial", "发文字号", F_BODY, 0, false,
	    { .jc = "center", .red_rule = true } },
	{ "GwTitle", "标题", F_TITLE, TITLE_SIZE, false,
	    { .jc = "center", .off_grid = true } },
	{ "GwAddressee", "主送机关", F_BODY, 0, false, { .jc = NULL } },
	{ "GwText", "正文文字", F_BODY, 0, false, { .first = 2 * CHAR } },
	{ "GwHeading1", "一级标题", F_H1, 0, false,
	    { .first = 2 * CHAR, .outline = 1, .keep_next = true } },
	{ "GwHeading2", "二级标题", F_H2, 0, false,
	    { .first = 2 * CHAR, .outline = 2, .keep_next = true } },
	{ "GwHeading3", "三级标题", F_BODY, 0, false,
	    { .first = 2 * CHAR, .outline = 3, .keep_next = true } },
	{ "GwAttachNote", "附件说明", F_BODY, 0, false, { .jc = "left" } },
	{ "GwSignature", "发文机关署名", F_BODY, 0, false,
	    { .jc = "right", .keep_next = true } },
	{ "GwDate", "成文日期", F_BODY, 0, false, { .jc = "right" } },
	{ "GwNote", "附注", F_BODY, 0, false, { .first = 2 * CHAR } },
	{ "GwAttachLabel", "附件标识", F_H1, 0, false,
	    { .jc = "left", .keep_next = true } },
	{ "GwAttachTitle", "附件标题", F_TITLE, TITLE_SIZE, false,
	    { .jc = "center", .keep_next = true, .off_grid = true } },
	{ "GwTableHead", "表头", F_H1, TABLE_SIZE, false,
	    { .jc = "center", .line = -1, .off_grid = true } },
	{ "GwTableText", "表格文字", F_BODY, TABLE_SIZE, false,
	    { .jc = "left", .line = -1, .off_grid = true } },
	{ "GwImprint", "版记", F_BODY, SMALL_SIZE, false,
	    { .jc = "left", .left = SMALL_CHAR, .right = SMALL_CHAR } },
	{ "GwPageNumber", "页码", F_PAGE, SMALL_SIZE, false,
	    { .line = -1, .off_grid = true } },
};

static void
style_begin(struct xmlpart *x, const char *type, const char *id,
    const char *name, bool is_default)
{
	xp_start(x, "w:style");
	xp_attr(x, "w:type", type);
	if (is_default)
		xp_attr(x, "w:default", "1");
	xp_attr(x, "w:styleId", id);
	xp_val(x, "w:name", name);
	if (!is_default)
		xp_val(x, "w:basedOn", type[0] == 'p' ? "Normal" :
		    "DefaultParagraphFont");
	xp_empty(x, "w:qFormat");
}

static void
put_doc_defaults(struct doc *d)
{
	struct xmlpart *x = d->x;

	xp_start(x, "w:docDefaults");
	xp_start(x, "w:rPrDefault");
	xp_start(x, "w:rPr");
	put_fonts(x, d->fonts.body);
	xp_val_int(x, "w:kern", 2);
	xp_val_int(x, "w:sz", BODY_SIZE);
	xp_val_int(x, "w:szCs", BODY_SIZE);
	xp_start(x, "w:lang");
	xp_attr(x, "w:val", "en-US");
	xp_attr(x, "w:eastAsia", "zh-CN");
	xp_attr(x, "w:bidi", "ar-SA");
	xp_end(x);
	xp_end(x);
	xp_end(x);
	xp_start(x, "w:pPrDefault");
	put_ppr(x, &(struct ppr){ .base = true });
	xp_end(x);
	xp_end(x);
}

static void
put_normal_styles(struct doc *d)
{
	struct xmlpart *x = d->x;

	style_begin(x, "paragraph", "Normal", "Normal", true);
	put_ppr(x, &(struct ppr){ .base = true, .line = LINE, .jc = "both" });
	put_rpr(x, &(struct rpr){ .font = d->fonts.body, .spacing = CONDENSED,
	    .size = BODY_SIZE });
	xp_end(x);
	style_begin(x, "character", "DefaultParagraphFont",
	    "Default Paragraph Font", true);
	xp_end(x);
	/* text after a run-on heading, in the body face */
	style_begin(x, "character", "GwBodyChar", "正文字符", false);
	put_rpr(x, &(struct rpr){ .font = d->fonts.body });
	xp_end(x);
	style_begin(x, "table", "TableNormal", "Normal Table", true);
	xp_start(x, "w:tblPr");
	xp_start(x, "w:tblCellMar");
	put_width(x, "w:left", 108);
	put_width(x, "w:right", 108);
	xp_end(x);
	xp_end(x);
	xp_end(x);
}

static void
part_styles(struct doc *d)
{
	struct xmlpart *x = d->x;
	const struct style_def *s;
	size_t i;

	xp_start(x, "w:styles");
	xp_attr(x, "xmlns:w", W_NS);
	put_doc_defaults(d);
	put_normal_styles(d);
	for (i = 0; i < ARRAY_SIZE(paragraph_styles); i++) {
		s = &paragraph_styles[i];
		style_begin(x, "paragraph", s->id, s->name, false);
		put_ppr(x, &s->ppr);
		put_rpr(x, &(struct rpr){ .font = font_of(d, s->font),
		    .color = s->red ? RED : NULL, .size = s->size });
		xp_end(x);
	}
	xp_end(x);
}

/* ---- document.xml: paragraphs ---- */

static void
run(struct doc *d, const struct rpr *r, const char *text)
{
	xp_start(d->x, "w:r");
	if (r)
		put_rpr(d->x, r);
	xp_run_text(d->x, text);
	xp_end(d->x);
}

/* A paragraph of one run (none when text is absent). */
static void
para(struct doc *d, const struct ppr *p, const char *text)
{
	xp_start(d->x, "w:p");
	put_ppr(d->x, p);
	if (!str_empty(text))
		run(d, NULL, text);
	xp_end(d->x);
}

static void
styled(struct doc *d, const char *style, const char *text)
{
	para(d, &(struct ppr){ .style = style }, text);
}

/* GB/T 9704 counts vertical space in lines of body text (空二行). */
static void
blank_lines(struct doc *d, int n)
{
	while (n-- > 0)
		para(d, &(struct ppr){ .style = NULL }, NULL);
}

/* Blank lines kept with what follows (the signature). */
static void
blank_lines_kept(struct doc *d, int n)
{
	while (n-- > 0)
		para(d, &(struct ppr){ .keep_next = true }, NULL);
}

/* A signature or date follows the body, and its page must not hold
 * them alone: the body's last lines go with them. */
static bool
signed_off(const struct doc *d)
{
	return !str_empty(d->gw->signature) || d->date[0];
}

static void
put_mark(struct doc *d)
{
	long size = (long)d->mark_size, height = size * 20 * 6 / 5;

	xp_start(d->x, "w:p");
	/* the glyphs' top edge 35 mm below the text block's */
	put_ppr(d->x, &(struct ppr){ .style = "GwMark", .line = height,
	    .before = MARK_TOP - (height - size * 20) / 2 });
	run(d, &(struct rpr){ .size = (int)size * 2 }, d->gw->issuer_mark);
	xp_end(d->x);
}

/* 版头: the mark, two lines down the serial, 4 mm below it the red rule. */
static void
put_header(struct doc *d)
{
	const struct gongwen *gw = d->gw;

	if (str_empty(gw->issuer_mark) && str_empty(gw->serial))
		return;
	if (!str_empty(gw->issuer_mark)) {
		put_mark(d);
		blank_lines(d, 2);
	}
	styled(d, "GwSerial", gw->serial);
	blank_lines(d, 2);
}

static const char *const level_styles[] = {
	[GONGWEN_TEXT] = "GwText", [GONGWEN_H1] = "GwHeading1",
	[GONGWEN_H2] = "GwHeading2", [GONGWEN_H3] = "GwHeading3",
};

/* keep_last: the last paragraph stays on the page of what follows.  A
 * heading that runs on into its text is a paragraph like any other: kept with
 * the next one, a list of them would move to the next page as a block. */
static void
put_paras(struct doc *d, const struct gongwen_para *p, size_t n,
    bool keep_last)
{
	size_t i;

	for (i = 0; i < n; i++) {
		xp_start(d->x, "w:p");
		put_ppr(d->x, &(struct ppr){ .style = level_styles[p[i].level],
		    .keep_next = keep_last && i + 1 == n,
		    .keep_off = !str_empty(p[i].run_on) });
		run(d, NULL, p[i].text);
		if (!str_empty(p[i].run_on))
			run(d, &(struct rpr){ .style = "GwBodyChar" }, p[i].run_on);
		xp_end(d->x);
	}
}

static void
put_addressee(struct doc *d)
{
	char *text;

	if (str_empty(d->gw->addressee))
		return;
	text = xasprintf("%s：", d->gw->addressee);
	styled(d, "GwAddressee", text);
	free(text);
}

/* 附件说明: "附件：1.名称", later names under the first's number, a
 * name that wraps aligned with its own first character. */
static void
put_attachment_note(struct doc *d)
{
	const struct gongwen *gw = d->gw;
	const long label = 3 * CHAR;                 /* 附件： */
	long number, left;
	char *text;
	size_t i;

	if (gw->n_attachments == 0)
		return;
	if (signed_off(d))
		blank_lines_kept(d, 1);
	else
		blank_lines(d, 1);
	for (i = 0; i < gw->n_attachments; i++) {
		if (gw->n_attachments == 1)
			text = xasprintf("附件：%s", gw->attachments[0].title);
		else
			text = xasprintf("%s%zu.%s", i == 0 ? "附件：" : "", i + 1,
			    gw->attachments[i].title);
		number = gw->n_attachments == 1 ? 0 :
		    (long)(snprintf(NULL, 0, "%zu.", i + 1)) * CHAR / 2;
		left = 2 * CHAR + label + number;
		para(d, &(struct ppr){ .style = "GwAttachNote", .left = left,
		    .hanging = i == 0 ? label + number : number,
		    .keep_next = signed_off(d) }, text);
		free(text);
	}
}

/* Signature and date as 7.3.5 places them: sealed, the date 4 characters
 * from the right and the signature centred over it; unsealed, the
 * signature 2 characters from the right and the date starting 2
 * characters right of it, moved to 2 from the right if it would not fit. */
static void
signature_indents(const struct doc *d, long *sig, long *date)
{
	long ws = half_chars(d->gw->signature) * CHAR / 2;
	long wd = half_chars(d->date) * CHAR / 2;

	if (d->gw->sealed) {
		*date = 4 * CHAR;
		*sig = *date + (wd - ws) / 2;
	} else {
		*sig = 2 * CHAR;
		*date = *sig + ws - wd - 2 * CHAR;
		if (*date < 2 * CHAR) {
			*date = 2 * CHAR;
			*sig = *date + wd - ws + 2 * CHAR;
		}
	}
	if (*sig < 0)
		*sig = 0;
	if (str_empty(d->gw->signature))
		*date = d->gw->sealed ? 4 * CHAR : 2 * CHAR;
}

static void
put_signature(struct doc *d)
{
	const struct gongwen *gw = d->gw;
	long sig, date;
	char *note;

	if (signed_off(d)) {
		/* a seal's top edge within a line of the text above it */
		blank_lines_kept(d, gw->sealed ? 2 : 1);
		signature_indents(d, &sig, &date);
		if (!str_empty(gw->signature))
			para(d, &(struct ppr){ .style = "GwSignature", .right = sig },
			    gw->signature);
		if (d->date[0])
			para(d, &(struct ppr){ .style = "GwDate", .right = date },
			    d->date);
	}
	if (!str_empty(gw->note)) {
		note = xasprintf("（%s）", gw->note);
		styled(d, "GwNote", note);
		free(note);
	}
}

/* ---- tables ---- */

/* Width of the widest line of a cell in eighths of a character: 8 for a
 * Chinese character, 5 for a digit or letter (whose width varies with
 * the face), and 2 for each change from one to the other, where
 * LibreOffice and WPS add a little space. */
static long
eighth_chars(const char *s)
{
	size_t len = str_empty(s) ? 0 : strlen(s), i = 0, n;
	long line = 0, widest = 0;
	int w, prev = 0;
	uint32_t cp;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			break;
		i += n;
		if (cp == '\n') {
			widest = line > widest ? line : widest;
			line = prev = 0;
		} else if ((w = codepoint_width(cp)) > 0) {
			line += (w == 2 ? 8 : 5) + (prev && prev != w ? 2 : 0);
			prev = w;
		}
	}
	return line > widest ? line : widest;
}

/* Widths of columns in the proportions the caller gave, summing to total. */
static void
proportional_widths(long *w, size_t n, long total)
{
	long sum = 0, used = 0;
	size_t c;

	for (c = 0; c < n; c++)
		sum += w[c];
	for (c = 0; c < n; c++) {
		w[c] = c + 1 < n ? total * w[c] / sum : total - used;
		used += w[c];
	}
}

/* Natural widths that do not fit are capped alike, so the narrow columns
 * (numbers, dates) stay on one line and the wide ones wrap. */
static void
capped_widths(long *w, size_t n, long total)
{
	long cap = total / (long)n, fixed, next, sum = 0;
	size_t c, wide;

	for (;;) {
		fixed = 0;
		wide = 0;
		for (c = 0; c < n; c++)
			if (w[c] < cap)
				fixed += w[c];
			else
				wide++;
		next = (total - fixed) / (long)wide;
		if (next == cap)
			break;
		cap = next;
	}
	for (c = 0; c < n; c++) {
		if (w[c] > cap)
			w[c] = cap;
		sum += w[c];
	}
	w[n - 1] += total - sum;
}

/* Column widths in twips summing to the text block's width: the caller's
 * proportions, else each column's widest text in the table's size. */
static long *
column_widths(const struct gongwen_table *t, int size)
{
	long *w = xcalloc(t->n_cols, sizeof(*w)), sum = 0, cell;
	size_t r, c;

	for (c = 0; c < t->n_cols; c++) {
		if (t->widths) {
			w[c] = t->widths[c];
			continue;
		}
		w[c] = eighth_chars(t->header[c]);
		for (r = 0; r < t->n_rows; r++)
			if ((cell = eighth_chars(t->cells[r * t->n_cols + c])) > w[c])
				w[c] = cell;
		/* size/16 points an eighth, 20 twips a point; at least 2
		 * characters */
		w[c] = (w[c] < 16 ? 16 : w[c]) * size * 5 / 4 + 2 * CELL_MARGIN + 20;
		sum += w[c];
	}
	if (t->widths || sum <= TEXT_W)
		proportional_widths(w, t->n_cols, TEXT_W);
	else
		capped_widths(w, t->n_cols, TEXT_W);
	return w;
}

static void
put_border(struct xmlpart *x, const char *side, const char *val, int size)
{
	xp_start(x, side);
	xp_attr(x, "w:val", val);
	xp_attr_int(x, "w:sz", size);
	xp_attr_int(x, "w:space", 0);
	xp_attr(x, "w:color", "000000");
	xp_end(x);
}

static void
put_grid(struct xmlpart *x, const long *widths, size_t n)
{
	size_t c;

	xp_start(x, "w:tblGrid");
	for (c = 0; c < n; c++) {
		xp_start(x, "w:gridCol");
		xp_attr_int(x, "w:w", widths[c]);
		xp_end(x);
	}
	xp_end(x);
}

static void
table_properties(struct xmlpart *x)
{
	static const char *const sides[] = { "w:top", "w:left", "w:bottom",
	    "w:right", "w:insideH", "w:insideV" };
	size_t i;

	xp_start(x, "w:tblPr");
	put_width(x, "w:tblW", TEXT_W);
	xp_val(x, "w:jc", "center");
	xp_start(x, "w:tblBorders");
	for (i = 0; i < ARRAY_SIZE(sides); i++)
		put_border(x, sides[i], "single", 4);
	xp_end(x);
	xp_start(x, "w:tblLayout");
	xp_attr(x, "w:type", "fixed");
	xp_end(x);
	xp_start(x, "w:tblCellMar");
	put_width(x, "w:left", CELL_MARGIN);
	put_width(x, "w:right", CELL_MARGIN);
	xp_end(x);
	xp_end(x);
}

static const char *
cell_jc(const struct gongwen_table *t, size_t c)
{
	char a = t->align ? t->align[c] : 'l';

	return a == 'c' ? "center" : a == 'r' ? "right" : "left";
}

static void
table_cell(struct doc *d, long width, const struct ppr *p, int size,
    const char *text)
{
	xp_start(d->x, "w:tc");
	xp_start(d->x, "w:tcPr");
	put_width(d->x, "w:tcW", width);
	xp_val(d->x, "w:vAlign", "center");
	xp_end(d->x);
	xp_start(d->x, "w:p");
	put_ppr(d->x, p);
	if (!str_empty(text))
		run(d, &(struct rpr){ .size = size }, text);
	xp_end(d->x);
	xp_end(d->x);
}

/* The table's type size in half-points. */
static int
table_size(const struct gongwen_table *t)
{
	return t->half_points ? (int)t->half_points : TABLE_SIZE;
}

static void
table_row(struct doc *d, const struct gongwen_table *t, const long *w,
    const char *const *cells, bool head)
{
	int size = table_size(t) != TABLE_SIZE ? table_size(t) : 0;
	size_t c;

	xp_start(d->x, "w:tr");
	xp_start(d->x, "w:trPr");
	xp_empty(d->x, "w:cantSplit");
	if (head)
		xp_empty(d->x, "w:tblHeader");
	xp_end(d->x);
	for (c = 0; c < t->n_cols; c++)
		table_cell(d, w[c], &(struct ppr){ .style = head ? "GwTableHead" :
		    "GwTableText", .jc = head ? NULL : cell_jc(t, c) }, size,
		    cells[c]);
	xp_end(d->x);
}

static void
put_table(struct doc *d, const struct gongwen_table *t)
{
	long *w = column_widths(t, table_size(t));
	size_t r;

	xp_start(d->x, "w:tbl");
	table_properties(d->x);
	put_grid(d->x, w, t->n_cols);
	table_row(d, t, w, t->header, true);
	for (r = 0; r < t->n_rows; r++)
		table_row(d, t, w, t->cells + r * t->n_cols, false);
	xp_end(d->x);
	free(w);
}

/* Each attachment with content on a page of its own: 附件N in the top
 * left corner, its title centred on the third line. */
static void
put_attachments(struct doc *d)
{
	const struct gongwen *gw = d->gw;
	const struct gongwen_attachment *a;
	char *label;
	size_t i;

	for (i = 0; i < gw->n_attachments; i++) {
		a = &gw->attachments[i];
		if (a->n_body == 0 && a->table == NULL)
			continue;
		label = gw->n_attachments == 1 ? xstrdup("附件") :
		    xasprintf("附件%zu", i + 1);
		para(d, &(struct ppr){ .style = "GwAttachLabel",
		    .page_break = true }, label);
		free(label);
		blank_lines(d, 1);
		styled(d, "GwAttachTitle", a->title);
		blank_lines(d, 1);
		put_paras(d, a->body, a->n_body, false);
		if (a->table)
			put_table(d, a->table);
	}
}

/* ---- 版记 ---- */

/* A table floating at the foot of the last page: a thick rule above its
 * first line and below its last, thin rules between.  Placed from the
 * page's edge rather than the margin: LibreOffice keeps a table as wide
 * as the text block floating only then. */
static void
imprint_properties(struct xmlpart *x, long width)
{
	xp_start(x, "w:tblPr");
	xp_start(x, "w:tblpPr");
	xp_attr(x, "w:vertAnchor", "margin");
	xp_attr(x, "w:horzAnchor", "page");
	xp_attr_int(x, "w:tblpX", MARGIN_LEFT);
	xp_attr(x, "w:tblpYSpec", "bottom");
	xp_end(x);
	xp_val(x, "w:tblOverlap", "never");
	put_width(x, "w:tblW", width);
	xp_start(x, "w:tblBorders");
	put_border(x, "w:top", "single", 8);         /* 0.35 mm */
	put_border(x, "w:left", "nil", 0);
	put_border(x, "w:bottom", "single", 8);
	put_border(x, "w:right", "nil", 0);
	put_border(x, "w:insideH", "single", 6);     /* 0.25 mm */
	put_border(x, "w:insideV", "nil", 0);
	xp_end(x);
	xp_start(x, "w:tblLayout");
	xp_attr(x, "w:type", "fixed");
	xp_end(x);
	xp_start(x, "w:tblCellMar");
	put_width(x, "w:left", 0);
	put_width(x, "w:right", 0);
	xp_end(x);
	xp_end(x);
}

static void
imprint_cell_begin(struct doc *d, long width, const struct ppr *p)
{
	xp_start(d->x, "w:tr");
	xp_start(d->x, "w:trPr");
	xp_empty(d->x, "w:cantSplit");
	xp_end(d->x);
	xp_start(d->x, "w:tc");
	xp_start(d->x, "w:tcPr");
	put_width(d->x, "w:tcW", width);
	xp_end(d->x);
	xp_start(d->x, "w:p");
	put_ppr(d->x, p);
}

static void
imprint_cell_end(struct doc *d)
{
	xp_end(d->x);
	xp_end(d->x);
	xp_end(d->x);
}

/* 抄送：…。 with wrapped lines aligned with the first name */
static void
imprint_copy_to(struct doc *d, long width)
{
	const char *copy_to = d->gw->copy_to;
	size_t n = strlen(copy_to);
	bool stop = n >= 3 && strcmp(copy_to + n - 3, "。") == 0;
	char *text = xasprintf("抄送：%s%s", copy_to, stop ? "" : "。");

	imprint_cell_begin(d, width, &(struct ppr){ .style = "GwImprint",
	    .left = 4 * SMALL_CHAR, .hanging = 3 * SMALL_CHAR });
	run(d, NULL, text);
	imprint_cell_end(d);
	free(text);
}

/* 印发机关 one character from the left, 印发日期 one from the right */
static void
imprint_printer(struct doc *d, long width)
{
	char *text;

	imprint_cell_begin(d, width, &(struct ppr){ .style = "GwImprint",
	    .tab_right = width - SMALL_CHAR });
	run(d, NULL, d->gw->printer);
	if (d->print_date[0]) {
		xp_start(d->x, "w:r");
		xp_empty(d->x, "w:tab");
		xp_end(d->x);
		text = xasprintf("%s印发", d->print_date);
		run(d, NULL, text);
		free(text);
	}
	imprint_cell_end(d);
}

static void
put_imprint(struct doc *d)
{
	const struct gongwen *gw = d->gw;
	const long width = TEXT_W;

	if (str_empty(gw->copy_to) && str_empty(gw->printer))
		return;
	xp_start(d->x, "w:tbl");
	imprint_properties(d->x, width);
	put_grid(d->x, &width, 1);
	if (!str_empty(gw->copy_to))
		imprint_copy_to(d, width);
	if (!str_empty(gw->printer))
		imprint_printer(d, width);
	xp_end(d->x);
}

/* ---- document.xml: the whole ---- */

static void
put_section(struct xmlpart *x)
{
	static const char *const footers[][2] = {
		{ "default", "rIdFooterOdd" }, { "even", "rIdFooterEven" },
	};
	size_t i;

	xp_start(x, "w:sectPr");
	for (i = 0; i < ARRAY_SIZE(footers); i++) {
		xp_start(x, "w:footerReference");
		xp_attr(x, "w:type", footers[i][0]);
		xp_attr(x, "r:id", footers[i][1]);
		xp_end(x);
	}
	xp_start(x, "w:pgSz");
	xp_attr_int(x, "w:w", PAGE_W);
	xp_attr_int(x, "w:h", PAGE_H);
	xp_end(x);
	xp_start(x, "w:pgMar");
	xp_attr_int(x, "w:top", MARGIN_TOP);
	xp_attr_int(x, "w:right", MARGIN_RIGHT);
	xp_attr_int(x, "w:bottom", MARGIN_BOTTOM);
	xp_attr_int(x, "w:left", MARGIN_LEFT);
	xp_attr_int(x, "w:header", 851);
	xp_attr_int(x, "w:footer", FOOTER);
	xp_attr_int(x, "w:gutter", 0);
	xp_end(x);
	/* A character grid would set each 16 pt character in two 15.8 pt
	 * cells in LibreOffice; condensed spacing (Normal) gives the 28. */
	xp_start(x, "w:docGrid");
	xp_attr(x, "w:type", "lines");
	xp_attr_int(x, "w:linePitch", LINE);
	xp_end(x);
	xp_end(x);
}

static void
part_document(struct doc *d)
{
	const struct gongwen *gw = d->gw;
	struct xmlpart *x = d->x;

	xp_start(x, "w:document");
	xp_attr(x, "xmlns:w", W_NS);
	xp_attr(x, "xmlns:r", R_NS);
	xp_start(x, "w:body");
	put_header(d);
	styled(d, "GwTitle", gw->title);
	if (!str_empty(gw->addressee)) {
		blank_lines(d, 1);
		put_addressee(d);
	}
	put_paras(d, gw->body, gw->n_body, signed_off(d));
	put_attachment_note(d);
	put_signature(d);
	put_attachments(d);
	put_imprint(d);
	/* the last paragraph, which also anchors the 版记 */
	blank_lines(d, 1);
	put_section(x);
	xp_end(x);
	xp_end(x);
}

/* ---- footers: "— 1 —", odd pages right, even pages left ---- */

static void
field_char(struct xmlpart *x, const char *type)
{
	xp_start(x, "w:r");
	xp_start(x, "w:fldChar");
	xp_attr(x, "w:fldCharType", type);
	xp_end(x);
	xp_end(x);
}

static void
page_field(struct doc *d)
{
	field_char(d->x, "begin");
	xp_start(d->x, "w:r");
	xp_start(d->x, "w:instrText");
	xp_attr(d->x, "xml:space", "preserve");
	xp_text(d->x, " PAGE ");
	xp_end(d->x);
	xp_end(d->x);
	field_char(d->x, "separate");
	run(d, NULL, "1");
	field_char(d->x, "end");
}

static void
part_footer(struct doc *d, bool even)
{
	struct xmlpart *x = d->x;

	xp_start(x, "w:ftr");
	xp_attr(x, "xmlns:w", W_NS);
	xp_attr(x, "xmlns:r", R_NS);
	xp_start(x, "w:p");
	put_ppr(x, &(struct ppr){ .style = "GwPageNumber",
	    .left = even ? SMALL_CHAR : 0, .right = even ? 0 : SMALL_CHAR,
	    .jc = even ? "left" : "right" });
	run(d, NULL, "— ");
	page_field(d);
	run(d, NULL, " —");
	xp_end(x);
	xp_end(x);
}

static void
part_footer_odd(struct doc *d)
{
	part_footer(d, false);
}

static void
part_footer_even(struct doc *d)
{
	part_footer(d, true);
}

/* ---- settings, fonts, package bookkeeping ---- */

static void
part_settings(struct doc *d)
{
	struct xmlpart *x = d->x;

	xp_start(x, "w:settings");
	xp_attr(x, "xmlns:w", W_NS);
	xp_start(x, "w:zoom");
	xp_attr_int(x, "w:percent", 100);
	xp_end(x);
	xp_val_int(x, "w:defaultTabStop", 2 * CHAR);
	xp_empty(x, "w:evenAndOddHeaders");
	xp_val(x, "w:characterSpacingControl", "doNotCompress");
	xp_start(x, "w:compat");
	xp_start(x, "w:compatSetting");
	xp_attr(x, "w:name", "compatibilityMode");
	xp_attr(x, "w:uri", "http://schemas.microsoft.com/office/word");
	xp_attr(x, "w:val", "15");
	xp_end(x);
	xp_end(x);
	xp_start(x, "w:themeFontLang");
	xp_attr(x, "w:val", "en-US");
	xp_attr(x, "w:eastAsia", "zh-CN");
	xp_end(x);
	xp_val(x, "w:decimalSymbol", ".");
	xp_val(x, "w:listSeparator", ",");
	xp_end(x);
}

/* The names Word looks for when a machine lacks the GB2312-era faces. */
static const char *
font_alt_name(const char *font)
{
	static const char *const alt[][2] = {
		{ "仿宋_GB2312", "仿宋" }, { "楷体_GB2312", "楷体" },
		{ "方正小标宋简体", "宋体" }, { "宋体", "SimSun" },
		{ "黑体", "SimHei" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(alt); i++)
		if (strcmp(alt[i][0], font) == 0)
			return alt[i][1];
	return NULL;
}

static void
put_font(struct xmlpart *x, const char *font)
{
	const char *alt = font_alt_name(font);

	xp_start(x, "w:font");
	xp_attr(x, "w:name", font);
	if (alt)
		xp_val(x, "w:altName", alt);
	xp_val(x, "w:charset", "86");                /* GB2312 */
	xp_val(x, "w:family", "auto");
	xp_val(x, "w:pitch", "variable");
	xp_end(x);
}

static void
part_font_table(struct doc *d)
{
	const char *fonts[] = { d->fonts.body, d->fonts.mark, d->fonts.title,
	    d->fonts.heading1, d->fonts.heading2, d->fonts.page_number };
	size_t i, j;

	xp_start(d->x, "w:fonts");
	xp_attr(d->x, "xmlns:w", W_NS);
	for (i = 0; i < ARRAY_SIZE(fonts); i++) {
		for (j = 0; j < i && strcmp(fonts[i], fonts[j]) != 0; j++)
			continue;
		if (j == i)
			put_font(d->x, fonts[i]);
	}
	xp_end(d->x);
}

#define CT_OOXML "application/vnd.openxmlformats-officedocument."
#define RT_OOXML "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const struct {
	const char *part, *type;
} overrides[] = {
	{ "/word/document.xml", CT_OOXML "wordprocessingml.document.main+xml" },
	{ "/word/styles.xml", CT_OOXML "wordprocessingml.styles+xml" },
	{ "/word/settings.xml", CT_OOXML "wordprocessingml.settings+xml" },
	{ "/word/fontTable.xml", CT_OOXML "wordprocessingml.fontTable+xml" },
	{ "/word/footer1.xml", CT_OOXML "wordprocessingml.footer+xml" },
	{ "/word/footer2.xml", CT_OOXML "wordprocessingml.footer+xml" },
	{ "/docProps/core.xml",
	    "application/vnd.openxmlformats-package.core-properties+xml" },
	{ "/docProps/app.xml", CT_OOXML "extended-properties+xml" },
};

static void
content_default(struct xmlpart *x, const char *ext, const char *type)
{
	xp_start(x, "Default");
	xp_attr(x, "Extension", ext);
	xp_attr(x, "ContentType", type);
	xp_end(x);
}

static void
part_content_types(struct doc *d)
{
	struct xmlpart *x = d->x;
	size_t i;

	xp_start(x, "Types");
	xp_attr(x, "xmlns",
	    "http://schemas.openxmlformats.org/package/2006/content-types");
	content_default(x, "rels",
	    "application/vnd.openxmlformats-package.relationships+xml");
	content_default(x, "xml", "application/xml");
	for (i = 0; i < ARRAY_SIZE(overrides); i++) {
		xp_start(x, "Override");
		xp_attr(x, "PartName", overrides[i].part);
		xp_attr(x, "ContentType", overrides[i].type);
		xp_end(x);
	}
	xp_end(x);
}

static void
relationship(struct xmlpart *x, const char *id, const char *type,
    const char *target)
{
	xp_start(x, "Relationship");
	xp_attr(x, "Id", id);
	xp_attr(x, "Type", type);
	xp_attr(x, "Target", target);
	xp_end(x);
}

static void
relationships_begin(struct xmlpart *x)
{
	xp_start(x, "Relationships");
	xp_attr(x, "xmlns",
	    "http://schemas.openxmlformats.org/package/2006/relationships");
}

static void
part_package_rels(struct doc *d)
{
	relationships_begin(d->x);
	relationship(d->x, "rId1", RT_OOXML "officeDocument", "word/document.xml");
	relationship(d->x, "rId2", "http://schemas.openxmlformats.org/package/"
	    "2006/relationships/metadata/core-properties", "docProps/core.xml");
	relationship(d->x, "rId3", RT_OOXML "extended-properties",
	    "docProps/app.xml");
	xp_end(d->x);
}

static void
part_document_rels(struct doc *d)
{
	relationships_begin(d->x);
	relationship(d->x, "rIdStyles", RT_OOXML "styles", "styles.xml");
	relationship(d->x, "rIdSettings", RT_OOXML "settings", "settings.xml");
	relationship(d->x, "rIdFonts", RT_OOXML "fontTable", "fontTable.xml");
	relationship(d->x, "rIdFooterOdd", RT_OOXML "footer", "footer1.xml");
	relationship(d->x, "rIdFooterEven", RT_OOXML "footer", "footer2.xml");
	xp_end(d->x);
}

static void
put_w3cdtf(struct xmlpart *x, const char *name, time_t t)
{
	char stamp[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	xp_start(x, name);
	xp_attr(x, "xsi:type", "dcterms:W3CDTF");
	xp_text(x, stamp);
	xp_end(x);
}

static void
part_core(struct doc *d)
{
	const struct gongwen *gw = d->gw;
	struct xmlpart *x = d->x;

	xp_start(x, "cp:coreProperties");
	xp_attr(x, "xmlns:cp", "http://schemas.openxmlformats.org/package/2006/"
	    "metadata/core-properties");
	xp_attr(x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
	xp_attr(x, "xmlns:dcterms", "http://purl.org/dc/terms/");
	xp_attr(x, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
	xp_element(x, "dc:title", gw->title);
	if (!str_empty(gw->signature))
		xp_element(x, "dc:creator", gw->signature);
	if (gw->created) {
		put_w3cdtf(x, "dcterms:created", gw->created);
		put_w3cdtf(x, "dcterms:modified", gw->created);
	}
	xp_end(x);
}

static void
part_app(struct doc *d)
{
	xp_start(d->x, "Properties");
	xp_attr(d->x, "xmlns", "http://schemas.openxmlformats.org/"
	    "officeDocument/2006/extended-properties");
	xp_element(d->x, "Application", "mediawatch");
	xp_end(d->x);
}

/* [Content_Types].xml first, as readers that sniff the format expect. */
static const struct {
	const char *name;
	void (*write)(struct doc *);
} parts[] = {
	{ "[Content_Types].xml", part_content_types },
	{ "_rels/.rels", part_package_rels },
	{ "docProps/core.xml", part_core },
	{ "docProps/app.xml", part_app },
	{ "word/document.xml", part_document },
	{ "word/styles.xml", part_styles },
	{ "word/settings.xml", part_settings },
	{ "word/fontTable.xml", part_font_table },
	{ "word/footer1.xml", part_footer_odd },
	{ "word/footer2.xml", part_footer_even },
	{ "word/_rels/document.xml.rels", part_document_rels },
};

/* DOS time starts in 1980: the fixed time of entries without a date. */
#define FIXED_MTIME ((time_t)315619200)       /* 1980-01-02 00:00 UTC */

static int
add_part(struct doc *d, struct package *pkg, size_t i, char **error)
{
	struct xmlpart x;
	char *data;
	size_t len;

	if (xp_begin(&x) == -1)
		return refuse(error, "%s: cannot start the XML writer",
		    parts[i].name);
	d->x = &x;
	parts[i].write(d);
	d->x = NULL;
	if (xp_finish(&x, &data, &len) == -1)
		return refuse(error, "%s: the XML writer failed", parts[i].name);
	return pkg_add(pkg, parts[i].name, data, len, error);
}

int
gongwen_docx(const struct gongwen *gw, char **data, size_t *len, char **error)
{
	struct doc d = { .gw = gw };
	struct package pkg;
	size_t i;

	*data = NULL;
	*len = 0;
	if (check_input(&d, error) == -1)
		return -1;
	resolve_fonts(&d);
	if (!str_empty(gw->issuer_mark))
		d.mark_size = gw->mark_size ? gw->mark_size :
		    mark_size_for(gw->issuer_mark);
	if (pkg_begin(&pkg, gw->created ? gw->created : FIXED_MTIME, error) == -1)
		return -1;
	for (i = 0; i < ARRAY_SIZE(parts); i++)
		if (add_part(&d, &pkg, i, error) == -1) {
			pkg_discard(&pkg);
			return -1;
		}
	return pkg_finish(&pkg, data, len, error);
}

int
gongwen_docx_write(const struct gongwen *gw, const char *path, char **error)
{
	char *data;
	size_t len;
	int rc;

	if (str_empty(path))
		return refuse(error, "no output file named");
	if (gongwen_docx(gw, &data, &len, error) == -1)
		return -1;
	rc = file_write_atomic(path, data, len, 0666, error);
	free(data);
	return rc;
}
