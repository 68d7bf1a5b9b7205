/* render_notice.c — a point-to-point notice as Markdown, HTML or text,
 * laid out as the 公文 is: title, number, 主送, body, 附件说明, signature
 * and date, the attachment (the problem list), 抄送. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "paperwork/render.h"

static const struct column problem_columns[] = {
	{ "no", "序号", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "kind", "问题类型", COL_TEXT },
	{ "last_update", "最近更新", COL_TEXT },
	{ "days", "未更新天数", COL_TEXT },
	{ "opened", "发现日期", COL_TEXT },
	{ "detail", "问题说明", COL_TEXT },
	{ "evidence", "监测依据", COL_TEXT },
};

/* The notice's parts in order; each format says how to mark them. */
struct notice_marks {
	void (*title)(FILE *, const char *);
	void (*serial)(FILE *, const char *);
	void (*status)(FILE *, const char *);
	void (*addressee)(FILE *, const char *);
	void (*para)(FILE *, const char *);
	void (*heading)(FILE *, const char *);
	void (*subheading)(FILE *, const char *, const char *);
	void (*signature)(FILE *, const char *, const char *);
	void (*attachment)(FILE *, const char *, const json_t *);
};

/* Requirements are {heading, text}; a notice issued before they were
 * has plain strings, numbered. */
static void
requirements(FILE *out, const json_t *d, const struct notice_marks *m)
{
	const json_t *req = json_object_get(d, "requirements"), *r;
	char *numbered;
	size_t i;

	json_array_foreach(req, i, r) {
		if (json_is_string(r)) {
			numbered = xasprintf("%zu. %s", i + 1, json_string_value(r));
			m->para(out, numbered);
			free(numbered);
		} else
			m->subheading(out, rd_str(r, "heading"), rd_str(r, "text"));
	}
}

static void
body(FILE *out, const json_t *d, const struct notice_marks *m)
{
	const json_t *paras = json_object_get(d, "body"), *p;
	bool findings = *rd_str(d, "findings") != '\0';
	size_t i;

	json_array_foreach(paras, i, p)
		m->para(out, json_string_value(p));
	if (findings) {
		m->heading(out, "一、存在问题");
		m->para(out, rd_str(d, "findings"));
	}
	if (json_array_size(json_object_get(d, "requirements"))) {
		m->heading(out, findings ? "二、整改要求" : "整改要求");
		requirements(out, d, m);
	}
	if (*rd_str(d, "closing"))
		m->para(out, rd_str(d, "closing"));
}

/* A notice issued before attachments were named has its problems under
 * the usual title. */
static const char *
attachment_title(const json_t *d)
{
	return *rd_str(d, "attachment") ? rd_str(d, "attachment") :
	    "政务新媒体账号问题清单";
}

static const char *
addressee(const json_t *d)
{
	return *rd_str(d, "addressee") ? rd_str(d, "addressee") :
	    rd_str(d, "unit_name");
}

static void
render_parts(FILE *out, const json_t *d, const struct notice_marks *m)
{
	bool attached = json_array_size(json_object_get(d, "problems")) > 0;
	char *note = rd_status_note(d), *line;

	m->title(out, rd_str(d, "title"));
	m->serial(out, rd_serial(d));
	if (note)
		m->status(out, note);
	line = xasprintf("%s：", addressee(d));
	m->addressee(out, line);
	free(line);
	body(out, d, m);
	if (attached) {
		line = xasprintf("附件：%s", attachment_title(d));
		m->para(out, line);
		free(line);
	}
	m->signature(out, rd_str(d, "issuer"), rd_str(d, "issued"));
	if (attached)
		m->attachment(out, attachment_title(d), json_object_get(d,
		    "problems"));
	if ((line = rd_copy_line(d)) != NULL)
		m->para(out, line);
	free(line);
	free(note);
}

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

static void
md_attachment(FILE *out, const char *title, const json_t *rows)
{
	fprintf(out, "## 附件 %s\n\n", title);
	md_table(out, problem_columns, ARRAY_SIZE(problem_columns), rows);
	fputc('\n', out);
}

static const struct notice_marks md_marks = {
	md_title, md_serial, md_status, md_para, md_para, md_heading,
	md_subheading, md_signature, md_attachment,
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
txt_heading(FILE *out, const char *s)
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

/* One problem a block: a table of nine columns does not fit a line. */
static void
txt_attachment(FILE *out, const char *title, const json_t *rows)
{
	const json_t *p;
	size_t i;

	fprintf(out, "附件\n\n%s\n\n", title);
	json_array_foreach(rows, i, p) {
		if (strcmp(rd_str(p, "platform"), "—") == 0)
			fprintf(out, "  %lld. %s  %s\n", rd_int(p, "no"),
			    rd_str(p, "account"), rd_str(p, "kind"));
		else
			fprintf(out, "  %lld. %s“%s”  %s\n", rd_int(p, "no"),
			    rd_str(p, "platform"), rd_str(p, "account"),
			    rd_str(p, "kind"));
		fprintf(out, "     最近更新：%s", rd_str(p, "last_update"));
		fprintf(out, "，未更新天数：%s\n", rd_str(p, "days"));
		fprintf(out, "     发现日期：%s\n     问题说明：%s\n     监测依据：%s\n\n",
		    rd_str(p, "opened"), rd_str(p, "detail"), rd_str(p, "evidence"));
	}
}

static const struct notice_marks txt_marks = {
	txt_title, txt_serial, txt_status, txt_addressee, txt_para, txt_heading,
	txt_subheading, txt_signature, txt_attachment,
};

/* ---- HTML ---- */

static void
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

static void
html_attachment(FILE *out, const char *title, const json_t *rows)
{
	html_tagged(out, "<h2 class=\"attachment\">附件　", title, "</h2>\n");
	html_table(out, problem_columns, ARRAY_SIZE(problem_columns), rows, NULL);
}

static const struct notice_marks html_marks = {
	html_title, html_serial, html_status, html_para, html_para, html_heading,
	html_subheading, html_signature, html_attachment,
};

static void
notice_html(FILE *out, const json_t *d)
{
	char *title = xasprintf("%s %s", rd_str(d, "title"), rd_serial(d));

	html_begin(out, title);
	render_parts(out, d, &html_marks);
	html_end(out);
	free(title);
}

void
render_notice(FILE *out, const json_t *d, enum render_format f)
{
	switch (f) {
	case RENDER_MD: render_parts(out, d, &md_marks); break;
	case RENDER_HTML: notice_html(out, d); break;
	case RENDER_JSON: rd_json(out, d); break;
	case RENDER_TXT:
	case RENDER_CSV: render_parts(out, d, &txt_marks); break;
	case RENDER_DOCX: break;
	}
}
