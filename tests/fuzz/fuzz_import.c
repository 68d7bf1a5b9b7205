/* fuzz_import.c — import_accounts(): the header mapping, the row checks
 * and the registry inserts, against an in-memory database.
 *
 * The importer reads a path, so the input goes into one memfd reopened
 * through /proc/self/fd.  The database holds the demo units
 * (contrib/demo/units.csv) so rows can get as far as the INSERT; every
 * import is a dry run, rolled back, so each input meets the same database
 * and a crash replays from its input alone.  An input with non-ASCII bytes
 * is imported a second time as GBK. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/util.h"
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_options opts = { .path = input_path, .dry_run = true };
	long long accounts;

	input_set(data, size);
	import_accounts(db, &cfg, &opts);
	if (has_non_ascii(data, size)) {
		opts.gbk = true;
		import_accounts(db, &cfg, &opts);
	}
	FUZZ_ASSERT(db_query_int(db, &accounts, "SELECT count(*) FROM account",
	    "") == 0 && accounts == 0, "a dry run stores nothing");
	return 0;
}
