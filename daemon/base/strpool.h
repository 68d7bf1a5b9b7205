/* strpool.h — strings that live and die together, copied end to end into
 * large blocks: an evaluation keeps the names of a few hundred thousand
 * accounts, and a malloc of its own for each would cost a header and
 * rounding apiece (about as much as the name) and scatter the heap.
 * The pool owns its copies; they stay where they are until strpool_free(). */
#ifndef MW_STRPOOL_H
#define MW_STRPOOL_H

#include <stddef.h>

struct strpool_block;

struct strpool {
	struct strpool_block *head;        /* the block being filled */
};
#define STRPOOL_INIT { NULL }

/* A copy of s in the pool (NULL in, NULL out). */
const char *strpool_add(struct strpool *pool, const char *s);
/* The same for the first n bytes of s, NUL-terminated. */
const char *strpool_addn(struct strpool *pool, const char *s, size_t n);
void        strpool_free(struct strpool *pool);   /* every copy goes */

#endif
