/* bulletin_orders.c — the month's work orders and notices per unit, and its
 * problems counted per unit with the work orders. */
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

/* The problem lists' counts (bulletin.h: "problem_counts"). */
static const char *const problem_counts[] = { "opened", "closed", "overdue",
	"escalated" };

/* ?1 the start of the watched time, ?2 the check time: each problem but
 * the unreachable ones (a failing feed is no work order and no problem
 * of the unit's), in the table's order (NOT INDEXED: in the unit index's
 * order each would be a random read of a table larger than SQLite's page
 * cache), with its first reply by the check time, whether it was
 * escalated in the watched time, and whether its work order was overdue
 * at the check time: past its deadline with no reply standing (none, or
 * the last one returned), asked only of the problems open then and past
 * due.  The first replies are joined from the replies grouped by
 * problem, not looked up by a subquery for each problem.  Counted per
 * unit by tally_add(): SQLite's GROUP BY would sort every problem first,
 * once for each of the two kinds of count. */
static const char problem_query[] =
	"SELECT p.unit_id, p.opened_at, p.due_at, p.closed_at, f.fr,"
	" e.id IS NOT NULL, CASE WHEN p.opened_at <= ?2 AND (p.closed_at IS"
	" NULL OR p.closed_at > ?2) AND p.due_at < ?2 THEN NOT EXISTS (SELECT 1"
	" FROM reply r WHERE r.problem_id = p.id AND r.submitted_at <= ?2 AND"
	" NOT EXISTS (SELECT 1 FROM review v WHERE v.reply_id = r.id AND"
	" v.decision = 'returned' AND v.reviewed_at <= ?2)) ELSE 0 END"
	" FROM problem p NOT INDEXED"
	" LEFT JOIN (SELECT problem_id, min(submitted_at) AS fr FROM reply"
	"  WHERE submitted_at <= ?2 GROUP BY problem_id) f ON f.problem_id = p.id"
	" LEFT JOIN (SELECT DISTINCT y.problem_id AS id FROM problem_event y"
	"  WHERE y.action = 'escalated' AND y.at >= ?1 AND y.at <= ?2) e"
	"  ON e.id = p.id"
	" WHERE " WORKORDER_KIND("p");

enum { P_UNIT, P_OPENED, P_DUE, P_CLOSED, P_FIRST_REPLY, P_ESCALATED,
	P_OVERDUE };

/* The replies returned in the watched time, per unit. */
static const char returned_query[] =
	"SELECT p.unit_id, count(*) FROM review v JOIN problem p ON p.id ="
	" v.problem_id WHERE v.decision = 'returned' AND v.reviewed_at >= ?1"
	" AND v.reviewed_at <= ?2 GROUP BY p.unit_id";

/* A unit's counts: orders as counts[] but the last, problems as
 * problem_counts[]. */
struct tally {
	long long  id;
	char      *code, *name;
	long long  orders[ARRAY_SIZE(counts) - 1];
	long long  problems[ARRAY_SIZE(problem_counts)];
};

enum { O_RECEIVED, O_ON_TIME, O_LATE, O_RETURNED, O_OPEN, O_OVERDUE };
enum { Q_OPENED, Q_CLOSED, Q_OVERDUE, Q_ESCALATED };

struct tallies {
	struct tally  *t;        /* by unit id (tally_of()) */
	size_t         n;
};

static int
tally_cmp_id(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Every unit, with nothing counted yet.  -1 on a database error. */
static int
tallies_load(sqlite3 *db, struct tallies *ts)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, code, name FROM unit"
	    " ORDER BY id", "");
	size_t cap = 0;
	int rc = SQLITE_ERROR;

	memset(ts, 0, sizeof(*ts));
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ts->n == cap) {
			cap = cap ? cap * 2 : 64;
			ts->t = xrealloc(ts->t, cap * sizeof(*ts->t));
		}
		ts->t[ts->n++] = (struct tally){ .id = sqlite3_column_int64(st, 0),
		    .code = xstrdup(db_column_text(st, 1)),
		    .name = xstrdup(db_column_text(st, 2)) };
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
tallies_free(struct tallies *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++) {
		free(ts->t[i].code);
		free(ts->t[i].name);
	}
	free(ts->t);
}

/* The unit's tally; NULL for an id no unit has. */
static struct tally *
tally_of(struct tallies *ts, long long id)
{
	struct tally key = { .id = id };

	return ts->n ? bsearch(&key, ts->t, ts->n, sizeof(*ts->t),
	    tally_cmp_id) : NULL;
}

/* Whether the column holds a time (SQL NULL does not). */
static bool
column_time(sqlite3_stmt *st, int col, long long *t)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return false;
	*t = sqlite3_column_int64(st, col);
	return true;
}

/* Counts the problem of the row, as the SQL of the counts' definitions
 * (bulletin_orders.h, bulletin.h) would: a comparison with a missing
 * time (no deadline, no reply, not closed) counts nothing. */
