/* sheet.h — a table of cells as a spreadsheet holds it, whichever file it
 * came from (CSV, .xlsx), and the guard against formulas in exported text.
 *
 * Rows keep the line (CSV) or row number (.xlsx) they were read from, and
 * cells their column, so every message can point at the cell.  Empty rows
 * are not stored.  A sheet owns its rows and their text: sheet_free(). */
#ifndef MW_SHEET_H
#define MW_SHEET_H

#include <stdbool.h>
#include <stddef.h>

enum cell_kind {
	CELL_TEXT,               /* text, or a CSV field */
	CELL_NUMBER,             /* a number cell, as shortest decimal text */
	CELL_DATE,               /* a date cell: YYYY-MM-DD[ HH:MM:SS] */
	CELL_BOOL,               /* "TRUE" or "FALSE" */
	CELL_ERROR,              /* a formula error such as "#N/A" */
};

struct sheet_cell {
	unsigned        col;     /* 0-based */
	enum cell_kind  kind;
	char           *text;    /* never NULL */
};

struct sheet_row {
	size_t             line; /* CSV line or spreadsheet row, 1-based */
	struct sheet_cell *cells;/* by increasing col */
	size_t             n, cap;
	size_t             width;   /* CSV: fields in the record; else 0 */
};

struct sheet {
	struct sheet_row *rows;
	size_t            n, cap;
	bool              letters;  /* columns are named A, B, … (spreadsheets) */
	bool              date1904; /* serial day numbers count from 1904 */
};

void sheet_free(struct sheet *s);
struct sheet_row *sheet_add_row(struct sheet *s, size_t line);
/* Takes text (malloc'd).  Cells must come in increasing column order; an
 * empty text is dropped, so a row with only empty cells stays empty. */
void sheet_add_cell(struct sheet_row *r, unsigned col, enum cell_kind kind,
         char *text);
/* Puts text (malloc'd) into column col wherever it falls in the row,
 * replacing a cell there. */
void sheet_set_cell(struct sheet_row *r, unsigned col, enum cell_kind kind,
         char *text);
/* Removes the rows without cells. */
void sheet_drop_empty_rows(struct sheet *s);
/* The cell in column col, or NULL when the row has none there. */
const struct sheet_cell *sheet_cell(const struct sheet_row *r, unsigned col);
/* "C" or "AA" for a spreadsheet, "3" for CSV: how a message names the
 * column.  buf needs 12 bytes. */
const char *sheet_column_name(const struct sheet *s, unsigned col, char *buf);

/* Text that would start a formula when a spreadsheet opens the file
 * (=, +, -, @) is written with an apostrophe in front, which spreadsheets
 * show as text; one apostrophe more goes in front of text that already
 * starts with apostrophes before such a character, so the guard can always
 * be undone.  guard_always: CSV (every such text); otherwise only the
 * apostrophe-led ones (cells that are text already, as in .xlsx).  Both
 * return a malloc'd copy. */
char *sheet_guard(const char *text, bool guard_always);
/* Whether sheet_guard() would change text: most texts it copies as they
 * are, and a long export need not copy them. */
bool  sheet_needs_guard(const char *text, bool guard_always);
/* The inverse of either: one apostrophe less in front of such text. */
char *sheet_unguard(const char *text);

#endif
