/* ctl_document.c — documents to stdout or to a file, atomically. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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
	for (i = 0; i <= RENDER_CSV; i++)
		if (mask & FORMAT_BIT(i))
			sb_printf(&allowed, "%s%s", allowed.len ? ", " : "",
			    render_format_ext((enum render_format)i));
	ctl_usage_error(usage, "--format must be one of %s", sb_str(&allowed));
	sb_free(&allowed);
	return -1;
}

static int
write_file(const char *path, document_renderer fn, const json_t *data,
    enum render_format f)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *out = fopen(tmp, "w");
	int rc = -1;

	if (out == NULL) {
		log_warn("%s", tmp);
		free(tmp);
		return -1;
	}
	fn(out, data, f);
	if (fflush(out) != 0 || ferror(out) || fsync(fileno(out)) == -1) {
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

int
ctl_write_document(const char *path, document_renderer fn, const json_t *data,
    enum render_format f)
{
	if (path == NULL || strcmp(path, "-") == 0) {
		fn(stdout, data, f);
		return 0;
	}
	return write_file(path, fn, data, f);
}
