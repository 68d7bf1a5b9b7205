/* test_csv.c — the strict CSV reader and the GBK conversion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/csv.h"
#include "base/util.h"

/* Reads every record of text; fields joined by '|', one string per
 * record, "ERR <error>" for a failure (and reading stops there). */
struct parsed {
	char   *records[16];
	size_t  lines[16];
	size_t  n;
};

static void
parse_len(const char *text, size_t len, struct parsed *out)
{
	struct csv_reader r;
	struct csv_record rec;
	char *error = NULL;
	int got;

	memset(out, 0, sizeof(*out));
	csv_reader_init(&r, text, len);
	while (out->n < ARRAY_SIZE(out->records)) {
		struct strbuf sb = STRBUF_INIT;
		size_t i;

		if ((got = csv_next(&r, &rec, &error)) == 0)
			break;
		if (got == -1) {
			assert_non_null(error);
			out->records[out->n++] = xasprintf("ERR %s", error);
			free(error);
			break;
		}
		for (i = 0; i < rec.n; i++)
			sb_printf(&sb, "%s%s", i ? "|" : "", rec.fields[i]);
		out->lines[out->n] = rec.line;
		out->records[out->n++] = sb_steal(&sb);
		if (out->records[out->n - 1] == NULL)
			out->records[out->n - 1] = xstrdup("");
		csv_record_free(&rec);
	}
}

static void
parse(const char *text, struct parsed *out)
{
	parse_len(text, strlen(text), out);
}

static void
parsed_free(struct parsed *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->records[i]);
}

/* ---- records and fields ---- */

static void
plain_records_split_on_commas(void **state)
{
	struct parsed p;

	(void)state;
	parse("unit_code,platform,name\nGOV,weibo,武夷山发布\n", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.records[0], "unit_code|platform|name");
	assert_string_equal(p.records[1], "GOV|weibo|武夷山发布");
	assert_int_equal(p.lines[0], 1);
	assert_int_equal(p.lines[1], 2);
	parsed_free(&p);
}

static void
empty_fields_are_kept(void **state)
{
	struct parsed p;
	struct csv_reader r;
	struct csv_record rec;
	char *error = NULL;

	(void)state;
	csv_reader_init(&r, "a,,c,\n", 6);
	assert_int_equal(csv_next(&r, &rec, &error), 1);
	assert_int_equal(rec.n, 4);
	assert_string_equal(rec.fields[0], "a");
	assert_string_equal(rec.fields[1], "");
	assert_string_equal(rec.fields[2], "c");
	assert_string_equal(rec.fields[3], "");
	csv_record_free(&rec);
	assert_int_equal(csv_next(&r, &rec, &error), 0);

	parse(",\n\"\",x\n", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.records[0], "|");
	assert_string_equal(p.records[1], "|x");
	parsed_free(&p);
}

static void
last_record_needs_no_line_break(void **state)
{
	struct parsed p;

	(void)state;
	parse("a,b\nc,d", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.records[1], "c|d");
	parsed_free(&p);
	parse("a,\"b\"", &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.records[0], "a|b");
	parsed_free(&p);
}

static void
quoted_fields_hold_commas_quotes_and_line_breaks(void **state)
{
	struct parsed p;

	(void)state;
	parse("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
	    "next,\"\"\"\",end\n", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.records[0], "a,b|say \"hi\"|two\nlines");
	assert_string_equal(p.records[1], "next|\"|end");
	parsed_free(&p);
}

static void
records_after_multiline_field_keep_true_line_numbers(void **state)
{
	struct parsed p;

	(void)state;
	parse("h1,h2\n"                       /* line 1 */
	    "a,\"one\ntwo\nthree\"\n"         /* lines 2-4 */
	    "b,x\n"                           /* line 5 */
	    "\"c\r\nd\",y\r\n"                /* lines 6-7 */
	    "e,z\n", &p);                     /* line 8 */
	assert_int_equal(p.n, 5);
	assert_int_equal(p.lines[0], 1);
	assert_int_equal(p.lines[1], 2);
	assert_int_equal(p.lines[2], 5);
	assert_int_equal(p.lines[3], 6);
	assert_int_equal(p.lines[4], 8);
	assert_string_equal(p.records[1], "a|one\ntwo\nthree");
	assert_string_equal(p.records[3], "c\r\nd|y");
	parsed_free(&p);
}

