/* fileio.c — reading whole files for the programs' inputs, and writing
 * them all or nothing. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/i18n.h"
#include "base/log.h"

int
read_whole_file(const char *path, size_t max, struct strbuf *sb)
{
	char chunk[65536];
	ssize_t n;
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1) {
		log_warn("%s", path);
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		sb_append(sb, chunk, (size_t)n);
		if (sb->len > max) {
			log_warnx(N_("%s: larger than %zu MiB"), path, max >> 20);
			n = -2;
			break;
		}
	}
	if (n == -1)
		log_warn("%s", path);
	if (fd != 0)
		close(fd);
	return n < 0 ? -1 : 0;
}

int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
dir_sync(const char *path)
{
	int fd, rc, saved;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* The directory path is in: "." for a bare name.  Caller frees. */
static char *
parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* A new file beside path, with its name in *tmp (caller frees); mkstemp()
 * makes it 0600, so it gets mode less the umask. */
static int
open_beside(const char *path, mode_t mode, char **tmp)
{
	mode_t mask = umask(0);
	int fd, saved;

	umask(mask);
	*tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkstemp(*tmp)) == -1)
		return -1;
	if (fchmod(fd, mode & ~mask) == -1) {
		saved = errno;
		close(fd);
		unlink(*tmp);
		errno = saved;
		return -1;
	}
	return fd;
}

int
file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, char **error)
{
	char *tmp, *dir;
	int fd, failed;

	/* the messages name path: the temporary file is ours, not the user's */
	if ((fd = open_beside(path, mode, &tmp)) == -1) {
		*error = xasprintf("%s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	failed = write_all(fd, data, len) == -1 || fsync(fd) == -1;
	if (failed)
		*error = xasprintf("%s: %s", path, strerror(errno));
	if (close(fd) == -1 && !failed) {
		*error = xasprintf("%s: %s", path, strerror(errno));
		failed = 1;
	}
	if (!failed && rename(tmp, path) == -1) {
		*error = xasprintf("%s: %s", path, strerror(errno));
		failed = 1;
	}
	if (failed)
		unlink(tmp);
	free(tmp);
	if (failed)
		return -1;
	dir = parent_dir(path);
	if (dir_sync(dir) == -1) {
		*error = xasprintf("%s: %s", dir, strerror(errno));
		failed = 1;
	}
	free(dir);
	return failed ? -1 : 0;
}
