/* test_validate.c — the rules registry values obey, and the UTF-8 helpers
 * they rest on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "config/config.h"
#include "registry/validate.h"

static void
accepts(const char *(*check)(const char *), const char *what,
    const char *const *values, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *why = check(values[i]);

		if (why != NULL)
			fail_msg("%s refused \"%s\": %s", what, values[i], why);
	}
}

static void
refuses(const char *(*check)(const char *), const char *what,
    const char *const *values, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (check(values[i]) == NULL)
			fail_msg("%s accepted \"%s\"", what, values[i]);
}

#define ACCEPTS(fn, list) accepts(fn, #fn, list, ARRAY_SIZE(list))
#define REFUSES(fn, list) refuses(fn, #fn, list, ARRAY_SIZE(list))

/* ---- names ---- */

static void
check_name_accepts_chinese_and_ascii_names(void **state)
{
	static const char *const good[] = { "武夷山发布", "Wuyishan Release",
	    "武夷山市教育局 (官方)", "'); DROP TABLE account; --", "a",
	    "“健康武夷山”", "😀 emoji" };

	(void)state;
	ACCEPTS(check_name, good);
}

static void
check_name_refuses_empty_and_control_characters(void **state)
{
	static const char *const bad[] = { "", "   ", "line\nbreak",
	    "tab\there", "cr\rhere", "bell\a", "del\x7f", "esc\x1b[31m",
	    "\xff\xfe", "\xe6\xad" /* truncated 武 */ };

	(void)state;
	assert_non_null(check_name(NULL));
	REFUSES(check_name, bad);
}

static void
check_name_limits_length_to_200_characters(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		sb_puts(&sb, "武");
	assert_null(check_name(sb_str(&sb)));
	sb_puts(&sb, "武");
	assert_non_null(check_name(sb_str(&sb)));
	sb_reset(&sb);
	for (i = 0; i < 400; i++)
		sb_putc(&sb, 'a');
	assert_null(check_name(sb_str(&sb)));
	sb_putc(&sb, 'a');
	assert_non_null(check_name(sb_str(&sb)));
	sb_free(&sb);
}

static void
check_optional_text_allows_empty(void **state)
{
	(void)state;
	assert_null(check_optional_text(NULL));
	assert_null(check_optional_text(""));
	assert_null(check_optional_text("张三"));
	assert_non_null(check_optional_text("a\nb"));
	assert_non_null(check_optional_text("\xc0\xaf"));
}

/* ---- feed URLs ---- */

static void
check_feed_url_accepts_http_and_https(void **state)
{
	static const char *const good[] = {
		"http://127.0.0.1:1200/weibo/user/1234567890",
		"https://www.wys.example.gov.cn/rss.xml",
		"HTTP://EXAMPLE.COM/feed", "https://example.com",
		"http://[::1]:8080/feed?x=1&y=2",
		"https://例子.测试/feed",
	};

	(void)state;
	assert_null(check_feed_url(NULL));
	assert_null(check_feed_url(""));     /* no feed: manual observation */
	ACCEPTS(check_feed_url, good);
}

static void
check_feed_url_refuses_other_schemes(void **state)
{
	static const char *const bad[] = { "ftp://example.com/feed.xml",
	    "file:///etc/passwd", "javascript:alert(1)", "gopher://example.com/",
	    "data:text/xml,<rss/>", "smb://host/share", "dict://127.0.0.1:11211/" };

	(void)state;
	REFUSES(check_feed_url, bad);
}

static void
check_feed_url_refuses_urls_without_host(void **state)
{
	static const char *const bad[] = { "http://", "http:///", "http://:80/feed",
	    "http://?x=1", "https://#frag",
	    "http:", "example.com/feed", "//example.com/feed", "not a url" };

	(void)state;
	REFUSES(check_feed_url, bad);
}

static void
check_feed_url_refuses_spaces_and_control_characters(void **state)
{
	static const char *const bad[] = { "http://example.com/a feed",
	    " http://example.com/", "http://example.com/\n",
	    "http://example.com/\r\nX-Injected: 1", "http://exa\tmple.com/" };

	(void)state;
	REFUSES(check_feed_url, bad);
}

