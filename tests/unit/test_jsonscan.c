/* test_jsonscan.c — the pull JSON reader: its tokens, what it unescapes,
 * what it skips, and every kind of text it refuses, with the line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/jsonscan.h"
#include "base/util.h"

/* The text in a buffer of its own exact length, without a terminating
 * NUL: a read past its end is a sanitizer's error. */
static char *
exact_copy(const char *text, size_t len)
{
	char *copy = xmalloc(len ? len : 1);

	memcpy(copy, text, len);
	return copy;
}

/* Reads len bytes of text to the end; the line of its refusal, or 0 when
 * it was read whole. */
static int
refusal_line(const char *text, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonscan s;
	enum jsonscan_token t;
	char *copy = exact_copy(text, len);

	jsonscan_init(&s, copy, len);
	while ((t = jsonscan_next(&s, &sb)) != JTOK_END && t != JTOK_ERROR)
		;
	sb_free(&sb);
	free(copy);
	if (t == JTOK_END)
		return 0;
	assert_non_null(s.error);
	return s.line;
}

static void
assert_refused_at(const char *text, int line)
{
	int got = refusal_line(text, strlen(text));

	if (got != line)
		fail_msg("%s: refused at line %d, expected %d", text, got, line);
}

static void
assert_accepted(const char *text)
{
	assert_refused_at(text, 0);
}

static void
test_tokens_of_a_document_in_order(void **state)
{
	static const char text[] =
	    "{\"a\": [1, -2.5e1, \"x\", true, false, null, {}, []],\n"
	    " \"b\": {\"c\": \"\"}}";
	static const enum jsonscan_token want[] = {
		JTOK_OBJECT, JTOK_KEY, JTOK_ARRAY, JTOK_INTEGER, JTOK_REAL,
		JTOK_STRING, JTOK_TRUE, JTOK_FALSE, JTOK_NULL, JTOK_OBJECT,
		JTOK_OBJECT_END, JTOK_ARRAY, JTOK_ARRAY_END, JTOK_ARRAY_END,
		JTOK_KEY, JTOK_OBJECT, JTOK_KEY, JTOK_STRING, JTOK_OBJECT_END,
		JTOK_OBJECT_END, JTOK_END, JTOK_END,
	};
	struct strbuf sb = STRBUF_INIT;
	struct jsonscan s;
	size_t i;

	jsonscan_init(&s, text, strlen(text));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(jsonscan_next(&s, &sb), want[i]);
		if (want[i] == JTOK_INTEGER)
			assert_int_equal(s.integer, 1);
		if (want[i] == JTOK_REAL) {
			assert_true(s.real == -25.0);
			assert_int_equal(s.number_len, 6);
			assert_memory_equal(s.number, "-2.5e1", 6);
		}
		if (i == 1)
			assert_string_equal(sb.buf, "a");
		if (i == 17)
			assert_string_equal(sb.buf, "");
	}
	assert_int_equal(s.line, 2);
	sb_free(&sb);
}

/* The text of the one string in "[<literal>]". */
static char *
string_of(const char *literal)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonscan s;
	char *text = xasprintf("[%s]", literal);

	jsonscan_init(&s, text, strlen(text));
	assert_int_equal(jsonscan_next(&s, NULL), JTOK_ARRAY);
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_STRING);
	assert_int_equal(jsonscan_next(&s, NULL), JTOK_ARRAY_END);
	free(text);
	return sb_steal(&sb);
}

static void
assert_string_reads(const char *literal, const char *want)
{
	char *got = string_of(literal);

	assert_string_equal(got, want);
	free(got);
}

static void
test_escapes_are_unescaped(void **state)
{
	assert_string_reads("\"plain 中文\"", "plain 中文");
	assert_string_reads("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
	    "\"\\/\b\f\n\r\t");
	assert_string_reads("\"\\u0041\\u00e9\\u4E2D\\uffff\"",
	    "A\xc3\xa9\xe4\xb8\xad\xef\xbf\xbf");
	assert_string_reads("\"a\\u0001b\\u001F\"", "a\x01" "b\x1f");
	assert_string_reads("\"\"", "");
}

