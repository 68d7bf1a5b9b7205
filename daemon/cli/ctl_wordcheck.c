/* ctl_wordcheck.c — `mediawatchctl wordcheck`: the word lists on any text,
 * and re-checking the stored posts after a list changed. */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "monitor/wording.h"
#include "store/db.h"

#define INPUT_MAX (256 * 1024 * 1024)

static const char wordcheck_usage[] = N_(
"usage: mediawatchctl wordcheck [--list FILE]… [--allow FILE]…\n"
"              [--encoding utf-8|gbk] [FILE|-]\n"
"       mediawatchctl wordcheck --rescan [--since YYYY-MM-DD]\n"
"              [--list FILE]… [--allow FILE]…\n"
"\n"
"Looks for the wrong forms of the word lists (wording.lists in the\n"
"configuration, plus each --list; allowed phrases from wording.allowlists\n"
"and each --allow) in a text and prints every hit: position, wrong form,\n"
"correct form, severity and a snippet (--json adds the note, the matched\n"
"text and the list line).  The input (FILE, or standard input when FILE is\n"
"- or missing) is plain text or HTML, positions LINE:COLUMN; or a CSV\n"
"export of posts: when its header names a title or summary column (title,\n"
"summary, description, 标题, 摘要), those fields are checked in each row,\n"
"positions LINE:FIELD:COLUMN with LINE the row's line.\n"
"\n"
"--rescan re-checks the stored posts (first seen or published on or after\n"
"--since, default all) with the lists: new hits open wording problems, and\n"
"open wording problems whose post no longer has the wrong form close as\n"
"rectified.  Serious hits email the unit only for posts dated within the\n"
"last two days; older ones go to the problem list and the next notice.\n"
"\n"
"Exit status: 0 when the check ran, hits or not (count them with --json);\n"
"1 for a bad list (FILE:LINE), unreadable input or a failed rescan;\n"
"2 for a usage error.\n");

struct wc_args {
	char       **lists, **allows;   /* configured ones first, NULL-ended */
	size_t       n_lists, n_allows;
	const char  *input, *since, *encoding;
	bool         rescan;
};

enum { W_LIST = 1, W_ALLOW, W_RESCAN, W_SINCE, W_ENCODING, W_HELP };

static const struct option wordcheck_options[] = {
	{ "list", required_argument, NULL, W_LIST },
	{ "allow", required_argument, NULL, W_ALLOW },
	{ "rescan", no_argument, NULL, W_RESCAN },
	{ "since", required_argument, NULL, W_SINCE },
	{ "encoding", required_argument, NULL, W_ENCODING },
	{ "help", no_argument, NULL, W_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct column hit_columns[] = {
	{ "position", N_("POSITION"), COL_TEXT },
	{ "wrong", N_("WRONG"), COL_TEXT },
	{ "correct", N_("CORRECT"), COL_TEXT },
	{ "severity", N_("SEVERITY"), COL_SEVERITY },
	{ "snippet", N_("SNIPPET"), COL_TEXT },
};

static const struct column rescan_columns[] = {
	{ "posts", N_("Posts checked"), COL_TEXT },
	{ "hits", N_("Wrong forms found"), COL_TEXT },
	{ "opened", N_("Problems opened"), COL_TEXT },
	{ "closed", N_("Problems closed (rectified)"), COL_TEXT },
	{ "mailed", N_("Emails queued"), COL_TEXT },
};

static void
push(char ***list, size_t *n, const char *s)
{
	*list = xrealloc(*list, (*n + 2) * sizeof(char *));
	(*list)[(*n)++] = (char *)s;
	(*list)[*n] = NULL;
}

static void
push_all(char ***list, size_t *n, char **from)
{
	for (; from && *from; from++)
		push(list, n, *from);
}

static int
parse_wordcheck_options(int argc, char **argv, struct wc_args *a)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", wordcheck_options, NULL)) != -1) {
		switch (c) {
		case W_LIST: push(&a->lists, &a->n_lists, optarg); break;
		case W_ALLOW: push(&a->allows, &a->n_allows, optarg); break;
		case W_RESCAN: a->rescan = true; break;
		case W_SINCE: a->since = optarg; break;
		case W_ENCODING: a->encoding = optarg; break;
		case W_HELP: fputs(_(wordcheck_usage), stdout); return 1;
		default:
			return ctl_usage_error(wordcheck_usage, _("wordcheck: unknown "
			    "or incomplete option '%s'"), argv[optind - 1]), -1;
		}
	}
	return 0;
}

