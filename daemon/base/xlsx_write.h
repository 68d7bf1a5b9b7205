/* xlsx_write.h — writing one worksheet of text and date columns as an
 * .xlsx workbook (libxlsxwriter), for a person to open in Excel or WPS.
 *
 * The first row holds the headings (bold, frozen, with a filter); text
 * cells carry the Text number format, so a spreadsheet keeps them as text
 * even when someone edits a cell that looks like a number or a formula;
 * date cells are real dates shown as YYYY-MM-DD. */
#ifndef MW_XLSX_WRITE_H
#define MW_XLSX_WRITE_H

#include <stddef.h>

enum xlsx_column_type {
	XLSX_COLUMN_TEXT,
	XLSX_COLUMN_DATE,            /* YYYY-MM-DD text; other text stays text */
};

struct xlsx_column {
	const char             *heading;
	enum xlsx_column_type   type;
	double                  width;     /* in characters */
};

struct xlsx_writer;

/* A workbook at path, written there in full or not at all (a temporary
 * file renamed into place), or on standard output when path is NULL or
 * "-".  Returns NULL with *error (malloc'd). */
struct xlsx_writer *xlsx_writer_new(const char *path, const char *sheet_name,
         const struct xlsx_column *cols, size_t n_cols, char **error);
/* One row: n_cols cells (NULL or "" for empty). */
int  xlsx_writer_row(struct xlsx_writer *w, const char *const *cells);
/* Writes the file and frees w; -1 with *error. */
int  xlsx_writer_close(struct xlsx_writer *w, char **error);
/* Frees w without writing anything. */
void xlsx_writer_abort(struct xlsx_writer *w);

#endif
