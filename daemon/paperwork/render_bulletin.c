/* render_bulletin.c — the monthly bulletin in every format. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "paperwork/render.h"

static const struct column total_columns[] = {
	{ "name", "名称", COL_TEXT },
	{ "accounts", "账号数", COL_TEXT },
	{ "qualified", "合格", COL_TEXT },
	{ "unqualified", "不合格", COL_TEXT },
	{ "pass_rate", "合格率", COL_TEXT },
	{ "posts", "发布条数", COL_TEXT },
};

static const struct column unqualified_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "last_update", "最近更新", COL_TEXT },
	{ "days", "未更新天数", COL_TEXT },
	{ "reasons", "不合格原因", COL_TEXT },
};

static const struct column account_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "posts", "本月发布条数", COL_TEXT },
	{ "last_update", "最近更新", COL_TEXT },
	{ "days", "未更新天数", COL_TEXT },
	{ "result", "结果", COL_TEXT },
};

static const struct column returned_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "quiet_since", "停更前最近更新", COL_TEXT },
	{ "returned", "恢复更新", COL_TEXT },
	{ "days_quiet", "停更天数", COL_TEXT },
};

static const struct column problem_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "kind", "问题类型", COL_TEXT },
	{ "detail", "问题说明", COL_TEXT },
	{ "opened", "发现日期", COL_TEXT },
	{ "due", "整改期限", COL_TEXT },
	{ "closed", "销号日期", COL_TEXT },
};

static const struct column notice_columns[] = {
	{ "serial", "通报编号", COL_TEXT },
	{ "unit_name", "责任单位", COL_TEXT },
	{ "issued", "下发日期", COL_TEXT },
	{ "due", "整改期限", COL_TEXT },
	{ "problems", "问题数", COL_TEXT },
};

static const struct column offender_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "kind", "问题类型", COL_TEXT },
	{ "months_count", "连续月数", COL_TEXT },
	{ "months_text", "涉及月份", COL_TEXT },
	{ "accounts", "涉及账号", COL_TEXT },
};

/* The CSV: one row per account, headed in Chinese for spreadsheets. */
static const struct column csv_columns[] = {
	{ "unit", "单位编码", COL_TEXT },
	{ "unit_name", "责任单位", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "posts", "本月发布条数", COL_TEXT },
	{ "last_update", "最近更新", COL_TEXT },
	{ "days", "未更新天数", COL_TEXT },
	{ "result", "结果", COL_TEXT },
	{ "reasons", "不合格原因", COL_TEXT },
};

struct section {
	const char          *heading;
	const struct column *cols;
	size_t               n;
	const char          *key, *sub;     /* data[key] or data[key][sub] */
};

#define COLS(c) c, ARRAY_SIZE(c)
static const struct section sections[] = {
	{ "二、分平台统计", COLS(total_columns), "platforms", NULL },
	{ "三、分单位统计", COLS(total_columns), "units", NULL },
	{ "四、不合格账号", COLS(unqualified_columns), "unqualified", NULL },
	{ "五、各账号本月发布情况", COLS(account_columns), "accounts", NULL },
	{ "六、停更后恢复更新的账号", COLS(returned_columns), "returned", NULL },
	{ "七、本月新增问题", COLS(problem_columns), "problems", "opened" },
	{ "八、本月销号问题", COLS(problem_columns), "problems", "closed" },
	{ "九、逾期未整改问题", COLS(problem_columns), "problems", "overdue" },
	{ "十、本月下发的点对点通报", COLS(notice_columns), "notices", NULL },
	{ "十一、年度绩效考核扣分名单", COLS(offender_columns),
	  "repeat_offenders", NULL },
};

static const json_t *
section_rows(const json_t *d, const struct section *s)
{
	const json_t *v = json_object_get(d, s->key);

	return s->sub ? json_object_get(v, s->sub) : v;
}

/* The overview paragraph, the same words in every format. */
static char *
overview(const json_t *d)
{
	const json_t *s = json_object_get(d, "summary");
	struct strbuf sb = STRBUF_INIT;
	const json_t *period = json_object_get(d, "period");

	sb_printf(&sb, "本期监测时段为%s至%s，监测时点为%s。",
	    json_string_value(json_array_get(period, 0)),
	    json_string_value(json_array_get(period, 1)), rd_str(d, "check_time"));
	if (rd_int(s, "accounts") == 0)
		sb_puts(&sb, "本月无在册正常运行的政务新媒体账号。");
	else {
		sb_printf(&sb, "在册正常运行的政务新媒体账号%lld个，合格%lld个，"
		    "不合格%lld个，", rd_int(s, "accounts"), rd_int(s, "qualified"),
		    rd_int(s, "unqualified"));
		sb_printf(&sb, "合格率%s；本月共发布信息%lld条。",
		    rd_str(s, "pass_rate"), rd_int(s, "posts"));
	}
	sb_printf(&sb, "本月新增问题%lld个，销号%lld个，逾期未整改%lld个；下发"
	    "点对点通报%lld份；", rd_int(s, "problems_opened"),
	    rd_int(s, "problems_closed"), rd_int(s, "problems_overdue"),
	    rd_int(s, "notices"));
	sb_printf(&sb, "连续%lld个月出现同类问题的单位%lld个。",
	    rd_int(d, "repeat_months"), rd_int(s, "repeat_offenders"));
	return sb_steal(&sb);
}

static char *
explanation(const json_t *d)
{
	return xasprintf("说明：合格率＝本月未出现单项否决问题（超期未更新、长期"
	    "未更新、严重表述错误）的账号数÷在册正常运行账号数；监测时点前2周内"
	    "无更新的账号判定为不合格。同一单位同类问题连续%lld个月出现的，列入"
	    "年度绩效考核扣分名单。", rd_int(d, "repeat_months"));
}

