/* feed_charset.h — a feed body, whatever its encoding, as clean UTF-8.
 *
 * The encoding is chosen the way browsers choose it: a byte order mark
 * wins, then UTF-16 or UTF-32 recognised by the zero bytes around the first
 * '<' (XML 1.0 Appendix F), then the HTTP charset, then the XML
 * declaration; with none of these, UTF-8 when the body is valid UTF-8, else
 * GB18030, the fallback of Chinese browsers.  GB2312 and GBK are decoded as
 * GB18030 and Big5 as Big5-HKSCS, the supersets browsers use, because sites
 * that declare the smaller set still use characters from the larger one. */
#ifndef MW_FEED_CHARSET_H
#define MW_FEED_CHARSET_H

#include <stddef.h>

/* Decodes body (len bytes; http_charset may be NULL).  Bytes that do not
 * decode, NUL and the other control characters XML forbids become U+FFFD, so
 * one bad byte never stops a parse.  Returns the NUL-terminated UTF-8 text
 * without its BOM (caller frees) and its length in *out_len, and the source
 * encoding as declared or detected ("UTF-8", "GBK", "BIG5", …) in *encoding
 * (caller frees). */
char *charset_decode(const char *body, size_t len, const char *http_charset,
    size_t *out_len, char **encoding);

#endif
