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

/* The notice's parts in order: those of every document, and its
 * attachment (the problem list), as each format marks them. */
struct notice_marks {
	const struct doc_marks *doc;
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
			m->doc->para(out, numbered);
			free(numbered);
		} else
			m->doc->subheading(out, rd_str(r, "heading"),
			    rd_str(r, "text"));
	}
}

static void
body(FILE *out, const json_t *d, const struct notice_marks *m)
{
	const json_t *paras = json_object_get(d, "body"), *p;
	bool findings = *rd_str(d, "findings") != '\0';
	size_t i;

	json_array_foreach(paras, i, p)
		m->doc->para(out, json_string_value(p));
	if (findings) {
		m->doc->heading(out, "一、存在问题");
		m->doc->para(out, rd_str(d, "findings"));
	}
	if (json_array_size(json_object_get(d, "requirements"))) {
		m->doc->heading(out, findings ? "二、整改要求" : "整改要求");
		requirements(out, d, m);
	}
	if (*rd_str(d, "closing"))
		m->doc->para(out, rd_str(d, "closing"));
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
	char *line;

	rd_doc_head(out, d, addressee(d), m->doc);
	body(out, d, m);
	if (attached) {
		line = xasprintf("附件：%s", attachment_title(d));
		m->doc->para(out, line);
		free(line);
	}
	m->doc->signature(out, rd_str(d, "issuer"), rd_str(d, "issued"));
	if (attached)
		m->attachment(out, attachment_title(d), json_object_get(d,
		    "problems"));
	rd_doc_copies(out, d, m->doc);
}

/* ---- Markdown ---- */

static void
md_attachment(FILE *out, const char *title, const json_t *rows)
{
	fprintf(out, "## 附件 %s\n\n", title);
	md_table(out, problem_columns, ARRAY_SIZE(problem_columns), rows);
	fputc('\n', out);
}

static const struct notice_marks md_marks = { &md_doc_marks, md_attachment };

/* ---- plain text ---- */

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

static const struct notice_marks txt_marks = { &txt_doc_marks,
	txt_attachment };

/* ---- HTML ---- */

static void
html_attachment(FILE *out, const char *title, const json_t *rows)
{
	html_tagged(out, "<h2 class=\"attachment\">附件　", title, "</h2>\n");
	html_table(out, problem_columns, ARRAY_SIZE(problem_columns), rows, NULL);
}

static const struct notice_marks html_marks = { &html_doc_marks,
	html_attachment };

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
