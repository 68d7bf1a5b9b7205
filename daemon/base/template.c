/* template.c — {{name}} substitution with sections over lists of rows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/strpool.h"
#include "base/template.h"

#define TMPL_DEPTH     16               /* nested sections */
#define TMPL_FILE_MAX  (1024 * 1024)

struct tmpl_entry {
	const char         *key;        /* in the names' pool */
	const char         *value;      /* in the pool; NULL for a list */
	struct tmpl_vars  **rows;
	size_t              n_rows, cap_rows;
};

/* Entries and rows grow by doubling: an alert lists thousands of rows of
 * a dozen names each.  The names and values of a set and of all its rows
 * are copied into one pool, owned by the set its caller made and freed
 * with it (a value replaced stays there until then): a malloc and a free
 * for each would cost more than the copy. */
struct tmpl_vars {
	struct tmpl_entry  *e;
	size_t              n, cap;
	struct strpool     *pool;
	bool                owns_pool;  /* the set its caller made */
};

static void
set_json_scalar(struct tmpl_vars *v, const char *key, const json_t *value)
{
	if (json_is_string(value))
		tmpl_set(v, key, json_string_value(value));
	else if (json_is_integer(value))
		tmpl_set_int(v, key, json_integer_value(value));
	else if (json_is_real(value))
		tmpl_setf(v, key, "%g", json_real_value(value));
	else if (json_is_true(value))
		tmpl_set(v, key, "1");
	else if (!json_is_object(value))
		tmpl_set(v, key, "");
}

static void
set_json_list(struct tmpl_vars *v, const char *key, const json_t *array)
{
	struct tmpl_vars *row;
	const json_t *el, *member;
	const char *name;
	size_t i;
	char *count = xasprintf("n_%s", key);

	tmpl_set_list(v, key);
	json_array_foreach(array, i, el) {
		row = tmpl_add_row(v, key);
		tmpl_set_int(row, "no", (long long)i + 1);
		if (json_is_object(el))
			json_object_foreach((json_t *)el, name, member)
				set_json_scalar(row, name, member);
		else
			set_json_scalar(row, "text", el);
	}
	tmpl_setf(v, count, "%zu", json_array_size(array));
	free(count);
}

struct tmpl_vars *
tmpl_vars_from_json(const json_t *obj)
{
	struct tmpl_vars *v = tmpl_vars_new();
	const json_t *value;
	const char *key;

	json_object_foreach((json_t *)obj, key, value) {
		if (json_is_array(value))
			set_json_list(v, key, value);
		else
			set_json_scalar(v, key, value);
	}
	return v;
}

enum tok_kind { TOK_TEXT, TOK_VAR, TOK_SECTION, TOK_INVERTED, TOK_END };

struct tok {
	enum tok_kind       kind;
	const char         *s;          /* text, or the name in a tag */
	size_t              len;
	int                 line;
	size_t              end;        /* sections: index of their TOK_END */
};

struct scope {
	const struct tmpl_vars *vars;
	const struct scope     *up;
};

struct tmpl_vars *
tmpl_vars_new(void)
{
	struct tmpl_vars *v = xcalloc(1, sizeof(*v));

	v->pool = xcalloc(1, sizeof(*v->pool));
	v->owns_pool = true;
	return v;
}

static void
entry_clear(struct tmpl_entry *e)
{
	size_t i;

	for (i = 0; i < e->n_rows; i++)
		tmpl_vars_free(e->rows[i]);
	free(e->rows);
	e->value = NULL;
	e->rows = NULL;
	e->n_rows = e->cap_rows = 0;
}

void
tmpl_vars_free(struct tmpl_vars *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		entry_clear(&v->e[i]);
	free(v->e);
	if (v->owns_pool) {
		strpool_free(v->pool);
		free(v->pool);
	}
	free(v);
}

static struct tmpl_entry *
entry_get(struct tmpl_vars *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->e[i].key, key) == 0)
			return &v->e[i];
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->e = xrealloc(v->e, v->cap * sizeof(*v->e));
	}
	v->e[v->n] = (struct tmpl_entry){ .key = strpool_add(v->pool, key) };
	return &v->e[v->n++];
}

void
tmpl_set(struct tmpl_vars *v, const char *key, const char *value)
{
	struct tmpl_entry *e = entry_get(v, key);

	entry_clear(e);
	e->value = strpool_add(v->pool, value ? value : "");
}

