/* bulletin_orders.c — the month's work orders and notices, per unit. */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "paperwork/bulletin_orders.h"
#include "paperwork/render.h"
#include "registry/workorder.h"
#include "store/db.h"

static const char *const counts[] = { "orders", "orders_on_time",
	"orders_late", "orders_returned", "orders_open", "orders_overdue",
	"notices_overdue" };

/* ?1 the start of the watched time, ?2 the check time: one row per unit,
 * the counts in the order above but the last (the notices, counted from
 * the list of them).  Each count is taken in one pass over its table
 * grouped by unit (the work orders with their first reply, the
 * reviews), not per unit: a registry has thousands of units.  A problem's
 * first reply by the check time (fr) is joined from the replies grouped
 * by problem, not looked up by a subquery: SQLite would repeat that for
 * each use of fr, for every problem.  The problems are grouped by a sort
 * over the table read in order (NOT INDEXED): read in the unit index's
 * order, each is a random read of a table larger than SQLite's page
 * cache. */
static const char unit_query[] =
	"SELECT u.code, u.name, coalesce(o.received, 0), coalesce(o.on_time, 0),"
	" coalesce(o.late, 0), coalesce(r.n, 0), coalesce(o.open, 0),"
	" coalesce(o.overdue, 0) FROM unit u"
	" LEFT JOIN (SELECT unit_id,"
	"  sum(opened_at >= ?1 AND opened_at <= ?2) AS received,"
	"  sum(fr >= ?1 AND fr <= due_at) AS on_time,"
	"  sum(fr >= ?1 AND fr > due_at) AS late,"
	"  sum(open) AS open, sum(overdue) AS overdue"
	"  FROM (SELECT p.unit_id, p.opened_at, p.due_at, f.fr, p.opened_at <="
	"   ?2 AND (p.closed_at IS NULL OR p.closed_at > ?2) AS open, CASE WHEN p.opened_at <= ?2 AND (p.closed_at IS NULL"
	"   OR p.closed_at > ?2) AND p.due_at < ?2 THEN NOT EXISTS (SELECT 1"
	"   FROM reply r WHERE r.problem_id = p.id AND r.submitted_at <= ?2 AND"
	"   NOT EXISTS (SELECT 1 FROM review v WHERE v.reply_id = r.id AND"
	"   v.decision = 'returned' AND v.reviewed_at <= ?2)) ELSE 0 END AS"
	"   overdue FROM problem p NOT INDEXED"
	"   LEFT JOIN (SELECT problem_id, min(submitted_at) AS fr FROM reply"
	"    WHERE submitted_at <= ?2 GROUP BY problem_id) f"
	"    ON f.problem_id = p.id WHERE " WORKORDER_KIND("p") ")"
	"  GROUP BY unit_id) o ON o.unit_id = u.id"
	" LEFT JOIN (SELECT p.unit_id, count(*) AS n FROM review v JOIN problem"
	"  p ON p.id = v.problem_id WHERE v.decision = 'returned' AND"
	"  v.reviewed_at >= ?1 AND v.reviewed_at <= ?2 GROUP BY p.unit_id) r"
	"  ON r.unit_id = u.id"
	" ORDER BY u.code";

/* notices: the overdue notices per unit code (unit_notices()). */
static json_t *
unit_row(sqlite3_stmt *st, const json_t *notices, bool *any)
{
	json_t *row = json_pack("{s:s, s:s}", "unit", db_column_text(st, 0),
	    "unit_name", db_column_text(st, 1));
	json_int_t n;
	size_t i;

	*any = false;
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		n = i + 1 < ARRAY_SIZE(counts) ? sqlite3_column_int64(st,
		    (int)i + 2) : json_integer_value(json_object_get(notices,
		    db_column_text(st, 0)));
		json_object_set_new(row, counts[i], json_integer(n));
		*any |= n != 0;
	}
	return row;
}

