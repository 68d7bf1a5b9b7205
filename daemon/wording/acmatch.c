/* acmatch.c — Aho–Corasick automaton in a double array.
 *
 * Construction works from the patterns sorted bytewise: the patterns below a
 * trie state are then one contiguous range, and its children are the runs of
 * equal bytes at the state's depth.  States are placed breadth first, so
 * when a state's children are placed every shallower state already has its
 * own, which is all the failure function of the new children needs.
 *
 * Placement looks for a base where every child's cell is free, walking a
 * list of free cells.  States with one child (most of them: wrong forms
 * share little beyond their first characters) take the first free cell.
 * States with several children start further on, past cells that failed
 * too often, so building stays close to linear in the size of the trie. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "wording/acmatch.h"

#define AC_FREE   (-1)          /* check of a cell no state owns */
#define AC_ROOT   (-2)          /* check of the root's own cell */
#define AC_NONE   (-1)          /* out: no pattern ends here or below */
#define AC_SUFFIX (-2)          /* out: none here, some on the dict chain */
#define AC_MAX_TRIES 16         /* failed fits before a cell is skipped */

/* What a scan reads for every byte, in 8 bytes so that as many states as
 * possible stay in cache.  Once built, base holds the base times two plus
 * one bit telling whether some pattern ends at this state or on its
 * failure chain, which saves a second memory access per byte. */
struct ac_cell {
	int32_t  base;          /* children are at base + byte */
	int32_t  check;         /* the state owning this cell, or AC_FREE */
};

struct acmatch {
	struct ac_cell *cells;
	size_t          ncells;
	size_t          nstates;
	int32_t        *fail;   /* longest proper suffix that is a state */
	int32_t        *out;    /* id of a pattern ending here, AC_NONE, AC_SUFFIX */
	int32_t        *dict;   /* next state on the fail chain with an id */
	int32_t        *same;   /* next id of an identical pattern, or -1 */
	size_t         *lens;   /* pattern lengths by id */
	size_t          npats;
};

/* One state waiting for its children: the sorted patterns [lo, hi) go
 * through it and it sits depth bytes deep. */
struct ac_pending {
	int32_t  state;
	size_t   lo, hi, depth;
};

/* A pattern as construction sees it. */
struct ac_key {
	const unsigned char *s;
	size_t               len;
	int32_t              id;
};

struct ac_build {
	struct acmatch      *ac;
	struct ac_key       *keys;          /* non-empty patterns, sorted */
	size_t               nkeys;
	size_t               cap;           /* cells allocated */
	int32_t             *next_free;     /* doubly linked free cells */
	int32_t             *prev_free;
	uint8_t             *tries;
	int32_t              free_head;
	int32_t              multi_head;    /* where multi-child fits start */
	struct ac_pending   *queue;
	size_t               qhead, qtail, qcap;
	size_t               used;          /* 1 + highest cell in use */
};

