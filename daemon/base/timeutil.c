/* timeutil.c — clock, zone, durations and dates. */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"

/* Counts the changes of zone, so that the dates kept (local_date()) are
 * not taken for those of another zone. */
static unsigned zone_generation = 1;

int
tz_set(const char *zone)
{
	char path[512];

	/* glibc silently falls back to UTC for an unknown zone, so check the
	 * zoneinfo file ourselves. */
	if (zone[0] == '\0' || strstr(zone, "..") || zone[0] == '/')
		return -1;
	if (strcmp(zone, "UTC") != 0) {
		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
		if (access(path, R_OK) == -1)
			return -1;
	}
	setenv("TZ", zone, 1);
	tzset();
	zone_generation++;
	return 0;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int
parse_fixed_now(const char *s, time_t *out)
{
	long long v;
	char *end;

	if (all_digits(s)) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
		*out = (time_t)v;
		return 0;
	}
	return local_time_parse(s, out);
}

time_t
mw_now(void)
{
	const char *fixed = getenv("MEDIAWATCH_NOW");
	time_t t;

	if (fixed && *fixed && parse_fixed_now(fixed, &t) == 0)
		return t;
	return time(NULL);
}

int
clock_check(void)
{
	const char *fixed = getenv("MEDIAWATCH_NOW");
	time_t t;

	if (fixed && *fixed && parse_fixed_now(fixed, &t) == -1) {
		log_warnx(N_("MEDIAWATCH_NOW: '%s' is neither Unix seconds nor "
		    "YYYY-MM-DDTHH:MM:SS"), fixed);
		return -1;
	}
	return 0;
}

int
duration_parse(const char *s, long long *seconds)
{
	long long v, unit;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > LLONG_MAX / unit)
		return -1;
	*seconds = v * unit;
	return 0;
}

void
duration_format(long long s, char *buf, size_t size)
{
	if (s != 0 && s % 86400 == 0)
		snprintf(buf, size, "%lldd", s / 86400);
	else if (s != 0 && s % 3600 == 0)
		snprintf(buf, size, "%lldh", s / 3600);
	else if (s != 0 && s % 60 == 0)
		snprintf(buf, size, "%lldm", s / 60);
	else
		snprintf(buf, size, "%llds", s);
}

