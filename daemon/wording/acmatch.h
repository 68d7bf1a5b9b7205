/* acmatch.h — Aho–Corasick multi-pattern matching over bytes.
 *
 * The automaton is a trie of the patterns stored as a double array: a
 * state's transition on byte c is cell base+c, valid when that cell's check
 * names the state.  So a transition costs one array access whatever the
 * number of patterns, and the automaton takes about 20 bytes per state
 * (10,000 Chinese wrong forms: 90,000 states, under 2 MB).
 * Failure links make one left-to-right pass over the text report every
 * occurrence of every pattern, overlapping ones and patterns inside other
 * patterns included.
 *
 * Patterns are bytes; when patterns and text are valid UTF-8 every match
 * starts and ends on a character boundary, because a valid pattern starts
 * with a lead byte and ends with a complete character.
 *
 * Ownership: acmatch_new() copies what it needs; the caller keeps the
 * patterns.  acmatch_free() releases the automaton. */
#ifndef MW_ACMATCH_H
#define MW_ACMATCH_H

#include <stddef.h>
#include <stdint.h>

struct acmatch;

/* Called once per occurrence of pattern id at text bytes [start, end).
 * Matches come in order of end; at one end, longer patterns first, and
 * identical patterns in order of id.  A non-zero return stops the scan. */
typedef int (*ac_match_fn)(void *arg, uint32_t id, size_t start, size_t end);

/* Builds the automaton for patterns pats[0..n) of lengths lens[0..n); the
 * pattern at index i reports id i.  Empty patterns never match; a pattern
 * may be given more than once and then reports each of its ids. */
struct acmatch *acmatch_new(const char *const *pats, const size_t *lens,
    size_t n);
void    acmatch_free(struct acmatch *ac);

/* Scans text once; returns 0, or the first non-zero value fn returned. */
int     acmatch_scan(const struct acmatch *ac, const char *text, size_t len,
    ac_match_fn fn, void *arg);

size_t  acmatch_states(const struct acmatch *ac);     /* trie states */
size_t  acmatch_memsize(const struct acmatch *ac);    /* bytes held */

#endif
