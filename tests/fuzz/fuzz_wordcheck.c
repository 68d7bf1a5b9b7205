/* fuzz_wordcheck.c — normalising and checking any text (a post title or
 * summary, perhaps HTML, perhaps broken) against the shipped word lists.
 *
 * textnorm() promises valid UTF-8 out of any bytes; wordcheck.h promises
 * hits that point at their wrong form in that text and map back into the
 * input. */
#include "base/util.h"
#include "fuzz.h"
#include "wording/textnorm.h"
#include "wording/wordcheck.h"

static struct wordcheck *wc;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const lists[] = {
		MW_SRCDIR "/conf/wordlists/common-errors.tsv", NULL };
	static const char *const allow[] = {
		MW_SRCDIR "/conf/wordlists/allowlist.txt", NULL };
	char *error = NULL;

	fuzz_setup();
	if ((wc = wordcheck_new(lists, allow, &error)) == NULL) {
		fprintf(stderr, "fuzz_wordcheck: %s\n", error);
		abort();
	}
	return 0;
}

static void
check_norm(const struct normtext *nt, size_t len)
{
	FUZZ_ASSERT(nt->text[nt->len] == '\0' && strlen(nt->text) == nt->len,
	    "normalised text is one NUL-terminated string");
	FUZZ_ASSERT(utf8_valid(nt->text, nt->len), "normalised text is UTF-8");
	FUZZ_ASSERT(nt->len == 0 || (nt->text[0] != ' ' &&
	    nt->text[nt->len - 1] != ' '), "no space at either end");
	FUZZ_ASSERT(normtext_orig_start(nt, nt->len) <= len,
	    "the end maps inside the input");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct wordcheck_result res;
	struct normtext nt;
	size_t i;

	memset(&nt, 0, sizeof(nt));
	textnorm(&nt, buf, size, 0);
	check_norm(&nt, size);
	normtext_free(&nt);

	memset(&res, 0, sizeof(res));
	wordcheck_text(wc, buf, size, &res);
	check_norm(&res.norm, size);
	for (i = 0; i < res.nhits; i++) {
		const struct wordhit *h = &res.hits[i];

		FUZZ_ASSERT(memcmp(res.norm.text + h->offset, h->entry->wrong,
		    h->len) == 0, "the text at a hit is its wrong form");
		FUZZ_ASSERT(h->orig_offset + h->orig_len <= size,
		    "a hit maps inside the input");
	}
	wordcheck_result_free(&res);
	return 0;
}