static void
crlf_and_lf_give_the_same_records(void **state)
{
	struct parsed lf, crlf;
	size_t i;

	(void)state;
	parse("a,b\nc,\"d\"\n\ne,f\n", &lf);
	parse("a,b\r\nc,\"d\"\r\n\r\ne,f\r\n", &crlf);
	assert_int_equal(lf.n, 3);
	assert_int_equal(crlf.n, 3);
	for (i = 0; i < lf.n; i++) {
		assert_string_equal(lf.records[i], crlf.records[i]);
		assert_int_equal(lf.lines[i], crlf.lines[i]);
	}
	assert_int_equal(crlf.lines[2], 4);
	/* no stray CR at the end of a field */
	assert_string_equal(crlf.records[0], "a|b");
	parsed_free(&lf);
	parsed_free(&crlf);
}

static void
byte_order_mark_is_skipped(void **state)
{
	struct parsed p;

	(void)state;
	parse("\xef\xbb\xbf" "unit_code,name\r\nGOV,武夷山发布\r\n", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.records[0], "unit_code|name");
	assert_int_equal(p.lines[0], 1);
	parsed_free(&p);
	/* only at the start: elsewhere it is data */
	parse("a\n\xef\xbb\xbf" "b\n", &p);
	assert_string_equal(p.records[1], "\xef\xbb\xbf" "b");
	parsed_free(&p);
}

static void
blank_lines_are_skipped_and_counted(void **state)
{
	struct parsed p;

	(void)state;
	parse("\n\na,b\n\n\r\n\nc,d\n\n", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.records[0], "a|b");
	assert_int_equal(p.lines[0], 3);
	assert_string_equal(p.records[1], "c|d");
	assert_int_equal(p.lines[1], 7);
	parsed_free(&p);
	parse("\n\r\n\n", &p);
	assert_int_equal(p.n, 0);
	parse("", &p);
	assert_int_equal(p.n, 0);
}

/* ---- malformed input ---- */

static void
unclosed_quote_is_an_error_at_its_line(void **state)
{
	struct parsed p;

	(void)state;
	parse("h1,h2\nok,row\nbad,\"never closed\nmore\ntext\n", &p);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.records[2],
	    "ERR line 3: a quoted field is never closed");
	parsed_free(&p);
}

static void
text_after_closing_quote_is_an_error(void **state)
{
	struct parsed p;

	(void)state;
	parse("h1,h2\n\"a\"b,c\n", &p);
	assert_int_equal(p.n, 2);
	assert_true(strncmp(p.records[1], "ERR line 2: text after a closing "
	    "quote", 35) == 0);
	parsed_free(&p);
	parse("x\n\"multi\nline\" tail,c\n", &p);
	assert_true(strncmp(p.records[1], "ERR line 3: text after a closing "
	    "quote", 35) == 0);
	parsed_free(&p);
}

static void
quote_inside_unquoted_field_is_an_error(void **state)
{
	struct parsed p;

	(void)state;
	parse("h\nab\"c\",d\n", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.records[1],
	    "ERR line 2: a quote inside an unquoted field");
	parsed_free(&p);
}

static char *
repeat(char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
record_over_the_limit_is_refused(void **state)
{
	struct parsed p;
	char *big = repeat('x', CSV_RECORD_MAX + 10), *text;

	(void)state;
	text = xasprintf("h\n%s\nafter\n", big);
	parse(text, &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.records[1],
	    "ERR line 2: record is longer than 65536 bytes");
	parsed_free(&p);
	free(text);

	text = xasprintf("h\n\"%s\"\n", big);
	parse(text, &p);
	assert_string_equal(p.records[1],
	    "ERR line 2: record is longer than 65536 bytes");
	parsed_free(&p);
	free(text);
	free(big);
}

static void
record_of_many_small_fields_over_the_limit_is_refused(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < CSV_RECORD_MAX / 4 + 10; i++)
		sb_puts(&sb, "abc,");
	sb_puts(&sb, "end\n");
	parse(sb_str(&sb), &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.records[0],
	    "ERR line 1: record is longer than 65536 bytes");
	parsed_free(&p);
	sb_free(&sb);
}

static void
record_just_under_the_limit_is_read(void **state)
{
	struct parsed p;
	char *big = repeat('y', CSV_RECORD_MAX - 1), *text;

	(void)state;
	text = xasprintf("%s\nz\n", big);
	parse(text, &p);
	assert_int_equal(p.n, 2);
	assert_int_equal(strlen(p.records[0]), CSV_RECORD_MAX - 1);
	assert_string_equal(p.records[1], "z");
	parsed_free(&p);
	free(text);
	free(big);
}

static void
reader_stops_at_the_given_length(void **state)
{
	struct parsed p;

	(void)state;
	parse_len("a,b\nc,d\n", 4, &p);
	assert_int_equal(p.n, 1);
	parsed_free(&p);
}

/* ---- GBK ---- */

