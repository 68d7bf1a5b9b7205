/* ctl_document.c — documents to stdout or to a file, atomically. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
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
	ctl_usage_error(usage, _("--format must be one of %s"), sb_str(&allowed));
	sb_free(&allowed);
	return -1;
}

/* Writes the bytes out (a rendering into memory) to path atomically, as
 * readable as any file the process creates. */
static int
write_file(const char *path, const char *data, size_t len)
{
	char *error = NULL;

	if (file_write_atomic(path, data, len, 0666, &error) == -1) {
		log_warnx("%s", error);
		free(error);
		return -1;
	}
	return 0;
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
		log_warnx(N_("a .docx is not for a terminal: give --out FILE"));
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
		log_warn(N_("rendering"));
		return -1;
	}
	rc = write_out(path, text, strlen(text));
	free(text);
	return rc;
}