/* Markdown and plain text differ only in how the parts are marked: the
 * strings put before and after each. */
struct plain_style {
	const char *title[2];
	const char *serial[2];         /* the issuer follows the serial */
	const char *heading[2];
	const char *indent;            /* of a paragraph */
	const char *line_break;        /* between the signature's lines */
	void      (*table)(FILE *, const struct column *, size_t, const json_t *);
};

static const struct plain_style md_style = {
	{ "# ", "\n\n" }, { "**", "**　" }, { "## ", "\n\n" }, "", "  \n",
	md_table,
};
static const struct plain_style txt_style = {
	{ "", "\n" }, { "", "  " }, { "", "\n\n" }, "  ", "\n", txt_table,
};

static void
put_marked(FILE *out, const char *const mark[2], const char *text)
{
	fputs(mark[0], out);
	fputs(text, out);
	fputs(mark[1], out);
}

static void
bulletin_plain(FILE *out, const json_t *d, const struct plain_style *st)
{
	char *text = overview(d), *note = explanation(d);
	size_t i;

	put_marked(out, st->title, rd_str(d, "title"));
	put_marked(out, st->serial, rd_str(d, "serial"));
	fprintf(out, "%s\n\n", rd_str(d, "issuer"));
	put_marked(out, st->heading, "一、总体情况");
	fprintf(out, "%s%s\n\n%s%s\n\n", st->indent, text, st->indent, note);
	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		put_marked(out, st->heading, sections[i].heading);
		st->table(out, sections[i].cols, sections[i].n,
		    section_rows(d, &sections[i]));
		fputc('\n', out);
	}
	fprintf(out, "%s%s%s\n", rd_str(d, "issuer"), st->line_break,
	    json_string_value(json_array_get(json_object_get(d, "period"), 1)));
	free(text);
	free(note);
}

static void
html_chart(FILE *out, const json_t *accts)
{
	json_t *bars = json_array(), *a;
	size_t i;

	if (json_array_size(accts) == 0)
		return;
	json_array_foreach(accts, i, a) {
		char *label = xasprintf("%s·%s", rd_str(a, "unit_name"),
		    rd_str(a, "account"));

		json_array_append_new(bars, json_pack("{s:s, s:I, s:s, s:I, s:I}",
		    "label", label, "days", (json_int_t)rd_int(a, "days"), "state",
		    rd_str(a, "state"), "warn_days",
		    (json_int_t)rd_int(a, "warn_days"), "stale_days",
		    (json_int_t)rd_int(a, "stale_days")));
		free(label);
	}
	chart_legend(out, bars, "监测时点未更新天数");
	svg_days_chart(out, bars);
	json_decref(bars);
}

static void
html_para(FILE *out, const char *cls, const char *text)
{
	fprintf(out, "<p%s%s%s>", cls ? " class=\"" : "", cls ? cls : "",
	    cls ? "\"" : "");
	html_put(out, text);
	fputs("</p>\n", out);
}

static void
bulletin_html(FILE *out, const json_t *d)
{
	char *text = overview(d), *note = explanation(d);
	size_t i;

	html_begin(out, rd_str(d, "title"));
	fputs("<h1>", out);
	html_put(out, rd_str(d, "title"));
	fputs("</h1>\n", out);
	html_para(out, "serial", rd_str(d, "serial"));
	html_para(out, "meta", rd_str(d, "issuer"));
	fputs("<h2>一、总体情况</h2>\n", out);
	html_para(out, NULL, text);
	html_para(out, NULL, note);
	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		fputs("<h2>", out);
		html_put(out, sections[i].heading);
		fputs("</h2>\n", out);
		if (strcmp(sections[i].key, "accounts") == 0)
			html_chart(out, section_rows(d, &sections[i]));
		html_table(out, sections[i].cols, sections[i].n,
		    section_rows(d, &sections[i]), "state");
	}
	fputs("<p class=\"sign\">", out);
	html_put(out, rd_str(d, "issuer"));
	fputs("<br>", out);
	html_put(out, json_string_value(json_array_get(json_object_get(d,
	    "period"), 1)));
	fputs("</p>\n", out);
	html_end(out);
	free(text);
	free(note);
}

/* CSV columns are named by their Chinese headings. */
static void
bulletin_csv(FILE *out, const json_t *d)
{
	const json_t *accts = json_object_get(d, "accounts"), *a;
	struct column cols[ARRAY_SIZE(csv_columns)];
	json_t *rows = json_array(), *row;
	size_t i, c;

	for (c = 0; c < ARRAY_SIZE(csv_columns); c++)
		cols[c] = (struct column){ csv_columns[c].header,
		    csv_columns[c].header, COL_TEXT };
	json_array_foreach(accts, i, a) {
		row = json_object();
		for (c = 0; c < ARRAY_SIZE(csv_columns); c++)
			json_object_set(row, csv_columns[c].header,
			    json_object_get(a, csv_columns[c].key));
		json_array_append_new(rows, row);
	}
	output_rows(out, OUTPUT_CSV, cols, ARRAY_SIZE(cols), rows);
	json_decref(rows);
}

void
render_bulletin(FILE *out, const json_t *d, enum render_format f)
{
	switch (f) {
	case RENDER_MD: bulletin_plain(out, d, &md_style); break;
	case RENDER_HTML: bulletin_html(out, d); break;
	case RENDER_TXT: bulletin_plain(out, d, &txt_style); break;
	case RENDER_JSON: rd_json(out, d); break;
	case RENDER_CSV: bulletin_csv(out, d); break;
	}
}
