/* test_words.c — the vocabularies tables translate (cli/ctl_words.c):
 * every word a table may show is listed, under a vocabulary output.c
 * knows, and the zh_CN catalog built beside the tests translates each
 * one in its context. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <libgen.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "access/user.h"
#include "base/i18n.h"
#include "base/util.h"
#include "cli/ctl.h"
#include "monitor/evaluate.h"

static const char *const vocabularies[] = {
	VOCAB_ACCOUNT_STATUS, VOCAB_STATE, VOCAB_FETCH, VOCAB_PROBLEM_KIND,
	VOCAB_PROBLEM_STATE, VOCAB_CLOSE_REASON, VOCAB_SEVERITY,
	VOCAB_OUTBOX_STATUS, VOCAB_OUTBOX_KIND, VOCAB_RECIPIENT_STATUS,
	VOCAB_DOCUMENT_STATE, VOCAB_DOCUMENT_KIND, VOCAB_ROLE, VOCAB_ACTION,
	VOCAB_FIELD,
};

static const char *argv0;

static bool
listed(const char *vocab, const char *word)
{
	const struct ctl_word *w;

	for (w = ctl_words; w->word; w++)
		if (strcmp(w->vocab, vocab) == 0 && strcmp(w->word, word) == 0)
			return true;
	return false;
}

/* A misspelt context would leave its word untranslated without a sound. */
static void
every_word_is_under_a_known_vocabulary(void **state)
{
	const struct ctl_word *w;
	size_t i;

	for (w = ctl_words; w->word; w++) {
		for (i = 0; i < ARRAY_SIZE(vocabularies); i++)
			if (strcmp(w->vocab, vocabularies[i]) == 0)
				break;
		if (i == ARRAY_SIZE(vocabularies))
			fail_msg("%s: no vocabulary \"%s\"", w->word, w->vocab);
	}
}

static void
the_states_and_roles_the_code_defines_are_listed(void **state)
{
	int i;

	for (i = 0; i < N_STATES; i++)
		if (!listed(VOCAB_STATE, state_name((enum account_state)i)))
			fail_msg("state %s is not in ctl_words.c",
			    state_name((enum account_state)i));
	for (i = 0; i < N_ROLES; i++)
		if (!listed(VOCAB_ROLE, user_role_name((enum user_role)i)))
			fail_msg("role %s is not in ctl_words.c",
			    user_role_name((enum user_role)i));
}

/* The catalog of the build tree (BUILD/locale, the tests being in
 * BUILD/tests), read as mediawatchctl reads it. */
static void
the_zh_cn_catalog_translates_every_word_in_its_context(void **state)
{
	char *copy = xstrdup(argv0), *dir;
	const struct ctl_word *w;
	const char *t;

	dir = xasprintf("%s/../locale", dirname(copy));
	setenv("MEDIAWATCH_LOCALEDIR", dir, 1);
	setenv("LC_ALL", "zh_CN.UTF-8", 1);
	i18n_init();
	if (!i18n_translating())
		fail_msg("no zh_CN catalog in %s, or no zh_CN.UTF-8 locale "
		    "(make deps generates it)", dir);
	for (w = ctl_words; w->word; w++) {
		t = i18n_word(w->vocab, w->word);
		if (t == w->word || strcmp(t, w->word) == 0)
			fail_msg("[%s] %s: no translation", w->vocab, w->word);
		if (!utf8_valid(t, strlen(t)) || (unsigned char)*t < 0x80)
			fail_msg("[%s] %s: \"%s\" is not Chinese", w->vocab,
			    w->word, t);
	}
	/* the same word, another vocabulary, another translation */
	assert_string_equal(i18n_word(VOCAB_ACCOUNT_STATUS, "closed"), "关停");
	assert_string_equal(i18n_word(VOCAB_PROBLEM_STATE, "closed"), "已销号");
	/* and nothing for a word no vocabulary has */
	assert_string_equal(i18n_word(VOCAB_STATE, "sleepy"), "sleepy");
	unsetenv("LC_ALL");
	setlocale(LC_MESSAGES, "C");
	free(dir);
	free(copy);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_word_is_under_a_known_vocabulary),
		cmocka_unit_test(the_states_and_roles_the_code_defines_are_listed),
		cmocka_unit_test(the_zh_cn_catalog_translates_every_word_in_its_context),
	};

	argv0 = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
