/* dateparse.c — feed dates, read leniently but never guessed.
 *
 * Three shapes cover what feeds write, each after an optional weekday:
 * day first (RFC 822 and 850: "Sat, 05 Nov 2022 10:30:00 +0800"), month
 * first (Java's Date.toString() "Sat Nov 05 10:30:00 CST 2022", JavaScript's
 * "Sat Nov 05 2022 10:30:00 GMT+0800 (中国标准时间)", asctime(), "Nov 5,
 * 2022 10:30 AM") and year first (RFC 3339, the Chinese "2022-11-05 10:30",
 * "2022年11月5日 10时30分", with a weekday such as "星期六" or "（周六）"
 * after the date or the time).  A text that fits none, names a day the
 * calendar does not have, or names a zone that cannot be placed is refused:
 * an undated entry is honest, a wrong date is not. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "poll/dateparse.h"

#define HALF_YEAR	(182 * 86400L)

/* What the text says, before it becomes a time. */
struct when {
	int		 year, mon, day;	/* mon 1-12 */
	int		 hour, min, sec;
	char		 meridiem;		/* 'A', 'P' or 0 */
	bool		 has_offset;		/* offset is known */
	long		 offset;		/* seconds east of UTC */
	const char	*zone;			/* a name to place, or NULL */
	size_t		 zone_len;
};

static const char *
skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static bool
skip_mark(const char **p, const char *mark)
{
	size_t n = strlen(mark);

	if (strncmp(*p, mark, n) != 0)
		return false;
	*p += n;
	return true;
}

/* The first of marks (NULL-terminated) that starts at *p is skipped. */
static bool
skip_any(const char **p, const char *const *marks)
{
	for (; *marks != NULL; marks++)
		if (skip_mark(p, *marks))
			return true;
	return false;
}

static size_t
alpha_len(const char *p)
{
	size_t n = 0;

	while (isalpha((unsigned char)p[n]))
		n++;
	return n;
}

/* Reads a run of min to max digits; a longer run is not a number we know. */
static int
read_num(const char **p, int min, int max, int *out)
{
	const char *s = *p;
	int n, v = 0;

	for (n = 0; n < max && isdigit((unsigned char)s[n]); n++)
		v = v * 10 + (s[n] - '0');
	if (n < min || isdigit((unsigned char)s[n]))
		return -1;
	*p = s + n;
	*out = v;
	return 0;
}

/* ---- weekdays: read to be skipped; a wrong one is not worth refusing
 * the date for ---- */

/* "Sat", "Sat.", "Thurs", "Saturday": a day's name or its start. */
static bool
skip_english_weekday(const char **p)
{
	static const char *const names[] = { "monday", "tuesday", "wednesday",
	    "thursday", "friday", "saturday", "sunday" };
	size_t i, n = alpha_len(*p);

	for (i = 0; n >= 3 && i < ARRAY_SIZE(names); i++)
		if (n <= strlen(names[i]) && strncasecmp(*p, names[i], n) == 0) {
			*p += n;
			return true;
		}
	return false;
}

/* 星期五, 周五, 礼拜天 … */
static bool
skip_chinese_weekday(const char **p)
{
	static const char *const prefixes[] = { "星期", "礼拜", "禮拜", "周",
	    "週", NULL };
	static const char *const days[] = { "一", "二", "三", "四", "五", "六",
	    "日", "天", NULL };
	const char *q = *p;

	if (!skip_any(&q, prefixes) || !skip_any(&q, days))
		return false;
	*p = q;
	return true;
}

/* A weekday, bare or in (full-width) parentheses, with a comma after it. */
static bool
skip_weekday(const char **p)
{
	static const char *const open[] = { "(", "（", NULL };
	static const char *const close[] = { ")", "）", NULL };
	const char *q = *p;
	bool paren = skip_any(&q, open);

	q = skip_space(q);
	if (!skip_chinese_weekday(&q) && !skip_english_weekday(&q))
		return false;
	q = skip_space(q);
	if (paren && !skip_any(&q, close))
		return false;
	if (*q == ',' || *q == '.')
		q++;
	*p = skip_space(q);
	return true;
}

