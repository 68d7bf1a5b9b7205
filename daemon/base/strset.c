/* strset.c — open-addressing string set. */
#include <stdlib.h>
#include <string.h>

#include "base/strset.h"
#include "base/util.h"

static size_t
slot_of(char **slots, size_t cap, const char *s)
{
	size_t i = (size_t)str_hash64(s) & (cap - 1);

	while (slots[i] && strcmp(slots[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static void
grow(struct strset *set)
{
	size_t cap = set->cap ? set->cap * 2 : 64, i;
	char **slots = xcalloc(cap, sizeof(char *));

	for (i = 0; i < set->cap; i++)
		if (set->slots[i])
			slots[slot_of(slots, cap, set->slots[i])] = set->slots[i];
	free(set->slots);
	set->slots = slots;
	set->cap = cap;
}

bool
strset_add(struct strset *set, const char *s)
{
	size_t i;

	if ((set->count + 1) * 2 > set->cap)
		grow(set);
	i = slot_of(set->slots, set->cap, s);
	if (set->slots[i])
		return false;
	set->slots[i] = xstrdup(s);
	set->count++;
	return true;
}

bool
strset_contains(const struct strset *set, const char *s)
{
	return set->cap && set->slots[slot_of(set->slots, set->cap, s)] != NULL;
}

void
strset_clear(struct strset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}
