/* test_workdays.c — rectification deadlines in working days: weekends,
 * holidays, make-up working days (调休), month and year ends; and the
 * serial numbers and months the notices and bulletins use. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/timeutil.h"
#include "base/workdays.h"
#include "config/config.h"
#include "paperwork/paperwork.h"

static char *no_dates[] = { NULL };
static struct workday_calendar the_calendar;

/* A calendar of these days off, then these days worked (a day in both is
 * worked, as in the configuration); the previous one is freed. */
static const struct workday_calendar *
calendar(char **holidays, char **workdays)
{
	workday_calendar_free(&the_calendar);
	for (; *holidays; holidays++)
		assert_int_equal(workday_calendar_mark(&the_calendar, *holidays,
		    false), 0);
	for (; *workdays; workdays++)
		assert_int_equal(workday_calendar_mark(&the_calendar, *workdays,
		    true), 0);
	return &the_calendar;
}

static int
free_calendar(void **state)
{
	workday_calendar_free(&the_calendar);
	return 0;
}

static void
expect_due(const struct workday_calendar *nc, const char *from, long n,
    const char *want)
{
	char out[ISO_DATE_SIZE];

	if (workdays_add(nc, from, n, out) != 0)
		fail_msg("workdays_add(%s, %ld) failed", from, n);
	if (strcmp(out, want) != 0)
		fail_msg("workdays_add(%s, %ld) = %s, want %s", from, n, out, want);
}

static void
weekday_of_known_dates(void **state)
{
	assert_int_equal(iso_weekday("1970-01-01"), 4);
	assert_int_equal(iso_weekday("2026-03-16"), 1);
	assert_int_equal(iso_weekday("2026-03-21"), 6);
	assert_int_equal(iso_weekday("2024-02-29"), 4);
	assert_int_equal(iso_weekday("1969-12-31"), 3);
	assert_int_equal(iso_weekday("2026-02-30"), -1);
	assert_int_equal(iso_weekday("garbage"), -1);
}

static void
weekends_are_skipped(void **state)
{
	const struct workday_calendar *nc = calendar(no_dates, no_dates);

	expect_due(nc, "2026-03-16", 1, "2026-03-17");    /* Mon → Tue */
	expect_due(nc, "2026-03-20", 1, "2026-03-23");    /* Fri → Mon */
	expect_due(nc, "2026-03-21", 1, "2026-03-23");    /* Sat → Mon */
	expect_due(nc, "2026-03-22", 1, "2026-03-23");    /* Sun → Mon */
	expect_due(nc, "2026-03-16", 5, "2026-03-23");
	expect_due(nc, "2026-03-16", 10, "2026-03-30");
}

static void
the_issue_day_never_counts(void **state)
{
	const struct workday_calendar *nc = calendar(no_dates, no_dates);

	/* issued on a working day, 10 working days are two full weeks */
	expect_due(nc, "2026-03-18", 10, "2026-04-01");
}

static void
holidays_are_skipped(void **state)
{
	char *holidays[] = { "2026-10-01", "2026-10-02", "2026-10-05",
	    "2026-10-06", "2026-10-07", "2026-10-08", NULL };
	const struct workday_calendar *nc = calendar(holidays, no_dates);

	/* National Day week: Thu 1 … Thu 8 off; Fri 9 is the first day */
	expect_due(nc, "2026-09-30", 1, "2026-10-09");
	expect_due(nc, "2026-09-30", 2, "2026-10-12");
	expect_due(nc, "2026-09-29", 10, "2026-10-21");
}

