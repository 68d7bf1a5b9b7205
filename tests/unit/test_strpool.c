/* test_strpool.c — strings copied into a pool's blocks stay put and whole
 * until the pool is freed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/strpool.h"
#include "base/util.h"

#define N_NAMES 20000   /* names of a few blocks' worth */

static void
copies_stay_whole_and_in_place_across_blocks(void **state)
{
	struct strpool pool = STRPOOL_INIT;
	const char **copy = xcalloc(N_NAMES, sizeof(*copy));
	char name[64];
	size_t i;

	for (i = 0; i < N_NAMES; i++) {
		snprintf(name, sizeof(name), "某某县教育局发布%zu", i);
		copy[i] = strpool_add(&pool, name);
		assert_ptr_not_equal(copy[i], name);
	}
	for (i = 0; i < N_NAMES; i++) {
		snprintf(name, sizeof(name), "某某县教育局发布%zu", i);
		assert_string_equal(copy[i], name);
	}
	strpool_free(&pool);
	assert_null(pool.head);
	free(copy);
}

static void
null_stays_null_and_empty_stays_empty(void **state)
{
	struct strpool pool = STRPOOL_INIT;

	assert_null(strpool_add(&pool, NULL));
	assert_string_equal(strpool_add(&pool, ""), "");
	assert_string_equal(strpool_addn(&pool, "gh_0123456789ab", 2), "gh");
	strpool_free(&pool);
}

/* A string longer than a block gets one of its own, and the block being
 * filled goes on taking the short ones. */
static void
a_string_longer_than_a_block_is_kept_whole(void **state)
{
	struct strpool pool = STRPOOL_INIT;
	size_t len = 200 * 1024;
	char *big = xmalloc(len + 1);
	const char *before, *copy, *after;

	memset(big, 'x', len);
	big[len] = '\0';
	before = strpool_add(&pool, "before");
	copy = strpool_add(&pool, big);
	after = strpool_add(&pool, "after");
	assert_int_equal(strlen(copy), len);
	assert_memory_equal(copy, big, len);
	assert_string_equal(before, "before");
	assert_string_equal(after, "after");
	/* "after" went into the block "before" is in */
	assert_ptr_equal(after, before + strlen("before") + 1);
	strpool_free(&pool);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copies_stay_whole_and_in_place_across_blocks),
		cmocka_unit_test(null_stays_null_and_empty_stays_empty),
		cmocka_unit_test(a_string_longer_than_a_block_is_kept_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
