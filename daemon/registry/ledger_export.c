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
#include "base/output.h"
#include "base/sheet.h"
#include "base/util.h"
#include "base/xlsx_write.h"
#include "registry/ledger.h"
#include "registry/ledger_forms.h"

/* The columns written, in order, with their width in an .xlsx. */
static const struct {
	enum ledger_field field;
	const char       *json_key;     /* in account_list_json() rows */
	double            width;
} exported[] = {
	{ LF_UNIT_CODE, "unit", 12 },
	{ LF_UNIT_NAME, "unit_name", 24 },
	{ LF_PLATFORM, "platform", 12 },
	{ LF_NAME, "name", 24 },
	{ LF_UID, "platform_uid", 24 },
	{ LF_FEED, "feed_url", 36 },
	{ LF_OPERATOR, "operator", 10 },
	{ LF_FILING, "filing_no", 24 },
	{ LF_OPENED, "opened_on", 12 },
	{ LF_STATUS, "status", 8 },
	{ LF_CLOSED, "closed_on", 12 },
	{ LF_NOTES, "notes", 30 },
};
#define N_EXPORTED ARRAY_SIZE(exported)

static const char *
heading(const struct export_options *o, size_t i)
{
	const struct ledger_column *c = &ledger_columns[exported[i].field];

	return o->english ? c->key : c->heading;
}

/* One row's cells, guarded, in the words of the headings' language. */
static void
row_cells(const struct config *cfg, const struct export_options *o,
    json_t *row, char **cells)
{
	const struct platform *p;
	size_t i;

	for (i = 0; i < N_EXPORTED; i++) {
		const char *v = json_string_value(json_object_get(row,
		    exported[i].json_key));

		if (v == NULL)
			v = "";
		if (!o->english && exported[i].field == LF_PLATFORM &&
		    (p = config_platform(cfg, v)) != NULL)
			v = p->label;
		else if (!o->english && exported[i].field == LF_STATUS)
			v = ledger_status_word(v);
		cells[i] = sheet_guard(v, o->format == LEDGER_CSV);
	}
}

static void
free_cells(char **cells)
{
	size_t i;

	for (i = 0; i < N_EXPORTED; i++)
		free(cells[i]);
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
    json_t *rows, size_t *len)
{
	const char *heads[N_EXPORTED];
	char *cells[N_EXPORTED], *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	json_t *row;
	size_t i;

	if (f == NULL)
		return NULL;
	if (!o->gbk)
		fputs("\xef\xbb\xbf", f);
	for (i = 0; i < N_EXPORTED; i++)
		heads[i] = heading(o, i);
	csv_row(f, heads);
	json_array_foreach(rows, i, row) {
		row_cells(cfg, o, row, cells);
		csv_row(f, (const char *const *)cells);
		free_cells(cells);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int
export_csv(const struct config *cfg, const struct export_options *o,
    json_t *rows, char **error)
{
	size_t len, gbk_len;
	char *text = csv_text(cfg, o, rows, &len), *gbk = NULL;
	int rc;

	if (text == NULL) {
		*error = xstrdup("out of memory");
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
		*error = xasprintf("standard output: %s", strerror(errno));
		rc = -1;
	}
	free(text);
	return rc;
}

/* ---- .xlsx ---- */

static int
export_xlsx(const struct config *cfg, const struct export_options *o,
    json_t *rows, char **error)
{
	struct xlsx_column cols[N_EXPORTED];
	char *cells[N_EXPORTED];
	struct xlsx_writer *w;
	json_t *row;
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
	json_array_foreach(rows, i, row) {
		row_cells(cfg, o, row, cells);
		if (rc == 0)
			rc = xlsx_writer_row(w, (const char *const *)cells);
		free_cells(cells);
	}
	return xlsx_writer_close(w, error);
}

int
ledger_export(sqlite3 *db, const struct config *cfg,
    const struct account_filter *filter, const struct export_options *o,
    char **error)
{
	json_t *rows = account_list_json(db, filter);
	int rc;

	if (o->format == LEDGER_XLSX)
		rc = export_xlsx(cfg, o, rows, error);
	else
		rc = export_csv(cfg, o, rows, error);
	if (rc == 0)
		rc = (int)json_array_size(rows);
	json_decref(rows);
	return rc;
}
