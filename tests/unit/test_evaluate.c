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

/* A registry of N_ACCOUNTS in memory (path NULL) or in a file. */
struct registry {
	struct config cfg;
	char         *dir, *path;
	sqlite3      *db;
};

static int
open_registry(void **state, bool in_file)
{
	struct registry *r = xcalloc(1, sizeof(*r));

	alarm(ALARM);
	assert_int_equal(config_load(NULL, &r->cfg), 0);
	if (in_file) {
		r->dir = xstrdup("/tmp/mw-test-evaluate-XXXXXX");
		assert_non_null(mkdtemp(r->dir));
		r->path = xasprintf("%s/mediawatch.db", r->dir);
	}
	assert_non_null(r->db = db_open(in_file ? r->path : ":memory:", true));
	register_accounts(r->db);
	*state = r;
	return 0;
}

static int
in_memory(void **state)
{
	return open_registry(state, false);
}

static int
in_a_file(void **state)
{
	return open_registry(state, true);
}

static int
close_registry(void **state)
{
	const char *const ext[] = { "", "-wal", "-shm" };
	struct registry *r = *state;
	char *file;
	size_t i;

	db_close(r->db);
	config_free(&r->cfg);
	for (i = 0; r->path && i < ARRAY_SIZE(ext); i++) {
		file = xasprintf("%s%s", r->path, ext[i]);
		unlink(file);
		free(file);
	}
	if (r->dir)
		rmdir(r->dir);
	free(r->path);
	free(r->dir);
	free(r);
	alarm(0);
	return 0;
}

/* In memory there is no second connection: the whole pass is read
 * before the first part is written, however many parts it has.  In a
 * file the reader has a connection and a thread of its own and runs
 * ahead of the writes.  The same result. */
static void
every_account_is_evaluated_once(void **state)
{
	struct registry *r = *state;
	struct evaluation ev;

	assert_int_equal(db_begin(r->db), 0);
	assert_int_equal(evaluate(r->db, &r->cfg, NOW, false, &ev, NULL, NULL),
	    0);
	assert_int_equal(db_commit(r->db), 0);
	assert_evaluated_once_each(r->db, &ev);
	evaluation_free(&ev);
}

static void
in_memory_every_account_is_evaluated_once(void **state)
{
	every_account_is_evaluated_once(state);
}

static void
in_a_file_every_account_is_evaluated_once(void **state)
{
	every_account_is_evaluated_once(state);
}

/* A write that fails in the second part, the reader ahead of it: the
 * reader stops (it may wait for room in the queue: it is let go), the
 * evaluation ends, failed, and the caller rolls it all back. */
static void
a_failed_write_stops_the_reader(void **state)
{
	struct registry *r = *state;
	struct evaluation ev;

	assert_int_equal(db_exec(r->db, "CREATE TRIGGER full BEFORE INSERT ON"
	    " state_change WHEN NEW.account_id > 5000 BEGIN"
	    " SELECT RAISE(ABORT, 'disk full'); END"), 0);
	assert_int_equal(db_begin(r->db), 0);
	assert_int_equal(evaluate(r->db, &r->cfg, NOW, false, &ev, NULL, NULL),
	    -1);
	assert_true(ev.evaluated < N_ACCOUNTS);      /* it stopped reading */
	db_rollback(r->db);
	assert_int_equal(count(r->db, "SELECT count(*) FROM account_state"), 0);
	assert_int_equal(count(r->db, "SELECT count(*) FROM state_change"), 0);
	evaluation_free(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    in_memory_every_account_is_evaluated_once, in_memory,
		    close_registry),
		cmocka_unit_test_setup_teardown(
		    in_a_file_every_account_is_evaluated_once, in_a_file,
		    close_registry),
		cmocka_unit_test_setup_teardown(a_failed_write_stops_the_reader,
		    in_a_file, close_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