void
duration_format_zh(long long s, char *buf, size_t size)
{
	static const struct { long long unit; const char *name; } units[] = {
		{ 86400, "天" }, { 3600, "小时" }, { 60, "分钟" }, { 1, "秒" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(units) && used < size; i++) {
		if (s / units[i].unit == 0)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%lld%s",
		    s / units[i].unit, units[i].name);
		s %= units[i].unit;
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "0秒");
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits. */
static int
read_digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
read_date(const char **p, struct tm *tm)
{
	int y, m, d;

	if (read_digits(p, 4, &y) == -1 || *(*p)++ != '-' ||
	    read_digits(p, 2, &m) == -1 || *(*p)++ != '-' ||
	    read_digits(p, 2, &d) == -1)
		return -1;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_isdst = -1;
	return 0;
}

int
iso_date_valid(const char *s)
{
	struct tm tm;

	if (read_date(&s, &tm) == -1 || *s != '\0')
		return -1;
	return 0;
}

int
iso_date_to_time(const char *s, time_t *out)
{
	struct tm tm;

	if (read_date(&s, &tm) == -1 || *s != '\0')
		return -1;
	*out = mktime(&tm);
	return 0;
}

int
local_time_parse(const char *s, time_t *out)
{
	struct tm tm;
	int h = 0, mi = 0, se = 0;

	if (all_digits(s) && strlen(s) != 8)
		return parse_fixed_now(s, out);
	if (read_date(&s, &tm) == -1)
		return -1;
	if (*s == 'T' || *s == ' ') {
		s++;
		if (read_digits(&s, 2, &h) == -1 || *s++ != ':' ||
		    read_digits(&s, 2, &mi) == -1)
			return -1;
		if (*s == ':' && (s++, read_digits(&s, 2, &se) == -1))
			return -1;
		if (h > 23 || mi > 59 || se > 60)
			return -1;
	}
	if (*s != '\0')
		return -1;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = mktime(&tm);
	return 0;
}

void
time_format_local(time_t t, char *buf, size_t size)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

/* The local days last asked for, a few hundred per thread.  Documents and
 * mails write the date of every account they list (a bulletin tens of
 * thousands), those dates fall on a few hundred days, and each
 * localtime_r() cost as much as the rest of the row.  A day is kept only
 * when the zone's offset is the same at its first and its last second,
 * so a day with a change of offset (summer time) is always asked again.
 * Days are found by their number in local time, counted with the offset
 * last seen: the seconds of one day then share one place. */
struct local_day {
	time_t   from;             /* its first second; it lasts 86,400 */
	int      year;             /* as struct tm counts them */
	short    mon, mday;
	unsigned generation;       /* zone_generation when kept; 0: none */
};

#define LOCAL_DAYS 512

struct local_days {
	struct local_day day[LOCAL_DAYS];
	long             offset;   /* the last offset seen (tm_gmtoff) */
};

static void
local_day_keep(struct local_day *d, time_t t, const struct tm *tm)
{
	time_t from = t - (tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec);
	time_t last = from + 86399;
	struct tm a, b;

	d->generation = 0;
	if (localtime_r(&from, &a) == NULL || localtime_r(&last, &b) == NULL ||
	    a.tm_gmtoff != tm->tm_gmtoff || b.tm_gmtoff != tm->tm_gmtoff)
		return;
	d->from = from;
	d->year = tm->tm_year;
	d->mon = (short)tm->tm_mon;
	d->mday = (short)tm->tm_mday;
	d->generation = zone_generation;
}

/* The local date of t: tm's year, month and day only. */
static void
local_date(time_t t, struct tm *tm)
{
	static _Thread_local struct local_days kept;
	struct local_day *d = &kept.day[(unsigned long long)((t + kept.offset) /
	    86400) % LOCAL_DAYS];

	if (d->generation == zone_generation && t >= d->from &&
	    t - d->from < 86400) {
		memset(tm, 0, sizeof(*tm));
		tm->tm_year = d->year;
		tm->tm_mon = d->mon;
		tm->tm_mday = d->mday;
		return;
	}
	if (localtime_r(&t, tm) == NULL) {      /* a year beyond int */
		memset(tm, 0, sizeof(*tm));
		return;
	}
	kept.offset = tm->tm_gmtoff;
	local_day_keep(&kept.day[(unsigned long long)((t + kept.offset) /
	    86400) % LOCAL_DAYS], t, tm);
}

/* n (not negative) in decimal, at least width digits; returns the end. */
static char *
put_number(char *p, long n, int width)
{
	char digits[24];
	int i = 0;

	do
		digits[i++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	while (i < width)
		digits[i++] = '0';
	while (i > 0)
		*p++ = digits[--i];
	return p;
}

static char *
put_text(char *p, const char *text)
{
	size_t n = strlen(text);

	memcpy(p, text, n);
	return p + n;
}

/* tm's date, the year unpadded, month and day in width digits, each
 * followed by its word of sep; cut to size as snprintf() would.  Written
 * by hand: snprintf() cost more than the rest of a listed account's row. */
static void
put_date(const struct tm *tm, const char *const sep[3], int width, char *buf,
    size_t size)
{
	char out[96], *p = out;
	size_t n;

	if (tm->tm_year < -1900) {
		snprintf(buf, size, "%d%s%0*d%s%0*d%s", tm->tm_year + 1900, sep[0],
		    width, tm->tm_mon + 1, sep[1], width, tm->tm_mday, sep[2]);
		return;
	}
	p = put_text(put_number(p, (long)tm->tm_year + 1900, 1), sep[0]);
	p = put_text(put_number(p, tm->tm_mon + 1, width), sep[1]);
	p = put_text(put_number(p, tm->tm_mday, width), sep[2]);
	if (size == 0)
		return;
	n = (size_t)(p - out) < size ? (size_t)(p - out) : size - 1;
	memcpy(buf, out, n);
	buf[n] = '\0';
}

void
date_format_local(time_t t, char *buf, size_t size)
{
	static const char *const dashes[] = { "-", "-", "" };
	struct tm tm;

	local_date(t, &tm);
	put_date(&tm, dashes, 2, buf, size);
}

void
date_cn(time_t t, char *buf, size_t size)
{
	static const char *const cn[] = { "年", "月", "日" };
	struct tm tm;

	local_date(t, &tm);
	put_date(&tm, cn, 1, buf, size);
}

void
time_cn(time_t t, char *buf, size_t size)
{
	struct tm tm;

	localtime_r(&t, &tm);
	if (tm.tm_min == 0)
		snprintf(buf, size, "%d年%d月%d日%d时", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
	else
		snprintf(buf, size, "%d年%d月%d日%d时%d分", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

void
datetime_cn(time_t t, char *buf, size_t size)
{
	struct tm tm;

	localtime_r(&t, &tm);
	snprintf(buf, size, "%d年%d月%d日 %02d:%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

int
iso_date_to_cn(const char *iso, char *buf, size_t size)
{
	time_t t;

	if (size > 0)
		buf[0] = '\0';
	if (iso == NULL || iso_date_valid(iso) == -1 ||
	    iso_date_to_time(iso, &t) == -1)
		return -1;
	date_cn(t, buf, size);
	return 0;
}

long long
days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
civil_from_days(long long z, int *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

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

long
days_between(time_t then, time_t now)
{
	return now > then ? (long)((now - then) / 86400) : 0;
}

double
monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long long
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Open addressing over a table kept at most half full; days beyond that
 * are converted each time. */
#define DAY_SLOTS 8192

struct day_times {
	char   day[DAY_SLOTS][sizeof("YYYY-MM-DD")];    /* "" when free */
	bool   valid[DAY_SLOTS];
	time_t at[DAY_SLOTS];
	size_t used;
};

struct day_times *
day_times_new(void)
{
	return xcalloc(1, sizeof(struct day_times));
}

void
day_times_free(struct day_times *d)
{
	free(d);
}

static time_t
day_time_once(const char *day, time_t fallback)
{
	time_t t;

	return day[0] != '\0' && iso_date_to_time(day, &t) == 0 ? t : fallback;
}

time_t
day_times_get(struct day_times *d, const char *day, time_t fallback)
{
	size_t slot;

	if (day == NULL || strlen(day) != sizeof(d->day[0]) - 1)
		return day_time_once(day ? day : "", fallback);
	slot = str_hash64(day) % DAY_SLOTS;
	while (d->day[slot][0] != '\0' && strcmp(d->day[slot], day) != 0)
		slot = (slot + 1) % DAY_SLOTS;
	if (d->day[slot][0] == '\0') {
		if (d->used >= DAY_SLOTS / 2)
			return day_time_once(day, fallback);
		memcpy(d->day[slot], day, sizeof(d->day[slot]));
		d->valid[slot] = iso_date_to_time(day, &d->at[slot]) == 0;
		d->used++;
	}
	return d->valid[slot] ? d->at[slot] : fallback;
}
