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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_part_reads_beside_the_caller),
		cmocka_unit_test(in_memory_the_part_runs_in_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
