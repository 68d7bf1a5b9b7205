/* render_marks.c — the parts every document (公文) has, as Markdown,
 * plain text and HTML mark them: notices and bulletins lay them out with
 * the same marks. */
#include <stdlib.h>

#include "base/util.h"
#include "paperwork/render.h"

/* ---- Markdown ---- */

static void
md_title(FILE *out, const char *s)
{
	fprintf(out, "# %s\n\n", s);
}

static void
md_serial(FILE *out, const char *s)
{
	fprintf(out, "**%s**\n\n", s);
}

static void
md_status(FILE *out, const char *s)
{
	fprintf(out, "> **%s**\n\n", s);
}

static void
md_para(FILE *out, const char *s)
{
	fprintf(out, "%s\n\n", s);
}

static void
md_heading(FILE *out, const char *s)
{
	fprintf(out, "## %s\n\n", s);
}

static void
md_subheading(FILE *out, const char *h, const char *s)
{
	fprintf(out, "**%s**%s\n\n", h, s);
}

static void
md_signature(FILE *out, const char *issuer, const char *date)
{
	fprintf(out, "%s  \n%s\n\n", issuer, date);
}

const struct doc_marks md_doc_marks = {
	md_title, md_serial, md_status, md_para, md_para, md_heading,
	md_subheading, md_signature,
};

/* ---- plain text ---- */

static void
txt_title(FILE *out, const char *s)
{
	fprintf(out, "%s\n", s);
}

static void
txt_serial(FILE *out, const char *s)
{
	fprintf(out, "%s\n\n", s);
}

static void
txt_status(FILE *out, const char *s)
{
	fprintf(out, "【%s】\n\n", s);
}

/* the addressee stands at the margin, the text is indented */
static void
txt_addressee(FILE *out, const char *s)
{
	fprintf(out, "%s\n\n", s);
}

static void
txt_para(FILE *out, const char *s)
{
	fprintf(out, "    %s\n\n", s);
}

static void
txt_subheading(FILE *out, const char *h, const char *s)
{
	fprintf(out, "    %s%s\n\n", h, s);
}

static void
txt_signature(FILE *out, const char *issuer, const char *date)
{
	fprintf(out, "%40s%s\n%40s%s\n\n", "", issuer, "", date);
}

const struct doc_marks txt_doc_marks = {
	txt_title, txt_serial, txt_status, txt_addressee, txt_para, txt_para,
	txt_subheading, txt_signature,
};

/* ---- HTML ---- */

void
html_tagged(FILE *out, const char *open, const char *s, const char *close)
{
	fputs(open, out);
	html_put(out, s);
	fputs(close, out);
}

static void
html_title(FILE *out, const char *s)
{
	html_tagged(out, "<h1>", s, "</h1>\n");
}

static void
html_serial(FILE *out, const char *s)
{
	html_tagged(out, "<p class=\"serial\">", s, "</p>\n");
}

static void
html_status(FILE *out, const char *s)
{
	html_tagged(out, "<p class=\"status\">", s, "</p>\n");
}

static void
html_para(FILE *out, const char *s)
{
	html_tagged(out, "<p>", s, "</p>\n");
}

static void
html_heading(FILE *out, const char *s)
{
	html_tagged(out, "<h2>", s, "</h2>\n");
}

static void
html_subheading(FILE *out, const char *h, const char *s)
{
	html_tagged(out, "<p><b>", h, "</b>");
	html_put(out, s);
	fputs("</p>\n", out);
}

static void
html_signature(FILE *out, const char *issuer, const char *date)
{
	html_tagged(out, "<p class=\"sign\">", issuer, "<br>");
	html_put(out, date);
	fputs("</p>\n", out);
}

const struct doc_marks html_doc_marks = {
	html_title, html_serial, html_status, html_para, html_para, html_heading,
	html_subheading, html_signature,
};

/* ---- the head and the foot ---- */

void
rd_doc_head(FILE *out, const json_t *d, const char *addressee,
    const struct doc_marks *m)
{
	char *note = rd_status_note(d), *line;

	m->title(out, rd_str(d, "title"));
	m->serial(out, rd_serial(d));
	if (note)
		m->status(out, note);
	line = xasprintf("%s：", addressee);
	m->addressee(out, line);
	free(line);
	free(note);
}

void
rd_doc_copies(FILE *out, const json_t *d, const struct doc_marks *m)
{
	char *line = rd_copy_line(d);

	if (line)
		m->para(out, line);
	free(line);
}
