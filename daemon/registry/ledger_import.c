/* ledger_import.c — a ledger file read as a sync of the registry.
 *
 * Four passes: the file into a sheet of cells (CSV or .xlsx), the heading
 * row into columns, each row into checked values, and each row matched to
 * the account it describes and compared with it.  Errors name the cell;
 * the plan is carried out by ledger_apply() through account.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/fileio.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "base/xlsx_read.h"
#include "registry/account.h"
#include "registry/ledger.h"
#include "registry/ledger_forms.h"
#include "registry/unit.h"
#include "registry/validate.h"
#include "store/db.h"

#define IMPORT_FILE_MAX     (256L * 1024 * 1024)
#define MAX_REPORTED_ERRORS 50
#define VALUE_SHOWN_MAX     60          /* bytes of a bad value quoted */

/* An account of the registry, as the file's columns see it. */
struct known {
	long long   id;
	char       *v[N_LEDGER_FIELDS];   /* "" for none; status is the key */
	bool        open;
	size_t      line;                 /* the row that describes it, or 0 */
};

struct import_row {
	size_t        line;
	char         *v[N_LEDGER_FIELDS]; /* NULL: no such column; "" empty */
	char         *unit_code;          /* resolved */
	const char   *platform;           /* the platform's key */
	const char   *status;             /* key, NULL when not given */
	bool          bad;
	struct known *match;              /* NULL: a new account */
};

/* A sorted index of known accounts by an identity key. */
struct key_entry {
	char         *key;
	struct known *k;
};

struct ledger_import {
	const struct import_options *opts;
	const struct config  *cfg;
	struct ledger_plan   *plan;
	struct sheet          sheet;
	int                   column[N_LEDGER_FIELDS];  /* -1 absent */
	char                 *heading[N_LEDGER_FIELDS]; /* as written */
	size_t                width;                    /* CSV heading fields */
	struct import_row    *rows;
	size_t                n_rows;
	struct known         *known;
	size_t                n_known;
	struct key_entry     *by_uid, *by_name;
	size_t                n_by_uid, n_by_name;
	char                 *reason_file;              /* for the audit */
};

/* ---- reporting ---- */

static void MW_PRINTF(3, 4)
report(struct ledger_import *im, size_t line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (++im->plan->errors > MAX_REPORTED_ERRORS)
		return;
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	/* the errors of the file are for whoever imports it (see log_user) */
	if (line)
		log_user("%s:%zu:%s", im->plan->source, line, sb_str(&sb));
	else
		log_user("%s: %s", im->plan->source, sb_str(&sb));
	sb_free(&sb);
}

/* A value fit to quote in a message: one line, at most VALUE_SHOWN_MAX
 * bytes (cut at a character), quotes escaped. */
static char *
shown_value(const char *v)
{
	char *p = utf8_printable_copy(v ? v : ""), *q;
	struct strbuf sb = STRBUF_INIT;
	size_t n = strlen(p);
	uint32_t cp;

	if (n > VALUE_SHOWN_MAX) {
		for (n = 0, q = p; *q && n < VALUE_SHOWN_MAX; ) {
			size_t len = utf8_decode(q, strlen(q), &cp);

			if (len == 0 || n + len > VALUE_SHOWN_MAX)
				break;
			n += len;
			q += len;
		}
		p[n] = '\0';
	}
	for (q = p; *q; q++) {
		if (*q == '"' || *q == '\\')
			sb_putc(&sb, '\\');
		sb_putc(&sb, *q);
	}
	if (n < strlen(v ? v : ""))
		sb_puts(&sb, "…");
	free(p);
	return sb.buf ? sb_steal(&sb) : xstrdup("");
}

/* FILE:LINE:COLUMN: heading "value": why */
static void
cell_error(struct ledger_import *im, struct import_row *r, int field,
    const char *why)
{
	char col[12], *value = shown_value(r->v[field]);
	int pos = im->column[field];

	r->bad = true;
	if (pos >= 0)
		report(im, r->line, "%s: %s \"%s\": %s",
		    sheet_column_name(&im->sheet, (unsigned)pos, col),
		    im->heading[field], value, _(why));
	else
		report(im, r->line, " %s \"%s\": %s", ledger_columns[field].key,
		    value, _(why));
	free(value);
}

/* An error of the registry ("platform_uid: …") at the column it names. */
static void
registry_error(struct ledger_import *im, struct import_row *r,
    const char *error)
{
	const char *colon;

	if (error == NULL)           /* a database error, logged by the store */
		error = _("account: could not be stored");
	colon = strchr(error, ':');
	char *key = colon ? xstrndup(error, (size_t)(colon - error)) : NULL;
	int f = key ? ledger_field_of_key(key) : -1;

	if (f == -1 && key && strcmp(key, "on") == 0)
		f = LF_CLOSED;          /* the closing date */
	if (f >= 0 && im->column[f] >= 0)
		cell_error(im, r, f, colon + 2);
	else {
		r->bad = true;
		report(im, r->line, " %s", error);
	}
	free(key);
}

static void report_raw(struct ledger_import *im, const char *error);

/* ---- reading the file into a sheet ---- */

/* The first byte that is not part of valid UTF-8 text (NUL included). */
static const char *
first_invalid_utf8(const char *s, size_t len)
{
	const char *end = s + len;
	uint32_t cp;
	size_t n;

	while (s < end) {
		if ((n = utf8_decode(s, (size_t)(end - s), &cp)) == 0 || cp == 0)
			return s;
		s += n;
	}
	return NULL;
}

