/* ledger_check.c — what keeps a ledger true (国办发〔2018〕123号): one
 * account per unit and platform, every account watched (by a feed or by
 * hand), and every account filed with the one who runs it.
 *
 * Each finding is one query, listed by `ledger check` and counted (the
 * same query inside count(*), or a leaner one where the listing's joins
 * would cost) for every status display; partial indexes
 * hold the accounts without a feed and those without operator or filing
 * number, so the counts read only those. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "registry/ledger.h"
#include "store/db.h"

/* A unit with two or more active accounts on one platform. */
static const char duplicates_sql[] =
	"SELECT u.code, u.name, a.platform, count(*),"
	" group_concat(a.id || ' ' || a.name, ', ')"
	" FROM account a JOIN unit u ON u.id = a.unit_id"
	" WHERE a.status = 'active' GROUP BY a.unit_id, a.platform"
	" HAVING count(*) > 1 ORDER BY u.code, a.platform";
static const char *const duplicates_keys[] = { "unit", "unit_name",
	"platform", "count", "accounts" };

/* Their number: the account index alone says it. */
static const char duplicates_count_sql[] =
	"SELECT 1 FROM account WHERE status = 'active' GROUP BY unit_id,"
	" platform HAVING count(*) > 1";

/* Active accounts neither polled (a feed URL, or a platform template and
 * a uid) nor observed by hand within their stale period: nobody watches
 * them.  ?1: [[platform, has template, stale seconds], …]; ?2: now. */
static const char unobserved_sql[] =
	"WITH p(key, templated, stale) AS (SELECT json_extract(value, '$[0]'),"
	"  json_extract(value, '$[1]'), json_extract(value, '$[2]')"
	"  FROM json_each(?1))"
	" SELECT a.id, u.code, a.platform, a.name,"
	" (SELECT max(o.at) FROM observation o WHERE o.account_id = a.id)"
	" FROM account a JOIN unit u ON u.id = a.unit_id"
	" LEFT JOIN p ON p.key = a.platform"
	" WHERE a.status = 'active' AND a.feed_url IS NULL"
	" AND NOT (a.platform_uid IS NOT NULL AND coalesce(p.templated, 0))"
	" AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.account_id = a.id"
	"  AND o.at > ?2 - coalesce(a.stale_after, p.stale, 1209600))"
	" ORDER BY u.code, a.platform, a.id";
static const char *const unobserved_keys[] = { "id", "unit", "platform",
	"name", "last_observed_at" };

/* Open accounts without the person who runs them or their filing number
 * (备案号). */
static const char incomplete_sql[] =
	"SELECT a.id, u.code, a.platform, a.name, a.status,"
	" CASE WHEN a.operator IS NULL AND a.filing_no IS NULL"
	"  THEN 'operator, filing_no' WHEN a.operator IS NULL THEN 'operator'"
	"  ELSE 'filing_no' END"
	" FROM account a JOIN unit u ON u.id = a.unit_id"
	" WHERE a.status IN ('active', 'suspended')"
	" AND (a.operator IS NULL OR a.filing_no IS NULL)"
	" ORDER BY u.code, a.platform, a.id";
static const char *const incomplete_keys[] = { "id", "unit", "platform",
	"name", "status", "missing" };

/* Their number, counted in the partial index alone: the listing's join
 * and order cost a status display 0.1-0.4 s at 100,000 such accounts. */
static const char incomplete_count_sql[] =
	"SELECT 1 FROM account WHERE status IN ('active', 'suspended')"
	" AND (operator IS NULL OR filing_no IS NULL)";

/* The platforms as the unobserved query reads them. */
static char *
platforms_json(const struct config *cfg)
{
	json_t *a = json_array();
	char *s;
	size_t i;

	for (i = 0; i < cfg->n_platforms; i++) {
		const struct platform *p = &cfg->platforms[i];

		json_array_append_new(a, json_pack("[s, b, I]", p->key,
		    p->feed_template != NULL, (json_int_t)p->stale_after));
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql, bool count, const char *platforms,
    time_t now)
{
	char *text = count ? xasprintf("SELECT count(*) FROM (%s)", sql) :
	    xstrdup(sql);
	sqlite3_stmt *st;

	st = strchr(sql, '?') ? db_prepare(db, text, "sI", platforms,
	    (long long)now) : db_prepare(db, text, "");
	free(text);
	return st;
}

static json_t *
list(sqlite3 *db, const char *sql, const char *const *keys, size_t n,
    const char *platforms, time_t now)
{
	sqlite3_stmt *st = prepare(db, sql, false, platforms, now);
	json_t *rows, *row;
	size_t i;
	int rc;

	if (st == NULL)
		return NULL;
	rows = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row = json_object();
		for (i = 0; i < n; i++)
			json_object_set_new(row, keys[i], db_column_json(st, (int)i));
		json_array_append_new(rows, row);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}

static int
count(sqlite3 *db, const char *sql, const char *platforms, time_t now,
    long long *out)
{
	sqlite3_stmt *st = prepare(db, sql, true, platforms, now);
	int rc = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

json_t *
ledger_check(sqlite3 *db, const struct config *cfg, time_t now)
{
	char *platforms = platforms_json(cfg);
	json_t *d = list(db, duplicates_sql, duplicates_keys,
	    ARRAY_SIZE(duplicates_keys), platforms, now);
	json_t *u = list(db, unobserved_sql, unobserved_keys,
	    ARRAY_SIZE(unobserved_keys), platforms, now);
	json_t *c = list(db, incomplete_sql, incomplete_keys,
	    ARRAY_SIZE(incomplete_keys), platforms, now);

	free(platforms);
	if (d == NULL || u == NULL || c == NULL) {
		json_decref(d);
		json_decref(u);
		json_decref(c);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o}", "duplicates", d, "unobserved", u,
	    "incomplete", c);
}

int
ledger_check_counts(sqlite3 *db, const struct config *cfg, time_t now,
    struct ledger_counts *c)
{
	char *platforms = platforms_json(cfg);
	int rc;

	memset(c, 0, sizeof(*c));
	rc = count(db, duplicates_count_sql, platforms, now,
	    &c->duplicates) == 0 &&
	    count(db, unobserved_sql, platforms, now, &c->unobserved) == 0 &&
	    count(db, incomplete_count_sql, platforms, now,
	    &c->incomplete) == 0 ?
	    0 : -1;
	free(platforms);
	return rc;
}