static int
check_args(int argc, char **argv, struct wc_args *a)
{
	if (optind < argc)
		a->input = argv[optind++];
	if (optind < argc)
		return ctl_usage_error(wordcheck_usage, _("wordcheck: one input at "
		    "most"));
	if (a->rescan && (a->input || a->encoding))
		return ctl_usage_error(wordcheck_usage, _("wordcheck: --rescan "
		    "reads the stored posts, not a file"));
	if (!a->rescan && a->since)
		return ctl_usage_error(wordcheck_usage, _("wordcheck: --since "
		    "needs --rescan"));
	if (a->since && iso_date_valid(a->since) == -1)
		return ctl_usage_error(wordcheck_usage, _("wordcheck: --since "
		    "needs a date YYYY-MM-DD"));
	if (a->encoding && strcasecmp(a->encoding, "utf-8") &&
	    strcasecmp(a->encoding, "utf8") && strcasecmp(a->encoding, "gbk"))
		return ctl_usage_error(wordcheck_usage, _("wordcheck: --encoding "
		    "must be utf-8 or gbk"));
	return 0;
}

/* The configured lists and the ones given; NULL after reporting. */
static struct wordcheck *
load_lists(struct ctl *ctl, struct wc_args *a, int *rc)
{
	char **lists = NULL, **allows = NULL, *error = NULL;
	size_t nl = 0, na = 0;
	struct wordcheck *wc = NULL;

	push_all(&lists, &nl, ctl->cfg.wording.lists);
	push_all(&lists, &nl, a->lists);
	push_all(&allows, &na, ctl->cfg.wording.allowlists);
	push_all(&allows, &na, a->allows);
	if (nl == 0) {
		log_warnx(N_("wordcheck: no word list: set wording.lists in the "
		    "configuration or give --list FILE"));
		*rc = EXIT_REFUSED;
	} else if ((wc = wordcheck_new((const char *const *)lists,
	    (const char *const *)allows, &error)) == NULL)
		*rc = ctl_refused("wordcheck", error);
	free(lists);
	free(allows);
	return wc;
}

/* ---- reading the input ---- */

static int
decode_input(const char *name, const char *encoding, struct strbuf *sb)
{
	char *utf8, *error = NULL;
	size_t len, at;

	if (encoding && strcasecmp(encoding, "gbk") == 0) {
		if (csv_from_gbk(sb_str(sb), sb->len, &utf8, &len, &error) == -1)
			return ctl_refused(name, error), -1;
		sb_free(sb);
		sb->buf = utf8;
		sb->len = sb->cap = len;
		return 0;
	}
	if (utf8_valid(sb_str(sb), sb->len))
		return 0;
	/* the check goes on (invalid bytes read as U+FFFD) but says why it
	 * may find nothing */
	for (at = 0; at < sb->len && utf8_valid(sb->buf, at + 1); at++)
		;
	log_warnx(N_("%s:%zu: not UTF-8 text (text saved as GBK needs "
	    "--encoding gbk)"), name, line_number_at(sb->buf, at));
	return 0;
}

/* ---- hits as rows ---- */

static size_t
column_at(const char *buf, size_t off)
{
	size_t start = off, col = 1;

	while (start > 0 && buf[start - 1] != '\n')
		start--;
	for (; start < off; start++)
		col += ((unsigned char)buf[start] & 0xc0) != 0x80;
	return col;
}

