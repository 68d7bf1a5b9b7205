/* sheet.c — cells read from a spreadsheet or CSV file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sheet.h"
#include "base/util.h"

void
sheet_free(struct sheet *s)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		for (j = 0; j < s->rows[i].n; j++)
			free(s->rows[i].cells[j].text);
		free(s->rows[i].cells);
	}
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

struct sheet_row *
sheet_add_row(struct sheet *s, size_t line)
{
	struct sheet_row *r;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->rows = xrealloc(s->rows, s->cap * sizeof(*s->rows));
	}
	r = &s->rows[s->n++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	return r;
}

void
sheet_add_cell(struct sheet_row *r, unsigned col, enum cell_kind kind,
    char *text)
{
	struct sheet_cell *c;

	if (*text == '\0') {
		free(text);
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->cells = xrealloc(r->cells, r->cap * sizeof(*r->cells));
	}
	c = &r->cells[r->n++];
	c->col = col;
	c->kind = kind;
	c->text = text;
}

void
sheet_set_cell(struct sheet_row *r, unsigned col, enum cell_kind kind,
    char *text)
{
	size_t at = 0;

	while (at < r->n && r->cells[at].col < col)
		at++;
	if (at < r->n && r->cells[at].col == col) {
		free(r->cells[at].text);
		r->cells[at].kind = kind;
		r->cells[at].text = text;
		return;
	}
	sheet_add_cell(r, col, kind, text);     /* appended last … */
	if (r->n == 0 || r->cells[r->n - 1].col != col)
		return;                         /* (it was empty) */
	if (at < r->n - 1) {                    /* … and moved into place */
		struct sheet_cell c = r->cells[r->n - 1];

		memmove(&r->cells[at + 1], &r->cells[at],
		    (r->n - 1 - at) * sizeof(c));
		r->cells[at] = c;
	}
}

void
sheet_drop_empty_rows(struct sheet *s)
{
	size_t i, kept = 0;

	for (i = 0; i < s->n; i++) {
		if (s->rows[i].n == 0) {
			free(s->rows[i].cells);
			continue;
		}
		s->rows[kept++] = s->rows[i];
	}
	s->n = kept;
}

const struct sheet_cell *
sheet_cell(const struct sheet_row *r, unsigned col)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->cells[mid].col == col)
			return &r->cells[mid];
		if (r->cells[mid].col < col)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *
sheet_column_name(const struct sheet *s, unsigned col, char *buf)
{
	char tmp[12];
	size_t n = 0, i;
	unsigned long v = (unsigned long)col + 1;

	if (!s->letters) {
		snprintf(buf, 12, "%lu", v);
		return buf;
	}
	while (v > 0 && n < sizeof(tmp)) {
		tmp[n++] = (char)('A' + (v - 1) % 26);
		v = (v - 1) / 26;
	}
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

static bool
starts_formula(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@';
}

/* Apostrophes, then a character that starts a formula. */
static bool
apostrophe_led(const char *text)
{
	const char *p = text;

	while (*p == '\'')
		p++;
	return p > text && starts_formula(*p);
}

bool
sheet_needs_guard(const char *text, bool guard_always)
{
	return apostrophe_led(text) || (guard_always && starts_formula(*text));
}

char *
sheet_guard(const char *text, bool guard_always)
{
	if (sheet_needs_guard(text, guard_always))
		return xasprintf("'%s", text);
	return xstrdup(text);
}

char *
sheet_unguard(const char *text)
{
	return xstrdup(apostrophe_led(text) ? text + 1 : text);
}
