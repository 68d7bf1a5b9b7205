/* workdays.h — working days, the one rule of every deadline.
 *
 * A working day is Monday to Friday, unless the calendar marks the day:
 * a public holiday (放假) is off, a make-up day (调休上班) is worked even
 * on a weekend.  The calendar holds the marked days and the years an
 * official arrangement covers (holidays.h loads them); a year it does not
 * cover follows the week alone.  Dates are ISO YYYY-MM-DD calendar dates;
 * only workdays_deadline() involves the configured zone. */
#ifndef MW_WORKDAYS_H
#define MW_WORKDAYS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define ISO_DATE_SIZE 11

struct workday_mark {
	long  day;                   /* days since 1970-01-01 */
	bool  work;                  /* true: 调休上班; false: 放假 */
};

struct workday_year {
	int   year;
	char *source;                /* "built in" or the file read */
};

/* Owns everything it points to; zero-initialised is an empty calendar
 * (Monday to Friday).  Free with workday_calendar_free(). */
struct workday_calendar {
	struct workday_mark *marks;  /* sorted by day, one per day */
	size_t               n_marks, cap_marks;
	struct workday_year *years;  /* covered by an official arrangement */
	size_t               n_years;
};

void workday_calendar_free(struct workday_calendar *cal);
/* Marks date (a valid ISO date) as worked or off, replacing an earlier
 * mark of the day.  -1 when date is not a valid date. */
int  workday_calendar_mark(struct workday_calendar *cal, const char *date,
         bool work);
/* Records that year is covered, its data taken from source. */
void workday_calendar_cover(struct workday_calendar *cal, int year,
         const char *source);
/* The entry of year, or NULL when no official arrangement covers it. */
const struct workday_year *workday_calendar_year(
         const struct workday_calendar *cal, int year);

/* Whether date (a valid ISO date) is a working day. */
bool workday_is(const struct workday_calendar *cal, const char *date);

/* The date n (≥ 1) working days after from: the day itself never counts,
 * so a notice issued on Friday with n = 1 is due on Monday.  Writes
 * YYYY-MM-DD into out; -1 when from is not a valid date or n < 1. */
int  workdays_add(const struct workday_calendar *cal, const char *from, long n,
         char out[ISO_DATE_SIZE]);

/* The deadline of something opened at t with n (≥ 1) working days: the
 * last second, in the configured zone, of the day n working days after
 * t's date.  Shown as a date, it is that day; it is overdue from the next
 * morning. */
time_t workdays_deadline(const struct workday_calendar *cal, time_t t, long n);

/* The last second of date in the configured zone; -1 when invalid. */
int  date_end_time(const char *date, time_t *out);

/* Weekday of an ISO date: 0 Sunday … 6 Saturday; -1 when invalid. */
int  iso_weekday(const char *date);

#endif
