/* test_wordcheck.c — text normalisation, the matcher, word lists and the
 * wording check they make together. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "wording/acmatch.h"
#include "wording/textnorm.h"
#include "wording/wordcheck.h"
#include "wording/wordlist.h"

/* ---- helpers ---- */

static char *
norm(const char *s, int flags)
{
	return textnorm_str(s, flags);
}

static char *
write_temp(const char *content)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/mw-wordlist-XXXXXX", dir ? dir : "/tmp");
	int fd = mkstemp(path);
	size_t len = strlen(content);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Message of a list given as text, with "FILE" standing for its path. */
static char *
load_error(const char *content)
{
	struct wordlist *wl = wordlist_new();
	char *path = write_temp(content), *error = NULL, *msg;

	assert_int_equal(wordlist_load(wl, path, &error), -1);
	assert_non_null(error);
	assert_int_equal(wl->nentries, 0);
	assert_true(str_has_prefix(error, path));
	msg = xasprintf("FILE%s", error + strlen(path));
	unlink(path);
	free(path);
	free(error);
	wordlist_free(wl);
	return msg;
}

static struct wordcheck *
check_from(const char *list, const char *allow)
{
	struct wordlist *wl = wordlist_new();
	char *error = NULL;

	if (wordlist_parse(wl, "list", list, strlen(list), &error) == -1)
		fail_msg("%s", error);
	if (allow && wordlist_parse_allow(wl, "allow", allow, strlen(allow),
	    &error) == -1)
		fail_msg("%s", error);
	return wordcheck_from_list(wl);
}

/* ---- textnorm ---- */

static void
test_textnorm_strips_tags_comments_script_and_style(void **state)
{
	char *s = norm("<div class=\"a>b\">中<b>华</b><!-- 注释 -->人民"
	    "<script>var x = \"<b>共合</b>\";</script><style>p{}</style>"
	    "<?xml x?><!DOCTYPE html>共和国</div>", TN_HTML);

	assert_string_equal(s, "中华人民共和国");
	free(s);
}

static void
test_textnorm_block_tags_separate_words_inline_tags_do_not(void **state)
{
	char *s = norm("<p>第一段</p><p>第二段</p>a<br/>b<span>c</span>d",
	    TN_HTML);

	assert_string_equal(s, "第一段 第二段 a bcd");
	free(s);
}

static void
test_textnorm_decodes_entities(void **state)
{
	char *s = norm("&amp;&lt;&gt;&quot;&#39;&apos;a&nbsp;b&#20013;&#x56FD;"
	    "&#X56fd;&ldquo;&rdquo;", TN_HTML);

	assert_string_equal(s, "&<>\"''a b中国国“”");
	free(s);
}

static void
test_textnorm_bad_entities_stay_text_or_become_fffd(void **state)
{
	char *s = norm("AT&T &unknown; a&b &#; &#0; &#xD800; &#x110000; "
	    "&#99999999999;", TN_HTML);

	assert_string_equal(s, "AT&T &unknown; a&b &#; \xef\xbf\xbd "
	    "\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd");
	free(s);
}

static void
test_textnorm_lone_lt_is_text_and_unclosed_tag_kept(void **state)
{
	char *s = norm("1 < 2 <3 a<b", TN_HTML);

	assert_string_equal(s, "1 < 2 <3 a<b");
	free(s);
}

static void
test_textnorm_plain_mode_keeps_markup(void **state)
{
	char *s = norm("<b>&amp;</b>", 0);

	assert_string_equal(s, "<b>&amp;</b>");
	free(s);
}

static void
test_textnorm_folds_fullwidth_ascii_and_ideographic_space(void **state)
{
	char *s = norm("\xef\xbc\xa1\xef\xbd\x9a\xef\xbc\x91\xef\xbc\x81"
	    "\xe3\x80\x80\xef\xbd\x9e\xef\xbd\x9f", 0);

	/* U+FF5F is past the folded range and stays */
	assert_string_equal(s, "Az1! ~\xef\xbd\x9f");
	free(s);
}

static void
test_textnorm_fullwidth_entity_is_folded_too(void **state)
{
	char *s = norm("&#xFF21;&#65313;", TN_HTML);

	assert_string_equal(s, "AA");
	free(s);
}