static void
test_surrogate_pairs_become_one_code_point(void **state)
{
	assert_string_reads("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");
	assert_string_reads("\"x\\uD800\\uDC00y\"", "x\xf0\x90\x80\x80y");
	assert_string_reads("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf");
}

static void
assert_integer(const char *text, long long want)
{
	struct jsonscan s;
	char *doc = xasprintf("[%s]", text);

	jsonscan_init(&s, doc, strlen(doc));
	assert_int_equal(jsonscan_next(&s, NULL), JTOK_ARRAY);
	assert_int_equal(jsonscan_next(&s, NULL), JTOK_INTEGER);
	assert_true(s.integer == want);
	assert_int_equal(s.number_len, strlen(text));
	free(doc);
}

static void
assert_real(const char *text, double want)
{
	struct jsonscan s;
	char *doc = xasprintf("[%s]", text);

	jsonscan_init(&s, doc, strlen(doc));
	assert_int_equal(jsonscan_next(&s, NULL), JTOK_ARRAY);
	assert_int_equal(jsonscan_next(&s, NULL), JTOK_REAL);
	assert_true(s.real == want);
	assert_int_equal(s.number_len, strlen(text));
	free(doc);
}

static void
test_numbers_are_integers_or_reals_as_written(void **state)
{
	assert_integer("0", 0);
	assert_integer("-0", 0);
	assert_integer("1667260800123", 1667260800123LL);
	assert_integer("9223372036854775807", INT64_MAX);
	assert_integer("-9223372036854775808", INT64_MIN);
	assert_real("0.5", 0.5);
	assert_real("-0.0", -0.0);
	assert_real("1E2", 100.0);
	assert_real("1.5e+3", 1500.0);
	assert_real("25e-1", 2.5);
	assert_real("1e-400", 0.0);		/* underflow is no error */
	assert_real("123456789012345678901234567890.0", 1.2345678901234568e29);
}

/* A value inside JSONSCAN_MAX_DEPTH open levels is refused; the levels
 * themselves, empty, are not. */
static void
test_nesting_is_limited_to_2048_levels(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	for (i = 0; i < JSONSCAN_MAX_DEPTH; i++)
		sb_putc(&sb, '[');
	for (i = 0; i < JSONSCAN_MAX_DEPTH; i++)
		sb_putc(&sb, ']');
	assert_int_equal(refusal_line(sb.buf, sb.len), 0);
	sb_reset(&sb);
	for (i = 0; i < JSONSCAN_MAX_DEPTH - 1; i++)
		sb_puts(&sb, "{\"a\":");
	sb_putc(&sb, '1');
	for (i = 0; i < JSONSCAN_MAX_DEPTH - 1; i++)
		sb_putc(&sb, '}');
	assert_int_equal(refusal_line(sb.buf, sb.len), 0);
	sb_reset(&sb);
	for (i = 0; i < JSONSCAN_MAX_DEPTH; i++)
		sb_putc(&sb, '[');
	sb_puts(&sb, "\n1");
	for (i = 0; i < JSONSCAN_MAX_DEPTH; i++)
		sb_putc(&sb, ']');
	assert_int_equal(refusal_line(sb.buf, sb.len), 2);
	sb_free(&sb);
}

