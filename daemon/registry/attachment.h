/* attachment.h — the files units send as evidence with their replies: a
 * scanned reply with the unit's seal, a photo of the rectified page.
 *
 * A file is kept only when base/filetype.h finds it a whole PDF, JPEG or
 * PNG of at most ATTACHMENT_MAX bytes; its type is the one read from its
 * content, never the name's or the browser's.  The bytes are kept in the
 * database with the rest of the record (one file to back up, one
 * transaction with the reply).  Each file belongs to one unit: whoever may
 * not see the unit may not see the file.  Adding is audited (entity
 * "attachment").
 *
 * Owns table: attachment. */
#ifndef MW_ATTACHMENT_H
#define MW_ATTACHMENT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/filetype.h"

#define ATTACHMENT_MAX (10 * 1024 * 1024)

struct attachment {
	long long      id;
	long long      unit_id;
	char          *name;         /* cleaned, with its type's extension */
	enum filetype  type;
	size_t         size;
	unsigned char *data;         /* NULL unless read with its data */
	time_t         uploaded_at;
	char          *uploaded_by;
};

/* Stores len bytes at data as a file of unit_id named name (as the browser
 * sent it: cleaned here), inside the caller's transaction.  Refuses (-1,
 * *error "file: why", caller frees) an empty, oversized or unrecognised
 * file. */
int  attachment_add(sqlite3 *db, long long unit_id, const char *name,
         const void *data, size_t len, time_t now, long long *id,
         char **error);
/* Reads attachment id (its bytes too with with_data): 0 found, 1 none,
 * -1 on a database error.  Free with attachment_free(). */
int  attachment_get(sqlite3 *db, long long id, bool with_data,
         struct attachment *a);
void attachment_free(struct attachment *a);

/* The name a file is kept under: the last segment of what was sent
 * (a browser may send a whole path), without control characters, quotes
 * or leading dots, at most 80 bytes of valid UTF-8, ending in its type's
 * extension ("附件.pdf" when nothing is left).  Caller frees. */
char *attachment_clean_name(const char *name, enum filetype t);

#endif
