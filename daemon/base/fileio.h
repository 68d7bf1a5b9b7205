/* fileio.h — reading whole files (a ledger, a draft, a feed saved to disk). */
#ifndef MW_FILEIO_H
#define MW_FILEIO_H

#include <stddef.h>

#include "base/util.h"

/* Appends the whole of path ("-": standard input) to sb.  A file larger
 * than max bytes is refused.  Logs "PATH: why" and returns -1 on error. */
int read_whole_file(const char *path, size_t max, struct strbuf *sb);

#endif
