/* test_feed.c — feed_parse() over tests/fixtures/feeds (see its README). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "poll/feed.h"

#define T_1101_0800	1667260800LL	/* 2022-11-01 08:00 +0800 */
#define T_1102_0800	1667347200LL
#define T_1103_0800	1667433600LL
#define T_1104_0900	1667523600LL
#define T_1105_1030	1667615400LL
#define NOTICE		"关于开展2022年度政务公开工作的通知"

static char *
fixture_read(const char *name, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	const char *root = getenv("MEDIAWATCH_SRCDIR");
	char *path, chunk[65536];
	size_t n;
	FILE *fp;

	if (root == NULL)
		fail_msg("MEDIAWATCH_SRCDIR is not set");
	path = xasprintf("%s/tests/fixtures/feeds/%s", root, name);
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sb_append(&sb, chunk, n);
	fclose(fp);
	free(path);
	*len = sb.len;
	return sb_steal(&sb);
}

static void
parse_text(const char *body, size_t len, const char *charset,
    struct feed *feed)
{
	char *error = NULL;

	if (feed_parse(body, len, charset, feed, &error) == -1)
		fail_msg("feed_parse: %s", error);
	assert_null(error);
}

static void
parse_fixture(const char *name, const char *charset, struct feed *feed)
{
	size_t len;
	char *body = fixture_read(name, &len);

	parse_text(body, len, charset, feed);
	free(body);
}

static void
parse_string(const char *body, struct feed *feed)
{
	parse_text(body, strlen(body), NULL, feed);
}

static long long
newest_date(const struct feed *feed)
{
	long long newest = -1;
	size_t i;

	for (i = 0; i < feed->n_entries; i++)
		if (feed->entries[i].has_date &&
		    feed->entries[i].published > newest)
			newest = feed->entries[i].published;
	return newest;
}

static void
assert_entry_date(const struct feed_entry *e, long long want)
{
	assert_true(e->has_date);
	assert_int_equal((long long)e->published, want);
}

/* Each entry's date, in order; -1 for none. */
static void
assert_dates(const struct feed *feed, const long long *want, size_t n)
{
	size_t i;

	assert_int_equal(feed->n_entries, n);
	for (i = 0; i < n; i++) {
		if (want[i] == -1) {
			assert_false(feed->entries[i].has_date);
			continue;
		}
		if (!feed->entries[i].has_date ||
		    feed->entries[i].published != want[i])
			fail_msg("entry %zu (%s): got %lld, want %lld", i,
			    feed->entries[i].date_raw,
			    (long long)feed->entries[i].published, want[i]);
	}
}

static int
setup_shanghai(void **state)
{
	return tz_set("Asia/Shanghai");
}

static void
test_rss20_reads_guid_link_summary_and_item_dates_only(void **state)
{
	struct feed feed;
	const struct feed_entry *e;

	parse_fixture("rss20.xml", NULL, &feed);
	assert_int_equal(feed.format, FEED_RSS);
	assert_string_equal(feed.encoding, "UTF-8");
	assert_string_equal(feed.title, "某市人民政府办公室");
	assert_int_equal(feed.n_entries, 3);
	e = &feed.entries[0];
	assert_string_equal(e->id,
	    "https://www.example.gov.cn/zwgk/2022/11/05/001.html");
	assert_string_equal(e->title, NOTICE);
	assert_string_equal(e->link,
	    "https://www.example.gov.cn/zwgk/2022/11/05/001.html");
	assert_string_equal(e->summary,
	    "各区县人民政府，市政府各部门：现将有关事项通知如下。");
	assert_string_equal(e->date_raw, "Sat, 05 Nov 2022 10:30:00 +0800");
	assert_entry_date(e, T_1105_1030);
	assert_string_equal(feed.entries[1].id, "rss20-002");
	assert_entry_date(&feed.entries[1], T_1104_0900);
	/* dc:date by namespace, content:encoded when there is no description */
	e = &feed.entries[2];
	assert_string_equal(e->date_raw, "2022-11-03T08:00:00+08:00");
	assert_entry_date(e, T_1103_0800);
	assert_string_equal(e->summary, "<p>全文见附件。</p>");
	/* lastBuildDate (2022-11-07) is not an entry date */
	assert_int_equal(newest_date(&feed), T_1105_1030);
	feed_free(&feed);
}

static void
test_rss091_items_have_no_id_no_date_and_html_entities_decoded(void **state)
{
	struct feed feed;

	parse_fixture("rss091.xml", NULL, &feed);
	assert_int_equal(feed.format, FEED_RSS);
	assert_int_equal(feed.n_entries, 2);
	assert_null(feed.entries[0].id);
	assert_null(feed.entries[0].date_raw);
	assert_false(feed.entries[0].has_date);
	assert_string_equal(feed.entries[0].title,
	    "关于做好冬季安全生产工作的通知\u00a0—\u00a0县应急管理局");
	assert_string_equal(feed.entries[1].link,
	    "https://www.example.gov.cn/tz/091-2.html");
	assert_int_equal(newest_date(&feed), -1);
	feed_free(&feed);
}

static void
test_rdf_items_beside_channel_are_named_by_rdf_about(void **state)
{
	struct feed feed;

	parse_fixture("rdf.xml", NULL, &feed);
	assert_int_equal(feed.format, FEED_RDF);
	assert_string_equal(feed.title, "某区政府信息公开");
	assert_int_equal(feed.n_entries, 2);
	assert_string_equal(feed.entries[0].id,
	    "https://www.example.gov.cn/xxgk/rdf-1.html");
	assert_string_equal(feed.entries[0].link,
	    "https://www.example.gov.cn/xxgk/rdf-1.html?from=rss&id=1");
	assert_string_equal(feed.entries[0].title,
	    "关于2022年第三季度政务公开考核结果的通报");
	assert_entry_date(&feed.entries[0], T_1105_1030);
	assert_entry_date(&feed.entries[1], T_1104_0900);
	/* the channel's dc:date (2022-11-07) is ignored */
	assert_int_equal(newest_date(&feed), T_1105_1030);
	feed_free(&feed);
}

