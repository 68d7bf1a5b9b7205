/* xlsx_write.c — one worksheet through libxlsxwriter.
 *
 * libxlsxwriter writes only to a named file, so the workbook is written to
 * a temporary file first: beside the target, then renamed (a reader never
 * sees half a workbook), or in $TMPDIR and copied to standard output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "base/i18n.h"
#include "base/util.h"
#include "base/xlsx_write.h"

struct xlsx_writer {
	lxw_workbook             *wb;
	lxw_worksheet            *ws;
	lxw_format               *text, *date, *heading;
	const struct xlsx_column *cols;
	size_t                    n_cols;
	lxw_row_t                 row;       /* next row to write */
	char                     *tmp;       /* the file being written */
	char                     *target;    /* NULL: standard output */
	char                     *error;     /* the first cell refused */
};

/* A fresh empty file for libxlsxwriter to overwrite. */
static char *
make_temp(const char *target)
{
	const char *dir = getenv("TMPDIR");
	mode_t mask = umask(0);
	char *tmp;
	int fd;

	umask(mask);

	if (target)
		tmp = xasprintf("%s.XXXXXX", target);
	else
		tmp = xasprintf("%s/mediawatch-XXXXXX.xlsx", dir && *dir ? dir : "/tmp");
	fd = target ? mkstemp(tmp) : mkstemps(tmp, 5);
	if (fd == -1) {
		free(tmp);
		return NULL;
	}
	/* the workbook is renamed into place: give it the usual mode */
	fchmod(fd, 0666 & ~mask);
	close(fd);
	return tmp;
}

static void
add_formats(struct xlsx_writer *w)
{
	w->text = workbook_add_format(w->wb);
	format_set_num_format(w->text, "@");
	w->date = workbook_add_format(w->wb);
	format_set_num_format(w->date, "yyyy-mm-dd");
	w->heading = workbook_add_format(w->wb);
	format_set_bold(w->heading);
	format_set_num_format(w->heading, "@");
}

static void
write_headings(struct xlsx_writer *w)
{
	size_t i;

	for (i = 0; i < w->n_cols; i++) {
		worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i,
		    w->cols[i].width, w->cols[i].type == XLSX_COLUMN_DATE ?
		    w->date : w->text);
		worksheet_write_string(w->ws, 0, (lxw_col_t)i,
		    w->cols[i].heading, w->heading);
	}
	worksheet_freeze_panes(w->ws, 1, 0);
	w->row = 1;
}

struct xlsx_writer *
xlsx_writer_new(const char *path, const char *sheet_name,
    const struct xlsx_column *cols, size_t n_cols, char **error)
{
	struct xlsx_writer *w = xcalloc(1, sizeof(*w));

	w->target = path && strcmp(path, "-") != 0 ? xstrdup(path) : NULL;
	w->cols = cols;
	w->n_cols = n_cols;
	if ((w->tmp = make_temp(w->target)) == NULL) {
		*error = xasprintf(_("%s: cannot create a file beside it: %s"),
		    w->target ? w->target : "$TMPDIR", strerror(errno));
		free(w->target);
		free(w);
		return NULL;
	}
	if ((w->wb = workbook_new(w->tmp)) == NULL ||
	    (w->ws = workbook_add_worksheet(w->wb, sheet_name)) == NULL) {
		*error = xstrdup(_("cannot start a workbook (libxlsxwriter)"));
		xlsx_writer_abort(w);
		return NULL;
	}
	add_formats(w);
	write_headings(w);
	return w;
}

/* A calendar date YYYY-MM-DD, or false. */
static bool
parse_date(const char *s, lxw_datetime *dt)
{
	int n = 0;

	memset(dt, 0, sizeof(*dt));
	return sscanf(s, "%4d-%2d-%2d%n", &dt->year, &dt->month, &dt->day,
	    &n) == 3 && n == 10 && s[n] == '\0' && dt->year >= 1900 &&
	    dt->month >= 1 && dt->month <= 12 && dt->day >= 1 && dt->day <= 31;
}

int
xlsx_writer_row(struct xlsx_writer *w, const char *const *cells)
{
	lxw_datetime dt;
	lxw_error rc;
	size_t i;

	for (i = 0; i < w->n_cols; i++) {
		const char *v = cells[i];

		if (v == NULL || *v == '\0')
			continue;
		if (w->cols[i].type == XLSX_COLUMN_DATE && parse_date(v, &dt))
			rc = worksheet_write_datetime(w->ws, w->row,
			    (lxw_col_t)i, &dt, w->date);
		else
			rc = worksheet_write_string(w->ws, w->row, (lxw_col_t)i,
			    v, w->text);
		if (rc != LXW_NO_ERROR && w->error == NULL)
			w->error = xasprintf(_("row %lu, column %zu: %s"),
			    (unsigned long)w->row + 1, i + 1, lxw_strerror(rc));
	}
	w->row++;
	return w->error ? -1 : 0;
}

static int
copy_to_stdout(const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd == -1)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n) {
			rc = -1;
			break;
		}
	if (n < 0)
		rc = -1;
	close(fd);
	return rc == 0 && fflush(stdout) == 0 ? 0 : -1;
}

int
xlsx_writer_close(struct xlsx_writer *w, char **error)
{
	lxw_error rc;
	int ok = -1;

	if (w->row > 1)
		worksheet_autofilter(w->ws, 0, 0, w->row - 1,
		    (lxw_col_t)(w->n_cols ? w->n_cols - 1 : 0));
	rc = workbook_close(w->wb);
	w->wb = NULL;
	if (w->error)
		*error = xstrdup(w->error);
	else if (rc != LXW_NO_ERROR)
		*error = xasprintf(_("cannot write the workbook: %s"), lxw_strerror(rc));
	else if (w->target && rename(w->tmp, w->target) == -1)
		*error = xasprintf("%s: %s", w->target, strerror(errno));
	else if (w->target == NULL && copy_to_stdout(w->tmp) == -1)
		*error = xasprintf(_("standard output: %s"), strerror(errno));
	else
		ok = 0;
	if (ok == 0 && w->target) {
		free(w->tmp);
		w->tmp = NULL;          /* renamed: nothing to remove */
	}
	xlsx_writer_abort(w);
	return ok;
}

void
xlsx_writer_abort(struct xlsx_writer *w)
{
	if (w == NULL)
		return;
	if (w->wb)
		lxw_workbook_free(w->wb);
	if (w->tmp)
		unlink(w->tmp);
	free(w->tmp);
	free(w->target);
	free(w->error);
	free(w);
}
