/* dateparse.c — feed dates, read leniently but never guessed.
 *
 * Two shapes cover what feeds write: RFC 822 ("Sat, 05 Nov 2022 10:30:00
 * +0800") and numeric dates that start with a 4-digit year (RFC 3339, and the
 * Chinese "2022-11-05 10:30", "2022/11/5", "2022年11月5日 10:30").  A text
 * that fits neither, or names a day the calendar does not have, is refused. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "poll/dateparse.h"

#define YEAR_MARK	"\xe5\xb9\xb4"	/* 年 */
#define MONTH_MARK	"\xe6\x9c\x88"	/* 月 */
#define DAY_MARK	"\xe6\x97\xa5"	/* 日 */

/* What the text says, before it becomes a time. */
struct when {
	int	year, mon, day;		/* mon 1-12 */
	int	hour, min, sec;
	bool	has_zone;
	long	offset;			/* seconds east of UTC */
};

static const char *
skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static bool
skip_mark(const char **p, const char *mark)
{
	size_t n = strlen(mark);

	if (strncmp(*p, mark, n) != 0)
		return false;
	*p += n;
	return true;
}

/* Reads a run of min to max digits; a longer run is not a number we know. */
static int
read_num(const char **p, int min, int max, int *out)
{
	const char *s = *p;
	int n, v = 0;

	for (n = 0; n < max && isdigit((unsigned char)s[n]); n++)
		v = v * 10 + (s[n] - '0');
	if (n < min || isdigit((unsigned char)s[n]))
		return -1;
	*p = s + n;
	*out = v;
	return 0;
}

/* HH:MM[:SS[.fraction]]; the fraction is dropped. */
static int
read_clock(const char **p, struct when *w)
{
	if (read_num(p, 1, 2, &w->hour) == -1 || *(*p)++ != ':' ||
	    read_num(p, 2, 2, &w->min) == -1)
		return -1;
	if (**p == ':') {
		++*p;
		if (read_num(p, 2, 2, &w->sec) == -1)
			return -1;
	}
	if ((**p == '.' || **p == ',') && isdigit((unsigned char)(*p)[1]))
		for (++*p; isdigit((unsigned char)**p); ++*p)
			;
	return 0;
}

/* +hh, +hhmm or +hh:mm. */
static int
read_offset(const char **p, struct when *w)
{
	const char *start;
	int sign = **p == '-' ? -1 : 1, v, hh, mm = 0;

	start = ++*p;
	if (read_num(p, 1, 4, &v) == -1)
		return -1;
	if (*p - start <= 2) {
		hh = v;
		if (**p == ':') {
			++*p;
			if (read_num(p, 2, 2, &mm) == -1)
				return -1;
		}
	} else {
		hh = v / 100;
		mm = v % 100;
	}
	if (hh > 23 || mm > 59)
		return -1;
	w->offset += sign * (hh * 3600L + mm * 60L);
	w->has_zone = true;
	return 0;
}

/* RFC 822 names.  "CST" is US Central (-0600) as the RFC says, although
 * Chinese sites often mean China Standard Time by it: guessing from the
 * site would make the same text mean two times.  Other one-letter (military)
 * zones are taken as UTC, as RFC 2822 advises; an unknown name is no zone,
 * so the configured zone applies. */
static int
read_zone_name(const char **p, struct when *w)
{
	static const struct { const char *name; int hours; } zones[] = {
		{ "GMT", 0 }, { "UT", 0 }, { "UTC", 0 }, { "Z", 0 },
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
	};
	size_t i, n;

	for (n = 0; isalpha((unsigned char)(*p)[n]); n++)
		;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strlen(zones[i].name) == n &&
		    strncasecmp(*p, zones[i].name, n) == 0)
			break;
	if (i < sizeof(zones) / sizeof(zones[0])) {
		w->offset = zones[i].hours * 3600L;
		w->has_zone = true;
	} else if (n == 1)
		w->has_zone = true;
	*p += n;
	/* "GMT+8" and "UTC+08:00" */
	if (w->has_zone && (**p == '+' || **p == '-'))
		return read_offset(p, w);
	return 0;
}

/* An optional zone, an optional "(comment)", then the end of the text. */
static int
read_zone_and_end(const char *p, struct when *w)
{
	p = skip_space(p);
	if (*p == '+' || *p == '-') {
		if (read_offset(&p, w) == -1)
			return -1;
	} else if (isalpha((unsigned char)*p) && read_zone_name(&p, w) == -1)
		return -1;
	p = skip_space(p);
	if (*p == '(' && (p = strchr(p, ')')) != NULL)
		p = skip_space(p + 1);
	return p != NULL && *p == '\0' ? 0 : -1;
}

