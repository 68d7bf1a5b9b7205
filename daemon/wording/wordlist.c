/* wordlist.c — read word lists and allowlists, all or nothing.
 *
 * A file is parsed into a batch of entries first; only when every line is
 * good and no wrong form contradicts one already loaded is the batch moved
 * into the set, so a refused list leaves no trace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/util.h"
#include "wording/textnorm.h"
#include "wording/wordlist.h"

#define WL_MAX_FILE (64L * 1024 * 1024)        /* a list is text, not a dump */
#define WL_FIELDS 4

struct wl_batch {
	struct wordentry *entries;
	size_t            n, cap;
	char            **allow;
	size_t            nallow, capallow;
};

struct wl_line {
	const char *name;
	size_t      lineno;
	char       *text;           /* one line, NUL-terminated, no newline */
};

struct wordlist *
wordlist_new(void)
{
	return xcalloc(1, sizeof(struct wordlist));
}

static void
entry_free(struct wordentry *e)
{
	free(e->wrong);
	free(e->correct);
	free(e->note);
}

static void
batch_free(struct wl_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		entry_free(&b->entries[i]);
	for (i = 0; i < b->nallow; i++)
		free(b->allow[i]);
	free(b->entries);
	free(b->allow);
}

void
wordlist_free(struct wordlist *wl)
{
	size_t i;

	if (wl == NULL)
		return;
	for (i = 0; i < wl->nentries; i++)
		entry_free(&wl->entries[i]);
	for (i = 0; i < wl->nallow; i++)
		free(wl->allow[i]);
	for (i = 0; i < wl->nfiles; i++)
		free(wl->files[i]);
	free(wl->entries);
	free(wl->allow);
	free(wl->files);
	free(wl);
}

const char *
wl_severity_name(enum wl_severity sev)
{
	return sev == WL_SERIOUS ? "serious" : "typo";
}

static int
line_error(char **error, const struct wl_line *l, const char *msg)
{
	if (error)
		*error = xasprintf("%s:%zu: %s", l->name, l->lineno, _(msg));
	return -1;
}

/* Checks what every line must be; 1 when it holds nothing (blank or a
 * comment), 0 when it is content, -1 when it is bad. */
static int
line_check(struct wl_line *l, size_t len, char **error)
{
	char *s;

	if (memchr(l->text, '\0', len) != NULL)
		return line_error(error, l, N_("NUL byte"));
	if (!utf8_valid(l->text, len))
		return line_error(error, l, N_("invalid UTF-8"));
	s = l->text + strspn(l->text, " \t");
	return *s == '\0' || *s == '#';
}

/* Splits at tabs, in place; returns the number of fields found. */
static size_t
split_fields(char *s, char **fields, size_t max)
{
	size_t n = 0, i;
	char *tab;

	for (;;) {
		if (n < max)
			fields[n] = s;
		n++;
		if ((tab = strchr(s, '\t')) == NULL)
			break;
		*tab = '\0';
		s = tab + 1;
	}
	for (i = 0; i < n && i < max; i++)
		fields[i] = str_trim(fields[i]);
	return n;
}

static int
parse_severity(const char *s, enum wl_severity *sev)
{
	if (strcmp(s, "serious") == 0)
		*sev = WL_SERIOUS;
	else if (strcmp(s, "typo") == 0)
		*sev = WL_TYPO;
	else
		return -1;
	return 0;
}

/* The checks that need the field values; returns a message or NULL. */
static const char *
entry_problem(char **f, size_t nf, const char *wrong, enum wl_severity *sev)
{
	char *correct;
	const char *msg = NULL;

	if (nf < 3 || nf > WL_FIELDS)
		return N_("expected wrong<TAB>correct<TAB>severity<TAB>note");
	if (has_control_chars(f[0]) || has_control_chars(f[1]) ||
	    has_control_chars(f[2]) || (nf == 4 && has_control_chars(f[3])))
		return N_("control character in a field");
	if (*wrong == '\0')
		return N_("empty wrong form");
	if (*f[1] == '\0')
		return N_("empty correction");
	if (parse_severity(f[2], sev) == -1)
		return N_("unknown severity (expected serious or typo)");
	correct = textnorm_str(f[1], 0);
	if (strcmp(correct, wrong) == 0)
		msg = N_("correction is the same as the wrong form");
	else if (strstr(correct, wrong) != NULL)
		msg = N_("correction contains the wrong form");
	free(correct);
	return msg;
}