static int
key_cmp(const void *a, const void *b)
{
	const struct ac_key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static void
free_unlink(struct ac_build *b, int32_t c)
{
	int32_t n = b->next_free[c], p = b->prev_free[c];

	if (p >= 0)
		b->next_free[p] = n;
	else
		b->free_head = n;
	if (n >= 0)
		b->prev_free[n] = p;
	if (b->multi_head == c)
		b->multi_head = n;
}

/* Grows the cell array to at least want cells, the new ones free. */
static void
cells_grow(struct ac_build *b, size_t want)
{
	struct acmatch *ac = b->ac;
	size_t old = b->cap, i;
	int32_t tail;

	if (want <= old)
		return;
	if (want > INT32_MAX)
		fatalx("acmatch: automaton too large");
	b->cap = old ? old : 1024;
	while (b->cap < want)
		b->cap *= 2;
	if (b->cap > INT32_MAX)
		b->cap = INT32_MAX;
	ac->cells = xrealloc(ac->cells, b->cap * sizeof(*ac->cells));
	ac->fail = xrealloc(ac->fail, b->cap * sizeof(*ac->fail));
	ac->out = xrealloc(ac->out, b->cap * sizeof(*ac->out));
	ac->dict = xrealloc(ac->dict, b->cap * sizeof(*ac->dict));
	b->next_free = xrealloc(b->next_free, b->cap * sizeof(int32_t));
	b->prev_free = xrealloc(b->prev_free, b->cap * sizeof(int32_t));
	b->tries = xrealloc(b->tries, b->cap);
	for (tail = b->free_head; tail >= 0 && b->next_free[tail] >= 0; )
		tail = b->next_free[tail];
	for (i = old; i < b->cap; i++) {
		ac->cells[i] = (struct ac_cell){ 0, AC_FREE };
		ac->fail[i] = ac->dict[i] = 0;
		ac->out[i] = AC_NONE;
		b->tries[i] = 0;
		b->prev_free[i] = tail;
		b->next_free[i] = -1;
		if (tail >= 0)
			b->next_free[tail] = (int32_t)i;
		else
			b->free_head = (int32_t)i;
		if (b->multi_head < 0)
			b->multi_head = (int32_t)i;
		tail = (int32_t)i;
	}
}

static int
base_fits(struct ac_build *b, int32_t base, const uint8_t *labels, size_t n)
{
	size_t i;

	cells_grow(b, (size_t)base + 257);
	for (i = 0; i < n; i++)
		if (b->ac->cells[base + labels[i]].check != AC_FREE)
			return 0;
	return 1;
}

/* A base whose cells for all labels are free. */
static int32_t
base_find(struct ac_build *b, const uint8_t *labels, size_t n)
{
	int32_t c, base;

	cells_grow(b, 257);
	c = n > 1 ? b->multi_head : b->free_head;
	for (;;) {
		if (c < 0) {
			c = (int32_t)b->cap;
			cells_grow(b, b->cap + 257);
		}
		base = c - labels[0];
		if (base >= 0 && base_fits(b, base, labels, n))
			return base;
		if (n > 1 && b->tries[c] < UINT8_MAX && ++b->tries[c] >=
		    AC_MAX_TRIES && c == b->multi_head)
			b->multi_head = b->next_free[c];
		c = b->next_free[c];
	}
}

static void
queue_push(struct ac_build *b, int32_t state, size_t lo, size_t hi,
    size_t depth)
{
	if (b->qtail == b->qcap) {
		b->qcap = b->qcap ? b->qcap * 2 : 256;
		b->queue = xrealloc(b->queue, b->qcap * sizeof(*b->queue));
	}
	b->queue[b->qtail++] = (struct ac_pending){ state, lo, hi, depth };
}

/* The state reached from s on byte c, or -1. */
static int32_t
ac_goto(const struct acmatch *ac, int32_t s, uint8_t c)
{
	int32_t t = ac->cells[s].base + c;

	return ac->cells[t].check == s ? t : -1;
}

/* Links a new child t (byte c of parent s) into the failure function and
 * records which patterns end at it: the run [lo, hi) of sorted ids that
 * are exactly depth bytes long. */
static void
state_finish(struct ac_build *b, int32_t s, int32_t t, uint8_t c,
    size_t lo, size_t hi, size_t depth)
{
	struct acmatch *ac = b->ac;
	int32_t f = -1, u;
	size_t i;

	for (u = s; u != 0 && f < 0; ) {
		u = ac->fail[u];
		f = ac_goto(ac, u, c);
	}
	f = ac->fail[t] = f > 0 ? f : 0;
	ac->dict[t] = ac->out[f] >= 0 ? f : ac->dict[f];
	ac->out[t] = ac->dict[t] ? AC_SUFFIX : AC_NONE;
	for (i = lo; i < hi && b->keys[i].len == depth; i++) {
		if (i == lo)
			ac->out[t] = b->keys[i].id;
		else
			ac->same[b->keys[i - 1].id] = b->keys[i].id;
	}
}

/* Places the children of one state: the distinct bytes at depth among its
 * patterns, each run of equal bytes becoming one child. */
static void
state_expand(struct ac_build *b, const struct ac_pending *p)
{
	struct acmatch *ac = b->ac;
	uint8_t labels[256];
	size_t starts[257], n = 0, i, lo = p->lo;
	int32_t base, t;

	while (lo < p->hi && b->keys[lo].len == p->depth)
		lo++;
	for (i = lo; i < p->hi; i++) {
		uint8_t c = b->keys[i].s[p->depth];

		if (n == 0 || labels[n - 1] != c) {
			labels[n] = c;
			starts[n++] = i;
		}
	}
	if (n == 0)
		return;
	starts[n] = p->hi;
	base = base_find(b, labels, n);
	ac->cells[p->state].base = base;
	for (i = 0; i < n; i++) {
		t = base + labels[i];
		free_unlink(b, t);
		ac->cells[t].check = p->state;
		if ((size_t)t + 1 > b->used)
			b->used = (size_t)t + 1;
		ac->nstates++;
		state_finish(b, p->state, t, labels[i], starts[i],
		    starts[i + 1], p->depth + 1);
		queue_push(b, t, starts[i], starts[i + 1], p->depth + 1);
	}
}

static void
build_init(struct ac_build *b, struct acmatch *ac, const char *const *pats,
    const size_t *lens, size_t n)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	b->ac = ac;
	b->free_head = b->multi_head = -1;
	b->keys = xcalloc(n, sizeof(*b->keys));
	for (i = 0; i < n; i++)
		if (lens[i] > 0)
			b->keys[b->nkeys++] = (struct ac_key){
			    (const unsigned char *)pats[i], lens[i], (int32_t)i };
	qsort(b->keys, b->nkeys, sizeof(*b->keys), key_cmp);
	cells_grow(b, 257);
	free_unlink(b, 0);
	ac->cells[0].check = AC_ROOT;
	ac->nstates = 1;
	b->used = 1;
}

