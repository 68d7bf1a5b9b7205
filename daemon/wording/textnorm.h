/* textnorm.h — the text the wording check looks at.
 *
 * textnorm() turns a post title or summary (UTF-8, perhaps HTML, perhaps
 * broken) into one line of clean UTF-8:
 *   - with TN_HTML: tags, comments and the contents of <script> and <style>
 *     are removed (block tags such as <p> and <br> count as a space), and
 *     character references are decoded (&amp; &lt; &nbsp; &#NNN; &#xHHH; …);
 *     a '<' or '&' that does not start markup is kept as text;
 *   - full-width ASCII forms U+FF01–U+FF5E become ASCII;
 *   - every run of white space (ASCII, U+3000, U+00A0, …) becomes one space,
 *     with none at either end; zero-width and control characters vanish;
 *   - each invalid UTF-8 byte becomes U+FFFD.
 * The result is always valid UTF-8, so a UTF-8 pattern found in it starts
 * and ends on character boundaries.
 *
 * It also keeps a map from offsets in the result back to byte offsets in the
 * input, so a hit can be shown where it is in the original.  The map is a
 * list of marks, one where the correspondence changes, so plain text costs
 * next to nothing.
 *
 * Ownership: the caller owns the struct normtext and frees what textnorm()
 * put in it with normtext_free(). */
#ifndef MW_TEXTNORM_H
#define MW_TEXTNORM_H

#include <stddef.h>

#define TN_HTML 0x1             /* input is HTML (or may contain markup) */

struct tn_mark {
	size_t  norm;           /* offset in the normalised text */
	size_t  orig;           /* the input offset it came from */
};

struct normtext {
	char           *text;   /* NUL-terminated normalised UTF-8 */
	size_t          len;    /* bytes in text */
	size_t          orig_len;       /* bytes of input */
	struct tn_mark *marks;  /* sorted by norm; see textnorm.c */
	size_t          nmarks;
	size_t          capmarks;
};

void    textnorm(struct normtext *nt, const char *in, size_t len, int flags);
void    normtext_free(struct normtext *nt);

/* Input byte offset where the normalised byte at off came from (off == len
 * gives the end of the input). */
size_t  normtext_orig_start(const struct normtext *nt, size_t off);
/* Input byte offset just past what produced the normalised bytes before end
 * (end > 0); with normtext_orig_start() it maps a hit to an input range. */
size_t  normtext_orig_end(const struct normtext *nt, size_t end);

/* Normalises a NUL-terminated string; the caller frees the result. */
char   *textnorm_str(const char *s, int flags);

#endif
