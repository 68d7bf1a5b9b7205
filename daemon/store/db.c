/* db.c — SQLite opening, migrations and small statement helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "store/db.h"

int
db_latest_version(void)
{
	return n_migrations ? migrations[n_migrations - 1].version : 0;
}

int
db_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx(N_("database: %s"), err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int
db_schema_version(sqlite3 *db)
{
	long long v;

	if (db_query_int(db, &v, "PRAGMA user_version", "") != 0)
		return -1;
	return (int)v;
}

int
db_begin(sqlite3 *db)
{
	return db_run(db, "BEGIN IMMEDIATE", "");
}

int
db_commit(sqlite3 *db)
{
	return db_run(db, "COMMIT", "");
}

void
db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int
db_foreign_keys(sqlite3 *db, bool on)
{
	return db_exec(db, on ? "PRAGMA foreign_keys = ON" :
	    "PRAGMA foreign_keys = OFF");
}

static int
apply_migration(sqlite3 *db, const struct migration *m)
{
	char pragma[64];

	if (db_begin(db) == -1)
		return -1;
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
	if (db_exec(db, m->sql) == -1 || db_exec(db, pragma) == -1) {
		log_warnx(N_("database: migration %s failed"), m->name);
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

static int
migrate(sqlite3 *db, const char *path)
{
	int current = db_schema_version(db);
	size_t i;

	if (current < 0)
		return -1;
	if (current > db_latest_version()) {
		log_warnx(N_("%s: database schema version %d is newer than this "
		    "program understands (%d); upgrade mediawatch"), path,
		    current, db_latest_version());
		return -1;
	}
	for (i = 0; i < n_migrations; i++) {
		if (migrations[i].version <= current)
			continue;
		if (apply_migration(db, &migrations[i]) == -1)
			return -1;
		log_debug("database: applied %s", migrations[i].name);
	}
	return 0;
}

/* SQLite creates files 0644 less the umask; the service's group (admins
 * running mediawatchctl) must be able to write the database and its WAL,
 * so create it 0660 less the umask ourselves.  -wal and -shm copy it. */
static int
create_group_writable(const char *path)
{
	int fd;

	if (strcmp(path, ":memory:") == 0 || access(path, F_OK) == 0)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0660);
	if (fd == -1 && errno != EEXIST) {
		log_warn("%s", path);
		return -1;
	}
	if (fd != -1)
		close(fd);
	return 0;
}

/*
 * SQLite's own busy handler sleeps up to 100 ms between two tries, and a
 * writer that lets go of the lock only for a moment between two
 * transactions (the poller between batches of results, an admin between
 * two commands) can keep a waiting program out until its timeout runs
 * out.  Trying every few milliseconds takes the first gap.
 */
#define BUSY_STEP_MS 2

/* The page cache of a connection, in KiB (SQLite's default is 2,000).  A
 * transaction whose pages do not fit spills them into the log before its
 * commit and writes them again; the poller's batch of results
 * (poll/poller.c: BATCH_MAX) fits in this. */
#define CACHE_KIB 8192
#define STR_(x) #x
#define STR(x) STR_(x)

/* SQLite calls it with tries 0, 1, 2, … while one statement waits; a
 * connection is used from one thread at a time, and a thread waits for
 * one statement at a time. */
static int
busy_wait(void *arg, int tries)
{
	static const struct timespec step = { 0, BUSY_STEP_MS * 1000000L };
	static _Thread_local long long since;

	if (tries == 0)
		since = monotonic_ms();
	else if (monotonic_ms() - since >= DB_BUSY_TIMEOUT_MS)
		return 0;
	nanosleep(&step, NULL);
	return 1;
}

/*
 * A connection is used by one thread at a time (the daemon's event loop,
 * whose feed reading thread has none; the console's threads, one at a time
 * under the lock around the library in web/server.c), so SQLite need not
 * lock it on every call (SQLITE_OPEN_NOMUTEX), and nothing reads SQLite's
 * memory statistics, whose upkeep takes a global lock on every
 * allocation.  The library-wide setting can change only before the first
 * connection.
 */
