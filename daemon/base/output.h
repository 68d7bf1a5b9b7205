/* output.h — one renderer for every listing: an aligned table (display
 * width, so Chinese text lines up), JSON, or CSV.
 *
 * Commands build a JSON array of objects (jansson keeps key order) and a
 * column list; output_rows() prints it in the chosen format. */
#ifndef MW_OUTPUT_H
#define MW_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "base/i18n.h"

enum output_format { OUTPUT_TABLE, OUTPUT_JSON, OUTPUT_CSV };

enum column_kind {
	COL_TEXT,       /* strings, numbers; arrays are joined with ", " */
	COL_STATE,      /* like COL_TEXT, but a missing value shows as "-" */
	COL_TIME,       /* Unix seconds, shown in the configured zone */
	COL_DATE,       /* Unix seconds, shown as a local date */
	/* Words of a vocabulary: as COL_TEXT (COL_MONITOR_STATE: COL_STATE)
	 * in JSON and CSV, which keep the keys; a table shows each in the
	 * user's language, translated in the catalog with the vocabulary as
	 * the message context (VOCAB_* below). */
	COL_ACCOUNT_STATUS,     /* active, suspended, closed, merged */
	COL_MONITOR_STATE,      /* fresh, warning, stale, dormant, unverified */
	COL_FETCH,              /* the last fetch: never, ok, not modified */
	COL_PROBLEM_KIND,
	COL_PROBLEM_STATE,
	COL_CLOSE_REASON,
	COL_SEVERITY,
	COL_OUTBOX_STATUS,
	COL_OUTBOX_KIND,
	COL_RECIPIENT_STATUS,
	COL_DOCUMENT_STATE,
	COL_ROLE,
	COL_ACTION,             /* an audit action: account.open, … */
	COL_FIELD,              /* a record's member names */
	COL_PLATFORM,           /* see output_set_platforms() */
};

struct column {
	const char       *key;      /* member of each row object */
	const char       *header;   /* table heading, N_() or NC_(vocabulary or
	                               key, …): translated when shown */
	enum column_kind  kind;
};

/* The platform vocabulary is the configuration's: fn gives a key's label
 * (its Chinese name) or NULL; a table shows it while translating. */
void output_set_platforms(const char *(*fn)(const char *key));

/* value (a word of vocab) as a table shows it: translated while
 * i18n_translating(), else as it is. */
const char *output_word(const char *vocab, const char *value);

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
