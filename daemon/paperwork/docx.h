/* docx.h — official documents (公文) as .docx, laid out after GB/T 9704-2012
 * 《党政机关公文格式》.
 *
 * The caller describes one document in a struct gongwen: the red header
 * (版头: 发文机关标志, 发文字号, the red separator), the body (主体: 标题,
 * 主送机关, paragraphs, 附件说明, 发文机关署名, 成文日期, 附注, then each
 * attachment on a page of its own, with an optional table) and the
 * imprint (版记: 抄送, 印发机关和印发日期 between its rules, at the foot of
 * the last page).  The layout follows the standard: A4, 天头 37 mm,
 * 订口 28 mm, a 156 × 225 mm text block of 22 lines × 28 characters in
 * 3号 (16 pt) body type, the title in 2号 (22 pt), headings 一、 in 黑体 and
 * （一） in 楷体, page numbers "— 1 —" in 4号 at the outer corner.
 *
 * Ownership: every pointer in the structures is borrowed; nothing is kept
 * after the call returns.  NULL and "" mean "absent" for optional text.
 *
 * Text: every string must be valid UTF-8 (else the document is refused,
 * naming the field); "\n" breaks the line, other control characters are
 * dropped.  Text is never interpreted as markup.
 *
 * Errors: the functions return 0, or -1 with *error set to a message
 * (malloc'd, the caller frees) and nothing written.  They never print or
 * log. */
#ifndef MW_DOCX_H
#define MW_DOCX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Font names as offices have them installed.  A NULL member takes the
 * default of gongwen_default_fonts.  Each name is set for both East Asian
 * and Latin text, so digits take the same face. */
struct gongwen_fonts {
	const char *mark;         /* 发文机关标志: 方正小标宋简体 */
	const char *title;        /* 标题, 附件标题: 方正小标宋简体 */
	const char *body;         /* 正文 and the rest: 仿宋_GB2312 */
	const char *heading1;     /* 一、 headings, 附件 label, table heads: 黑体 */
	const char *heading2;     /* （一） headings: 楷体_GB2312 */
	const char *page_number;  /* "— 1 —": 宋体 */
};

extern const struct gongwen_fonts gongwen_default_fonts;

/* The structural level of a paragraph (GB/T 9704 7.3.3): 一、 is set in
 * heading1, （一） in heading2, 1. and（1）in the body font.  The caller
 * writes the numbers into the text. */
enum gongwen_level {
	GONGWEN_TEXT,             /* a plain paragraph */
	GONGWEN_H1,               /* 一、 */
	GONGWEN_H2,               /* （一） */
	GONGWEN_H3,               /* 1. */
};

/* One paragraph, indented two characters.  A heading may run on into body
 * text in the same paragraph ("（一）加强领导。" then the text). */
struct gongwen_para {
	enum gongwen_level  level;
	const char         *text;     /* required */
	const char         *run_on;   /* optional, in the body font */
};

/* A table with a heading row, repeated at the top of each page. */
struct gongwen_table {
	size_t              n_cols;   /* at least 1 */
	const char *const  *header;   /* n_cols headings */
	size_t              n_rows;
	const char *const  *cells;    /* n_rows × n_cols, row by row; NULL: empty */
	const unsigned     *widths;   /* n_cols relative widths; NULL: from content */
	const char         *align;    /* n_cols of 'l' 'c' 'r'; NULL: all left */
	unsigned            half_points;  /* type size: 24 小四 (the default
	                                     for 0), 21 五号, 28 四号 */
};

/* An attachment (附件): named in the 附件说明; when it has content it gets
 * pages of its own after the body, headed 附件 (or 附件N) and its title. */
struct gongwen_attachment {
	const char                 *title;    /* required, without final punctuation */
	const struct gongwen_para  *body;     /* paragraphs before the table */
	size_t                      n_body;
	const struct gongwen_table *table;    /* NULL: none */
};

struct gongwen {
	const char *issuer_mark;  /* 发文机关标志 ("武平县电子政务中心文件"); with
	                             it or a serial the document gets the red
	                             header and separator */
	unsigned    mark_size;    /* points; 0: as large as fits, at most 42 */
	const char *serial;       /* 发文字号 ("武政新通〔2026〕3号"); NULL in a
	                             header: the line stays, blank (a preview) */
	const char *title;        /* 标题, required; "\n" where a line breaks */
	const char *addressee;    /* 主送机关, without the colon */
	const struct gongwen_para *body;
	size_t      n_body;
	const struct gongwen_attachment *attachments;
	size_t      n_attachments;
	const char *signature;    /* 发文机关署名 */
	const char *date;         /* 成文日期, YYYY-MM-DD; printed 2026年12月2日 */
	bool        sealed;       /* room and placement for a seal (7.3.5.1);
	                             false: unsealed layout (7.3.5.2) */
	const char *note;         /* 附注, printed in parentheses */
	const char *copy_to;      /* 抄送, without the colon and final 。 */
	const char *printer;      /* 印发机关; with copy_to makes the 版记 */
	const char *print_date;   /* 印发日期, YYYY-MM-DD; NULL: the date */
	time_t      created;      /* document properties and zip entry times;
	                             0: a fixed time, so the same input gives
	                             the same bytes */
	const struct gongwen_fonts *fonts;  /* NULL: gongwen_default_fonts */
};

/* The .docx as bytes in *data (malloc'd, the caller frees), *len long. */
int  gongwen_docx(const struct gongwen *gw, char **data, size_t *len,
         char **error);

/* Writes the .docx to path atomically: a temporary file in the same
 * folder, flushed, then renamed over path (mode 0666 less the umask).  On
 * error path is untouched. */
int  gongwen_docx_write(const struct gongwen *gw, const char *path,
         char **error);

/* A date as GB/T 9704 writes it: "2026-12-02" gives "2026年12月2日"
 * (Arabic numerals, full year, no leading zeros).  -1 when iso is not a
 * real YYYY-MM-DD date or buf is too small. */
#define GONGWEN_DATE_SIZE 32
int  gongwen_date(const char *iso, char *buf, size_t size);

#endif
