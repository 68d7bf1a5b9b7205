/* test_config.c — durations, dates, the clock and the configuration file.
 *
 * Configuration files are written to temporary files; the shipped example
 * is found through MEDIAWATCH_SRCDIR (the repository root, set by the
 * Makefile). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "config/config.h"

#define DAY (24LL * 3600)

/* 2026-01-01T00:00:00+08:00 and 2024-02-29T12:34:56+08:00 */
#define NEW_YEAR_2026  1767196800LL
#define LEAP_DAY_2024  1709181296LL

/* ---- helpers ---- */

static char *
write_temp(const char *text)
{
	char *path = xstrdup("/tmp/mw-test-config-XXXXXX");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static char *
replace_all(const char *s, const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	const char *at;

	while ((at = strstr(s, from)) != NULL) {
		sb_append(&sb, s, (size_t)(at - s));
		sb_puts(&sb, to);
		s = at + strlen(from);
	}
	sb_puts(&sb, s);
	return sb_steal(&sb);
}

/* The messages config_load() logs for text, the temporary file named
 * "FILE"; NULL when it loads.  The log goes to stderr, which is sent to a
 * file for the call. */
static char *
load_errors(const char *text)
{
	char *path = write_temp(text), *log = xstrdup("/tmp/mw-test-log-XXXXXX");
	int fd = mkstemp(log), saved = dup(2), rc;
	struct strbuf sb = STRBUF_INIT;
	struct config cfg;
	char buf[4096], *out;
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	rc = config_load(path, &cfg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sb_append(&sb, buf, (size_t)n);
	close(fd);
	unlink(log);
	free(log);
	out = rc == 0 ? NULL : replace_all(sb_str(&sb), path, "FILE");
	if (rc == 0)
		config_free(&cfg);
	sb_free(&sb);
	unlink(path);
	free(path);
	return out;
}

static void
assert_error_text(const char *text, const char *expected)
{
	char *got = load_errors(text);

	if (got == NULL)
		fail_msg("config_load accepted:\n%s", text);
	if (strstr(got, expected) == NULL)
		fail_msg("expected \"%s\" in:\n%s", expected, got);
	free(got);
}

static const struct config_key *
table_key(const char *group, const char *name)
{
	const struct config_key *k;

	for (k = config_keys; k->name; k++)
		if ((group == NULL ? k->group == NULL : k->group &&
		    strcmp(k->group, group) == 0) && strcmp(k->name, name) == 0)
			return k;
	fail_msg("no key %s.%s in the table", group ? group : "", name);
	return NULL;
}

/* config_load() on a temporary file holding text. */
static int
load_text(const char *text, struct config *cfg)
{
	char *path = write_temp(text);
	int rc = config_load(path, cfg);

	unlink(path);
	free(path);
	return rc;
}

static void
assert_load_fails(const char *text)
{
	struct config cfg;

	memset(&cfg, 0x5a, sizeof(cfg));
	if (load_text(text, &cfg) != -1) {
		config_free(&cfg);
		fail_msg("config_load accepted:\n%s", text);
	}
}

static const struct platform *
platform(const struct config *cfg, const char *key)
{
	const struct platform *p = config_platform(cfg, key);

	assert_non_null(p);
	return p;
}

static void
assert_thresholds(const struct platform *p, long long warn, long long stale,
    long long dormant)
{
	assert_int_equal(p->warn_after, warn);
	assert_int_equal(p->stale_after, stale);
	assert_int_equal(p->dormant_after, dormant);
}

static void
assert_str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void
assert_list_same(char **a, char **b)
{
	size_t i;

	for (i = 0; a[i] && b[i]; i++)
		assert_string_equal(a[i], b[i]);
	assert_null(a[i]);
	assert_null(b[i]);
}

static void
assert_config_same(const struct config *a, const struct config *b)
{
	size_t i, j;

	assert_str_same(a->database, b->database);
	assert_str_same(a->state_dir, b->state_dir);
	assert_str_same(a->timezone, b->timezone);
	assert_int_equal(a->n_platforms, b->n_platforms);
	for (i = 0; i < a->n_platforms; i++) {
		assert_string_equal(a->platforms[i].key, b->platforms[i].key);
		assert_string_equal(a->platforms[i].label, b->platforms[i].label);
		assert_thresholds(&a->platforms[i], b->platforms[i].warn_after,
		    b->platforms[i].stale_after, b->platforms[i].dormant_after);
		assert_str_same(a->platforms[i].feed_template,
		    b->platforms[i].feed_template);
		assert_int_equal(a->platforms[i].n_aliases,
		    b->platforms[i].n_aliases);
		for (j = 0; j < a->platforms[i].n_aliases; j++)
			assert_string_equal(a->platforms[i].aliases[j],
			    b->platforms[i].aliases[j]);
	}
	assert_int_equal(a->poll.interval, b->poll.interval);
	assert_int_equal(a->poll.jitter_percent, b->poll.jitter_percent);
	assert_int_equal(a->poll.concurrency, b->poll.concurrency);
	assert_int_equal(a->poll.per_host, b->poll.per_host);
	assert_int_equal(a->poll.timeout, b->poll.timeout);
	assert_int_equal(a->poll.connect_timeout, b->poll.connect_timeout);
	assert_int_equal(a->poll.max_size, b->poll.max_size);
	assert_int_equal(a->poll.max_redirects, b->poll.max_redirects);
	assert_str_same(a->poll.user_agent, b->poll.user_agent);
	assert_int_equal(a->poll.retention, b->poll.retention);
	assert_int_equal(a->poll.fail_threshold, b->poll.fail_threshold);
	assert_int_equal(a->monitor.verify_window, b->monitor.verify_window);
	assert_int_equal(a->mail.transport, b->mail.transport);
	assert_str_same(a->mail.maildir, b->mail.maildir);
	assert_str_same(a->mail.url, b->mail.url);
	assert_str_same(a->mail.username, b->mail.username);
	assert_str_same(a->mail.password_file, b->mail.password_file);
	assert_str_same(a->mail.ca_file, b->mail.ca_file);
	assert_str_same(a->mail.sendmail, b->mail.sendmail);
	assert_str_same(a->mail.from, b->mail.from);
	assert_str_same(a->mail.sender, b->mail.sender);
	assert_int_equal(a->mail.n_admins, b->mail.n_admins);
	assert_list_same(a->mail.admins, b->mail.admins);
	assert_int_equal(a->mail.repeat_warning, b->mail.repeat_warning);
	assert_int_equal(a->mail.repeat_stale, b->mail.repeat_stale);
	assert_int_equal(a->mail.repeat_dormant, b->mail.repeat_dormant);
	assert_int_equal(a->mail.max_attempts, b->mail.max_attempts);
	assert_int_equal(a->mail.retry_base, b->mail.retry_base);
	assert_str_same(a->mail.templates, b->mail.templates);
	assert_str_same(a->mail.digest_time, b->mail.digest_time);
	assert_str_same(a->notice.serial_format, b->notice.serial_format);
	assert_int_equal(a->notice.rectify_days, b->notice.rectify_days);
	assert_list_same(a->notice.holidays, b->notice.holidays);
	assert_list_same(a->notice.workdays, b->notice.workdays);
	assert_str_same(a->notice.issuer, b->notice.issuer);
	assert_int_equal(a->notice.repeat_months, b->notice.repeat_months);
	assert_str_same(a->calendar.dir, b->calendar.dir);
	assert_int_equal(a->calendar.days.n_marks, b->calendar.days.n_marks);
	assert_int_equal(a->calendar.days.n_years, b->calendar.days.n_years);
	assert_str_same(a->bulletin.serial_format, b->bulletin.serial_format);
	assert_str_same(a->document.issuer_mark, b->document.issuer_mark);
	assert_str_same(a->document.addressee, b->document.addressee);
	assert_str_same(a->document.copy_to, b->document.copy_to);
	assert_str_same(a->document.printer, b->document.printer);
	assert_int_equal(a->document.n_unit_order, b->document.n_unit_order);
	assert_list_same(a->document.unit_order, b->document.unit_order);
	assert_str_same(a->document.font_title, b->document.font_title);
	assert_str_same(a->document.font_body, b->document.font_body);
	assert_str_same(a->document.font_heading1, b->document.font_heading1);
	assert_str_same(a->document.font_heading2, b->document.font_heading2);
	assert_list_same(a->wording.lists, b->wording.lists);
	assert_list_same(a->wording.allowlists, b->wording.allowlists);
}

static int
setup_zone(void **state)
{
	(void)state;
	unsetenv("MEDIAWATCH_NOW");
	return tz_set("Asia/Shanghai");
}

/* ---- durations ---- */

static void
duration_parse_reads_every_unit(void **state)
{
	static const struct { const char *text; long long seconds; } cases[] = {
		{ "90s", 90 }, { "15m", 900 }, { "6h", 6 * 3600 },
		{ "14d", 14 * DAY }, { "2w", 14 * DAY }, { "3600", 3600 },
		{ "0", 0 }, { "1d", DAY },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		long long v = -1;

		assert_int_equal(duration_parse(cases[i].text, &v), 0);
		assert_int_equal(v, cases[i].seconds);
	}
}

static void
duration_parse_rejects_malformed_text(void **state)
{
	static const char *const bad[] = {
		"", "d", "5x", "-1d", "+5d", " 14d", "14d ", "14dd", "1.5d",
		"14 d", "d14", "99999999999999999999",       /* strtoll overflow */
		"9999999999999999w", "153722867280912931h",  /* unit overflow */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		long long v = 12345;

		if (duration_parse(bad[i], &v) != -1)
			fail_msg("duration_parse accepted \"%s\" as %lld", bad[i], v);
		assert_int_equal(v, 12345);
	}
}

static void
duration_format_gives_shortest_exact_form(void **state)
{
	static const struct { long long seconds; const char *text; } cases[] = {
		{ 14 * DAY, "14d" }, { 5400, "90m" }, { 45, "45s" }, { 0, "0s" },
		{ 7200, "2h" }, { 90 * DAY, "90d" }, { DAY + 1, "86401s" },
		{ 36 * 3600, "36h" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		duration_format(cases[i].seconds, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
}

static void
duration_format_output_parses_back(void **state)
{
	static const long long values[] = { 1, 59, 60, 61, 3599, 3600, DAY,
	    7 * DAY, 400 * DAY, 123456789 };
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		long long v;

		duration_format(values[i], buf, sizeof(buf));
		assert_int_equal(duration_parse(buf, &v), 0);
		assert_int_equal(v, values[i]);
	}
}

/* ---- dates and local times ---- */

static void
iso_date_valid_knows_the_calendar(void **state)
{
	static const char *const good[] = { "2024-02-29", "2000-02-29",
	    "2026-02-28", "2026-12-31", "2026-01-01", "2026-04-30" };
	static const char *const bad[] = { "2026-02-29", "1900-02-29",
	    "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
	    "2026-01-00", "2026-1-01", "2026-01-1", "26-01-01", "2026/01/01",
	    "2026-01-01x", "2026-01-01 ", "", "abcd-ef-gh", "2026-02-30" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++)
		if (iso_date_valid(good[i]) != 0)
			fail_msg("iso_date_valid refused %s", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (iso_date_valid(bad[i]) != -1)
			fail_msg("iso_date_valid accepted \"%s\"", bad[i]);
}

static void
local_time_parse_reads_shanghai_wall_time(void **state)
{
	static const struct { const char *text; long long t; } cases[] = {
		{ "2026-01-01T00:00:00", NEW_YEAR_2026 },
		{ "2026-01-01 00:00:00", NEW_YEAR_2026 },
		{ "2026-01-01T00:00", NEW_YEAR_2026 },
		{ "2026-01-01", NEW_YEAR_2026 },
		{ "2024-02-29T12:34:56", LEAP_DAY_2024 },
		{ "2026-11-25T17:30:00", 1795599000 },
		{ "1767196800", NEW_YEAR_2026 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		time_t t = 0;

		if (local_time_parse(cases[i].text, &t) != 0)
			fail_msg("local_time_parse refused %s", cases[i].text);
		assert_int_equal((long long)t, cases[i].t);
	}
}

static void
local_time_parse_rejects_malformed_times(void **state)
{
	static const char *const bad[] = { "2026-01-01T24:00:00",
	    "2026-01-01T12:60", "2026-02-30T00:00:00", "2026-01-01T1:00",
	    "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+08:00", "yesterday",
	    "", "2026-01-01T" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		time_t t;

		if (local_time_parse(bad[i], &t) != -1)
			fail_msg("local_time_parse accepted \"%s\"", bad[i]);
	}
}

static void
iso_date_to_time_is_local_midnight(void **state)
{
	time_t t;
	char buf[32];

	(void)state;
	assert_int_equal(iso_date_to_time("2026-01-01", &t), 0);
	assert_int_equal((long long)t, NEW_YEAR_2026);
	assert_int_equal(iso_date_to_time("2026-02-29", &t), -1);
	date_format_local((time_t)NEW_YEAR_2026, buf, sizeof(buf));
	assert_string_equal(buf, "2026-01-01");
	time_format_local((time_t)1795599000, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-25 17:30");
	/* 16:00 UTC on new year's eve is already new year in Shanghai */
	date_format_local((time_t)(NEW_YEAR_2026 - 1), buf, sizeof(buf));
	assert_string_equal(buf, "2025-12-31");
}

/* The dates kept per day (timeutil.c) against localtime_r() itself, in
 * zones with summer time (Berlin's changes at night, Santiago's at
 * midnight), every ten minutes around each change, asked twice so that
 * the second answer comes from what was kept; then in another zone. */
static void
dates_kept_per_day_match_the_zone_and_its_summer_time(void **state)
{
	static const char *const zones[] = { "Europe/Berlin", "America/Santiago" };
	/* 00:00 UTC of 2026-03-28, 10-24, 04-04 and 09-05: a change of
	 * Berlin's or Santiago's offset is within two days of each */
	static const long long around[] = { 1774656000, 1792800000, 1775260800,
	    1788566400 };
	char got[32], want[32], cn[CN_DATE_SIZE];
	struct tm tm;
	time_t t;
	size_t z, a;
	int pass;

	(void)state;
	for (z = 0; z < ARRAY_SIZE(zones); z++) {
		assert_int_equal(tz_set(zones[z]), 0);
		for (a = 0; a < ARRAY_SIZE(around); a++)
			for (pass = 0; pass < 2; pass++)
				for (t = (time_t)around[a] - 2 * 86400;
				    t < (time_t)around[a] + 3 * 86400; t += 600) {
					localtime_r(&t, &tm);
					strftime(want, sizeof(want), "%Y-%m-%d", &tm);
					date_format_local(t, got, sizeof(got));
					if (strcmp(got, want) != 0)
						fail_msg("%s at %lld: %s, not %s", zones[z],
						    (long long)t, got, want);
				}
	}
	/* 20:00 UTC on 2026-11-25: still the 25th in Santiago, the 26th in
	 * Shanghai, whatever was kept for the 25th */
	date_format_local((time_t)1795636800, got, sizeof(got));
	assert_string_equal(got, "2026-11-25");
	assert_int_equal(tz_set("Asia/Shanghai"), 0);
	date_format_local((time_t)1795636800, got, sizeof(got));
	assert_string_equal(got, "2026-11-26");
	date_cn((time_t)1795636800, cn, sizeof(cn));
	assert_string_equal(cn, "2026年11月26日");
	/* cut as snprintf() cuts */
	date_format_local((time_t)1795636800, got, 5);
	assert_string_equal(got, "2026");
}

static void
dates_and_times_are_written_the_chinese_way(void **state)
{
	char buf[CN_DATE_SIZE];

	(void)state;
	date_cn((time_t)1795599000, buf, sizeof(buf));
	assert_string_equal(buf, "2026年11月25日");
	datetime_cn((time_t)1795599000, buf, sizeof(buf));
	assert_string_equal(buf, "2026年11月25日 17:30");
	datetime_cn((time_t)NEW_YEAR_2026 + 9 * 3600 + 5 * 60, buf, sizeof(buf));
	assert_string_equal(buf, "2026年1月1日 09:05");
	time_cn((time_t)1795599000, buf, sizeof(buf));
	assert_string_equal(buf, "2026年11月25日17时30分");
	time_cn((time_t)NEW_YEAR_2026 + 9 * 3600, buf, sizeof(buf));
	assert_string_equal(buf, "2026年1月1日9时");
	assert_int_equal(iso_date_to_cn("2026-12-02", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2026年12月2日");
	assert_int_equal(iso_date_to_cn("2026-02-30", buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	assert_int_equal(iso_date_to_cn(NULL, buf, sizeof(buf)), -1);
}

static void
days_between_floors_and_never_goes_negative(void **state)
{
	(void)state;
	assert_int_equal(days_between(0, 14 * DAY), 14);
	assert_int_equal(days_between(0, 14 * DAY - 1), 13);
	assert_int_equal(days_between(100, 50), 0);
}

/* ---- the clock ---- */

static void
mw_now_honours_unix_seconds(void **state)
{
	(void)state;
	setenv("MEDIAWATCH_NOW", "1767196800", 1);
	assert_int_equal(clock_check(), 0);
	assert_int_equal((long long)mw_now(), NEW_YEAR_2026);
	unsetenv("MEDIAWATCH_NOW");
}

static void
mw_now_honours_local_date_time(void **state)
{
	(void)state;
	setenv("MEDIAWATCH_NOW", "2024-02-29T12:34:56", 1);
	assert_int_equal(clock_check(), 0);
	assert_int_equal((long long)mw_now(), LEAP_DAY_2024);
	unsetenv("MEDIAWATCH_NOW");
}

static void
mw_now_is_the_real_clock_without_the_variable(void **state)
{
	time_t before = time(NULL), now;

	(void)state;
	unsetenv("MEDIAWATCH_NOW");
	assert_int_equal(clock_check(), 0);
	now = mw_now();
	assert_true(now >= before && now <= time(NULL));
	setenv("MEDIAWATCH_NOW", "", 1);
	assert_int_equal(clock_check(), 0);
	unsetenv("MEDIAWATCH_NOW");
}

static void
clock_check_rejects_garbage(void **state)
{
	static const char *const bad[] = { "garbage", "12abc", "-5",
	    "2026-02-30T00:00:00", "2026-01-01T25:00:00", "now",
	    "99999999999999999999" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		setenv("MEDIAWATCH_NOW", bad[i], 1);
		if (clock_check() != -1)
			fail_msg("clock_check accepted MEDIAWATCH_NOW=\"%s\"", bad[i]);
	}
	unsetenv("MEDIAWATCH_NOW");
}

/* ---- the configuration file ---- */

static void
builtin_defaults_follow_the_design(void **state)
{
	static const char *const keys[] = { "wechat", "weibo", "douyin",
	    "toutiao", "kuaishou", "bilibili", "xiaohongshu", "channels",
	    "website", "other" };
	static const char *const labels[] = { "微信公众号", "微博", "抖音",
	    "今日头条", "快手", "哔哩哔哩", "小红书", "视频号", "网站", "其他" };
	struct config cfg;
	size_t i;

	(void)state;
	assert_int_equal(config_load(NULL, &cfg), 0);
	assert_null(cfg.path);
	assert_string_equal(cfg.timezone, "Asia/Shanghai");
	assert_string_equal(cfg.database, "/var/lib/mediawatch/mediawatch.db");
	assert_string_equal(cfg.mail.maildir, "/var/lib/mediawatch/Maildir");
	assert_int_equal(cfg.n_platforms, ARRAY_SIZE(keys));
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		assert_string_equal(cfg.platforms[i].key, keys[i]);
		assert_string_equal(cfg.platforms[i].label, labels[i]);
		assert_thresholds(&cfg.platforms[i], 7 * DAY, 14 * DAY, 90 * DAY);
		assert_null(cfg.platforms[i].feed_template);
	}
	config_free(&cfg);
}

static void
shipped_example_loads_and_equals_the_defaults(void **state)
{
	const char *src = getenv("MEDIAWATCH_SRCDIR");
	struct config shipped, defaults;
	char *path;

	(void)state;
	if (src == NULL)
		fail_msg("MEDIAWATCH_SRCDIR is not set (the repository root)");
	path = xasprintf("%s/conf/mediawatch.conf", src);
	assert_int_equal(config_load(path, &shipped), 0);
	assert_string_equal(shipped.path, path);
	assert_int_equal(config_load(NULL, &defaults), 0);
	assert_config_same(&shipped, &defaults);
	config_free(&shipped);
	config_free(&defaults);
	free(path);
}

static void
platforms_are_found_by_key_label_or_alias(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(config_load(NULL, &cfg), 0);
	assert_string_equal(config_platform_named(&cfg, "wechat")->key, "wechat");
	assert_string_equal(config_platform_named(&cfg, "WeChat")->key, "wechat");
	assert_string_equal(config_platform_named(&cfg, " 微信公众号 ")->key,
	    "wechat");
	assert_string_equal(config_platform_named(&cfg, "公众号")->key, "wechat");
	assert_string_equal(config_platform_named(&cfg, "视频号")->key, "channels");
	assert_string_equal(config_platform_named(&cfg, "B站")->key, "bilibili");
	assert_string_equal(config_platform_named(&cfg, "头条号")->key, "toutiao");
	assert_null(config_platform_named(&cfg, "微"));
	assert_null(config_platform_named(&cfg, "myspace"));
	config_free(&cfg);
	/* a name means one platform */
	assert_load_fails("platforms = ( { key = \"a\"; label = \"甲\"; },"
	    " { key = \"b\"; label = \"甲\"; } );\n");
	assert_load_fails("platforms = ( { key = \"a\"; aliases = [ \"乙\" ]; },"
	    " { key = \"b\"; aliases = [ \"乙\" ]; } );\n");
	assert_load_fails("platforms = ( { key = \"a\"; },"
	    " { key = \"b\"; aliases = [ \"A\" ]; } );\n");
	assert_load_fails("platforms = ( { key = \"a\"; aliases = [ \"\" ]; } );\n");
	assert_int_equal(load_text("platforms = ( { key = \"a\"; aliases = "
	    "[ \"甲号\" ]; } );\n", &cfg), 0);
	assert_string_equal(config_platform_named(&cfg, "甲号")->key, "a");
	config_free(&cfg);
}

static void
missing_file_is_an_error(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(config_load("/nonexistent/mediawatch.conf", &cfg), -1);
}

static void
syntax_error_is_an_error(void **state)
{
	(void)state;
	assert_load_fails("database = \"/tmp/x.db\";\npoll = {\n");
	assert_load_fails("database = ;\n");
	assert_load_fails("database = \"unterminated;\n");
}

static void
unknown_keys_are_errors_everywhere(void **state)
{
	(void)state;
	assert_load_fails("databse = \"/tmp/x.db\";\n");
	assert_load_fails("poll = { interval = \"1h\"; intervall = \"2h\"; };\n");
	assert_load_fails("mail = { transprot = \"smtp\"; };\n");
	assert_load_fails("monitor = { verify = \"1d\"; };\n");
	assert_load_fails("notice = { holiday = [ \"2026-10-01\" ]; };\n");
	assert_load_fails("wording = { list = [ ]; };\n");
	assert_load_fails("thresholds = { warning = \"7d\"; };\n");
	assert_load_fails("platforms = ( { key = \"weibo\"; lable = \"微博\"; } );\n");
	assert_load_fails("unknown_group = { a = 1; };\n");
}

static void
failed_load_leaves_the_output_untouched(void **state)
{
	struct config cfg;
	char sentinel[sizeof(cfg)];

	(void)state;
	memset(&cfg, 0x5a, sizeof(cfg));
	memcpy(sentinel, &cfg, sizeof(cfg));
	assert_int_equal(load_text("bogus = 1;\n", &cfg), -1);
	assert_memory_equal(&cfg, sentinel, sizeof(cfg));
}

static void
wrong_types_are_errors(void **state)
{
	(void)state;
	assert_load_fails("database = 5;\n");
	assert_load_fails("timezone = [ \"Asia/Shanghai\" ];\n");
	assert_load_fails("poll = { concurrency = \"many\"; };\n");
	assert_load_fails("poll = { concurrency = 1.5; };\n");
	assert_load_fails("poll = { interval = \"soon\"; };\n");
	assert_load_fails("poll = { interval = -60; };\n");
	assert_load_fails("poll = { interval = true; };\n");
	assert_load_fails("poll = { max_size = \"10X\"; };\n");
	assert_load_fails("poll = { max_size = 0; };\n");
	assert_load_fails("poll = 5;\n");
	assert_load_fails("thresholds = \"7d\";\n");
	assert_load_fails("mail = { admins = \"a@example.gov.cn\"; };\n");
	assert_load_fails("notice = { holidays = [ 1, 2 ]; };\n");
	assert_load_fails("notice = { holidays = [ \"2026-02-30\" ]; };\n");
	assert_load_fails("mail = { admins = [ \"not-an-address\" ]; };\n");
	assert_load_fails("platforms = { key = \"weibo\"; };\n");
	assert_load_fails("platforms = ( );\n");
}

static void
values_of_every_type_are_read(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(load_text(
	    "database = \"/tmp/mw.db\";\n"
	    "poll = { interval = \"15m\"; timeout = 45; max_size = \"2M\";\n"
	    "  concurrency = 8; per_host = 2; retention = \"0\"; };\n"
	    "mail = { transport = \"smtp\"; url = \"smtp://127.0.0.1:2525\";\n"
	    "  admins = [ \"a@example.gov.cn\", \"b@example.gov.cn\" ]; };\n"
	    "notice = { holidays = [ \"2026-10-01\" ]; rectify_days = 5; };\n",
	    &cfg), 0);
	assert_string_equal(cfg.database, "/tmp/mw.db");
	assert_int_equal(cfg.poll.interval, 900);
	assert_int_equal(cfg.poll.timeout, 45);
	assert_int_equal(cfg.poll.max_size, 2 * 1024 * 1024);
	assert_int_equal(cfg.poll.concurrency, 8);
	assert_int_equal(cfg.poll.per_host, 2);
	assert_int_equal(cfg.poll.retention, 0);
	assert_int_equal(cfg.mail.transport, MAIL_SMTP);
	assert_int_equal(cfg.mail.n_admins, 2);
	assert_string_equal(cfg.mail.admins[1], "b@example.gov.cn");
	assert_null(cfg.mail.admins[2]);
	assert_string_equal(cfg.notice.holidays[0], "2026-10-01");
	assert_null(cfg.notice.holidays[1]);
	assert_int_equal(cfg.notice.rectify_days, 5);
	config_free(&cfg);
}

/* What a document prints on a line of its own must be one line; the
 * defaults are the faces an office has. */
static void
document_keys_are_read_and_checked(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(load_text("", &cfg), 0);
	assert_string_equal(cfg.notice.serial_format, "〔%Y〕%N号");
	assert_string_equal(cfg.bulletin.serial_format, "%Y年第%N期");
	assert_null(cfg.document.issuer_mark);
	assert_string_equal(cfg.document.font_body, "仿宋_GB2312");
	assert_int_equal(cfg.document.n_unit_order, 0);
	config_free(&cfg);
	assert_int_equal(load_text(
	    "bulletin = { serial_format = \"武政新报%Y年第%N期\"; };\n"
	    "document = { copy_to = \"县委网信办\"; font_body = \"仿宋\";\n"
	    "  unit_order = [ \"GOV\", \"EDU\" ]; };\n", &cfg), 0);
	assert_string_equal(cfg.bulletin.serial_format, "武政新报%Y年第%N期");
	assert_string_equal(cfg.document.copy_to, "县委网信办");
	assert_string_equal(cfg.document.font_body, "仿宋");
	assert_int_equal(cfg.document.n_unit_order, 2);
	assert_string_equal(cfg.document.unit_order[1], "EDU");
	config_free(&cfg);
	assert_load_fails("document = { copy_to = \"县委网信办\\n县政府办\"; };\n");
	assert_load_fails("document = { font_title = \"\"; };\n");
	assert_load_fails("document = { issuer_mark = \"\"; };\n");
	assert_load_fails("bulletin = { serial_format = \"\"; };\n");
	assert_load_fails("document = { unit_order = \"GOV\"; };\n");
	assert_load_fails("document = { fonts = \"宋体\"; };\n");
}

static void
cross_key_rules_are_enforced(void **state)
{
	(void)state;
	assert_load_fails("poll = { interval = \"30s\"; };\n");
	assert_load_fails("poll = { jitter = 60; };\n");
	assert_load_fails("poll = { concurrency = 2; per_host = 3; };\n");
	assert_load_fails("mail = { transport = \"pigeon\"; };\n");
	assert_load_fails("mail = { transport = \"smtp\"; };\n");
	assert_load_fails("notice = { repeat_months = 1; };\n");
	assert_load_fails("database = \"\";\n");
}

static void
unknown_time_zone_is_an_error(void **state)
{
	(void)state;
	assert_load_fails("timezone = \"Mars/Olympus_Mons\";\n");
	assert_load_fails("timezone = \"../../etc/passwd\";\n");
	assert_load_fails("timezone = \"\";\n");
	setup_zone(state);
}

static void
other_time_zone_is_accepted(void **state)
{
	struct config cfg;
	time_t t;

	assert_int_equal(load_text("timezone = \"UTC\";\n", &cfg), 0);
	assert_int_equal(local_time_parse("2026-01-01T00:00:00", &t), 0);
	assert_int_equal((long long)t, NEW_YEAR_2026 + 8 * 3600);
	config_free(&cfg);
	setup_zone(state);
}

static void
platform_thresholds_must_increase(void **state)
{
	(void)state;
	assert_load_fails("platforms = ( { key = \"weibo\"; warn = \"14d\";"
	    " stale = \"7d\"; } );\n");
	assert_load_fails("platforms = ( { key = \"weibo\"; warn = \"14d\";"
	    " stale = \"14d\"; dormant = \"90d\"; } );\n");
	assert_load_fails("platforms = ( { key = \"weibo\"; dormant = \"10d\"; } );\n");
	assert_load_fails("thresholds = { stale = \"100d\"; };\n"
	    "platforms = ( { key = \"weibo\"; } );\n");
}

/* The thresholds group alone (no platform list) sets the built-in
 * platforms' thresholds, so it must obey the same rule. */
static void
global_thresholds_must_increase_without_a_platform_list(void **state)
{
	(void)state;
	assert_load_fails("thresholds = { warn = \"20d\"; };\n");
	assert_load_fails("thresholds = { warn = \"7d\"; stale = \"100d\"; "
	    "dormant = \"90d\"; };\n");
}

static void
global_thresholds_apply_to_builtin_platforms(void **state)
{
	struct config cfg;
	size_t i;

	(void)state;
	assert_int_equal(load_text("thresholds = { warn = \"5d\"; stale = \"10d\";"
	    " dormant = \"60d\"; };\n", &cfg), 0);
	assert_int_equal(cfg.n_platforms, 10);
	for (i = 0; i < cfg.n_platforms; i++)
		assert_thresholds(&cfg.platforms[i], 5 * DAY, 10 * DAY, 60 * DAY);
	config_free(&cfg);
}

static void
platform_overrides_the_global_thresholds(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(load_text(
	    "thresholds = { warn = \"5d\"; stale = \"10d\"; dormant = \"60d\"; };\n"
	    "platforms = (\n"
	    "  { key = \"wechat\"; label = \"微信公众号\"; },\n"
	    "  { key = \"website\"; label = \"网站\"; stale = \"12d\"; dormant = 8640000; }\n"
	    ");\n", &cfg), 0);
	assert_int_equal(cfg.n_platforms, 2);
	assert_thresholds(platform(&cfg, "wechat"), 5 * DAY, 10 * DAY, 60 * DAY);
	assert_thresholds(platform(&cfg, "website"), 5 * DAY, 12 * DAY, 100 * DAY);
	assert_null(config_platform(&cfg, "weibo"));
	config_free(&cfg);
}

static void
platform_list_replaces_the_builtin_one(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(load_text("platforms = ( { key = \"wechat-mp\"; } );\n",
	    &cfg), 0);
	assert_int_equal(cfg.n_platforms, 1);
	/* a platform without a label is shown by its key */
	assert_string_equal(platform(&cfg, "wechat-mp")->label, "wechat-mp");
	assert_thresholds(platform(&cfg, "wechat-mp"), 7 * DAY, 14 * DAY, 90 * DAY);
	config_free(&cfg);
}

static void
platform_keys_are_checked(void **state)
{
	(void)state;
	assert_load_fails("platforms = ( { label = \"微博\"; } );\n");
	assert_load_fails("platforms = ( { key = \"We Chat\"; } );\n");
	assert_load_fails("platforms = ( { key = \"微博\"; } );\n");
	assert_load_fails("platforms = ( { key = \"weibo\"; }, { key = \"weibo\"; } );\n");
}

static void
feed_template_needs_the_uid_placeholder(void **state)
{
	struct config cfg;

	assert_load_fails("platforms = ( { key = \"weibo\"; feed_template ="
	    " \"http://127.0.0.1:1200/weibo/user/\"; } );\n");
	assert_int_equal(load_text("platforms = ( { key = \"weibo\"; feed_template ="
	    " \"http://127.0.0.1:1200/weibo/user/{uid}\"; } );\n", &cfg), 0);
	assert_string_equal(platform(&cfg, "weibo")->feed_template,
	    "http://127.0.0.1:1200/weibo/user/{uid}");
	config_free(&cfg);
	(void)state;
}

/* ---- the table of keys ---- */

static void
every_key_takes_its_default_from_the_table(void **state)
{
	const struct config_key *k;
	struct config cfg;
	long long v;

	(void)state;
	assert_int_equal(config_load(NULL, &cfg), 0);
	for (k = config_keys; k->name; k++) {
		const char *field = (const char *)&cfg + k->offset;

		assert_non_null(k->doc);
		switch (k->type) {
		case CONFIG_STRING:
			/* mail.maildir is derived from state_dir */
			if (k->def || strcmp(k->name, "maildir") != 0)
				assert_str_same(*(char *const *)field, k->def);
			break;
		case CONFIG_INT:
			assert_int_equal(*(const long *)field, strtol(k->def, NULL, 10));
			break;
		case CONFIG_DURATION:
			assert_int_equal(duration_parse(k->def, &v), 0);
			assert_int_equal(*(const long long *)field, v);
			break;
		case CONFIG_SIZE:
		case CONFIG_ENUM:
		case CONFIG_LIST:
		case CONFIG_CHANNELS:
		case CONFIG_PLATFORMS:
			break;
		}
	}
	assert_int_equal(cfg.poll.max_size, 10 * 1024 * 1024);
	assert_string_equal(table_key("poll", "max_size")->def, "10M");
	assert_int_equal(cfg.mail.transport, MAIL_MAILDIR);
	assert_string_equal(table_key("mail", "transport")->def, "maildir");
	assert_null(cfg.mail.admins[0]);
	assert_null(cfg.mail.templates);
	config_free(&cfg);
}

static void
ranges_of_the_table_are_enforced_at_the_line(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_text("poll = {\n  jitter = 51;\n};\n",
	    "FILE:2: poll.jitter must be 0-50");
	assert_error_text("poll = { max_redirects = -1; };\n",
	    "FILE:1: poll.max_redirects must be 0-20");
	assert_error_text("\npoll = { interval = \"59s\"; };\n",
	    "FILE:2: poll.interval must be at least 1m");
	assert_error_text("mail = { max_attempts = 0; };\n",
	    "mail.max_attempts must be at least 1");
	assert_error_text("notice = { repeat_months = 1; };\n",
	    "notice.repeat_months must be at least 2");
	assert_error_text("poll = { concurrency = 10001; };\n",
	    "poll.concurrency must be 1-10000");
	/* the bounds themselves are allowed */
	assert_int_equal(load_text("poll = { jitter = 50; max_redirects = 0;"
	    " interval = \"1m\"; concurrency = 10000; };\n", &cfg), 0);
	assert_int_equal(cfg.poll.jitter_percent, 50);
	assert_int_equal(cfg.poll.interval, 60);
	config_free(&cfg);
}

static void
enum_keys_take_only_their_names(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_text("mail = {\n  transport = \"pigeon\";\n};\n",
	    "FILE:2: mail.transport must be \"maildir\", \"smtp\" or "
	    "\"sendmail\"");
	assert_error_text("mail = { transport = 1; };\n", "mail.transport must be");
	assert_error_text("mail = { transport = \"SMTP\"; };\n",
	    "mail.transport must be");
	assert_int_equal(load_text("mail = { transport = \"sendmail\"; };\n",
	    &cfg), 0);
	assert_int_equal(cfg.mail.transport, MAIL_SENDMAIL);
	assert_string_equal(config_transport_names[cfg.mail.transport], "sendmail");
	config_free(&cfg);
}

static void
every_error_of_a_file_is_reported(void **state)
{
	char *got;

	(void)state;
	got = load_errors("poll = {\n  jitter = 99;\n  intervall = 5;\n};\n"
	    "mail = {\n  transport = \"pigeon\";\n};\nbogus = 1;\n");
	assert_non_null(got);
	if (!strstr(got, "FILE:2: poll.jitter") ||
	    !strstr(got, "FILE:3: unknown key 'intervall' in poll") ||
	    !strstr(got, "FILE:6: mail.transport") ||
	    !strstr(got, "FILE:8: unknown key 'bogus'"))
		fail_msg("not every error was reported:\n%s", got);
	free(got);
}

static void
overflowing_sizes_and_durations_are_refused(void **state)
{
	(void)state;
	assert_error_text("poll = { max_size = \"333333333333335M\"; };\n",
	    "'max_size' must be a size");
	assert_error_text("poll = { max_size = \"9223372036854775807K\"; };\n",
	    "'max_size' must be a size");
	assert_error_text("poll = { retention = \"36601d\"; };\n",
	    "(at most 100 years)");
	assert_error_text("poll = { retention = 9223372036854775807; };\n",
	    "(at most 100 years)");
}

static void
a_login_needs_tls_and_both_halves(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_text("mail = {\n  transport = \"smtp\";\n"
	    "  url = \"smtp://mail.example.gov.cn:587\";\n"
	    "  username = \"mw\";\n  password_file = \"/etc/pw\";\n};\n",
	    "FILE:3: mail.url: with a login (mail.username) TLS is required");
	assert_error_text("mail = { url = \"SMTP://mail.example.gov.cn\";"
	    " username = \"mw\"; password_file = \"pw\"; };\n",
	    "smtp+starttls://mail.example.gov.cn");
	assert_error_text("mail = {\n  url = \"smtps://h\";\n"
	    "  password_file = \"pw\";\n};\n",
	    "FILE:3: mail.password_file is set but mail.username is not");
	assert_error_text("mail = {\n  url = \"smtps://h\";\n"
	    "  username = \"mw\";\n};\n",
	    "FILE:3: mail.username needs mail.password_file");
	assert_int_equal(load_text("mail = { transport = \"smtp\"; url ="
	    " \"smtp+starttls://h:587\"; username = \"mw\"; password_file ="
	    " \"smtp-password\"; ca_file = \"/etc/ca.pem\"; };\n", &cfg), 0);
	config_free(&cfg);
	assert_int_equal(load_text("mail = { transport = \"smtp\"; url ="
	    " \"smtps://h\"; username = \"mw\"; password_file = \"pw\"; };\n",
	    &cfg), 0);
	config_free(&cfg);
	/* without a login a local relay may stay plain */
	assert_int_equal(load_text("mail = { transport = \"smtp\"; url ="
	    " \"smtp://127.0.0.1:25\"; };\n", &cfg), 0);
	config_free(&cfg);
}

static void
password_path_is_a_credential_only_for_a_bare_name(void **state)
{
	char *p;

	(void)state;
	unsetenv("CREDENTIALS_DIRECTORY");
	p = config_password_path("smtp-password");
	assert_string_equal(p, "smtp-password");
	free(p);
	assert_true(config_password_not_handed_over("smtp-password"));
	assert_false(config_password_not_handed_over("/etc/mediawatch/pw"));
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/mediawatchd.service", 1);
	p = config_password_path("smtp-password");
	assert_string_equal(p, "/run/credentials/mediawatchd.service/smtp-password");
	free(p);
	assert_false(config_password_not_handed_over("smtp-password"));
	p = config_password_path("/etc/mediawatch/smtp-password");
	assert_string_equal(p, "/etc/mediawatch/smtp-password");
	free(p);
	unsetenv("CREDENTIALS_DIRECTORY");
}

/* config_check_mail_files() on text, its messages as from load_errors():
 * returns the check's result, *log the messages ("FILE" for the path). */
static int
check_files(const char *text, char **log)
{
	char *path = write_temp(text), *logpath = xstrdup("/tmp/mw-test-log-XXXXXX");
	int fd = mkstemp(logpath), saved = dup(2), rc;
	struct strbuf sb = STRBUF_INIT;
	struct config cfg;
	char buf[4096];
	ssize_t n;

	assert_int_equal(config_load(path, &cfg), 0);
	fflush(stderr);
	dup2(fd, 2);
	rc = config_check_mail_files(&cfg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sb_append(&sb, buf, (size_t)n);
	close(fd);
	unlink(logpath);
	free(logpath);
	*log = replace_all(sb_str(&sb), path, "FILE");
	sb_free(&sb);
	config_free(&cfg);
	unlink(path);
	free(path);
	return rc;
}

static void
mail_files_are_checked_readable_naming_the_line(void **state)
{
	char *log, *pw = write_temp("secret\n"), *text;

	(void)state;
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_int_equal(check_files("mail = {\n  transport = \"smtp\";\n"
	    "  url = \"smtps://h\";\n  username = \"mw\";\n"
	    "  password_file = \"/nonexistent/pw\";\n};\n", &log), -1);
	assert_non_null(strstr(log, "FILE:5: mail.password_file: cannot read "
	    "/nonexistent/pw: No such file or directory"));
	free(log);
	assert_int_equal(check_files("mail = {\n  transport = \"smtp\";\n"
	    "  url = \"smtps://h\";\n  ca_file = \"/nonexistent/ca.pem\";\n"
	    "};\n", &log), -1);
	assert_non_null(strstr(log, "FILE:4: mail.ca_file: cannot read"));
	free(log);
	text = xasprintf("mail = { transport = \"smtp\"; url = \"smtps://h\";"
	    " username = \"mw\"; password_file = \"%s\"; };\n", pw);
	assert_int_equal(check_files(text, &log), 0);
	assert_string_equal(log, "");
	free(log);
	free(text);
	/* a credential name is the service's to resolve when it starts */
	assert_int_equal(check_files("mail = { transport = \"smtp\"; url ="
	    " \"smtps://h\"; username = \"mw\"; password_file ="
	    " \"smtp-password\"; };\n", &log), 0);
	assert_non_null(strstr(log, "credential name"));
	free(log);
	setenv("CREDENTIALS_DIRECTORY", "/nonexistent", 1);
	assert_int_equal(check_files("mail = { transport = \"smtp\"; url ="
	    " \"smtps://h\"; username = \"mw\"; password_file ="
	    " \"smtp-password\"; };\n", &log), -1);
	assert_non_null(strstr(log, "/nonexistent/smtp-password"));
	free(log);
	unsetenv("CREDENTIALS_DIRECTORY");
	unlink(pw);
	free(pw);
}

static void
reload_names_the_changed_keys_that_need_a_restart(void **state)
{
	struct config running, fresh;
	char **changed;

	(void)state;
	assert_int_equal(config_load(NULL, &running), 0);
	assert_int_equal(load_text("poll = { interval = \"2h\"; };\n"
	    "mail = { transport = \"sendmail\"; };\n", &fresh), 0);
	changed = config_restart_changes(&running, &fresh);
	assert_null(changed[0]);
	strv_free(changed);
	config_free(&fresh);

	assert_int_equal(load_text("database = \"/tmp/other.db\";\n"
	    "poll = { concurrency = 8; per_host = 4; interval = \"2h\"; };\n",
	    &fresh), 0);
	changed = config_restart_changes(&running, &fresh);
	assert_non_null(changed[0]);
	assert_string_equal(changed[0], "database");
	assert_non_null(changed[1]);
	assert_string_equal(changed[1], "poll.concurrency");
	assert_null(changed[2]);
	assert_true(table_key("poll", "concurrency")->restart);
	assert_false(table_key("poll", "interval")->restart);
	strv_free(changed);

	/* until the restart, the reloaded configuration keeps those values */
	config_keep_restart_values(&running, &fresh);
	assert_string_equal(fresh.database, running.database);
	assert_int_equal(fresh.poll.concurrency, running.poll.concurrency);
	assert_int_equal(fresh.poll.interval, 2 * 3600);
	changed = config_restart_changes(&running, &fresh);
	assert_null(changed[0]);
	strv_free(changed);
	config_free(&fresh);
	config_free(&running);
}

static void
config_locate_prefers_argument_then_environment(void **state)
{
	(void)state;
	setenv("MEDIAWATCH_CONF", "/from/env.conf", 1);
	assert_string_equal(config_locate("/given.conf"), "/given.conf");
	assert_string_equal(config_locate(NULL), "/from/env.conf");
	setenv("MEDIAWATCH_CONF", "", 1);
	if (access(MW_DEFAULT_CONF, F_OK) == 0)
		assert_string_equal(config_locate(NULL), MW_DEFAULT_CONF);
	else
		assert_null(config_locate(NULL));
	unsetenv("MEDIAWATCH_CONF");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(duration_parse_reads_every_unit),
		cmocka_unit_test(duration_parse_rejects_malformed_text),
		cmocka_unit_test(duration_format_gives_shortest_exact_form),
		cmocka_unit_test(duration_format_output_parses_back),
		cmocka_unit_test(iso_date_valid_knows_the_calendar),
		cmocka_unit_test(local_time_parse_reads_shanghai_wall_time),
		cmocka_unit_test(local_time_parse_rejects_malformed_times),
		cmocka_unit_test_teardown(
		    dates_kept_per_day_match_the_zone_and_its_summer_time, setup_zone),
		cmocka_unit_test(dates_and_times_are_written_the_chinese_way),
		cmocka_unit_test(iso_date_to_time_is_local_midnight),
		cmocka_unit_test(days_between_floors_and_never_goes_negative),
		cmocka_unit_test(mw_now_honours_unix_seconds),
		cmocka_unit_test(mw_now_honours_local_date_time),
		cmocka_unit_test(mw_now_is_the_real_clock_without_the_variable),
		cmocka_unit_test(clock_check_rejects_garbage),
		cmocka_unit_test(builtin_defaults_follow_the_design),
		cmocka_unit_test(shipped_example_loads_and_equals_the_defaults),
		cmocka_unit_test(platforms_are_found_by_key_label_or_alias),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(syntax_error_is_an_error),
		cmocka_unit_test(unknown_keys_are_errors_everywhere),
		cmocka_unit_test(failed_load_leaves_the_output_untouched),
		cmocka_unit_test(wrong_types_are_errors),
		cmocka_unit_test(values_of_every_type_are_read),
		cmocka_unit_test(cross_key_rules_are_enforced),
		cmocka_unit_test(unknown_time_zone_is_an_error),
		cmocka_unit_test(other_time_zone_is_accepted),
		cmocka_unit_test(platform_thresholds_must_increase),
		cmocka_unit_test(global_thresholds_must_increase_without_a_platform_list),
		cmocka_unit_test(global_thresholds_apply_to_builtin_platforms),
		cmocka_unit_test(platform_overrides_the_global_thresholds),
		cmocka_unit_test(platform_list_replaces_the_builtin_one),
		cmocka_unit_test(platform_keys_are_checked),
		cmocka_unit_test(feed_template_needs_the_uid_placeholder),
		cmocka_unit_test(every_key_takes_its_default_from_the_table),
		cmocka_unit_test(ranges_of_the_table_are_enforced_at_the_line),
		cmocka_unit_test(enum_keys_take_only_their_names),
		cmocka_unit_test(every_error_of_a_file_is_reported),
		cmocka_unit_test(overflowing_sizes_and_durations_are_refused),
		cmocka_unit_test(a_login_needs_tls_and_both_halves),
		cmocka_unit_test(password_path_is_a_credential_only_for_a_bare_name),
		cmocka_unit_test(mail_files_are_checked_readable_naming_the_line),
		cmocka_unit_test(reload_names_the_changed_keys_that_need_a_restart),
		cmocka_unit_test(config_locate_prefers_argument_then_environment),
		cmocka_unit_test(document_keys_are_read_and_checked),
	};

	/* Every test runs in the zone the shipped configuration names. */
	return cmocka_run_group_tests(tests, setup_zone, NULL);
}
