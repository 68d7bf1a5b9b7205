/* test_calendar.c — the holiday calendars as data (reading a year, the
 * built-in years, the years a deadline may miss), deadlines as the end of
 * a day, and the words of the monitoring-gap mail (durations, fetch
 * errors). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/holidays.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/workdays.h"
#include "monitor/gaps.h"

static time_t
at(const char *local)
{
	time_t t;

	if (local_time_parse(local, &t) == -1)
		fail_msg("bad time %s", local);
	return t;
}

static void
a_year_file_marks_its_days_and_covers_its_year(void **state)
{
	struct workday_calendar cal = { 0 };
	const struct workday_year *y;

	assert_int_equal(holidays_read(&cal, "/etc/x/2030.txt",
	    "# a comment\r\n\n2030-10-01\tholiday\t国庆节\r\n"
	    "2030-09-29\tworkday\t国庆节\n", "here"), 0);
	assert_false(workday_is(&cal, "2030-10-01"));
	assert_true(workday_is(&cal, "2030-09-29"));       /* a Sunday */
	assert_true(workday_is(&cal, "2030-10-02"));
	y = workday_calendar_year(&cal, 2030);
	assert_non_null(y);
	assert_string_equal(y->source, "here");
	assert_null(workday_calendar_year(&cal, 2031));
	workday_calendar_free(&cal);
}

static void
a_bad_year_file_changes_nothing(void **state)
{
	static const char *const bad[] = {
		"2030-10-01\tholiday\n",                   /* two fields */
		"2030-10-01\tholiday\t国庆节\textra\n",
		"2031-10-01\tholiday\t国庆节\n",            /* another year */
		"2030-10-01\toff\t国庆节\n",
		"2030-10-01\tholiday\t\n",
		"2030-10-01\tholiday\t国庆节\n2030-10-01\tholiday\t国庆节\n",
		"2030-10-02\tworkday\t国庆节\n",            /* a Wednesday */
		"2030-02-29\tholiday\t春节\n",
		"# nothing\n",
		"2030-10-01\tholiday\t\xff\n",
	};
	struct workday_calendar cal = { 0 };
	size_t i;

	log_init("test", LOG_TARGET_PLAIN, -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (holidays_read(&cal, "2030.txt", bad[i], "x") != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(cal.n_marks, 0);
		assert_int_equal(cal.n_years, 0);
	}
	assert_int_equal(holidays_read(&cal, "calendar.txt",
	    "2030-10-01\tholiday\t国庆节\n", "x"), -1);
	workday_calendar_free(&cal);
}

static void
the_built_in_years_load(void **state)
{
	struct workday_calendar cal = { 0 };

	assert_int_equal(holidays_load(&cal, NULL), 0);
	assert_non_null(workday_calendar_year(&cal, 2025));
	assert_non_null(workday_calendar_year(&cal, 2026));
	assert_string_equal(workday_calendar_year(&cal, 2026)->source,
	    "built in");
	assert_false(workday_is(&cal, "2026-02-16"));       /* 春节, Monday */
	assert_true(workday_is(&cal, "2026-02-14"));        /* worked Saturday */
	assert_false(workday_is(&cal, "2025-10-08"));       /* 国庆节、中秋节 */
	workday_calendar_free(&cal);
}

static void
missing_years_are_the_current_and_in_december_the_next(void **state)
{
	struct workday_calendar cal = { 0 };
	int years[2];

	assert_int_equal(holidays_load(&cal, NULL), 0);
	assert_int_equal(holidays_missing(&cal, at("2026-11-30T23:59:59"),
	    years), 0);
	assert_int_equal(holidays_missing(&cal, at("2026-12-01T00:00:00"),
	    years), 1);
	assert_int_equal(years[0], 2027);
	assert_int_equal(holidays_missing(&cal, at("2028-12-31T12:00:00"),
	    years), 2);
	assert_int_equal(years[0], 2028);
	assert_int_equal(years[1], 2029);
	workday_calendar_free(&cal);
}

static void
a_deadline_is_the_end_of_its_day(void **state)
{
	struct workday_calendar cal = { 0 };

	assert_int_equal(holidays_load(&cal, NULL), 0);
	/* Wednesday 30 September 2026: 国庆节 1–7 October, 10th worked */
	assert_int_equal(workdays_deadline(&cal, at("2026-09-30T23:00:00"), 10),
	    at("2026-10-20T23:59:59"));
	assert_int_equal(workdays_deadline(&cal, at("2026-09-30T00:00:00"), 1),
	    at("2026-10-08T23:59:59"));
	workday_calendar_free(&cal);
}

static void
durations_read_in_chinese(void **state)
{
	static const struct { long long s; const char *want; } t[] = {
		{ 86400, "1天" }, { 36 * 3600, "1天12小时" }, { 5400, "1小时30分钟" },
		{ 90, "1分钟30秒" }, { 0, "0秒" }, { 14 * 86400, "14天" },
	};
	char buf[48];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		duration_format_zh(t[i].s, buf, sizeof(buf));
		assert_string_equal(buf, t[i].want);
	}
}