static void
test_textnorm_collapses_whitespace_and_trims(void **state)
{
	char *s = norm(" \t a \r\n\n b\xe3\x80\x80\xc2\xa0 c <br> &nbsp; d  ",
	    TN_HTML);

	assert_string_equal(s, "a b c d");
	free(s);
}

static void
test_textnorm_drops_zero_width_and_control_chars(void **state)
{
	char *s = norm("共\xe2\x80\x8b合\xef\xbb\xbf国\x01\x7f\xc2\xad!", 0);

	assert_string_equal(s, "共合国!");
	free(s);
}

static void
test_textnorm_replaces_invalid_utf8_with_fffd(void **state)
{
	/* lone continuation, truncated sequence, overlong '/', encoded
	 * surrogate, 0xff, and a cut-off lead byte at the very end */
	static const char in[] = "a\x80" "b\xe4\xb8" "c\xc0\xaf" "d\xed\xa0\x80"
	    "e\xff" "f\xe4";
	struct normtext nt;

	textnorm(&nt, in, sizeof(in) - 1, TN_HTML);
	assert_true(utf8_valid(nt.text, nt.len));
	assert_int_equal(strlen(nt.text), nt.len);
	assert_string_equal(nt.text, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
	    "c\xef\xbf\xbd\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "e\xef\xbf\xbd" "f\xef\xbf\xbd");
	normtext_free(&nt);
}

static void
test_textnorm_maps_offsets_back_to_input(void **state)
{
	static const char in[] = "<p>  前&amp;<b>中</b>\xef\xbc\xa1  后</p>";
	struct normtext nt;
	size_t amp, mid, full, after;

	textnorm(&nt, in, strlen(in), TN_HTML);
	assert_string_equal(nt.text, "前&中A 后");
	amp = strstr(nt.text, "&") - nt.text;
	mid = strstr(nt.text, "中") - nt.text;
	full = strstr(nt.text, "A") - nt.text;
	after = strstr(nt.text, "后") - nt.text;
	assert_int_equal(normtext_orig_start(&nt, 0), strstr(in, "前") - in);
	assert_int_equal(normtext_orig_start(&nt, amp), strstr(in, "&amp;") - in);
	assert_int_equal(normtext_orig_end(&nt, amp + 1),
	    strstr(in, "&amp;") - in + 5);
	assert_int_equal(normtext_orig_start(&nt, mid), strstr(in, "中") - in);
	assert_int_equal(normtext_orig_end(&nt, mid + 3),
	    strstr(in, "中") - in + 3);
	assert_int_equal(normtext_orig_start(&nt, full),
	    strstr(in, "\xef\xbc\xa1") - in);
	assert_int_equal(normtext_orig_end(&nt, full + 1),
	    strstr(in, "\xef\xbc\xa1") - in + 3);
	assert_int_equal(normtext_orig_start(&nt, after), strstr(in, "后") - in);
	assert_int_equal(normtext_orig_end(&nt, nt.len),
	    strstr(in, "后") - in + 3);
	assert_int_equal(normtext_orig_start(&nt, nt.len), strlen(in));
	normtext_free(&nt);
}

static void
test_textnorm_empty_and_blank_input(void **state)
{
	struct normtext nt;

	textnorm(&nt, "", 0, TN_HTML);
	assert_string_equal(nt.text, "");
	assert_int_equal(nt.len, 0);
	normtext_free(&nt);
	textnorm(&nt, " <p> \n", 6, TN_HTML);
	assert_string_equal(nt.text, "");
	normtext_free(&nt);
}

/* ---- acmatch ---- */

struct found {
	char    log[4096];
	size_t  n;
	int     stop_after;
};

static int
record(void *arg, uint32_t id, size_t start, size_t end)
{
	struct found *f = arg;
	size_t used = strlen(f->log);

	snprintf(f->log + used, sizeof(f->log) - used, "%u@%zu-%zu ", id,
	    start, end);
	f->n++;
	return f->stop_after && (int)f->n >= f->stop_after ? 7 : 0;
}

static void
scan_log(const char *const *pats, size_t n, const char *text,
    struct found *f)
{
	size_t lens[16] = { 0 }, i;
	struct acmatch *ac;

	for (i = 0; i < n; i++)
		lens[i] = strlen(pats[i]);
	ac = acmatch_new(pats, lens, n);
	memset(f, 0, sizeof(*f));
	acmatch_scan(ac, text, strlen(text), record, f);
	acmatch_free(ac);
}

static void
test_acmatch_reports_overlapping_matches(void **state)
{
	static const char *const pats[] = { "he", "she", "his", "hers" };
	struct found f;

	scan_log(pats, 4, "ushers", &f);
	assert_string_equal(f.log, "1@1-4 0@2-4 3@2-6 ");
}

static void
test_acmatch_reports_patterns_that_are_prefixes_of_others(void **state)
{
	static const char *const pats[] = { "中华人民共和国", "中华", "中华人民" };
	struct found f;

	scan_log(pats, 3, "中华人民共和国", &f);
	assert_string_equal(f.log, "1@0-6 2@0-12 0@0-21 ");
}

static void
test_acmatch_reports_patterns_that_are_suffixes_of_others(void **state)
{
	static const char *const pats[] = { "共和国", "国", "人民共和国" };
	struct found f;

	scan_log(pats, 3, "人民共和国", &f);
	assert_string_equal(f.log, "2@0-15 0@6-15 1@12-15 ");
}

static void
test_acmatch_duplicate_patterns_report_each_id(void **state)
{
	static const char *const pats[] = { "ab", "b", "ab" };
	struct found f;

	scan_log(pats, 3, "abab", &f);
	assert_string_equal(f.log, "0@0-2 2@0-2 1@1-2 0@2-4 2@2-4 1@3-4 ");
}

static void
test_acmatch_empty_patterns_and_empty_text_match_nothing(void **state)
{
	static const char *const pats[] = { "", "a" };
	struct found f;

	scan_log(pats, 0, "abc", &f);
	assert_int_equal(f.n, 0);
	scan_log(pats, 2, "", &f);
	assert_int_equal(f.n, 0);
	scan_log(pats, 2, "aa", &f);
	assert_string_equal(f.log, "1@0-1 1@1-2 ");
}

static void
test_acmatch_callback_return_stops_scan(void **state)
{
	static const char *const pats[] = { "a" };
	size_t len = 1;
	struct acmatch *ac = acmatch_new(pats, &len, 1);
	struct found f;

	memset(&f, 0, sizeof(f));
	f.stop_after = 2;
	assert_int_equal(acmatch_scan(ac, "aaaa", 4, record, &f), 7);
	assert_int_equal(f.n, 2);
	acmatch_free(ac);
}

static void
test_acmatch_cjk_matches_start_on_character_boundaries(void **state)
{
	/* valid UTF-8 patterns in valid UTF-8 text: every match is whole
	 * characters, overlapping ones included */
	static const char *const pats[] = { "中", "国中" };
	struct found f;

	scan_log(pats, 2, "中国中国", &f);
	assert_string_equal(f.log, "0@0-3 1@3-9 0@6-9 ");
}

static uint32_t
prng(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

struct count_ctx {
	size_t *hits;           /* per (id, start) pair, counted */
	size_t  len;
};

static int
count_hit(void *arg, uint32_t id, size_t start, size_t end)
{
	struct count_ctx *c = arg;

	c->hits[id * c->len + start]++;
	return 0;
}

/* Against a naive search over a tiny alphabet, where patterns overlap,
 * nest and repeat all the time. */
static void
test_acmatch_agrees_with_naive_search(void **state)
{
	enum { NPAT = 300, TLEN = 2000 };
	static const char alphabet[] = "ab\x00\xff";
	char *pats[NPAT], text[TLEN];
	size_t lens[NPAT], i, j, round;
	uint32_t seed = 12345;

	for (round = 0; round < 5; round++) {
		struct count_ctx c = { xcalloc(NPAT * TLEN, sizeof(size_t)), TLEN };
		struct acmatch *ac;

		for (i = 0; i < NPAT; i++) {
			lens[i] = 1 + prng(&seed) % (round + 6);
			pats[i] = xmalloc(lens[i]);
			for (j = 0; j < lens[i]; j++)
				pats[i][j] = alphabet[prng(&seed) % 4];
		}
		for (i = 0; i < TLEN; i++)
			text[i] = alphabet[prng(&seed) % 4];
		ac = acmatch_new((const char *const *)pats, lens, NPAT);
		acmatch_scan(ac, text, TLEN, count_hit, &c);
		for (i = 0; i < NPAT; i++)
			for (j = 0; j < TLEN; j++)
				assert_int_equal(c.hits[i * TLEN + j],
				    j + lens[i] <= TLEN &&
				    memcmp(text + j, pats[i], lens[i]) == 0);
		acmatch_free(ac);
		for (i = 0; i < NPAT; i++)
			free(pats[i]);
		free(c.hits);
	}
}

/* ---- wordlist ---- */

static void
test_wordlist_loads_entries_skipping_comments_blank_lines_and_bom(void **state)
{
	char *path = write_temp("\xef\xbb\xbf# comment\n\n   \n"
	    "按步就班\t按部就班\ttypo\t成语错字\n"
	    "  # indented comment\n"
	    "中华人民共合国\t中华人民共和国\tserious\n");
	struct wordlist *wl = wordlist_new();
	char *error = NULL;

	assert_int_equal(wordlist_load(wl, path, &error), 0);
	assert_null(error);
	assert_int_equal(wl->nentries, 2);
	assert_string_equal(wl->entries[0].wrong, "按步就班");
	assert_string_equal(wl->entries[0].correct, "按部就班");
	assert_int_equal(wl->entries[0].severity, WL_TYPO);
	assert_string_equal(wl->entries[0].note, "成语错字");
	assert_int_equal(wl->entries[0].line, 4);
	assert_string_equal(wl->entries[0].file, path);
	assert_int_equal(wl->entries[1].severity, WL_SERIOUS);
	assert_string_equal(wl->entries[1].note, "");
	assert_int_equal(wl->entries[1].line, 6);
	assert_string_equal(wl_severity_name(WL_SERIOUS), "serious");
	wordlist_free(wl);
	unlink(path);
	free(path);
}

static void
test_wordlist_accepts_crlf_and_normalises_wrong_forms(void **state)
{
	struct wordlist *wl = wordlist_new();
	static const char buf[] = " \xef\xbc\xa1\xef\xbc\xa2  C \t ABC-D\ttypo\tn\r\n";
	char *error = NULL;

	assert_int_equal(wordlist_parse(wl, "x", buf, strlen(buf), &error), 0);
	assert_string_equal(wl->entries[0].wrong, "AB C");
	assert_string_equal(wl->entries[0].correct, "ABC-D");
	assert_string_equal(wl->entries[0].note, "n");
	wordlist_free(wl);
}

static void
test_wordlist_refuses_bad_lines_naming_file_and_line(void **state)
{
	static const struct {
		const char *content;
		const char *error;
	} cases[] = {
		{ "a\tb\n", "FILE:1: expected wrong<TAB>correct<TAB>severity<TAB>note" },
		{ "#\na\tb\ttypo\tn\textra\n", "FILE:2: expected wrong<TAB>correct<TAB>severity<TAB>note" },
		{ "\t\ttypo\tn\n", "FILE:1: empty wrong form" },
		{ "\xe3\x80\x80\tb\ttypo\n", "FILE:1: empty wrong form" },
		{ "a\t \ttypo\n", "FILE:1: empty correction" },
		{ "a\tb\tsevere\n", "FILE:1: unknown severity (expected serious or typo)" },
		{ "a\tb\tTypo\n", "FILE:1: unknown severity (expected serious or typo)" },
		{ "ok\tfine\ttypo\n\xe4\xb8\tb\ttypo\n", "FILE:2: invalid UTF-8" },
		{ "# \xff comment\n", "FILE:1: invalid UTF-8" },
		{ "a\ta\ttypo\n", "FILE:1: correction is the same as the wrong form" },
		{ "\xef\xbc\xa1\tA\ttypo\n", "FILE:1: correction is the same as the wrong form" },
		{ "共合\t共合作\ttypo\n", "FILE:1: correction contains the wrong form" },
		{ "a\x01\tb\ttypo\n", "FILE:1: control character in a field" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *msg = load_error(cases[i].content);

		if (strcmp(msg, cases[i].error) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, msg,
			    cases[i].error);
		free(msg);
	}
}

static void
test_wordlist_nul_byte_is_refused(void **state)
{
	struct wordlist *wl = wordlist_new();
	static const char buf[] = "a\tb\ttypo\nc\0d\te\ttypo\n";
	char *error = NULL;

	assert_int_equal(wordlist_parse(wl, "nul.tsv", buf, sizeof(buf) - 1,
	    &error), -1);
	assert_string_equal(error, "nul.tsv:2: NUL byte");
	assert_int_equal(wl->nentries, 0);
	free(error);
	wordlist_free(wl);
}

static void
test_wordlist_refused_list_leaves_set_unchanged(void **state)
{
	struct wordlist *wl = wordlist_new();
	static const char good[] = "a\tb\ttypo\n";
	static const char bad[] = "c\td\ttypo\ne\tf\ttypo\ng\th\n";
	static const char badallow[] = "ok\n\xc0\n";
	char *error = NULL;

	assert_int_equal(wordlist_parse(wl, "good", good, strlen(good), &error), 0);
	assert_int_equal(wordlist_parse(wl, "bad", bad, strlen(bad), &error), -1);
	assert_string_equal(error, "bad:3: expected wrong<TAB>correct<TAB>severity<TAB>note");
	free(error);
	assert_int_equal(wl->nentries, 1);
	assert_int_equal(wordlist_parse_allow(wl, "al", badallow,
	    strlen(badallow), &error), -1);
	assert_string_equal(error, "al:2: invalid UTF-8");
	free(error);
	assert_int_equal(wl->nallow, 0);
	assert_int_equal(wl->nfiles, 1);
	wordlist_free(wl);
}

static void
test_wordlist_duplicate_with_same_correction_is_skipped(void **state)
{
	struct wordlist *wl = wordlist_new();
	static const char one[] = "a\tb\tserious\tfirst\na\tb\ttypo\tsecond\n";
	static const char two[] = "x\ty\ttypo\n\xef\xbd\x81\tb\ttypo\tthird\n";
	char *error = NULL;

	assert_int_equal(wordlist_parse(wl, "one", one, strlen(one), &error), 0);
	assert_int_equal(wordlist_parse(wl, "two", two, strlen(two), &error), 0);
	assert_int_equal(wl->nentries, 2);
	assert_string_equal(wl->entries[0].note, "first");
	assert_int_equal(wl->entries[0].severity, WL_SERIOUS);
	assert_string_equal(wl->entries[1].wrong, "x");
	wordlist_free(wl);
}

static void
test_wordlist_duplicate_with_other_correction_is_refused(void **state)
{
	struct wordlist *wl = wordlist_new();
	static const char one[] = "a\tb\ttypo\n";
	static const char two[] = "x\ty\ttypo\nq\tr\ttypo\na\tc\ttypo\nq\ts\ttypo\n";
	static const char three[] = "m\tn\ttypo\nm\to\ttypo\n";
	char *error = NULL;

	assert_int_equal(wordlist_parse(wl, "one", one, strlen(one), &error), 0);
	assert_int_equal(wordlist_parse(wl, "two", two, strlen(two), &error), -1);
	assert_string_equal(error, "two:3: \"a\" is already listed with "
	    "correction \"b\" (one:1)");
	free(error);
	assert_int_equal(wordlist_parse(wl, "three", three, strlen(three),
	    &error), -1);
	assert_string_equal(error, "three:2: \"m\" is already listed with "
	    "correction \"n\" (three:1)");
	free(error);
	assert_int_equal(wl->nentries, 1);
	wordlist_free(wl);
}

static void
test_wordlist_missing_file_is_reported_by_name(void **state)
{
	struct wordlist *wl = wordlist_new();
	char *error = NULL;

	assert_int_equal(wordlist_load(wl, "/nonexistent/list.tsv", &error), -1);
	assert_string_equal(error, "/nonexistent/list.tsv: No such file or directory");
	free(error);
	wordlist_free(wl);
}

static void
test_wordlist_allowlist_reads_phrases_and_comments(void **state)
{
	char *path = write_temp("\xef\xbb\xbf# why\n\n 松驰骋 \r\n# more\n政协代表团\n");
	struct wordlist *wl = wordlist_new();
	char *error = NULL;

	assert_int_equal(wordlist_load_allow(wl, path, &error), 0);
	assert_int_equal(wl->nallow, 2);
	assert_string_equal(wl->allow[0], "松驰骋");
	assert_string_equal(wl->allow[1], "政协代表团");
	wordlist_free(wl);
	unlink(path);
	free(path);
}

/* ---- wordcheck ---- */

static const char small_list[] =
    "中华人民共合国\t中华人民共和国\tserious\t国名错误\n"
    "共合国\t共和国\tserious\t国名错误\n"
    "按步就班\t按部就班\ttypo\t成语错字\n"
    "松驰\t松弛\ttypo\t别字\n";

static void
test_wordcheck_reports_entry_positions_and_snippets(void **state)
{
	struct wordcheck *wc = check_from(small_list, NULL);
	static const char text[] =
	    "<p>一二三四五六七八九十一二三四五六七八 按步就班 ABCDEFGHIJKLMNOPQRST</p>";
	struct wordcheck_result res;
	const struct wordhit *h;

	assert_int_equal(wordcheck_text(wc, text, strlen(text), &res), 1);
	h = &res.hits[0];
	assert_string_equal(h->entry->wrong, "按步就班");
	assert_string_equal(h->entry->correct, "按部就班");
	assert_string_equal(h->entry->note, "成语错字");
	assert_int_equal(h->entry->severity, WL_TYPO);
	assert_int_equal(h->char_offset, 19);
	assert_int_equal(h->char_len, 4);
	assert_int_equal(h->offset, 18 * 3 + 1);
	assert_int_equal(h->len, 12);
	assert_memory_equal(res.norm.text + h->offset, "按步就班", 12);
	assert_int_equal(h->orig_offset, strstr(text, "按步就班") - text);
	assert_int_equal(h->orig_len, 12);
	assert_string_equal(h->before, "五六七八九十一二三四五六七八 ");
	assert_string_equal(h->after, " ABCDEFGHIJKLMN");
	wordcheck_result_free(&res);
	wordcheck_free(wc);
}

static void
test_wordcheck_snippet_stops_at_text_edges(void **state)
{
	struct wordcheck *wc = check_from(small_list, NULL);
	struct wordcheck_result res;

	assert_int_equal(wordcheck_text(wc, "按步就班", 12, &res), 1);
	assert_string_equal(res.hits[0].before, "");
	assert_string_equal(res.hits[0].after, "");
	assert_int_equal(res.hits[0].char_offset, 0);
	wordcheck_result_free(&res);
	wordcheck_free(wc);
}

static void
test_wordcheck_reports_overlapping_and_nested_wrong_forms(void **state)
{
	struct wordcheck *wc = check_from(small_list, NULL);
	static const char text[] = "中华人民共合国，共合国";
	struct wordcheck_result res;

	assert_int_equal(wordcheck_text(wc, text, strlen(text), &res), 3);
	assert_string_equal(res.hits[0].entry->wrong, "中华人民共合国");
	assert_int_equal(res.hits[0].char_offset, 0);
	assert_string_equal(res.hits[1].entry->wrong, "共合国");
	assert_int_equal(res.hits[1].char_offset, 4);
	assert_string_equal(res.hits[2].entry->wrong, "共合国");
	/* the full-width comma is folded: one byte, one character */
	assert_int_equal(res.hits[2].char_offset, 8);
	assert_int_equal(res.hits[2].offset, 22);
	assert_int_equal(res.hits[2].orig_offset, 24);
	wordcheck_result_free(&res);
	wordcheck_free(wc);
}

static void
test_wordcheck_allowlisted_phrase_covering_hit_suppresses_it(void **state)
{
	struct wordcheck *wc = check_from(small_list, "松驰骋\n共合国\n");
	static const char text[] = "轻松驰骋，肌肉松驰，中华人民共合国";
	struct wordcheck_result res;

	/* 松驰骋 covers the first 松驰; 共合国 is allowed outright, but the
	 * longer wrong form around it is not covered by it */
	assert_int_equal(wordcheck_text(wc, text, strlen(text), &res), 2);
	assert_string_equal(res.hits[0].entry->wrong, "松驰");
	assert_int_equal(res.hits[0].char_offset, 7);
	assert_string_equal(res.hits[1].entry->wrong, "中华人民共合国");
	wordcheck_result_free(&res);
	wordcheck_free(wc);
}

static void
test_wordcheck_allowlist_partial_overlap_does_not_suppress(void **state)
{
	struct wordcheck *wc = check_from(small_list, "驰骋\n按步\n");
	struct wordcheck_result res;

	assert_int_equal(wordcheck_text(wc, "松驰骋 按步就班", 22, &res), 2);
	wordcheck_result_free(&res);
	wordcheck_free(wc);
}

static void
test_wordcheck_matches_through_markup_and_fullwidth_forms(void **state)
{
	struct wordcheck *wc = check_from(small_list, NULL);
	static const char text[] = "<p>中华人民<b>共合</b>国</p>&#25353;步就班"
	    "<script>共合国</script>";
	struct wordcheck_result res;

	assert_int_equal(wordcheck_text(wc, text, strlen(text), &res), 3);
	assert_string_equal(res.hits[0].entry->wrong, "中华人民共合国");
	assert_int_equal(res.hits[0].orig_offset, 3);
	assert_int_equal(res.hits[0].orig_len,
	    strstr(text, "</p>") - text - 3);
	assert_string_equal(res.hits[1].entry->wrong, "共合国");
	assert_string_equal(res.hits[2].entry->wrong, "按步就班");
	assert_int_equal(res.hits[2].orig_offset, strstr(text, "&#") - text);
	wordcheck_result_free(&res);
	wordcheck_free(wc);
}

static void
test_wordcheck_invalid_utf8_input_is_checked_safely(void **state)
{
	struct wordcheck *wc = check_from(small_list, NULL);
	static const char text[] = "\xff\xfe按步就班\xe6\x8c\x89\x80\xe4";
	struct wordcheck_result res;

	assert_int_equal(wordcheck_text(wc, text, sizeof(text) - 1, &res), 1);
	assert_int_equal(res.hits[0].char_offset, 2);
	assert_int_equal(res.hits[0].orig_offset, 2);
	assert_true(utf8_valid(res.hits[0].before, strlen(res.hits[0].before)));
	assert_true(utf8_valid(res.hits[0].after, strlen(res.hits[0].after)));
	wordcheck_result_free(&res);
	wordcheck_free(wc);
}

static void
test_wordcheck_empty_lists_and_empty_text_find_nothing(void **state)
{
	struct wordcheck *wc = wordcheck_new(NULL, NULL, NULL);
	struct wordcheck *wc2 = check_from(small_list, NULL);
	struct wordcheck_result res;

	assert_non_null(wc);
	assert_int_equal(wordcheck_list(wc)->nentries, 0);
	assert_int_equal(wordcheck_text(wc, "按步就班", 12, &res), 0);
	assert_null(res.hits);
	wordcheck_result_free(&res);
	assert_int_equal(wordcheck_text(wc2, "", 0, &res), 0);
	wordcheck_result_free(&res);
	assert_int_equal(wordcheck_text(wc2, NULL, 0, &res), 0);
	wordcheck_result_free(&res);
	wordcheck_free(wc);
	wordcheck_free(wc2);
}

static void
test_wordcheck_new_refuses_bad_list_with_file_and_line(void **state)
{
	char *good = write_temp("a\tb\ttypo\n");
	char *bad = write_temp("c\td\ttypo\n\ne\tf\turgent\n");
	const char *lists[] = { good, bad, NULL };
	char *error = NULL, *want;

	assert_null(wordcheck_new(lists, NULL, &error));
	want = xasprintf("%s:3: unknown severity (expected serious or typo)",
	    bad);
	assert_string_equal(error, want);
	free(want);
	free(error);
	unlink(good);
	unlink(bad);
	free(good);
	free(bad);
}

static char *
srcdir_path(const char *rel)
{
	const char *dir = getenv("MEDIAWATCH_SRCDIR");

	return xasprintf("%s/%s", dir ? dir : ".", rel);
}

/* The shipped list loads, every wrong form in it is found with its own
 * correction, and no correction and no allowed phrase is flagged. */
static void
test_shipped_common_errors_list_loads_and_is_consistent(void **state)
{
	char *list = srcdir_path("conf/wordlists/common-errors.tsv");
	char *allow = srcdir_path("conf/wordlists/allowlist.txt");
	const char *lists[] = { list, NULL }, *allows[] = { allow, NULL };
	struct wordcheck_result res;
	const struct wordlist *wl;
	struct wordcheck *wc;
	char *error = NULL;
	size_t i, serious = 0;

	wc = wordcheck_new(lists, allows, &error);
	if (wc == NULL)
		fail_msg("%s", error);
	wl = wordcheck_list(wc);
	assert_true(wl->nentries >= 50);
	assert_true(wl->nallow >= 1);
	for (i = 0; i < wl->nentries; i++) {
		const struct wordentry *e = &wl->entries[i];

		serious += e->severity == WL_SERIOUS;
		assert_false(str_empty(e->note));
		wordcheck_text(wc, e->correct, strlen(e->correct), &res);
		if (res.nhits != 0)
			fail_msg("correction %s is flagged as %s", e->correct,
			    res.hits[0].entry->wrong);
		wordcheck_result_free(&res);
		wordcheck_text(wc, e->wrong, strlen(e->wrong), &res);
		assert_true(res.nhits >= 1);
		assert_ptr_equal(res.hits[0].entry, e);
		wordcheck_result_free(&res);
	}
	for (i = 0; i < wl->nallow; i++) {
		wordcheck_text(wc, wl->allow[i], strlen(wl->allow[i]), &res);
		if (res.nhits != 0)
			fail_msg("allowed %s is flagged", wl->allow[i]);
		wordcheck_result_free(&res);
	}
	assert_true(serious >= 5);
	wordcheck_free(wc);
	free(list);
	free(allow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textnorm_strips_tags_comments_script_and_style),
		cmocka_unit_test(test_textnorm_block_tags_separate_words_inline_tags_do_not),
		cmocka_unit_test(test_textnorm_decodes_entities),
		cmocka_unit_test(test_textnorm_bad_entities_stay_text_or_become_fffd),
		cmocka_unit_test(test_textnorm_lone_lt_is_text_and_unclosed_tag_kept),
		cmocka_unit_test(test_textnorm_plain_mode_keeps_markup),
		cmocka_unit_test(test_textnorm_folds_fullwidth_ascii_and_ideographic_space),
		cmocka_unit_test(test_textnorm_fullwidth_entity_is_folded_too),
		cmocka_unit_test(test_textnorm_collapses_whitespace_and_trims),
		cmocka_unit_test(test_textnorm_drops_zero_width_and_control_chars),
		cmocka_unit_test(test_textnorm_replaces_invalid_utf8_with_fffd),
		cmocka_unit_test(test_textnorm_maps_offsets_back_to_input),
		cmocka_unit_test(test_textnorm_empty_and_blank_input),
		cmocka_unit_test(test_acmatch_reports_overlapping_matches),
		cmocka_unit_test(test_acmatch_reports_patterns_that_are_prefixes_of_others),
		cmocka_unit_test(test_acmatch_reports_patterns_that_are_suffixes_of_others),
		cmocka_unit_test(test_acmatch_duplicate_patterns_report_each_id),
		cmocka_unit_test(test_acmatch_empty_patterns_and_empty_text_match_nothing),
		cmocka_unit_test(test_acmatch_callback_return_stops_scan),
		cmocka_unit_test(test_acmatch_cjk_matches_start_on_character_boundaries),
		cmocka_unit_test(test_acmatch_agrees_with_naive_search),
		cmocka_unit_test(test_wordlist_loads_entries_skipping_comments_blank_lines_and_bom),
		cmocka_unit_test(test_wordlist_accepts_crlf_and_normalises_wrong_forms),
		cmocka_unit_test(test_wordlist_refuses_bad_lines_naming_file_and_line),
		cmocka_unit_test(test_wordlist_nul_byte_is_refused),
		cmocka_unit_test(test_wordlist_refused_list_leaves_set_unchanged),
		cmocka_unit_test(test_wordlist_duplicate_with_same_correction_is_skipped),
		cmocka_unit_test(test_wordlist_duplicate_with_other_correction_is_refused),
		cmocka_unit_test(test_wordlist_missing_file_is_reported_by_name),
		cmocka_unit_test(test_wordlist_allowlist_reads_phrases_and_comments),
		cmocka_unit_test(test_wordcheck_reports_entry_positions_and_snippets),
		cmocka_unit_test(test_wordcheck_snippet_stops_at_text_edges),
		cmocka_unit_test(test_wordcheck_reports_overlapping_and_nested_wrong_forms),
		cmocka_unit_test(test_wordcheck_allowlisted_phrase_covering_hit_suppresses_it),
		cmocka_unit_test(test_wordcheck_allowlist_partial_overlap_does_not_suppress),
		cmocka_unit_test(test_wordcheck_matches_through_markup_and_fullwidth_forms),
		cmocka_unit_test(test_wordcheck_invalid_utf8_input_is_checked_safely),
		cmocka_unit_test(test_wordcheck_empty_lists_and_empty_text_find_nothing),
		cmocka_unit_test(test_wordcheck_new_refuses_bad_list_with_file_and_line),
		cmocka_unit_test(test_shipped_common_errors_list_loads_and_is_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