static void
gbk_text_is_converted_to_utf8(void **state)
{
	/* "单位代码,平台,账号名称\r\nGOV,weibo,武夷山发布,123\r\n" in GBK */
	static const char gbk[] =
	    "\xb5\xa5\xce\xbb\xb4\xfa\xc2\xeb,\xc6\xbd\xcc\xa8,"
	    "\xd5\xcb\xba\xc5\xc3\xfb\xb3\xc6\r\n"
	    "GOV,weibo,\xce\xe4\xd2\xc4\xc9\xbd\xb7\xa2\xb2\xbc,123\r\n";
	static const char utf8[] = "单位代码,平台,账号名称\r\n"
	    "GOV,weibo,武夷山发布,123\r\n";
	char *out = NULL, *error = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(csv_from_gbk(gbk, sizeof(gbk) - 1, &out, &len, &error), 0);
	assert_null(error);
	assert_int_equal(len, strlen(utf8));
	assert_memory_equal(out, utf8, len);
	assert_int_equal(out[len], '\0');
	free(out);
}

static void
gbk_conversion_handles_all_ascii_and_empty_input(void **state)
{
	char *out = NULL, *error = NULL;
	size_t len = 99;

	(void)state;
	assert_int_equal(csv_from_gbk("a,b\n", 4, &out, &len, &error), 0);
	assert_int_equal(len, 4);
	assert_string_equal(out, "a,b\n");
	free(out);
	assert_int_equal(csv_from_gbk("", 0, &out, &len, &error), 0);
	assert_int_equal(len, 0);
	free(out);
}

static void
gbk_conversion_output_is_large_enough_for_pure_chinese(void **state)
{
	/* 2 GBK bytes become 3 UTF-8 bytes: the worst ratio for GBK */
	struct strbuf in = STRBUF_INIT;
	char *out = NULL, *error = NULL;
	size_t len, i;

	(void)state;
	for (i = 0; i < 5000; i++)
		sb_append(&in, "\xce\xe4", 2);           /* 武 */
	assert_int_equal(csv_from_gbk(in.buf, in.len, &out, &len, &error), 0);
	assert_int_equal(len, 15000);
	assert_memory_equal(out, "武武", 6);
	free(out);
	sb_free(&in);
}

static void
invalid_gbk_byte_is_reported_with_its_line(void **state)
{
	static const char bad[] = "h1,h2\r\nGOV,\xce\xe4\r\nGOV,\xff\xff\r\n";
	char *out = NULL, *error = NULL;
	size_t len;

	(void)state;
	assert_int_equal(csv_from_gbk(bad, sizeof(bad) - 1, &out, &len, &error), -1);
	assert_non_null(error);
	assert_true(strncmp(error, "line 3:", 7) == 0);
	free(error);
}

static void
truncated_gbk_character_is_an_error(void **state)
{
	static const char cut[] = "a\nb\n\xce";
	char *out = NULL, *error = NULL;
	size_t len;

	(void)state;
	assert_int_equal(csv_from_gbk(cut, sizeof(cut) - 1, &out, &len, &error), -1);
	assert_non_null(error);
	assert_true(strncmp(error, "line 3:", 7) == 0);
	free(error);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_records_split_on_commas),
		cmocka_unit_test(empty_fields_are_kept),
		cmocka_unit_test(last_record_needs_no_line_break),
		cmocka_unit_test(quoted_fields_hold_commas_quotes_and_line_breaks),
		cmocka_unit_test(records_after_multiline_field_keep_true_line_numbers),
		cmocka_unit_test(crlf_and_lf_give_the_same_records),
		cmocka_unit_test(byte_order_mark_is_skipped),
		cmocka_unit_test(blank_lines_are_skipped_and_counted),
		cmocka_unit_test(unclosed_quote_is_an_error_at_its_line),
		cmocka_unit_test(text_after_closing_quote_is_an_error),
		cmocka_unit_test(quote_inside_unquoted_field_is_an_error),
		cmocka_unit_test(record_over_the_limit_is_refused),
		cmocka_unit_test(record_of_many_small_fields_over_the_limit_is_refused),
		cmocka_unit_test(record_just_under_the_limit_is_read),
		cmocka_unit_test(reader_stops_at_the_given_length),
		cmocka_unit_test(gbk_text_is_converted_to_utf8),
		cmocka_unit_test(gbk_conversion_handles_all_ascii_and_empty_input),
		cmocka_unit_test(gbk_conversion_output_is_large_enough_for_pure_chinese),
		cmocka_unit_test(invalid_gbk_byte_is_reported_with_its_line),
		cmocka_unit_test(truncated_gbk_character_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
