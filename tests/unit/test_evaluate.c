/* test_evaluate.c — the evaluation's pass, read in parts beside its
 * writes: more parts than the reader may hold ahead, in memory (where it
 * runs in line, before the writes) and with a write that fails halfway
 * (the reader, waiting for room, must be let go).  A pass that hangs is
 * stopped by an alarm and fails the test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/util.h"
#include "config/config.h"
#include "monitor/evaluate.h"
#include "store/db.h"

/* More accounts than 16 parts of 4,096 (evaluate.c's PARTS_AHEAD and
 * PART_ACCOUNTS) and three more: the reader must wait for the writer, or
 * not at all. */
#define ACCOUNTS "90000"
#define N_ACCOUNTS 90000
#define NOW      1772416800LL          /* 2026-03-02 10:00 in Shanghai */
#define ALARM    120                   /* seconds before a hang fails */

static void
register_accounts(sqlite3 *db)
{
	assert_int_equal(db_exec(db, "INSERT INTO unit (code, name, created_at)"
	    " VALUES ('GOV', '县政府办公室', 0)"), 0);
	assert_int_equal(db_exec(db, "WITH RECURSIVE k(i) AS (SELECT 1 UNION"
	    " ALL SELECT i + 1 FROM k WHERE i < " ACCOUNTS ") INSERT INTO"
	    " account (unit_id, platform, name, created_at) SELECT 1, 'weibo',"
	    " '账号' || i, 0 FROM k"), 0);
}

static long long
count(sqlite3 *db, const char *sql)
{
	long long n = -1;

	assert_int_equal(db_query_int(db, &n, sql, ""), 0);
	return n;
}

/* Never seen, every account is unverified on its first evaluation: one
 * state and one state change each. */
static void
assert_evaluated_once_each(sqlite3 *db, const struct evaluation *ev)
{
	assert_int_equal(ev->evaluated, N_ACCOUNTS);
	assert_int_equal(ev->counts[STATE_UNVERIFIED], N_ACCOUNTS);
	assert_int_equal(ev->n_moved, N_ACCOUNTS);
	assert_int_equal(ev->moved[0][STATE_UNVERIFIED], N_ACCOUNTS);
	assert_int_equal(count(db, "SELECT count(*) FROM account_state WHERE"
	    " state = 'unverified'"), N_ACCOUNTS);
	assert_int_equal(count(db, "SELECT count(DISTINCT account_id) FROM"
	    " state_change WHERE from_state IS NULL"), N_ACCOUNTS);
	assert_int_equal(count(db, "SELECT count(*) FROM state_change"),
	    N_ACCOUNTS);
}

/* In memory there is no second connection: the whole pass is read
 * before the first part is written, however many parts it has. */
static void
in_memory_every_part_is_read_before_the_writes(void **state)
{
	struct evaluation ev;
	struct config cfg;
	sqlite3 *db;

	(void)state;
	alarm(ALARM);
	assert_int_equal(config_load(NULL, &cfg), 0);
	assert_non_null(db = db_open(":memory:", true));
	register_accounts(db);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(evaluate(db, &cfg, NOW, false, &ev, NULL, NULL), 0);
	assert_int_equal(db_commit(db), 0);
	assert_evaluated_once_each(db, &ev);
	evaluation_free(&ev);
	db_close(db);
	config_free(&cfg);
	alarm(0);
}

static char *
temp_db(char **dir)
{
	*dir = xstrdup("/tmp/mw-test-evaluate-XXXXXX");
	assert_non_null(mkdtemp(*dir));
	return xasprintf("%s/mediawatch.db", *dir);
}

static void
remove_db(char *dir, char *path)
{
	const char *const ext[] = { "", "-wal", "-shm" };
	char *file;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		file = xasprintf("%s%s", path, ext[i]);
		unlink(file);
		free(file);
	}
	rmdir(dir);
	free(path);
	free(dir);
}

/* On a file the reader has a connection and a thread of its own and
 * runs ahead of the writes: the same result. */
static void
on_a_file_the_parts_are_read_beside_the_writes(void **state)
{
	struct evaluation ev;
	struct config cfg;
	char *dir, *path = temp_db(&dir);
	sqlite3 *db;

	(void)state;
	alarm(ALARM);
	assert_int_equal(config_load(NULL, &cfg), 0);
	assert_non_null(db = db_open(path, true));
	register_accounts(db);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(evaluate(db, &cfg, NOW, false, &ev, NULL, NULL), 0);
	assert_int_equal(db_commit(db), 0);
	assert_evaluated_once_each(db, &ev);
	evaluation_free(&ev);
	db_close(db);
	config_free(&cfg);
	remove_db(dir, path);
	alarm(0);
}

/* A write that fails in the second part, the reader ahead of it: the
 * reader stops (it may wait for room in the queue: it is let go), the
 * evaluation ends, failed, and the caller rolls it all back. */
static void
a_failed_write_stops_the_reader(void **state)
{
	struct evaluation ev;
	struct config cfg;
	char *dir, *path = temp_db(&dir);
	sqlite3 *db;

	(void)state;
	alarm(ALARM);
	assert_int_equal(config_load(NULL, &cfg), 0);
	assert_non_null(db = db_open(path, true));
	register_accounts(db);
	assert_int_equal(db_exec(db, "CREATE TRIGGER full BEFORE INSERT ON"
	    " state_change WHEN NEW.account_id > 5000 BEGIN"
	    " SELECT RAISE(ABORT, 'disk full'); END"), 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(evaluate(db, &cfg, NOW, false, &ev, NULL, NULL), -1);
	assert_true(ev.evaluated < N_ACCOUNTS);      /* it stopped reading */
	db_rollback(db);
	assert_int_equal(count(db, "SELECT count(*) FROM account_state"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM state_change"), 0);
	evaluation_free(&ev);
	db_close(db);
	config_free(&cfg);
	remove_db(dir, path);
	alarm(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_memory_every_part_is_read_before_the_writes),
		cmocka_unit_test(on_a_file_the_parts_are_read_beside_the_writes),
		cmocka_unit_test(a_failed_write_stops_the_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
