/* fuzz_xlsx.c — xlsx_read(): the zip archive (libzip), the relationships,
 * the workbook, shared strings, styles and one worksheet (libxml2), the
 * date serials and the filling of merged ranges.
 *
 * Each input is read as the first visible sheet and as the sheet named
 * "台账".  The reader promises rows by ascending row number, cells by
 * ascending column, and only non-empty valid UTF-8 text. */
#include "base/sheet.h"
#include "base/util.h"
#include "base/xlsx_read.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

static void
check_sheet(const struct sheet *s)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		const struct sheet_row *r = &s->rows[i];

		FUZZ_ASSERT(i == 0 || r->line > s->rows[i - 1].line,
		    "rows ascend");
		FUZZ_ASSERT(r->n > 0, "no empty rows");
		for (j = 0; j < r->n; j++) {
			const char *t = r->cells[j].text;

			FUZZ_ASSERT(j == 0 || r->cells[j].col > r->cells[j - 1].col,
			    "cells ascend");
			FUZZ_ASSERT(*t && utf8_valid(t, strlen(t)),
			    "cell text is non-empty UTF-8");
		}
	}
}

static void
read_as(const uint8_t *data, size_t size, const char *sheet_name)
{
	struct sheet s;
	char *error = NULL;

	if (xlsx_read(data, size, sheet_name, &s, &error) == 0) {
		check_sheet(&s);
		sheet_free(&s);
	} else {
		FUZZ_ASSERT(error != NULL && *error, "a failure says why");
		free(error);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_as(data, size, NULL);
	read_as(data, size, "台账");
	return 0;
}
