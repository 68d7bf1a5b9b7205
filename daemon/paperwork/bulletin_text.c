/* bulletin_text.c — the monthly bulletin's title, dates and words. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "paperwork/bulletin_text.h"
#include "paperwork/render.h"

static const char *const numerals[] = {
	"一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
};

/* ---- the header ---- */

static void
set_period(json_t *d, const struct period *p)
{
	char from[CN_DATE_SIZE], last[CN_DATE_SIZE], check[CN_DATE_SIZE + 8];
	char began[CN_DATE_SIZE];

	date_cn(p->from, from, sizeof(from));
	date_cn(p->m->end - 1, last, sizeof(last));
	date_cn(p->began, began, sizeof(began));
	if (p->check < p->m->end - 1)
		time_cn(p->check, check, sizeof(check));
	else
		snprintf(check, sizeof(check), "%s24时", last);
	json_object_set_new(d, "period", json_pack("[ss]", from, last));
	json_object_set_new(d, "monitoring_began", json_string(began));
	json_object_set_new(d, "partial", json_boolean(p->from > p->m->start));
	json_object_set_new(d, "check_time", json_string(check));
	json_object_set_new(d, "complete", json_boolean(p->check >= p->m->end - 1));
}

void
bulletin_set_header(json_t *d, const struct config *cfg,
    const struct period *p, time_t now)
{
	char month[16], *title;

	month_format(p->m, month, sizeof(month));
	title = xasprintf("关于%d年%d月政务新媒体监测情况的通报", p->m->year,
	    p->m->mon);
	json_object_set_new(d, "kind", json_string("bulletin"));
	json_object_set_new(d, "title", json_string(title));
	json_object_set_new(d, "serial", json_string(""));
	json_object_set_new(d, "year", json_null());
	json_object_set_new(d, "sequence", json_null());
	json_object_set_new(d, "month", json_string(month));
	set_document_frame(d, cfg, now);
	json_object_set_new(d, "addressee", json_string(cfg->document.addressee));
	set_period(d, p);
	json_object_set_new(d, "repeat_months",
	    json_integer(cfg->notice.repeat_months));
	json_object_set_new(d, "rectify_days",
	    json_integer(cfg->notice.rectify_days));
	free(title);
}

/* ---- paragraphs ---- */

static void
para(json_t *body, int level, const char *text, const char *run_on)
{
	json_array_append_new(body, json_pack("{s:i, s:s, s:s}", "level", level,
	    "text", text, "run_on", run_on ? run_on : ""));
}

/* A paragraph of built text, given to the body and freed. */
static void
para_take(json_t *body, char *text)
{
	para(body, 0, text, NULL);
	free(text);
}

/* A run-on subheading and its built text, both freed. */
static void
sub_take(json_t *body, char *heading, char *text)
{
	para(body, 2, heading, text);
	free(heading);
	free(text);
}

static void
heading(json_t *body, int *n, const char *text)
{
	char *h = xasprintf("%s、%s", numerals[*n % 10], text);

	para(body, 1, h, NULL);
	free(h);
	(*n)++;
}

/* "（一）" headings count within their section. */
static char *
subheading(int *n, const char *text)
{
	return xasprintf("（%s）%s", numerals[(*n)++ % 10], text);
}

/* ---- attachments: numbered as they are present ---- */

static void
attach(json_t *d, const char *key, const char *title)
{
	json_array_append_new(json_object_get(d, "attachments"),
	    json_pack("{s:s, s:s}", "key", key, "title", title));
}

/* "附件2", or "附件" when there is one only. */
static char *
attachment_ref(const json_t *d, const char *key)
{
	const json_t *list = json_object_get(d, "attachments"), *a;
	size_t i;

	json_array_foreach(list, i, a)
		if (strcmp(rd_str(a, "key"), key) == 0)
			return json_array_size(list) == 1 ? xstrdup("附件") :
			    xasprintf("附件%zu", i + 1);
	return xstrdup("附件");
}