static void
db_init_library(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* A connection to path with the busy handler and extended result codes
 * every program's connections have; logged and NULL on failure. */
static sqlite3 *
connect_to(const char *path, int flags)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		log_warnx("%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_handler(db, busy_wait, NULL);
	sqlite3_extended_result_codes(db, 1);
	return db;
}

sqlite3 *
db_open(const char *path, bool create)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	sqlite3 *db = NULL;
	struct stat st;

	if (!create && stat(path, &st) == -1) {
		log_warn("%s", path);
		return NULL;
	}
	if (create && create_group_writable(path) == -1)
		return NULL;
	db_init_library();
	if ((db = connect_to(path, flags)) == NULL)
		return NULL;
	if (db_exec(db, "PRAGMA journal_mode = WAL") == -1 ||
	    db_exec(db, "PRAGMA foreign_keys = ON") == -1 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL") == -1 ||
	    db_exec(db, "PRAGMA temp_store = MEMORY") == -1 ||
	    db_exec(db, "PRAGMA cache_size = -" STR(CACHE_KIB)) == -1 ||
	    db_exec(db, "PRAGMA wal_autocheckpoint = 10000") == -1 ||
	    migrate(db, path) == -1) {
		log_warnx(N_("%s: cannot use this database"), path);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

sqlite3 *
db_open_reader(sqlite3 *db)
{
	const char *path = sqlite3_db_filename(db, "main");
	sqlite3 *r;

	if (path == NULL || *path == '\0' ||
	    (r = connect_to(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX)) ==
	    NULL)
		return NULL;
	if (db_exec(r, "PRAGMA temp_store = MEMORY") == -1 ||
	    db_exec(r, "PRAGMA cache_size = -" STR(CACHE_KIB)) == -1) {
		sqlite3_close(r);
		return NULL;
	}
	return r;
}

/* Prepared statements kept for reuse: preparing costs more than running
 * the small statements of a poll cycle.  Keyed by the SQL text's address,
 * confirmed by comparing the text; a statement handed out is pinned until
 * db_release(), so it is never finalized under its user. */
#define STMT_CACHE_SIZE 48
static struct {
	sqlite3      *db;
	const char   *sql;
	sqlite3_stmt *st;
	bool          pinned;
} stmt_cache[STMT_CACHE_SIZE];
static unsigned stmt_cache_next;
/* Set in a thread that reads beside the cache's owner (store/side.c). */
static _Thread_local bool stmt_cache_off;

void
db_thread_uncached(void)
{
	stmt_cache_off = true;
}

static int
cache_find(sqlite3 *db, const char *sql)
{
	int i;

	for (i = 0; i < STMT_CACHE_SIZE; i++)
		if (stmt_cache[i].db == db && stmt_cache[i].sql == sql &&
		    !stmt_cache[i].pinned &&
		    strcmp(sqlite3_sql(stmt_cache[i].st), sql) == 0)
			return i;
	return -1;
}

/* A free slot, evicting an unpinned statement; -1 when all are pinned. */
static int
cache_slot(void)
{
	unsigned tries;
	int i;

	for (tries = 0; tries < STMT_CACHE_SIZE; tries++) {
		i = (int)(stmt_cache_next++ % STMT_CACHE_SIZE);
		if (stmt_cache[i].pinned)
			continue;
		if (stmt_cache[i].st)
			sqlite3_finalize(stmt_cache[i].st);
		memset(&stmt_cache[i], 0, sizeof(stmt_cache[i]));
		return i;
	}
	return -1;
}

/* A statement for sql: the cached one when free, else a new one, kept
 * unless the thread keeps none (db_thread_uncached()). */
static sqlite3_stmt *
stmt_cached(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int i;

	if (!stmt_cache_off && (i = cache_find(db, sql)) >= 0) {
		stmt_cache[i].pinned = true;
		return stmt_cache[i].st;
	}
	if (sqlite3_prepare_v3(db, sql, -1, stmt_cache_off ? 0 :
	    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_warnx(N_("database: %s"), sqlite3_errmsg(db));
		return NULL;
	}
	if (!stmt_cache_off && (i = cache_slot()) >= 0) {
		stmt_cache[i].db = db;
		stmt_cache[i].sql = sql;
		stmt_cache[i].st = st;
		stmt_cache[i].pinned = true;
	}
	return st;
}

void
db_release(sqlite3_stmt *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < STMT_CACHE_SIZE && !stmt_cache_off; i++)
		if (stmt_cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			stmt_cache[i].pinned = false;
			return;
		}
	sqlite3_finalize(st);
}

void
db_close(sqlite3 *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < STMT_CACHE_SIZE; i++)
		if (stmt_cache[i].db == db) {
			sqlite3_finalize(stmt_cache[i].st);
			memset(&stmt_cache[i], 0, sizeof(stmt_cache[i]));
		}
	sqlite3_close(db);
}

/* Binds the arguments of fmt to the parameters from first on. */
static int
bind_from(sqlite3 *db, sqlite3_stmt *st, int first, const char *fmt,
    va_list ap)
{
	const char *s;
	int i, rc = SQLITE_OK;

	for (i = first; *fmt && rc == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 'i':
			rc = sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, long long));
			break;
		case 's':
			s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, i);
			break;
		case 'n':
			rc = sqlite3_bind_null(st, i);
			break;
		default:
			fatalx("db: bad bind format '%c'", *fmt);
		}
	}
	if (rc != SQLITE_OK) {
		log_warnx(N_("database: bind: %s"), sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int
bind_args(sqlite3 *db, sqlite3_stmt *st, const char *fmt, va_list ap)
{
	return bind_from(db, st, 1, fmt, ap);
}

static sqlite3_stmt *
db_vprepare(sqlite3 *db, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx(N_("database: %s"), sqlite3_errmsg(db));
		return NULL;
	}
	if (bind_args(db, st, fmt, ap) == -1) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static sqlite3_stmt *
db_vprepare_cached(sqlite3 *db, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt *st = stmt_cached(db, sql);

	if (st && bind_args(db, st, fmt, ap) == -1) {
		db_release(st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *
db_prepare_cached(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	st = db_vprepare_cached(db, sql, fmt, ap);
	va_end(ap);
	return st;
}

sqlite3_stmt *
db_prepare(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	st = db_vprepare(db, sql, fmt, ap);
	va_end(ap);
	return st;
}

static int
step_error(sqlite3 *db, int rc)
{
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		log_warnx(N_("refused: %s"), sqlite3_errmsg(db));
	else
		log_warnx(N_("database: %s"), sqlite3_errmsg(db));
	return -1;
}

/*
 * A write (or BEGIN) on a connection with a read statement still open,
 * outside a transaction begun before that read, fails at once with
 * SQLITE_BUSY whenever another program holds the write lock: SQLite cannot
 * upgrade the read without risking a deadlock, so the busy timeout does
 * not apply.  It works while the database is quiet, so the mistake shows
 * only under load; say so every time it happens instead.
 */
static void
check_no_open_read(sqlite3 *db, sqlite3_stmt *st)
{
	sqlite3_stmt *other = NULL;

	if (!sqlite3_get_autocommit(db) || (sqlite3_stmt_readonly(st) &&
	    strncasecmp(sqlite3_sql(st), "BEGIN", 5) != 0 &&
	    strncasecmp(sqlite3_sql(st), "SAVEPOINT", 9) != 0))
		return;
	while ((other = sqlite3_next_stmt(db, other)) != NULL)
		if (other != st && sqlite3_stmt_busy(other))
			log_error(N_("database: internal error: \"%.60s\" runs while "
			    "\"%.60s\" is still reading; under load it would fail "
			    "with \"database is locked\""), sqlite3_sql(st),
			    sqlite3_sql(other));
}

int
db_run(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	st = db_vprepare_cached(db, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	check_no_open_read(db, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		step_error(db, rc);     /* before the reset clears the message */
	db_release(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
db_query_int(sqlite3 *db, long long *out, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	st = db_vprepare_cached(db, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		step_error(db, rc);
	db_release(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
db_query_text(sqlite3 *db, char **out, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	st = db_vprepare_cached(db, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = db_column_strdup(st, 0);
	else if (rc != SQLITE_DONE)
		step_error(db, rc);
	db_release(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

char *
db_column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? xstrdup((const char *)t) : NULL;
}

const char *
db_column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? (const char *)t : "";
}

bool
db_column_is_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL;
}

json_t *
db_column_json(sqlite3_stmt *st, int col)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, col));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, col));
	default:
		return json_string(db_column_text(st, col));
	}
}

/* ---- many rows, one statement ---- */

/* Rows a statement carries: enough that preparing and stepping it costs
 * little beside its rows, few enough to stay far below SQLite's limit on
 * parameters. */
#define BATCH_ROWS 128

/* The statement of n rows: head, the row n times separated by commas,
 * tail. */
static sqlite3_stmt *
batch_prepare(struct db_batch *b, int n)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	int i;

	sb_puts(&sql, b->head);
	for (i = 0; i < n; i++)
		sb_printf(&sql, "%s%s", i ? ", " : " ", b->row);
	sb_printf(&sql, " %s", b->tail);
	if (sqlite3_prepare_v3(b->db, sb_str(&sql), -1,
	    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_warnx(N_("database: %s"), sqlite3_errmsg(b->db));
		st = NULL;
	}
	sb_free(&sql);
	return st;
}

void
db_batch_begin(struct db_batch *b, sqlite3 *db, const char *head,
    const char *row, int cols, const char *tail, size_t total)
{
	*b = (struct db_batch){ .db = db, .head = head, .row = row,
	    .cols = cols, .tail = tail, .total = total, .left = total };
}

/* Runs the rows bound so far. */
static int
batch_flush(struct db_batch *b)
{
	int rc;

	if (b->bound == 0)
		return 0;
	while ((rc = sqlite3_step(b->st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		step_error(b->db, rc);
		return -1;
	}
	b->changes += sqlite3_changes64(b->db);
	sqlite3_reset(b->st);
	b->bound = 0;
	return 0;
}

int
db_batch_row(struct db_batch *b, const char *fmt, ...)
{
	va_list ap;
	int rc, n;

	if (b->failed)
		return -1;
	if (b->left == 0)       /* a mistake of the caller, like a bad fmt */
		fatalx("db: more rows than the %zu announced for \"%.60s\"",
		    b->total, b->head);
	if (b->st && b->bound == b->rows && batch_flush(b) == -1)
		return b->failed = -1;
	if (b->bound == 0 && (b->st == NULL || b->left < (size_t)b->rows)) {
		/* the full statement while a full one's rows are left, then
		 * one of the rows that remain */
		n = b->left < BATCH_ROWS ? (int)b->left : BATCH_ROWS;
		sqlite3_finalize(b->st);
		if ((b->st = batch_prepare(b, n)) == NULL)
			return b->failed = -1;
		b->rows = n;
	}
	va_start(ap, fmt);
	rc = bind_from(b->db, b->st, b->bound * b->cols + 1, fmt, ap);
	va_end(ap);
	if (rc == -1)
		return b->failed = -1;
	b->bound++;
	b->left--;
	return 0;
}

long long
db_batch_end(struct db_batch *b)
{
	int rc = b->failed ? -1 : batch_flush(b);

	sqlite3_finalize(b->st);
	b->st = NULL;
	return rc == -1 ? -1 : b->changes;
}