/* ---- dates, emails, unit codes ---- */

static void
check_date_wants_real_iso_dates(void **state)
{
	static const char *const good[] = { "2024-02-29", "2026-12-31" };
	static const char *const bad[] = { "2026-02-30", "2026-02-29",
	    "2026-13-01", "2026/01/01", "01-01-2026", "2026-1-1", "today" };

	(void)state;
	assert_null(check_date(NULL));
	assert_null(check_date(""));
	ACCEPTS(check_date, good);
	REFUSES(check_date, bad);
}

static void
check_email_accepts_plain_addresses(void **state)
{
	static const char *const good[] = { "office@wys.example.gov.cn",
	    "a.b-c+tag@example.org", "x@y" };
	static const char *const bad[] = { "", "office", "@example.gov.cn",
	    "office@", "a@b@c", "a b@example.org", "a@example.org\r\nBcc: x@y",
	    "<a@example.org>", "a@example.org,b@example.org", "a;b@example.org",
	    "\"a\"@example.org" };

	(void)state;
	ACCEPTS(check_email, good);
	REFUSES(check_email, bad);
}

static void
check_email_limits_length(void **state)
{
	char addr[300];

	(void)state;
	memset(addr, 'a', sizeof(addr));
	memcpy(addr + 250, "@b.cn", 6);
	assert_non_null(check_email(addr));
	memcpy(addr + 240, "@b.cn", 6);
	assert_null(check_email(addr));
}

static void
check_unit_code_refuses_spaces_and_controls(void **state)
{
	static const char *const good[] = { "WYS-GOV", "001", "教育局",
	    "x');DROP-TABLE-account;--" };
	static const char *const bad[] = { "", "WYS GOV", "WYS\tGOV",
	    "WYS\nGOV", "\xff", "WYS\x7f",
	    "0123456789012345678901234567890123456789012345678901234567890123X" };

	(void)state;
	assert_non_null(check_unit_code(NULL));
	ACCEPTS(check_unit_code, good);
	REFUSES(check_unit_code, bad);
}

static void
check_platform_wants_a_configured_key(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(config_load(NULL, &cfg), 0);
	assert_null(check_platform(&cfg, "weibo"));
	assert_null(check_platform(&cfg, "xiaohongshu"));
	assert_non_null(check_platform(&cfg, "Weibo"));
	assert_non_null(check_platform(&cfg, "myspace"));
	assert_non_null(check_platform(&cfg, ""));
	assert_non_null(check_platform(&cfg, NULL));
	config_free(&cfg);
}

/* ---- UTF-8 ---- */

static bool
valid(const char *s)
{
	return utf8_valid(s, strlen(s));
}

static void
utf8_valid_accepts_well_formed_text(void **state)
{
	(void)state;
	assert_true(valid(""));
	assert_true(valid("ascii"));
	assert_true(valid("武夷山发布"));
	assert_true(valid("\xc2\x80"));              /* U+0080, smallest 2-byte */
	assert_true(valid("\xe0\xa0\x80"));          /* U+0800, smallest 3-byte */
	assert_true(valid("\xed\x9f\xbf"));          /* U+D7FF, below surrogates */
	assert_true(valid("\xee\x80\x80"));          /* U+E000, above surrogates */
	assert_true(valid("\xf0\x90\x80\x80"));      /* U+10000 */
	assert_true(valid("\xf4\x8f\xbf\xbf"));      /* U+10FFFF, the last one */
	assert_true(utf8_valid("a\0b", 3));          /* length, not NUL, ends it */
}

static void
utf8_valid_refuses_overlong_forms(void **state)
{
	(void)state;
	assert_false(valid("\xc0\xaf"));             /* '/' in 2 bytes */
	assert_false(valid("\xc1\xbf"));
	assert_false(valid("\xe0\x80\xaf"));         /* '/' in 3 bytes */
	assert_false(valid("\xe0\x9f\xbf"));         /* U+07FF in 3 bytes */
	assert_false(valid("\xf0\x80\x80\xaf"));     /* '/' in 4 bytes */
	assert_false(valid("\xf0\x8f\xbf\xbf"));     /* U+FFFF in 4 bytes */
}