static void
test_atom10_published_wins_and_source_metadata_is_ignored(void **state)
{
	struct feed feed;
	const struct feed_entry *e;

	parse_fixture("atom10.xml", NULL, &feed);
	assert_int_equal(feed.format, FEED_ATOM);
	assert_string_equal(feed.title, "某市政务服务数据管理局");
	assert_int_equal(feed.n_entries, 2);
	e = &feed.entries[0];
	assert_string_equal(e->id, "tag:example.gov.cn,2022:a-1");
	assert_string_equal(e->link, "https://www.example.gov.cn/a/1.html");
	assert_string_equal(e->date_raw, "2022-11-04T09:00:00+08:00");
	assert_entry_date(e, T_1104_0900);
	assert_string_equal(e->summary, "现将有关事项通知如下。");
	e = &feed.entries[1];
	assert_string_equal(e->id, "tag:example.gov.cn,2022:a-2");
	assert_string_equal(e->title, "关于公布2022年政务新媒体检查结果的通报");
	assert_string_equal(e->link, "https://www.example.gov.cn/a/2.html");
	assert_string_equal(e->date_raw, "2022-11-05T02:30:00Z");
	assert_entry_date(e, T_1105_1030);
	assert_string_equal(e->summary, "<p>检查结果见附件。</p>");
	feed_free(&feed);
}

static void
test_atom03_prefers_issued_then_created_then_modified(void **state)
{
	static const long long want[] = { T_1105_1030, T_1103_0800,
	    T_1104_0900 };
	struct feed feed;

	parse_fixture("atom03.xml", NULL, &feed);
	assert_int_equal(feed.format, FEED_ATOM);
	assert_string_equal(feed.title, "某县人民政府（Atom 0.3）");
	assert_dates(&feed, want, 3);
	assert_string_equal(feed.entries[0].id, "tag:example.gov.cn,2022:03-1");
	assert_string_equal(feed.entries[0].link,
	    "https://www.example.gov.cn/03/1.html");
	feed_free(&feed);
}

static void
test_jsonfeed10_prefers_date_published_and_content_text(void **state)
{
	static const long long want[] = { T_1105_1030, T_1104_0900, -1 };
	struct feed feed;

	parse_fixture("jsonfeed10.json", NULL, &feed);
	assert_int_equal(feed.format, FEED_JSON);
	assert_string_equal(feed.encoding, "UTF-8");
	assert_string_equal(feed.title, "某市人民政府门户网站");
	assert_dates(&feed, want, 3);
	assert_string_equal(feed.entries[0].id, "json10-1");
	assert_string_equal(feed.entries[0].title, NOTICE);
	assert_string_equal(feed.entries[0].link,
	    "https://www.example.gov.cn/j/1.html");
	assert_string_equal(feed.entries[0].summary, "现将有关事项通知如下。");
	assert_string_equal(feed.entries[1].summary, "调整事项共12项。");
	assert_string_equal(feed.entries[2].title, "市政府召开常务会议");
	assert_string_equal(feed.entries[2].summary,
	    "<p>会议研究了有关事项。</p>");
	assert_null(feed.entries[2].date_raw);
	feed_free(&feed);
}

static void
test_jsonfeed11_numeric_ids_and_unix_times_are_read(void **state)
{
	static const long long want[] = { T_1105_1030, T_1104_0900,
	    T_1103_0800, T_1102_0800 };
	struct feed feed;

	parse_fixture("jsonfeed11.json", NULL, &feed);
	assert_int_equal(feed.format, FEED_JSON);
	assert_dates(&feed, want, 4);
	assert_string_equal(feed.entries[0].id, "1001");
	assert_string_equal(feed.entries[0].date_raw, "1667615400");
	assert_string_equal(feed.entries[1].id, "1002");
	assert_string_equal(feed.entries[2].date_raw, "1667433600000");
	assert_string_equal(feed.entries[3].title, "关于做好防汛工作的通知");
	feed_free(&feed);
}

/* The Chinese fixtures share one layout: two items, the first dated
 * 2022-11-05 10:30 +0800, the second 2022-11-04 09:00 without a zone. */
static void
assert_two_item_fixture(const char *name, const char *charset,
    const char *encoding, const char *channel, const char *first,
    const char *second)
{
	static const long long want[] = { T_1105_1030, T_1104_0900 };
	struct feed feed;

	parse_fixture(name, charset, &feed);
	assert_int_equal(feed.format, FEED_RSS);
	assert_string_equal(feed.encoding, encoding);
	assert_string_equal(feed.title, channel);
	assert_dates(&feed, want, second ? 2 : 1);
	assert_string_equal(feed.entries[0].title, first);
	if (second)
		assert_string_equal(feed.entries[1].title, second);
	feed_free(&feed);
}

static void
test_gb2312_is_decoded_and_reported_as_declared(void **state)
{
	assert_two_item_fixture("gb2312.xml", NULL, "GB2312", "某市人民政府",
	    NOTICE, "市人民政府关于印发年度工作要点的通知");
}

static void
test_gbk_characters_outside_gb2312_are_decoded(void **state)
{
	assert_two_item_fixture("gbk.xml", NULL, "GBK", "某市人民政府",
	    "关于表彰王喆等同志的决定", NOTICE);
}

static void
test_gb18030_four_byte_characters_are_decoded(void **state)
{
	assert_two_item_fixture("gb18030.xml", NULL, "GB18030", "某市人民政府",
	    "关于\U00020BB7祥路改造工程的公示", NOTICE);
}

static void
test_big5_is_decoded(void **state)
{
	assert_two_item_fixture("big5.xml", NULL, "BIG5", "臺北市政府",
	    "關於開展2022年度政務公開工作的通知", "臺北市政府公告");
}

/* A GBK body whose prolog claims UTF-8: the HTTP charset wins. */
static void
test_http_charset_wins_over_xml_declaration(void **state)
{
	struct feed feed;

	assert_two_item_fixture("header-vs-prolog.xml", "gbk", "GBK",
	    "某市人民政府", NOTICE, NULL);
	assert_two_item_fixture("header-vs-prolog.xml", "\"GBK\"", "GBK",
	    "某市人民政府", NOTICE, NULL);
	/* without the header the prolog is believed and the text is lost */
	parse_fixture("header-vs-prolog.xml", NULL, &feed);
	assert_string_equal(feed.encoding, "UTF-8");
	assert_int_equal(feed.n_entries, 1);
	assert_non_null(strstr(feed.entries[0].title, "\uFFFD"));
	feed_free(&feed);
}