static int
parse_entry(struct wl_batch *b, struct wl_line *l, char **error)
{
	char *f[WL_FIELDS], *wrong;
	enum wl_severity sev = WL_TYPO;
	const char *msg;
	size_t nf;

	nf = split_fields(l->text, f, WL_FIELDS);
	wrong = nf >= 3 && nf <= WL_FIELDS ? textnorm_str(f[0], 0) : NULL;
	if ((msg = entry_problem(f, nf, wrong, &sev)) != NULL) {
		free(wrong);
		return line_error(error, l, msg);
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->entries = xrealloc(b->entries, b->cap * sizeof(*b->entries));
	}
	b->entries[b->n++] = (struct wordentry){ wrong, xstrdup(f[1]),
	    xstrdup(nf == 4 ? f[3] : ""), sev, l->name, l->lineno };
	return 0;
}

static int
parse_phrase(struct wl_batch *b, struct wl_line *l, char **error)
{
	char *phrase;

	if (has_control_chars(l->text))
		return line_error(error, l, N_("control character"));
	phrase = textnorm_str(l->text, 0);
	if (*phrase == '\0') {
		free(phrase);
		return line_error(error, l, N_("phrase is only invisible characters"));
	}
	if (b->nallow == b->capallow) {
		b->capallow = b->capallow ? b->capallow * 2 : 16;
		b->allow = xrealloc(b->allow, b->capallow * sizeof(*b->allow));
	}
	b->allow[b->nallow++] = phrase;
	return 0;
}

typedef int (*line_fn)(struct wl_batch *, struct wl_line *, char **);

/* Feeds every content line of buf to fn; stops at the first error. */
static int
parse_lines(struct wl_batch *b, const char *name, const char *buf, size_t len,
    line_fn fn, char **error)
{
	struct wl_line l = { name, 0, NULL };
	const char *end = buf + len, *nl;
	size_t n;
	int r = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		buf += 3;
	while (buf < end && r == 0) {
		nl = memchr(buf, '\n', (size_t)(end - buf));
		n = (nl ? nl : end) - buf;
		l.lineno++;
		l.text = xstrndup(buf, n > 0 && buf[n - 1] == '\r' ? n - 1 : n);
		r = line_check(&l, n > 0 && buf[n - 1] == '\r' ? n - 1 : n,
		    error);
		if (r == 0)
			r = fn(b, &l, error);
		r = r == 1 ? 0 : r;
		free(l.text);
		buf = nl ? nl + 1 : end;
	}
	return r;
}

/* Remembers a list's name for the entries that point to it. */
static const char *
file_intern(struct wordlist *wl, const char *name)
{
	wl->files = xrealloc(wl->files, (wl->nfiles + 1) * sizeof(*wl->files));
	wl->files[wl->nfiles] = xstrdup(name);
	return wl->files[wl->nfiles++];
}

struct wl_ref {
	const struct wordentry *e;
	size_t                  seq;    /* order of loading */
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct wl_ref *x = a, *y = b;
	int c = strcmp(x->e->wrong, y->e->wrong);