static void
utf8_valid_refuses_surrogates_and_out_of_range(void **state)
{
	(void)state;
	assert_false(valid("\xed\xa0\x80"));         /* U+D800 */
	assert_false(valid("\xed\xbf\xbf"));         /* U+DFFF */
	assert_false(valid("\xf4\x90\x80\x80"));     /* U+110000 */
	assert_false(valid("\xf5\x80\x80\x80"));
	assert_false(valid("\xff"));
	assert_false(valid("\xfe\xff"));
}

static void
utf8_valid_refuses_truncated_and_stray_bytes(void **state)
{
	(void)state;
	assert_false(valid("\xe6\xad"));             /* 武 without its last byte */
	assert_false(valid("abc\xe6"));
	assert_false(valid("\xf0\x9f\x98"));
	assert_false(valid("\x80"));                 /* continuation alone */
	assert_false(valid("\xe6x\xa6"));            /* interrupted sequence */
	assert_false(utf8_valid("\xe6\xad\xa6", 2)); /* cut by the length */
	assert_false(valid("\xce\xe4\xd2\xc4\xc9\xbd")); /* 武夷山 in GBK */
}

static void
utf8_decode_returns_code_point_and_length(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode("武", 3, &cp), 3);
	assert_int_equal(cp, 0x6b66);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(utf8_decode("武", 2, &cp), 0);
	assert_int_equal(utf8_decode("", 0, &cp), 0);
}

static void
utf8_display_width_counts_terminal_columns(void **state)
{
	(void)state;
	assert_int_equal(utf8_display_width(""), 0);
	assert_int_equal(utf8_display_width("weibo"), 5);
	assert_int_equal(utf8_display_width("武夷山发布"), 10);
	assert_int_equal(utf8_display_width("微信公众号"), 10);
	assert_int_equal(utf8_display_width("武夷山 Release"), 6 + 1 + 7);
	assert_int_equal(utf8_display_width("〔2026〕第1期"), 2 + 4 + 2 + 2 + 1 + 2);
	assert_int_equal(utf8_display_width("ＡＢＣ"), 6);   /* fullwidth */
	assert_int_equal(utf8_display_width("e\xcc\x81"), 1); /* combining acute */
	assert_int_equal(utf8_display_width("한국"), 4);
	/* an invalid byte counts as one column, never crashes */
	assert_int_equal(utf8_display_width("a\xff" "b"), 3);
}

static void
has_control_chars_finds_c0_and_del(void **state)
{
	(void)state;
	assert_false(has_control_chars("武夷山 发布"));
	assert_true(has_control_chars("a\tb"));
	assert_true(has_control_chars("a\nb"));
	assert_true(has_control_chars("\x1f"));
	assert_true(has_control_chars("\x7f"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_name_accepts_chinese_and_ascii_names),
		cmocka_unit_test(check_name_refuses_empty_and_control_characters),
		cmocka_unit_test(check_name_limits_length_to_200_characters),
		cmocka_unit_test(check_optional_text_allows_empty),
		cmocka_unit_test(check_feed_url_accepts_http_and_https),
		cmocka_unit_test(check_feed_url_refuses_other_schemes),
		cmocka_unit_test(check_feed_url_refuses_urls_without_host),
		cmocka_unit_test(check_feed_url_refuses_spaces_and_control_characters),
		cmocka_unit_test(check_date_wants_real_iso_dates),
		cmocka_unit_test(check_email_accepts_plain_addresses),
		cmocka_unit_test(check_email_limits_length),
		cmocka_unit_test(check_unit_code_refuses_spaces_and_controls),
		cmocka_unit_test(check_platform_wants_a_configured_key),
		cmocka_unit_test(utf8_valid_accepts_well_formed_text),
		cmocka_unit_test(utf8_valid_refuses_overlong_forms),
		cmocka_unit_test(utf8_valid_refuses_surrogates_and_out_of_range),
		cmocka_unit_test(utf8_valid_refuses_truncated_and_stray_bytes),
		cmocka_unit_test(utf8_decode_returns_code_point_and_length),
		cmocka_unit_test(utf8_display_width_counts_terminal_columns),
		cmocka_unit_test(has_control_chars_finds_c0_and_del),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