void
tmpl_setf(struct tmpl_vars *v, const char *key, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	tmpl_set(v, key, sb_str(&sb));
	sb_free(&sb);
}

void
tmpl_set_int(struct tmpl_vars *v, const char *key, long long n)
{
	char buf[INT_TEXT_SIZE];

	tmpl_set(v, key, int_text(n, buf));
}

void
tmpl_set_list(struct tmpl_vars *v, const char *key)
{
	struct tmpl_entry *e = entry_get(v, key);

	if (e->value)
		entry_clear(e);
}

struct tmpl_vars *
tmpl_add_row(struct tmpl_vars *v, const char *key)
{
	struct tmpl_entry *e = entry_get(v, key);
	struct tmpl_vars *row;

	if (e->value)
		entry_clear(e);
	if (e->n_rows == e->cap_rows) {
		e->cap_rows = e->cap_rows ? 2 * e->cap_rows : 8;
		e->rows = xrealloc(e->rows, e->cap_rows * sizeof(*e->rows));
	}
	row = xcalloc(1, sizeof(*row));
	row->pool = v->pool;
	return e->rows[e->n_rows++] = row;
}

/* Hands put the runs of s between HTML's special characters as they are
 * and each special character as its entity: a large registry's report
 * escapes millions of cells, so nothing is copied twice. */
static void
html_escape_runs(const char *s, void (*put)(void *, const char *, size_t),
    void *to)
{
	size_t n;

	for (; *s; s++) {
		if ((n = strcspn(s, "&<>\"'")) > 0) {
			put(to, s, n);
			if (*(s += n) == '\0')
				break;
		}
		switch (*s) {
		case '&':  put(to, "&amp;", 5);  break;
		case '<':  put(to, "&lt;", 4);   break;
		case '>':  put(to, "&gt;", 4);   break;
		case '"':  put(to, "&quot;", 6); break;
		default:   put(to, "&#39;", 5);  break;
		}
	}
}

static void
put_strbuf(void *sb, const char *s, size_t n)
{
	sb_append(sb, s, n);
}

static void
put_file(void *out, const char *s, size_t n)
{
	fwrite(s, 1, n, out);
}

void
html_escape_append(struct strbuf *sb, const char *s)
{
	html_escape_runs(s, put_strbuf, sb);
}

void
html_escape_write(FILE *out, const char *s)
{
	html_escape_runs(s, put_file, out);
}

void
markdown_escape_append(struct strbuf *sb, const char *s)
{
	static const char special[] = "\\`*_[]<>#|~&";
	const char *p;

	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			sb_putc(sb, ' ');
		else if ((p = strchr(special, *s)) != NULL)
			/* U+FF01.. mirrors ASCII 0x21..: the same sign, inert */
			sb_printf(sb, "\xef%c%c", 0xbc + (*s - 0x20 >= 0x40),
			    0x80 + ((*s - 0x20) & 0x3f));
		else
			sb_putc(sb, *s);
	}
}

json_t *
tmpl_vars_to_json(const struct tmpl_vars *v)
{
	json_t *o = json_object(), *rows;
	size_t i, j;

	for (i = 0; i < v->n; i++) {
		const struct tmpl_entry *e = &v->e[i];

		if (e->value) {
			json_object_set_new(o, e->key, json_string(e->value));
			continue;
		}
		rows = json_array();
		for (j = 0; j < e->n_rows; j++)
			json_array_append_new(rows, tmpl_vars_to_json(e->rows[j]));
		json_object_set_new(o, e->key, rows);
	}
	return o;
}

/* --- parsing ------------------------------------------------------------ */

struct parse {
	struct tok         *t;
	size_t              n;
	const char         *where;      /* file name for messages */
	int                 line;
	char              **error;
};

static int parse_fail(struct parse *, const char *, ...) MW_PRINTF(2, 3);

static int
parse_fail(struct parse *p, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	sb_printf(&sb, "%s:%d: ", p->where, p->line);
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	*p->error = sb_steal(&sb);
	return -1;
}

static void
tok_add(struct parse *p, enum tok_kind kind, const char *s, size_t len)
{
	p->t = xrealloc(p->t, (p->n + 1) * sizeof(*p->t));
	p->t[p->n++] = (struct tok){ kind, s, len, p->line, 0 };
}