/* Gives back what construction alone needed and trims the cell array to
 * the cells a scan can reach: the highest base plus one byte. */
static void
build_done(struct ac_build *b)
{
	struct acmatch *ac = b->ac;
	size_t need = b->used + 256, i;

	for (i = 0; i < b->used; i++)
		if (ac->cells[i].check != AC_FREE &&
		    (size_t)ac->cells[i].base + 257 > need)
			need = (size_t)ac->cells[i].base + 257;
	cells_grow(b, need);
	if (need > INT32_MAX / 2)
		fatalx("acmatch: automaton too large");
	ac->ncells = need;
	ac->cells = xrealloc(ac->cells, need * sizeof(*ac->cells));
	ac->fail = xrealloc(ac->fail, need * sizeof(*ac->fail));
	ac->out = xrealloc(ac->out, need * sizeof(*ac->out));
	ac->dict = xrealloc(ac->dict, need * sizeof(*ac->dict));
	for (i = 0; i < need; i++)
		ac->cells[i].base = ac->cells[i].base * 2 +
		    (ac->out[i] != AC_NONE);
	free(b->keys);
	free(b->next_free);
	free(b->prev_free);
	free(b->tries);
	free(b->queue);
}

struct acmatch *
acmatch_new(const char *const *pats, const size_t *lens, size_t n)
{
	struct acmatch *ac = xcalloc(1, sizeof(*ac));
	struct ac_build b;
	size_t i;

	if (n > INT32_MAX)
		fatalx("acmatch: too many patterns");
	ac->npats = n;
	ac->lens = xcalloc(n, sizeof(*ac->lens));
	ac->same = xcalloc(n, sizeof(*ac->same));
	for (i = 0; i < n; i++) {
		ac->lens[i] = lens[i];
		ac->same[i] = -1;
	}
	build_init(&b, ac, pats, lens, n);
	queue_push(&b, 0, 0, b.nkeys, 0);
	while (b.qhead < b.qtail) {
		struct ac_pending p = b.queue[b.qhead++];

		state_expand(&b, &p);
	}
	build_done(&b);
	return ac;
}

void
acmatch_free(struct acmatch *ac)
{
	if (ac == NULL)
		return;
	free(ac->cells);
	free(ac->fail);
	free(ac->out);
	free(ac->dict);
	free(ac->same);
	free(ac->lens);
	free(ac);
}

/* Reports every pattern ending at state s, text offset end. */
static int
report(const struct acmatch *ac, int32_t s, size_t end, ac_match_fn fn,
    void *arg)
{
	int32_t id;
	int r;

	if (ac->out[s] < 0)
		s = ac->dict[s];
	for (; s != 0; s = ac->dict[s])
		for (id = ac->out[s]; id >= 0; id = ac->same[id])
			if ((r = fn(arg, (uint32_t)id, end - ac->lens[id],
			    end)) != 0)
				return r;
	return 0;
}

int
acmatch_scan(const struct acmatch *ac, const char *text, size_t len,
    ac_match_fn fn, void *arg)
{
	const struct ac_cell *cell = ac->cells;
	const int32_t *fail = ac->fail;
	const unsigned char *p = (const unsigned char *)text;
	int32_t s = 0, t;
	size_t i;
	int r;

	for (i = 0; i < len; i++) {
		for (;;) {
			t = (cell[s].base >> 1) + p[i];
			if (cell[t].check == s) {
				s = t;
				break;
			}
			if (s == 0)
				break;
			s = fail[s];
		}
		if ((cell[s].base & 1) &&
		    (r = report(ac, s, i + 1, fn, arg)) != 0)
			return r;
	}
	return 0;
}

size_t
acmatch_states(const struct acmatch *ac)
{
	return ac->nstates;
}

size_t
acmatch_memsize(const struct acmatch *ac)
{
	return sizeof(*ac) + ac->ncells * (sizeof(*ac->cells) +
	    sizeof(*ac->fail) + sizeof(*ac->out) + sizeof(*ac->dict)) +
	    ac->npats * (sizeof(*ac->same) +
	    sizeof(*ac->lens));
}
