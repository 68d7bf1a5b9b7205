/* ledger_forms.c — headings, statuses and dates as ledgers write them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/i18n.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "base/xlsx_read.h"
#include "registry/ledger_forms.h"

#define HEADINGS(...) (const char *const[]){ __VA_ARGS__, NULL }

const struct ledger_column ledger_columns[N_LEDGER_FIELDS] = {
	[LF_SEQ] = { "no", "序号", HEADINGS("#", "no.", "seq") },
	[LF_UNIT_CODE] = { "unit_code", "单位代码",
	    HEADINGS("单位编码", "责任单位代码") },
	[LF_UNIT_NAME] = { "unit_name", "单位名称",
	    HEADINGS("unit", "单位", "责任单位", "主办单位", "主管单位",
	    "开设单位", "运营单位", "开设主体", "运营主体") },
	[LF_PLATFORM] = { "platform", "平台",
	    HEADINGS("平台类型", "平台名称", "所属平台", "账号类型", "类型",
	    "媒体类型", "新媒体类型") },
	[LF_NAME] = { "name", "账号名称",
	    HEADINGS("名称", "账号", "账号昵称", "昵称", "新媒体名称",
	    "公众号名称") },
	[LF_UID] = { "platform_uid", "账号ID",
	    HEADINGS("uid", "平台账号ID", "平台ID", "账号ID号", "原始ID",
	    "微信号") },
	[LF_FEED] = { "feed_url", "订阅地址",
	    HEADINGS("feed", "RSS", "RSS地址", "订阅源") },
	[LF_OPERATOR] = { "operator", "运维人员",
	    HEADINGS("运维人", "运营人员", "维护人员", "管理员", "管理人员",
	    "负责人") },
	[LF_FILING] = { "filing_no", "备案号",
	    HEADINGS("备案编号", "备案文号") },
	[LF_OPENED] = { "opened_on", "开设日期",
	    HEADINGS("opened", "开设时间", "开通日期", "开通时间", "注册日期",
	    "注册时间", "上线时间") },
	[LF_STATUS] = { "status", "状态",
	    HEADINGS("账号状态", "运行状态", "运营状态") },
	[LF_CLOSED] = { "closed_on", "关停日期",
	    HEADINGS("closed", "注销日期", "关停时间", "注销时间") },
	[LF_NOTES] = { "notes", "备注",
	    HEADINGS("note", "说明") },
};

/* Leading and trailing ASCII spaces, U+3000 and U+00A0. */
static char *
trim_spaces(char *s)
{
	char *end;

	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if (strncmp(s, "\u3000", 3) == 0)
			s += 3;
		else if (strncmp(s, "\u00a0", 2) == 0)
			s += 2;
		else
			break;
	}
	end = s + strlen(s);
	for (;;) {
		if (end > s && strchr(" \t\r\n", end[-1]))
			end--;
		else if (end - s >= 3 && strncmp(end - 3, "\u3000", 3) == 0)
			end -= 3;
		else if (end - s >= 2 && strncmp(end - 2, "\u00a0", 2) == 0)
			end -= 2;
		else
			break;
	}
	*end = '\0';
	return s;
}

char *
ledger_cell_value(const char *text)
{
	char *copy = xstrdup(text), *v = sheet_unguard(trim_spaces(copy));

	free(copy);
	return v;
}

/* "平台*" or "＊平台" (marked as required) is 平台. */
static char *
normal_heading(const char *heading)
{
	char *copy = xstrdup(heading), *h = trim_spaces(copy), *out;
	size_t n;

	while (*h == '*' || strncmp(h, "＊", 3) == 0)
		h += *h == '*' ? 1 : 3;
	n = strlen(h);
	for (;;) {
		if (n > 0 && h[n - 1] == '*')
			n--;
		else if (n >= 3 && strncmp(h + n - 3, "＊", 3) == 0)
			n -= 3;
		else
			break;
	}
	h[n] = '\0';
	out = xstrdup(trim_spaces(h));
	free(copy);
	return out;
}

int
ledger_field_of_heading(const char *heading)
{
	char *h = normal_heading(heading);
	const char *const *a;
	int f, found = -1;

	for (f = 0; f < N_LEDGER_FIELDS && found == -1; f++) {
		if (strcasecmp(h, ledger_columns[f].key) == 0 ||
		    strcasecmp(h, ledger_columns[f].heading) == 0)
			found = f;
		for (a = ledger_columns[f].aliases; *a && found == -1; a++)
			if (strcasecmp(h, *a) == 0)
				found = f;
	}
	free(h);
	return found;
}