static bool
blank_span(const char *a, const char *b)
{
	for (; a < b; a++)
		if (*a != ' ' && *a != '\t')
			return false;
	return true;
}

/* A tag alone on its line (spaces aside): *from and *to become the start
 * of that line and the start of the next, so the line disappears. */
static bool
standalone(const char *tmpl, const char *open, const char *close,
    const char **from, const char **to)
{
	const char *ls = open, *le = close + strcspn(close, "\n");

	while (ls > tmpl && ls[-1] != '\n')
		ls--;
	if (!blank_span(ls, open) || !blank_span(close, le))
		return false;
	*from = ls;
	*to = *le ? le + 1 : le;
	return true;
}

static int
tag_parse(struct parse *p, const char *in, size_t len, enum tok_kind *kind,
    const char **name, size_t *nlen)
{
	size_t i;

	while (len > 0 && (*in == ' ' || in[len - 1] == ' ')) {
		if (*in == ' ')
			in++;
		len--;
	}
	*kind = TOK_VAR;
	if (len > 0 && strchr("#^/!", *in)) {
		*kind = *in == '#' ? TOK_SECTION : *in == '^' ? TOK_INVERTED :
		    *in == '/' ? TOK_END : TOK_TEXT;        /* TEXT: comment */
		for (in++, len--; len > 0 && *in == ' '; in++, len--)
			;
	}
	*name = in;
	*nlen = len;
	if (*kind == TOK_TEXT)
		return 0;
	for (i = 0; i < len; i++)
		if (!(in[i] >= 'a' && in[i] <= 'z') && !(in[i] >= 'A' &&
		    in[i] <= 'Z') && !(in[i] >= '0' && in[i] <= '9') &&
		    in[i] != '_')
			break;
	if (len == 0 || i < len)
		return parse_fail(p, _("bad tag {{%.*s}}"), (int)len, in);
	return 0;
}

static int
nest(struct parse *p, size_t *stack, size_t *depth)
{
	struct tok *t = &p->t[p->n - 1], *o;

	if (t->kind == TOK_SECTION || t->kind == TOK_INVERTED) {
		if (*depth == TMPL_DEPTH)
			return parse_fail(p, _("sections nested too deeply at "
			    "{{#%.*s}}"), (int)t->len, t->s);
		stack[(*depth)++] = p->n - 1;
	} else if (t->kind == TOK_END) {
		if (*depth == 0)
			return parse_fail(p, _("{{/%.*s}} closes nothing"),
			    (int)t->len, t->s);
		o = &p->t[stack[--*depth]];
		if (o->len != t->len || memcmp(o->s, t->s, t->len) != 0)
			return parse_fail(p, _("{{/%.*s}} does not close the "
			    "open section"), (int)t->len, t->s);
		o->end = p->n - 1;
	}
	return 0;
}

static int
lines_between(const char *a, const char *b)
{
	int n = 0;

	for (; a < b; a++)
		n += *a == '\n';
	return n;
}

static int
tokenize(struct parse *p, const char *tmpl)
{
	const char *text = tmpl, *open, *close, *from, *to, *name;
	size_t stack[TMPL_DEPTH], depth = 0, nlen;
	enum tok_kind kind;
	const struct tok *t;

	while ((open = strstr(text, "{{")) != NULL) {
		p->line += lines_between(text, open);
		if ((close = strstr(open + 2, "}}")) == NULL)
			return parse_fail(p, _("{{ without }}"));
		if (tag_parse(p, open + 2, (size_t)(close - open - 2), &kind,
		    &name, &nlen) == -1)
			return -1;
		from = open;
		to = close + 2;
		if (kind != TOK_VAR)
			standalone(tmpl, open, close + 2, &from, &to);
		if (from > text)
			tok_add(p, TOK_TEXT, text, (size_t)(from - text));
		if (kind != TOK_TEXT) {
			tok_add(p, kind, name, nlen);
			if (nest(p, stack, &depth) == -1)
				return -1;
		}
		p->line += lines_between(open, to);
		text = to;
	}
	if (*text)
		tok_add(p, TOK_TEXT, text, strlen(text));
	if (depth > 0) {
		t = &p->t[stack[depth - 1]];
		p->line = t->line;
		return parse_fail(p, _("{{#%.*s}} is never closed"), (int)t->len,
		    t->s);
	}
	return 0;
}

