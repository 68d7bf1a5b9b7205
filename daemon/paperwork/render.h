/* render.h — printing notices, bulletins and the status report.
 *
 * Each document is first gathered into a JSON object of ready-made
 * strings and numbers (notice.c, bulletin.c, report.c); the renderers
 * only lay that data out, so a stored notice prints the same bytes again
 * later.  Renderers write to a FILE (open_memstream() for a string) and
 * never fail: a member the data lacks prints as empty. */
#ifndef MW_RENDER_H
#define MW_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/output.h"
#include "config/config.h"

/* RENDER_DOCX is made by render_docx() alone: it is bytes, not text. */
enum render_format { RENDER_MD, RENDER_HTML, RENDER_TXT, RENDER_JSON, RENDER_CSV,
    RENDER_DOCX };

/* "md", "html", "txt", "json", "csv", "docx"; -1 when unknown. */
int  render_format_parse(const char *s, enum render_format *out);
const char *render_format_ext(enum render_format f);

/* render_notice.c: md, html, txt, json (csv prints as txt). */
void render_notice(FILE *out, const json_t *data, enum render_format f);
/* render_bulletin.c: every format; csv is the per-account table. */
void render_bulletin(FILE *out, const json_t *data, enum render_format f);
/* render_report.c: html and json. */
void render_report(FILE *out, const json_t *data, enum render_format f);

/* render_docx.c: a notice or bulletin (by its "kind") as a 公文 .docx
 * after GB/T 9704-2012, in the fonts of the configuration: the bytes in
 * *out (malloc'd, caller frees), *len long; -1 with *error (caller frees).
 * The same data gives the same bytes. */
int  render_docx(const json_t *data, const struct config *cfg, char **out,
         size_t *len, char **error);

/* Renders into a string (caller frees). */
char *render_to_string(void (*fn)(FILE *, const json_t *, enum render_format),
          const json_t *data, enum render_format f);

/* ---- shared pieces (render_common.c) ---- */

/* The line that stands for the number of a document: its serial, or for a
 * preview "（预览稿，未编号）". */
const char *rd_serial(const json_t *d);
/* The notice a voided document carries, or NULL: "本件已于…作废。作废原因：
 * …".  Caller frees. */
char *rd_status_note(const json_t *d);
/* "抄送：…。", or NULL when the document has no copy_to.  Caller frees. */
char *rd_copy_line(const json_t *d);

/* A member as text: strings as they are, integers in decimal (in a
 * static buffer, valid until the next call), else "". */
const char *rd_str(const json_t *obj, const char *key);
long long   rd_int(const json_t *obj, const char *key);
/* Pretty JSON with a final newline, keys in data order. */
void rd_json(FILE *out, const json_t *data);

/* ---- the parts of a 公文 (render_marks.c) ---- */

/* How a text format marks the parts every document has. */
struct doc_marks {
	void (*title)(FILE *, const char *);
	void (*serial)(FILE *, const char *);
	void (*status)(FILE *, const char *);       /* a void note */
	void (*addressee)(FILE *, const char *);    /* 主送 */
	void (*para)(FILE *, const char *);
	void (*heading)(FILE *, const char *);      /* 一、… */
	void (*subheading)(FILE *, const char *, const char *);  /* run-on */
	void (*signature)(FILE *, const char *, const char *);   /* issuer, date */
};
extern const struct doc_marks md_doc_marks, txt_doc_marks, html_doc_marks;

/* The title, the number (rd_serial()), the void note when there is one,
 * then "addressee：". */
void rd_doc_head(FILE *out, const json_t *d, const char *addressee,
         const struct doc_marks *m);
/* The 抄送 line (rd_copy_line()), when the document has one. */
void rd_doc_copies(FILE *out, const json_t *d, const struct doc_marks *m);

/* HTML: open, s escaped, close. */
void html_tagged(FILE *out, const char *open, const char *s,
         const char *close);

/* Markdown: a pipe table of the columns (cells with | and line breaks
 * made safe); "无。" when rows is empty. */
void md_table(FILE *out, const struct column *cols, size_t n, const json_t *rows);
/* Plain text: an aligned table, or "  无。" when rows is empty. */
void txt_table(FILE *out, const struct column *cols, size_t n, const json_t *rows);

/* HTML: text with & < > " ' as entities. */
void html_put(FILE *out, const char *s);
/* The page head with the shared print style (A4), up to <body>. */
void html_begin(FILE *out, const char *title);
void html_end(FILE *out);
/* A table; the class of each row is its member row_class_key (may be
 * NULL).  "无。" in a paragraph when rows is empty. */
void html_table(FILE *out, const struct column *cols, size_t n,
         const json_t *rows, const char *row_class_key);

/* An inline SVG bar chart of days without update: one bar per element of
 * bars ({"label", "days", "state", "warn_days", "stale_days"}), coloured
 * by state class, with dashed lines at the warning and stale thresholds
 * when every bar has the same ones, else a mark on each bar at its own. */
void svg_days_chart(FILE *out, const json_t *bars);
/* Whether every bar has the same thresholds, and which (-1 without bars). */
bool chart_thresholds(const json_t *bars, long *warn, long *stale);
/* The sentence under a chart's title that explains its marks. */
void chart_legend(FILE *out, const json_t *bars, const char *what);

#endif