/* ---- the time of day ---- */

/* 上午/下午 before the clock, AM/PM after it. */
static bool
read_meridiem(const char **p, struct when *w)
{
	const char *q = *p;

	if (skip_mark(&q, "上午"))
		w->meridiem = 'A';
	else if (skip_mark(&q, "下午"))
		w->meridiem = 'P';
	else if ((toupper((unsigned char)q[0]) == 'A' ||
	    toupper((unsigned char)q[0]) == 'P') &&
	    toupper((unsigned char)q[1]) == 'M' &&
	    !isalpha((unsigned char)q[2])) {
		w->meridiem = (char)toupper((unsigned char)q[0]);
		q += 2;
	} else
		return false;
	*p = skip_space(q);
	return true;
}

/* 10时30分15秒, 10点30分, 10时: minutes and seconds may be left out. */
static int
read_chinese_clock(const char **p, struct when *w)
{
	static const char *const hour_marks[] = { "时", "時", "点", "點", NULL };

	if (!skip_any(p, hour_marks))
		return -1;
	if (read_num(p, 1, 2, &w->min) == -1)
		return 0;
	skip_mark(p, "分");
	if (read_num(p, 1, 2, &w->sec) == 0 && !skip_mark(p, "秒"))
		return -1;
	return 0;
}

static bool
skip_colon(const char **p)
{
	if (**p == ':') {
		++*p;
		return true;
	}
	return skip_mark(p, "：");
}

/* HH:MM[:SS[.fraction]] or the Chinese clock; the fraction is dropped. */
static int
read_clock(const char **p, struct when *w)
{
	if (read_num(p, 1, 2, &w->hour) == -1)
		return -1;
	if (!skip_colon(p))
		return read_chinese_clock(p, w);
	if (read_num(p, 2, 2, &w->min) == -1)
		return -1;
	if (skip_colon(p) && read_num(p, 2, 2, &w->sec) == -1)
		return -1;
	if ((**p == '.' || **p == ',') && isdigit((unsigned char)(*p)[1]))
		for (++*p; isdigit((unsigned char)**p); ++*p)
			;
	return 0;
}

/* [上午|下午] clock [AM|PM] */
static int
read_time_of_day(const char **p, struct when *w)
{
	bool before = read_meridiem(p, w);
	const char *q;

	if (read_clock(p, w) == -1)
		return -1;
	q = skip_space(*p);
	if (!before && read_meridiem(&q, w))
		*p = q;
	return 0;
}

/* ---- zones ---- */

/* +hh, +hhmm or +hh:mm. */
static int
read_offset(const char **p, struct when *w)
{
	const char *start;
	int sign = **p == '-' ? -1 : 1, v, hh, mm = 0;

	start = ++*p;
	if (read_num(p, 1, 4, &v) == -1)
		return -1;
	if (*p - start <= 2) {
		hh = v;
		if (**p == ':') {
			++*p;
			if (read_num(p, 2, 2, &mm) == -1)
				return -1;
		}
	} else {
		hh = v / 100;
		mm = v % 100;
	}
	if (hh > 23 || mm > 59)
		return -1;
	w->offset += sign * (hh * 3600L + mm * 60L);
	w->has_offset = true;
	return 0;
}

