/* ledger_export.c — the ledger written back in the importer's columns.
 *
 * CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads the
 * file as the system's code page and garbles Chinese), or GBK without one;
 * CRLF line ends.  .xlsx through base/xlsx_write.c.  Text that a
 * spreadsheet would take for a formula is guarded (sheet_guard()); the
 * importer undoes the guard, so export → import changes nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/fileio.h"
#include "base/i18n.h"
#include "base/output.h"
#include "base/sheet.h"
#include "base/util.h"
#include "base/xlsx_write.h"
#include "registry/ledger.h"
#include "registry/ledger_forms.h"
#include "store/db.h"

/* The columns written, in order, with their width in an .xlsx: those of
 * export_query. */
static const struct {
	enum ledger_field field;
	double            width;
} exported[] = {
	{ LF_UNIT_CODE, 12 },
	{ LF_UNIT_NAME, 24 },
	{ LF_PLATFORM, 12 },
	{ LF_NAME, 24 },
	{ LF_UID, 24 },
	{ LF_FEED, 36 },
	{ LF_OPERATOR, 10 },
	{ LF_FILING, 24 },
	{ LF_OPENED, 12 },
	{ LF_STATUS, 8 },
	{ LF_CLOSED, 12 },
	{ LF_NOTES, 30 },
};
#define N_EXPORTED ARRAY_SIZE(exported)

/* The accounts the filter selects, a row at a time: a ledger of a
 * hundred thousand accounts is written as it is read.  The accounts are
 * read in table order (NOT INDEXED) and sorted after: through an index
 * SQLite fetched each row from its own place in the table, and a large
 * ledger's table does not stay in the page cache (a third of the time at
 * 500,000 accounts went to reading its pages again). */
static const char export_query[] =
	"SELECT u.code, u.name, a.platform, a.name, a.platform_uid, a.feed_url,"
	" a.operator, a.filing_no, a.opened_on, a.status, a.closed_on, a.notes"
	" FROM account a NOT INDEXED JOIN unit u ON u.id = a.unit_id WHERE"
	" (?1 IS NULL OR u.code = ?1) AND (?2 IS NULL OR a.platform = ?2) AND"
	" (?3 IS NULL OR a.status = ?3) ORDER BY u.code, a.platform, a.id";

static const char *
heading(const struct export_options *o, size_t i)
{
	const struct ledger_column *c = &ledger_columns[exported[i].field];

	return o->english ? c->key : c->heading;
}

/* One row's cells, guarded, in the words of the headings' language.  A
 * cell is the row's own text unless guarded: then a copy, in owned (NULL
 * otherwise; free_cells() frees them).  Copying every cell was a fifth of
 * an export's time. */
static void
row_cells(const struct config *cfg, const struct export_options *o,
    sqlite3_stmt *row, const char **cells, char **owned)
{
	const struct platform *p;
	bool csv = o->format == LEDGER_CSV;
	size_t i;

	for (i = 0; i < N_EXPORTED; i++) {
		const char *v = db_column_text(row, (int)i);

		if (!o->english && exported[i].field == LF_PLATFORM &&
		    (p = config_platform(cfg, v)) != NULL)
			v = p->label;
		else if (!o->english && exported[i].field == LF_STATUS)
			v = ledger_status_word(v);
		owned[i] = sheet_needs_guard(v, csv) ? sheet_guard(v, csv) : NULL;
		cells[i] = owned[i] ? owned[i] : v;
	}
}

static void
free_cells(char **owned)
{
	size_t i;

	for (i = 0; i < N_EXPORTED; i++)
		free(owned[i]);
}

/* ---- CSV ---- */

static void
csv_row(FILE *f, const char *const *cells)
{
	size_t i;

	for (i = 0; i < N_EXPORTED; i++) {
		if (i)
			fputc(',', f);
		csv_put_field(f, cells[i]);
	}
	fputs("\r\n", f);
}

static char *
csv_text(const struct config *cfg, const struct export_options *o,
    sqlite3_stmt *rows, size_t *len, long *n)
{
	const char *heads[N_EXPORTED], *cells[N_EXPORTED];
	char *owned[N_EXPORTED], *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	size_t i;

	if (f == NULL)
		return NULL;
	if (!o->gbk)
		fputs("\xef\xbb\xbf", f);
	for (i = 0; i < N_EXPORTED; i++)
		heads[i] = heading(o, i);
	csv_row(f, heads);
	for (*n = 0; sqlite3_step(rows) == SQLITE_ROW; (*n)++) {
		row_cells(cfg, o, rows, cells, owned);
		csv_row(f, cells);
		free_cells(owned);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int
export_csv(const struct config *cfg, const struct export_options *o,
    sqlite3_stmt *rows, long *n, char **error)
{
	size_t len, gbk_len;
	char *text = csv_text(cfg, o, rows, &len, n), *gbk = NULL;
	int rc;

	if (text == NULL) {
		*error = xstrdup(_("out of memory"));
		return -1;
	}
	if (o->gbk && csv_to_gbk(text, len, &gbk, &gbk_len, error) == -1) {
		free(text);
		return -1;
	}
	if (gbk) {
		free(text);
		text = gbk;
		len = gbk_len;
	}
	if (o->out && strcmp(o->out, "-") != 0)
		rc = file_write_atomic(o->out, text, len, 0666, error);
	else if (fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0)
		rc = 0;
	else {
		*error = xasprintf(_("standard output: %s"), strerror(errno));
		rc = -1;
	}
	free(text);
	return rc;
}

/* ---- .xlsx ---- */

static int
export_xlsx(const struct config *cfg, const struct export_options *o,
    sqlite3_stmt *rows, long *n, char **error)
{
	struct xlsx_column cols[N_EXPORTED];
	const char *cells[N_EXPORTED];
	char *owned[N_EXPORTED];
	struct xlsx_writer *w;
	size_t i;
	int rc = 0;

	for (i = 0; i < N_EXPORTED; i++)
		cols[i] = (struct xlsx_column){ heading(o, i),
		    exported[i].field == LF_OPENED || exported[i].field ==
		    LF_CLOSED ? XLSX_COLUMN_DATE : XLSX_COLUMN_TEXT,
		    exported[i].width };
	if ((w = xlsx_writer_new(o->out, o->english ? "ledger" : "台账", cols,
	    N_EXPORTED, error)) == NULL)
		return -1;
	for (*n = 0; sqlite3_step(rows) == SQLITE_ROW; (*n)++) {
		row_cells(cfg, o, rows, cells, owned);
		if (rc == 0)
			rc = xlsx_writer_row(w, cells);
		free_cells(owned);
	}
	return xlsx_writer_close(w, error);
}

int
ledger_export(sqlite3 *db, const struct config *cfg,
    const struct account_filter *filter, const struct export_options *o,
    char **error)
{
	sqlite3_stmt *rows = db_prepare(db, export_query, "sss",
	    filter->unit_code, filter->platform, filter->status);
	long n = 0;
	int rc;

	if (rows == NULL) {
		*error = xstrdup("database: the ledger cannot be read");
		return -1;
	}
	if (o->format == LEDGER_XLSX)
		rc = export_xlsx(cfg, o, rows, &n, error);
	else
		rc = export_csv(cfg, o, rows, &n, error);
	sqlite3_finalize(rows);
	return rc == 0 ? (int)n : rc;
}
