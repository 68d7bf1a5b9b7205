/* ooxml.h — the plumbing of an Office Open XML package, for docx.c: XML
 * parts written with libxml2's xmlTextWriter (every text escaped by the
 * writer, never pasted into markup) and the zip container (libzip).
 *
 * Errors are sticky: a failed writer call marks the part, and xp_finish()
 * reports it once, so the layout code reads as a sequence of elements. */
#ifndef MW_OOXML_H
#define MW_OOXML_H

#include <libxml/xmlwriter.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define W_NS  "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define R_NS  "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

/* One XML part being written into memory. */
struct xmlpart {
	xmlBufferPtr      buf;
	xmlTextWriterPtr  w;
	bool              failed;         /* some writer call failed */
};

/* Starts a part with its XML declaration; -1 when out of memory. */
int  xp_begin(struct xmlpart *x);
/* Ends the part: its bytes in *data (malloc'd, caller frees).  -1 when
 * any call on it failed; the part is released either way. */
int  xp_finish(struct xmlpart *x, char **data, size_t *len);

void xp_start(struct xmlpart *x, const char *name);
void xp_end(struct xmlpart *x);
void xp_attr(struct xmlpart *x, const char *name, const char *value);
void xp_attr_int(struct xmlpart *x, const char *name, long value);
/* <name/> */
void xp_empty(struct xmlpart *x, const char *name);
/* <name w:val="value"/>, the usual shape of a WordprocessingML property */
void xp_val(struct xmlpart *x, const char *name, const char *value);
void xp_val_int(struct xmlpart *x, const char *name, long value);
/* <name>text</name> */
void xp_element(struct xmlpart *x, const char *name, const char *text);
/* Text content with the characters XML cannot carry (C0 controls, DEL,
 * C1, U+FFFE, U+FFFF) dropped; s must be valid UTF-8. */
void xp_text(struct xmlpart *x, const char *s);
/* The content of a run (w:r): w:t pieces, "\n" as w:br. */
void xp_run_text(struct xmlpart *x, const char *s);

/* The zip container, built in memory. */
struct package {
	void   *source;          /* zip_source_t */
	void   *archive;         /* zip_t */
	time_t  mtime;           /* of every entry */
};

/* -1 with *error (caller frees) on failure, as for the rest. */
int  pkg_begin(struct package *p, time_t mtime, char **error);
/* Adds a part and takes ownership of data (freed even on failure). */
int  pkg_add(struct package *p, const char *name, char *data, size_t len,
         char **error);
/* Closes the archive: its bytes in *data (malloc'd, caller frees). */
int  pkg_finish(struct package *p, char **data, size_t *len, char **error);
/* Drops an unfinished package. */
void pkg_discard(struct package *p);

#endif
