/* dateparse.h — the dates feeds carry, read leniently.
 *
 * Accepts RFC 822/1123 (named and numeric zones, 2-digit years, missing
 * weekday or seconds), RFC 3339 / ISO 8601 (fractions, 'Z', offsets, no zone),
 * and the forms Chinese sites use: "2022-11-05 10:30:00", "2022/11/05 10:30",
 * "2022年11月5日 10:30", a bare date.  A date without a zone is read in the
 * configured zone (the process TZ, see tz_set()).  Returns 0 and the UTC time,
 * or -1 when the text is not a date it can read: never "now". */
#ifndef MW_DATEPARSE_H
#define MW_DATEPARSE_H

#include <time.h>

int date_parse(const char *text, time_t *out);

#endif
