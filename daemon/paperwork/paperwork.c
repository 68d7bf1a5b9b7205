/* paperwork.c — labels, serials, months and facts at a check time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "base/workdays.h"
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
	char buf[CN_DATE_SIZE];

	if (!has)
		return json_string(NEVER_UPDATED);
	date_cn(t, buf, sizeof(buf));
	return json_string(buf);
}

/* ---- units in the configured order ---- */

struct ranked {
	json_t  *row;
	size_t   rank, index;      /* configured place, then the original one */
	const char *code;
};

static size_t
unit_place(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->document.n_unit_order; i++)
		if (strcmp(cfg->document.unit_order[i], code) == 0)
			return i;
	return cfg->document.n_unit_order;
}

static int
ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if ((c = strcmp(x->code, y->code)) != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

void
sort_by_unit(const struct config *cfg, json_t *rows, const char *code_key)
{
	size_t i, n = json_array_size(rows);
	struct ranked *r;

	if (n < 2)
		return;
	r = xcalloc(n, sizeof(*r));
	for (i = 0; i < n; i++) {
		r[i].row = json_incref(json_array_get(rows, i));
		r[i].code = json_string_value(json_object_get(r[i].row, code_key));
		if (r[i].code == NULL)
			r[i].code = "";
		r[i].rank = unit_place(cfg, r[i].code);
		r[i].index = i;
	}
	qsort(r, n, sizeof(*r), ranked_cmp);
	json_array_clear(rows);
	for (i = 0; i < n; i++)
		json_array_append_new(rows, r[i].row);
	free(r);
}

/* ---- accounts told apart ---- */

static const char *
str_member(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s ? s : "";
}

/* "platform\x1fname" → first account id seen, or -1 once a second one is */
static void
note_account(json_t *seen, const json_t *row)
{
	json_int_t id = json_integer_value(json_object_get(row, "account_id"));
	char *key;
	json_t *v;

	if (id <= 0)
		return;
	key = xasprintf("%s\x1f%s", str_member(row, "platform"),
	    str_member(row, "account"));
	if ((v = json_object_get(seen, key)) == NULL)
		json_object_set_new(seen, key, json_integer(id));
	else if (json_integer_value(v) != id)
		json_object_set_new(seen, key, json_integer(-1));
	free(key);
}

static void
qualify_name(json_t *seen, json_t *row)
{
	json_int_t id = json_integer_value(json_object_get(row, "account_id"));
	const char *uid = str_member(row, "uid");
	char *key, *name;

	if (id <= 0)
		return;
	key = xasprintf("%s\x1f%s", str_member(row, "platform"),
	    str_member(row, "account"));
	if (json_integer_value(json_object_get(seen, key)) == -1) {
		name = *uid ? xasprintf("%s（%s）", str_member(row, "account"), uid) :
		    xasprintf("%s（台账编号%lld）", str_member(row, "account"),
		    (long long)id);
		json_object_set_new(row, "account", json_string(name));
		free(name);
	}
	free(key);
}

void
label_accounts(json_t *const *lists, size_t n)
{
	json_t *seen = json_object(), *row;
	size_t i, j;

	for (i = 0; i < n; i++)
		json_array_foreach(lists[i], j, row)
			note_account(seen, row);
	for (i = 0; i < n; i++)
		json_array_foreach(lists[i], j, row)
			qualify_name(seen, row);
	json_decref(seen);
}

/* ---- the frame of every document ---- */

void
set_document_frame(json_t *d, const struct config *cfg, time_t now)
{
	const struct document_config *dc = &cfg->document;
	char issued[CN_DATE_SIZE], iso[32], *mark;

	date_cn(now, issued, sizeof(issued));
	date_format_local(now, iso, sizeof(iso));
	mark = dc->issuer_mark ? xstrdup(dc->issuer_mark) :
	    xasprintf("%s文件", cfg->notice.issuer);
	json_object_set_new(d, "issuer", json_string(cfg->notice.issuer));
	json_object_set_new(d, "issuer_mark", json_string(mark));
	json_object_set_new(d, "copy_to", json_string(dc->copy_to ?
	    dc->copy_to : ""));
	json_object_set_new(d, "printer", json_string(dc->printer ?
	    dc->printer : cfg->notice.issuer));
	json_object_set_new(d, "issued", json_string(issued));
	json_object_set_new(d, "issued_on", json_string(iso));
	free(mark);
}

json_t *
iso_date_cn(const char *iso)
{
	char buf[CN_DATE_SIZE];

	if (iso_date_to_cn(iso, buf, sizeof(buf)) == -1)
		return json_string("—");
	return json_string(buf);
}

/* ---- the reply deadline ---- */

void
set_due(json_t *d, const struct config *cfg, time_t now, bool any)
{
	char iso[ISO_DATE_SIZE];

	/* the one deadline rule, the same as the problems' */
	if (!any) {
		json_object_set_new(d, "due", json_null());
		json_object_set_new(d, "due_on", json_null());
		return;
	}
	date_format_local(config_deadline(cfg, now), iso, sizeof(iso));
	json_object_set_new(d, "due", iso_date_cn(iso));
	json_object_set_new(d, "due_on", json_string(iso));
}
