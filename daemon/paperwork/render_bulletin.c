/* render_bulletin.c — the monthly bulletin in every text format: the 公文
 * (title, number, 主送, body, 附件说明, signature and date), its
 * attachments, then for the screen the full tables it was computed from
 * (附表). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "paperwork/paperwork.h"
#include "paperwork/render.h"

static const struct column total_columns[] = {
	{ "name", "名称", COL_TEXT },
	{ "accounts", "纳入统计账号", COL_TEXT },
	{ "qualified", "合格", COL_TEXT },
	{ "unqualified", "不合格", COL_TEXT },
	{ "pass_rate", "合格率", COL_TEXT },
	{ "gaps", "监测缺口", COL_TEXT },
	{ "posts", "发布条数", COL_TEXT },
};

static const struct column ranking_columns[] = {
	{ "rank", "排名", COL_TEXT },
	{ "name", "责任单位", COL_TEXT },
	{ "accounts", "纳入统计账号", COL_TEXT },
	{ "qualified", "合格", COL_TEXT },
	{ "unqualified", "不合格", COL_TEXT },
	{ "pass_rate", "合格率", COL_TEXT },
	{ "gaps", "监测缺口", COL_TEXT },
	{ "posts", "发布条数", COL_TEXT },
};

static const struct column order_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "orders", "收到工单", COL_TEXT },
	{ "orders_on_time", "按期回复", COL_TEXT },
	{ "orders_late", "逾期回复", COL_TEXT },
	{ "orders_returned", "被退回", COL_TEXT },
	{ "orders_open", "未办结", COL_TEXT },
	{ "orders_overdue", "逾期未回复", COL_TEXT },
	{ "notices_overdue", "逾期未回复通报", COL_TEXT },
};

static const struct column overdue_notice_columns[] = {
	{ "serial", "通报编号", COL_TEXT },
	{ "unit_name", "责任单位", COL_TEXT },
	{ "issued", "下发日期", COL_TEXT },
	{ "due", "回复期限", COL_TEXT },
	{ "items", "问题数", COL_TEXT },
	{ "unsettled", "未回复", COL_TEXT },
};

static const struct column unqualified_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "last_update", "最近更新", COL_TEXT },
	{ "days", "未更新天数", COL_TEXT },
	{ "reasons", "不合格原因", COL_TEXT },
};

static const struct column gap_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "last_update", "最近更新", COL_TEXT },
	{ "reasons", "原因", COL_TEXT },
};

static const struct column account_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "platform", "平台", COL_TEXT },
	{ "account", "账号名称", COL_TEXT },
	{ "posts", "本期发布条数", COL_TEXT },
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
	{ "uid", "账号ID", COL_TEXT },
	{ "posts", "本期发布条数", COL_TEXT },
	{ "last_update", "最近更新", COL_TEXT },
	{ "days", "未更新天数", COL_TEXT },
	{ "result", "结果", COL_TEXT },
	{ "reasons", "不合格原因或监测缺口原因", COL_TEXT },
};

/* For a large registry, the lists of the appendix counted per unit. */
static const struct column unit_problem_columns[] = {
	{ "unit_name", "责任单位", COL_TEXT },
	{ "opened", "本期新增问题", COL_TEXT },
	{ "closed", "本期销号问题", COL_TEXT },
	{ "overdue", "逾期未整改问题", COL_TEXT },
	{ "returned", "恢复更新账号", COL_TEXT },
	{ "notices", "下发点对点通报", COL_TEXT },
	{ "notices_overdue", "逾期未回复通报", COL_TEXT },
};

struct section {
	const char          *key;       /* data[key], or an attachment's key */
	const char          *sub;       /* data[key][sub] */
	const struct column *cols;
	size_t               n;
	const char          *heading;   /* of an appendix table */
};

#define COLS(c) c, ARRAY_SIZE(c)
static const struct section attachment_tables[] = {
	{ "ranking", NULL, COLS(ranking_columns), NULL },
	{ "orders", NULL, COLS(order_columns), NULL },
	{ "unqualified", NULL, COLS(unqualified_columns), NULL },
	{ "gaps", NULL, COLS(gap_columns), NULL },
};

/* The appendix; from "returned" to "notices_overdue" the lists a large
 * registry's documents count per unit instead (unit_problems). */
