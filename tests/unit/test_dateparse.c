/* test_dateparse.c — date_parse(): the date forms feeds write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "base/timeutil.h"
#include "poll/dateparse.h"

/* 2022-11-05 10:30:00 in Asia/Shanghai, the instant most cases name */
#define T_1030_CN	1667615400LL
/* 2022-11-05 10:30:00 UTC */
#define T_1030_UTC	1667644200LL
/* 2024-01-05 10:30:00 in Asia/Shanghai, the examples */
#define T_0105_1030_CN	1704421800LL
#define T_0105_1030_UTC	(T_0105_1030_CN + 8 * 3600)
/* 2024-07-05 10:30:00 UTC */
#define T_0705_1030_UTC	1720175400LL

struct date_case {
	const char	*text;
	long long	 want;
};

static void
assert_dates(const struct date_case *cases, size_t n)
{
	time_t got;
	size_t i;

	for (i = 0; i < n; i++) {
		got = 0;
		if (date_parse(cases[i].text, &got) == -1)
			fail_msg("\"%s\" was not read", cases[i].text);
		if ((long long)got != cases[i].want)
			fail_msg("\"%s\": got %lld, want %lld", cases[i].text,
			    (long long)got, cases[i].want);
	}
}

static void
assert_refused(const char *const *texts, size_t n)
{
	time_t got;
	size_t i;

	for (i = 0; i < n; i++) {
		got = 12345;
		if (date_parse(texts[i], &got) != -1)
			fail_msg("\"%s\" was read as %lld", texts[i],
			    (long long)got);
		assert_int_equal(got, 12345);
	}
}

static int
setup_shanghai(void **state)
{
	return tz_set("Asia/Shanghai");
}

