/* jsonscan.h — a pull reader of JSON text in a buffer.
 *
 * It walks the text once, in place, and hands over one token at a time:
 * the caller keeps what it wants and skips the rest, and no tree is built.
 * It accepts and refuses exactly what jansson's json_loadb() with no flags
 * does: the top level is an object or an array, followed by whitespace
 * only; strings hold no raw control character, no \u0000 and no unpaired
 * UTF-16 surrogate; integers fit in 64 bits and reals do not overflow;
 * values nest at most JSONSCAN_MAX_DEPTH deep.  The text must be valid
 * UTF-8 (it is not checked again) and need not be NUL-terminated.
 *
 * A string's text goes into the caller's strbuf, a number's is pointed to
 * in the buffer: the reader keeps no text of its own. */
#ifndef MW_JSONSCAN_H
#define MW_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* jansson's JSON_PARSER_MAX_DEPTH: a value inside 2048 open objects and
 * arrays is refused, so a hostile document cannot exhaust a caller that
 * recurses. */
#define JSONSCAN_MAX_DEPTH 2048

enum jsonscan_token {
	JTOK_ERROR,             /* refused: see error and line */
	JTOK_END,               /* the top-level value and the text are over */
	JTOK_OBJECT,            /* '{' */
	JTOK_OBJECT_END,        /* '}' */
	JTOK_ARRAY,             /* '[' */
	JTOK_ARRAY_END,         /* ']' */
	JTOK_KEY,               /* a member's name, unescaped into text */
	JTOK_STRING,            /* a string value, unescaped into text */
	JTOK_INTEGER,           /* number, integer */
	JTOK_REAL,              /* number, real */
	JTOK_TRUE,
	JTOK_FALSE,
	JTOK_NULL,
};

struct jsonscan {
	const char *p;          /* next byte to read */
	const char *end;
	int         line;       /* of p, 1-based; of the fault after an error */
	int         depth;      /* objects and arrays open */
	int         state;      /* what the grammar allows next (jsonscan.c) */
	unsigned char in_object[JSONSCAN_MAX_DEPTH / 8];  /* a bit per level */
	const char *number;     /* the last number as written, not terminated */
	size_t      number_len;
	long long   integer;    /* its value, for JTOK_INTEGER */
	double      real;       /* its value, for JTOK_REAL */
	const char *error;      /* why the text was refused (English, static) */
};

void jsonscan_init(struct jsonscan *s, const char *buf, size_t len);

/* The next token.  For JTOK_KEY and JTOK_STRING the unescaped text
 * replaces text's content; text may be NULL, and the string is then only
 * checked.  The close of the top-level value is returned only once the
 * rest of the buffer is known to be whitespace.  After JTOK_ERROR every
 * call returns JTOK_ERROR again. */
enum jsonscan_token jsonscan_next(struct jsonscan *s, struct strbuf *text);

/* Skips the next value whole (a scalar, or an object or array and all it
 * holds), checked as jsonscan_next() checks it but without unescaping.
 * Call it where a value comes: after a key, or inside an array before
 * its close.  0, or -1 when the text is refused. */
int  jsonscan_skip(struct jsonscan *s);

/* Skips the rest of the innermost open object or array, through its
 * close: for a value whose opening token was read and is not wanted.
 * 0, or -1 when the text is refused. */
int  jsonscan_leave(struct jsonscan *s);

#endif