static const struct section appendix[] = {
	{ "platforms", NULL, COLS(total_columns), "分平台统计" },
	{ "accounts", NULL, COLS(account_columns), "各账号本期发布情况" },
	{ "returned", NULL, COLS(returned_columns), "停更后恢复更新的账号" },
	{ "problems", "opened", COLS(problem_columns), "本期新增问题" },
	{ "problems", "closed", COLS(problem_columns), "本期销号问题" },
	{ "problems", "overdue", COLS(problem_columns), "逾期未整改问题" },
	{ "notices", NULL, COLS(notice_columns), "本期下发的点对点通报" },
	{ "notices_overdue", NULL, COLS(overdue_notice_columns),
	  "逾期未回复的点对点通报" },
	{ "repeat_offenders", NULL, COLS(offender_columns),
	  "年度绩效考核扣分名单" },
};

static const json_t *
section_rows(const json_t *d, const struct section *s)
{
	const json_t *v = json_object_get(d, s->key);

	return s->sub ? json_object_get(v, s->sub) : v;
}

static const struct section unit_problems = { "unit_problems", NULL,
	COLS(unit_problem_columns), "各单位问题和通报情况" };

/* The line before a table, or NULL. */
static const char *
section_intro(const struct section *s)
{
	if (s != &unit_problems)
		return NULL;
	return "纳入监测的账号较多，本期新增、销号和逾期未整改的问题，停更后恢复"
	    "更新的账号，以及下发和逾期未回复的点对点通报，按单位汇总如下；逐条"
	    "明细见问题清单。";
}

/* The appendix lists counted in the unit_problems table, with the
 * column each counts in. */
static const struct {
	const char *key, *sub, *column;
} counted[] = {
	{ "problems", "opened", "opened" },
	{ "problems", "closed", "closed" },
	{ "problems", "overdue", "overdue" },
	{ "returned", NULL, "returned" },
	{ "notices", NULL, "notices" },
	{ "notices_overdue", NULL, "notices_overdue" },
};

static bool
is_counted(const struct section *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(counted); i++)
		if (strcmp(s->key, counted[i].key) == 0 && (s->sub == NULL ?
		    counted[i].sub == NULL : counted[i].sub &&
		    strcmp(s->sub, counted[i].sub) == 0))
			return true;
	return false;
}

static const struct section *
attachment_table(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attachment_tables); i++)
		if (strcmp(attachment_tables[i].key, key) == 0)
			return &attachment_tables[i];
	return NULL;
}

/* "附件2 名称", or "附件 名称" when there is one. */
static char *
attachment_label(const json_t *d, size_t i)
{
	const json_t *list = json_object_get(d, "attachments");

	return json_array_size(list) == 1 ? xstrdup("附件") :
	    xasprintf("附件%zu", i + 1);
}

/* 附件说明 lines: "附件：1.名称", then "      2.名称". */
static char *
attachment_note(const json_t *d, size_t i)
{
	const json_t *list = json_object_get(d, "attachments");
	const char *title = rd_str(json_array_get(list, i), "title");

	if (json_array_size(list) == 1)
		return xasprintf("附件：%s", title);
	return xasprintf("%s%zu.%s", i == 0 ? "附件：" : "　　　", i + 1, title);
}

/* The accounts active at the check time: judged, or monitoring gaps. */
static long long
active_accounts(const json_t *d)
{
	const json_t *s = json_object_get(d, "summary");

	return rd_int(s, "accounts") + rd_int(s, "gaps");
}

/* The unit's row of the unit_problems table, added after the others
 * when new. */
static json_t *
unit_problem_row(json_t *rows, json_t *index, const json_t *r)
{
	json_t *row = json_object_get(index, rd_str(r, "unit"));
	size_t i;

	if (row)
		return row;
	row = json_pack("{s:s, s:s}", "unit", rd_str(r, "unit"), "unit_name",
	    rd_str(r, "unit_name"));
	for (i = 0; i < ARRAY_SIZE(counted); i++)
		json_object_set_new(row, counted[i].column, json_integer(0));
	json_object_set_new(index, rd_str(r, "unit"), row);
	json_array_append(rows, row);
	return row;
}

/* Adds the month's problems as the data counted them per unit
 * (problem_counts: a large registry's documents never had the lists). */
static void
add_problem_counts(json_t *rows, json_t *index, const json_t *d)
{
	const json_t *r;
	json_t *row, *n;
	size_t i, j;

	json_array_foreach(json_object_get(d, "problem_counts"), i, r) {
		row = unit_problem_row(rows, index, r);
		for (j = 0; j < ARRAY_SIZE(counted); j++)
			if (strcmp(counted[j].key, "problems") == 0) {
				n = json_object_get(row, counted[j].column);
				json_integer_set(n, json_integer_value(n) + rd_int(r,
				    counted[j].sub));
			}
	}
}

/* Each unit's count of each list (units in the order of the ranking
 * table, then any other in the order the lists name them); units with
 * nothing counted are left out. */
