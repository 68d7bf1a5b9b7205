/* test_db_batch.c — many rows written by one statement (db_batch). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "store/db.h"

static sqlite3 *
scratch_db(void)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY,"
	    " v TEXT NOT NULL, n INTEGER)"), 0);
	return db;
}

static long long
query(sqlite3 *db, const char *sql)
{
	long long v = -1;

	assert_int_equal(db_query_int(db, &v, sql, ""), 0);
	return v;
}

/* TOTAL rows (id i + 1, v "row i", n i or NULL for odd i) through one
 * batch; returns what db_batch_end() said. */
static long long
insert_rows(sqlite3 *db, size_t total, const char *tail)
{
	struct db_batch b;
	char v[32];
	size_t i;

	db_batch_begin(&b, db, "INSERT INTO t (id, v, n) VALUES",
	    "(?, ?, nullif(?, -1))", 3, tail, total);
	for (i = 0; i < total; i++) {
		snprintf(v, sizeof(v), "row %zu", i);
		assert_int_equal(db_batch_row(&b, "IsI", (long long)i + 1, v,
		    i % 2 ? -1LL : (long long)i), 0);
	}
	return db_batch_end(&b);
}

/* Below, at and past a statement's rows, and none at all: each row is
 * written once with its own values. */
static void
every_row_is_written_whatever_the_count(void **state)
{
	static const size_t totals[] = { 0, 1, 127, 128, 129, 300, 1000 };
	size_t k, n;
	char *sql;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(totals); k++) {
		sqlite3 *db = scratch_db();

		n = totals[k];
		assert_int_equal(insert_rows(db, n, ""), (long long)n);
		assert_int_equal(query(db, "SELECT count(*) FROM t"), (long long)n);
		assert_int_equal(query(db, "SELECT coalesce(sum(id), 0) FROM t"),
		    (long long)(n * (n + 1) / 2));
		assert_int_equal(query(db, "SELECT count(*) FROM t WHERE n IS NULL"),
		    (long long)(n / 2));
		if (n > 0) {
			/* the last row: its text, and its n NULL when odd */
			sql = xasprintf("SELECT v = 'row %zu' AND n IS (CASE WHEN"
			    " %zu %% 2 THEN NULL ELSE %zu END) FROM t WHERE id = %zu",
			    n - 1, n - 1, n - 1, n);
			assert_int_equal(query(db, sql), 1);
			free(sql);
		}
		sqlite3_close(db);
	}
}

/* The count returned is of the rows changed: those a conflict kept out
 * are not counted. */
static void
rows_kept_out_are_not_counted(void **state)
{
	sqlite3 *db = scratch_db();

	(void)state;
	assert_int_equal(db_exec(db, "INSERT INTO t (id, v) VALUES (5, 'old'),"
	    " (200, 'old')"), 0);
	assert_int_equal(insert_rows(db, 250, "ON CONFLICT DO NOTHING"), 248);
	assert_int_equal(query(db, "SELECT count(*) FROM t"), 250);
	assert_int_equal(query(db, "SELECT count(*) FROM t WHERE v = 'old'"), 2);
	sqlite3_close(db);
}

/* A row the database refuses fails its statement (none of its rows is
 * written), the rows given after it are refused, and db_batch_end()
 * says -1. */
static void
a_refused_row_fails_the_batch(void **state)
{
	sqlite3 *db = scratch_db();
	struct db_batch b;
	size_t i;
	int rc;

	(void)state;
	db_batch_begin(&b, db, "INSERT INTO t (id, v) VALUES", "(?, ?)", 2, "",
	    300);
	for (i = 0; i < 300; i++) {
		rc = db_batch_row(&b, "Is", (long long)i + 1, i == 50 ? NULL :
		    "x");
		/* the first statement runs when the 129th row comes */
		assert_int_equal(rc, i < 128 ? 0 : -1);
	}
	assert_int_equal(db_batch_end(&b), -1);
	assert_int_equal(query(db, "SELECT count(*) FROM t"), 0);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_row_is_written_whatever_the_count),
		cmocka_unit_test(rows_kept_out_are_not_counted),
		cmocka_unit_test(a_refused_row_fails_the_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
