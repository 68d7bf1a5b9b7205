/* util.h — memory, growable strings, UTF-8 helpers shared by every module. */
#ifndef MW_UTIL_H
#define MW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that cannot fail: out of memory is fatal (see log.h). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);            /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) MW_PRINTF(1, 2);
/* Sets *error to the message (the caller frees it) and returns -1: the
 * refusal of a function that reports to its caller. */
int   set_error(char **error, const char *fmt, ...) MW_PRINTF(2, 3);

/* A growable, always NUL-terminated byte string.  The owner frees with
 * sb_free() or takes the buffer with sb_steal(). */
struct strbuf {
	char   *buf;                     /* NUL-terminated; NULL until first append */
	size_t  len;                     /* bytes used, excluding the NUL */
	size_t  cap;                     /* bytes allocated */
};
#define STRBUF_INIT { NULL, 0, 0 }
void  sb_append(struct strbuf *sb, const char *s, size_t n);
void  sb_puts(struct strbuf *sb, const char *s);
void  sb_putc(struct strbuf *sb, char c);
void  sb_printf(struct strbuf *sb, const char *fmt, ...) MW_PRINTF(2, 3);
void  sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
const char *sb_str(const struct strbuf *sb);   /* "" when empty */
char *sb_steal(struct strbuf *sb);             /* caller frees; sb is reset */
void  sb_reset(struct strbuf *sb);
void  sb_free(struct strbuf *sb);

/* UTF-8 */
bool utf8_valid(const char *s, size_t len);
/* Decodes one code point at s (len bytes available); returns its length in
 * bytes, or 0 when the sequence is invalid or truncated. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Writes code point cp (at most U+10FFFF) to s, which has room for 4
 * bytes; returns its length. */
size_t utf8_encode(uint32_t cp, char *s);
int  codepoint_width(uint32_t cp);       /* 0, 1 or 2 terminal columns */
size_t utf8_display_width(const char *s);
bool has_control_chars(const char *s);
/* A copy of user text fit for one line of a header or a message: invalid
 * UTF-8 becomes U+FFFD, every control character (C0, DEL, C1) a space.
 * Caller frees. */
char *utf8_printable_copy(const char *s);  /* C0 (except none allowed) or DEL */

/* NULL-terminated string lists ("strv"), each string and the list malloc'd */
char **strv_dup(const char *const *src);          /* NULL src: empty list */
/* The strings of a JSON array text ("[\"a\", \"b\"]"); other values and
 * malformed text give fewer or none.  *n gets the count. */
char **strv_from_json(const char *text, size_t *n);
void   strv_free(char **list);                     /* NULL is fine */

/* Strings */
/* 64-bit FNV-1a: stable across versions, since post GUID hashes are stored. */
uint64_t str_hash64(const char *s);
/* The decimal text of n in buf, returned; without printf's cost, for
 * the numbers of long lists. */
#define INT_TEXT_SIZE 24
const char *int_text(long long n, char buf[INT_TEXT_SIZE]);
bool str_empty(const char *s);          /* NULL or "" */
char *str_trim(char *s);                /* in place: leading/trailing ASCII space */
bool str_has_prefix(const char *s, const char *prefix);
bool str_case_prefix(const char *s, const char *prefix);
/* 1-based line number of byte offset in buf. */
size_t line_number_at(const char *buf, size_t offset);

#endif
