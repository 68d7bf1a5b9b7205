/* jsonrow.h — rows of JSON built member by member.
 *
 * A document or a list of a large registry has hundreds of thousands of
 * rows, each an object of a dozen members or more: built member by member
 * (json_pack() read its format again for every row), and the texts
 * repeated from row to row (a unit, a platform, a state, a day) one shared
 * string each, kept in texts (a JSON object used as a dictionary, one for
 * each list or thread).  A row never changes a string in place. */
#ifndef MW_JSONROW_H
#define MW_JSONROW_H

#include <jansson.h>

/* The shared string of text (borrowed), "" for text that is not UTF-8. */
json_t *shared_text(json_t *texts, const char *text);
/* row's member key: a shared text, a text of its own ("" when not UTF-8),
 * a number.  Keys are the callers' literals. */
void row_shared(json_t *row, const char *key, json_t *texts, const char *text);
void row_text(json_t *row, const char *key, const char *text);
void row_int(json_t *row, const char *key, long long n);

#endif
