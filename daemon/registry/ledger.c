/* ledger.c — CSV import and export of accounts. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/output.h"
#include "base/util.h"
#include "registry/ledger.h"
#include "store/db.h"

#define IMPORT_FILE_MAX (256L * 1024 * 1024)
#define MAX_REPORTED_ERRORS 50

enum column_id { C_UNIT, C_PLATFORM, C_NAME, C_UID, C_FEED, C_OPERATOR,
    C_FILING, C_OPENED, N_COLUMNS };

static const struct {
	const char *name;           /* canonical heading (also the field name) */
	const char *chinese;        /* heading of a ledger spreadsheet */
	bool        required;
} columns[N_COLUMNS] = {
	[C_UNIT] = { "unit_code", "单位代码", true },
	[C_PLATFORM] = { "platform", "平台", true },
	[C_NAME] = { "name", "账号名称", true },
	[C_UID] = { "platform_uid", "账号ID", false },
	[C_FEED] = { "feed_url", "订阅地址", false },
	[C_OPERATOR] = { "operator", "运维人员", false },
	[C_FILING] = { "filing_no", "备案号", false },
	[C_OPENED] = { "opened_on", "开设日期", false },
};

struct import_state {
	const struct import_options *opts;
	int     position[N_COLUMNS];  /* field index of each column, -1 absent */
	size_t  n_header;
	int     errors;
};

static void MW_PRINTF(3, 4)
import_error(struct import_state *st, size_t line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (++st->errors > MAX_REPORTED_ERRORS)
		return;
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	log_warnx("%s:%zu:%s", st->opts->path, line, sb_str(&sb));
	sb_free(&sb);
}

static int
map_header(struct import_state *st, const struct csv_record *rec)
{
	size_t i;
	int c;

	for (c = 0; c < N_COLUMNS; c++)
		st->position[c] = -1;
	for (i = 0; i < rec->n; i++) {
		const char *h = str_trim(rec->fields[i]);

		for (c = 0; c < N_COLUMNS; c++)
			if (strcmp(h, columns[c].name) == 0 ||
			    strcmp(h, columns[c].chinese) == 0)
				break;
		if (c == N_COLUMNS) {
			import_error(st, rec->line, "%zu: unknown column '%s' "
			    "(expected unit_code, platform, name, platform_uid, "
			    "feed_url, operator, filing_no, opened_on)", i + 1, h);
			continue;
		}
		if (st->position[c] != -1)
			import_error(st, rec->line, "%s: column appears twice",
			    columns[c].name);
		st->position[c] = (int)i;
	}
	for (c = 0; c < N_COLUMNS; c++)
		if (columns[c].required && st->position[c] == -1)
			import_error(st, rec->line, "%s: required column is "
			    "missing", columns[c].name);
	st->n_header = rec->n;
	return st->errors ? -1 : 0;
}

static const char *
field(const struct import_state *st, const struct csv_record *rec, int c)
{
	int pos = st->position[c];

	return pos >= 0 ? str_trim(rec->fields[pos]) : NULL;
}

/* The field named in a registry error ("platform: …") becomes the column
 * of the FILE:LINE:column message. */
static void
open_row(sqlite3 *db, const struct config *cfg, struct import_state *st,
    const struct csv_record *rec)
{
	struct account_fields f = {
		.unit_code = field(st, rec, C_UNIT),
		.platform = field(st, rec, C_PLATFORM),
		.name = field(st, rec, C_NAME),
		.platform_uid = field(st, rec, C_UID),
		.feed_url = field(st, rec, C_FEED),
		.operator_name = field(st, rec, C_OPERATOR),
		.filing_no = field(st, rec, C_FILING),
		.opened_on = field(st, rec, C_OPENED),
	};
	char *error = NULL;
	long long id;

	if (account_open(db, cfg, &f, &id, &error) == -1) {
		import_error(st, rec->line, "%s", error);
		free(error);
	}
}

static void
import_row(sqlite3 *db, const struct config *cfg, struct import_state *st,
    const struct csv_record *rec)
{
	if (rec->n != st->n_header) {
		import_error(st, rec->line, " %zu fields where the header has %zu",
		    rec->n, st->n_header);
		return;
	}
	open_row(db, cfg, st, rec);
}

/* The first byte that is not part of valid UTF-8 text (NUL included). */
static const char *
first_invalid_utf8(const char *s, size_t len)
{
	const char *end = s + len;
	uint32_t cp;
	size_t n;

	while (s < end) {
		if ((n = utf8_decode(s, (size_t)(end - s), &cp)) == 0 || cp == 0)
			return s;
		s += n;
	}
	return NULL;
}

