/* test_render.c — an HTML table of many rows, its second half written on
 * a thread of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "paperwork/render.h"

static const struct column cols[] = {
	{ "name", "名称", COL_TEXT },
	{ "days", "天数", COL_TEXT },
};

/* n rows, row i named "账号<i>&" (escaped in the page) with i days. */
static json_t *
numbered_rows(size_t n)
{
	json_t *rows = json_array();
	char name[64];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "账号%zu&", i);
		json_array_append_new(rows, json_pack("{s:s, s:I, s:s}", "name",
		    name, "days", (json_int_t)i, "state", i % 2 ? "fail" : ""));
	}
	return rows;
}

static char *
table_of(const json_t *rows)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	html_table(out, cols, 2, rows, "state");
	assert_int_equal(fclose(out), 0);
	return text;
}

/* Every row once, in order, each as the small table writes it: the
 * halves joined where they were cut. */
static void
large_table_rows_in_order(void **state)
{
	const size_t n = 10001;
	json_t *rows = numbered_rows(n);
	char *page = table_of(rows), *at, *row, want[160];
	size_t i;

	(void)state;
	at = strstr(page, "<tbody>\n");
	assert_non_null(at);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "<tr%s><td>账号%zu&amp;</td>"
		    "<td class=\"num\">%zu</td></tr>\n",
		    i % 2 ? " class=\"fail\"" : "", i, i);
		row = strstr(at, "<tr");
		assert_non_null(row);
		assert_memory_equal(row, want, strlen(want));
		at = row + strlen(want);
	}
	assert_string_equal(at, "</tbody>\n</table>\n");
	free(page);
	json_decref(rows);
}

/* The same rows in a small table each and in one large one: the same
 * cells. */
static void
large_table_as_small_ones(void **state)
{
	json_t *rows = numbered_rows(8192), *part;
	char *page = table_of(rows), *small, *body;
	struct strbuf joined = STRBUF_INIT;
	size_t i, k;

	(void)state;
	for (k = 0; k < 8192; k += 512) {
		part = json_array();
		for (i = k; i < k + 512; i++)
			json_array_append(part, json_array_get(rows, i));
		small = table_of(part);
		body = strstr(small, "<tbody>\n") + strlen("<tbody>\n");
		*strstr(body, "</tbody>") = '\0';
		sb_puts(&joined, body);
		free(small);
		json_decref(part);
	}
	assert_non_null(strstr(page, sb_str(&joined)));
	sb_free(&joined);
	free(page);
	json_decref(rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(large_table_rows_in_order),
		cmocka_unit_test(large_table_as_small_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
