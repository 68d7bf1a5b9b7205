/* test_side.c — a part of a long read on a thread of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/util.h"
#include "store/db.h"
#include "store/side.h"

static const char sum_sql[] = "SELECT sum(x) FROM n";

/* What a part saw: the sum of the table, the thread it ran on, and
 * whether the statements it took from the cache were its own. */
struct seen {
	long long  sum;
	pthread_t  thread;
	sqlite3   *db;
	bool       read_only;
};

static void
read_sum(sqlite3 *db, void *arg)
{
	struct seen *s = arg;
	sqlite3_stmt *st = db_prepare_cached(db, sum_sql, "");

	s->thread = pthread_self();
	s->db = db;
	s->read_only = sqlite3_db_readonly(db, "main") == 1;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		s->sum = sqlite3_column_int64(st, 0);
	db_release(st);
}

static void
fill(sqlite3 *db)
{
	assert_int_equal(db_exec(db, "CREATE TABLE n (x INTEGER);"
	    " WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k"
	    " WHERE i < 1000) INSERT INTO n SELECT i FROM k"), 0);
}

/* On a database file the part runs on another thread and another,
 * read-only connection, and sees what the caller committed; the
 * caller's own cached statement is untouched by it. */
static void
a_part_reads_beside_the_caller(void **state)
{
	char *dir = xstrdup("/tmp/mw-test-side-XXXXXX"), *path;
	struct seen seen = { 0 }, mine = { 0 };
	struct db_side side;
	sqlite3 *db;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/mediawatch.db", dir);
	assert_non_null(db = db_open(path, true));
	fill(db);
	db_side_start(&side, db, read_sum, &seen);
	read_sum(db, &mine);
	db_side_join(&side);
	assert_int_equal(seen.sum, 500500);
	assert_int_equal(mine.sum, 500500);
	assert_false(pthread_equal(seen.thread, pthread_self()));
	assert_ptr_not_equal(seen.db, db);
	assert_true(seen.read_only);
	assert_false(mine.read_only);
	/* the caller's statement was kept for it, and is found again */
	read_sum(db, &mine);
	assert_int_equal(mine.sum, 500500);
	db_close(db);
	unlink(path);
	free(path);
	path = xasprintf("%s/mediawatch.db-wal", dir);
	unlink(path);
	free(path);
	path = xasprintf("%s/mediawatch.db-shm", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

/* A database in memory has no file for a second connection: the part
 * runs at once, in the caller's thread, on the caller's connection. */
static void
in_memory_the_part_runs_in_line(void **state)
{
	struct seen seen = { 0 };
	struct db_side side;
	sqlite3 *db;

	(void)state;
	assert_non_null(db = db_open(":memory:", true));
	fill(db);
	db_side_start(&side, db, read_sum, &seen);
	assert_int_equal(seen.sum, 500500);
	assert_true(pthread_equal(seen.thread, pthread_self()));
	assert_ptr_equal(seen.db, db);
	db_side_join(&side);
	db_close(db);
}

/* Items shared by the caller and its side: each item's sum of a part of
 * the table and how many times it ran. */
#define ITEMS 64

struct items {
	long long sum[ITEMS];
	int       runs[ITEMS];
};

static void
sum_item(sqlite3 *db, size_t i, void *arg)
{
	struct items *it = arg;
	sqlite3_stmt *st = db_prepare(db, "SELECT coalesce(sum(x), 0) FROM n"
	    " WHERE x % ? = ?", "II", (long long)ITEMS, (long long)i);

	if (st && sqlite3_step(st) == SQLITE_ROW)
		it->sum[i] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	it->runs[i]++;
}

/* Every item runs once, on one connection or the other, file or memory,
 * and reads what it should. */
static void
shared_items_run_once_each(void **state)
{
	char *dir = xstrdup("/tmp/mw-test-side-XXXXXX"), *path;
	const char *where[2];
	struct items it;
	long long total;
	sqlite3 *db;
	size_t i, k;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/mediawatch.db", dir);
	where[0] = path;
	where[1] = ":memory:";
	for (k = 0; k < 2; k++) {
		memset(&it, 0, sizeof(it));
		assert_non_null(db = db_open(where[k], true));
		fill(db);
		db_side_share(db, ITEMS, sum_item, &it);
		total = 0;
		for (i = 0; i < ITEMS; i++) {
			assert_int_equal(it.runs[i], 1);
			total += it.sum[i];
		}
		assert_int_equal(total, 500500);
		/* 1, 65, …, 961: sixteen numbers below 1000 */
		assert_int_equal(it.sum[1], 16 * 1 + 64 * (15 * 16 / 2));
		db_close(db);
	}
	free(path);
	path = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_part_reads_beside_the_caller),
		cmocka_unit_test(in_memory_the_part_runs_in_line),
		cmocka_unit_test(shared_items_run_once_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