static void
test_rfc822_named_zones_use_rfc822_offsets(void **state)
{
	static const struct date_case cases[] = {
		{ "Sat, 05 Nov 2022 10:30:00 GMT", T_1030_UTC },
		{ "Sat, 05 Nov 2022 10:30:00 UT", T_1030_UTC },
		{ "Sat, 05 Nov 2022 10:30:00 UTC", T_1030_UTC },
		{ "Sat, 05 Nov 2022 10:30:00 Z", T_1030_UTC },
		{ "Sat, 05 Nov 2022 10:30:00 gmt", T_1030_UTC },
		{ "Sat, 05 Nov 2022 10:30:00 EST", T_1030_UTC + 5 * 3600 },
		{ "Sat, 05 Nov 2022 10:30:00 EDT", T_1030_UTC + 4 * 3600 },
		{ "Sat, 05 Nov 2022 10:30:00 CDT", T_1030_UTC + 5 * 3600 },
		{ "Sat, 05 Nov 2022 10:30:00 MST", T_1030_UTC + 7 * 3600 },
		{ "Sat, 05 Nov 2022 10:30:00 MDT", T_1030_UTC + 6 * 3600 },
		{ "Sat, 05 Nov 2022 10:30:00 PST", T_1030_UTC + 8 * 3600 },
		{ "Sat, 05 Nov 2022 10:30:00 PDT", T_1030_UTC + 7 * 3600 },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

/* "CST" is China Standard Time on a Chinese feed and US Central on an
 * American one: the configured zone decides, and where it does not use the
 * name the date is refused rather than read 14 hours off. */
static void
test_cst_follows_the_configured_zone(void **state)
{
	static const struct date_case shanghai[] = {
		{ "Sat, 05 Nov 2022 10:30:00 CST", T_1030_CN },
		{ "Fri, 05 Jan 2024 10:30:00 CST", T_0105_1030_CN },
		{ "Fri Jan 05 10:30:00 CST 2024", T_0105_1030_CN },
		{ "2024-01-05 10:30:00 CST", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 10:30:00 cst", T_0105_1030_CN },
		/* China kept daylight time 1986-1991: CST is still +0800 */
		{ "Fri, 01 Jul 1988 10:30:00 CST", 583727400 },
	};
	static const struct date_case chicago[] = {
		{ "Fri, 05 Jan 2024 10:30:00 CST", T_0105_1030_UTC + 6 * 3600 },
		/* a July date written in standard time: still -0600 */
		{ "Fri, 05 Jul 2024 10:30:00 CST", T_0705_1030_UTC + 6 * 3600 },
		{ "Fri, 05 Jul 2024 10:30:00 CDT", T_0705_1030_UTC + 5 * 3600 },
	};
	static const struct date_case taipei[] = {
		{ "Fri, 05 Jan 2024 10:30:00 CST", T_0105_1030_CN },
	};
	static const char *const utc[] = {
		"Fri, 05 Jan 2024 10:30:00 CST",
		"Fri Jan 05 10:30:00 CST 2024",
	};

	assert_dates(shanghai, sizeof(shanghai) / sizeof(shanghai[0]));
	assert_int_equal(tz_set("America/Chicago"), 0);
	assert_dates(chicago, sizeof(chicago) / sizeof(chicago[0]));
	assert_int_equal(tz_set("Asia/Taipei"), 0);
	assert_dates(taipei, 1);
	assert_int_equal(tz_set("UTC"), 0);
	assert_refused(utc, 2);
	assert_int_equal(tz_set("Asia/Shanghai"), 0);
}

/* Names that mean one offset wherever they are written. */
static void
test_unambiguous_zone_names_come_from_the_table(void **state)
{
	static const struct date_case cases[] = {
		{ "Fri, 05 Jan 2024 11:30:00 JST", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 11:30:00 KST", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 10:30:00 HKT", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 10:30:00 SGT", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 10:30:00 BJT", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 10:30:00 AWST", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 09:30:00 ICT", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 13:30:00 AEDT", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 03:30:00 CET", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 04:30:00 EET", T_0105_1030_CN },
		{ "Fri, 05 Jan 2024 05:30:00 MSK", T_0105_1030_CN },
		{ "Thu, 04 Jan 2024 21:30:00 EST", T_0105_1030_CN },
		{ "Fri Jan 05 11:30:00 JST 2024", T_0105_1030_CN },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

/* An unknown name used to become the configured zone silently: JST an
 * hour off.  A name that is neither the configured zone's nor in the
 * table leaves the entry undated. */
static void
test_unknown_and_ambiguous_zone_names_are_refused(void **state)
{
	static const char *const texts[] = {
		"Fri, 05 Jan 2024 10:30:00 XYZ",
		"Fri, 05 Jan 2024 10:30:00 IST",	/* India, Ireland, Israel */
		"Fri, 05 Jan 2024 10:30:00 BST",	/* British, Bangladesh */
		"Fri, 05 Jan 2024 10:30:00 AST",	/* Atlantic, Arabia */
		"Fri Jan 05 10:30:00 XYZ 2024",
		"2024-01-05 10:30:00 XYZ",
	};
	static const struct date_case kolkata[] = {
		{ "Fri, 05 Jan 2024 08:00:00 IST", T_0105_1030_CN },
	};

	assert_refused(texts, sizeof(texts) / sizeof(texts[0]));
	assert_int_equal(tz_set("Asia/Kolkata"), 0);
	assert_dates(kolkata, 1);
	assert_int_equal(tz_set("Asia/Shanghai"), 0);
}

static void
test_rfc822_numeric_zones(void **state)
{
	static const struct date_case cases[] = {
		{ "Sat, 05 Nov 2022 10:30:00 +0800", T_1030_CN },
		{ "Sat, 05 Nov 2022 10:30:00 +0000", T_1030_UTC },
		{ "Sat, 05 Nov 2022 10:30:00 -0000", T_1030_UTC },
		{ "Sat, 05 Nov 2022 10:30:00 -0500", T_1030_UTC + 5 * 3600 },
		{ "Sat, 05 Nov 2022 10:30:00 +0545", 1667623500 },
		{ "Sat, 05 Nov 2022 10:30:00 -0930", 1667678400 },
		{ "Sat, 05 Nov 2022 10:30:00 +08:00", T_1030_CN },
		{ "Sat, 05 Nov 2022 10:30:00 GMT+0800", T_1030_CN },
		{ "Sat, 05 Nov 2022 10:30:00 GMT+8", T_1030_CN },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_rfc822_two_digit_years_below_50_are_20xx(void **state)
{
	static const struct date_case cases[] = {
		{ "Sat, 05 Nov 22 10:30:00 +0800", T_1030_CN },
		{ "Fri, 05 Nov 49 10:30:00 +0800", 2519692200 },
		{ "Sun, 05 Nov 50 10:30:00 +0800", -604531800 },
		{ "Fri, 05 Nov 99 10:30:00 +0800", 941769000 },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_rfc822_weekday_and_seconds_are_optional(void **state)
{
	static const struct date_case cases[] = {
		{ "05 Nov 2022 10:30:00 +0800", T_1030_CN },
		{ "Sat, 05 Nov 2022 10:30 +0800", T_1030_CN },
		{ "5 Nov 2022 10:30 +0800", T_1030_CN },
		{ "Sat 05 Nov 2022 10:30:00 +0800", T_1030_CN },
		{ "Saturday, 05 November 2022 10:30:00 +0800", T_1030_CN },
		/* a wrong weekday is not worth refusing the date for */
		{ "Mon, 05 Nov 2022 10:30:00 +0800", T_1030_CN },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_rfc822_tolerates_extra_whitespace_and_comment(void **state)
{
	static const struct date_case cases[] = {
		{ "  Sat,  5 Nov  2022   10:30:00   +0800  ", T_1030_CN },
		{ "\n\tSat, 05 Nov 2022 10:30:00 +0800\n", T_1030_CN },
		{ "Sat, 05 Nov 2022 10:30:00 +0800 (CST)", T_1030_CN },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_rfc822_military_letter_is_utc(void **state)
{
	static const struct date_case cases[] = {
		{ "Sat, 05 Nov 2022 10:30:00 A", T_1030_UTC },
		{ "Sat, 05 Nov 2022 10:30:00 Y", T_1030_UTC },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_rfc822_without_zone_is_configured_zone(void **state)
{
	static const struct date_case cases[] = {
		{ "Sat, 05 Nov 2022 10:30:00", T_1030_CN },
		{ "Sat, 05 Nov 2022", T_1030_CN - (10 * 3600 + 30 * 60) },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_iso8601_offsets_z_and_fractions(void **state)
{
	static const struct date_case cases[] = {
		{ "2022-11-05T10:30:00+08:00", T_1030_CN },
		{ "2022-11-05T02:30:00Z", T_1030_CN },
		{ "2022-11-05T02:30:00z", T_1030_CN },
		{ "2022-11-05T02:30:00.123456Z", T_1030_CN },
		{ "2022-11-05T10:30:00,5+08:00", T_1030_CN },
		{ "2022-11-05T10:30:00+0800", T_1030_CN },
		{ "2022-11-05T10:30:00+08", T_1030_CN },
		{ "2022-11-04T21:30:00-05:00", T_1030_CN },
		{ "2022-11-05T10:30+08:00", T_1030_CN },
		{ "2022-11-05 10:30:00+08:00", T_1030_CN },
		{ "2022-11-05 10:30:00 +0800", T_1030_CN },
		{ "2022-11-05T10:30:00 GMT", T_1030_UTC },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_iso8601_without_zone_is_configured_zone(void **state)
{
	static const struct date_case cases[] = {
		{ "2022-11-05T10:30:00", T_1030_CN },
		{ "2022-11-05T10:30:00.999", T_1030_CN },
		{ "2022-11-05T10:30", T_1030_CN },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_chinese_forms_are_read_in_configured_zone(void **state)
{
	static const struct date_case cases[] = {
		{ "2022-11-05 10:30:00", T_1030_CN },
		{ "2022-11-05 10:30", T_1030_CN },
		{ "2022/11/05 10:30", T_1030_CN },
		{ "2022/11/05 10:30:00", T_1030_CN },
		{ "2022/11/5 10:30", T_1030_CN },
		{ "2022.11.05 10:30", T_1030_CN },
		{ "2022年11月5日 10:30", T_1030_CN },
		{ "2022年11月05日 10:30:00", T_1030_CN },
		{ "2022年11月5日10:30", T_1030_CN },
		{ "2022-11-5 9:05", T_1030_CN - (85 * 60) },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_bare_dates_are_midnight_in_configured_zone(void **state)
{
	static const struct date_case cases[] = {
		{ "2022-11-05", 1667577600 },
		{ "2022/11/05", 1667577600 },
		{ "2022/11/5", 1667577600 },
		{ "2022年11月05日", 1667577600 },
		{ "2022年11月5日", 1667577600 },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_zone_less_dates_follow_tz_set_and_dst(void **state)
{
	static const struct date_case new_york[] = {
		{ "2022-07-01 10:30:00", 1656685800 },		/* EDT */
		{ "2022-11-07 10:30:00", 1667835000 },		/* EST */
	};
	static const struct date_case utc[] = {
		{ "2022-11-05 10:30:00", T_1030_UTC },
	};

	assert_int_equal(tz_set("America/New_York"), 0);
	assert_dates(new_york, 2);
	assert_int_equal(tz_set("UTC"), 0);
	assert_dates(utc, 1);
	assert_int_equal(tz_set("Asia/Shanghai"), 0);
}

static void
test_leap_days_and_leap_seconds_are_accepted(void **state)
{
	static const struct date_case cases[] = {
		{ "2024-02-29T12:00:00+08:00", 1709179200 },
		{ "Thu, 29 Feb 2024 12:00:00 +0800", 1709179200 },
		{ "2016-12-31T23:59:60Z", 1483228800 },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_impossible_dates_are_refused(void **state)
{
	static const char *const texts[] = {
		"2022-11-31 10:30:00",
		"2022-02-29",
		"2022-13-01",
		"2022-00-10",
		"2022-11-00",
		"2022-11-05 24:00:00",
		"2022-11-05 10:60:00",
		"2022-11-05 10:30:61",
		"2022-11-05T10:30:00+24:00",
		"2022-11-05T10:30:00+08:60",
		"Wed, 31 Nov 2022 10:30:00 +0800",
		"Sat, 05 Nov 2022 25:30:00 +0800",
		"2022年13月5日",
		"2022年2月30日",
	};

	assert_refused(texts, sizeof(texts) / sizeof(texts[0]));
}

/* Java's Date.toString(), common on Java CMSes, and its neighbours:
 * asctime() and Java with an offset for a zone without a name. */
static void
test_java_date_tostring_and_asctime(void **state)
{
	static const struct date_case cases[] = {
		{ "Fri Jan 05 10:30:00 CST 2024", T_0105_1030_CN },
		{ "Fri Jan 5 10:30:00 CST 2024", T_0105_1030_CN },
		{ "Fri Jan 05 10:30:00 GMT+08:00 2024", T_0105_1030_CN },
		{ "Fri Jan 05 02:30:00 UTC 2024", T_0105_1030_CN },
		{ "Fri Jan 05 02:30:00 GMT 2024", T_0105_1030_CN },
		{ "Fri Jan  5 10:30:00 2024", T_0105_1030_CN },	/* asctime */
		{ "Jan 05 10:30:00 CST 2024", T_0105_1030_CN },
		{ "  Fri Jan 05 10:30:00 CST 2024\n", T_0105_1030_CN },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

/* JavaScript's Date.prototype.toString(), and the US month-first forms of
 * Java's DateFormat and of toLocaleString(). */
static void
test_javascript_date_tostring_and_month_first_forms(void **state)
{
	static const struct date_case cases[] = {
		{ "Fri Jan 05 2024 10:30:00 GMT+0800 (中国标准时间)",
		    T_0105_1030_CN },
		{ "Fri Jan 05 2024 10:30:00 GMT+0800 (China Standard Time)",
		    T_0105_1030_CN },
		{ "Fri Jan 05 2024 10:30:00 GMT+0800 (CST)", T_0105_1030_CN },
		{ "Fri Jan 05 2024 10:30:00 GMT+0800", T_0105_1030_CN },
		{ "Fri Jan 05 2024 02:30:00 GMT+0000 (Coordinated Universal "
		    "Time)", T_0105_1030_CN },
		{ "Fri Jan 05 2024 10:30:00", T_0105_1030_CN },
		{ "Fri Jan 05 2024", T_0105_1030_CN - (10 * 3600 + 30 * 60) },
		{ "Jan 5, 2024 10:30:00 AM", T_0105_1030_CN },
		{ "Jan 5, 2024, 10:30 AM", T_0105_1030_CN },
		{ "January 5, 2024 10:30 am", T_0105_1030_CN },
		{ "Jan 4, 2024 10:30:00 PM", T_0105_1030_CN - 12 * 3600 },
		{ "Jan 5, 2024 12:30:00 AM", T_0105_1030_CN - 10 * 3600 },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

/* 时/点/分/秒 clocks, 上午/下午, 号, full-width colons, 北京时间, and Java's
 * FULL style for Locale.CHINA. */
static void
test_chinese_clock_marks_and_half_days(void **state)
{
	static const struct date_case cases[] = {
		{ "2024年01月05日 10时30分", T_0105_1030_CN },
		{ "2024年1月5日 10时30分15秒", T_0105_1030_CN + 15 },
		{ "2024年1月5日10时30分", T_0105_1030_CN },
		{ "2024年1月5日 10點30分", T_0105_1030_CN },
		{ "2024年1月5日 10点30分", T_0105_1030_CN },
		{ "2024年1月5日 10时30", T_0105_1030_CN },
		{ "2024年1月5日 10时", T_0105_1030_CN - 30 * 60 },
		{ "2024-01-05 10时30分", T_0105_1030_CN },
		{ "2024年1月5号 10:30", T_0105_1030_CN },
		{ "2024-01-05 10：30：00", T_0105_1030_CN },
		{ "2024年1月5日 上午10:30", T_0105_1030_CN },
		{ "2024/1/5 上午10:30:00", T_0105_1030_CN },
		{ "2024年1月4日 下午10:30", T_0105_1030_CN - 12 * 3600 },
		{ "2024年1月4日 下午22:30", T_0105_1030_CN - 12 * 3600 },
		{ "2024年1月5日 上午12:30", T_0105_1030_CN - 10 * 3600 },
		{ "2024-01-05 10:30 AM", T_0105_1030_CN },
		{ "2024年1月5日 星期五 上午10时30分00秒 CST", T_0105_1030_CN },
		{ "2024年1月5日 上午10时30分00秒", T_0105_1030_CN },
		{ "2024-01-05 10:30 北京时间", T_0105_1030_CN },
		{ "2024-01-05 10:30:00（北京时间）", T_0105_1030_CN },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

/* A weekday after the date or after the time; a wrong one does not make
 * the date unreadable. */
static void
test_weekday_after_the_date_or_the_time(void **state)
{
	static const struct date_case cases[] = {
		{ "2024-01-05 10:30:00 星期五", T_0105_1030_CN },
		{ "2024-01-05 周五 10:30", T_0105_1030_CN },
		{ "2024-01-05(周五) 10:30", T_0105_1030_CN },
		{ "2024-01-05 （星期五） 10:30", T_0105_1030_CN },
		{ "2024年1月5日（星期五）10:30", T_0105_1030_CN },
		{ "2024年1月5日 星期五", T_0105_1030_CN - (10 * 3600 + 30 * 60) },
		{ "2024-01-05 礼拜五 10:30", T_0105_1030_CN },
		{ "2024-01-05 週五 10:30", T_0105_1030_CN },
		{ "2024-01-05 10:30 周五 +0800", T_0105_1030_CN },
		{ "2024-01-05 Fri 10:30", T_0105_1030_CN },
		{ "2024-01-05 周日 10:30", T_0105_1030_CN },
		{ "星期五 2024-01-05 10:30", T_0105_1030_CN },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Go's time.Time.String(), Java's ZonedDateTime and java.sql.Timestamp,
 * and RFC 850 (old HTTP dates). */
static void
test_go_java_and_rfc850_forms(void **state)
{
	static const struct date_case cases[] = {
		{ "2024-01-05 10:30:00 +0800 CST", T_0105_1030_CN },
		{ "2024-01-05 10:30:00.123456789 +0800 CST", T_0105_1030_CN },
		{ "2024-01-05 02:30:00 +0000 UTC", T_0105_1030_CN },
		{ "2024-01-05T10:30+08:00[Asia/Shanghai]", T_0105_1030_CN },
		{ "2024-01-05T10:30:00.000+08:00[Asia/Shanghai]", T_0105_1030_CN },
		{ "2024-01-05 10:30:00.0", T_0105_1030_CN },
		{ "Friday, 05-Jan-24 02:30:00 GMT", T_0105_1030_CN },
		{ "05-Jan-2024 10:30:00 +0800", T_0105_1030_CN },
	};

	assert_dates(cases, sizeof(cases) / sizeof(cases[0]));
}

/* The new forms' near misses stay unreadable. */
static void
test_near_misses_of_the_new_forms_are_refused(void **state)
{
	static const char *const texts[] = {
		"Fri Jan 05 10:30:00 CST",		/* Java without a year */
		"Fri Jan 05 10:30:00 CST 2024 x",
		"Fri Jan 05 10:30:00 CST 24",
		"Fri Jan 05 2024 10:30:00 GMT+0800 (中国标准时间",
		"Jan 2024",
		"Foo, 05 Jan 2024 10:30:00 +0800",
		"2024年1月5日 10时30分15",		/* seconds without 秒 */
		"2024年1月5日 10时30分15秒 多余",
		"2024年1月5日 上午13:30",		/* a morning 13 o'clock */
		"2024-01-05 星期八 10:30",
		"2024-01-05 （周五 10:30",
		"2024-01-05 周五周五 10:30",
		"2024-01-05 10:30 AMX",
		"2024-01-05 10:30:00 +0800 cst",	/* a label is upper case */
		"2024-01-05 10:30:00 +0800 CST extra",
		"上午",
		"星期五",
	};

	assert_refused(texts, sizeof(texts) / sizeof(texts[0]));
}

/* DESIGN rule 6: what cannot be read is no date, never "now". */
static void
test_unreadable_text_is_refused_never_now(void **state)
{
	static const char *const texts[] = {
		"", "   ", "昨天", "N/A", "now", "2022", "2022-11",
		"20221105", "1667615400", "Sat, 05 Nov", "05 Foo 2022 10:30",
		"2022-11-05 10:30:00 +0800 trailing", "2022-11-05x",
		"2022-11-05Z", "2022-11-05T",
		"2022-11/05", "2022-11-05 10", "2022-11-05 10:3",
		"Sat, 05 Nov 2022 10:30:00 +08000", "12022-11-05",
	};
	time_t t;

	assert_refused(texts, sizeof(texts) / sizeof(texts[0]));
	assert_int_equal(date_parse(NULL, &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc822_named_zones_use_rfc822_offsets),
		cmocka_unit_test(test_cst_follows_the_configured_zone),
		cmocka_unit_test(
		    test_unambiguous_zone_names_come_from_the_table),
		cmocka_unit_test(
		    test_unknown_and_ambiguous_zone_names_are_refused),
		cmocka_unit_test(test_rfc822_numeric_zones),
		cmocka_unit_test(test_rfc822_two_digit_years_below_50_are_20xx),
		cmocka_unit_test(test_rfc822_weekday_and_seconds_are_optional),
		cmocka_unit_test(
		    test_rfc822_tolerates_extra_whitespace_and_comment),
		cmocka_unit_test(test_rfc822_military_letter_is_utc),
		cmocka_unit_test(test_rfc822_without_zone_is_configured_zone),
		cmocka_unit_test(test_iso8601_offsets_z_and_fractions),
		cmocka_unit_test(test_iso8601_without_zone_is_configured_zone),
		cmocka_unit_test(test_chinese_forms_are_read_in_configured_zone),
		cmocka_unit_test(
		    test_bare_dates_are_midnight_in_configured_zone),
		cmocka_unit_test(test_zone_less_dates_follow_tz_set_and_dst),
		cmocka_unit_test(test_leap_days_and_leap_seconds_are_accepted),
		cmocka_unit_test(test_impossible_dates_are_refused),
		cmocka_unit_test(test_java_date_tostring_and_asctime),
		cmocka_unit_test(
		    test_javascript_date_tostring_and_month_first_forms),
		cmocka_unit_test(test_chinese_clock_marks_and_half_days),
		cmocka_unit_test(test_weekday_after_the_date_or_the_time),
		cmocka_unit_test(test_go_java_and_rfc850_forms),
		cmocka_unit_test(test_near_misses_of_the_new_forms_are_refused),
		cmocka_unit_test(test_unreadable_text_is_refused_never_now),
	};

	return cmocka_run_group_tests(tests, setup_shanghai, NULL);
}