static void
make_up_days_count_even_on_weekends(void **state)
{
	char *holidays[] = { "2026-10-01", "2026-10-02", NULL };
	char *workdays[] = { "2026-09-27", "2026-10-10", NULL };   /* Sun, Sat */
	const struct workday_calendar *nc = calendar(holidays, workdays);

	expect_due(nc, "2026-09-25", 1, "2026-09-27");
	expect_due(nc, "2026-09-30", 1, "2026-10-05");
	expect_due(nc, "2026-10-09", 1, "2026-10-10");
	assert_true(workday_is(nc, "2026-09-27"));
	assert_false(workday_is(nc, "2026-10-01"));
	assert_false(workday_is(nc, "2026-10-03"));
	assert_true(workday_is(nc, "2026-10-09"));
}

static void
a_day_listed_twice_is_a_working_day(void **state)
{
	char *both[] = { "2026-05-09", NULL };
	const struct workday_calendar *nc = calendar(both, both);

	assert_true(workday_is(nc, "2026-05-09"));
}

static void
deadlines_cross_month_year_and_leap_day(void **state)
{
	char *holidays[] = { "2027-01-01", NULL };
	const struct workday_calendar *nc = calendar(holidays, no_dates);

	expect_due(nc, "2026-12-30", 1, "2026-12-31");
	expect_due(nc, "2026-12-31", 1, "2027-01-04");
	expect_due(nc, "2024-02-28", 1, "2024-02-29");
	expect_due(nc, "2024-02-29", 1, "2024-03-01");
}

static void
bad_input_is_refused(void **state)
{
	const struct workday_calendar *nc = calendar(no_dates, no_dates);
	char out[ISO_DATE_SIZE] = "";

	assert_int_equal(workdays_add(nc, "2026-13-01", 1, out), -1);
	assert_int_equal(workdays_add(nc, "2026-03-16", 0, out), -1);
	assert_int_equal(workdays_add(nc, NULL, 1, out), -1);
}

static void
serials_follow_the_pattern(void **state)
{
	char *s = serial_format("〔%Y〕第%N期", 2026, 7);

	assert_string_equal(s, "〔2026〕第7期");
	free(s);
	s = serial_format("MW-%Y-%N (100%%) %Q", 2027, 12);
	assert_string_equal(s, "MW-2027-12 (100%) %Q");
	free(s);
}

static void
months_parse_and_shift_across_years(void **state)
{
	struct month m, prev;
	char buf[16];

	assert_int_equal(tz_set("Asia/Shanghai"), 0);
	assert_int_equal(month_parse("2026-01", &m), 0);
	assert_int_equal(m.end - m.start, 31 * 86400);
	month_shift(&m, -1, &prev);
	month_format(&prev, buf, sizeof(buf));
	assert_string_equal(buf, "2025-12");
	month_shift(&m, 13, &prev);
	month_format(&prev, buf, sizeof(buf));
	assert_string_equal(buf, "2027-02");
	assert_int_equal(month_parse("2026-1", &m), -1);
	assert_int_equal(month_parse("2026-13", &m), -1);
	assert_int_equal(month_parse("2026-01x", &m), -1);
}

static void
pass_rate_rounds_without_floats(void **state)
{
	char *s;

	s = pass_rate_text(7, 8);
	assert_string_equal(s, "87.5%");
	free(s);
	s = pass_rate_text(2, 3);
	assert_string_equal(s, "66.7%");
	free(s);
	s = pass_rate_text(0, 0);
	assert_string_equal(s, "—");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(weekday_of_known_dates),
		cmocka_unit_test(weekends_are_skipped),
		cmocka_unit_test(the_issue_day_never_counts),
		cmocka_unit_test(holidays_are_skipped),
		cmocka_unit_test(make_up_days_count_even_on_weekends),
		cmocka_unit_test(a_day_listed_twice_is_a_working_day),
		cmocka_unit_test(deadlines_cross_month_year_and_leap_day),
		cmocka_unit_test(bad_input_is_refused),
		cmocka_unit_test(serials_follow_the_pattern),
		cmocka_unit_test(months_parse_and_shift_across_years),
		cmocka_unit_test(pass_rate_rounds_without_floats),
	};

	return cmocka_run_group_tests(tests, NULL, free_calendar);
}