static void
test_skip_passes_a_whole_value_and_leave_the_rest_of_a_level(void **state)
{
	static const char text[] =
	    "{\"skipped\": {\"x\": [1, {\"y\": \"\\u00e9\"}], \"z\": [[]]},\n"
	    " \"kept\": [\"a\", {\"deep\": [1, 2]}, \"not read\"], \"last\": 3}";
	struct strbuf sb = STRBUF_INIT;
	struct jsonscan s;

	jsonscan_init(&s, text, strlen(text));
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_OBJECT);
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_KEY);
	assert_string_equal(sb.buf, "skipped");
	assert_int_equal(jsonscan_skip(&s), 0);
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_KEY);
	assert_string_equal(sb.buf, "kept");
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_ARRAY);
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_STRING);
	assert_string_equal(sb.buf, "a");
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_OBJECT);
	assert_int_equal(jsonscan_leave(&s), 0);
	assert_int_equal(jsonscan_leave(&s), 0);
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_KEY);
	assert_string_equal(sb.buf, "last");
	assert_int_equal(jsonscan_skip(&s), 0);
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_OBJECT_END);
	assert_int_equal(jsonscan_next(&s, &sb), JTOK_END);
	sb_free(&sb);
}

/* A skipped value is checked as a read one is. */
static void
test_skip_refuses_what_next_refuses(void **state)
{
	static const char *const values[] = {
		"\"\\ud800\"", "\"\\u0000\"", "\"a\tb\"", "\"\\x\"",
		"9223372036854775808", "1e999", "01", "[1,]", "{\"a\"}",
	};
	struct jsonscan s;
	char *text;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		text = xasprintf("{\"k\":\n%s}", values[i]);
		jsonscan_init(&s, text, strlen(text));
		assert_int_equal(jsonscan_next(&s, NULL), JTOK_OBJECT);
		assert_int_equal(jsonscan_next(&s, NULL), JTOK_KEY);
		assert_int_equal(jsonscan_skip(&s), -1);
		assert_int_equal(s.line, 2);
		assert_int_equal(jsonscan_next(&s, NULL), JTOK_ERROR);
		free(text);
	}
}

static void
test_valid_documents_are_read_whole(void **state)
{
	assert_accepted("{}");
	assert_accepted("[]");
	assert_accepted(" \t\r\n{ } \r\n\t ");
	assert_accepted("[\"\x7f\", \"\xe4\xb8\xad\", -0, 0e0, 0.0E-0]");
	assert_accepted("{\"\": \"\", \"a\": {\"a\": []}}");
}

static void
test_syntax_errors_are_refused_with_their_line(void **state)
{
	assert_refused_at("{\n\"a\" 1}", 2);
	assert_refused_at("{\n\"a\": 1,\n}", 3);
	assert_refused_at("[1,\n]", 2);
	assert_refused_at("[1\n2]", 2);
	assert_refused_at("{1: 2}", 1);
	assert_refused_at("{\"a\": 1]", 1);
	assert_refused_at("[1}", 1);
	assert_refused_at("[tru]", 1);
	assert_refused_at("[nulll]", 1);
	assert_refused_at("[\n\n'a']", 3);
	assert_refused_at("{\"a\":\n", 2);
	assert_refused_at("[\"abc", 1);
	assert_refused_at("[\"abc\\", 1);
	assert_refused_at("{", 1);
}

static void
test_top_level_scalars_and_empty_text_are_refused(void **state)
{
	assert_refused_at("", 1);
	assert_refused_at(" \n ", 2);
	assert_refused_at("\"feed\"", 1);
	assert_refused_at("1", 1);
	assert_refused_at("null", 1);
}

static void
test_text_after_the_document_is_refused(void **state)
{
	assert_refused_at("{}\n\n x", 3);
	assert_refused_at("[] []", 1);
	assert_refused_at("{}}", 1);
	assert_int_equal(refusal_line("{}\0", 3), 1);
}

static void
test_control_characters_in_strings_are_refused(void **state)
{
	assert_refused_at("[\n\"a\tb\"]", 2);
	assert_refused_at("[\"a\nb\"]", 1);
	assert_refused_at("[\"\x1f\"]", 1);
	assert_int_equal(refusal_line("[\"a\0b\"]", 7), 1);
}

static void
test_invalid_escapes_are_refused(void **state)
{
	assert_refused_at("[\n\"\\x\"]", 2);
	assert_refused_at("[\"\\U0041\"]", 1);
	assert_refused_at("[\"\\u004\"]", 1);
	assert_refused_at("[\"\\u00G1\"]", 1);
	assert_refused_at("[\"\\'\"]", 1);
	assert_int_equal(refusal_line("[\"\\\0\"]", 6), 1);
}

