/* db.h — the SQLite store: opening, migrations, transactions, statements.
 *
 * The database is the truth: every state change is committed before anything
 * acts on it.  WAL mode, foreign keys on, a busy timeout.  The schema is the
 * numbered files in sql/, embedded at build time and applied in order inside
 * one transaction each, tracked by PRAGMA user_version. */
#ifndef MW_DB_H
#define MW_DB_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

struct migration {
	int         version;        /* the NNNN of sql/NNNN_name.sql */
	const char *name;
	const char *sql;
};
extern const struct migration migrations[];
extern const size_t n_migrations;

#define DB_BUSY_TIMEOUT_MS 5000

/* Opens (creating when create is true) and migrates.  Logs and returns NULL
 * on failure, including a database newer than this binary. */
sqlite3 *db_open(const char *path, bool create);
void     db_close(sqlite3 *db);
/* Another connection to db's database file, for reading only, for
 * another thread (store/side.h).  NULL when db has no file (":memory:")
 * or the file cannot be opened (logged). */
sqlite3 *db_open_reader(sqlite3 *db);
int      db_schema_version(sqlite3 *db);
int      db_latest_version(void);

/* Transactions.  db_begin takes the write lock at once (BEGIN IMMEDIATE) so
 * a busy database fails before any work is done. */
int  db_begin(sqlite3 *db);
int  db_commit(sqlite3 *db);
void db_rollback(sqlite3 *db);
/* Whether db's next transactions enforce foreign keys (on by default; the
 * pragma changes only outside a transaction).  The daemon's two bulk
 * writers, the poll's batches and the evaluation, turn them off: every id
 * they write they read themselves in the same transaction, nothing
 * deletes an account, a unit or a problem, and enforced keys made SQLite
 * look every row's account up and keep a statement journal.  The tests
 * check the keys after every cycle (PRAGMA foreign_key_check). */
int  db_foreign_keys(sqlite3 *db, bool on);

/* Runs SQL without results; logs and returns -1 on error. */
int  db_exec(sqlite3 *db, const char *sql);

/* Prepares a statement and binds arguments described by fmt, one character
 * per argument: 'i' int, 'I' long long, 's' const char * (NULL binds NULL),
 * 'n' NULL (no argument consumed).  Logs and returns NULL on error. */
sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql, const char *fmt, ...);
/* Like db_prepare for SQL in static storage that runs often: the statement
 * is kept for reuse.  Give it back with db_release(), never finalize it. */
sqlite3_stmt *db_prepare_cached(sqlite3 *db, const char *sql, const char *fmt, ...);
void db_release(sqlite3_stmt *st);
/* The calling thread keeps no statements: db_prepare_cached() prepares
 * anew and db_release() finalizes.  For a thread reading beside the one
 * that owns the cache (store/side.h). */
void db_thread_uncached(void);
/* Prepares, binds, steps to completion, finalizes.  Returns -1 on error. */
int  db_run(sqlite3 *db, const char *sql, const char *fmt, ...);
/* Single-value queries: 0 and the value when a row came, 1 when none, -1 on
 * error.  db_query_text's *out is malloc'd (NULL for SQL NULL). */
int  db_query_int(sqlite3 *db, long long *out, const char *sql, const char *fmt, ...);
int  db_query_text(sqlite3 *db, char **out, const char *sql, const char *fmt, ...);

/* Many rows written by one statement, "HEAD (ROW), (ROW), … TAIL", run
 * for every 128 rows (and once for the rest): a statement's own cost
 * (preparing aside, starting it, the constraints' set-up, ending it) is
 * paid once for them all.  ROW has COLS parameters, written "?", bound by db_batch_row() in
 * the order of the row; TOTAL is how many rows will be given.  Inside a
 * transaction.  db_batch_end() runs what is left and returns the rows
 * changed (sqlite3_changes()), or -1 when any step failed (logged). */
struct db_batch {
	sqlite3      *db;
	const char   *head, *row, *tail;
	int           cols;
	size_t        total, left;    /* rows announced, still to be given */
	sqlite3_stmt *st;
	int           rows, bound;    /* st's rows, those bound */
	long long     changes;
	int           failed;
};
void      db_batch_begin(struct db_batch *b, sqlite3 *db, const char *head,
    const char *row, int cols, const char *tail, size_t total);
/* Binds one row, fmt as for db_prepare (one character a column). */
int       db_batch_row(struct db_batch *b, const char *fmt, ...);
long long db_batch_end(struct db_batch *b);

/* Column helpers: a malloc'd copy of a text column, NULL for SQL NULL. */
char *db_column_strdup(sqlite3_stmt *st, int col);
const char *db_column_text(sqlite3_stmt *st, int col);   /* "" for NULL */
bool  db_column_is_null(sqlite3_stmt *st, int col);
/* A column as JSON: null, an integer, a real or a string (new reference). */
json_t *db_column_json(sqlite3_stmt *st, int col);

#endif