/* The names every hit has, after the position ones. */
static void
hit_fill(json_t *row, const struct wordcheck_result *res,
    const struct wordhit *h, const char *text)
{
	const struct wordentry *e = h->entry;
	char *snippet = wording_snippet(res, h);
	json_t *m;

	json_object_set_new(row, "wrong", json_string(e->wrong));
	json_object_set_new(row, "correct", json_string(e->correct));
	json_object_set_new(row, "severity",
	    json_string(wl_severity_name(e->severity)));
	json_object_set_new(row, "snippet", json_string(snippet));
	json_object_set_new(row, "note", json_string(e->note));
	/* the input as given, markup inside the wrong form included; the
	 * normalised form when that is not UTF-8 */
	if ((m = json_stringn(text + h->orig_offset, h->orig_len)) == NULL)
		m = json_string(e->wrong);
	json_object_set_new(row, "matched", m);
	json_object_set_new(row, "offset", json_integer((json_int_t)h->char_offset));
	json_object_set_new(row, "list", json_sprintf("%s:%zu", e->file,
	    e->line));
	free(snippet);
}

static void
text_hits(const struct wordcheck *wc, const char *buf, size_t len,
    json_t *rows)
{
	struct wordcheck_result res;
	size_t i, line, col;
	json_t *row;

	wordcheck_text(wc, buf, len, &res);
	for (i = 0; i < res.nhits; i++) {
		line = line_number_at(buf, res.hits[i].orig_offset);
		col = column_at(buf, res.hits[i].orig_offset);
		row = json_object();
		json_object_set_new(row, "position", json_sprintf("%zu:%zu",
		    line, col));
		hit_fill(row, &res, &res.hits[i], buf);
		json_object_set_new(row, "line", json_integer((json_int_t)line));
		json_object_set_new(row, "column", json_integer((json_int_t)col));
		json_array_append_new(rows, row);
	}
	wordcheck_result_free(&res);
}

/* ---- an exported post list ---- */

enum { F_TITLE, F_SUMMARY, F_LINK, N_FIELDS };

struct csv_layout {
	int         col[N_FIELDS];      /* -1: no such column */
	const char *name[N_FIELDS];     /* as the header spells it */
	struct csv_record header;
};

static int
field_kind(const char *name)
{
	static const char *const names[][6] = {
		{ "title", "标题", NULL },
		{ "summary", "description", "content", "摘要", "内容", NULL },
		{ "link", "url", "链接", NULL },
	};
	int k, i;

	for (k = 0; k < N_FIELDS; k++)
		for (i = 0; names[k][i]; i++)
			if (strcasecmp(name, names[k][i]) == 0)
				return k;
	return -1;
}

/* True when the first record is a header naming a title or summary
 * column: the input is a post list, not text. */
static bool
csv_detect(struct csv_reader *r, struct csv_layout *l)
{
	char *error = NULL;
	size_t i;
	int k;

	memset(l, 0, sizeof(*l));
	for (k = 0; k < N_FIELDS; k++)
		l->col[k] = -1;
	if (csv_next(r, &l->header, &error) != 1) {
		free(error);
		return false;
	}
	for (i = 0; i < l->header.n; i++) {
		char *name = str_trim(l->header.fields[i]);

		if ((k = field_kind(name)) != -1 && l->col[k] == -1) {
			l->col[k] = (int)i;
			l->name[k] = name;
		}
	}
	return l->header.n >= 2 && (l->col[F_TITLE] != -1 ||
	    l->col[F_SUMMARY] != -1);
}

static void
field_hits(const struct wordcheck *wc, const struct csv_layout *l,
    const struct csv_record *rec, int k, json_t *rows)
{
	const char *text = rec->fields[l->col[k]];
	struct wordcheck_result res;
	size_t i, col;
	json_t *row;

	wordcheck_text(wc, text, strlen(text), &res);
	for (i = 0; i < res.nhits; i++) {
		col = res.hits[i].char_offset + 1;
		row = json_object();
		json_object_set_new(row, "position", json_sprintf("%zu:%s:%zu",
		    rec->line, l->name[k], col));
		hit_fill(row, &res, &res.hits[i], text);
		json_object_set_new(row, "line", json_integer((json_int_t)rec->line));
		json_object_set_new(row, "field", json_string(l->name[k]));
		json_object_set_new(row, "column", json_integer((json_int_t)col));
		if (l->col[F_LINK] != -1 && (size_t)l->col[F_LINK] < rec->n)
			json_object_set_new(row, "link",
			    json_string(rec->fields[l->col[F_LINK]]));
		json_array_append_new(rows, row);
	}
	wordcheck_result_free(&res);
}

