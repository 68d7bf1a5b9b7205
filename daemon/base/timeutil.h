/* timeutil.h — the clock, the configured zone, durations and calendar dates.
 *
 * Times are UTC Unix seconds everywhere; the configured zone (process-wide,
 * through TZ) is used only to read zone-less input and to show times. */
#ifndef MW_TIMEUTIL_H
#define MW_TIMEUTIL_H

#include <stdbool.h>
#include <time.h>

/* Makes zone (an IANA name such as "Asia/Shanghai") the zone for local
 * times.  Returns -1 when the zone is not known to the system. */
int  tz_set(const char *zone);

/* The current time.  MEDIAWATCH_NOW (Unix seconds or YYYY-MM-DDTHH:MM:SS in
 * the configured zone) fixes it, for tests.  Call clock_check() once at
 * start-up: it reports a malformed MEDIAWATCH_NOW and returns -1. */
time_t mw_now(void);
int  clock_check(void);

/* "90s", "15m", "6h", "14d", "2w" or plain seconds; -1 when malformed. */
int  duration_parse(const char *s, long long *seconds);
/* The shortest exact form ("14d", "90m", "45s") into buf. */
void duration_format(long long seconds, char *buf, size_t size);
/* The same for a reader of Chinese: "1天", "1天12小时", "90分钟" ("0秒"
 * for none); buf needs 48 bytes. */
void duration_format_zh(long long seconds, char *buf, size_t size);

/* Strict ISO calendar date YYYY-MM-DD (a real day); -1 otherwise. */
int  iso_date_valid(const char *s);
/* Midnight of an ISO date in the configured zone. */
int  iso_date_to_time(const char *s, time_t *out);

/* ISO dates turned into times once each: a registry's accounts were
 * opened on a few thousand days, and turning a day into a time (mktime()
 * in the configured zone) costs more than reading an account.  A pass
 * over the accounts keeps one for its length. */
struct day_times;
struct day_times *day_times_new(void);
void   day_times_free(struct day_times *d);
/* The midnight of day as iso_date_to_time() gives it, or fallback when
 * day is empty or no date. */
time_t day_times_get(struct day_times *d, const char *day, time_t fallback);
/* "YYYY-MM-DDTHH:MM:SS" (or with a space) in the configured zone, or a
 * plain date, or Unix seconds given as digits; -1 when malformed. */
int  local_time_parse(const char *s, time_t *out);

/* Formatting in the configured zone; buf needs 32 bytes. */
void time_format_local(time_t t, char *buf, size_t size);   /* 2026-11-25 17:30 */
void date_format_local(time_t t, char *buf, size_t size);   /* 2026-11-25 */
/* Dates and times as Chinese text writes them, in the configured zone,
 * for whatever people read (documents, messages): date_cn "2026年12月2日";
 * time_cn as documents write the hour (GB/T 9704), "2026年12月2日9时30分",
 * "2026年12月2日9时" on the hour; datetime_cn as messages write a clock
 * time, "2026年12月2日 09:30".  buf needs CN_DATE_SIZE bytes. */
#define CN_DATE_SIZE 48
void date_cn(time_t t, char *buf, size_t size);
void time_cn(time_t t, char *buf, size_t size);
void datetime_cn(time_t t, char *buf, size_t size);
/* An ISO date (YYYY-MM-DD) as date_cn writes it; -1 (buf "") when iso is
 * NULL or not a date. */
int  iso_date_to_cn(const char *iso, char *buf, size_t size);

/* Calendar arithmetic that does not depend on the zone or DST (Howard
 * Hinnant's algorithms, proleptic Gregorian): the days since 1970-01-01
 * of a civil date (month 1–12), and back. */
long long days_from_civil(int y, int m, int d);
void civil_from_days(long long z, int *y, int *m, int *d);
int  days_in_month(int y, int m);              /* m 1–12 */

/* Whole days from then to now (floor; 0 when then is later). */
long days_between(time_t then, time_t now);

/* Seconds, or milliseconds, on the monotonic clock, for how long
 * something took or may take (never MEDIAWATCH_NOW: a benchmark, a log
 * line or a timeout measures real time). */
double monotonic_seconds(void);
long long monotonic_ms(void);

#endif
