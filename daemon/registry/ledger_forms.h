/* ledger_forms.h — the columns of a ledger spreadsheet and the forms its
 * values take as people write them: headings in Chinese or English,
 * platforms by key, label or alias, dates in the usual Chinese ways or as
 * Excel serial numbers, statuses as words (在用, 暂停, 关停, 注销, 整合).
 * Shared by the importer (reading), the exporter (writing the same
 * headings and words) and their tests. */
#ifndef MW_LEDGER_FORMS_H
#define MW_LEDGER_FORMS_H

#include <stdbool.h>

#include "base/sheet.h"
#include "config/config.h"

enum ledger_field {
	LF_SEQ,                 /* 序号: read and ignored */
	LF_UNIT_CODE,
	LF_UNIT_NAME,           /* the unit by name (or code) */
	LF_PLATFORM,
	LF_NAME,
	LF_UID,
	LF_FEED,
	LF_OPERATOR,
	LF_FILING,
	LF_OPENED,
	LF_STATUS,
	LF_CLOSED,
	LF_NOTES,
	N_LEDGER_FIELDS
};

struct ledger_column {
	const char         *key;       /* English heading (--headings en) */
	const char         *heading;   /* Chinese heading, written by export */
	const char *const  *aliases;   /* more headings accepted, NULL-ended */
};

extern const struct ledger_column ledger_columns[N_LEDGER_FIELDS];

/* The field a heading names (spaces, a required mark '*' and ASCII case
 * ignored), or -1. */
int         ledger_field_of_heading(const char *heading);
/* The field whose key is name ("platform_uid"), or -1. */
int         ledger_field_of_key(const char *name);

/* "active", "suspended", "closed" or "merged" for a status word, or NULL. */
const char *ledger_status_parse(const char *word);
/* The word export writes for a status (在用, 暂停, 关停, 整合). */
const char *ledger_status_word(const char *status);

/* A date cell into YYYY-MM-DD (out, 11 bytes).  Returns NULL, or why the
 * text is no date.  kind says what the cell held: a spreadsheet's number
 * is an Excel serial (date1904: counted from 1904). */
const char *ledger_date_parse(const char *text, enum cell_kind kind,
                bool date1904, char *out);

/* A copy of a cell's text as a value: spaces around (also U+3000 and
 * no-break spaces) trimmed, the export's formula guard undone. */
char       *ledger_cell_value(const char *text);

#endif