	if (c != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Finds wrong forms listed twice.  Repeats with the same correction are
 * marked in drop[] (indexes into the batch); one with another correction
 * is an error, reported at its line (the earliest such line). */
static int
batch_dedup(const struct wordlist *wl, const struct wl_batch *b, char *drop,
    char **error)
{
	size_t n = wl->nentries + b->n, i, first = 0, bad = SIZE_MAX;
	struct wl_ref *refs = xcalloc(n, sizeof(*refs));
	const struct wordentry *f = NULL, *e;

	for (i = 0; i < n; i++) {
		refs[i].e = i < wl->nentries ? &wl->entries[i] :
		    &b->entries[i - wl->nentries];
		refs[i].seq = i;
	}
	qsort(refs, n, sizeof(*refs), ref_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(refs[i].e->wrong, refs[first].e->wrong)) {
			first = i;
			continue;
		}
		if (strcmp(refs[i].e->correct, refs[first].e->correct) == 0)
			drop[refs[i].seq - wl->nentries] = 1;
		else if (bad == SIZE_MAX || refs[i].seq < refs[bad].seq) {
			bad = i;
			f = refs[first].e;
		}
	}
	if (bad != SIZE_MAX && error) {
		e = refs[bad].e;
		*error = xasprintf(_("%s:%zu: \"%s\" is already listed with "
		    "correction \"%s\" (%s:%zu)"), e->file, e->line, e->wrong,
		    f->correct, f->file, f->line);
	}
	free(refs);
	return bad == SIZE_MAX ? 0 : -1;
}

static void
batch_merge(struct wordlist *wl, struct wl_batch *b, const char *drop)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (drop[i]) {
			entry_free(&b->entries[i]);
			continue;
		}
		if (wl->nentries == wl->capentries) {
			wl->capentries = wl->capentries ? wl->capentries * 2 : 64;
			wl->entries = xrealloc(wl->entries,
			    wl->capentries * sizeof(*wl->entries));
		}
		wl->entries[wl->nentries++] = b->entries[i];
	}
	for (i = 0; i < b->nallow; i++) {
		if (wl->nallow == wl->capallow) {
			wl->capallow = wl->capallow ? wl->capallow * 2 : 16;
			wl->allow = xrealloc(wl->allow,
			    wl->capallow * sizeof(*wl->allow));
		}
		wl->allow[wl->nallow++] = b->allow[i];
	}
	b->n = b->nallow = 0;
}

static int
parse_into(struct wordlist *wl, const char *name, const char *buf, size_t len,
    line_fn fn, char **error)
{
	struct wl_batch b;
	const char *file;
	char *drop;
	size_t i;
	int r;

	memset(&b, 0, sizeof(b));
	r = parse_lines(&b, name, buf, len, fn, error);
	drop = xcalloc(b.n + 1, 1);
	if (r == 0)
		r = batch_dedup(wl, &b, drop, error);
	if (r == 0) {
		file = file_intern(wl, name);
		for (i = 0; i < b.n; i++)
			b.entries[i].file = file;
		batch_merge(wl, &b, drop);
	}
	free(drop);
	batch_free(&b);
	return r;
}

int
wordlist_parse(struct wordlist *wl, const char *name, const char *buf,
    size_t len, char **error)
{
	return parse_into(wl, name, buf, len, parse_entry, error);
}

int
wordlist_parse_allow(struct wordlist *wl, const char *name, const char *buf,
    size_t len, char **error)
{
	return parse_into(wl, name, buf, len, parse_phrase, error);
}

static int
read_file(const char *path, struct strbuf *sb, char **error)
{
	char buf[65536];
	FILE *fp;
	size_t n;
	int saved;

	if ((fp = fopen(path, "r")) == NULL) {
		if (error)
			*error = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		sb_append(sb, buf, n);
		if (sb->len > WL_MAX_FILE)
			break;
	}
	saved = errno;
	if (ferror(fp) || sb->len > WL_MAX_FILE) {
		if (error)
			*error = xasprintf("%s: %s", path, ferror(fp) ?
			    strerror(saved) : _("file too large for a word list"));
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

static int
load_file(struct wordlist *wl, const char *path, line_fn fn, char **error)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	r = read_file(path, &sb, error);
	if (r == 0)
		r = parse_into(wl, path, sb_str(&sb), sb.len, fn, error);
	sb_free(&sb);
	return r;
}

int
wordlist_load(struct wordlist *wl, const char *path, char **error)
{
	return load_file(wl, path, parse_entry, error);
}

int
wordlist_load_allow(struct wordlist *wl, const char *path, char **error)
{
	return load_file(wl, path, parse_phrase, error);
}