static void
set_attachments(json_t *d)
{
	const json_t *s = json_object_get(d, "summary");

	json_object_set_new(d, "attachments", json_array());
	if (json_array_size(json_object_get(d, "ranking")))
		attach(d, "ranking", "各单位政务新媒体监测情况及排名");
	if (json_array_size(json_object_get(d, "orders")))
		attach(d, "orders", "各单位整改工单办理情况");
	if (rd_int(s, "unqualified"))
		attach(d, "unqualified", "不合格政务新媒体账号名单");
	if (rd_int(s, "gaps"))
		attach(d, "gaps", "监测缺口账号名单");
}

/* ---- 一、总体情况 ---- */

static char *
period_sentence(const json_t *d)
{
	const json_t *period = json_object_get(d, "period");
	const char *from = json_string_value(json_array_get(period, 0));
	const char *last = json_string_value(json_array_get(period, 1));

	if (json_is_true(json_object_get(d, "partial")))
		return xasprintf("本期监测时段为%s至%s（监测自%s开始，此前时段未纳入"
		    "本期通报），监测时点为%s。", from, last,
		    rd_str(d, "monitoring_began"), rd_str(d, "check_time"));
	return xasprintf("本期监测时段为%s至%s，监测时点为%s。", from, last,
	    rd_str(d, "check_time"));
}

static void
accounts_sentence(struct strbuf *sb, const json_t *d)
{
	const json_t *s = json_object_get(d, "summary");
	long long judged = rd_int(s, "accounts"), gaps = rd_int(s, "gaps");

	if (judged + gaps == 0) {
		sb_puts(sb, "本期无在册正常运行的政务新媒体账号。");
		return;
	}
	sb_printf(sb, "在册正常运行的政务新媒体账号%lld个，", judged + gaps);
	if (gaps)
		sb_printf(sb, "其中纳入合格率统计%lld个：", judged);
	sb_printf(sb, "合格%lld个，不合格%lld个，合格率%s", rd_int(s, "qualified"),
	    rd_int(s, "unqualified"), rd_str(s, "pass_rate"));
	if (gaps) {
		char *ref = attachment_ref(d, "gaps");

		sb_printf(sb, "；另有%lld个账号因监测缺口暂无法核实更新情况，不计入"
		    "合格率（见%s）", gaps, ref);
		free(ref);
	}
	sb_printf(sb, "。本期共发布信息%lld条。", rd_int(s, "posts"));
}

/* How the units answered: their work orders (工单) and notices. */
static void
orders_sentence(struct strbuf *sb, const json_t *s)
{
	if (rd_int(s, "orders") + rd_int(s, "orders_on_time") +
	    rd_int(s, "orders_late") + rd_int(s, "orders_returned") +
	    rd_int(s, "orders_open") + rd_int(s, "notices_overdue") == 0)
		return;
	sb_printf(sb, "本期各单位收到整改工单%lld个，按期在线回复%lld个，逾期回复"
	    "%lld个，回复被退回%lld个；截至监测时点未办结%lld个，其中逾期未回复"
	    "%lld个", rd_int(s, "orders"), rd_int(s, "orders_on_time"),
	    rd_int(s, "orders_late"), rd_int(s, "orders_returned"),
	    rd_int(s, "orders_open"), rd_int(s, "orders_overdue"));
	if (rd_int(s, "notices_overdue"))
		sb_printf(sb, "；逾期未回复的点对点通报%lld份",
		    rd_int(s, "notices_overdue"));
	sb_puts(sb, "。");
}

static char *
overview(const json_t *d)
{
	const json_t *s = json_object_get(d, "summary");
	struct strbuf sb = STRBUF_INIT;
	char *period = period_sentence(d);

	sb_puts(&sb, period);
	accounts_sentence(&sb, d);
	sb_printf(&sb, "本期新增问题%lld个", rd_int(s, "problems_opened"));
	if (rd_int(s, "problems_escalated"))
		sb_printf(&sb, "（其中由超期未更新升级为长期未更新%lld个）",
		    rd_int(s, "problems_escalated"));
	sb_printf(&sb, "，销号%lld个，截至监测时点逾期未整改%lld个；下发点对点"
	    "通报%lld份。", rd_int(s, "problems_closed"),
	    rd_int(s, "problems_overdue"), rd_int(s, "notices"));
	orders_sentence(&sb, s);
	free(period);
	return sb_steal(&sb);
}