static void
test_unknown_http_charset_falls_back_to_declaration(void **state)
{
	assert_two_item_fixture("gbk.xml", "x-no-such-charset", "GBK",
	    "某市人民政府", "关于表彰王喆等同志的决定", NOTICE);
}

static void
test_bom_wins_over_http_charset_and_declaration(void **state)
{
	/* utf8-bom.xml declares gbk; it is UTF-8 */
	assert_two_item_fixture("utf8-bom.xml", "gbk", "UTF-8", "某市人民政府",
	    NOTICE, NULL);
	assert_two_item_fixture("utf16le-bom.xml", NULL, "UTF-16LE",
	    "某市人民政府", NOTICE, NULL);
	assert_two_item_fixture("utf16le-bom.xml", "utf-8", "UTF-16LE",
	    "某市人民政府", NOTICE, NULL);
}

static void
test_invalid_utf8_becomes_replacement_characters(void **state)
{
	struct feed feed;

	parse_fixture("invalid-utf8.xml", NULL, &feed);
	assert_int_equal(feed.n_entries, 3);
	assert_string_equal(feed.entries[0].title,
	    "关于\uFFFD开展工作的通知");
	assert_string_equal(feed.entries[1].title, "控制字符\uFFFD测试");
	assert_string_equal(feed.entries[2].title,
	    "过长编码\uFFFD\uFFFD测试");
	assert_entry_date(&feed.entries[2], T_1103_0800);
	feed_free(&feed);
}

static void
test_entities_and_cdata_are_decoded_once(void **state)
{
	struct feed feed;
	const struct feed_entry *e;

	parse_fixture("entities-cdata.xml", NULL, &feed);
	assert_int_equal(feed.n_entries, 5);
	e = feed.entries;
	assert_string_equal(e[0].title, "&amp; 与 中国 测试");
	assert_string_equal(e[1].title, "关于<开展>“政务公开”&工作的通知");
	assert_string_equal(e[1].summary, "<p>正文&nbsp;见附件</p>");
	/* an &amp; after an HTML entity is still decoded */
	assert_string_equal(e[2].title,
	    "“放管服”\u00a0改革—“一网通办” & 更多");
	/* bare '&' and unknown entities are kept as text */
	assert_string_equal(e[3].title, "A & B &unknown; 测试");
	assert_string_equal(e[3].link,
	    "https://www.example.gov.cn/e?a=1&b=2&c=3");
	assert_string_equal(e[3].summary, "<p>正文</p>");
	assert_string_equal(e[4].title, "前后空白的标题");
	assert_entry_date(&e[4], T_1101_0800);
	feed_free(&feed);
}

static void
test_truncated_feed_keeps_entries_before_the_cut(void **state)
{
	static const long long want[] = { T_1105_1030, T_1104_0900 };
	struct feed feed;

	parse_fixture("truncated.xml", NULL, &feed);
	assert_int_equal(feed.format, FEED_RSS);
	assert_dates(&feed, want, 2);
	assert_string_equal(feed.entries[0].id, "trunc-1");
	assert_string_equal(feed.entries[1].id, "trunc-2");
	feed_free(&feed);
}

static void
test_pinned_old_first_item_does_not_hide_newer_ones(void **state)
{
	static const long long want[] = { 1640966400, T_1105_1030,
	    T_1104_0900 };
	struct feed feed;

	parse_fixture("pinned-old-first.xml", NULL, &feed);
	assert_dates(&feed, want, 3);
	assert_int_equal(newest_date(&feed), T_1105_1030);
	feed_free(&feed);
}

/* Clamping to the fetch time is the poller's job (DESIGN rule 3). */
static void
test_future_dates_are_returned_as_written(void **state)
{
	static const long long want[] = { 4070880000LL, T_1105_1030 };
	struct feed feed;

	parse_fixture("future-date.xml", NULL, &feed);
	assert_dates(&feed, want, 2);
	feed_free(&feed);
}

static void
test_undated_and_unreadable_dates_have_no_time(void **state)
{
	struct feed feed;
	size_t i;

	parse_fixture("undated-items.xml", NULL, &feed);
	assert_int_equal(feed.n_entries, 4);
	for (i = 0; i < feed.n_entries; i++)
		assert_false(feed.entries[i].has_date);
	assert_null(feed.entries[0].date_raw);
	assert_string_equal(feed.entries[1].date_raw, "昨天");
	assert_null(feed.entries[2].date_raw);
	assert_string_equal(feed.entries[3].date_raw,
	    "Wed, 31 Nov 2022 10:30:00 +0800");
	assert_string_equal(feed.entries[3].id, "undated-4");
	feed_free(&feed);
}

static void
test_duplicate_guids_are_all_returned(void **state)
{
	struct feed feed;

	parse_fixture("duplicate-guids.xml", NULL, &feed);
	assert_int_equal(feed.n_entries, 3);
	assert_string_equal(feed.entries[0].id, "dup-1");
	assert_string_equal(feed.entries[1].id, "dup-1");
	assert_string_equal(feed.entries[2].id, "dup-2");
	assert_string_equal(feed.entries[1].title, NOTICE "（更正）");
	feed_free(&feed);
}

static void
test_chinese_date_forms_in_items(void **state)
{
	static const long long want[] = { T_1105_1030, T_1104_0900,
	    T_1103_0800, 1667318400, 1667232000, 1665244800, 1665225900,
	    1665072000 };
	struct feed feed;

	parse_fixture("chinese-dates.xml", NULL, &feed);
	assert_dates(&feed, want, 8);
	feed_free(&feed);
}