static int
decode_input(const struct import_options *opts, char **buf, size_t *len)
{
	char *utf8, *error = NULL;
	size_t utf8_len;
	const char *bad;

	if (opts->gbk) {
		if (csv_from_gbk(*buf, *len, &utf8, &utf8_len, &error) == -1) {
			log_warnx("%s:%s", opts->path, error + strlen("line "));
			free(error);
			return -1;
		}
		free(*buf);
		*buf = utf8;
		*len = utf8_len;
		return 0;
	}
	if ((bad = first_invalid_utf8(*buf, *len)) != NULL) {
		log_warnx("%s:%zu: not UTF-8 text (a file saved by a spreadsheet "
		    "as GBK needs --encoding gbk)", opts->path,
		    line_number_at(*buf, (size_t)(bad - *buf)));
		return -1;
	}
	return 0;
}

static void
read_rows(sqlite3 *db, const struct config *cfg, struct import_state *st,
    struct csv_reader *r, long *count)
{
	struct csv_record rec;
	char *error = NULL;
	int got;

	while ((got = csv_next(r, &rec, &error)) == 1) {
		import_row(db, cfg, st, &rec);
		csv_record_free(&rec);
		(*count)++;
		/* after an I/O error SQLite rolls the transaction back by
		 * itself; going on would commit each later row on its own */
		if (sqlite3_get_autocommit(db)) {
			st->errors++;
			log_warnx("%s:%zu: the database refused the write; stopping",
			    st->opts->path, rec.line);
			return;
		}
	}
	if (got == -1) {
		/* the reader's "line N: why" becomes FILE:N: why */
		st->errors++;
		log_warnx("%s:%s", st->opts->path, error + strlen("line "));
		free(error);
	}
}

long
import_accounts(sqlite3 *db, const struct config *cfg,
    const struct import_options *opts)
{
	struct import_state st = { .opts = opts };
	struct csv_reader r;
	struct csv_record header;
	struct strbuf input = STRBUF_INIT;
	char *buf, *error = NULL;
	size_t len;
	long count = 0;
	int got;

	if (read_whole_file(opts->path, IMPORT_FILE_MAX, &input) == -1) {
		sb_free(&input);
		return -1;
	}
	len = input.len;
	buf = sb_steal(&input);
	if (decode_input(opts, &buf, &len) == -1) {
		free(buf);
		return -1;
	}
	csv_reader_init(&r, buf, len);
	if ((got = csv_next(&r, &header, &error)) != 1) {
		log_warnx("%s:%s", opts->path, got == 0 ? "1: the file is empty "
		    "(a header row is required)" : error + strlen("line "));
		free(error);
		free(buf);
		return -1;
	}
	if (map_header(&st, &header) == 0 && db_begin(db) == 0) {
		read_rows(db, cfg, &st, &r, &count);
		if (st.errors == 0 && !opts->dry_run && db_commit(db) == -1)
			st.errors++;
		db_rollback(db);
	}
	csv_record_free(&header);
	free(buf);
	if (st.errors > MAX_REPORTED_ERRORS)
		log_warnx("%s: %d more errors not shown", opts->path,
		    st.errors - MAX_REPORTED_ERRORS);
	if (st.errors) {
		log_warnx("%s: nothing imported (%d error%s)", opts->path,
		    st.errors, st.errors == 1 ? "" : "s");
		return -1;
	}
	return count;
}

int
export_accounts(sqlite3 *db, const struct account_filter *filter, FILE *out)
{
	json_t *rows = account_list_json(db, filter), *row;
	static const char *const keys[N_COLUMNS] = { "unit", "platform", "name",
	    "platform_uid", "feed_url", "operator", "filing_no", "opened_on" };
	size_t i;
	int c;

	for (c = 0; c < N_COLUMNS; c++)
		fprintf(out, "%s%s", c ? "," : "", columns[c].name);
	fputs("\r\n", out);
	json_array_foreach(rows, i, row) {
		const char *status = json_string_value(json_object_get(row, "status"));

		if (filter->status == NULL && strcmp(status, "active") != 0 &&
		    strcmp(status, "suspended") != 0)
			continue;
		for (c = 0; c < N_COLUMNS; c++) {
			char *cell = output_cell(json_object_get(row, keys[c]), COL_TEXT);

			if (c)
				fputc(',', out);
			csv_put_field(out, cell);
			free(cell);
		}
		fputs("\r\n", out);
	}
	json_decref(rows);
	return fflush(out) == 0 ? 0 : -1;
}