static json_t *
unit_problem_rows(const json_t *d)
{
	json_t *rows = json_array(), *index = json_object(), *out, *row, *n;
	const json_t *list, *r;
	size_t i, j;

	json_array_foreach(json_object_get(d, "units"), i, r)
		json_object_set_new(index, rd_str(r, "key"), json_pack("{s:s, s:s}",
		    "unit", rd_str(r, "key"), "unit_name", rd_str(r, "name")));
	json_array_foreach(json_object_get(d, "units"), i, r) {
		row = json_object_get(index, rd_str(r, "key"));
		for (j = 0; j < ARRAY_SIZE(counted); j++)
			json_object_set_new(row, counted[j].column, json_integer(0));
		json_array_append(rows, row);
	}
	add_problem_counts(rows, index, d);
	for (j = 0; j < ARRAY_SIZE(counted); j++) {
		list = json_object_get(d, counted[j].key);
		if (counted[j].sub)
			list = json_object_get(list, counted[j].sub);
		json_array_foreach(list, i, r) {
			n = json_object_get(unit_problem_row(rows, index, r),
			    counted[j].column);
			json_integer_set(n, json_integer_value(n) + 1);
		}
	}
	out = json_array();
	json_array_foreach(rows, i, row)
		for (j = 0; j < ARRAY_SIZE(counted); j++)
			if (rd_int(row, counted[j].column)) {
				json_array_append(out, row);
				break;
			}
	json_decref(index);
	json_decref(rows);
	return out;
}

/* ---- the parts, marked per format ---- */

struct bulletin_marks {
	const struct doc_marks *doc;
	void (*note_line)(FILE *, const char *, bool last);   /* 附件说明 */
	void (*table)(FILE *, const json_t *, const char *,
	    const struct section *);
};

static void
body(FILE *out, const json_t *d, const struct bulletin_marks *m)
{
	const json_t *p;
	size_t i;

	json_array_foreach(json_object_get(d, "body"), i, p) {
		switch (rd_int(p, "level")) {
		case 1: m->doc->heading(out, rd_str(p, "text")); break;
		case 2: m->doc->subheading(out, rd_str(p, "text"),
			    rd_str(p, "run_on"));
			break;
		default: m->doc->para(out, rd_str(p, "text")); break;
		}
	}
}

static void
attachments(FILE *out, const json_t *d, const struct bulletin_marks *m)
{
	const json_t *list = json_object_get(d, "attachments"), *a;
	const struct section *s;
	char *label;
	size_t i;

	json_array_foreach(list, i, a) {
		if ((s = attachment_table(rd_str(a, "key"))) == NULL)
			continue;
		label = attachment_label(d, i);
		m->table(out, d, label, s);
		free(label);
	}
}

/* The appendix; a large registry's lists of problems, returns and
 * notices would be pages nobody reads: each unit's counts stand in their
 * place, where the lists of repeat offenders, unqualified accounts and
 * gaps name the accounts to act on. */
static void
appendix_tables(FILE *out, const json_t *d, const struct bulletin_marks *m)
{
	bool large = active_accounts(d) > LIST_ALL_ACCOUNTS;
	json_t *with = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(appendix); i++) {
		if (!large || !is_counted(&appendix[i])) {
			m->table(out, d, NULL, &appendix[i]);
			continue;
		}
		if (with)
			continue;
		with = json_copy((json_t *)d);
		json_object_set_new(with, "unit_problems", unit_problem_rows(d));
		m->table(out, with, NULL, &unit_problems);
	}
	json_decref(with);
}

static void
render_parts(FILE *out, const json_t *d, const struct bulletin_marks *m)
{
	const json_t *list = json_object_get(d, "attachments");
	char *line;
	size_t i;

	rd_doc_head(out, d, rd_str(d, "addressee"), m->doc);
	body(out, d, m);
	for (i = 0; i < json_array_size(list); i++) {
		line = attachment_note(d, i);
		m->note_line(out, line, i + 1 == json_array_size(list));
		free(line);
	}
	m->doc->signature(out, rd_str(d, "issuer"), rd_str(d, "issued"));
	attachments(out, d, m);
	appendix_tables(out, d, m);
	rd_doc_copies(out, d, m->doc);
}

/* The title of a table: an attachment's from the list, an appendix's
 * own ("附表：…"). */
static char *
table_title(const json_t *d, const char *label, const struct section *s)
{
	const json_t *a;
	size_t i;

	if (label == NULL)
		return xasprintf("附表：%s", s->heading);
	json_array_foreach(json_object_get(d, "attachments"), i, a)
		if (strcmp(rd_str(a, "key"), s->key) == 0)
			return xasprintf("%s　%s", label, rd_str(a, "title"));
	return xstrdup(label);
}