static void
fetch_errors_read_as_chinese_sentences(void **state)
{
	static const struct { long status; const char *error, *want; } t[] = {
		{ 404, "HTTP 404", "信息源地址不存在（HTTP 404）" },
		{ 410, "HTTP 410", "信息源地址不存在（HTTP 410）" },
		{ 403, "HTTP 403", "信息源拒绝访问（HTTP 403）" },
		{ 503, "HTTP 503", "信息源服务器出错（HTTP 503）" },
		{ 200, "not a feed: the document is <html>",
		  "该地址是网页，不是订阅源（HTML）" },
		{ 200, "not a feed: neither XML nor JSON",
		  "该地址返回的内容不是订阅源（格式无法识别）" },
		{ 0, "Could not resolve host: rss.example.gov.cn",
		  "信息源域名无法解析（DNS）" },
		{ 0, "Failed to connect to 127.0.0.1 port 9: Connection refused",
		  "无法连接信息源服务器" },
		{ 0, "Connection timed out after 10001 milliseconds",
		  "连接信息源超时" },
		{ 0, "SSL certificate problem: unable to get local issuer",
		  "与信息源的安全连接失败（TLS）" },
		{ 0, "something new", "无法访问信息源（网络错误）" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = fetch_error_text(t[i].status, t[i].error);
		assert_string_equal(s, t[i].want);
		free(s);
	}
}

/* A day read through the cache is the day iso_date_to_time() gives, the
 * first time and every time after, for more days than the table keeps;
 * an empty day or no date gives the fallback. */
static void
days_read_through_the_cache_are_the_days(void **state)
{
	struct day_times *d = day_times_new();
	char day[16];
	time_t want;
	int round, i;

	(void)state;
	for (round = 0; round < 2; round++)
		for (i = 0; i < 6000; i++) {
			want = 1577808000 + (time_t)i * 86400;   /* 2020-01-01 +i */
			date_format_local(want, day, sizeof(day));
			assert_int_equal(day_times_get(d, day, 7), want);
		}
	assert_int_equal(day_times_get(d, "", 7), 7);
	assert_int_equal(day_times_get(d, "2024-02-30", 7), 7);
	assert_int_equal(day_times_get(d, "2024-02-30", 8), 8);
	assert_int_equal(day_times_get(d, "soon", 9), 9);
	day_times_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_year_file_marks_its_days_and_covers_its_year),
		cmocka_unit_test(a_bad_year_file_changes_nothing),
		cmocka_unit_test(the_built_in_years_load),
		cmocka_unit_test(missing_years_are_the_current_and_in_december_the_next),
		cmocka_unit_test(a_deadline_is_the_end_of_its_day),
		cmocka_unit_test(durations_read_in_chinese),
		cmocka_unit_test(fetch_errors_read_as_chinese_sentences),
		cmocka_unit_test(days_read_through_the_cache_are_the_days),
	};

	if (tz_set("Asia/Shanghai") == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
