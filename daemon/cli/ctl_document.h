/* ctl_document.h — writing a rendered document (notice, bulletin,
 * report) for the admin tool: to stdout, or atomically to a file. */
#ifndef MW_CTL_DOCUMENT_H
#define MW_CTL_DOCUMENT_H

#include <jansson.h>

#include "config/config.h"
#include "paperwork/render.h"

typedef void (*document_renderer)(FILE *, const json_t *, enum render_format);

/* Renders data to path (NULL or "-": stdout).  A file is written to a
 * temporary name and renamed, so a reader never sees half a document.
 * RENDER_DOCX is made by render_docx() in the fonts of cfg, and goes to
 * stdout only when that is not a terminal.  Logs and returns -1 on
 * failure. */
int ctl_write_document(const char *path, document_renderer fn,
        const json_t *data, enum render_format f, const struct config *cfg);

/* Parses a --format value allowed by mask (1 << format); logs a usage
 * error and returns -1 otherwise. */
int ctl_parse_format(const char *s, unsigned mask, const char *usage,
        enum render_format *out);

#define FORMAT_BIT(f) (1u << (f))

#endif