static int
read_month_name(const char **p, int *mon)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	const char *s = *p;
	int i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(s, names + 3 * i, 3) == 0)
			break;
	if (i == 12)
		return -1;
	for (s += 3; isalpha((unsigned char)*s); s++)
		;
	*p = s;
	*mon = i + 1;
	return 0;
}

/* RFC 822 kept 2-digit years; RFC 2822 reads 00-49 as 20xx, 3 digits as
 * 1900 + n. */
static int
read_rfc822_year(const char **p, int *year)
{
	const char *start = *p;

	if (read_num(p, 2, 4, year) == -1)
		return -1;
	if (*p - start == 2)
		*year += *year < 50 ? 2000 : 1900;
	else if (*p - start == 3)
		*year += 1900;
	return 0;
}

/* [Wdy,] DD Mon YYYY [HH:MM[:SS]] [zone] */
static int
parse_rfc822(const char *p, struct when *w)
{
	if (isalpha((unsigned char)*p)) {
		while (isalpha((unsigned char)*p))
			p++;
		if (*p == ',')
			p++;
		p = skip_space(p);
	}
	if (read_num(&p, 1, 2, &w->day) == -1)
		return -1;
	p = skip_space(p);
	if (read_month_name(&p, &w->mon) == -1)
		return -1;
	p = skip_space(p);
	if (read_rfc822_year(&p, &w->year) == -1)
		return -1;
	p = skip_space(p);
	if (isdigit((unsigned char)*p) && read_clock(&p, w) == -1)
		return -1;
	return read_zone_and_end(p, w);
}

/* YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or YYYY年MM月DD日, then optionally a
 * time after 'T' or spaces and a zone. */
static int
parse_numeric(const char *p, struct when *w)
{
	char sep;

	if (read_num(&p, 4, 4, &w->year) == -1)
		return -1;
	if (skip_mark(&p, YEAR_MARK)) {
		if (read_num(&p, 1, 2, &w->mon) == -1 ||
		    !skip_mark(&p, MONTH_MARK) ||
		    read_num(&p, 1, 2, &w->day) == -1)
			return -1;
		skip_mark(&p, DAY_MARK);
	} else {
		sep = *p;
		if (sep == '\0' || strchr("-/.", sep) == NULL)
			return -1;
		p++;
		if (read_num(&p, 1, 2, &w->mon) == -1 || *p++ != sep ||
		    read_num(&p, 1, 2, &w->day) == -1)
			return -1;
	}
	/* a bare date takes no zone: only a time of day has one */
	if (*p == 'T' || *p == 't')
		p++;
	else if (*(p = skip_space(p)) == '\0')
		return 0;
	if (read_clock(&p, w) == -1)
		return -1;
	return read_zone_and_end(p, w);
}

/* The calendar decides: timegm() turns 31 November into 1 December. */
static bool
day_exists(const struct when *w)
{
	struct tm tm = { 0 };
	time_t t;

	tm.tm_year = w->year - 1900;
	tm.tm_mon = w->mon - 1;
	tm.tm_mday = w->day;
	tm.tm_hour = 12;
	t = timegm(&tm);
	return gmtime_r(&t, &tm) != NULL && tm.tm_mday == w->day;
}

static int
when_to_time(const struct when *w, time_t *out)
{
	struct tm tm = { 0 };
	time_t t;

	/* second 60 is a leap second; timegm() carries it over */
	if (w->year < 1900 || w->mon < 1 || w->mon > 12 || w->day < 1 ||
	    w->hour > 23 || w->min > 59 || w->sec > 60 || !day_exists(w))
		return -1;
	tm.tm_year = w->year - 1900;
	tm.tm_mon = w->mon - 1;
	tm.tm_mday = w->day;
	tm.tm_hour = w->hour;
	tm.tm_min = w->min;
	tm.tm_sec = w->sec;
	if (w->has_zone)
		t = timegm(&tm) - w->offset;
	else {
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == (time_t)-1)
			return -1;
	}
	*out = t;
	return 0;
}

int
date_parse(const char *text, time_t *out)
{
	struct when w = { 0 };
	const char *p;
	int rc;

	if (text == NULL)
		return -1;
	p = skip_space(text);
	if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]))
		rc = parse_numeric(p, &w);
	else
		rc = parse_rfc822(p, &w);
	if (rc == -1)
		return -1;
	return when_to_time(&w, out);
}
