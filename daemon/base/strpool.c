/* strpool.c — strings copied into large blocks, freed at once. */
#include <stdlib.h>
#include <string.h>

#include "base/strpool.h"
#include "base/util.h"

/* Large enough that the blocks' headers do not count, small enough that
 * a small evaluation does not hold much room to spare. */
#define BLOCK_BYTES (64 * 1024)

struct strpool_block {
	struct strpool_block *next;        /* the blocks filled before */
	size_t                used, size;
	char                  bytes[];
};

/* A block with room for n more bytes; a string longer than a block gets
 * one of its own, behind the one being filled. */
static struct strpool_block *
room_for(struct strpool *pool, size_t n)
{
	struct strpool_block *b = pool->head, *nb;
	size_t size = n > BLOCK_BYTES ? n : BLOCK_BYTES;

	if (b && b->size - b->used >= n)
		return b;
	nb = xmalloc(sizeof(*nb) + size);
	nb->used = 0;
	nb->size = size;
	if (b && size > BLOCK_BYTES) {
		nb->next = b->next;
		b->next = nb;
	} else {
		nb->next = b;
		pool->head = nb;
	}
	return nb;
}

const char *
strpool_addn(struct strpool *pool, const char *s, size_t n)
{
	struct strpool_block *b = room_for(pool, n + 1);
	char *p = b->bytes + b->used;

	memcpy(p, s, n);
	p[n] = '\0';
	b->used += n + 1;
	return p;
}

const char *
strpool_add(struct strpool *pool, const char *s)
{
	return s ? strpool_addn(pool, s, strlen(s)) : NULL;
}

void
strpool_free(struct strpool *pool)
{
	struct strpool_block *b, *next;

	for (b = pool->head; b; b = next) {
		next = b->next;
		free(b);
	}
	pool->head = NULL;
}
