/* workdays.c — working days with holidays and make-up days. */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/workdays.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): calendar arithmetic must not depend on TZ or DST. */
static long
days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
parse_days(const char *date, long *days)
{
	int y, m, d;

	if (date == NULL || iso_date_valid(date) == -1 ||
	    sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

static void
format_days(long days, char out[ISO_DATE_SIZE])
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, ISO_DATE_SIZE, "%04d-%02d-%02d", y, m, d);
}

static bool
listed(char *const *list, const char *date)
{
	for (; list && *list; list++)
		if (strcmp(*list, date) == 0)
			return true;
	return false;
}

int
iso_weekday(const char *date)
{
	long days;

	if (parse_days(date, &days) == -1)
		return -1;
	/* 1970-01-01 was a Thursday */
	return (int)(((days % 7) + 11) % 7);
}

bool
workday_is(const struct workday_calendar *cal, const char *date)
{
	int wd;

	if (listed(cal->workdays, date))
		return true;
	if (listed(cal->holidays, date))
		return false;
	wd = iso_weekday(date);
	return wd >= 1 && wd <= 5;
}

int
workdays_add(const struct workday_calendar *cal, const char *from, long n,
    char out[ISO_DATE_SIZE])
{
	char buf[ISO_DATE_SIZE];
	long days;

	if (n < 1 || parse_days(from, &days) == -1)
		return -1;
	while (n > 0) {
		format_days(++days, buf);
		if (workday_is(cal, buf))
			n--;
	}
	memcpy(out, buf, ISO_DATE_SIZE);
	return 0;
}