static void
test_unpaired_surrogates_are_refused(void **state)
{
	assert_refused_at("[\n\n\"\\ud800\"]", 3);
	assert_refused_at("[\"\\udc00\"]", 1);
	assert_refused_at("[\"\\ude00\\ud83d\"]", 1);
	assert_refused_at("[\"\\ud83d\\u0041\"]", 1);
	assert_refused_at("[\"\\ud83d\\ud83d\"]", 1);
	assert_refused_at("[\"\\ud83d\\n\"]", 1);
	assert_refused_at("[\"\\ud83dx\"]", 1);
	assert_refused_at("[\"\\ud83d\\u12\"]", 1);
}

static void
test_nul_escapes_are_refused_in_values_and_keys(void **state)
{
	assert_refused_at("[\n\"a\\u0000\"]", 2);
	assert_refused_at("{\"\\u0000\": 1}", 1);
}

static void
test_integers_outside_64_bits_are_refused(void **state)
{
	assert_refused_at("[\n9223372036854775808]", 2);
	assert_refused_at("[-9223372036854775809]", 1);
	assert_refused_at("[123456789012345678901234567890]", 1);
}

static void
test_reals_that_overflow_are_refused(void **state)
{
	assert_refused_at("[\n1e309]", 2);
	assert_refused_at("[-1.5e400]", 1);
}

static void
test_numbers_outside_the_grammar_are_refused(void **state)
{
	static const char *const numbers[] = {
		"01", "-01", "00", "-", "+1", ".5", "1.", "1.e5", "1e", "1e+",
		"-e1", "0x10", "1.5.3", "Infinity", "NaN", "- 1",
	};
	char *text;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(numbers); i++) {
		text = xasprintf("[\n%s]", numbers[i]);
		assert_refused_at(text, 2);
		free(text);
	}
}

static void
test_after_a_refusal_every_call_refuses(void **state)
{
	struct jsonscan s;

	jsonscan_init(&s, "[01]", 4);
	assert_int_equal(jsonscan_next(&s, NULL), JTOK_ARRAY);
	assert_int_equal(jsonscan_next(&s, NULL), JTOK_ERROR);
	assert_int_equal(jsonscan_next(&s, NULL), JTOK_ERROR);
	assert_int_equal(jsonscan_skip(&s), -1);
	assert_int_equal(jsonscan_leave(&s), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_of_a_document_in_order),
		cmocka_unit_test(test_escapes_are_unescaped),
		cmocka_unit_test(test_surrogate_pairs_become_one_code_point),
		cmocka_unit_test(test_numbers_are_integers_or_reals_as_written),
		cmocka_unit_test(test_nesting_is_limited_to_2048_levels),
		cmocka_unit_test(
		    test_skip_passes_a_whole_value_and_leave_the_rest_of_a_level),
		cmocka_unit_test(test_skip_refuses_what_next_refuses),
		cmocka_unit_test(test_valid_documents_are_read_whole),
		cmocka_unit_test(test_syntax_errors_are_refused_with_their_line),
		cmocka_unit_test(
		    test_top_level_scalars_and_empty_text_are_refused),
		cmocka_unit_test(test_text_after_the_document_is_refused),
		cmocka_unit_test(test_control_characters_in_strings_are_refused),
		cmocka_unit_test(test_invalid_escapes_are_refused),
		cmocka_unit_test(test_unpaired_surrogates_are_refused),
		cmocka_unit_test(test_nul_escapes_are_refused_in_values_and_keys),
		cmocka_unit_test(test_integers_outside_64_bits_are_refused),
		cmocka_unit_test(test_reals_that_overflow_are_refused),
		cmocka_unit_test(test_numbers_outside_the_grammar_are_refused),
		cmocka_unit_test(test_after_a_refusal_every_call_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