static void
test_rfc822_zones_in_items(void **state)
{
	static const long long want[] = {
		1667644200, 1667644200, 1667644200, 1667644200,	/* GMT UT UTC Z */
		/* EST EDT CST CDT; CST follows the configured zone,
		 * Asia/Shanghai: +0800 */
		1667662200, 1667658600, T_1105_1030, 1667662200,
		1667669400, 1667665800, 1667673000, 1667669400,	/* MST MDT PST PDT */
		T_1105_1030, 1667662200,			/* +0800 -0500 */
		T_1105_1030, T_1105_1030, T_1105_1030,		/* lenient forms */
		941769000,					/* 1999 */
	};
	struct feed feed;

	parse_fixture("rfc822-zones.xml", NULL, &feed);
	assert_dates(&feed, want, 18);
	assert_int_equal(newest_date(&feed), 1667673000);
	feed_free(&feed);
}

static void
test_iso8601_dates_in_items(void **state)
{
	static const long long want[] = { T_1105_1030, T_1105_1030 + 60,
	    T_1105_1030 + 120, T_1105_1030 + 180, T_1105_1030 + 240,
	    T_1105_1030 + 300, T_1105_1030 + 360, T_1105_1030 + 420,
	    T_1105_1030 + 480 };
	struct feed feed;

	parse_fixture("iso8601.xml", NULL, &feed);
	assert_dates(&feed, want, 9);
	feed_free(&feed);
}

/* DESIGN rule 1 read as "no usable publication date": an unreadable
 * pubDate does not hide a readable modification date. */
static void
test_unreadable_published_falls_back_to_updated(void **state)
{
	struct feed feed;

	parse_string("<feed xmlns='http://www.w3.org/2005/Atom'><entry>"
	    "<id>x</id><published>N/A</published>"
	    "<updated>2022-11-05T10:30:00+08:00</updated></entry></feed>",
	    &feed);
	assert_int_equal(feed.n_entries, 1);
	assert_string_equal(feed.entries[0].date_raw,
	    "2022-11-05T10:30:00+08:00");
	assert_entry_date(&feed.entries[0], T_1105_1030);
	feed_free(&feed);
}

/* GBK bytes, no encoding declared, no HTTP charset, no BOM: not UTF-8, so
 * GB18030, as Chinese browsers fall back. */
static void
test_undeclared_non_utf8_body_is_read_as_gb18030(void **state)
{
	struct feed feed;
	size_t len;
	char *body = fixture_read("gbk-undeclared.xml", &len);
	const char *root;

	assert_two_item_fixture("gbk-undeclared.xml", NULL, "GB18030",
	    "某市人民政府", "关于表彰王喆等同志的决定", NOTICE);
	/* without any XML declaration too */
	root = strstr(body, "<rss");
	parse_text(root, len - (size_t)(root - body), NULL, &feed);
	assert_string_equal(feed.encoding, "GB18030");
	assert_string_equal(feed.entries[0].title, "关于表彰王喆等同志的决定");
	feed_free(&feed);
	free(body);
	/* UTF-8 without a declaration stays UTF-8 */
	assert_two_item_fixture("utf8-undeclared.xml", NULL, "UTF-8",
	    "某市人民政府", "关于表彰王喆等同志的决定", NOTICE);
	/* a declared or HTTP encoding is still believed */
	assert_two_item_fixture("gbk-undeclared.xml", "gbk", "GBK",
	    "某市人民政府", "关于表彰王喆等同志的决定", NOTICE);
}

/* XML 1.0 Appendix F: the zero bytes around '<' tell UTF-16 without a
 * byte order mark, in either byte order, also against an HTTP charset. */
static void
test_utf16_without_bom_is_detected(void **state)
{
	assert_two_item_fixture("utf16le-nobom.xml", NULL, "UTF-16LE",
	    "某市人民政府", NOTICE, NULL);
	assert_two_item_fixture("utf16be-nobom.xml", NULL, "UTF-16BE",
	    "某市人民政府", NOTICE, NULL);
	assert_two_item_fixture("utf16be-nobom.xml", "gbk", "UTF-16BE",
	    "某市人民政府", NOTICE, NULL);
}

static void
test_utf32_without_bom_is_detected(void **state)
{
	static const char le[] = "<\0\0\0r\0\0\0s\0\0\0s\0\0\0/\0\0\0>\0\0\0";
	struct feed feed;

	parse_text(le, sizeof(le) - 1, NULL, &feed);
	assert_int_equal(feed.format, FEED_RSS);
	assert_string_equal(feed.encoding, "UTF-32LE");
	feed_free(&feed);
}

/* A title is text for people: HTML escaped inside CDATA is decoded once,
 * and so is "&#X41;"; summaries stay HTML. */
static void
test_html_entities_in_cdata_titles_are_decoded_once(void **state)
{
	struct feed feed;
	const struct feed_entry *e;

	parse_fixture("cdata-html-entities.xml", NULL, &feed);
	assert_string_equal(feed.title, "某区人民政府·通知公告");
	assert_int_equal(feed.n_entries, 5);
	e = feed.entries;
	assert_string_equal(e[0].title, "关于“双减”工作的通知");
	assert_string_equal(e[0].summary,
	    "<p>&ldquo;双减&rdquo;工作方案见附件。</p>");
	assert_string_equal(e[1].title, "A中国 大写十六进制");
	assert_string_equal(e[2].title, "&amp; 只解一次 中国");
	/* text outside CDATA was decoded by XML already */
	assert_string_equal(e[3].title, "前缀&lt; <通知> 后缀");
	assert_string_equal(e[4].title, "A & B &unknown; \uFFFD 测试");
	assert_entry_date(&e[4], T_1101_0800);
	feed_free(&feed);
}

static void
test_upper_case_hex_references_outside_titles(void **state)
{
	struct feed feed;

	parse_string("<rss><channel><item><title>t</title>"
	    "<description>&#X4E2D;&#X56fd;&#x41;</description>"
	    "<link>https://www.example.gov.cn/?a=1&#X26;b=2</link>"
	    "</item></channel></rss>", &feed);
	assert_string_equal(feed.entries[0].summary, "中国A");
	assert_string_equal(feed.entries[0].link,
	    "https://www.example.gov.cn/?a=1&b=2");
	feed_free(&feed);
}

static void
test_json_feed_titles_are_decoded_once(void **state)
{
	struct feed feed;

	parse_fixture("jsonfeed-entities.json", NULL, &feed);
	assert_string_equal(feed.entries[0].title,
	    "关于“双减”工作的通知 & 附件");
	assert_string_equal(feed.entries[0].summary, "<p>&ldquo;双减&rdquo;</p>");
	feed_free(&feed);
}