static void
tally_add(struct tally *t, sqlite3_stmt *st, const struct period *p)
{
	long long opened = sqlite3_column_int64(st, P_OPENED), due = 0,
	    closed = 0, fr = 0, from = p->from, check = p->check;
	bool has_due = column_time(st, P_DUE, &due);
	bool is_closed = column_time(st, P_CLOSED, &closed);
	bool replied = column_time(st, P_FIRST_REPLY, &fr);
	bool escalated = sqlite3_column_int(st, P_ESCALATED) != 0;
	bool open = opened <= check && (!is_closed || closed > check);

	t->orders[O_RECEIVED] += opened >= from && opened <= check;
	t->orders[O_ON_TIME] += replied && has_due && fr >= from && fr <= due;
	t->orders[O_LATE] += replied && has_due && fr >= from && fr > due;
	t->orders[O_OPEN] += open;
	t->orders[O_OVERDUE] += sqlite3_column_int(st, P_OVERDUE) != 0;
	t->problems[Q_OPENED] += (opened >= from && opened <= check) ||
	    escalated;
	t->problems[Q_CLOSED] += is_closed && closed >= from &&
	    closed <= check && opened <= check;
	t->problems[Q_OVERDUE] += open && has_due && due < check;
	t->problems[Q_ESCALATED] += escalated;
}

/* The month's problems and returned replies counted into ts.  -1 on a
 * database error. */
static int
tallies_count(sqlite3 *db, struct tallies *ts, const struct period *p)
{
	sqlite3_stmt *st;
	struct tally *t;
	int rc = SQLITE_ERROR;

	st = db_prepare(db, problem_query, "II", (long long)p->from,
	    (long long)p->check);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((t = tally_of(ts, sqlite3_column_int64(st, P_UNIT))) != NULL)
			tally_add(t, st, p);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	st = db_prepare(db, returned_query, "II", (long long)p->from,
	    (long long)p->check);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((t = tally_of(ts, sqlite3_column_int64(st, 0))) != NULL)
			t->orders[O_RETURNED] += sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The unit's row of work orders; NULL when it has none of the counts.
 * notices: the overdue notices per unit code (unit_notices()). */
static json_t *
order_row(const struct tally *t, const json_t *notices)
{
	json_int_t n[ARRAY_SIZE(counts)];
	json_t *row;
	bool any = false;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		n[i] = i + 1 < ARRAY_SIZE(counts) ? t->orders[i] :
		    json_integer_value(json_object_get(notices, t->code));
		any |= n[i] != 0;
	}
	if (!any)
		return NULL;
	row = json_pack("{s:s, s:s}", "unit", t->code, "unit_name", t->name);
	for (i = 0; i < ARRAY_SIZE(counts); i++)
		json_object_set_new(row, counts[i], json_integer(n[i]));
	return row;
}

/* The unit's row of problem counts; NULL when none was opened, closed or
 * overdue. */
static json_t *
problem_row(const struct tally *t)
{
	json_t *row;
	size_t i;

	if (!t->problems[Q_OPENED] && !t->problems[Q_CLOSED] &&
	    !t->problems[Q_OVERDUE])
		return NULL;
	row = json_pack("{s:s, s:s}", "unit", t->code, "unit_name", t->name);
	for (i = 0; i < ARRAY_SIZE(problem_counts); i++)
		json_object_set_new(row, problem_counts[i],
		    json_integer(t->problems[i]));
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
    const struct period *p, const json_t *overdue, json_t **problems)
{
	json_t *rows = NULL, *notices, *row;
	struct tallies ts;
	size_t i;

	if (tallies_load(db, &ts) == -1 || tallies_count(db, &ts, p) == -1) {
		tallies_free(&ts);
		return NULL;
	}
	notices = unit_notices(overdue);
	rows = json_array();
	if (problems)
		*problems = json_array();
	for (i = 0; i < ts.n; i++) {
		if ((row = order_row(&ts.t[i], notices)) != NULL)
			json_array_append_new(rows, row);
		if (problems && (row = problem_row(&ts.t[i])) != NULL)
			json_array_append_new(*problems, row);
	}
	json_decref(notices);
	tallies_free(&ts);
	sort_by_unit(cfg, rows, "unit");
	if (problems)
		sort_by_unit(cfg, *problems, "unit");
	return rows;
}

/* The notices past their deadline at the check time with problems
 * still unsettled then, found from those problems (NOTICES_UNSETTLED);
 * the items of those notices alone are counted. */
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
	    " dp.document_id = d.id), g.n FROM " NOTICES_UNSETTLED("?1") " g"
	    " CROSS JOIN document d ON d.id = g.document_id JOIN unit u ON u.id ="
	    " d.unit_id WHERE d.kind = 'notice' AND d.issued_at <= ?1 AND"
	    " (d.state = 'issued' OR d.voided_at > ?1) AND d.due_on < ?2 ORDER"
	    " BY d.due_on, d.id", "Is", (long long)p->check, day);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
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
