/* side.c — one part of a long read, on a thread of its own. */
#include <string.h>

#include "store/db.h"
#include "store/side.h"

static void *
side_main(void *arg)
{
	struct db_side *s = arg;

	db_thread_uncached();
	s->part(s->db, s->arg);
	return NULL;
}

void
db_side_start(struct db_side *s, sqlite3 *db, db_part_fn *part, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->part = part;
	s->arg = arg;
	if ((s->db = db_open_reader(db)) != NULL &&
	    pthread_create(&s->thread, NULL, side_main, s) == 0)
		return;
	db_close(s->db);
	s->db = NULL;
	part(db, arg);
}

void
db_side_join(struct db_side *s)
{
	if (s->db == NULL)
		return;
	pthread_join(s->thread, NULL);
	db_close(s->db);
	s->db = NULL;
}