static int
read_csv(struct ledger_import *im, char *buf, size_t len)
{
	char *utf8 = NULL, *error = NULL;
	size_t utf8_len;
	const char *bad;
	int rc;

	if (im->opts->sheet) {
		report(im, 0, _("--sheet is for .xlsx workbooks; this is a CSV file"));
		return -1;
	}
	if (im->opts->gbk) {
		if (csv_from_gbk(buf, len, &utf8, &utf8_len, &error) == -1) {
			report_raw(im, error);
			free(error);
			return -1;
		}
		buf = utf8;
		len = utf8_len;
	} else if ((bad = first_invalid_utf8(buf, len)) != NULL) {
		report(im, line_number_at(buf, (size_t)(bad - buf)), _(" not UTF-8 "
		    "text (a file saved by a spreadsheet as GBK needs --encoding "
		    "gbk)"));
		return -1;
	}
	if ((rc = csv_read_sheet(buf, len, &im->sheet, &error)) == -1) {
		report_raw(im, error);
		free(error);
	}
	free(utf8);
	return rc;
}

static int
read_xlsx(struct ledger_import *im, const char *buf, size_t len)
{
	char *error = NULL;

	if (im->opts->encoding_given) {
		report(im, 0, _("--encoding is for CSV files; an .xlsx workbook "
		    "says its own"));
		return -1;
	}
	if (xlsx_read(buf, len, im->opts->sheet, &im->sheet, &error) == -1) {
		report(im, 0, "%s", error);
		free(error);
		return -1;
	}
	return 0;
}

static int
read_sheet(struct ledger_import *im)
{
	struct strbuf input = STRBUF_INIT;
	int rc;

	if (read_whole_file(im->opts->path, IMPORT_FILE_MAX, &input) == -1) {
		im->plan->errors++;
		sb_free(&input);
		return -1;
	}
	if (xlsx_is_legacy_xls(input.buf, input.len)) {
		report(im, 0, _("an Excel 97-2003 workbook (.xls): save it as .xlsx "
		    "or CSV first"));
		rc = -1;
	} else if (xlsx_is_zip(input.buf, input.len))
		rc = read_xlsx(im, input.buf, input.len);
	else
		rc = read_csv(im, input.buf ? input.buf : "", input.len);
	sb_free(&input);
	im->plan->rows = im->sheet.letters;
	return rc;
}

/* ---- the heading row ---- */

/* A title above the table ("武夷山市政务新媒体台账", merged across) has one
 * text; a line such as "填报单位：… 填报日期：…" has no heading we know. */
static bool
heading_like(const struct sheet_row *r, bool known)
{
	bool several = false, some_known = false;
	size_t i;

	for (i = 0; i < r->n; i++) {
		several |= i > 0 && strcmp(r->cells[i].text, r->cells[0].text) != 0;
		some_known |= ledger_field_of_heading(r->cells[i].text) >= 0;
	}
	return several && (some_known || !known);
}

#define HEADING_SEARCH 20      /* rows above the table, at most */

/* The first row that reads as headings, else the first with several
 * texts (its unknown columns are then reported), else the first. */
static size_t
find_heading_row(const struct sheet *s)
{
	size_t i;

	for (i = 0; i < s->n && i < HEADING_SEARCH; i++)
		if (heading_like(&s->rows[i], true))
			return i;
	for (i = 0; i < s->n && i < HEADING_SEARCH; i++)
		if (heading_like(&s->rows[i], false))
			return i;
	return 0;
}

static void
note_ignored(struct ledger_import *im, unsigned col, const char *text)
{
	struct ledger_plan *p = im->plan;
	char name[12];
	size_t n = 0;

	while (p->ignored && p->ignored[n])
		n++;
	p->ignored = xrealloc(p->ignored, (n + 2) * sizeof(char *));
	p->ignored[n] = xasprintf("%s %s", sheet_column_name(&im->sheet, col,
	    name), text);
	p->ignored[n + 1] = NULL;
}

static void
map_heading(struct ledger_import *im, const struct sheet_row *row,
    const struct sheet_cell *c)
{
	char col[12], other[12];
	int f = ledger_field_of_heading(c->text);

	if (f == -1) {
		if (im->opts->ignore_unknown)
			note_ignored(im, c->col, c->text);
		else
			report(im, row->line, _("%s: heading \"%s\": unknown column "
			    "(give --ignore-unknown to skip it)"),
			    sheet_column_name(&im->sheet, c->col, col), c->text);
		return;
	}
	if (im->column[f] != -1) {
		report(im, row->line, _("%s: heading \"%s\": appears twice (also "
		    "column %s)"),
		    sheet_column_name(&im->sheet, c->col, col), c->text,
		    sheet_column_name(&im->sheet, (unsigned)im->column[f], other));
		return;
	}
	im->column[f] = (int)c->col;
	im->heading[f] = ledger_cell_value(c->text);
}

static int
map_headings(struct ledger_import *im, size_t idx)
{
	const struct sheet_row *row = &im->sheet.rows[idx];
	int before = im->plan->errors;
	size_t i;

	im->plan->heading_line = row->line;
	im->width = row->width;
	for (i = 0; i < row->n; i++)
		map_heading(im, row, &row->cells[i]);
	if (im->column[LF_UNIT_CODE] == -1 && im->column[LF_UNIT_NAME] == -1)
		report(im, row->line, _(" unit_code: required column is missing "
		    "(单位代码, or the unit's name: 单位名称)"));
	if (im->column[LF_PLATFORM] == -1)
		report(im, row->line, _(" platform: required column is missing (平台)"));
	if (im->column[LF_NAME] == -1)
		report(im, row->line, _(" name: required column is missing (账号名称)"));
	return im->plan->errors > before ? -1 : 0;
}

/* ---- each row's values ---- */

