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

/* ---- rows of the long lists ---- */

json_t *
shared_date(json_t *texts, bool has, time_t t)
{
	char buf[CN_DATE_SIZE];

	if (!has)
		return shared_text(texts, NEVER_UPDATED);
	date_cn(t, buf, sizeof(buf));
	return shared_text(texts, buf);
}

/* ---- units in the configured order ---- */

struct ranked {
	json_t  *row;
	size_t   rank, index;      /* configured place, then the original one */
	const char *code;
	const char *platform;      /* accounts: then by platform and id */
	json_int_t  id;
};

/* A configured unit code and its place in document.unit_order. */
struct place {
	const char *code;
	size_t      at;
};

static int
place_cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct place *)a)->code,
	    ((const struct place *)b)->code);
}

static int
place_cmp(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	return c ? c : x->at < y->at ? -1 : x->at > y->at;
}

/* The configured order by code, each code once at its first place: a
 * region may list thousands of units, and a document sorts tens of
 * thousands of rows, each looked up by bisection rather than a pass. */
static struct place *
places_new(const struct config *cfg, size_t *n)
{
	size_t i, m = 0, total = cfg->document.n_unit_order;
	struct place *pl = xcalloc(total + 1, sizeof(*pl));

	for (i = 0; i < total; i++)
		pl[i] = (struct place){ cfg->document.unit_order[i], i };
	qsort(pl, total, sizeof(*pl), place_cmp);
	for (i = 0; i < total; i++)
		if (m == 0 || strcmp(pl[m - 1].code, pl[i].code) != 0)
			pl[m++] = pl[i];
	*n = m;
	return pl;
}

/* The code's place in the configured order; past its end when it is
 * not listed. */
