/* workdays.c — working days with holidays and make-up days. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "base/workdays.h"

static int
parse_days(const char *date, long *days)
{
	int y, m, d;

	if (date == NULL || iso_date_valid(date) == -1 ||
	    sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	*days = (long)days_from_civil(y, m, d);
	return 0;
}

static void
format_days(long days, char out[ISO_DATE_SIZE])
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, ISO_DATE_SIZE, "%04d-%02d-%02d", y, m, d);
}

static int
weekday_of(long days)
{
	/* 1970-01-01 was a Thursday */
	return (int)(((days % 7) + 11) % 7);
}

int
iso_weekday(const char *date)
{
	long days;

	return parse_days(date, &days) == -1 ? -1 : weekday_of(days);
}

void
workday_calendar_free(struct workday_calendar *cal)
{
	size_t i;

	for (i = 0; i < cal->n_years; i++)
		free(cal->years[i].source);
	free(cal->years);
	free(cal->marks);
	memset(cal, 0, sizeof(*cal));
}

/* The index of day in the sorted marks, or where it would go. */
static size_t
mark_index(const struct workday_calendar *cal, long day)
{
	size_t lo = 0, hi = cal->n_marks, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cal->marks[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct workday_mark *
mark_find(const struct workday_calendar *cal, long day)
{
	size_t i = mark_index(cal, day);

	return i < cal->n_marks && cal->marks[i].day == day ?
	    &cal->marks[i] : NULL;
}

int
workday_calendar_mark(struct workday_calendar *cal, const char *date,
    bool work)
{
	size_t i;
	long day;

	if (parse_days(date, &day) == -1)
		return -1;
	i = mark_index(cal, day);
	if (i < cal->n_marks && cal->marks[i].day == day) {
		cal->marks[i].work = work;
		return 0;
	}
	if (cal->n_marks == cal->cap_marks) {
		cal->cap_marks = cal->cap_marks ? cal->cap_marks * 2 : 64;
		cal->marks = xrealloc(cal->marks,
		    cal->cap_marks * sizeof(*cal->marks));
	}
	memmove(&cal->marks[i + 1], &cal->marks[i],
	    (cal->n_marks - i) * sizeof(*cal->marks));
	cal->marks[i] = (struct workday_mark){ day, work };
	cal->n_marks++;
	return 0;
}

void
workday_calendar_cover(struct workday_calendar *cal, int year,
    const char *source)
{
	struct workday_year *y = (struct workday_year *)
	    workday_calendar_year(cal, year);

	if (y == NULL) {
		cal->years = xrealloc(cal->years,
		    (cal->n_years + 1) * sizeof(*cal->years));
		y = &cal->years[cal->n_years++];
		y->year = year;
	} else
		free(y->source);
	y->source = xstrdup(source);
}

const struct workday_year *
workday_calendar_year(const struct workday_calendar *cal, int year)
{
	size_t i;

	for (i = 0; i < cal->n_years; i++)
		if (cal->years[i].year == year)
			return &cal->years[i];
	return NULL;
}

static bool
day_is_workday(const struct workday_calendar *cal, long day)
{
	const struct workday_mark *m = mark_find(cal, day);
	int wd = weekday_of(day);

	return m != NULL ? m->work : wd >= 1 && wd <= 5;
}

bool
workday_is(const struct workday_calendar *cal, const char *date)
{
	long day;

	return parse_days(date, &day) == 0 && day_is_workday(cal, day);
}

/* The day n working days after day. */
static long
add_days(const struct workday_calendar *cal, long day, long n)
{
	while (n > 0)
		if (day_is_workday(cal, ++day))
			n--;
	return day;
}

int
workdays_add(const struct workday_calendar *cal, const char *from, long n,
    char out[ISO_DATE_SIZE])
{
	long days;

	if (n < 1 || parse_days(from, &days) == -1)
		return -1;
	format_days(add_days(cal, days, n), out);
	return 0;
}

int
date_end_time(const char *date, time_t *out)
{
	char next[ISO_DATE_SIZE];
	time_t start;
	long day;

	if (parse_days(date, &day) == -1)
		return -1;
	format_days(day + 1, next);
	if (iso_date_to_time(next, &start) == -1)
		return -1;
	*out = start - 1;
	return 0;
}

time_t
workdays_deadline(const struct workday_calendar *cal, time_t t, long n)
{
	char today[32], due[ISO_DATE_SIZE];
	time_t end = t;

	date_format_local(t, today, sizeof(today));
	if (workdays_add(cal, today, n < 1 ? 1 : n, due) == 0)
		date_end_time(due, &end);
	return end;
}
