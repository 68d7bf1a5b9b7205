/* xlsx_read.h — reading the cells of one worksheet of an .xlsx workbook
 * (Office Open XML, as Excel, WPS and LibreOffice save it).
 *
 * Text comes from shared strings, inline strings and formula results;
 * numbers as their shortest decimal text; a number whose cell format is a
 * date becomes YYYY-MM-DD (with " HH:MM:SS" when it has a time), counted
 * from 1900 or, when the workbook says so, 1904.  Only the cached value of
 * a formula is read; nothing is computed.
 *
 * The file is hostile until read: at most XLSX_MAX_ENTRIES zip entries,
 * each part read only up to its limit of uncompressed bytes whatever the
 * zip directory claims (a zip bomb stops there), at most XLSX_MAX_CELLS
 * cells; the XML parts are parsed without DTDs, entities or network. */
#ifndef MW_XLSX_READ_H
#define MW_XLSX_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "base/sheet.h"

#define XLSX_MAX_ENTRIES   4096
#define XLSX_MAX_SHEET     (128L * 1024 * 1024)   /* worksheet XML, bytes */
#define XLSX_MAX_STRINGS   (64L * 1024 * 1024)    /* shared strings XML */
#define XLSX_MAX_PART      (8L * 1024 * 1024)     /* any other part */
#define XLSX_MAX_CELLS     4000000

/* Whether buf starts like a zip archive (an .xlsx), or like an Excel
 * 97-2003 .xls (an OLE2 compound file), which is not read. */
bool xlsx_is_zip(const void *buf, size_t len);
bool xlsx_is_legacy_xls(const void *buf, size_t len);

/* Reads the worksheet named sheet_name, or the first one that is not
 * hidden when it is NULL, into out (rows by spreadsheet row, columns as
 * letters, out->date1904 set).  Rows keep their cells in column order.
 * Returns -1 with *error (malloc'd, "PART:LINE: why" or "why") when the
 * workbook cannot be read. */
int  xlsx_read(const void *buf, size_t len, const char *sheet_name,
         struct sheet *out, char **error);

/* An Excel serial day number as YYYY-MM-DD, with " HH:MM:SS" when it has a
 * time of day, into buf (32 bytes).  -1 when it is no day between
 * 1900-01-01 (1904-01-01) and 9999-12-31. */
int  xlsx_serial_date(double serial, bool date1904, char *buf, size_t size);

#endif
