/* fuzz_csv.c — the CSV reader over any bytes, as UTF-8 and after
 * csv_from_gbk().
 *
 * ledger.c turns the reader's "line N: why" into FILE:N: why by skipping
 * "line ", so every error message must start with it. */
#include "base/csv.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

static void
check_error(const char *error)
{
	FUZZ_ASSERT(error != NULL, "a refusal says why");
	FUZZ_ASSERT(strncmp(error, "line ", 5) == 0,
	    "the reader's messages start with \"line \"");
}

static void
read_all_records(const char *buf, size_t len)
{
	struct csv_reader r;
	struct csv_record rec;
	char *error = NULL;
	size_t i, last_line = 0;
	int got;

	csv_reader_init(&r, buf, len);
	while ((got = csv_next(&r, &rec, &error)) == 1) {
		FUZZ_ASSERT(rec.n > 0, "a record has a field");
		FUZZ_ASSERT(rec.line > last_line, "records come in line order");
		for (i = 0; i < rec.n; i++)
			FUZZ_ASSERT(rec.fields[i] != NULL, "fields are strings");
		last_line = rec.line;
		csv_record_free(&rec);
	}
	if (got == -1) {
		check_error(error);
		free(error);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *utf8, *error = NULL;
	size_t utf8_len;

	read_all_records((const char *)data, size);
	if (csv_from_gbk((const char *)data, size, &utf8, &utf8_len, &error) == 0) {
		read_all_records(utf8, utf8_len);
		free(utf8);
	} else {
		check_error(error);
		free(error);
	}
	return 0;
}
