/* side.c — one part of a long read, on a thread of its own. */
#include <stdatomic.h>
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

/* The items shared by the caller and its side. */
struct shared_items {
	size_t         n;
	atomic_size_t  next;
	db_item_fn    *item;
	void          *arg;
};

static void
take_items(sqlite3 *db, void *arg)
{
	struct shared_items *q = arg;
	size_t i;

	while ((i = atomic_fetch_add(&q->next, 1)) < q->n)
		q->item(db, i, q->arg);
}

void
db_side_share(sqlite3 *db, size_t n, db_item_fn *item, void *arg)
{
	struct shared_items q = { .n = n, .item = item, .arg = arg };
	struct db_side side;

	atomic_init(&q.next, 0);
	db_side_start(&side, db, take_items, &q);
	take_items(db, &q);
	db_side_join(&side);
}
