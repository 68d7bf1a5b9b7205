/* strset.h — a set of strings (open addressing), for counting distinct
 * hosts in a poll cycle.  The set owns copies of its strings. */
#ifndef MW_STRSET_H
#define MW_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char   **slots;
	size_t   cap;          /* power of two, or 0 */
	size_t   count;
};

/* Returns true when s was not in the set yet. */
bool strset_add(struct strset *set, const char *s);
bool strset_contains(const struct strset *set, const char *s);
void strset_clear(struct strset *set);       /* frees everything */

#endif