static int
csv_hits(const struct wordcheck *wc, const char *name, struct csv_reader *r,
    const struct csv_layout *l, json_t *rows)
{
	struct csv_record rec;
	char *error = NULL;
	int rc, k;

	while ((rc = csv_next(r, &rec, &error)) == 1) {
		for (k = F_TITLE; k <= F_SUMMARY; k++)
			if (l->col[k] != -1 && (size_t)l->col[k] < rec.n)
				field_hits(wc, l, &rec, k, rows);
		csv_record_free(&rec);
	}
	if (rc == -1) {
		log_warnx("%s:%s", name, error + (str_has_prefix(error, "line ") ?
		    strlen("line ") : 0));
		free(error);
		return -1;
	}
	return 0;
}

/* ---- the two modes ---- */

static int
check_input(struct ctl *ctl, const struct wordcheck *wc, struct wc_args *a)
{
	const char *path = a->input ? a->input : "-";
	const char *name = strcmp(path, "-") == 0 ? _("stdin") : path;
	struct strbuf sb = STRBUF_INIT;
	struct csv_layout layout;
	struct csv_reader r;
	json_t *rows = json_array();
	size_t skip;
	int rc = EXIT_REFUSED;

	if (read_whole_file(path, INPUT_MAX, &sb) == -1 ||
	    decode_input(name, a->encoding, &sb) == -1)
		goto out;
	skip = str_has_prefix(sb_str(&sb), "\xef\xbb\xbf") ? 3 : 0;
	csv_reader_init(&r, sb_str(&sb) + skip, sb.len - skip);
	if (csv_detect(&r, &layout)) {
		if (csv_hits(wc, name, &r, &layout, rows) == -1)
			goto out_csv;
	} else
		text_hits(wc, sb_str(&sb), sb.len, rows);
	output_rows(stdout, ctl->format, hit_columns, ARRAY_SIZE(hit_columns),
	    rows);
	rc = EXIT_OK;
out_csv:
	csv_record_free(&layout.header);
out:
	json_decref(rows);
	sb_free(&sb);
	return rc;
}

struct rescan_job {
	struct wordcheck *wc;
	time_t            since;
};

static int
do_rescan(struct ctl *ctl, void *arg)
{
	struct rescan_job *job = arg;
	struct wording_stats st;
	json_t *rec;

	if (wording_rescan(ctl->db, &ctl->cfg, job->wc, job->since, mw_now(),
	    &st) == -1) {
		log_warnx(N_("wordcheck --rescan: failed; nothing was changed"));
		return EXIT_REFUSED;
	}
	rec = json_pack("{s:I, s:I, s:I, s:I, s:I}", "posts", (json_int_t)st.posts,
	    "hits", (json_int_t)st.hits, "opened", (json_int_t)st.opened,
	    "closed", (json_int_t)st.closed, "mailed", (json_int_t)st.mailed);
	output_record(stdout, ctl->format, rescan_columns,
	    ARRAY_SIZE(rescan_columns), rec);
	json_decref(rec);
	return EXIT_OK;
}

static int
rescan(struct ctl *ctl, struct wordcheck *wc, const struct wc_args *a)
{
	struct rescan_job job = { wc, 0 };

	if (a->since && iso_date_to_time(a->since, &job.since) == -1)
		return ctl_usage_error(wordcheck_usage, _("wordcheck: --since "
		    "needs a date YYYY-MM-DD"));
	return ctl_in_transaction(ctl, do_rescan, &job);
}

int
cmd_wordcheck(struct ctl *ctl, int argc, char **argv)
{
	struct wc_args a = { 0 };
	struct wordcheck *wc = NULL;
	int rc;

	optind = 0;
	if ((rc = parse_wordcheck_options(argc, argv, &a)) != 0)
		rc = rc == 1 ? EXIT_OK : EXIT_USAGE;
	else if ((rc = check_args(argc, argv, &a)) != 0)
		;
	else if ((wc = load_lists(ctl, &a, &rc)) != NULL)
		rc = a.rescan ? rescan(ctl, wc, &a) : check_input(ctl, wc, &a);
	wordcheck_free(wc);
	free(a.lists);
	free(a.allows);
	return rc;
}
