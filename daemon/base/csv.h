/* csv.h — reading RFC 4180 CSV from a UTF-8 buffer.
 *
 * Quoted fields may hold commas, doubled quotes and line breaks; CRLF and LF
 * both end a record.  Records longer than CSV_RECORD_MAX bytes are refused
 * rather than read, so a hostile file cannot take all memory. */
#ifndef MW_CSV_H
#define MW_CSV_H

#include <stddef.h>

#include "base/sheet.h"

#define CSV_RECORD_MAX (64 * 1024)

struct csv_reader {
	const char *p;          /* next byte to read */
	const char *end;
	size_t      line;       /* line where the next record starts (1-based) */
};

struct csv_record {
	char   **fields;        /* owned; free with csv_record_free() */
	size_t   n;
	size_t   line;          /* line where the record starts */
};

void csv_reader_init(struct csv_reader *r, const char *buf, size_t len);
/* 1 and a record, 0 at the end, -1 with *error ("line N: …") on a
 * malformed record.  Blank lines are skipped. */
int  csv_next(struct csv_reader *r, struct csv_record *rec, char **error);
void csv_record_free(struct csv_record *rec);

/* Reads every record of buf into s, each row with its first line and its
 * number of fields; the columns are numbered.  -1 with *error ("line N:
 * …") on the first malformed record. */
int  csv_read_sheet(const char *buf, size_t len, struct sheet *s, char **error);

/* Converts a GBK/GB18030 buffer to UTF-8 (malloc'd, *out_len bytes).
 * Returns -1 with *error naming the line of the first invalid byte. */
int  csv_from_gbk(const char *buf, size_t len, char **out, size_t *out_len,
         char **error);

/* Converts UTF-8 text to GBK (code page 936, what Excel on Chinese Windows
 * reads), malloc'd.  Returns -1 with *error naming the first character GBK
 * cannot write and its line. */
int  csv_to_gbk(const char *buf, size_t len, char **out, size_t *out_len,
         char **error);

#endif