static bool
mapped_column(const struct ledger_import *im, unsigned col)
{
	int f;

	for (f = 0; f < N_LEDGER_FIELDS; f++)
		if (im->column[f] == (int)col)
			return true;
	return false;
}

/* Data in a column without a heading is refused: it would be lost. */
static void
check_unmapped(struct ledger_import *im, const struct sheet_row *src,
    struct import_row *r, const struct sheet_row *heading)
{
	char col[12];
	size_t i;

	for (i = 0; i < src->n; i++) {
		unsigned c = src->cells[i].col;

		if (mapped_column(im, c) || im->opts->ignore_unknown ||
		    sheet_cell(heading, c) != NULL)
			continue;
		r->bad = true;
		report(im, r->line, _("%s: \"%s\": data in a column without a "
		    "heading"), sheet_column_name(&im->sheet, c, col),
		    src->cells[i].text);
	}
}

/* Whether the row says anything (a numbered empty row does not). */
static bool
row_has_values(const struct import_row *r)
{
	int f;

	for (f = 0; f < N_LEDGER_FIELDS; f++)
		if (f != LF_SEQ && r->v[f] && *r->v[f])
			return true;
	return false;
}

/* Line breaks inside a note cell (Alt+Enter) become spaces: a note is
 * shown on one line. */
static void
flatten_note(char *v)
{
	char *p, *q;

	for (p = q = v; *p; p++) {
		if (*p == '\r' || *p == '\n') {
			if (q > v && q[-1] != ' ')
				*q++ = ' ';
			continue;
		}
		*q++ = *p;
	}
	*q = '\0';
}

static void
read_values(struct ledger_import *im, const struct sheet_row *src,
    struct import_row *r, enum cell_kind *kinds)
{
	const struct sheet_cell *c;
	int f;

	for (f = 0; f < N_LEDGER_FIELDS; f++) {
		kinds[f] = CELL_TEXT;
		if (im->column[f] < 0)
			continue;
		c = sheet_cell(src, (unsigned)im->column[f]);
		r->v[f] = ledger_cell_value(c ? c->text : "");
		if (c)
			kinds[f] = c->kind;
	}
	if (r->v[LF_NOTES])
		flatten_note(r->v[LF_NOTES]);
}

/* ---- checks of one row ---- */

/* With a code, the name column (when there is one) must name that unit:
 * renaming a unit is `unit change`, not an import. */
static void
check_unit_name(sqlite3 *db, struct ledger_import *im, struct import_row *r)
{
	const char *name = r->v[LF_UNIT_NAME];
	char *actual = NULL, *why;

	if (str_empty(name) || strcmp(name, r->unit_code) == 0)
		return;
	db_query_text(db, &actual, "SELECT name FROM unit WHERE code = ? AND"
	    " removed_at IS NULL", "s", r->unit_code);
	if (actual && strcmp(actual, name) != 0) {
		why = xasprintf(_("is not the name of unit %s (%s); rename units "
		    "with `mediawatchctl unit change`"), r->unit_code, actual);
		cell_error(im, r, LF_UNIT_NAME, why);
		free(why);
	}
	free(actual);
}

/* Without a code: the unit name column holds a code or a unit's name. */
static void
unit_by_name(sqlite3 *db, struct ledger_import *im, struct import_row *r)
{
	const char *name = r->v[LF_UNIT_NAME];
	long long n = 0;

	if (unit_id(db, name) != 0) {
		r->unit_code = xstrdup(name);
		return;
	}
	if (db_query_int(db, &n, "SELECT count(*) FROM unit WHERE name = ? AND"
	    " removed_at IS NULL", "s", name) == 0 && n == 1 &&
	    db_query_text(db, &r->unit_code, "SELECT code FROM unit WHERE"
	    " name = ? AND removed_at IS NULL", "s", name) == 0 && r->unit_code)
		return;
	cell_error(im, r, LF_UNIT_NAME, n > 1 ? N_("several units have this "
	    "name; give the unit code (单位代码)") : N_("no unit has this name "
	    "or code (add it with `mediawatchctl unit add`)"));
}

static void
check_unit(sqlite3 *db, struct ledger_import *im, struct import_row *r)
{
	const char *code = r->v[LF_UNIT_CODE];

	if (!str_empty(code)) {
		if (unit_id(db, code) == 0)
			return cell_error(im, r, LF_UNIT_CODE, N_("no such unit (add "
			    "it with `mediawatchctl unit add`)"));
		r->unit_code = xstrdup(code);
		check_unit_name(db, im, r);
	} else if (!str_empty(r->v[LF_UNIT_NAME]))
		unit_by_name(db, im, r);
	else
		cell_error(im, r, im->column[LF_UNIT_CODE] >= 0 ? LF_UNIT_CODE :
		    LF_UNIT_NAME, N_("is required"));
}

static void
check_platform_cell(struct ledger_import *im, struct import_row *r)
{
	const struct platform *p;

	if (str_empty(r->v[LF_PLATFORM]))
		return cell_error(im, r, LF_PLATFORM, N_("is required"));
	if ((p = config_platform_named(im->cfg, r->v[LF_PLATFORM])) == NULL)
		return cell_error(im, r, LF_PLATFORM, N_("is not a configured platform "
		    "(a key or name from `mediawatchctl check-config`)"));
	r->platform = p->key;
}

static void
check_date_cell(struct ledger_import *im, struct import_row *r, int f,
    enum cell_kind kind)
{
	char iso[11], day[32];
	const char *why;