/* The overdue notices counted per unit code. */
static json_t *
unit_notices(const json_t *overdue)
{
	json_t *n = json_object(), *c;
	const json_t *r;
	size_t i;

	json_array_foreach(overdue, i, r) {
		if ((c = json_object_get(n, rd_str(r, "unit"))) == NULL)
			json_object_set_new(n, rd_str(r, "unit"), c = json_integer(0));
		json_integer_set(c, json_integer_value(c) + 1);
	}
	return n;
}

json_t *
bulletin_order_counts(sqlite3 *db, const struct config *cfg,
    const struct period *p, const json_t *overdue)
{
	json_t *rows = json_array(), *row, *notices = unit_notices(overdue);
	sqlite3_stmt *st;
	bool any;
	int rc = SQLITE_ERROR;

	st = db_prepare(db, unit_query, "II", (long long)p->from,
	    (long long)p->check);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row = unit_row(st, notices, &any);
		if (any)
			json_array_append(rows, row);
		json_decref(row);
	}
	sqlite3_finalize(st);
	json_decref(notices);
	if (rc != SQLITE_DONE) {
		json_decref(rows);
		return NULL;
	}
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

/* The settled ones are skipped here, not in the WHERE: SQLite would
 * count a notice's unsettled problems twice, once to filter, once to
 * return. */
json_t *
bulletin_overdue_notices(sqlite3 *db, const struct config *cfg,
    const struct period *p)
{
	json_t *rows = json_array();
	char day[32], issued[CN_DATE_SIZE];
	sqlite3_stmt *st;

	date_format_local(p->check, day, sizeof(day));
	st = db_prepare(db, "SELECT d.serial, u.code, u.name, d.issued_at,"
	    " d.due_on, (SELECT count(*) FROM document_problem dp WHERE"
	    " dp.document_id = d.id), " NOTICE_UNSETTLED("d", "?1") " FROM"
	    " document d JOIN unit u ON u.id = d.unit_id WHERE d.kind = 'notice'"
	    " AND d.issued_at <= ?1 AND (d.state = 'issued' OR d.voided_at > ?1)"
	    " AND d.due_on < ?2 ORDER BY d.due_on, d.id", "Is", (long long)p->check, day);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 6) == 0)
			continue;
		date_cn((time_t)sqlite3_column_int64(st, 3), issued, sizeof(issued));
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:o,"
		    " s:I, s:I}", "serial", db_column_text(st, 0), "unit",
		    db_column_text(st, 1), "unit_name", db_column_text(st, 2),
		    "issued", issued, "due", iso_date_cn(db_column_text(st, 4)),
		    "items", (json_int_t)sqlite3_column_int64(st, 5), "unsettled",
		    (json_int_t)sqlite3_column_int64(st, 6)));
	}
	sqlite3_finalize(st);
	sort_by_unit(cfg, rows, "unit");
	return rows;
}

/* Each unit of units gets its counts, 0 when it has none.  The rows of
 * orders are found by unit code (a region has thousands of units: a
 * search of the rows for each unit took a fifth of a second). */
static void
copy_counts(json_t *units, const json_t *orders)
{
	json_t *by_unit = json_object(), *u, *o;
	size_t i, k;

	json_array_foreach(orders, i, o)
		json_object_set(by_unit, rd_str(o, "unit"), o);
	json_array_foreach(units, i, u) {
		o = json_object_get(by_unit, rd_str(u, "key"));
		for (k = 0; k < ARRAY_SIZE(counts); k++)
			json_object_set_new(u, counts[k], o ? json_incref(
			    json_object_get(o, counts[k])) : json_integer(0));
	}
	json_decref(by_unit);
}

static void
set_totals(json_t *summary, const json_t *orders)
{
	const json_t *o;
	json_int_t sum;
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(counts); k++) {
		sum = 0;
		json_array_foreach(orders, i, o)
			sum += rd_int(o, counts[k]);
		json_object_set_new(summary, counts[k], json_integer(sum));
	}
}

void
bulletin_orders_set(json_t *d, json_t *units, json_t *orders,
    json_t *overdue)
{
	copy_counts(units, orders);
	set_totals(json_object_get(d, "summary"), orders);
	json_object_set_new(d, "orders", orders);
	json_object_set_new(d, "notices_overdue", overdue);
}
