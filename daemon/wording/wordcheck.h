/* wordcheck.h — find known wrong forms (错别字, 表述不规范) in a text.
 *
 * A struct wordcheck holds the loaded lists (wordlist.h) and one automaton
 * (acmatch.h) over both the wrong forms and the allowed phrases, so checking
 * a text is one normalisation pass (textnorm.h, HTML mode) and one matching
 * pass, whatever the size of the lists.
 *
 * A hit is dropped when an occurrence of an allowed phrase covers it, that
 * is starts at or before the hit and ends at or after it.  Overlapping hits
 * of different wrong forms are all reported.
 *
 * A struct wordcheck is read-only once built: wordcheck_text() may be
 * called any number of times on it.
 *
 * Ownership: wordcheck_new() and wordcheck_from_list() return an object
 * freed with wordcheck_free(); the entries hits point to live as long as
 * it.  The caller owns a struct wordcheck_result and frees what
 * wordcheck_text() put in it with wordcheck_result_free(). */
#ifndef MW_WORDCHECK_H
#define MW_WORDCHECK_H

#include <stddef.h>

#include "wording/textnorm.h"
#include "wording/wordlist.h"

#define WORDCHECK_CONTEXT 15    /* characters of snippet on each side */

struct wordcheck;

struct wordhit {
	const struct wordentry *entry;  /* wrong, correct, severity, note,
					   file:line of the list; owned by
					   the struct wordcheck */
	size_t  offset;                 /* bytes into the normalised text */
	size_t  len;                    /* bytes; the text there is entry->wrong */
	size_t  char_offset;            /* characters into the normalised text */
	size_t  char_len;               /* characters */
	size_t  orig_offset;            /* bytes into the text as given */
	size_t  orig_len;               /* bytes it spans there (markup inside
					   the wrong form included) */
	char   *before;                 /* up to WORDCHECK_CONTEXT characters of
					   normalised text before the hit */
	char   *after;                  /* … and after it */
};

struct wordcheck_result {
	struct wordhit  *hits;          /* by offset, then longer first */
	size_t           nhits;
	struct normtext  norm;          /* the text the offsets refer to */
};

/* Loads the word lists and allowlists named in the NULL-terminated arrays
 * (either may be NULL) and builds the automaton.  On a bad list returns
 * NULL and sets *error to "FILE:LINE: message" (the caller frees it). */
struct wordcheck *wordcheck_new(const char *const *lists,
    const char *const *allowlists, char **error);
/* Builds from lists already loaded; takes ownership of wl. */
struct wordcheck *wordcheck_from_list(struct wordlist *wl);
void    wordcheck_free(struct wordcheck *wc);

const struct wordlist *wordcheck_list(const struct wordcheck *wc);
size_t  wordcheck_memsize(const struct wordcheck *wc);  /* automaton bytes */

/* Normalises text (len bytes, any bytes at all) and fills res with the
 * hits; res->nhits is 0 when there are none.  Returns res->nhits. */
size_t  wordcheck_text(const struct wordcheck *wc, const char *text,
	    size_t len, struct wordcheck_result *res);
void    wordcheck_result_free(struct wordcheck_result *res);

#endif
