/* side.h — one part of a long read, on a thread of its own.
 *
 * A document of a large region reads for seconds, in parts that do not
 * depend on each other.  db_side_start() runs one part on a second,
 * read-only connection to the same database, in a thread of its own,
 * while the caller reads the rest on its connection; db_side_join()
 * waits for it.  On two cores the whole then takes about its longer
 * half.  Where no second connection or thread can be had (a database in
 * memory), the part runs at once in the caller's thread: the same
 * result, later.
 *
 * The side's connection does not see what the caller's transaction has
 * written and not committed: start it before the caller writes.  Inside
 * the caller's write transaction (BEGIN IMMEDIATE) nobody else commits,
 * so both read the same database.  The part's thread keeps no prepared
 * statements (db_thread_uncached()): the cache is the caller's.
 */
#ifndef MW_SIDE_H
#define MW_SIDE_H

#include <pthread.h>
#include <sqlite3.h>

typedef void db_part_fn(sqlite3 *db, void *arg);

struct db_side {
	db_part_fn *part;
	void       *arg;
	sqlite3    *db;         /* the side's connection; NULL: ran in line */
	pthread_t   thread;
};

/* Starts part(connection, arg) beside the caller, reading db's file. */
void db_side_start(struct db_side *s, sqlite3 *db, db_part_fn *part,
         void *arg);
/* Waits for the part to end and closes its connection. */
void db_side_join(struct db_side *s);

/* Runs item(connection, i, arg) for every i below n, on the caller's
 * connection and thread and on a side beside it, each taking the next i
 * once done with its last: items of uneven cost, or a thread that gets
 * less of the cores than the other, and both still end together.  Each
 * item runs once, on either; returns when all have run. */
typedef void db_item_fn(sqlite3 *db, size_t i, void *arg);
void db_side_share(sqlite3 *db, size_t n, db_item_fn *item, void *arg);

#endif
