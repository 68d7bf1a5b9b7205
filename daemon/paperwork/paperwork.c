/* paperwork.c — labels, serials, months and facts at a check time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "paperwork/paperwork.h"
#include "store/db.h"

static const struct {
	const char *kind, *label;
} kind_labels[] = {
	{ "stale", "超期未更新" },
	{ "dormant", "长期未更新" },
	{ "unreachable", "监测源无法访问" },
	{ "wording", "表述错误" },
	{ "manual", "人工核查问题" },
	{ "reopened-closed-account", "已注销账号违规私开" },
};

const char *
problem_kind_label(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kind_labels); i++)
		if (strcmp(kind_labels[i].kind, kind) == 0)
			return kind_labels[i].label;
	return kind;
}

const char *
platform_label(const struct config *cfg, const char *key)
{
	const struct platform *p = config_platform(cfg, key);

	return p ? p->label : key;
}

char *
serial_format(const char *pattern, int year, long number)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = pattern; *p; p++) {
		if (p[0] != '%' || p[1] == '\0') {
			sb_putc(&sb, *p);
			continue;
		}
		switch (*++p) {
		case 'Y': sb_printf(&sb, "%d", year); break;
		case 'N': sb_printf(&sb, "%ld", number); break;
		case '%': sb_putc(&sb, '%'); break;
		default: sb_putc(&sb, '%'); sb_putc(&sb, *p); break;
		}
	}
	return sb_steal(&sb);
}

/* Local midnight of the first of a month; mktime normalises mon 13. */
static time_t
month_start(int year, int mon)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1,
	    .tm_mday = 1, .tm_isdst = -1 };

	return mktime(&tm);
}

static void
month_set(struct month *m, int year, int mon)
{
	m->year = year;
	m->mon = mon;
	m->start = month_start(year, mon);
	m->end = month_start(year, mon + 1);
}

int
month_parse(const char *s, struct month *m)
{
	int y, mo, n = 0;

	if (s == NULL || strlen(s) != 7 || sscanf(s, "%4d-%2d%n", &y, &mo,
	    &n) != 2 || n != 7 || s[4] != '-' || y < 1970 || mo < 1 || mo > 12)
		return -1;
	month_set(m, y, mo);
	return 0;
}

void
month_of(time_t t, struct month *m)
{
	struct tm tm;

	localtime_r(&t, &tm);
	month_set(m, tm.tm_year + 1900, tm.tm_mon + 1);
}

void
month_shift(const struct month *m, int delta, struct month *out)
{
	int index = m->year * 12 + (m->mon - 1) + delta;

	month_set(out, index / 12, index % 12 + 1);
}

void
month_format(const struct month *m, char *buf, size_t size)
{
	snprintf(buf, size, "%04d-%02d", m->year, m->mon);
}

time_t
account_registered(const char *opened_on, time_t created_at)
{
	time_t t;

	if (!str_empty(opened_on) && iso_date_to_time(opened_on, &t) == 0)
		return t;
	return created_at;
}

char *
account_status_at(sqlite3 *db, long long id, time_t t)
{
	char *status = NULL;

	/* the last change up to t says what it was; failing that, the state
	 * before the first later change (an account registered afterwards with
	 * a past opening date was open since then) */
	db_query_text(db, &status, "SELECT coalesce("
	    " (SELECT json_extract(after, '$.status') FROM audit WHERE entity ="
	    "  'account' AND entity_id = ?1 AND at <= ?2 AND after IS NOT NULL"
	    "  ORDER BY at DESC, id DESC LIMIT 1),"
	    " (SELECT json_extract(coalesce(before, after), '$.status') FROM"
	    "  audit WHERE entity = 'account' AND entity_id = ?1 AND at > ?2"
	    "  ORDER BY at, id LIMIT 1),"
	    " (SELECT status FROM account WHERE id = ?1))", "II", id,
	    (long long)t);
	return status;
}

bool
account_last_update_at(sqlite3 *db, long long id, time_t t, time_t *out)
{
	long long v;

	/* the stored last update is exact when it is not later than t; the
	 * posts, observations and state changes cover the other case */
	if (db_query_int(db, &v, "SELECT max(x) FROM ("
	    " SELECT last_update_at AS x FROM account WHERE id = ?1 AND"
	    "  last_update_at <= ?2"
	    " UNION ALL SELECT max(coalesce(published_at, first_seen_at)) FROM"
	    "  post WHERE account_id = ?1 AND coalesce(published_at,"
	    "  first_seen_at) <= ?2"
	    " UNION ALL SELECT max(at) FROM observation WHERE account_id = ?1"
	    "  AND at <= ?2"
	    " UNION ALL SELECT max(last_update_at) FROM state_change WHERE"
	    "  account_id = ?1 AND at <= ?2 AND last_update_at <= ?2)"
	    " WHERE x IS NOT NULL", "II", id, (long long)t) != 0 || v == 0)
		return false;
	*out = (time_t)v;
	return true;
}

long long
account_stale_after(const struct config *cfg, const char *platform,
    sqlite3_stmt *st, int override_col)
{
	const struct platform *p = config_platform(cfg, platform);

	if (!db_column_is_null(st, override_col))
		return sqlite3_column_int64(st, override_col);
	return p ? p->stale_after : 14 * 86400;
}

long long
account_warn_after(const struct config *cfg, const char *platform,
    sqlite3_stmt *st, int override_col)
{
	const struct platform *p = config_platform(cfg, platform);

	if (!db_column_is_null(st, override_col))
		return sqlite3_column_int64(st, override_col);
	return p ? p->warn_after : 7 * 86400;
}

void
set_threshold_days(json_t *row, long long warn_after, long long stale_after)
{
	json_object_set_new(row, "warn_days", json_integer(warn_after / 86400));
	json_object_set_new(row, "stale_days", json_integer(stale_after / 86400));
}

char *
pass_rate_text(long passed, long total)
{
	long tenths;

	if (total <= 0)
		return xstrdup("—");
	/* integer rounding: the text must not depend on float printing */
	tenths = (passed * 1000 + total / 2) / total;
	return xasprintf("%ld.%ld%%", tenths / 10, tenths % 10);
}

json_t *
json_date(bool has, time_t t)
{
	char buf[32];

	if (!has)
		return json_string(NEVER_UPDATED);
	date_format_local(t, buf, sizeof(buf));
	return json_string(buf);
}