static size_t
unit_place(const struct config *cfg, const struct place *pl, size_t n,
    const char *code)
{
	const struct place key = { code, 0 }, *hit;

	hit = n ? bsearch(&key, pl, n, sizeof(*pl), place_cmp_code) : NULL;
	return hit ? hit->at : cfg->document.n_unit_order;
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
	if (x->platform && (c = strcmp(x->platform, y->platform)) != 0)
		return c;
	if (x->platform && x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static const char *
member_or_empty(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s ? s : "";
}

static void
sort_rows(const struct config *cfg, json_t *rows, const char *code_key,
    bool accounts)
{
	size_t i, n = json_array_size(rows), n_places;
	struct place *places;
	struct ranked *r;

	if (n < 2)
		return;
	places = places_new(cfg, &n_places);
	r = xcalloc(n, sizeof(*r));
	for (i = 0; i < n; i++) {
		r[i].row = json_incref(json_array_get(rows, i));
		r[i].code = member_or_empty(r[i].row, code_key);
		r[i].rank = unit_place(cfg, places, n_places, r[i].code);
		r[i].index = i;
		if (accounts) {
			r[i].platform = member_or_empty(r[i].row, "platform_key");
			r[i].id = json_integer_value(json_object_get(r[i].row,
			    "account_id"));
		}
	}
	qsort(r, n, sizeof(*r), ranked_cmp);
	json_array_clear(rows);
	for (i = 0; i < n; i++)
		json_array_append_new(rows, r[i].row);
	free(r);
	free(places);
}

void
sort_by_unit(const struct config *cfg, json_t *rows, const char *code_key)
{
	sort_rows(cfg, rows, code_key, false);
}

json_t *
unit_counts_read(const struct config *cfg, sqlite3_stmt *st,
    const char *const *keys, size_t n)
{
	json_t *rows = json_array(), *row;
	int rc = SQLITE_ERROR;
	size_t i;

	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row = json_object();
		row_text(row, "unit", db_column_text(st, 0));
		row_text(row, "unit_name", db_column_text(st, 1));
		for (i = 0; i < n; i++)
			row_int(row, keys[i], sqlite3_column_int64(st, (int)i + 2));
		json_array_append_new(rows, row);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(rows);
		return NULL;
	}
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

void
sort_accounts_by_unit(const struct config *cfg, json_t *rows)
{
	sort_rows(cfg, rows, "unit", true);
}

/* ---- accounts told apart ---- */

static const char *
str_member(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s ? s : "";
}

uint64_t
name_hash(const char *platform, const char *name)
{
	return str_hash64(platform) * 1099511628211u ^ str_hash64(name);
}

/* An account row as labelling sees it. */
struct labelled {
	uint64_t    hash;         /* name_hash(): compared before the names */
	const char *platform, *name;
	json_int_t  id;
	json_t     *row;
};

/* By name hash first: the names then are compared only where the hashes
 * are equal (namesakes, or a rare collision, which the names part),
 * not along the long prefixes the names of one region share.  Each
 * platform and name still ends up a run of its own, ids in order. */
static int
labelled_cmp(const void *a, const void *b)
{
	const struct labelled *x = a, *y = b;
	int c;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if ((c = strcmp(x->platform, y->platform)) == 0)
		c = strcmp(x->name, y->name);
	if (c == 0 && x->id != y->id)
		c = x->id < y->id ? -1 : 1;
	return c;
}

static struct labelled
labelled_of(json_t *row, json_int_t id)
{
	const char *platform = str_member(row, "platform");
	const char *name = str_member(row, "account");

	return (struct labelled){ name_hash(platform, name), platform, name, id,
	    row };
}

static void
qualify_name(json_t *row, json_int_t id)
{
	const char *uid = str_member(row, "uid");
	char *name = *uid ? xasprintf("%s（%s）", str_member(row, "account"),
	    uid) : xasprintf("%s（台账编号%lld）", str_member(row, "account"),
	    (long long)id);

	json_object_set_new(row, "account", json_string(name));
	free(name);
}

static bool
same_name(const struct labelled *a, const struct labelled *b)
{
	return strcmp(a->platform, b->platform) == 0 &&
	    strcmp(a->name, b->name) == 0;
}

static int
pointer_cmp(const void *a, const void *b)
{
	const json_t *const *x = a, *const *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* A name hash, the first account id seen with it, and whether another
 * account has it too. */
struct hash_ids {
	uint64_t   hash;
	long long  id;             /* 0: the slot is free (ids are positive) */
	bool       several;
};

/* An open-addressing table of hashes, cap slots (a power of two, at
 * least twice the pairs it is made for). */
struct shared_names {
	struct hash_ids *t;
	size_t           cap;
};

struct shared_names *
shared_names_new(size_t n)
{
	struct shared_names *s = xcalloc(1, sizeof(*s));

	for (s->cap = 16; s->cap < 2 * n; s->cap *= 2)
		continue;
	s->t = xcalloc(s->cap, sizeof(*s->t));
	return s;
}

/* The slot of hash: its own, or the free one it would take. */
static struct hash_ids *
hash_slot(const struct shared_names *s, uint64_t hash)
{
	size_t at = hash & (s->cap - 1);

	while (s->t[at].id != 0 && s->t[at].hash != hash)
		at = (at + 1) & (s->cap - 1);
	return &s->t[at];
}

void
shared_names_add(struct shared_names *s, uint64_t hash, long long id)
{
	struct hash_ids *slot = hash_slot(s, hash);

	if (slot->id == 0)
		*slot = (struct hash_ids){ hash, id, false };
	else if (slot->id != id)
		slot->several = true;
}

bool
shared_names_several(const struct shared_names *s, uint64_t hash)
{
	return hash_slot(s, hash)->several;
}

void
shared_names_free(struct shared_names *s)
{
	if (s == NULL)
		return;
	free(s->t);
	free(s);
}

/* Keeps, in order, those of the first m of l whose hash another account
 * has too.  A large registry's documents have hundreds of thousands of
 * rows, most of them an account named in two lists (its row and its
 * problem's), to sort otherwise.  Returns how many are kept. */
static size_t
keep_shared_hashes(struct labelled *l, size_t m)
{
	struct shared_names *s = shared_names_new(m);
	size_t i, kept = 0;

	for (i = 0; i < m; i++)
		shared_names_add(s, l[i].hash, l[i].id);
	for (i = 0; i < m; i++)
		if (shared_names_several(s, l[i].hash))
			l[kept++] = l[i];
	shared_names_free(s);
	return kept;
}

/* The rows whose name another account shares, sorted by name (platform
 * and name): the rows of a run that names two accounts or more are
 * qualified, each once however many lists it is in, once every run is
 * known (qualifying changes the name the sort read). */
void
label_accounts(json_t *const *lists, size_t n)
{
	struct labelled *l;
	json_t **q, *row;
	size_t i, j, k, m = 0, n_q = 0, total = 0;
	json_int_t id;

	for (i = 0; i < n; i++)
		total += json_array_size(lists[i]);
	l = xcalloc(total + 1, sizeof(*l));
	q = xcalloc(total + 1, sizeof(*q));
	for (i = 0; i < n; i++)
		json_array_foreach(lists[i], j, row)
			if ((id = json_integer_value(json_object_get(row,
			    "account_id"))) > 0)
				l[m++] = labelled_of(row, id);
	m = keep_shared_hashes(l, m);
	qsort(l, m, sizeof(*l), labelled_cmp);
	for (i = 0; i < m; i = j) {
		for (j = i + 1; j < m && same_name(&l[i], &l[j]); j++)
			continue;
		/* ids are sorted within the run: two differ at its ends */
		for (k = i; l[j - 1].id != l[i].id && k < j; k++)
			q[n_q++] = l[k].row;
	}
	qsort(q, n_q, sizeof(*q), pointer_cmp);
	for (i = 0; i < n_q; i++)
		if (i == 0 || q[i] != q[i - 1])
			qualify_name(q[i], json_integer_value(json_object_get(q[i],
			    "account_id")));
	free(q);
	free(l);
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
