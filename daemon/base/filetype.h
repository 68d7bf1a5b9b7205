/* filetype.h — what a file is, read from its bytes alone.
 *
 * The console keeps the evidence units send with their replies (a scanned
 * reply carrying the unit's seal, a photo of a page): PDF, JPEG or PNG.
 * A file's name and the type a browser claims for it prove nothing, so the
 * type is decided here from the content: the format's signature at the
 * start, then a walk over its whole structure to the format's end — PNG
 * chunks with their CRCs, JPEG segments and the scan to its end marker, a
 * PDF's objects, streams, cross-reference and trailer.  Anything after the
 * format's end is refused, so a file cannot be a picture and a web page at
 * once.
 *
 * The walk decompresses nothing and reads each byte a bounded number of
 * times: a hostile file costs time linear in its size and no memory.  A
 * length declared past the end of the file, nesting deeper than
 * FILETYPE_DEPTH and a picture larger than FILETYPE_PIXELS a side are
 * refused.  fuzz_filetype.c drives it with hostile input. */
#ifndef MW_FILETYPE_H
#define MW_FILETYPE_H

#include <stddef.h>

#define FILETYPE_DEPTH   32          /* PDF dictionaries and arrays */
#define FILETYPE_PIXELS  20000       /* width or height of a picture */

enum filetype { FILETYPE_UNKNOWN, FILETYPE_PDF, FILETYPE_JPEG, FILETYPE_PNG };

/* The type of the len bytes at data, or FILETYPE_UNKNOWN with *why, a
 * static English phrase saying what is wrong ("is HTML, not a PDF, JPEG
 * or PNG file", "a stream is declared longer than the file"). */
enum filetype filetype_check(const unsigned char *data, size_t len,
                  const char **why);

const char *filetype_mime(enum filetype t);    /* "application/pdf", … */
const char *filetype_ext(enum filetype t);     /* "pdf", "jpg", "png" */
/* The type of a MIME type filetype_mime() gives, else FILETYPE_UNKNOWN. */
enum filetype filetype_of_mime(const char *mime);

#endif