/* --- rendering ---------------------------------------------------------- */

static const struct tmpl_entry *
scope_find(const struct scope *sc, const char *key, size_t len)
{
	size_t i;

	/* the first byte tells most names apart without a call: an alert
	 * looks up a dozen names in each of thousands of rows */
	for (; sc; sc = sc->up)
		for (i = 0; i < sc->vars->n; i++)
			if (sc->vars->e[i].key[0] == key[0] &&
			    strncmp(sc->vars->e[i].key, key, len) == 0 &&
			    sc->vars->e[i].key[len] == '\0')
				return &sc->vars->e[i];
	return NULL;
}

static bool
truthy(const struct tmpl_entry *e)
{
	if (e->value == NULL)
		return e->n_rows > 0;
	return e->value[0] != '\0' && strcmp(e->value, "0") != 0;
}

static int render(struct parse *, size_t, size_t, const struct scope *,
    enum tmpl_escape, struct strbuf *);

static int
render_section(struct parse *p, const struct tok *t,
    const struct tmpl_entry *e, const struct scope *sc,
    enum tmpl_escape esc, struct strbuf *out)
{
	size_t first = (size_t)(t - p->t) + 1, i;
	struct scope row;

	if (t->kind == TOK_INVERTED || e->value != NULL) {
		if (truthy(e) == (t->kind == TOK_SECTION))
			return render(p, first, t->end, sc, esc, out);
		return 0;
	}
	for (i = 0; i < e->n_rows; i++) {
		row = (struct scope){ e->rows[i], sc };
		if (render(p, first, t->end, &row, esc, out) == -1)
			return -1;
	}
	return 0;
}

static int
render(struct parse *p, size_t from, size_t to, const struct scope *sc,
    enum tmpl_escape esc, struct strbuf *out)
{
	const struct tmpl_entry *e;
	const struct tok *t;
	size_t i;

	for (i = from; i < to; i++) {
		t = &p->t[i];
		if (t->kind == TOK_TEXT) {
			sb_append(out, t->s, t->len);
			continue;
		}
		p->line = t->line;
		if ((e = scope_find(sc, t->s, t->len)) == NULL)
			return parse_fail(p, _("unknown name {{%.*s}}"),
			    (int)t->len, t->s);
		if (t->kind == TOK_VAR && e->value == NULL)
			return parse_fail(p, _("{{%.*s}} is a list: use "
			    "{{#name}}…{{/name}}"), (int)t->len, t->s);
		if (t->kind != TOK_VAR) {
			if (render_section(p, t, e, sc, esc, out) == -1)
				return -1;
			i = t->end;
		} else if (esc == TMPL_HTML)
			html_escape_append(out, e->value);
		else if (esc == TMPL_MARKDOWN)
			markdown_escape_append(out, e->value);
		else
			sb_puts(out, e->value);
	}
	return 0;
}

static int
render_source(const char *tmpl, const char *where, int first_line,
    const struct tmpl_vars *v, enum tmpl_escape esc, char **out,
    char **error)
{
	struct parse p = { NULL, 0, where, first_line, error };
	struct strbuf sb = STRBUF_INIT;
	struct scope top = { v, NULL };
	int rc;

	rc = tokenize(&p, tmpl);
	if (rc == 0)
		rc = render(&p, 0, p.n, &top, esc, &sb);
	free(p.t);
	if (rc == -1) {
		sb_free(&sb);
		return -1;
	}
	*out = sb_steal(&sb);
	return 0;
}

int
template_render(const char *tmpl, const struct tmpl_vars *v,
    enum tmpl_escape esc, char **out, char **error)
{
	return render_source(tmpl, "template", 1, v, esc, out, error);
}

/* --- message files -------------------------------------------------------- */

const char *
template_builtin(const char *file)
{
	size_t i;

	for (i = 0; i < n_template_builtins; i++)
		if (strcmp(template_builtins[i].name, file) == 0)
			return template_builtins[i].text;
	return NULL;
}