static char *
explanation(const json_t *d)
{
	return xasprintf("统计口径：合格率＝未出现单项否决问题（超期未更新、长期未更新、"
	    "严重表述错误）的账号数÷纳入统计的账号数；监测时点前2周内无更新的账号"
	    "判定为不合格；因监测缺口无法核实更新情况的账号不计入统计。同一单位同类"
	    "问题连续%lld个月出现的，列入年度绩效考核扣分名单。",
	    rd_int(d, "repeat_months"));
}

/* ---- 二、各单位情况 ---- */

/* Up to TIED_NAMED units sharing a rate are named; more are summed up
 * after the first TIED_SHOWN, as an office writes it (甲、乙、丙等12个单位):
 * a region's hundreds of units would make one long sentence. */
#define TIED_NAMED 5
#define TIED_SHOWN 3

/* The ranked units whose pass rate is that of the unit at index at,
 * "、" between: ties of the rate whatever the rank that breaks them. */
static char *
units_at_rate(const json_t *ranking, size_t at, const char **rate)
{
	struct strbuf sb = STRBUF_INIT;
	const json_t *u;
	size_t i, tied = 0, named = 0;

	*rate = rd_str(json_array_get(ranking, at), "pass_rate");
	json_array_foreach(ranking, i, u)
		tied += strcmp(rd_str(u, "pass_rate"), *rate) == 0;
	json_array_foreach(ranking, i, u) {
		if (strcmp(rd_str(u, "pass_rate"), *rate) != 0)
			continue;
		if (tied > TIED_NAMED && named == TIED_SHOWN)
			break;
		sb_printf(&sb, "%s%s", named++ ? "、" : "", rd_str(u, "name"));
	}
	if (tied > TIED_NAMED)
		sb_printf(&sb, "等%zu个单位", tied);
	return sb_steal(&sb);
}

static char *
ranking_text(const json_t *d)
{
	const json_t *ranking = json_object_get(d, "ranking");
	const char *top_rate = "", *low_rate = "";
	char *top = units_at_rate(ranking, 0, &top_rate), *low, *ref, *text;

	ref = attachment_ref(d, "ranking");
	low = units_at_rate(ranking, json_array_size(ranking) - 1, &low_rate);
	if (strcmp(top_rate, low_rate) == 0)
		text = xasprintf("各单位账号合格率及排名见%s。各单位合格率均为%s。",
		    ref, top_rate);
	else
		text = xasprintf("各单位账号合格率及排名见%s。其中，%s合格率最高"
		    "（%s）；%s合格率最低（%s）。", ref, top, top_rate, low,
		    low_rate);
	free(low);
	free(top);
	free(ref);
	if (json_array_size(json_object_get(d, "orders"))) {
		char *with;

		ref = attachment_ref(d, "orders");
		with = xasprintf("%s排名相同的，按逾期未回复、逾期回复、回复被退回"
		    "的数量从少到多排列。各单位整改工单办理情况见%s。", text, ref);
		free(text);
		free(ref);
		text = with;
	}
	return text;
}

/* ---- 三、存在问题 ---- */

static char *
unqualified_text(const json_t *d)
{
	const json_t *s = json_object_get(d, "summary");
	long long dormant = rd_int(s, "unqualified_dormant");
	long long stale = rd_int(s, "unqualified_stale");
	long long serious = rd_int(s, "unqualified_serious");
	struct strbuf sb = STRBUF_INIT;
	char *ref;

	if (rd_int(s, "unqualified") == 0)
		return xstrdup("本期未发现不合格账号。");
	sb_printf(&sb, "本期不合格账号%lld个，其中", rd_int(s, "unqualified"));
	if (dormant)
		sb_printf(&sb, "长期未更新%lld个、", dormant);
	if (stale)
		sb_printf(&sb, "超期未更新%lld个、", stale);
	if (serious)
		sb_printf(&sb, "存在严重表述错误%lld个、", serious);
	sb.len -= strlen("、");
	sb.buf[sb.len] = '\0';
	ref = attachment_ref(d, "unqualified");
	sb_printf(&sb, "（名单见%s）。", ref);
	free(ref);
	return sb_steal(&sb);
}

