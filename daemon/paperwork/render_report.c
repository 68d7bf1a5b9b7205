/* render_report.c — the status report as a self-contained HTML page. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "monitor/evaluate.h"
#include "paperwork/render.h"

static const struct column account_columns[] = {
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "state_label", "状态", COL_TEXT },
	{ "last_update", "最近更新", COL_TEXT },
	{ "days", "未更新天数", COL_TEXT },
	{ "open_problems", "未整改问题", COL_TEXT },
};

static const struct column problem_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "kind", "问题类型", COL_TEXT },
	{ "detail", "问题说明", COL_TEXT },
	{ "opened", "发现日期", COL_TEXT },
	{ "due", "整改期限", COL_TEXT },
	{ "overdue", "逾期", COL_TEXT },
};

/* A large registry's open problems, counted per unit. */
static const struct column problem_count_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "open", "未整改问题", COL_TEXT },
	{ "overdue", "其中已逾期", COL_TEXT },
};

static void
summary_cell(FILE *out, const char *cls, const char *label, long long n)
{
	fprintf(out, "<td class=\"%s\"><span class=\"dot\"></span>", cls);
	html_put(out, label);
	fprintf(out, "<br><b>%lld</b></td>", n);
}

static void
summary_table(FILE *out, const json_t *s)
{
	int k;

	fputs("<table class=\"summary\"><tr>", out);
	fprintf(out, "<td>账号总数<br><b>%lld</b></td>", rd_int(s, "accounts"));
	for (k = 0; k < N_STATES; k++)
		summary_cell(out, state_name(k), state_label(k),
		    rd_int(s, state_name(k)));
	summary_cell(out, "none", "未评估或暂停", rd_int(s, "none"));
	fprintf(out, "<td>未整改问题<br><b>%lld</b></td>", rd_int(s, "open_problems"));
	fprintf(out, "<td class=\"overdue\">已逾期<br><b>%lld</b></td>",
	    rd_int(s, "overdue_problems"));
	fputs("</tr></table>\n", out);
}

static void
chart(FILE *out, const json_t *units)
{
	json_t *listed = json_array(), *rows, *u;
	bool truncated;
	size_t i;

	json_array_foreach(units, i, u)
		json_array_extend(listed, json_object_get(u, "accounts"));
	rows = chart_rows(listed, NULL, &truncated);
	if (json_array_size(rows))
		fputs("<h2>距最近更新天数</h2>\n", out);
	render_days_chart(out, rows, "各账号距最近更新的天数", truncated);
	json_decref(rows);
	json_decref(listed);
}

/* Each unit's accounts per state, when not every account is listed. */
static const struct column unit_count_columns[] = {
	{ "name", "责任单位", COL_TEXT },
	{ "accounts", "账号", COL_TEXT },
	{ "fresh", "正常", COL_TEXT },
	{ "warning", "预警", COL_TEXT },
	{ "stale", "超期未更新", COL_TEXT },
	{ "dormant", "长期未更新", COL_TEXT },
	{ "unverified", "未核实", COL_TEXT },
	{ "none", "未评估或暂停", COL_TEXT },
	{ "with_problems", "有未整改问题", COL_TEXT },
};

static void
unit_counts(FILE *out, const json_t *units)
{
	json_t *rows = json_array(), *u, *row;
	size_t i;

	json_array_foreach(units, i, u) {
		row = json_deep_copy(json_object_get(u, "counts"));
		json_object_set_new(row, "name", json_string(rd_str(u, "name")));
		json_array_append_new(rows, row);
	}
	fputs("<h2>各单位账号状态</h2>\n", out);
	html_table(out, unit_count_columns, ARRAY_SIZE(unit_count_columns),
	    rows, NULL);
	json_decref(rows);
}

static void
unit_sections(FILE *out, const json_t *units, bool all)
{
	const json_t *u;
	size_t i;

	fputs(all ? "<h2>各单位账号</h2>\n" : "<h2>各单位需处理的账号</h2>\n"
	    "<p>以下仅列出超期未更新、长期未更新、未核实或有未整改问题的账号；"
	    "预警和更新正常的账号见上表中的数量。</p>\n", out);
	if (json_array_size(units) == 0)
		fputs("<p>无。</p>\n", out);
	json_array_foreach(units, i, u) {
		if (!all && json_array_size(json_object_get(u, "accounts")) == 0)
			continue;
		fputs("<h3>", out);
		html_put(out, rd_str(u, "name"));
		fputs("（", out);
		html_put(out, rd_str(u, "code"));
		fputs("）</h3>\n", out);
		html_table(out, account_columns, ARRAY_SIZE(account_columns),
		    json_object_get(u, "accounts"), "state");
	}
}

/* Every open problem; beyond LIST_ALL_ACCOUNTS accounts, the problems of
 * each unit counted, the list being the problem list's. */
static void
problems(FILE *out, const json_t *d, bool all)
{
	if (all) {
		fputs("<h2>未整改问题</h2>\n", out);
		html_table(out, problem_columns, ARRAY_SIZE(problem_columns),
		    json_object_get(d, "problems"), "state");
		return;
	}
	fputs("<h2>各单位未整改问题</h2>\n<p>纳入监测的账号较多，未整改问题按单位"
	    "汇总如下；逐条明细见问题清单。</p>\n", out);
	html_table(out, problem_count_columns, ARRAY_SIZE(problem_count_columns),
	    json_object_get(d, "problem_counts"), NULL);
}

static void
report_html(FILE *out, const json_t *d)
{
	bool all = strcmp(rd_str(d, "listed"), "action") != 0;

	html_begin(out, rd_str(d, "title"));
	fputs("<h1>", out);
	html_put(out, rd_str(d, "title"));
	fputs("</h1>\n<p class=\"meta\">", out);
	html_put(out, rd_str(d, "issuer"));
	fputs("　生成时间：", out);
	html_put(out, rd_str(d, "generated"));
	fputs("</p>\n", out);
	summary_table(out, json_object_get(d, "summary"));
	chart(out, json_object_get(d, "units"));
	if (!all)
		unit_counts(out, json_object_get(d, "units"));
	unit_sections(out, json_object_get(d, "units"), all);
	problems(out, d, all);
	html_end(out);
}

void
render_report(FILE *out, const json_t *d, enum render_format f)
{
	if (f == RENDER_HTML)
		report_html(out, d);
	else
		rd_json(out, d);
}
