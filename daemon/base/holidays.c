/* holidays.c — reading the yearly holiday arrangements. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/holidays.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"

#define FILE_MAX (1 << 20)        /* a year is a few dozen lines */

/* One date of a file, checked, before the file is known to be good. */
struct entry {
	char   date[ISO_DATE_SIZE];
	bool   work;
	size_t line;
};

struct year_file {
	const char   *name;            /* for messages */
	int           year;
	struct entry *v;
	size_t        n, cap;
	int           errors;
};

/* 2026 for "2026.txt" or ".../2026.txt"; -1 for any other name. */
static int
year_of_name(const char *name)
{
	const char *base = strrchr(name, '/');
	int year, n = 0;

	base = base ? base + 1 : name;
	if (strlen(base) != 8 || sscanf(base, "%4d.txt%n", &year, &n) != 1 ||
	    n != 8 || base[0] < '1' || base[0] > '9')
		return -1;
	return year;
}

static void MW_PRINTF(3, 4)
bad(struct year_file *f, size_t line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	if (line)
		log_warnx("%s:%zu: %s", f->name, line, sb_str(&sb));
	else
		log_warnx("%s: %s", f->name, sb_str(&sb));
	sb_free(&sb);
	f->errors++;
}

static const struct entry *
entry_find(const struct year_file *f, const char *date)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].date, date) == 0)
			return &f->v[i];
	return NULL;
}

static void
entry_add(struct year_file *f, const char *date, bool work, size_t line)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	snprintf(f->v[f->n].date, ISO_DATE_SIZE, "%s", date);
	f->v[f->n].work = work;
	f->v[f->n++].line = line;
}

/* date<TAB>holiday|workday<TAB>name, in the file's year, each date once;
 * a make-up working day is a Saturday or a Sunday. */
static void
read_line(struct year_file *f, char *s, size_t line)
{
	char *kind, *name, year[8];
	const struct entry *seen;
	bool work;
	int wd;

	if ((kind = strchr(s, '\t')) == NULL ||
	    (name = strchr(kind + 1, '\t')) == NULL || strchr(name + 1, '\t')) {
		bad(f, line, _("expected DATE<TAB>holiday|workday<TAB>NAME"));
		return;
	}
	*kind++ = '\0';
	*name++ = '\0';
	snprintf(year, sizeof(year), "%d-", f->year);
	if (iso_date_valid(s) == -1)
		bad(f, line, _("'%.32s' is not a date YYYY-MM-DD"), s);
	else if (!str_has_prefix(s, year))
		bad(f, line, _("%s is not in %d, the year of the file"), s, f->year);
	else if (strcmp(kind, "holiday") && strcmp(kind, "workday"))
		bad(f, line, _("the kind must be holiday or workday, not '%.32s'"),
		    kind);
	else if (str_empty(name))
		bad(f, line, _("the holiday's name is missing"));
	else if ((seen = entry_find(f, s)) != NULL)
		bad(f, line, _("%s is listed twice (first on line %zu)"), s,
		    seen->line);
	else if ((work = *kind == 'w') && (wd = iso_weekday(s)) != 0 && wd != 6)
		bad(f, line, _("%s is a weekday: a make-up working day (workday) "
		    "is a Saturday or a Sunday"), s);
	else
		entry_add(f, s, work, line);
}

static void
read_lines(struct year_file *f, const char *text)
{
	char *copy = xstrdup(text), *s = copy, *nl;
	size_t line = 0, len;

	for (; *s; s = nl ? nl + 1 : s + len) {
		nl = strchr(s, '\n');
		len = nl ? (size_t)(nl - s) : strlen(s);
		line++;
		if (nl)
			*nl = '\0';
		if (len > 0 && s[len - 1] == '\r')
			s[--len] = '\0';
		if (!utf8_valid(s, len))
			bad(f, line, _("not valid UTF-8"));
		else if (len > 0 && *s != '#')
			read_line(f, s, line);
		if (nl == NULL)
			break;
	}
	free(copy);
}

int
holidays_read(struct workday_calendar *cal, const char *name,
    const char *text, const char *source)
{
	struct year_file f = { .name = name, .year = year_of_name(name) };
	size_t i;

	if (f.year == -1) {
		bad(&f, 0, _("a calendar file is named YYYY.txt"));
		return -1;
	}
	read_lines(&f, text);
	if (f.errors == 0 && f.n == 0)
		bad(&f, 0, _("lists no dates"));
	if (f.errors == 0) {
		for (i = 0; i < f.n; i++)
			workday_calendar_mark(cal, f.v[i].date, f.v[i].work);
		workday_calendar_cover(cal, f.year, source);
	}
	free(f.v);
	return f.errors ? -1 : 0;
}

/* ---- the built-in years and a folder ---- */

struct dir_file {
	char *path;
	int   year;
};

static void
dir_files_free(struct dir_file *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* The YYYY.txt files of dir, sorted by year. */
static int
dir_list(const char *dir, struct dir_file **out, size_t *n)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t j;
	int year;

	*out = NULL;
	*n = 0;
	if (d == NULL) {
		log_warn(N_("holiday calendars: %s"), dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if ((year = year_of_name(de->d_name)) == -1)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		for (j = *n; j > 0 && (*out)[j - 1].year > year; j--)
			(*out)[j] = (*out)[j - 1];
		(*out)[j] = (struct dir_file){ xasprintf("%s/%s", dir,
		    de->d_name), year };
		(*n)++;
	}
	closedir(d);
	return 0;
}

static bool
dir_has_year(const struct dir_file *v, size_t n, int year)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].year == year)
			return true;
	return false;
}

static int
read_dir_file(struct workday_calendar *cal, const struct dir_file *df)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = read_whole_file(df->path, FILE_MAX, &sb);

	if (rc == 0)
		rc = holidays_read(cal, df->path, sb_str(&sb), df->path);
	sb_free(&sb);
	return rc;
}

int
holidays_load(struct workday_calendar *cal, const char *dir)
{
	struct dir_file *files = NULL;
	size_t i, n = 0;
	int rc = 0;

	if (dir != NULL && dir_list(dir, &files, &n) == -1)
		return -1;
	for (i = 0; i < n_holiday_builtins; i++)
		if (!dir_has_year(files, n, year_of_name(holiday_builtins[i].name)) &&
		    holidays_read(cal, holiday_builtins[i].name,
		    holiday_builtins[i].text, N_("built in")) == -1)
			rc = -1;
	for (i = 0; i < n; i++)
		if (read_dir_file(cal, &files[i]) == -1)
			rc = -1;
	dir_files_free(files, n);
	return rc;
}

int
holidays_missing(const struct workday_calendar *cal, time_t now, int years[2])
{
	struct tm tm;
	int n = 0, year;

	localtime_r(&now, &tm);
	year = tm.tm_year + 1900;
	if (workday_calendar_year(cal, year) == NULL)
		years[n++] = year;
	if (tm.tm_mon == 11 && workday_calendar_year(cal, year + 1) == NULL)
		years[n++] = year + 1;
	return n;
}