	if (str_empty(r->v[f]))
		return;
	if ((why = ledger_date_parse(r->v[f], kind, im->sheet.date1904, iso)))
		return cell_error(im, r, f, why);
	date_format_local(mw_now(), day, sizeof(day));
	if (strcmp(iso, day) > 0)
		return cell_error(im, r, f, N_("is in the future"));
	free(r->v[f]);
	r->v[f] = xstrdup(iso);
}

static void
check_status_cell(struct ledger_import *im, struct import_row *r)
{
	if (str_empty(r->v[LF_STATUS]))
		return;
	if ((r->status = ledger_status_parse(r->v[LF_STATUS])) == NULL)
		cell_error(im, r, LF_STATUS, N_("is not a status (在用, 暂停, 关停, "
		    "注销 or 整合)"));
}

/* "1.61725E+12": Excel shows a long number so and saves a CSV as shown;
 * the digits are lost. */
static bool
shortened_number(const char *v)
{
	const char *p = v;

	if (!isdigit((unsigned char)*p++))
		return false;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if ((*p != 'E' && *p != 'e') || p[1] != '+' || !isdigit((unsigned char)p[2]))
		return false;
	for (p += 2; isdigit((unsigned char)*p); p++)
		;
	return *p == '\0';
}

static void
check_text_cells(struct ledger_import *im, struct import_row *r)
{
	static const int optional[] = { LF_UID, LF_OPERATOR, LF_FILING, LF_NOTES };
	const char *why;
	size_t i;

	if ((why = check_name(r->v[LF_NAME] ? r->v[LF_NAME] : "")) != NULL)
		cell_error(im, r, LF_NAME, why);
	for (i = 0; i < ARRAY_SIZE(optional); i++)
		if (r->v[optional[i]] && (why = check_optional_text(
		    r->v[optional[i]])) != NULL)
			cell_error(im, r, optional[i], why);
	if (r->v[LF_FEED] && (why = check_feed_url(r->v[LF_FEED])) != NULL)
		cell_error(im, r, LF_FEED, why);
	if (r->v[LF_UID] && shortened_number(r->v[LF_UID]))
		cell_error(im, r, LF_UID, N_("is a number the spreadsheet shortened "
		    "(its digits are lost): format the column as text, type the "
		    "ids again and save"));
}

static void
check_row(sqlite3 *db, struct ledger_import *im, struct import_row *r,
    const enum cell_kind *kinds)
{
	check_unit(db, im, r);
	check_platform_cell(im, r);
	check_text_cells(im, r);
	check_date_cell(im, r, LF_OPENED, kinds[LF_OPENED]);
	check_date_cell(im, r, LF_CLOSED, kinds[LF_CLOSED]);
	check_status_cell(im, r);
	if (!r->bad && !str_empty(r->v[LF_OPENED]) && !str_empty(r->v[LF_CLOSED])
	    && strcmp(r->v[LF_CLOSED], r->v[LF_OPENED]) < 0)
		cell_error(im, r, LF_CLOSED, N_("is before the opening date"));
}

static void
row_clear(struct import_row *r)
{
	int f;

	for (f = 0; f < N_LEDGER_FIELDS; f++)
		free(r->v[f]);
	free(r->unit_code);
	memset(r, 0, sizeof(*r));
}

static void
read_rows(sqlite3 *db, struct ledger_import *im, size_t heading)
{
	const struct sheet_row *head = &im->sheet.rows[heading];
	enum cell_kind kinds[N_LEDGER_FIELDS];
	size_t i;

	im->rows = xcalloc(im->sheet.n, sizeof(*im->rows));
	for (i = heading + 1; i < im->sheet.n; i++) {
		const struct sheet_row *src = &im->sheet.rows[i];
		struct import_row *r = &im->rows[im->n_rows];

		r->line = src->line;
		if (!im->sheet.letters && src->width != im->width) {
			report(im, r->line, _(" %zu fields where the heading row "
			    "has %zu"), src->width, im->width);
			continue;
		}
		read_values(im, src, r, kinds);
		if (!row_has_values(r)) {
			row_clear(r);
			continue;
		}
		im->n_rows++;
		check_unmapped(im, src, r, head);
		check_row(db, im, r, kinds);
	}
}

/* ---- the accounts of the registry ---- */

static const char *const known_keys[N_LEDGER_FIELDS] = {
	[LF_UNIT_CODE] = "unit", [LF_UNIT_NAME] = "unit_name",
	[LF_PLATFORM] = "platform", [LF_NAME] = "name",
	[LF_UID] = "platform_uid", [LF_FEED] = "feed_url",
	[LF_OPERATOR] = "operator", [LF_FILING] = "filing_no",
	[LF_OPENED] = "opened_on", [LF_STATUS] = "status",
	[LF_CLOSED] = "closed_on", [LF_NOTES] = "notes",
};

static void
load_known(sqlite3 *db, struct ledger_import *im)
{
	const struct account_filter all = { 0 };
	json_t *rows = account_list_json(db, &all), *row;
	size_t i;
	int f;

	im->known = xcalloc(json_array_size(rows) + 1, sizeof(*im->known));
	json_array_foreach(rows, i, row) {
		struct known *k = &im->known[im->n_known++];

		k->id = json_integer_value(json_object_get(row, "id"));
		for (f = 0; f < N_LEDGER_FIELDS; f++) {
			const char *v = known_keys[f] ? json_string_value(
			    json_object_get(row, known_keys[f])) : NULL;

			k->v[f] = xstrdup(v ? v : "");
		}
		k->open = strcmp(k->v[LF_STATUS], "active") == 0 ||
		    strcmp(k->v[LF_STATUS], "suspended") == 0;
	}
	json_decref(rows);
}

static char *
uid_key(const char *platform, const char *uid)
{
	return xasprintf("%s\x1f%s", platform, uid);
}