/* A permalink guid is the link when <link> is missing; dc:title is the
 * title when <title> is. */
static void
test_permalink_guid_is_the_link_and_dc_title_the_title(void **state)
{
	struct feed feed;
	const struct feed_entry *e;

	parse_fixture("rss-guid-dctitle.xml", NULL, &feed);
	assert_string_equal(feed.title, "某县人民政府（dc:title）");
	assert_int_equal(feed.n_entries, 7);
	e = feed.entries;
	assert_string_equal(e[0].link, "https://www.example.gov.cn/g/1.html");
	assert_string_equal(e[1].link, "https://www.example.gov.cn/g/2.html");
	assert_null(e[2].link);
	assert_string_equal(e[2].id, "https://www.example.gov.cn/g/3.html");
	assert_null(e[3].link);
	assert_string_equal(e[4].link, "https://www.example.gov.cn/g/5.html");
	assert_string_equal(e[4].id, "https://www.example.gov.cn/g/5-guid.html");
	assert_string_equal(e[5].title, "只有 dc:title 的标题");
	assert_string_equal(e[6].title, "title 优先");
	assert_entry_date(&e[0], T_1105_1030);
	feed_free(&feed);
}

/* The page is the first rel="alternate" (or rel-less) link, href before
 * text; enclosures, self and related links never are. */
static void
test_atom_link_is_the_alternate_href_first(void **state)
{
	static const char *const links[] = {
		"https://www.example.gov.cn/l/1.html",
		"https://www.example.gov.cn/l/2.html",
		"https://www.example.gov.cn/l/3.html",
		"https://www.example.gov.cn/l/4.html",
		"https://www.example.gov.cn/l/5.html",
		NULL,
		"https://www.example.gov.cn/l/7.html",
	};
	struct feed feed;
	size_t i;

	parse_fixture("atom-links.xml", NULL, &feed);
	assert_int_equal(feed.n_entries, 9);
	for (i = 0; i < ARRAY_SIZE(links); i++)
		if (links[i] == NULL)
			assert_null(feed.entries[i].link);
		else
			assert_string_equal(feed.entries[i].link, links[i]);
	/* type="html" is HTML after XML: decoded once more */
	assert_string_equal(feed.entries[6].title, "关于“双减”的通知");
	assert_string_equal(feed.entries[7].title, "&ldquo;纯文本&rdquo;");
	assert_string_equal(feed.entries[8].title, "关于“双减”&amp;");
	feed_free(&feed);
}

/* Java, JavaScript and Chinese CMS dates inside a feed; CST is China
 * Standard Time under Asia/Shanghai, an unknown zone leaves the entry
 * undated with its text kept. */
static void
test_cms_date_forms_in_items(void **state)
{
	static const long long want[] = { T_1105_1030, T_1105_1030 - 60,
	    T_1105_1030 - 120, T_1105_1030 - 165, T_1105_1030 - 240,
	    T_1105_1030 - 300, T_1105_1030 - 360, T_1105_1030 - 420, -1,
	    T_1105_1030 - 540, T_1105_1030 - 600, T_1105_1030 - 660 };
	struct feed feed;

	parse_fixture("cms-dates.xml", NULL, &feed);
	assert_dates(&feed, want, ARRAY_SIZE(want));
	assert_string_equal(feed.entries[8].date_raw,
	    "Sat, 05 Nov 2022 10:22:00 XYZ");
	assert_int_equal(newest_date(&feed), T_1105_1030);
	feed_free(&feed);
}

/* RSSHub's Atom: an undated item's <updated> is the render time; the parser
 * reports it as a modification date, which the poller weighs (rule 8). */
static void
test_modification_dates_are_marked_as_such(void **state)
{
	struct feed feed;

	parse_fixture("rsshub-atom.xml", NULL, &feed);
	assert_int_equal(feed.n_entries, 3);
	assert_false(feed.entries[0].date_modified);
	assert_entry_date(&feed.entries[0], 1666231200);
	assert_true(feed.entries[1].date_modified);
	assert_entry_date(&feed.entries[1], 1668038400);
	assert_true(feed.entries[2].date_modified);
	assert_string_equal(feed.entries[1].link,
	    "https://weibo.com/1234567890/Mabc2");
	feed_free(&feed);
	parse_fixture("atom10.xml", NULL, &feed);
	assert_false(feed.entries[0].date_modified);
	assert_true(feed.entries[1].date_modified);
	feed_free(&feed);
	parse_fixture("rss20.xml", NULL, &feed);
	assert_false(feed.entries[0].date_modified);
	feed_free(&feed);
}

static void
test_namespaced_elements_match_by_uri_not_prefix(void **state)
{
	struct feed feed;

	parse_string("<rss xmlns:d='http://purl.org/dc/elements/1.1/' "
	    "xmlns:x='urn:other'><channel><item>"
	    "<x:title>wrong</x:title><x:date>2020-01-01</x:date>"
	    "<title>right</title><d:date>2022-11-05T10:30:00+08:00</d:date>"
	    "</item><item><title>undeclared prefix</title>"
	    "<dc:date>2022-11-04 09:00:00</dc:date></item></channel></rss>",
	    &feed);
	assert_int_equal(feed.n_entries, 2);
	assert_string_equal(feed.entries[0].title, "right");
	assert_entry_date(&feed.entries[0], T_1105_1030);
	assert_entry_date(&feed.entries[1], T_1104_0900);
	feed_free(&feed);
}

static void
test_unclosed_item_is_kept_when_the_next_one_starts(void **state)
{
	struct feed feed;

	parse_string("<rss><channel><item><title>a</title><guid>1</guid>"
	    "<description>x</description><item><title>b</title>"
	    "<guid>2</guid></item></channel></rss>", &feed);
	assert_int_equal(feed.n_entries, 2);
	assert_string_equal(feed.entries[0].id, "1");
	assert_string_equal(feed.entries[1].id, "2");
	feed_free(&feed);
}

