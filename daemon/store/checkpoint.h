/* checkpoint.h — the daemon's WAL checkpoints, on a thread of their own.
 *
 * SQLite copies the write-ahead log back into the database file from the
 * connection whose commit made the log long enough, and syncs the file
 * there: in the daemon that is the event loop, which stood still for the
 * copy and the sync in the middle of a poll cycle (a fifth of a cold
 * cycle's time at 10,000 accounts).  A checkpointer takes that over: the
 * loop's commits only tell it the log has grown; its thread checkpoints
 * through a connection of its own, never waiting for the writer
 * (SQLITE_CHECKPOINT_PASSIVE), and the writer goes on meanwhile.  The
 * thread does nothing else with the database.  When the thread has left
 * only a short tail of the log uncopied, the writer copies that tail
 * itself, so that the log starts again from its beginning instead of
 * growing for as long as the writer writes.
 */
#ifndef MW_CHECKPOINT_H
#define MW_CHECKPOINT_H

#include <stdbool.h>

#include <sqlite3.h>

struct checkpointer;

/* Takes over the checkpoints of db (opened on path by db_open()).  NULL
 * when its thread or connection cannot be had (logged): db then keeps
 * checkpointing itself, as before. */
struct checkpointer *checkpointer_start(sqlite3 *db, const char *path);

/* While held, the writer's commits neither copy the log's tail nor start
 * a checkpoint; releasing starts the one they asked for meanwhile.  The
 * daemon holds them for the evaluation, which reads and writes on two
 * threads: a checkpoint beside it was a third thread on two cores, and
 * copying the poll's tail of the log in its commit made it wait for
 * that (at 10,000 accounts, half the evaluation's time).  A checkpoint
 * already under way goes on.  NULL is fine. */
void checkpointer_hold(struct checkpointer *c, bool hold);

/* Ends the thread after the checkpoint under way and gives db its own
 * checkpoints back (closing db then checkpoints what is left).  NULL is
 * fine. */
void checkpointer_stop(struct checkpointer *c);

#endif