int
ledger_field_of_key(const char *name)
{
	int f;

	for (f = 0; f < N_LEDGER_FIELDS; f++)
		if (strcmp(name, ledger_columns[f].key) == 0)
			return f;
	return -1;
}

static const struct {
	const char *status;
	const char *const *words;        /* the first is what export writes */
} status_words[] = {
	{ "active", HEADINGS("在用", "正常", "运行", "运行中", "正常运行",
	    "使用中", "启用", "开通") },
	{ "suspended", HEADINGS("暂停", "停用", "暂停使用", "暂停更新",
	    "停更") },
	{ "closed", HEADINGS("关停", "注销", "已关停", "已注销", "关闭",
	    "已关闭") },
	{ "merged", HEADINGS("整合", "已整合", "合并", "已合并") },
};

const char *
ledger_status_parse(const char *word)
{
	const char *const *w;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(status_words); i++) {
		if (strcasecmp(word, status_words[i].status) == 0)
			return status_words[i].status;
		for (w = status_words[i].words; *w; w++)
			if (strcmp(word, *w) == 0)
				return status_words[i].status;
	}
	return NULL;
}

const char *
ledger_status_word(const char *status)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(status_words); i++)
		if (strcmp(status, status_words[i].status) == 0)
			return status_words[i].words[0];
	return status;
}

/* Up to max digits (at least one) as a number. */
static bool
read_number(const char **p, int max, int *out)
{
	int n = 0, v = 0;

	while (n < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (*(*p)++ - '0');
		n++;
	}
	*out = v;
	return n > 0;
}

/* A time after the date ("2019/3/5 0:00:00", Excel's CSV): digits, colons
 * and a fraction only. */
static bool
time_tail(const char *p)
{
	if (*p == '\0')
		return true;
	if (*p != ' ' && *p != 'T')
		return false;
	for (p++; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != ':' && *p != '.')
			return false;
	return true;
}

/* 2019-03-05, 2019/3/5, 2019.3.5, 2019年3月5日 (or 号). */
static bool
written_date(const char *p, int *y, int *m, int *d)
{
	const char *sep2;
	char sep;

	if (!read_number(&p, 4, y) || *y < 1000)
		return false;
	if (strncmp(p, "年", 3) == 0) {
		p += 3;
		if (!read_number(&p, 2, m) || strncmp(p, "月", 3) != 0)
			return false;
		p += 3;
		if (!read_number(&p, 2, d))
			return false;
		if (strncmp(p, "日", 3) == 0 || strncmp(p, "号", 3) == 0)
			p += 3;
		return time_tail(p);
	}
	if ((sep = *p) != '-' && sep != '/' && sep != '.')
		return false;
	p++;
	if (!read_number(&p, 2, m))
		return false;
	sep2 = p;
	if (*sep2 != sep)
		return false;
	p++;
	return read_number(&p, 2, d) && time_tail(p);
}

static bool
all_digits(const char *s, size_t *n, bool *fraction)
{
	const char *p = s;

	*fraction = false;
	while (isdigit((unsigned char)*p))
		p++;
	*n = (size_t)(p - s);
	if (*p == '.' && isdigit((unsigned char)p[1])) {
		*fraction = true;
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	return *n > 0 && *p == '\0';
}

static const char date_forms[] = N_("is not a date (write it 2019-03-05, "
    "2019/3/5, 2019.3.5 or 2019年3月5日)");

const char *
ledger_date_parse(const char *text, enum cell_kind kind, bool date1904,
    char *out)
{
	char serial[32];
	size_t n;
	bool fraction;
	int y, m, d;

	if (kind == CELL_DATE && strlen(text) >= 10) {
		snprintf(out, 11, "%.10s", text);
		return iso_date_valid(out) == 0 ? NULL : date_forms;
	}
	if (all_digits(text, &n, &fraction) && n == 8 && !fraction) {
		/* 20190305 */
		snprintf(out, 11, "%.4s-%.2s-%.2s", text, text + 4, text + 6);
		return iso_date_valid(out) == 0 ? NULL : N_("is not a real "
		    "calendar date");
	}
	if (all_digits(text, &n, &fraction) && n <= 7) {
		if (xlsx_serial_date(strtod(text, NULL), kind == CELL_NUMBER &&
		    date1904, serial, sizeof(serial)) == -1)
			return N_("is no day as an Excel serial number");
		snprintf(out, 11, "%.10s", serial);
		return NULL;
	}
	if (!written_date(text, &y, &m, &d))
		return date_forms;
	/* y has 4 digits, m and d at most 2 (read_number) */
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000,
	    (unsigned)m % 100, (unsigned)d % 100);
	return iso_date_valid(out) == 0 ? NULL : N_("is not a real calendar date");
}
