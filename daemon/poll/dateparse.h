/* dateparse.h — the dates feeds carry, read leniently.
 *
 * Accepts RFC 822/1123/850 (named and numeric zones, 2-digit years, missing
 * weekday or seconds), RFC 3339 / ISO 8601 (fractions, 'Z', offsets, no
 * zone, Java's "[Asia/Shanghai]" suffix), Java's Date.toString() ("Fri Jan
 * 05 10:30:00 CST 2024"), JavaScript's ("Fri Jan 05 2024 10:30:00 GMT+0800
 * (中国标准时间)"), asctime(), Go's "2024-01-05 10:30:00 +0800 CST", and the
 * forms Chinese sites use: "2024-01-05 10:30:00", "2024/1/5 10:30",
 * "2024年1月5日 10时30分15秒", "上午10:30", a weekday after the date or the
 * time ("星期五", "(周五)"), "北京时间", a bare date.
 *
 * Zones: a date without one is read in the configured zone (the process
 * TZ, see tz_set()).  A zone name is placed by the configured zone when that
 * zone uses it (CST is +08:00 under Asia/Shanghai, -06:00 under
 * America/Chicago), else by a table of names that mean one offset anywhere
 * (UTC, GMT, EST, JST, KST, HKT, SGT, CET, …).  A name neither knows (CST
 * under UTC, IST, "XYZ") makes the date unreadable: undated is honest, a
 * date off by hours is not.
 *
 * Returns 0 and the UTC time, or -1 when the text is not a date it can
 * read: never "now". */
#ifndef MW_DATEPARSE_H
#define MW_DATEPARSE_H

#include <time.h>

int date_parse(const char *text, time_t *out);

#endif
