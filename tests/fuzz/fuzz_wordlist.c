/* fuzz_wordlist.c — the word-list and allowlist loaders over any bytes, and
 * the matcher built from whatever they accepted.
 *
 * The input is parsed as a word list, then again under another name (every
 * entry is then a repeat with the same correction, which wordlist.h says is
 * skipped, so it must succeed), then as an allowlist.  The automaton built
 * from the result is run over the input itself, which is bound to contain
 * the wrong forms it was built from. */
#include "fuzz.h"
#include "wording/wordcheck.h"
#include "wording/wordlist.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

static void
check_hits(const struct wordcheck_result *res, size_t len)
{
	size_t i;

	for (i = 0; i < res->nhits; i++) {
		const struct wordhit *h = &res->hits[i];

		FUZZ_ASSERT(h->offset + h->len <= res->norm.len,
		    "a hit lies inside the normalised text");
		FUZZ_ASSERT(memcmp(res->norm.text + h->offset, h->entry->wrong,
		    h->len) == 0, "the text at a hit is its wrong form");
		FUZZ_ASSERT(h->orig_offset + h->orig_len <= len,
		    "a hit maps inside the input");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct wordlist *wl = wordlist_new();
	struct wordcheck *wc;
	struct wordcheck_result res;
	char *error = NULL;
	size_t before;

	if (wordlist_parse(wl, "fuzz.tsv", buf, size, &error) == 0) {
		before = wl->nentries;
		FUZZ_ASSERT(wordlist_parse(wl, "again.tsv", buf, size, &error) == 0,
		    "a list loaded again is all repeats, and repeats are skipped");
		FUZZ_ASSERT(wl->nentries == before, "repeats add no entries");
	} else {
		FUZZ_ASSERT(error != NULL, "a refusal says why");
		FUZZ_ASSERT(wl->nentries == 0, "a refused list leaves the set as it was");
		free(error);
		error = NULL;
	}
	if (wordlist_parse_allow(wl, "fuzz.txt", buf, size, &error) == -1) {
		FUZZ_ASSERT(error != NULL, "a refusal says why");
		free(error);
	}
	wc = wordcheck_from_list(wl);
	memset(&res, 0, sizeof(res));
	wordcheck_text(wc, buf, size, &res);
	check_hits(&res, size);
	wordcheck_result_free(&res);
	wordcheck_free(wc);
	return 0;
}