static void
test_entity_declarations_are_not_expanded(void **state)
{
	struct feed feed;

	parse_string("<?xml version='1.0'?><!DOCTYPE rss ["
	    "<!ENTITY xxe SYSTEM 'file:///etc/passwd'>"
	    "<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
	    "<rss><channel><item><title>t&xxe;&b;</title></item>"
	    "</channel></rss>", &feed);
	assert_int_equal(feed.n_entries, 1);
	assert_null(strstr(feed.entries[0].title, "root:"));
	assert_null(strstr(feed.entries[0].title, "aaaa"));
	feed_free(&feed);
}

static void
test_many_entries_are_all_returned(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct feed feed;
	int i;

	sb_puts(&sb, "<rss><channel>");
	for (i = 0; i < 50000; i++)
		sb_printf(&sb, "<item><title>%s %d &amp; &nbsp;</title>"
		    "<guid>g%d</guid><pubDate>Sat, 05 Nov 2022 10:30:00 "
		    "+0800</pubDate></item>", NOTICE, i, i);
	sb_puts(&sb, "</channel></rss>");
	parse_text(sb.buf, sb.len, NULL, &feed);
	assert_int_equal(feed.n_entries, 50000);
	assert_string_equal(feed.entries[49999].id, "g49999");
	assert_string_equal(feed.entries[49999].title,
	    NOTICE " 49999 & \u00a0");
	feed_free(&feed);
	sb_free(&sb);
}

/* Cut anywhere, a feed gives the entries completed before the cut, the
 * same as whole: never a half-read one, never an error once the root
 * element is read. */
static void
assert_prefixes_yield_complete_entries(const char *name, const char *charset)
{
	struct feed whole, part;
	char *body, *error;
	size_t len, cut, i;

	body = fixture_read(name, &len);
	parse_text(body, len, charset, &whole);
	for (cut = 0; cut < len; cut++) {
		error = NULL;
		if (feed_parse(body, cut, charset, &part, &error) == -1) {
			assert_int_equal(part.n_entries, 0);
			free(error);
			continue;
		}
		assert_true(part.n_entries <= whole.n_entries);
		for (i = 0; i < part.n_entries; i++) {
			assert_string_equal(part.entries[i].id,
			    whole.entries[i].id);
			assert_string_equal(part.entries[i].title,
			    whole.entries[i].title);
			assert_int_equal(part.entries[i].has_date,
			    whole.entries[i].has_date);
		}
		feed_free(&part);
	}
	feed_free(&whole);
	free(body);
}

static void
test_every_prefix_yields_only_complete_entries(void **state)
{
	assert_prefixes_yield_complete_entries("rss20.xml", NULL);
	assert_prefixes_yield_complete_entries("atom10.xml", NULL);
	assert_prefixes_yield_complete_entries("gbk.xml", NULL);
	assert_prefixes_yield_complete_entries("utf16le-bom.xml", NULL);
	assert_prefixes_yield_complete_entries("utf16be-nobom.xml", NULL);
	assert_prefixes_yield_complete_entries("gbk-undeclared.xml", NULL);
	assert_prefixes_yield_complete_entries("utf8-undeclared.xml", NULL);
}

static void
assert_not_a_feed(const char *body, size_t len)
{
	struct feed feed;
	char *error = NULL;

	assert_int_equal(feed_parse(body, len, NULL, &feed, &error), -1);
	assert_non_null(error);
	assert_int_equal(feed.n_entries, 0);
	assert_null(feed.entries);
	assert_null(feed.encoding);
	free(error);
}

static void
test_documents_that_are_not_feeds_are_errors(void **state)
{
	static const char *const bodies[] = {
		"",
		"   \n",
		"Service Unavailable",
		"<html><body>404</body></html>",
		"{\"items\": []}",
		"{\"version\": \"https://jsonfeed.org/version/1\", \"items\": [",
		"[1, 2]",
	};
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		assert_not_a_feed(bodies[i], strlen(bodies[i]));
	assert_not_a_feed("\0\0\0", 3);
}

#define JSON_VERSION	"\"version\": \"https://jsonfeed.org/version/1.1\""

static void
parse_json_text(const char *text, struct feed *feed)
{
	parse_text(text, strlen(text), NULL, feed);
	assert_int_equal(feed->format, FEED_JSON);
}

static void
test_json_feed_members_are_read_in_any_order(void **state)
{
	static const char text[] =
	    "{\"items\": [{\"url\": \"https://a.example/1\", \"id\": \"1\","
	    " \"title\": \"一\"}],\n"
	    " \"title\": \"某市\", \"home_page_url\": \"https://a.example/\",\n"
	    " " JSON_VERSION "}";
	struct feed feed;

	parse_json_text(text, &feed);
	assert_string_equal(feed.title, "某市");
	assert_int_equal(feed.n_entries, 1);
	assert_string_equal(feed.entries[0].id, "1");
	assert_string_equal(feed.entries[0].title, "一");
	assert_string_equal(feed.entries[0].link, "https://a.example/1");
	feed_free(&feed);
}

/* As in a tree of the document, a repeated key's last value counts,
 * whatever its type: "title": null after a title leaves none. */
static void
test_json_feed_repeated_keys_the_last_one_wins(void **state)
{
	static const char text[] =
	    "{\"version\": \"1\", \"title\": \"first\", \"items\": [{\"id\": \"a\"},"
	    " {\"id\": \"b\"}], " JSON_VERSION ", \"title\": \"  last  \",\n"
	    " \"items\": [{\"id\": \"c\", \"title\": \"old\", \"title\": null,"
	    " \"url\": \"https://a.example/old\", \"url\": \"https://a.example/c\","
	    " \"id\": \"c2\"}]}";
	static const char no_title[] =
	    "{" JSON_VERSION ", \"title\": \"first\", \"title\": null,"
	    " \"items\": [{\"id\": \"a\"}], \"items\": 5}";
	struct feed feed;

	parse_json_text(text, &feed);
	assert_string_equal(feed.title, "last");
	assert_int_equal(feed.n_entries, 1);
	assert_string_equal(feed.entries[0].id, "c2");
	assert_null(feed.entries[0].title);
	assert_string_equal(feed.entries[0].link, "https://a.example/c");
	feed_free(&feed);
	parse_json_text(no_title, &feed);
	assert_null(feed.title);
	assert_int_equal(feed.n_entries, 0);
	feed_free(&feed);
}

