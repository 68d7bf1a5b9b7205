/* checkpoint.c — the daemon's WAL checkpoints, on a thread of their own. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "store/checkpoint.h"
#include "store/db.h"

/* Log pages (4 KiB) after which a commit asks for a checkpoint: what the
 * writer checkpointed at itself before (db_open()), so the log stays as
 * long as it was. */
#define CHECKPOINT_PAGES 10000

/* When the thread's last checkpoint left at most this many pages of the
 * log behind, the writer copies them itself (a few milliseconds): with
 * the whole log in the database, its next transaction writes the log
 * from the start again.  Otherwise the writer outruns the thread, the log
 * is never all copied at once and grows for as long as the writer
 * writes: to 120 MB in a cold cycle of 10,000 feeds, each page of it a
 * new block of the file, and the file to delete at the end. */
#define TAIL_PAGES 2048

struct checkpointer {
	sqlite3         *db;          /* the writer's connection */
	sqlite3         *own;         /* the thread's */
	pthread_t        thread;
	pthread_mutex_t  lock;
	pthread_cond_t   wake;
	bool             due;         /* a commit asked for a checkpoint */
	bool             running;     /* the thread is copying */
	int              copied;      /* log pages its last checkpoint left
	                                 copied, -1 before the first */
	bool             held;        /* checkpointer_hold(): commits only
	                                 note that one is asked for … */
	bool             asked;       /* … here */
	bool             stop;
	char            *failure;     /* the last one failed: why (reported
	                                 by the writer's thread, which logs) */
};

/* The writer copies the rest of the log; BUSY only means an admin's
 * command is checkpointing. */
static void
copy_tail(struct checkpointer *c, sqlite3 *db)
{
	int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);

	pthread_mutex_lock(&c->lock);
	c->copied = -1;
	pthread_mutex_unlock(&c->lock);
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
		log_warnx("database checkpoint: %s", sqlite3_errmsg(db));
}

/* SQLite's WAL hook: runs in the writer's thread after each commit. */
static int
on_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct checkpointer *c = arg;
	char *failure;
	bool tail = false;

	pthread_mutex_lock(&c->lock);
	failure = c->failure;
	c->failure = NULL;
	if (pages >= CHECKPOINT_PAGES && c->held)
		c->asked = true;
	else if (pages >= CHECKPOINT_PAGES && !c->due && !c->running) {
		/* copied > pages: the log was started again since */
		tail = c->copied >= 0 && c->copied <= pages &&
		    pages - c->copied <= TAIL_PAGES;
		if (!tail) {
			c->due = true;
			pthread_cond_signal(&c->wake);
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (tail)
		copy_tail(c, db);
	if (failure != NULL) {
		log_warnx("database checkpoint: %s", failure);
		free(failure);
	}
	return SQLITE_OK;
}

/* One checkpoint.  SQLITE_BUSY only means another one is under way (an
 * admin's command closing its connection): the next commit asks again. */
static void
checkpoint_once(struct checkpointer *c)
{
	int copied = -1;
	int rc = sqlite3_wal_checkpoint_v2(c->own, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, NULL, &copied);

	pthread_mutex_lock(&c->lock);
	c->running = false;
	c->copied = rc == SQLITE_OK ? copied : -1;
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY) {
		free(c->failure);
		c->failure = xstrdup(sqlite3_errmsg(c->own));
	}
	pthread_mutex_unlock(&c->lock);
}

static void *
checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		if (!c->due) {
			pthread_cond_wait(&c->wake, &c->lock);
			continue;
		}
		c->due = false;
		c->running = true;
		pthread_mutex_unlock(&c->lock);
		checkpoint_once(c);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static sqlite3 *
open_own(const char *path)
{
	sqlite3 *own = NULL;

	if (sqlite3_open_v2(path, &own, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    db_exec(own, "PRAGMA synchronous = NORMAL") == -1) {
		log_warnx("%s: checkpoints stay in the main thread: %s", path,
		    own ? sqlite3_errmsg(own) : "cannot open");
		sqlite3_close(own);
		return NULL;
	}
	return own;
}

struct checkpointer *
checkpointer_start(sqlite3 *db, const char *path)
{
	struct checkpointer *c = xcalloc(1, sizeof(*c));

	c->db = db;
	c->copied = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if ((c->own = open_own(path)) == NULL)
		goto fail;
	if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
		log_warnx("%s: checkpoints stay in the main thread: no thread",
		    path);
		sqlite3_close(c->own);
		goto fail;
	}
	/* replaces the writer's own checkpoints (wal_autocheckpoint) */
	sqlite3_wal_hook(db, on_commit, c);
	return c;
fail:
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
	return NULL;
}

void
checkpointer_hold(struct checkpointer *c, bool hold)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->held = hold;
	/* one under way: the thread starts this one after it */
	if (!hold && c->asked) {
		c->asked = false;
		c->due = true;
		pthread_cond_signal(&c->wake);
	}
	pthread_mutex_unlock(&c->lock);
}

void
checkpointer_stop(struct checkpointer *c)
{
	if (c == NULL)
		return;
	sqlite3_wal_autocheckpoint(c->db, CHECKPOINT_PAGES);
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->own);
	if (c->failure != NULL) {
		log_warnx("database checkpoint: %s", c->failure);
		free(c->failure);
	}
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
