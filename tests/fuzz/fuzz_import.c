/* fuzz_import.c — ledger_plan() and ledger_apply(): reading a CSV file or
 * an .xlsx workbook, the heading mapping, the value forms, the matching
 * and the registry changes, against an in-memory database.
 *
 * The importer reads a path, so the input goes into one memfd reopened
 * through /proc/self/fd.  The database holds the demo units
 * (contrib/demo/units.csv) and one account of the demo ledger, so rows
 * can be new or changes; every import is rolled back, as a dry run is, so
 * each input meets the same database and a crash replays from its input
 * alone.  A CSV input with non-ASCII bytes is imported a second time as
 * GBK, and each input once more with --close-missing. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/util.h"
#include "base/xlsx_read.h"
#include "fuzz.h"
#include "registry/account.h"
#include "registry/ledger.h"
#include "registry/unit.h"
#include "store/db.h"

static sqlite3       *db;
static struct config  cfg;
static int            input_fd = -1;
static char           input_path[64];

static void
add_demo_units(void)
{
	struct csv_reader r;
	struct csv_record rec;
	struct strbuf sb = STRBUF_INIT;
	char *buf, *error = NULL;
	size_t len;
	FILE *f = fopen(MW_SRCDIR "/contrib/demo/units.csv", "r");
	char chunk[4096];

	if (f == NULL)
		abort();
	while ((len = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_append(&sb, chunk, len);
	fclose(f);
	len = sb.len;
	buf = sb_steal(&sb);
	csv_reader_init(&r, buf, len);
	while (csv_next(&r, &rec, &error) == 1) {
		struct unit_fields u = { .code = rec.fields[0],
		    .name = rec.n > 1 ? rec.fields[1] : "unit" };

		if (rec.line > 1 && unit_add(db, &u, &error) == -1)
			free(error);
		csv_record_free(&rec);
	}
	free(buf);
}

static void
add_demo_account(void)
{
	const struct account_fields f = { .unit_code = "WYS-GOV",
	    .platform = "weibo", .name = "武夷山发布", .platform_uid = "2783640155",
	    .opened_on = "2013-06-20" };
	char *error = NULL;
	long long id;

	if (account_open(db, &cfg, &f, NULL, &id, &error) == -1)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	if (config_load(MW_SRCDIR "/conf/mediawatch.conf", &cfg) == -1 &&
	    config_load(NULL, &cfg) == -1)
		abort();
	tz_set("Asia/Shanghai");
	if ((db = db_open(":memory:", true)) == NULL)
		abort();
	add_demo_units();
	add_demo_account();
	if ((input_fd = memfd_create("fuzz-import", MFD_CLOEXEC)) == -1)
		abort();
	snprintf(input_path, sizeof(input_path), "/proc/self/fd/%d", input_fd);
	return 0;
}

static void
input_set(const uint8_t *data, size_t size)
{
	if (ftruncate(input_fd, 0) == -1 ||
	    (size > 0 && pwrite(input_fd, data, size, 0) != (ssize_t)size))
		abort();
}

static bool
has_non_ascii(const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (data[i] >= 0x80)
			return true;
	return false;
}

/* One import, rolled back whatever happened. */
static void
import_once(const struct import_options *opts)
{
	struct ledger_plan plan;

	if (db_begin(db) == -1)
		abort();
	if (ledger_plan(db, &cfg, opts, &plan) == 0)
		ledger_apply(db, &cfg, &plan);
	FUZZ_ASSERT(plan.errors >= 0, "an error count");
	ledger_plan_free(&plan);
	db_rollback(db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_options opts = { .path = input_path };
	long long accounts;

	input_set(data, size);
	import_once(&opts);
	if (has_non_ascii(data, size) && !xlsx_is_zip(data, size)) {
		opts.gbk = opts.encoding_given = true;
		import_once(&opts);
		opts.gbk = opts.encoding_given = false;
	}
	opts.close_missing = true;
	import_once(&opts);
	FUZZ_ASSERT(db_query_int(db, &accounts, "SELECT count(*) FROM account",
	    "") == 0 && accounts == 1, "a rolled back import stores nothing");
	return 0;
}