/* The whole file, or NULL with *error; a missing file sets errno ENOENT. */
static char *
file_read(const char *path, char **error)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	FILE *f;
	int e;

	if ((f = fopen(path, "re")) == NULL) {
		e = errno;
		*error = xasprintf(_("cannot open %s: %s"), path, strerror(e));
		errno = e;
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 &&
	    sb.len + n <= TMPL_FILE_MAX)
		sb_append(&sb, buf, n);
	e = ferror(f) ? errno : n > 0 ? EFBIG : 0;
	fclose(f);
	if (e != 0 || memchr(sb_str(&sb), '\0', sb.len) != NULL) {
		*error = xasprintf(_("cannot read %s: %s"), path,
		    e ? strerror(e) : _("it holds a NUL byte"));
		sb_free(&sb);
		errno = e ? e : EINVAL;
		return NULL;
	}
	return sb_steal(&sb);
}

/* One file of a message: DIR/FILE when the folder has it, else the
 * built-in.  *where names it for messages ("DIR/FILE" or "built-in
 * FILE"; caller frees).  NULL with *error NULL when neither exists, NULL
 * with *error when the override cannot be read. */
static char *
message_file(const char *dir, const char *file, char **where, char **error)
{
	const char *builtin;
	char *path, *src;

	*error = NULL;
	if (dir != NULL) {
		path = xasprintf("%s/%s", dir, file);
		if ((src = file_read(path, error)) != NULL || errno != ENOENT) {
			*where = path;
			return src;
		}
		free(*error);
		*error = NULL;
		free(path);
	}
	if ((builtin = template_builtin(file)) == NULL)
		return NULL;
	*where = xasprintf("built-in %s", file);
	return xstrdup(builtin);
}

/* The subject line and the text body of NAME.txt. */
static int
render_text_part(const char *src, const char *where, const struct tmpl_vars *v,
    enum tmpl_escape esc, struct mail_text *out, char **error)
{
	const char *body;
	char *subject;
	int line = 2, rc;

	if (!str_has_prefix(src, "Subject:")) {
		*error = xasprintf(_("%s:1: the first line must be "
		    "\"Subject: …\""), where);
		return -1;
	}
	body = src + strcspn(src, "\n");
	subject = xstrndup(src + strlen("Subject:"),
	    (size_t)(body - src) - strlen("Subject:"));
	if (*body == '\n')
		body++;
	if (*body == '\n' || (body[0] == '\r' && body[1] == '\n')) {
		body += *body == '\n' ? 1 : 2;
		line++;
	}
	rc = render_source(str_trim(subject), where, 1, v, esc, &out->subject,
	    error);
	if (rc == 0)
		rc = render_source(body, where, line, v, esc, &out->text, error);
	free(subject);
	return rc;
}

int
template_render_mail(const char *dir, const char *name,
    const struct tmpl_vars *v, struct mail_text *out, char **error)
{
	char *file, *where = NULL, *src;
	int rc;

	*out = (struct mail_text){ NULL, NULL, NULL };
	file = xasprintf("%s.txt", name);
	src = message_file(dir, file, &where, error);
	if (src == NULL && *error == NULL)
		*error = xasprintf(_("%s: no such message template"), file);
	rc = src ? render_text_part(src, where, v, TMPL_TEXT, out, error) : -1;
	free(src);
	free(where);
	free(file);
	where = NULL;
	file = xasprintf("%s.html", name);
	/* the HTML part is optional: without one the mail is text only */
	if (rc == 0) {
		src = message_file(dir, file, &where, error);
		if (src != NULL)
			rc = render_source(src, where, 1, v, TMPL_HTML,
			    &out->html, error);
		else if (*error != NULL)
			rc = -1;
		free(src);
	}
	free(where);
	free(file);
	if (rc == -1)
		mail_text_free(out);
	return rc;
}

int
template_render_chat(const char *dir, const char *name,
    const struct tmpl_vars *v, struct mail_text *out, char **error)
{
	char *file = xasprintf("%s.md", name), *where = NULL, *src;
	int rc;

	*out = (struct mail_text){ NULL, NULL, NULL };
	src = message_file(dir, file, &where, error);
	if (src == NULL && *error == NULL)
		*error = xasprintf(_("%s: no such message template"), file);
	rc = src ? render_text_part(src, where, v, TMPL_MARKDOWN, out,
	    error) : -1;
	free(src);
	free(where);
	free(file);
	if (rc == -1)
		mail_text_free(out);
	return rc;
}

void
mail_text_free(struct mail_text *m)
{
	free(m->subject);
	free(m->text);
	free(m->html);
	*m = (struct mail_text){ NULL, NULL, NULL };
}