/* Adds s to a list joined with "、", unless seen has it already. */
static void
join_once(struct strbuf *sb, json_t *seen, const char *s)
{
	if (json_object_get(seen, s))
		return;
	json_object_set_new(seen, s, json_true());
	sb_printf(sb, "%s%s", sb->len ? "、" : "", s);
}

/* Adds the units of rows to a list joined by "、", each once: their
 * name_key, where count_key is NULL or counts some. */
static void
join_units(struct strbuf *sb, json_t *seen, const json_t *rows,
    const char *name_key, const char *count_key)
{
	const json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (count_key == NULL || rd_int(r, count_key))
			join_once(sb, seen, rd_str(r, name_key));
}

/* The units with unqualified accounts, in the order of the units, which
 * is the unqualified list's: read from the units' counts, not from every
 * unqualified account's row. */
static char *
unqualified_units(const json_t *d)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *seen = json_object();

	join_units(&sb, seen, json_object_get(d, "units"), "name",
	    "unqualified");
	json_decref(seen);
	return sb_steal(&sb);
}

static char *
offenders_text(const json_t *d)
{
	const json_t *rows = json_object_get(d, "repeat_offenders"), *r;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	json_array_foreach(rows, i, r)
		sb_printf(&sb, "%s%s（%s，%s）", i ? "；" : "", rd_str(r, "unit_name"),
		    rd_str(r, "kind"), rd_str(r, "months_text"));
	sb_printf(&sb, "同一类问题已连续%lld个月以上出现，列入年度绩效考核扣分"
	    "名单。", rd_int(d, "repeat_months"));
	return sb_steal(&sb);
}

/* The units that left work orders or notices unanswered past their
 * deadline: "A（整改工单2个、点对点通报1份）、B（整改工单1个）". */
static char *
late_units(const json_t *d)
{
	const json_t *o;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	json_array_foreach(json_object_get(d, "orders"), i, o) {
		long long w = rd_int(o, "orders_overdue");
		long long n = rd_int(o, "notices_overdue");

		if (w + n == 0)
			continue;
		sb_printf(&sb, "%s%s（", sb.len ? "、" : "", rd_str(o, "unit_name"));
		if (w)
			sb_printf(&sb, "整改工单%lld个", w);
		if (n)
			sb_printf(&sb, "%s点对点通报%lld份", w ? "、" : "", n);
		sb_puts(&sb, "）");
	}
	return sb_steal(&sb);
}

/* The units with problems overdue at the check time, listed or counted
 * (problem_counts). */
static char *
overdue_units(const json_t *d)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *seen = json_object();

	join_units(&sb, seen, json_object_get(json_object_get(d, "problems"),
	    "overdue"), "unit_name", NULL);
	join_units(&sb, seen, json_object_get(d, "problem_counts"), "unit_name",
	    "overdue");
	json_decref(seen);
	return sb_steal(&sb);
}

static void
problems_section(json_t *body, const json_t *d)
{
	long long overdue = rd_int(json_object_get(d, "summary"),
	    "problems_overdue");
	char *units;
	int n = 0;

	sub_take(body, subheading(&n, "不合格账号。"), unqualified_text(d));
	if (overdue) {
		units = overdue_units(d);
		sub_take(body, subheading(&n, "逾期未整改问题。"), xasprintf(
		    "截至监测时点，%s共有%lld个问题超过整改期限仍未整改。", units,
		    overdue));
		free(units);
	}
	units = late_units(d);
	if (*units)
		sub_take(body, subheading(&n, "逾期未回复。"), xasprintf("截至监测"
		    "时点，%s超过期限仍未在线回复整改情况。", units));
	free(units);
	if (json_array_size(json_object_get(d, "repeat_offenders")))
		sub_take(body, subheading(&n, "同类问题连续出现。"),
		    offenders_text(d));
}