static bool
is_name(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* Names that mean UTC everywhere; GMT+8 and UTC+08:00 add an offset. */
static bool
is_utc_name(const char *s, size_t n)
{
	return is_name(s, n, "GMT") || is_name(s, n, "UTC") ||
	    is_name(s, n, "UT") || is_name(s, n, "Z");
}

/* Go prints its zone name after the offset ("+0800 CST"); the offset says
 * it all.  Only an upper-case abbreviation is taken for such a label. */
static void
skip_offset_label(const char **p)
{
	const char *q = skip_space(*p);
	size_t n = alpha_len(q), i;

	if (n < 2 || n > 5)
		return;
	for (i = 0; i < n; i++)
		if (!isupper((unsigned char)q[i]))
			return;
	*p = q + n;
}

/* An optional zone: an offset, "北京时间", or a name, which is placed once
 * the date is known (see zone_offset). */
static int
read_zone(const char **p, struct when *w)
{
	size_t n;

	if (**p == '+' || **p == '-') {
		if (read_offset(p, w) == -1)
			return -1;
		skip_offset_label(p);
		return 0;
	}
	if (skip_mark(p, "北京时间") || skip_mark(p, "北京時間")) {
		w->offset = 8 * 3600L;
		w->has_offset = true;
		return 0;
	}
	if ((n = alpha_len(*p)) == 0)
		return 0;
	if (is_utc_name(*p, n)) {
		w->has_offset = true;
		*p += n;
		return **p == '+' || **p == '-' ? read_offset(p, w) : 0;
	}
	w->zone = *p;
	w->zone_len = n;
	*p += n;
	return 0;
}

/* "(中国标准时间)", "（北京时间）" or Java's "[Asia/Shanghai]": a comment. */
static const char *
skip_comment(const char *p)
{
	static const struct { const char *open, *close; } pairs[] = {
		{ "(", ")" }, { "（", "）" }, { "[", "]" },
	};
	const char *q;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		if (str_has_prefix(p, pairs[i].open) &&
		    (q = strstr(p, pairs[i].close)) != NULL)
			return skip_space(q + strlen(pairs[i].close));
	return p;
}

/* An optional zone, an optional comment, then the end of the text. */
static int
read_zone_and_end(const char *p, struct when *w)
{
	p = skip_space(p);
	if (read_zone(&p, w) == -1)
		return -1;
	p = skip_comment(skip_space(p));
	return *p == '\0' ? 0 : -1;
}

/* ---- the three shapes ---- */

static int
read_month_name(const char **p, int *mon)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	const char *s = *p;
	int i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(s, names + 3 * i, 3) == 0)
			break;
	if (i == 12)
		return -1;
	for (s += 3; isalpha((unsigned char)*s); s++)
		;
	if (*s == '.')		/* "Sept." */
		s++;
	*p = s;
	*mon = i + 1;
	return 0;
}

/* RFC 822 kept 2-digit years; RFC 2822 reads 00-49 as 20xx, 3 digits as
 * 1900 + n. */
static int
read_rfc822_year(const char **p, int *year)
{
	const char *start = *p;

	if (read_num(p, 2, 4, year) == -1)
		return -1;
	if (*p - start == 2)
		*year += *year < 50 ? 2000 : 1900;
	else if (*p - start == 3)
		*year += 1900;
	return 0;
}

/* Spaces, or the '-' of RFC 850 ("05-Nov-22"). */
static const char *
skip_field_sep(const char *p)
{
	return *p == '-' ? p + 1 : skip_space(p);
}

/* DD Mon YYYY [HH:MM[:SS]] [zone] */
static int
parse_day_first(const char *p, struct when *w)
{
	if (read_num(&p, 1, 2, &w->day) == -1)
		return -1;
	p = skip_field_sep(p);
	if (read_month_name(&p, &w->mon) == -1)
		return -1;
	p = skip_field_sep(p);
	if (read_rfc822_year(&p, &w->year) == -1)
		return -1;
	p = skip_space(p);
	if (isdigit((unsigned char)*p) && read_time_of_day(&p, w) == -1)
		return -1;
	return read_zone_and_end(p, w);
}

/* Mon DD, then either YYYY [time] [zone] (JavaScript, "Nov 5, 2022 10:30
 * AM") or time [zone] YYYY (Java's Date.toString(), asctime()). */