/* Every account's month is listed up to LIST_ALL_ACCOUNTS; beyond, the
 * table would be pages nobody reads: a sentence says where it is (the
 * CSV), and the attachments list the accounts to act on. */
static char *
summarised(const json_t *d, const struct section *s)
{
	long long n = active_accounts(d);

	if (strcmp(s->key, "accounts") != 0 || n <= LIST_ALL_ACCOUNTS)
		return NULL;
	return xasprintf("本期纳入监测的账号共%lld个，各单位情况见排名，不合格账号和"
	    "监测缺口见附件；逐个账号的发布情况见本期通报的CSV表格。", n);
}

/* ---- Markdown and plain text ---- */

static void
md_note_line(FILE *out, const char *s, bool last)
{
	fprintf(out, "%s%s", s, last ? "\n\n" : "  \n");
}

/* A table with its title, as Markdown or text mark them. */
static void
text_section(FILE *out, const json_t *d, const char *label,
    const struct section *s, const char *title_prefix,
    void (*table)(FILE *, const struct column *, size_t, const json_t *))
{
	char *title = table_title(d, label, s), *note = summarised(d, s);

	fprintf(out, "%s%s\n\n", title_prefix, title);
	if (section_intro(s))
		fprintf(out, "%s\n\n", section_intro(s));
	if (note)
		fprintf(out, "%s\n", note);
	else
		table(out, s->cols, s->n, section_rows(d, s));
	fputc('\n', out);
	free(title);
	free(note);
}

static void
md_section(FILE *out, const json_t *d, const char *label,
    const struct section *s)
{
	text_section(out, d, label, s, "## ", md_table);
}

static const struct bulletin_marks md_marks = { &md_doc_marks, md_note_line,
	md_section };

static void
txt_note_line(FILE *out, const char *s, bool last)
{
	fprintf(out, "    %s\n%s", s, last ? "\n" : "");
}

static void
txt_section(FILE *out, const json_t *d, const char *label,
    const struct section *s)
{
	text_section(out, d, label, s, "", txt_table);
}

static const struct bulletin_marks txt_marks = { &txt_doc_marks,
	txt_note_line, txt_section };

/* ---- HTML ---- */

static void
h_note_line(FILE *out, const char *s, bool last)
{
	html_tagged(out, "<p class=\"attachments\">", s, "</p>\n");
}

/* The chart of the accounts longest without update: of all accounts
 * when they are listed, else of the unqualified ones (those longest
 * without update are among them). */
static void
html_chart(FILE *out, const json_t *d)
{
	bool every = active_accounts(d) <= LIST_ALL_ACCOUNTS;
	bool truncated;
	/* the gaps are among every account's rows, never among the
	 * unqualified */
	json_t *rows = chart_rows(json_object_get(d, every ? "accounts" :
	    "unqualified"), every ? "gap" : NULL, &truncated);

	render_days_chart(out, rows, "监测时点未更新天数", truncated);
	json_decref(rows);
}

static void
h_section(FILE *out, const json_t *d, const char *label,
    const struct section *s)
{
	const json_t *rows = section_rows(d, s);
	char *title = table_title(d, label, s), *note = summarised(d, s);

	html_tagged(out, s->heading ? "<h2>" : "<h2 class=\"attachment\">",
	    title, "</h2>\n");
	if (section_intro(s))
		html_tagged(out, "<p>", section_intro(s), "</p>\n");
	if (strcmp(s->key, "accounts") == 0)
		html_chart(out, d);
	if (note)
		html_tagged(out, "<p>", note, "</p>\n");
	else
		html_table(out, s->cols, s->n, rows, "state");
	free(title);
	free(note);
}

static const struct bulletin_marks html_marks = { &html_doc_marks,
	h_note_line, h_section };

static void
bulletin_html(FILE *out, const json_t *d)
{
	char *title = xasprintf("%s %s", rd_str(d, "title"), rd_serial(d));

	html_begin(out, title);
	render_parts(out, d, &html_marks);
	html_end(out);
	free(title);
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
	case RENDER_MD: render_parts(out, d, &md_marks); break;
	case RENDER_HTML: bulletin_html(out, d); break;
	case RENDER_TXT: render_parts(out, d, &txt_marks); break;
	case RENDER_JSON: rd_json(out, d); break;
	case RENDER_CSV: bulletin_csv(out, d); break;
	case RENDER_DOCX: break;
	}
}
