/* fileio.h — whole files: reading one (a ledger, a draft, a feed saved
 * to disk) and writing one all or nothing (a document, an export). */
#ifndef MW_FILEIO_H
#define MW_FILEIO_H

#include <sys/types.h>

#include <stddef.h>

#include "base/util.h"

/* Appends the whole of path ("-": standard input) to sb.  A file larger
 * than max bytes is refused.  Logs "PATH: why" and returns -1 on error. */
int read_whole_file(const char *path, size_t max, struct strbuf *sb);

/* Writes all len bytes to fd, through short writes and EINTR; -1 with
 * errno set. */
int write_all(int fd, const void *data, size_t len);
/* Flushes the directory path itself, so that a name just created or
 * renamed in it survives a crash; -1 with errno set. */
int dir_sync(const char *path);

/* Replaces path with data, all or nothing: a temporary file beside it is
 * written, flushed to disk and renamed over path, then the directory is
 * flushed.  A reader sees the old file or the new one, never a part.  The
 * file gets mode less the umask (0666: as any file the process creates).
 * -1 with *error ("PATH: why"; caller frees), the temporary file removed
 * and path untouched. */
int file_write_atomic(const char *path, const void *data, size_t len,
        mode_t mode, char **error);

#endif