static int
parse_month_first(const char *p, struct when *w)
{
	const char *q;

	if (read_month_name(&p, &w->mon) == -1)
		return -1;
	p = skip_space(p);
	if (read_num(&p, 1, 2, &w->day) == -1)
		return -1;
	if (*p == ',')
		p++;
	p = skip_space(p);
	q = p;
	if (read_num(&q, 4, 4, &w->year) == 0) {
		p = skip_space(*q == ',' ? q + 1 : q);
		if (isdigit((unsigned char)*p) && read_time_of_day(&p, w) == -1)
			return -1;
		return read_zone_and_end(p, w);
	}
	if (read_time_of_day(&p, w) == -1)
		return -1;
	p = skip_space(p);
	if (read_zone(&p, w) == -1)
		return -1;
	p = skip_space(p);
	if (read_num(&p, 4, 4, &w->year) == -1)
		return -1;
	return *skip_space(p) == '\0' ? 0 : -1;
}

/* YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or YYYY年MM月DD日 (or 号), then
 * optionally a weekday, a time after 'T' or spaces, a weekday and a zone. */
static int
parse_year_first(const char *p, struct when *w)
{
	static const char *const day_marks[] = { "日", "号", "號", NULL };
	char sep;

	if (read_num(&p, 4, 4, &w->year) == -1)
		return -1;
	if (skip_mark(&p, "年")) {
		if (read_num(&p, 1, 2, &w->mon) == -1 ||
		    !skip_mark(&p, "月") ||
		    read_num(&p, 1, 2, &w->day) == -1)
			return -1;
		skip_any(&p, day_marks);
	} else {
		sep = *p;
		if (sep == '\0' || strchr("-/.", sep) == NULL)
			return -1;
		p++;
		if (read_num(&p, 1, 2, &w->mon) == -1 || *p++ != sep ||
		    read_num(&p, 1, 2, &w->day) == -1)
			return -1;
	}
	if (*p == 'T' || *p == 't')
		p++;
	else {
		p = skip_space(p);
		skip_weekday(&p);
		/* a bare date takes no zone: only a time of day has one */
		if (*p == '\0')
			return 0;
	}
	if (read_time_of_day(&p, w) == -1)
		return -1;
	p = skip_space(p);
	skip_weekday(&p);
	return read_zone_and_end(p, w);
}

/* ---- from the fields to a time ---- */

static bool
zone_named(const struct tm *tm, const char *name, size_t n)
{
	return tm->tm_zone != NULL && is_name(name, n, tm->tm_zone);
}

/* The configured zone's offset where it calls itself name at about t
 * (within half a year: "CST" in a July date of America/Chicago). */
static bool
configured_zone_offset(time_t t, const char *name, size_t n, long *offset)
{
	const time_t around[] = { t, t - HALF_YEAR, t + HALF_YEAR };
	struct tm tm;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(around); i++)
		if (localtime_r(&around[i], &tm) != NULL &&
		    zone_named(&tm, name, n)) {
			*offset = tm.tm_gmtoff;
			return true;
		}
	return false;
}

/* Abbreviations that name one offset wherever a feed is written.  CST
 * (China, US Central, Cuba), IST (India, Ireland, Israel), BST and AST are
 * not here: only the configured zone can say what they mean. */
static bool
known_zone_offset(const char *name, size_t n, long *offset)
{
	static const struct { const char *name; int minutes; } zones[] = {
		/* RFC 822 */
		{ "EST", -300 }, { "EDT", -240 }, { "CDT", -300 },
		{ "MST", -420 }, { "MDT", -360 },
		{ "PST", -480 }, { "PDT", -420 },
		/* Asia and the Pacific */
		{ "BJT", 480 }, { "HKT", 480 }, { "SGT", 480 }, { "MYT", 480 },
		{ "PHT", 480 }, { "AWST", 480 }, { "JST", 540 }, { "KST", 540 },
		{ "WIB", 420 }, { "ICT", 420 }, { "WITA", 480 }, { "WIT", 540 },
		{ "ACST", 570 }, { "ACDT", 630 }, { "AEST", 600 },
		{ "AEDT", 660 }, { "NZST", 720 }, { "NZDT", 780 },
		/* Europe */
		{ "WET", 0 }, { "WEST", 60 }, { "CET", 60 }, { "CEST", 120 },
		{ "EET", 120 }, { "EEST", 180 }, { "MSK", 180 },
		/* the rest of North America */
		{ "AKST", -540 }, { "AKDT", -480 }, { "HST", -600 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zones); i++)
		if (is_name(name, n, zones[i].name)) {
			*offset = zones[i].minutes * 60L;
			return true;
		}
	return false;
}