static char *
name_key(const char *unit, const char *platform, const char *name)
{
	return xasprintf("%s\x1f%s\x1f%s", unit, platform, name);
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct key_entry *)a)->key,
	    ((const struct key_entry *)b)->key);
}

static void
build_indexes(struct ledger_import *im)
{
	size_t i;

	im->by_uid = xcalloc(im->n_known + 1, sizeof(struct key_entry));
	im->by_name = xcalloc(im->n_known + 1, sizeof(struct key_entry));
	for (i = 0; i < im->n_known; i++) {
		struct known *k = &im->known[i];

		if (*k->v[LF_UID])
			im->by_uid[im->n_by_uid++] = (struct key_entry){
			    uid_key(k->v[LF_PLATFORM], k->v[LF_UID]), k };
		im->by_name[im->n_by_name++] = (struct key_entry){
		    name_key(k->v[LF_UNIT_CODE], k->v[LF_PLATFORM],
		    k->v[LF_NAME]), k };
	}
	qsort(im->by_uid, im->n_by_uid, sizeof(struct key_entry), entry_cmp);
	qsort(im->by_name, im->n_by_name, sizeof(struct key_entry), entry_cmp);
}

/* The entries with this key: *first and the count. */
static size_t
lookup(const struct key_entry *idx, size_t n, const char *key,
    const struct key_entry **first)
{
	size_t lo = 0, hi = n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(idx[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < n && strcmp(idx[end].key, key) == 0; end++)
		;
	*first = &idx[lo];
	return end - lo;
}

/* ---- matching rows to accounts ---- */

static bool
is_open_status(const char *status)
{
	return strcmp(status, "active") == 0 || strcmp(status, "suspended") == 0;
}

/* Of the accounts with the row's identity: an open row means the open
 * account (a closed one with the same uid is history, and the row a new
 * account); a closed row prefers the closed record, else closes the open
 * one; without a status, an open account first. */
static bool
fits(const struct import_row *r, const struct known *k, int pass)
{
	bool want_open = r->status ? is_open_status(r->status) : true;

	if (pass == 0)
		return k->open == want_open;
	return r->status == NULL || !want_open;
}

static bool
same_unit_and_name(const struct known *k, const struct import_row *r)
{
	return strcmp(k->v[LF_NAME], r->v[LF_NAME]) == 0 &&
	    strcmp(k->v[LF_UNIT_CODE], r->unit_code) == 0;
}

static void
choose_match(struct ledger_import *im, struct import_row *r,
    const struct key_entry *cands, size_t n, int field)
{
	struct strbuf ids = STRBUF_INIT;
	struct known *found = NULL;
	size_t i, hits, same;
	int pass;

	for (pass = 0; pass < 2 && found == NULL; pass++) {
		for (i = hits = same = 0; i < n; i++)
			if (fits(r, cands[i].k, pass)) {
				hits++;
				same += same_unit_and_name(cands[i].k, r);
			}
		for (i = 0; i < n && hits > 0; i++) {
			if (!fits(r, cands[i].k, pass))
				continue;
			/* several: the one with the row's unit and name */
			if (hits == 1 || (same == 1 &&
			    same_unit_and_name(cands[i].k, r)))
				found = cands[i].k;
			sb_printf(&ids, "%s%lld", ids.len ? ", " : "",
			    cands[i].k->id);
		}
		if (hits > 1 && found == NULL) {
			char *why = xasprintf(_("matches accounts %s; tell them "
			    "apart by unit and name"), sb_str(&ids));

			cell_error(im, r, field, why);
			free(why);
			break;
		}
		sb_reset(&ids);
	}
	sb_free(&ids);
	r->match = found;
}

static void
match_row(struct ledger_import *im, struct import_row *r)
{
	const struct key_entry *first;
	char *key = NULL;
	size_t n = 0;
	int field = LF_UID;

	if (!str_empty(r->v[LF_UID])) {
		key = uid_key(r->platform, r->v[LF_UID]);
		n = lookup(im->by_uid, im->n_by_uid, key, &first);
		free(key);
		if (n > 0)
			choose_match(im, r, first, n, field);
	}
	/* no account with the uid fits: the one with the unit and name may
	 * (it gets the uid) */
	if (r->match == NULL && !r->bad) {
		key = name_key(r->unit_code, r->platform, r->v[LF_NAME]);
		n = lookup(im->by_name, im->n_by_name, key, &first);
		free(key);
		if (n > 0)
			choose_match(im, r, first, n, LF_NAME);
	}
}

static void
same_account(struct ledger_import *im, struct import_row *r, size_t line,
    int field)
{
	char *why = xasprintf(im->sheet.letters ? _("row %zu lists the same "
	    "account; a ledger lists each account once") : _("line %zu lists "
	    "the same account; a ledger lists each account once"), line);

	cell_error(im, r, field, why);
	free(why);
}

struct twin_key {
	char              *key;
	struct import_row *row;
};

static int
twin_cmp(const void *a, const void *b)
{
	const struct twin_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->row->line < y->row->line ? -1 : x->row->line > y->row->line;
}

static int
identity_field(const struct import_row *r)
{
	return str_empty(r->v[LF_UID]) ? LF_NAME : LF_UID;
}

/* Two rows of the file for one account: the same registry account, or
 * the same identity among new accounts.  The first row keeps its place;
 * each later one is refused, naming the first. */
static void
find_twins(struct ledger_import *im)
{
	struct twin_key *keys = xcalloc(im->n_rows + 1, sizeof(*keys));
	size_t i, n = 0;

	for (i = 0; i < im->n_rows; i++) {
		struct import_row *r = &im->rows[i];

		if (r->bad)
			continue;
		if (r->match && r->match->line)
			same_account(im, r, r->match->line, identity_field(r));
		else if (r->match)
			r->match->line = r->line;
		else
			keys[n++] = (struct twin_key){ str_empty(r->v[LF_UID]) ?
			    name_key(r->unit_code, r->platform, r->v[LF_NAME]) :
			    uid_key(r->platform, r->v[LF_UID]), r };
	}
	qsort(keys, n, sizeof(*keys), twin_cmp);
	for (i = 1; i < n; i++) {
		size_t first = i - 1;

		while (first > 0 && strcmp(keys[first - 1].key, keys[i].key) == 0)
			first--;
		if (strcmp(keys[first].key, keys[i].key) == 0)
			same_account(im, keys[i].row, keys[first].row->line,
			    identity_field(keys[i].row));
	}
	for (i = 0; i < n; i++)
		free(keys[i].key);
	free(keys);
}

/* ---- the plan ---- */

static struct ledger_item *
add_item(struct ledger_plan *plan, enum ledger_action action, size_t line,
    long long id, char *label)
{
	struct ledger_item *it;

	plan->items = xrealloc(plan->items, (plan->n_items + 1) * sizeof(*it));
	it = &plan->items[plan->n_items++];
	memset(it, 0, sizeof(*it));
	it->action = action;
	it->line = line;
	it->account_id = id;
	it->label = label;
	return it;
}

static void
add_change(struct ledger_item *it, const char *field, const char *before,
    const char *after)
{
	struct ledger_change *c;

	it->changes = xrealloc(it->changes, (it->n_changes + 1) * sizeof(*c));
	c = &it->changes[it->n_changes++];
	c->field = field;
	c->before = xstrdup(before ? before : "");
	c->after = xstrdup(after ? after : "");
}

/* "WYS-EDU 微信公众号 武夷山教育 (gh_5e1b)" */
static char *
label_of(const struct config *cfg, const char *unit, const char *platform,
    const char *name, const char *uid)
{
	const struct platform *p = config_platform(cfg, platform);

	return xasprintf("%s %s %s%s%s%s", unit, p ? p->label : platform, name,
	    str_empty(uid) ? "" : " (", str_empty(uid) ? "" : uid,
	    str_empty(uid) ? "" : ")");
}

/* The status the row leaves the account in. */
static const char *
target_status(const struct import_row *r)
{
	if (r->status)
		return r->status;
	return r->match ? r->match->v[LF_STATUS] : "active";
}

static void
diff_texts(const struct import_row *r, const struct known *k,
    struct ledger_item *it)
{
	static const int fields[] = { LF_NAME, LF_UID, LF_FEED, LF_OPERATOR,
	    LF_FILING, LF_NOTES };
	size_t i;

	if (strcmp(k->v[LF_UNIT_CODE], r->unit_code) != 0)
		add_change(it, "unit_code", k->v[LF_UNIT_CODE], r->unit_code);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		int f = fields[i];

		if (r->v[f] && strcmp(k->v[f], r->v[f]) != 0)
			add_change(it, ledger_columns[f].key, k->v[f], r->v[f]);
	}
	/* an opening date is never cleared: an empty cell says nothing */
	if (!str_empty(r->v[LF_OPENED]) && strcmp(k->v[LF_OPENED],
	    r->v[LF_OPENED]) != 0)
		add_change(it, "opened_on", k->v[LF_OPENED], r->v[LF_OPENED]);
}

