/* render_notice.c — a point-to-point notice as Markdown, HTML or text. */
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

static const char *
addressee(const json_t *d)
{
	return rd_str(d, "unit_name");
}

static void
each_paragraph(FILE *out, const json_t *list, const char *before,
    const char *after, bool numbered)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		if (numbered)
			fprintf(out, "%s%zu. %s%s", before, i + 1,
			    json_string_value(json_array_get(list, i)), after);
		else
			fprintf(out, "%s%s%s", before,
			    json_string_value(json_array_get(list, i)), after);
	}
}

static void
notice_md(FILE *out, const json_t *d)
{
	const json_t *req = json_object_get(d, "requirements");

	fprintf(out, "# %s\n\n**%s**\n\n", rd_str(d, "title"), rd_str(d, "serial"));
	fprintf(out, "%s：\n\n", addressee(d));
	each_paragraph(out, json_object_get(d, "body"), "", "\n\n", false);
	if (rd_int(d, "problem_count") > 0) {
		fputs("## 问题清单\n\n", out);
		md_table(out, problem_columns, ARRAY_SIZE(problem_columns),
		    json_object_get(d, "problems"));
		fputc('\n', out);
	}
	if (json_array_size(req)) {
		fputs("## 整改要求\n\n", out);
		each_paragraph(out, req, "", "\n", true);
		fputc('\n', out);
	}
	fprintf(out, "%s  \n%s\n", rd_str(d, "issuer"), rd_str(d, "issued"));
}

static void
notice_txt(FILE *out, const json_t *d)
{
	const json_t *req = json_object_get(d, "requirements");
	const json_t *problems = json_object_get(d, "problems"), *p;
	size_t i;

	fprintf(out, "%s\n%s\n\n%s：\n\n", rd_str(d, "title"), rd_str(d, "serial"),
	    addressee(d));
	each_paragraph(out, json_object_get(d, "body"), "    ", "\n\n", false);
	for (i = 0; i < json_array_size(problems); i++) {
		p = json_array_get(problems, i);
		if (strcmp(rd_str(p, "platform"), "—") == 0)
			fprintf(out, "  %lld. %s  %s\n", rd_int(p, "no"),
			    rd_str(p, "account"), rd_str(p, "kind"));
		else
			fprintf(out, "  %lld. %s「%s」  %s\n", rd_int(p, "no"),
			    rd_str(p, "platform"), rd_str(p, "account"),
			    rd_str(p, "kind"));
		fprintf(out, "     最近更新：%s", rd_str(p, "last_update"));
		fprintf(out, "，未更新天数：%s\n", rd_str(p, "days"));
		fprintf(out, "     发现日期：%s\n     问题说明：%s\n     监测依据：%s\n\n",
		    rd_str(p, "opened"), rd_str(p, "detail"), rd_str(p, "evidence"));
	}
	if (json_array_size(req)) {
		fputs("整改要求：\n", out);
		each_paragraph(out, req, "  ", "\n", true);
		fputc('\n', out);
	}
	fprintf(out, "%50s%s\n%50s%s\n", "", rd_str(d, "issuer"), "",
	    rd_str(d, "issued"));
}

static void
html_paragraphs(FILE *out, const json_t *list, const char *tag)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		fprintf(out, "<%s>", tag);
		html_put(out, json_string_value(json_array_get(list, i)));
		fprintf(out, "</%s>\n", tag);
	}
}

static void
notice_html(FILE *out, const json_t *d)
{
	const json_t *req = json_object_get(d, "requirements");
	char *title = xasprintf("%s %s", rd_str(d, "title"), rd_str(d, "serial"));

	html_begin(out, title);
	fputs("<h1>", out);
	html_put(out, rd_str(d, "title"));
	fputs("</h1>\n<p class=\"serial\">", out);
	html_put(out, rd_str(d, "serial"));
	fputs("</p>\n<p>", out);
	html_put(out, addressee(d));
	fputs("：</p>\n", out);
	html_paragraphs(out, json_object_get(d, "body"), "p");
	if (rd_int(d, "problem_count") > 0) {
		fputs("<h2>问题清单</h2>\n", out);
		html_table(out, problem_columns, ARRAY_SIZE(problem_columns),
		    json_object_get(d, "problems"), NULL);
	}
	if (json_array_size(req)) {
		fputs("<h2>整改要求</h2>\n<ol>\n", out);
		html_paragraphs(out, req, "li");
		fputs("</ol>\n", out);
	}
	fputs("<p class=\"sign\">", out);
	html_put(out, rd_str(d, "issuer"));
	fputs("<br>", out);
	html_put(out, rd_str(d, "issued"));
	fputs("</p>\n", out);
	html_end(out);
	free(title);
}

void
render_notice(FILE *out, const json_t *d, enum render_format f)
{
	switch (f) {
	case RENDER_MD: notice_md(out, d); break;
	case RENDER_HTML: notice_html(out, d); break;
	case RENDER_JSON: rd_json(out, d); break;
	case RENDER_TXT:
	case RENDER_CSV: notice_txt(out, d); break;
	}
}