/* A zone name, placed: the configured zone when it uses the name about
 * the time the text names (local), else the table; RFC 2822 reads the
 * military letters as UTC.  Else -1. */
static int
place_zone(struct when *w, time_t local)
{
	long offset;

	if (w->zone_len == 1)
		offset = 0;
	else if (!configured_zone_offset(local, w->zone, w->zone_len,
	    &offset) && !known_zone_offset(w->zone, w->zone_len, &offset))
		return -1;
	w->offset = offset;
	w->has_offset = true;
	return 0;
}

/* timegm() would turn 31 November into 1 December. */
static bool
day_exists(const struct when *w)
{
	return w->day <= days_in_month(w->year, w->mon);
}

/* The date and time as UTC, by arithmetic: timegm() costs more than all
 * the rest of reading a date.  Second 60 (a leap second) carries over. */
static time_t
utc_seconds(const struct when *w)
{
	return (time_t)(days_from_civil(w->year, w->mon, w->day) * 86400 +
	    w->hour * 3600LL + w->min * 60LL + w->sec);
}

/* 12-hour clocks: 12 AM is midnight; a PM hour past 12 is taken as
 * written ("下午15:30"), an AM one is a contradiction. */
static int
apply_meridiem(struct when *w)
{
	if (w->meridiem == 0)
		return 0;
	if (w->hour > 12)
		return w->meridiem == 'P' ? 0 : -1;
	if (w->meridiem == 'A' && w->hour == 12)
		w->hour = 0;
	else if (w->meridiem == 'P' && w->hour < 12)
		w->hour += 12;
	return 0;
}

static int
when_to_time(struct when *w, time_t *out)
{
	struct tm tm = { 0 };
	time_t utc, local;

	/* second 60 is a leap second; utc_seconds() carries it over */
	if (apply_meridiem(w) == -1 || w->year < 1900 || w->mon < 1 ||
	    w->mon > 12 || w->day < 1 || w->hour > 23 || w->min > 59 ||
	    w->sec > 60 || !day_exists(w))
		return -1;
	tm.tm_year = w->year - 1900;
	tm.tm_mon = w->mon - 1;
	tm.tm_mday = w->day;
	tm.tm_hour = w->hour;
	tm.tm_min = w->min;
	tm.tm_sec = w->sec;
	utc = utc_seconds(w);
	/* an offset says it all; mktime() is dear (it re-reads TZ each time) */
	if (w->has_offset && w->zone == NULL) {
		*out = utc - w->offset;
		return 0;
	}
	tm.tm_isdst = -1;
	local = mktime(&tm);
	if (w->zone != NULL && (local == (time_t)-1 ||
	    place_zone(w, local) == -1))
		return -1;
	if (w->has_offset)
		*out = utc - w->offset;
	else if (local == (time_t)-1)
		return -1;
	else
		*out = local;
	return 0;
}

int
date_parse(const char *text, time_t *out)
{
	struct when w = { 0 };
	const char *p;
	int rc;

	if (text == NULL)
		return -1;
	p = skip_space(text);
	skip_weekday(&p);
	if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]))
		rc = parse_year_first(p, &w);
	else if (isdigit((unsigned char)*p))
		rc = parse_day_first(p, &w);
	else
		rc = parse_month_first(p, &w);
	if (rc == -1)
		return -1;
	return when_to_time(&w, out);
}
