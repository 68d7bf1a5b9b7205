/* feed.h — RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON Feed parsing.
 *
 * feed_parse() detects the format from the content, converts the body to
 * UTF-8 (see feed_charset.h), and returns every entry.  It never looks at
 * the clock: deciding what counts as an update is the poller's job
 * (post.c). */
#ifndef MW_FEED_H
#define MW_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum feed_format {
	FEED_UNKNOWN,
	FEED_RSS,            /* RSS 0.9x / 2.0 */
	FEED_RDF,            /* RSS 1.0 */
	FEED_ATOM,           /* Atom 1.0 and 0.3 */
	FEED_JSON,           /* JSON Feed 1.0 / 1.1 */
};

struct feed_entry {
	char   *id;          /* guid / id; NULL when the entry has none */
	char   *title;       /* UTF-8 text for people: title, else dc:title;
	                      * XML and HTML entities decoded once */
	char   *link;        /* the page: the first rel="alternate" (or no rel)
	                      * link, its href before its text; else a
	                      * permalink guid; may be NULL */
	char   *summary;     /* description / summary / content_text; may be NULL */
	char   *date_raw;    /* the date text chosen by DESIGN rule 1, or NULL */
	time_t  published;   /* parsed date_raw; valid only when has_date */
	bool    has_date;
	bool    date_modified; /* date_raw is a modification date (Atom updated,
	                        * dcterms:modified, date_modified): rule 8 */
};

struct feed {
	enum feed_format    format;
	char               *encoding;    /* source encoding, e.g. "GB18030", "UTF-8" */
	char               *title;
	struct feed_entry  *entries;
	size_t              n_entries;
};

/* Parses body (len bytes).  http_charset is the Content-Type charset or
 * NULL.  Returns 0 and fills *out (free with feed_free()), or -1 with a
 * message in *error (caller frees, it starts "not a feed: ") when nothing
 * usable could be read.  A
 * malformed feed that still yields entries is a success. */
int  feed_parse(const char *body, size_t len, const char *http_charset,
         struct feed *out, char **error);
void feed_free(struct feed *feed);
const char *feed_format_name(enum feed_format format);   /* "rss", "atom", … */

#endif