/* Numbers are text as jansson prints them ("%lld", "%.17g"); true,
 * false, null, objects and arrays give none. */
static void
test_json_feed_numbers_are_text_and_other_values_none(void **state)
{
	static const char text[] =
	    "{" JSON_VERSION ", \"title\": 2022, \"items\": [\n"
	    " {\"id\": -0, \"title\": 0.1, \"url\": {\"href\": \"x\"}},\n"
	    " {\"id\": 1.5, \"title\": 1E2, \"url\": [\"x\"], \"summary\": true},\n"
	    " {\"id\": -9223372036854775808, \"title\": -0.0, \"summary\": 1e300},\n"
	    " {\"id\": null, \"title\": false, \"content_text\": 7}]}";
	struct feed feed;
	const struct feed_entry *e;

	parse_json_text(text, &feed);
	assert_string_equal(feed.title, "2022");
	assert_int_equal(feed.n_entries, 4);
	e = feed.entries;
	assert_string_equal(e[0].id, "0");
	assert_string_equal(e[0].title, "0.10000000000000001");
	assert_null(e[0].link);
	assert_string_equal(e[1].id, "1.5");
	assert_string_equal(e[1].title, "100");
	assert_null(e[1].link);
	assert_null(e[1].summary);
	assert_string_equal(e[2].id, "-9223372036854775808");
	assert_string_equal(e[2].title, "-0");
	assert_string_equal(e[2].summary, "1.0000000000000001e+300");
	assert_null(e[3].id);
	assert_null(e[3].title);
	assert_string_equal(e[3].summary, "7");
	feed_free(&feed);
}

static void
test_json_feed_items_that_are_not_objects_are_skipped(void **state)
{
	static const char text[] =
	    "{" JSON_VERSION ", \"items\": [1, \"x\", [{\"id\": \"inner\"}],"
	    " null, {\"id\": \"a\"}, true, {}, {\"id\": \"b\"}]}";
	static const char *const not_arrays[] = {
		"{" JSON_VERSION ", \"items\": {\"0\": {\"id\": \"a\"}}}",
		"{" JSON_VERSION ", \"items\": \"[{}]\"}",
		"{" JSON_VERSION ", \"items\": null}",
	};
	struct feed feed;
	size_t i;

	parse_json_text(text, &feed);
	assert_int_equal(feed.n_entries, 3);
	assert_string_equal(feed.entries[0].id, "a");
	assert_null(feed.entries[1].id);
	assert_string_equal(feed.entries[2].id, "b");
	feed_free(&feed);
	for (i = 0; i < ARRAY_SIZE(not_arrays); i++) {
		parse_json_text(not_arrays[i], &feed);
		assert_int_equal(feed.n_entries, 0);
		feed_free(&feed);
	}
}

/* content_text, then summary, then content_html: the first with text. */
static void
test_json_feed_summary_is_the_first_field_with_text(void **state)
{
	static const char text[] =
	    "{" JSON_VERSION ", \"items\": [\n"
	    " {\"content_html\": \"<p>h</p>\", \"summary\": \"s\","
	    " \"content_text\": \" \\t\"},\n"
	    " {\"content_html\": \"<p>h</p>\", \"summary\": \"\"},\n"
	    " {\"summary\": \"s\", \"content_text\": \"t\"}]}";
	struct feed feed;

	parse_json_text(text, &feed);
	assert_int_equal(feed.n_entries, 3);
	assert_string_equal(feed.entries[0].summary, "s");
	assert_string_equal(feed.entries[1].summary, "<p>h</p>");
	assert_string_equal(feed.entries[2].summary, "t");
	feed_free(&feed);
}

static void
test_json_feed_escapes_are_decoded(void **state)
{
	static const char text[] =
	    "{" JSON_VERSION ", \"items\": [{\"title\": \"\\u5173\\u4e8e"
	    "\\ud83d\\ude00 \\\"A\\\" &amp;amp;\", \"url\":"
	    " \"https:\\/\\/a.example\\/1\"}]}";
	struct feed feed;

	parse_json_text(text, &feed);
	assert_string_equal(feed.entries[0].title,
	    "关于\xf0\x9f\x98\x80 \"A\" &amp;");
	assert_string_equal(feed.entries[0].link, "https://a.example/1");
	feed_free(&feed);
}

/* The reason is the reader's; the line is where the text went wrong. */
static void
assert_json_refused_at(const char *body, int line)
{
	struct feed feed;
	char *error = NULL, *want;

	assert_int_equal(feed_parse(body, strlen(body), NULL, &feed, &error),
	    -1);
	assert_non_null(error);
	assert_int_equal(feed.n_entries, 0);
	assert_null(feed.entries);
	assert_null(feed.title);
	if (line == 0)
		assert_string_equal(error,
		    "not a feed: JSON without a jsonfeed.org version");
	else {
		want = xasprintf(" at line %d", line);
		if (!str_has_prefix(error, "not a feed: JSON Feed: ") ||
		    strlen(error) < strlen(want) ||
		    strcmp(error + strlen(error) - strlen(want), want) != 0)
			fail_msg("%s: %s", body, error);
		free(want);
	}
	free(error);
}

/* A document refused anywhere, or without a version, yields no entry,
 * not even those read before the fault. */