/* ---- 四、监测缺口 ---- */

static char *
gap_reasons(const json_t *gaps)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *seen = json_object();
	const json_t *g;
	size_t i;

	json_array_foreach(gaps, i, g) {
		const char *why = rd_str(g, "reasons");

		/* "订阅源自…起无法访问" differ by date: one reason */
		if (strstr(why, "无法访问"))
			why = "订阅源无法访问";
		join_once(&sb, seen, why);
	}
	json_decref(seen);
	return sb_steal(&sb);
}

static char *
gap_text(const json_t *d, const struct config *cfg)
{
	const json_t *gaps = json_object_get(d, "gaps");
	char *why = gap_reasons(gaps), *ref = attachment_ref(d, "gaps");
	char *text;

	text = xasprintf("%zu个账号因%s，本期无法核实更新情况。此类情况属监测"
	    "缺口，不作不合格认定，不计入合格率，由%s核实处理（名单见%s）。",
	    json_array_size(gaps), why, cfg->notice.issuer, ref);
	free(why);
	free(ref);
	return text;
}

/* ---- 五、工作要求 ---- */

static void
requirements(json_t *body, const json_t *d, const struct config *cfg)
{
	const json_t *s = json_object_get(d, "summary");
	char *units;
	int n = 0;

	if (rd_int(s, "unqualified") || rd_int(s, "problems_overdue")) {
		units = unqualified_units(d);
		sub_take(body, subheading(&n, "限期整改。"), xasprintf("请%s对照"
		    "不合格账号名单和问题清单，于%s前（%lld个工作日内）完成整改，并"
		    "通过政务新媒体监测平台逐项在线回复整改措施、完成时间和责任人，附"
		    "佐证材料；确无能力维护的账号，请按照国办发〔2018〕123号文件要求予"
		    "以关停或整合，并向主管部门办理备案。", *units ? units : "相关单位",
		    rd_str(d, "due"), rd_int(d, "rectify_days")));
		free(units);
	}
	sub_take(body, subheading(&n, "落实日常管理。"), xstrdup("严格落实“三审"
	    "三校”制度，明确专人负责账号日常运维，确保账号更新及时、内容准确。"));
	sub_take(body, subheading(&n, "规范账号备案。"), xasprintf("新开设、变更、"
	    "关停、注销政务新媒体账号的，请及时向%s备案。", cfg->notice.issuer));
}

/* ---- the whole ---- */

static char *
intro(const json_t *d, const struct config *cfg)
{
	const char *month = rd_str(d, "month");

	return xasprintf("根据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕"
	    "19号）和政务新媒体监管工作要求，%s对在册政务新媒体账号的更新情况开展"
	    "日常监测。现将%.4s年%d月监测情况通报如下。", cfg->notice.issuer,
	    month, atoi(month + 5));
}

static void
body_sections(json_t *body, const json_t *d, const struct config *cfg)
{
	int n = 0;

	para_take(body, intro(d, cfg));
	heading(body, &n, "总体情况");
	para_take(body, overview(d));
	para_take(body, explanation(d));
	if (json_array_size(json_object_get(d, "ranking"))) {
		heading(body, &n, "各单位情况");
		para_take(body, ranking_text(d));
	}
	heading(body, &n, "存在问题");
	problems_section(body, d);
	if (json_array_size(json_object_get(d, "gaps"))) {
		heading(body, &n, "监测缺口");
		para_take(body, gap_text(d, cfg));
	}
	heading(body, &n, "工作要求");
	requirements(body, d, cfg);
}

void
bulletin_set_text(json_t *d, const struct config *cfg, time_t now)
{
	const json_t *s = json_object_get(d, "summary");
	json_t *body = json_array();

	set_due(d, cfg, now, rd_int(s, "unqualified") ||
	    rd_int(s, "problems_overdue"));
	set_attachments(d);
	body_sections(body, d, cfg);
	json_object_set_new(d, "body", body);
}