static void
diff_status(const struct import_row *r, const struct known *k,
    struct ledger_item *it)
{
	const char *to = target_status(r);

	if (strcmp(k->v[LF_STATUS], to) != 0)
		add_change(it, "status", k->v[LF_STATUS], to);
	if (!str_empty(r->v[LF_CLOSED]) && strcmp(k->v[LF_CLOSED],
	    r->v[LF_CLOSED]) != 0)
		add_change(it, "closed_on", k->v[LF_CLOSED], r->v[LF_CLOSED]);
}

/* What the registry cannot do by a change of the file. */
static void
check_transition(struct ledger_import *im, struct import_row *r,
    const struct ledger_item *it)
{
	const char *to = target_status(r);
	const struct known *k = r->match;
	char *why;

	if (strcmp(to, "merged") == 0 && (k == NULL || k->open))
		return cell_error(im, r, LF_STATUS, N_("a merge needs the surviving "
		    "account: use `mediawatchctl account merge`"));
	if (!str_empty(r->v[LF_CLOSED]) && is_open_status(to))
		return cell_error(im, r, LF_CLOSED, N_("an open account has no "
		    "closing date (set the status to 关停 to close it)"));
	if (k == NULL || k->open || it->n_changes == 0)
		return;
	why = xasprintf(_("account %lld is %s; its record is kept as it was"),
	    k->id, i18n_word(VOCAB_ACCOUNT_STATUS, k->v[LF_STATUS]));
	cell_error(im, r, im->column[ledger_field_of_key(it->changes[0].field)]
	    >= 0 ? ledger_field_of_key(it->changes[0].field) : LF_STATUS, why);
	free(why);
}

/* A new row whose identity a closed (or merged) account had: said in the
 * plan, as it may be a row meant for that account. */
static long long
closed_namesake(struct ledger_import *im, const struct import_row *r)
{
	const struct key_entry *first;
	char *key = str_empty(r->v[LF_UID]) ? name_key(r->unit_code, r->platform,
	    r->v[LF_NAME]) : uid_key(r->platform, r->v[LF_UID]);
	size_t n = str_empty(r->v[LF_UID]) ? lookup(im->by_name, im->n_by_name,
	    key, &first) : lookup(im->by_uid, im->n_by_uid, key, &first);
	long long id = 0;
	size_t i;

	for (i = 0; i < n && id == 0; i++)
		if (!first[i].k->open)
			id = first[i].k->id;
	free(key);
	return id;
}

