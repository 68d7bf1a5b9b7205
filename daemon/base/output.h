/* output.h — one renderer for every listing: an aligned table (display
 * width, so Chinese text lines up), JSON, or CSV.
 *
 * Commands build a JSON array of objects (jansson keeps key order) and a
 * column list; output_rows() prints it in the chosen format. */
#ifndef MW_OUTPUT_H
#define MW_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

enum output_format { OUTPUT_TABLE, OUTPUT_JSON, OUTPUT_CSV };

enum column_kind {
	COL_TEXT,       /* strings, numbers; arrays are joined with ", " */
	COL_STATE,      /* like COL_TEXT, but a missing value shows as "-" */
	COL_TIME,       /* Unix seconds, shown in the configured zone */
	COL_DATE,       /* Unix seconds, shown as a local date */
};

struct column {
	const char       *key;      /* member of each row object */
	const char       *header;   /* table heading */
	enum column_kind  kind;
};

/* JSON prints the rows as they are (times stay Unix seconds); table and
 * CSV print only the given columns. */
void output_rows(FILE *out, enum output_format fmt, const struct column *cols,
         size_t n_cols, json_t *rows);
/* One record: "Header: value" lines for a table, an object for JSON, a
 * header and one row for CSV. */
void output_record(FILE *out, enum output_format fmt, const struct column *cols,
         size_t n_cols, json_t *record);

/* CSV field quoting (RFC 4180), shared with the exporter. */
void csv_put_field(FILE *out, const char *value);

/* The text a table or CSV cell shows for v; caller frees. */
char *output_cell(const json_t *v, enum column_kind kind);

#endif