static void
test_json_feed_refused_documents_yield_nothing(void **state)
{
	static const struct {
		const char	*body;
		int		 line;	/* 0: no jsonfeed.org version */
	} cases[] = {
		{ "{\"items\": [{\"id\": \"a\"}]}", 0 },
		{ "{\"items\": [{\"id\": \"a\"}], \"version\": 1}", 0 },
		{ "{\"version\": \"https://example.com/1\", \"items\": []}", 0 },
		{ "{" JSON_VERSION ", \"version\": [\"jsonfeed.org\"]}", 0 },
		{ "{\"title\": \"t\", \"items\": [{\"id\": \"a\"}],\n"
		  " " JSON_VERSION ",\n \"x\": 01}", 3 },
		{ "{" JSON_VERSION ", \"items\": [{\"id\": \"a\"}]}\n}", 2 },
		{ "{" JSON_VERSION ", \"items\": [{\"id\": \"a\"},\n]}", 2 },
		{ "{" JSON_VERSION ",\n\"title\": \"a\tb\"}", 2 },
		{ "{" JSON_VERSION ", \"x\": \"\\q\"}", 1 },
		{ "{" JSON_VERSION ", \"x\": \"\\ud800\"}", 1 },
		{ "{" JSON_VERSION ", \"x\": \"\\udc00\\ud800\"}", 1 },
		{ "{" JSON_VERSION ", \"x\": \"\\u0000\"}", 1 },
		{ "{" JSON_VERSION ", \"x\": 9223372036854775808}", 1 },
		{ "{" JSON_VERSION ", \"x\": -1e400}", 1 },
		{ "{" JSON_VERSION ", \"items\": [{\"id\": \"a\"}],\n\n"
		  " \"x\": [{\"y\": [tru]}]}", 3 },
		{ "{" JSON_VERSION, 1 },
		{ "{", 1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_json_refused_at(cases[i].body, cases[i].line);
}

static void
test_json_feed_nesting_deeper_than_2048_is_refused(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	sb_puts(&sb, "{" JSON_VERSION ", \"x\":\n");
	for (i = 0; i < 2047; i++)
		sb_putc(&sb, '[');
	sb_putc(&sb, '1');
	for (i = 0; i < 2047; i++)
		sb_putc(&sb, ']');
	sb_putc(&sb, '}');
	assert_json_refused_at(sb.buf, 2);
	sb_free(&sb);
}

static void
test_format_names(void **state)
{
	assert_string_equal(feed_format_name(FEED_RSS), "rss");
	assert_string_equal(feed_format_name(FEED_RDF), "rdf");
	assert_string_equal(feed_format_name(FEED_ATOM), "atom");
	assert_string_equal(feed_format_name(FEED_JSON), "json");
	assert_string_equal(feed_format_name(FEED_UNKNOWN), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_rss20_reads_guid_link_summary_and_item_dates_only),
		cmocka_unit_test(
		    test_rss091_items_have_no_id_no_date_and_html_entities_decoded),
		cmocka_unit_test(
		    test_rdf_items_beside_channel_are_named_by_rdf_about),
		cmocka_unit_test(
		    test_atom10_published_wins_and_source_metadata_is_ignored),
		cmocka_unit_test(
		    test_atom03_prefers_issued_then_created_then_modified),
		cmocka_unit_test(
		    test_jsonfeed10_prefers_date_published_and_content_text),
		cmocka_unit_test(
		    test_jsonfeed11_numeric_ids_and_unix_times_are_read),
		cmocka_unit_test(test_gb2312_is_decoded_and_reported_as_declared),
		cmocka_unit_test(test_gbk_characters_outside_gb2312_are_decoded),
		cmocka_unit_test(test_gb18030_four_byte_characters_are_decoded),
		cmocka_unit_test(test_big5_is_decoded),
		cmocka_unit_test(test_http_charset_wins_over_xml_declaration),
		cmocka_unit_test(
		    test_unknown_http_charset_falls_back_to_declaration),
		cmocka_unit_test(test_bom_wins_over_http_charset_and_declaration),
		cmocka_unit_test(test_invalid_utf8_becomes_replacement_characters),
		cmocka_unit_test(test_entities_and_cdata_are_decoded_once),
		cmocka_unit_test(test_truncated_feed_keeps_entries_before_the_cut),
		cmocka_unit_test(
		    test_pinned_old_first_item_does_not_hide_newer_ones),
		cmocka_unit_test(test_future_dates_are_returned_as_written),
		cmocka_unit_test(test_undated_and_unreadable_dates_have_no_time),
		cmocka_unit_test(test_duplicate_guids_are_all_returned),
		cmocka_unit_test(test_chinese_date_forms_in_items),
		cmocka_unit_test(test_rfc822_zones_in_items),
		cmocka_unit_test(test_iso8601_dates_in_items),
		cmocka_unit_test(test_unreadable_published_falls_back_to_updated),
		cmocka_unit_test(
		    test_undeclared_non_utf8_body_is_read_as_gb18030),
		cmocka_unit_test(test_utf16_without_bom_is_detected),
		cmocka_unit_test(test_utf32_without_bom_is_detected),
		cmocka_unit_test(
		    test_html_entities_in_cdata_titles_are_decoded_once),
		cmocka_unit_test(test_upper_case_hex_references_outside_titles),
		cmocka_unit_test(test_json_feed_titles_are_decoded_once),
		cmocka_unit_test(
		    test_permalink_guid_is_the_link_and_dc_title_the_title),
		cmocka_unit_test(test_atom_link_is_the_alternate_href_first),
		cmocka_unit_test(test_cms_date_forms_in_items),
		cmocka_unit_test(test_modification_dates_are_marked_as_such),
		cmocka_unit_test(test_namespaced_elements_match_by_uri_not_prefix),
		cmocka_unit_test(
		    test_unclosed_item_is_kept_when_the_next_one_starts),
		cmocka_unit_test(test_entity_declarations_are_not_expanded),
		cmocka_unit_test(test_many_entries_are_all_returned),
		cmocka_unit_test(test_every_prefix_yields_only_complete_entries),
		cmocka_unit_test(test_documents_that_are_not_feeds_are_errors),
		cmocka_unit_test(test_json_feed_members_are_read_in_any_order),
		cmocka_unit_test(test_json_feed_repeated_keys_the_last_one_wins),
		cmocka_unit_test(
		    test_json_feed_numbers_are_text_and_other_values_none),
		cmocka_unit_test(
		    test_json_feed_items_that_are_not_objects_are_skipped),
		cmocka_unit_test(
		    test_json_feed_summary_is_the_first_field_with_text),
		cmocka_unit_test(test_json_feed_escapes_are_decoded),
		cmocka_unit_test(test_json_feed_refused_documents_yield_nothing),
		cmocka_unit_test(
		    test_json_feed_nesting_deeper_than_2048_is_refused),
		cmocka_unit_test(test_format_names),
	};

	return cmocka_run_group_tests(tests, setup_shanghai, NULL);
}