static void
plan_row(struct ledger_import *im, struct import_row *r)
{
	const struct known *k = r->match;
	struct ledger_item *it;
	long long namesake = k ? 0 : closed_namesake(im, r);
	char *label = label_of(im->cfg, r->unit_code, r->platform, r->v[LF_NAME],
	    r->v[LF_UID]);

	if (namesake) {
		char *more = xasprintf(str_empty(r->v[LF_UID]) ? _("%s — a new "
		    "account; account %lld, closed, had this name") : _("%s — a "
		    "new account; account %lld, closed, had this uid"), label,
		    namesake);

		free(label);
		label = more;
	}
	it = add_item(im->plan, k ? LEDGER_UNCHANGED : LEDGER_NEW, r->line,
	    k ? k->id : 0, label);
	if (k) {
		diff_texts(r, k, it);
		diff_status(r, k, it);
		if (it->n_changes)
			it->action = LEDGER_CHANGE;
	}
	check_transition(im, r, it);
}

static void
plan_closings(struct ledger_import *im)
{
	struct ledger_item *it;
	size_t i;

	for (i = 0; i < im->n_known; i++) {
		const struct known *k = &im->known[i];

		if (!k->open || k->line)
			continue;
		it = add_item(im->plan, LEDGER_CLOSE, 0, k->id, label_of(im->cfg,
		    k->v[LF_UNIT_CODE], k->v[LF_PLATFORM], k->v[LF_NAME],
		    k->v[LF_UID]));
		add_change(it, "status", k->v[LF_STATUS], "closed");
	}
}

static void
count_items(struct ledger_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n_items; i++)
		plan->count[plan->items[i].action]++;
}

static void
report_raw(struct ledger_import *im, const char *error)
{
	/* a reader's "line N: why" becomes FILE:N: why */
	if (str_has_prefix(error, "line "))
		error += strlen("line ");
	else {
		report(im, 0, "%s", error);
		return;
	}
	if (++im->plan->errors <= MAX_REPORTED_ERRORS)
		log_warnx("%s:%s", im->plan->source, error);
}

int
ledger_plan(sqlite3 *db, const struct config *cfg,
    const struct import_options *opts, struct ledger_plan *plan)
{
	struct ledger_import *im = xcalloc(1, sizeof(*im));
	size_t i, heading;
	int f;

	memset(plan, 0, sizeof(*plan));
	plan->source = xstrdup(opts->path);
	plan->im = im;
	im->opts = opts;
	im->cfg = cfg;
	im->plan = plan;
	for (f = 0; f < N_LEDGER_FIELDS; f++)
		im->column[f] = -1;
	if (read_sheet(im) == -1)
		return -1;
	if (im->sheet.n == 0) {
		report(im, 1, _(" the file is empty (a heading row is required)"));
		return -1;
	}
	heading = find_heading_row(&im->sheet);
	if (map_headings(im, heading) == -1)
		return -1;
	read_rows(db, im, heading);
	load_known(db, im);
	build_indexes(im);
	for (i = 0; i < im->n_rows; i++)
		if (!im->rows[i].bad)
			match_row(im, &im->rows[i]);
	find_twins(im);
	for (i = 0; i < im->n_rows; i++)
		if (!im->rows[i].bad)
			plan_row(im, &im->rows[i]);
	/* an empty table is more likely the wrong sheet than a ledger of
	 * nothing: closing every account needs saying so row by row */
	if (opts->close_missing && im->n_rows == 0)
		report(im, 0, _("lists no account; --close-missing would close "
		    "every open account"));
	if (opts->close_missing && plan->errors == 0)
		plan_closings(im);
	count_items(plan);
	return plan->errors ? -1 : 0;
}

/* ---- carrying it out ---- */

static int
apply_status(sqlite3 *db, struct ledger_import *im, struct import_row *r,
    long long id, const char *from, const char *reason)
{
	const char *to = target_status(r);
	enum account_transition t;
	char *error = NULL;

	if (strcmp(from, to) == 0)
		return 0;
	if (strcmp(to, "suspended") == 0)
		t = ACCOUNT_SUSPEND;
	else if (strcmp(to, "active") == 0)
		t = ACCOUNT_RESUME;
	else
		t = ACCOUNT_CLOSE;
	if (account_transition(db, id, t, t == ACCOUNT_CLOSE &&
	    !str_empty(r->v[LF_CLOSED]) ? r->v[LF_CLOSED] : NULL, reason,
	    &error) == -1) {
		registry_error(im, r, error);
		free(error);
		return -1;
	}
	return 0;
}

static int
apply_new(sqlite3 *db, struct ledger_import *im, struct import_row *r,
    const char *reason)
{
	const struct account_fields f = {
		.unit_code = r->unit_code, .platform = r->platform,
		.name = r->v[LF_NAME], .platform_uid = r->v[LF_UID],
		.feed_url = r->v[LF_FEED], .operator_name = r->v[LF_OPERATOR],
		.filing_no = r->v[LF_FILING], .opened_on = r->v[LF_OPENED],
		.notes = r->v[LF_NOTES],
	};
	char *error = NULL;
	long long id;

	if (account_open(db, im->cfg, &f, reason, &id, &error) == -1) {
		registry_error(im, r, error);
		free(error);
		return -1;
	}
	return apply_status(db, im, r, id, "active", reason);
}

