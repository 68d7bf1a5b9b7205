/* ooxml.c — XML parts through xmlTextWriter, and the zip container. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "base/i18n.h"
#include "base/util.h"
#include "paperwork/ooxml.h"

#define BAD(s) ((const xmlChar *)(s))

/* ---- text ---- */

/* XML 1.0 has no way to carry these, not even as character references. */
static bool
xml_forbidden(uint32_t cp)
{
	return (cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp <= 0x9f) ||
	    cp == 0xfffe || cp == 0xffff;
}

/* A copy of s without the characters XML cannot carry; invalid bytes are
 * skipped too, though callers check the text first. */
static char *
xml_clean(const char *s, bool keep_newline)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;
	char *out;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			i++;
			continue;
		}
		if (!xml_forbidden(cp) && (cp != '\n' || keep_newline))
			sb_append(&sb, s + i, n);
		i += n;
	}
	out = sb_steal(&sb);
	return out ? out : xstrdup("");
}

/* ---- parts ---- */

static void
check(struct xmlpart *x, int rc)
{
	if (rc < 0)
		x->failed = true;
}

int
xp_begin(struct xmlpart *x)
{
	memset(x, 0, sizeof(*x));
	if ((x->buf = xmlBufferCreate()) == NULL)
		return -1;
	if ((x->w = xmlNewTextWriterMemory(x->buf, 0)) == NULL) {
		xmlBufferFree(x->buf);
		return -1;
	}
	check(x, xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", "yes"));
	return 0;
}

int
xp_finish(struct xmlpart *x, char **data, size_t *len)
{
	int rc = -1;

	check(x, xmlTextWriterEndDocument(x->w));
	xmlFreeTextWriter(x->w);        /* flushes into buf */
	if (!x->failed) {
		*len = (size_t)xmlBufferLength(x->buf);
		*data = xmalloc(*len + 1);
		memcpy(*data, xmlBufferContent(x->buf), *len);
		(*data)[*len] = '\0';
		rc = 0;
	}
	xmlBufferFree(x->buf);
	memset(x, 0, sizeof(*x));
	return rc;
}

void
xp_start(struct xmlpart *x, const char *name)
{
	check(x, xmlTextWriterStartElement(x->w, BAD(name)));
}

void
xp_end(struct xmlpart *x)
{
	check(x, xmlTextWriterEndElement(x->w));
}

void
xp_attr(struct xmlpart *x, const char *name, const char *value)
{
	char *clean = xml_clean(value, false);

	check(x, xmlTextWriterWriteAttribute(x->w, BAD(name), BAD(clean)));
	free(clean);
}

void
xp_attr_int(struct xmlpart *x, const char *name, long value)
{
	check(x, xmlTextWriterWriteFormatAttribute(x->w, BAD(name), "%ld",
	    value));
}

void
xp_empty(struct xmlpart *x, const char *name)
{
	xp_start(x, name);
	xp_end(x);
}

void
xp_val(struct xmlpart *x, const char *name, const char *value)
{
	xp_start(x, name);
	xp_attr(x, "w:val", value);
	xp_end(x);
}

void
xp_val_int(struct xmlpart *x, const char *name, long value)
{
	xp_start(x, name);
	xp_attr_int(x, "w:val", value);
	xp_end(x);
}

void
xp_element(struct xmlpart *x, const char *name, const char *text)
{
	xp_start(x, name);
	xp_text(x, text);
	xp_end(x);
}

void
xp_text(struct xmlpart *x, const char *s)
{
	char *clean = xml_clean(s, false);

	check(x, xmlTextWriterWriteString(x->w, BAD(clean)));
	free(clean);
}

static void
run_piece(struct xmlpart *x, const char *s, size_t n)
{
	char *piece;

	if (n == 0)
		return;
	piece = xstrndup(s, n);
	xp_start(x, "w:t");
	xp_attr(x, "xml:space", "preserve");
	xp_text(x, piece);
	xp_end(x);
	free(piece);
}

void
xp_run_text(struct xmlpart *x, const char *s)
{
	const char *nl;

	while ((nl = strchr(s, '\n')) != NULL) {
		run_piece(x, s, (size_t)(nl - s));
		xp_empty(x, "w:br");
		s = nl + 1;
	}
	run_piece(x, s, strlen(s));
}

/* ---- the zip container ---- */

static int
zip_failure(char **error, const char *what, zip_error_t *ze)
{
	*error = xasprintf("docx: %s: %s", what, zip_error_strerror(ze));
	zip_error_fini(ze);
	return -1;
}

int
pkg_begin(struct package *p, time_t mtime, char **error)
{
	zip_source_t *src;
	zip_t *za;
	zip_error_t ze;

	memset(p, 0, sizeof(*p));
	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL)
		return zip_failure(error, "zip buffer", &ze);
	if ((za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL) {
		zip_source_free(src);
		return zip_failure(error, "zip open", &ze);
	}
	zip_source_keep(src);           /* the bytes outlive the archive */
	zip_error_fini(&ze);
	p->source = src;
	p->archive = za;
	p->mtime = mtime;
	return 0;
}

int
pkg_add(struct package *p, const char *name, char *data, size_t len,
    char **error)
{
	zip_t *za = p->archive;
	zip_source_t *s;
	zip_int64_t idx;

	if ((s = zip_source_buffer(za, data, len, 1)) == NULL) {
		free(data);
		*error = xasprintf("docx: %s: %s", name, zip_strerror(za));
		return -1;
	}
	if ((idx = zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(s);
		*error = xasprintf("docx: %s: %s", name, zip_strerror(za));
		return -1;
	}
	if (zip_file_set_mtime(za, (zip_uint64_t)idx, p->mtime, 0) == -1) {
		*error = xasprintf("docx: %s: %s", name, zip_strerror(za));
		return -1;
	}
	return 0;
}

static int
read_source(zip_source_t *src, char **data, size_t *len, char **error)
{
	zip_stat_t st;

	if (zip_source_stat(src, &st) == -1 || zip_source_open(src) == -1) {
		*error = xasprintf(_("docx: reading the archive: %s"),
		    zip_error_strerror(zip_source_error(src)));
		return -1;
	}
	*len = (size_t)st.size;
	*data = xmalloc(*len ? *len : 1);
	if (zip_source_read(src, *data, st.size) != (zip_int64_t)st.size) {
		*error = xasprintf(_("docx: reading the archive: %s"),
		    zip_error_strerror(zip_source_error(src)));
		zip_source_close(src);
		free(*data);
		*data = NULL;
		return -1;
	}
	zip_source_close(src);
	return 0;
}

int
pkg_finish(struct package *p, char **data, size_t *len, char **error)
{
	int rc;

	if (zip_close(p->archive) == -1) {
		*error = xasprintf(_("docx: writing the archive: %s"),
		    zip_strerror(p->archive));
		pkg_discard(p);
		return -1;
	}
	p->archive = NULL;
	rc = read_source(p->source, data, len, error);
	zip_source_free(p->source);
	p->source = NULL;
	return rc;
}

void
pkg_discard(struct package *p)
{
	if (p->archive)
		zip_discard(p->archive);
	if (p->source)
		zip_source_free(p->source);
	memset(p, 0, sizeof(*p));
}
