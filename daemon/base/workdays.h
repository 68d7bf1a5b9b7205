/* workdays.h — working-day arithmetic for rectification deadlines.
 *
 * A working day is Monday to Friday, unless notice.holidays lists it, or
 * any day that notice.workdays lists (调休 make-up days).  Dates are ISO
 * YYYY-MM-DD calendar dates; no time zone is involved. */
#ifndef MW_WORKDAYS_H
#define MW_WORKDAYS_H

#include <stdbool.h>

#define ISO_DATE_SIZE 11

/* The days that break the Monday-to-Friday rule; both lists borrowed,
 * NULL-terminated (or NULL). */
struct workday_calendar {
	char *const *holidays;       /* weekdays off (法定节假日) */
	char *const *workdays;       /* weekend days worked (调休) */
};

/* Whether date (a valid ISO date) is a working day. */
bool workday_is(const struct workday_calendar *cal, const char *date);

/* The date n (≥ 1) working days after from: the day itself never counts,
 * so a notice issued on Friday with n = 1 is due on Monday.  Writes
 * YYYY-MM-DD into out; -1 when from is not a valid date or n < 1. */
int  workdays_add(const struct workday_calendar *cal, const char *from, long n,
         char out[ISO_DATE_SIZE]);

/* Weekday of an ISO date: 0 Sunday … 6 Saturday; -1 when invalid. */
int  iso_weekday(const char *date);

#endif
