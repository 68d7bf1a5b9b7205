/* fuzz_feed.c — feed_parse() (charset_decode(), then XML or JSON) over any
 * body.
 *
 * An input may start with a line "charset=LABEL\n": LABEL is then passed as
 * the HTTP Content-Type charset and the rest is the body, so the seeds can
 * exercise the header-against-prolog rules. */
#include "base/util.h"
#include "fuzz.h"
#include "poll/feed.h"
#include "poll/feed_charset.h"

#define CHARSET_PREFIX "charset="

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

/* Splits off the optional charset line; *charset is NULL or malloc'd. */
static void
split_charset(const uint8_t **data, size_t *size, char **charset)
{
	size_t plen = strlen(CHARSET_PREFIX);
	const uint8_t *nl;

	*charset = NULL;
	if (*size < plen || memcmp(*data, CHARSET_PREFIX, plen) != 0)
		return;
	if ((nl = memchr(*data, '\n', *size)) == NULL)
		return;
	*charset = fuzz_strdup(*data + plen, (size_t)(nl - *data) - plen);
	*size -= (size_t)(nl + 1 - *data);
	*data = nl + 1;
}

static void
check_decode(const char *body, size_t len, const char *charset)
{
	char *text, *encoding;
	size_t text_len;

	text = charset_decode(body, len, charset, &text_len, &encoding);
	FUZZ_ASSERT(text != NULL && encoding != NULL, "charset_decode returns text");
	FUZZ_ASSERT(text[text_len] == '\0', "decoded text is NUL-terminated");
	FUZZ_ASSERT(strlen(text) == text_len, "decoded text holds no NUL");
	FUZZ_ASSERT(utf8_valid(text, text_len), "decoded text is UTF-8");
	free(text);
	free(encoding);
}

static void
check_feed(const struct feed *feed)
{
	size_t i;

	for (i = 0; i < feed->n_entries; i++) {
		const struct feed_entry *e = &feed->entries[i];

		FUZZ_ASSERT(!e->title || utf8_valid(e->title, strlen(e->title)),
		    "entry title is UTF-8");
		FUZZ_ASSERT(!e->has_date || e->date_raw, "a date has its text");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed feed;
	char *charset, *error = NULL;

	split_charset(&data, &size, &charset);
	check_decode((const char *)data, size, charset);
	if (feed_parse((const char *)data, size, charset, &feed, &error) == 0) {
		check_feed(&feed);
		feed_free(&feed);
	} else
		FUZZ_ASSERT(error != NULL, "a failed parse says why");
	free(error);
	free(charset);
	return 0;
}
