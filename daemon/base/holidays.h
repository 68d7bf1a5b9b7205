/* holidays.h — China's public holidays and make-up working days as data.
 *
 * Each year the State Council's General Office publishes the year's
 * arrangement (《关于YYYY年部分节假日安排的通知》); conf/holidays/ carries
 * them, one file a year, YYYY.txt, in the format conf/holidays/README.md
 * describes.  The files are built into the binaries (embed.awk), so no
 * deadline depends on where they are installed; a folder (calendar.dir)
 * may hold files that replace a built-in year or add one.  Errors are
 * logged as FILE:LINE: message. */
#ifndef MW_HOLIDAYS_H
#define MW_HOLIDAYS_H

#include <stddef.h>
#include <time.h>

#include "base/workdays.h"

/* The built-in years (generated from conf/holidays/YYYY.txt). */
struct holiday_file {
	const char *name;           /* "2026.txt" */
	const char *text;
};
extern const struct holiday_file holiday_builtins[];
extern const size_t n_holiday_builtins;

/* Reads one year's file into cal: its year from name, which ends in
 * YYYY.txt (a path or the built-in name); source is what check-config
 * shows as its origin.  Logs every bad line as "NAME:LINE: message" and
 * returns -1, leaving cal unchanged. */
int holidays_read(struct workday_calendar *cal, const char *name,
        const char *text, const char *source);

/* The built-in years, each replaced by dir/YYYY.txt when dir (NULL: none)
 * has it, and the other YYYY.txt files of dir.  Files of other names are
 * ignored.  Logs each error and returns -1. */
int holidays_load(struct workday_calendar *cal, const char *dir);

/* The years a deadline set at now may need that cal does not cover: the
 * current year, and from 1 December the next one (its arrangement is
 * usually published in November).  Returns how many (0–2), in years. */
int holidays_missing(const struct workday_calendar *cal, time_t now,
        int years[2]);

#endif
