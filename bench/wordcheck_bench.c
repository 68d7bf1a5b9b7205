/* wordcheck_bench.c — how fast the wording check runs on a large list.
 *
 * Generates (deterministically) a word list of N wrong forms of 2–6
 * Chinese characters and M megabytes of Chinese-looking text — common
 * characters, some ASCII, full-width and CJK punctuation, line breaks, and
 * one list entry planted every few kilobytes — then measures:
 *   - building the automaton from the patterns alone (acmatch_new);
 *   - the matcher pass alone over the whole text (acmatch_scan);
 *   - building from a parsed list (wordlist + wordcheck_from_list);
 *   - the whole wordcheck_text() pipeline (normalise, match, allowlist,
 *     positions, snippets) over the text cut into 1 MB posts.
 *
 * usage: wordcheck_bench [patterns [megabytes]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/util.h"
#include "wording/acmatch.h"
#include "wording/wordcheck.h"
#include "wording/wordlist.h"

#define POOL_SIZE 3500          /* about the characters of everyday text */
#define PLANT_EVERY 4096        /* bytes between planted wrong forms */
#define POST_SIZE (1024 * 1024)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
put_cp(struct strbuf *sb, uint32_t cp)
{
	char b[3];

	b[0] = (char)(0xe0 | (cp >> 12));
	b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	b[2] = (char)(0x80 | (cp & 0x3f));
	sb_append(sb, b, 3);
}

static uint32_t pool[POOL_SIZE];

static void
make_pool(void)
{
	size_t i;

	for (i = 0; i < POOL_SIZE; i++)
		pool[i] = 0x4e00 + rng() % (0x9fa5 - 0x4e00);
}

/* Skewed towards the start of the pool, as real text is. */
static uint32_t
pool_char(void)
{
	uint32_t a = rng() % POOL_SIZE, b = rng() % POOL_SIZE;

	return pool[a < b ? a : b];
}

static char **
make_patterns(size_t n, size_t *lens)
{
	char **pats = xcalloc(n, sizeof(*pats));
	struct strbuf sb = STRBUF_INIT;
	size_t i, k, chars;

	for (i = 0; i < n; i++) {
		chars = 2 + rng() % 5;
		for (k = 0; k < chars; k++)
			put_cp(&sb, pool_char());
		lens[i] = sb.len;
		pats[i] = sb_steal(&sb);
	}
	return pats;
}

static void
put_filler(struct strbuf *sb)
{
	static const char *const punct[] = {
		"，", "。", "、", "“", "”", "：", "；", "（", "）", "！",
	};
	uint32_t r = rng() % 1000, k;

	if (r < 900)
		put_cp(sb, pool_char());
	else if (r < 960)
		sb_puts(sb, punct[rng() % ARRAY_SIZE(punct)]);
	else if (r < 990) {
		for (k = 1 + rng() % 8; k > 0; k--)
			sb_putc(sb, "abcdefghijklmnopqrstuvwxyz0123456789"
			    [rng() % 36]);
		sb_putc(sb, ' ');
	} else
		sb_putc(sb, '\n');
}

static char *
make_text(size_t size, char **pats, size_t npats, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t next_plant = PLANT_EVERY;

	while (sb.len < size) {
		if (sb.len >= next_plant) {
			sb_puts(&sb, pats[rng() % npats]);
			next_plant += PLANT_EVERY;
		}
		put_filler(&sb);
	}
	*len = sb.len;
	return sb_steal(&sb);
}

/* The patterns as a word list, corrections derived from the wrong form. */
static char *
make_tsv(char **pats, size_t n, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		sb_printf(&sb, "%s\t~%s\t%s\tgenerated\n", pats[i], pats[i] + 3,
		    i % 10 ? "typo" : "serious");
	*len = sb.len;
	return sb_steal(&sb);
}

static int
count_match(void *arg, uint32_t id, size_t start, size_t end)
{
	(*(size_t *)arg)++;
	return 0;
}

