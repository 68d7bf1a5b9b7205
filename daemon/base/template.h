/* template.h — the message templates admins may edit (conf/templates/).
 *
 * A small subset of Mustache:
 *     {{name}}               the value of name (HTML-escaped in .html)
 *     {{#name}}…{{/name}}    a list: once per row, the row's names visible
 *                            inside (outer names too); a value: once when
 *                            it is neither empty nor "0"
 *     {{^name}}…{{/name}}    once when the list is empty or the value is
 *                            empty or "0"
 *     {{! comment }}
 * A section or comment tag alone on its line takes the whole line with it,
 * so the text templates need no care about blank lines.  A name that is
 * not set is an error (a typo must not silently empty a notice), reported
 * as FILE:LINE. */
#ifndef MW_TEMPLATE_H
#define MW_TEMPLATE_H

#include <stdarg.h>

#include "base/util.h"

/* A set of names with values or lists of rows (each row a tmpl_vars). */
struct tmpl_vars;

struct tmpl_vars *tmpl_vars_new(void);
void  tmpl_vars_free(struct tmpl_vars *v);          /* with all its rows */
/* Sets key to a copy of value (NULL counts as ""), replacing any value. */
void  tmpl_set(struct tmpl_vars *v, const char *key, const char *value);
void  tmpl_setf(struct tmpl_vars *v, const char *key, const char *fmt, ...)
          MW_PRINTF(3, 4);
/* Declares key a list, empty until rows are added. */
void  tmpl_set_list(struct tmpl_vars *v, const char *key);
/* Appends a row to list key (declaring it) and returns it for filling; the
 * row belongs to v. */
struct tmpl_vars *tmpl_add_row(struct tmpl_vars *v, const char *key);

enum tmpl_escape {
	TMPL_TEXT,              /* values as they are */
	TMPL_HTML,              /* & < > " ' as entities */
};

/* Renders tmpl into *out (caller frees).  On error returns -1 with *error
 * "template:LINE: message" (caller frees). */
int   template_render(const char *tmpl, const struct tmpl_vars *v,
          enum tmpl_escape esc, char **out, char **error);

/* Appends s to sb with HTML's special characters as entities. */
void  html_escape_append(struct strbuf *sb, const char *s);

/* One message: DIR/NAME.txt starts with a line "Subject: …" (the subject
 * template), then the text body (one blank line after the subject line is
 * skipped); DIR/NAME.html, when it exists, is the HTML body. */
struct mail_text {
	char *subject;          /* rendered without escaping */
	char *text;
	char *html;             /* NULL when there is no NAME.html */
};

/* Returns 0 with *out filled (free with mail_text_free()), or -1 with
 * *error "DIR/NAME.txt:LINE: message" (caller frees). */
int   template_render_mail(const char *dir, const char *name,
          const struct tmpl_vars *v, struct mail_text *out, char **error);
void  mail_text_free(struct mail_text *m);

#endif
