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

/* A database in a directory of its own with a checkpointer, its table
 * made. */
struct logged {
	char                *dir, *path, *wal;
	sqlite3             *db;
	struct checkpointer *c;
};

static int
logged_setup(void **state)
{
	struct logged *l = xcalloc(1, sizeof(*l));

	l->dir = xstrdup("/tmp/mw-test-checkpoint-XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	l->path = xasprintf("%s/mediawatch.db", l->dir);
	l->wal = xasprintf("%s-wal", l->path);
	assert_non_null(l->db = db_open(l->path, true));
	assert_non_null(l->c = checkpointer_start(l->db, l->path));
	assert_int_equal(db_exec(l->db, "CREATE TABLE filler (x BLOB)"), 0);
	*state = l;
	return 0;
}

/* Stops the checkpointer and closes the database: the log is gone. */
static int
logged_teardown(void **state)
{
	struct logged *l = *state;

	checkpointer_stop(l->c);
	db_close(l->db);
	assert_true(file_size(l->wal) <= 0);
	unlink(l->wal);
	unlink(l->path);
	rmdir(l->dir);
	free(l->wal);
	free(l->path);
	free(l->dir);
	free(l);
	return 0;
}

/* Commits 48 MB, more than the log may hold (10,000 pages). */
static void
commit_48_mb(sqlite3 *db)
{
	int i;

	for (i = 0; i < 60; i++)
		assert_int_equal(db_exec(db, "WITH RECURSIVE n(k) AS (SELECT 1"
		    " UNION ALL SELECT k + 1 FROM n WHERE k < 200) INSERT INTO"
		    " filler SELECT zeroblob(4000) FROM n"), 0);
}

/*
 * The writer commits 48 MB and goes on: the pages reach the database
 * file through the checkpointer's thread (the writer's own checkpoints
 * are off while it runs).
 */
static void
the_log_is_copied_back_while_the_writer_goes_on(void **state)
{
	struct logged *l = *state;
	off_t before = file_size(l->path);

	commit_48_mb(l->db);
	assert_true(await_size(l->path, before + 30 * 1024 * 1024) >=
	    before + 30 * 1024 * 1024);
}

/*
 * While held, the writer's commits start no checkpoint: 48 MB committed
 * leave the database file as it was.  Released, the checkpoint the
 * commits asked for copies them.
 */
static void
a_held_checkpointer_copies_after_it_is_released(void **state)
{
	struct logged *l = *state;
	off_t before = file_size(l->path);

	checkpointer_hold(l->c, true);
	commit_48_mb(l->db);
	assert_true(file_size(l->wal) > 40 * 1024 * 1024);
	assert_int_equal(file_size(l->path), before);
	checkpointer_hold(l->c, false);
	assert_true(await_size(l->path, before + 40 * 1024 * 1024) >=
	    before + 40 * 1024 * 1024);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    the_log_is_copied_back_while_the_writer_goes_on,
		    logged_setup, logged_teardown),
		cmocka_unit_test_setup_teardown(
		    a_held_checkpointer_copies_after_it_is_released,
		    logged_setup, logged_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
