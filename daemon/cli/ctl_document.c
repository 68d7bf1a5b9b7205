/* ctl_document.c — documents to stdout or to a file, atomically. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "cli/ctl.h"
#include "cli/ctl_document.h"

int
ctl_parse_format(const char *s, unsigned mask, const char *usage,
    enum render_format *out)
{
	struct strbuf allowed = STRBUF_INIT;
	enum render_format f;
	unsigned i;

	if (render_format_parse(s, &f) == 0 && (mask & FORMAT_BIT(f))) {
		*out = f;
		return 0;
	}
	for (i = 0; i <= RENDER_DOCX; i++)
		if (mask & FORMAT_BIT(i))
			sb_printf(&allowed, "%s%s", allowed.len ? ", " : "",
			    render_format_ext((enum render_format)i));
	ctl_usage_error(usage, "--format must be one of %s", sb_str(&allowed));
	sb_free(&allowed);
	return -1;
}

/* A document is as readable as any file the process creates; mkstemp()
 * would make it 0600. */
static int
open_temporary(const char *path, char **tmp)
{
	mode_t mask = umask(0);
	int fd;

	umask(mask);
	*tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkstemp(*tmp)) == -1 || fchmod(fd, 0666 & ~mask) == -1) {
		log_warn("%s", *tmp);
		if (fd != -1) {
			close(fd);
			unlink(*tmp);
		}
		return -1;
	}
	return fd;
}

/* Writes the bytes out (a rendering into memory) to path atomically. */
static int
write_file(const char *path, const char *data, size_t len)
{
	char *tmp;
	FILE *out;
	int fd, rc = -1;

	if ((fd = open_temporary(path, &tmp)) == -1) {
		free(tmp);
		return -1;
	}
	if ((out = fdopen(fd, "w")) == NULL) {
		log_warn("%s", tmp);
		close(fd);
	} else if (fwrite(data, 1, len, out) != len || fflush(out) != 0 ||
	    fsync(fileno(out)) == -1) {
		log_warn("%s", tmp);
		fclose(out);
	} else if (fclose(out) != 0)
		log_warn("%s", tmp);
	else if (rename(tmp, path) == -1)
		log_warn("%s", path);
	else
		rc = 0;
	if (rc == -1)
		unlink(tmp);
	free(tmp);
	return rc;
}

static int
write_out(const char *path, const char *data, size_t len)
{
	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			log_warn("stdout");
			return -1;
		}
		return 0;
	}
	return write_file(path, data, len);
}

static int
write_docx(const char *path, const json_t *data, const struct config *cfg)
{
	char *bytes = NULL, *error = NULL;
	size_t len = 0;
	int rc;

	if ((path == NULL || strcmp(path, "-") == 0) && isatty(STDOUT_FILENO)) {
		log_warnx("a .docx is not for a terminal: give --out FILE");
		return -1;
	}
	if (render_docx(data, cfg, &bytes, &len, &error) == -1) {
		log_warnx("%s", error);
		free(error);
		return -1;
	}
	rc = write_out(path, bytes, len);
	free(bytes);
	return rc;
}

int
ctl_write_document(const char *path, document_renderer fn, const json_t *data,
    enum render_format f, const struct config *cfg)
{
	char *text;
	int rc;

	if (f == RENDER_DOCX)
		return write_docx(path, data, cfg);
	if ((text = render_to_string(fn, data, f)) == NULL) {
		log_warn("rendering");
		return -1;
	}
	rc = write_out(path, text, strlen(text));
	free(text);
	return rc;
}