static void
bench_matcher(char **pats, size_t *lens, size_t n, const char *text,
    size_t len)
{
	struct acmatch *ac;
	double t0, t1, best = 0;
	size_t hits = 0, round;

	t0 = now_ms();
	ac = acmatch_new((const char *const *)pats, lens, n);
	t1 = now_ms();
	printf("matcher build:     %.1f ms for %zu patterns (%zu states, "
	    "%.2f MB)\n", t1 - t0, n, acmatch_states(ac),
	    acmatch_memsize(ac) / 1048576.0);
	for (round = 0; round < 3; round++) {
		hits = 0;
		t0 = now_ms();
		acmatch_scan(ac, text, len, count_match, &hits);
		t1 = now_ms();
		if (round == 0 || t1 - t0 < best)
			best = t1 - t0;
	}
	printf("matcher pass:      %.0f MB/s (%.1f MB in %.0f ms, best of 3),"
	    " %zu matches\n", len / 1048576.0 / (best / 1e3), len / 1048576.0,
	    best, hits);
	acmatch_free(ac);
}

static struct wordcheck *
bench_build(char **pats, size_t n)
{
	struct wordlist *wl = wordlist_new();
	struct wordcheck *wc;
	size_t tsvlen;
	char *tsv = make_tsv(pats, n, &tsvlen), *error = NULL;
	double t0, t1, t2;

	t0 = now_ms();
	if (wordlist_parse(wl, "generated.tsv", tsv, tsvlen, &error) == -1) {
		fprintf(stderr, "%s\n", error);
		exit(1);
	}
	t1 = now_ms();
	wc = wordcheck_from_list(wl);
	t2 = now_ms();
	printf("list parse:        %.1f ms for %zu entries\n", t1 - t0,
	    wordcheck_list(wc)->nentries);
	printf("wordcheck build:   %.1f ms\n", t2 - t1);
	free(tsv);
	return wc;
}

static void
bench_pipeline(const struct wordcheck *wc, const char *text, size_t len)
{
	struct wordcheck_result res;
	size_t off = 0, n, hits = 0, posts = 0;
	const char *nl;
	double t0, t1;

	t0 = now_ms();
	while (off < len) {
		n = len - off > POST_SIZE ? POST_SIZE : len - off;
		if (off + n < len && (nl = memchr(text + off + n, '\n',
		    len - off - n)) != NULL)
			n = (size_t)(nl - text) - off + 1;
		hits += wordcheck_text(wc, text + off, n, &res);
		wordcheck_result_free(&res);
		off += n;
		posts++;
	}
	t1 = now_ms();
	printf("wordcheck_text:    %.0f MB/s (%.1f MB in %.0f ms, %zu posts "
	    "of ~1 MB), %zu hits\n", len / 1048576.0 / ((t1 - t0) / 1e3),
	    len / 1048576.0, t1 - t0, posts, hits);
}

int
main(int argc, char *argv[])
{
	size_t npats = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	size_t mb = argc > 2 ? strtoul(argv[2], NULL, 10) : 100;
	size_t *lens, len, i;
	struct wordcheck *wc;
	struct rusage ru;
	char **pats, *text;

	if (npats == 0 || mb == 0) {
		fprintf(stderr, "usage: wordcheck_bench [patterns [megabytes]]\n");
		return 2;
	}
	make_pool();
	lens = xcalloc(npats, sizeof(*lens));
	pats = make_patterns(npats, lens);
	text = make_text(mb * 1048576, pats, npats, &len);
	bench_matcher(pats, lens, npats, text, len);
	wc = bench_build(pats, npats);
	bench_pipeline(wc, text, len);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS:          %.1f MB (the text itself is %.1f MB)\n",
	    ru.ru_maxrss / 1024.0, len / 1048576.0);
	wordcheck_free(wc);
	for (i = 0; i < npats; i++)
		free(pats[i]);
	free(pats);
	free(lens);
	free(text);
	return 0;
}