/* Only the fields that changed are given (NULL leaves one as it is). */
static void
changed_fields(const struct ledger_item *it, const struct import_row *r,
    struct account_fields *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < it->n_changes; i++) {
		const char *field = it->changes[i].field;

		if (strcmp(field, "unit_code") == 0)
			f->unit_code = r->unit_code;
		else if (strcmp(field, "name") == 0)
			f->name = r->v[LF_NAME];
		else if (strcmp(field, "platform_uid") == 0)
			f->platform_uid = r->v[LF_UID];
		else if (strcmp(field, "feed_url") == 0)
			f->feed_url = r->v[LF_FEED];
		else if (strcmp(field, "operator") == 0)
			f->operator_name = r->v[LF_OPERATOR];
		else if (strcmp(field, "filing_no") == 0)
			f->filing_no = r->v[LF_FILING];
		else if (strcmp(field, "opened_on") == 0)
			f->opened_on = r->v[LF_OPENED];
		else if (strcmp(field, "notes") == 0)
			f->notes = r->v[LF_NOTES];
	}
}

static bool
has_field_changes(const struct account_fields *f)
{
	return f->unit_code || f->name || f->platform_uid || f->feed_url ||
	    f->operator_name || f->filing_no || f->opened_on || f->notes;
}

static int
apply_change(sqlite3 *db, struct ledger_import *im, struct import_row *r,
    const struct ledger_item *it, const char *reason)
{
	struct account_fields f;
	char *error = NULL;

	changed_fields(it, r, &f);
	if (has_field_changes(&f) && account_change(db, im->cfg, it->account_id,
	    &f, reason, &error) == -1) {
		registry_error(im, r, error);
		free(error);
		return -1;
	}
	return apply_status(db, im, r, it->account_id, r->match->v[LF_STATUS],
	    reason);
}

static int
apply_closing(sqlite3 *db, struct ledger_import *im,
    const struct ledger_item *it)
{
	char *reason = xasprintf("台账导入：%s 中已无此账号", im->reason_file);
	char *error = NULL;
	int rc = account_transition(db, it->account_id, ACCOUNT_CLOSE, NULL,
	    reason, &error);

	if (rc == -1) {
		report(im, 0, _("account %lld: %s"), it->account_id, error ? error :
		    _("could not be stored"));
		free(error);
	}
	free(reason);
	return rc;
}

static struct import_row *
row_at_line(struct ledger_import *im, size_t line)
{
	size_t i;

	for (i = 0; i < im->n_rows; i++)
		if (im->rows[i].line == line)
			return &im->rows[i];
	return NULL;
}

static int
apply_item(sqlite3 *db, struct ledger_import *im, const struct ledger_item *it,
    struct import_row *r)
{
	char *reason;
	int rc = 0;

	if (it->action == LEDGER_CLOSE)
		return apply_closing(db, im, it);
	if (it->action == LEDGER_UNCHANGED || r == NULL)
		return 0;
	reason = xasprintf("台账导入：%s 第%zu行", im->reason_file, r->line);
	if (it->action == LEDGER_NEW)
		rc = apply_new(db, im, r, reason);
	else
		rc = apply_change(db, im, r, it, reason);
	free(reason);
	return rc;
}

int
ledger_apply(sqlite3 *db, const struct config *cfg, struct ledger_plan *plan)
{
	struct ledger_import *im = plan->im;
	const char *slash = strrchr(plan->source, '/');
	size_t i, next = 0;

	im->reason_file = xstrdup(strcmp(plan->source, "-") == 0 ? "标准输入" :
	    slash ? slash + 1 : plan->source);
	for (i = 0; i < plan->n_items; i++) {
		const struct ledger_item *it = &plan->items[i];
		struct import_row *r = NULL;

		/* items follow the rows' order: find each row onwards */
		while (it->line && next < im->n_rows && im->rows[next].line != it->line)
			next++;
		if (it->line)
			r = next < im->n_rows ? &im->rows[next] : row_at_line(im,
			    it->line);
		apply_item(db, im, it, r);
		/* after an I/O error SQLite rolls the transaction back by itself;
		 * going on would commit each later change on its own */
		if (sqlite3_get_autocommit(db)) {
			report(im, it->line, _(" the database refused the write; "
			    "stopping"));
			break;
		}
	}
	return plan->errors ? -1 : 0;
}

/* ---- freeing ---- */

static void
import_free(struct ledger_import *im)
{
	size_t i;
	int f;

	if (im == NULL)
		return;
	for (i = 0; i < im->n_rows; i++)
		row_clear(&im->rows[i]);
	free(im->rows);
	for (i = 0; i < im->n_known; i++)
		for (f = 0; f < N_LEDGER_FIELDS; f++)
			free(im->known[i].v[f]);
	free(im->known);
	for (i = 0; i < im->n_by_uid; i++)
		free(im->by_uid[i].key);
	for (i = 0; i < im->n_by_name; i++)
		free(im->by_name[i].key);
	free(im->by_uid);
	free(im->by_name);
	for (f = 0; f < N_LEDGER_FIELDS; f++)
		free(im->heading[f]);
	sheet_free(&im->sheet);
	free(im->reason_file);
	free(im);
}

void
ledger_plan_free(struct ledger_plan *plan)
{
	size_t i, j;

	for (i = 0; i < plan->n_items; i++) {
		for (j = 0; j < plan->items[i].n_changes; j++) {
			free(plan->items[i].changes[j].before);
			free(plan->items[i].changes[j].after);
		}
		free(plan->items[i].changes);
		free(plan->items[i].label);
	}
	free(plan->items);
	strv_free(plan->ignored);
	free(plan->source);
	import_free(plan->im);
	memset(plan, 0, sizeof(*plan));
}
