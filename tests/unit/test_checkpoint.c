/* test_checkpoint.c — the daemon's WAL checkpoints on their own thread. */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/util.h"
#include "store/checkpoint.h"
#include "store/db.h"

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Waits up to 30 s for path to reach size bytes; the sizes it had. */
static off_t
await_size(const char *path, off_t size)
{
	static const struct timespec step = { 0, 10 * 1000000L };
	off_t now = file_size(path);
	int i;

	for (i = 0; i < 3000 && now < size; i++) {
		nanosleep(&step, NULL);
		now = file_size(path);
	}
	return now;
}

/*
 * The writer commits 48 MB, more than the log may hold (10,000 pages) and
 * goes on: the pages reach the database file through the checkpointer's
 * thread (the writer's own checkpoints are off while it runs), and the
 * log is gone once the checkpointer is stopped and the database closed.
 */
static void
the_log_is_copied_back_while_the_writer_goes_on(void **state)
{
	char *dir = xstrdup("/tmp/mw-test-checkpoint-XXXXXX"), *path, *wal;
	struct checkpointer *c;
	sqlite3 *db;
	off_t before;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/mediawatch.db", dir);
	wal = xasprintf("%s-wal", path);
	assert_non_null(db = db_open(path, true));
	assert_non_null(c = checkpointer_start(db, path));
	assert_int_equal(db_exec(db, "CREATE TABLE filler (x BLOB)"), 0);
	before = file_size(path);
	for (i = 0; i < 60; i++)
		assert_int_equal(db_exec(db, "WITH RECURSIVE n(k) AS (SELECT 1"
		    " UNION ALL SELECT k + 1 FROM n WHERE k < 200) INSERT INTO"
		    " filler SELECT zeroblob(4000) FROM n"), 0);
	assert_true(await_size(path, before + 30 * 1024 * 1024) >=
	    before + 30 * 1024 * 1024);
	checkpointer_stop(c);
	db_close(db);
	assert_true(file_size(wal) <= 0);
	unlink(wal);
	unlink(path);
	free(wal);
	free(path);
	rmdir(dir);
	free(dir);
}

/*
 * While held, the writer's commits start no checkpoint: 48 MB committed
 * leave the database file as it was.  Released, the checkpoint the
 * commits asked for copies them.
 */
static void
a_held_checkpointer_copies_after_it_is_released(void **state)
{
	char *dir = xstrdup("/tmp/mw-test-checkpoint-XXXXXX"), *path, *wal;
	struct checkpointer *c;
	sqlite3 *db;
	off_t before;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/mediawatch.db", dir);
	wal = xasprintf("%s-wal", path);
	assert_non_null(db = db_open(path, true));
	assert_non_null(c = checkpointer_start(db, path));
	assert_int_equal(db_exec(db, "CREATE TABLE filler (x BLOB)"), 0);
	before = file_size(path);
	checkpointer_hold(c, true);
	for (i = 0; i < 60; i++)
		assert_int_equal(db_exec(db, "WITH RECURSIVE n(k) AS (SELECT 1"
		    " UNION ALL SELECT k + 1 FROM n WHERE k < 200) INSERT INTO"
		    " filler SELECT zeroblob(4000) FROM n"), 0);
	assert_true(file_size(wal) > 40 * 1024 * 1024);
	assert_int_equal(file_size(path), before);
	checkpointer_hold(c, false);
	assert_true(await_size(path, before + 40 * 1024 * 1024) >=
	    before + 40 * 1024 * 1024);
	checkpointer_stop(c);
	db_close(db);
	assert_true(file_size(wal) <= 0);
	unlink(wal);
	unlink(path);
	free(wal);
	free(path);
	rmdir(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_log_is_copied_back_while_the_writer_goes_on),
		cmocka_unit_test(a_held_checkpointer_copies_after_it_is_released),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
