/* wordcheck.c — normalise, match, drop what the allowlist covers, report.
 *
 * Wrong forms and allowed phrases share one automaton: pattern ids below
 * the number of entries are wrong forms, the rest allowed phrases.  The scan
 * collects both kinds of match; hits are then sorted by position so that
 * the allowlist sweep, the character count and the snippets each take one
 * more walk over the text. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "wording/acmatch.h"
#include "wording/wordcheck.h"

struct wordcheck {
	struct wordlist *wl;
	struct acmatch  *ac;
};

struct span {
	size_t   start, end;
	uint32_t id;
};

struct spans {
	struct span *v;
	size_t       n, cap;
};

struct collect {
	const struct wordcheck *wc;
	struct spans            hits;
	struct spans            allowed;
};

struct wordcheck *
wordcheck_from_list(struct wordlist *wl)
{
	struct wordcheck *wc = xcalloc(1, sizeof(*wc));
	size_t n = wl->nentries + wl->nallow, i;
	const char **pats = xcalloc(n, sizeof(*pats));
	size_t *lens = xcalloc(n, sizeof(*lens));

	for (i = 0; i < wl->nentries; i++)
		pats[i] = wl->entries[i].wrong;
	for (i = 0; i < wl->nallow; i++)
		pats[wl->nentries + i] = wl->allow[i];
	for (i = 0; i < n; i++)
		lens[i] = strlen(pats[i]);
	wc->wl = wl;
	wc->ac = acmatch_new(pats, lens, n);
	free(pats);
	free(lens);
	return wc;
}

struct wordcheck *
wordcheck_new(const char *const *lists, const char *const *allowlists,
    char **error)
{
	struct wordlist *wl = wordlist_new();

	for (; lists && *lists; lists++)
		if (wordlist_load(wl, *lists, error) == -1)
			goto fail;
	for (; allowlists && *allowlists; allowlists++)
		if (wordlist_load_allow(wl, *allowlists, error) == -1)
			goto fail;
	return wordcheck_from_list(wl);
fail:
	wordlist_free(wl);
	return NULL;
}

void
wordcheck_free(struct wordcheck *wc)
{
	if (wc == NULL)
		return;
	acmatch_free(wc->ac);
	wordlist_free(wc->wl);
	free(wc);
}

const struct wordlist *
wordcheck_list(const struct wordcheck *wc)
{
	return wc->wl;
}

size_t
wordcheck_memsize(const struct wordcheck *wc)
{
	return acmatch_memsize(wc->ac);
}

static void
spans_add(struct spans *s, uint32_t id, size_t start, size_t end)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = (struct span){ start, end, id };
}

static int
on_match(void *arg, uint32_t id, size_t start, size_t end)
{
	struct collect *c = arg;

	if (id < c->wc->wl->nentries)
		spans_add(&c->hits, id, start, end);
	else
		spans_add(&c->allowed, id, start, end);
	return 0;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Drops, in place, the hits an allowed phrase covers.  Both lists are
 * sorted by start: an allowed occurrence starting at or before a hit
 * covers it when it also ends at or after it, so the furthest end among
 * those seen so far decides. */
static void
drop_allowed(struct spans *hits, const struct spans *allowed)
{
	size_t i, j = 0, kept = 0, reach = 0;
	int seen = 0;

	for (i = 0; i < hits->n; i++) {
		for (; j < allowed->n && allowed->v[j].start <= hits->v[i].start;
		    j++) {
			if (!seen || allowed->v[j].end > reach)
				reach = allowed->v[j].end;
			seen = 1;
		}
		if (!(seen && reach >= hits->v[i].end))
			hits->v[kept++] = hits->v[i];
	}
	hits->n = kept;
}

static size_t
count_chars(const char *s, size_t from, size_t to)
{
	size_t n = 0;

	for (; from < to; from++)
		n += ((unsigned char)s[from] & 0xc0) != 0x80;
	return n;
}

/* Up to n characters of s before off, or from end on; s is valid UTF-8. */
static char *
context_before(const char *s, size_t off, size_t n)
{
	size_t p = off;

	while (p > 0 && n-- > 0)
		while (p > 0 && ((unsigned char)s[--p] & 0xc0) == 0x80)
			;
	return xstrndup(s + p, off - p);
}

static char *
context_after(const char *s, size_t len, size_t end, size_t n)
{
	size_t p = end;

	while (p < len && n-- > 0)
		while (++p < len && ((unsigned char)s[p] & 0xc0) == 0x80)
			;
	return xstrndup(s + end, p - end);
}

static void
hits_fill(const struct wordcheck *wc, const struct spans *sp,
    struct wordcheck_result *res)
{
	const struct normtext *nt = &res->norm;
	size_t i, chars = 0, at = 0;

	res->hits = xcalloc(sp->n, sizeof(*res->hits));
	res->nhits = sp->n;
	for (i = 0; i < sp->n; i++) {
		struct wordhit *h = &res->hits[i];
		const struct span *s = &sp->v[i];

		chars += count_chars(nt->text, at, s->start);
		at = s->start;
		h->entry = &wc->wl->entries[s->id];
		h->offset = s->start;
		h->len = s->end - s->start;
		h->char_offset = chars;
		h->char_len = count_chars(nt->text, s->start, s->end);
		h->orig_offset = normtext_orig_start(nt, s->start);
		h->orig_len = normtext_orig_end(nt, s->end) - h->orig_offset;
		h->before = context_before(nt->text, s->start,
		    WORDCHECK_CONTEXT);
		h->after = context_after(nt->text, nt->len, s->end,
		    WORDCHECK_CONTEXT);
	}
}

size_t
wordcheck_text(const struct wordcheck *wc, const char *text, size_t len,
    struct wordcheck_result *res)
{
	struct collect c;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.wc = wc;
	textnorm(&res->norm, text, len, TN_HTML);
	acmatch_scan(wc->ac, res->norm.text, res->norm.len, on_match, &c);
	if (c.hits.n > 1)
		qsort(c.hits.v, c.hits.n, sizeof(*c.hits.v), span_cmp);
	if (c.allowed.n > 1)
		qsort(c.allowed.v, c.allowed.n, sizeof(*c.allowed.v),
		    span_cmp);
	drop_allowed(&c.hits, &c.allowed);
	if (c.hits.n > 0)
		hits_fill(wc, &c.hits, res);
	free(c.hits.v);
	free(c.allowed.v);
	return res->nhits;
}

void
wordcheck_result_free(struct wordcheck_result *res)
{
	size_t i;

	for (i = 0; i < res->nhits; i++) {
		free(res->hits[i].before);
		free(res->hits[i].after);
	}
	free(res->hits);
	normtext_free(&res->norm);
	memset(res, 0, sizeof(*res));
}
