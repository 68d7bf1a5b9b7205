/* maildir.c — Maildir delivery (tmp/, fsync, link into new/). */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/util.h"
#include "mail/maildir.h"

static int
dir_ensure(const char *path, char **error)
{
	struct stat st;

	/* 0770 less the umask: the service's group may read the alerts */
	if (mkdir(path, 0770) == -1 && errno != EEXIST) {
		*error = xasprintf("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		*error = xasprintf("%s is not a directory", path);
		return -1;
	}
	return 0;
}

static int
maildir_prepare(const char *path, char **error)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	char *p;
	size_t i;
	int rc;

	if (dir_ensure(path, error) == -1)
		return -1;
	for (i = 0; i < ARRAY_SIZE(sub); i++) {
		p = xasprintf("%s/%s", path, sub[i]);
		rc = dir_ensure(p, error);
		free(p);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* "seconds.MusecPpidRrandom.host": unique across processes and hosts
 * sharing the Maildir.  '/' and ':' in the host name would break the file
 * name and the info suffix, so they are written as \057 and \072. */
static char *
unique_name(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct timespec ts;
	char host[256], *p;
	uint64_t r = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r ^= (uint64_t)ts.tv_nsec << 20;
	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	sb_printf(&sb, "%lld.M%06ldP%ldR%016llx.", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, (long)getpid(), (unsigned long long)r);
	for (p = host; *p; p++) {
		if (*p == '/')
			sb_puts(&sb, "\\057");
		else if (*p == ':')
			sb_puts(&sb, "\\072");
		else
			sb_putc(&sb, *p);
	}
	return sb_steal(&sb);
}

static int
tmp_write(const char *tmp, const char *msg, size_t len, char **error)
{
	int fd, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0660);
	if (fd == -1) {
		*error = xasprintf("cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write_all(fd, msg, len) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		*error = xasprintf("cannot write %s: %s", tmp, strerror(saved));
		return -1;
	}
	if (close(fd) == -1) {
		saved = errno;
		unlink(tmp);
		*error = xasprintf("cannot write %s: %s", tmp, strerror(saved));
		return -1;
	}
	return 0;
}

/* link() refuses to replace a file, so a name clash can never overwrite a
 * message; file systems without hard links fall back to rename(). */
static int
tmp_to_new(const char *tmp, const char *new, char **error)
{
	if (link(tmp, new) == 0) {
		unlink(tmp);
		return 0;
	}
	if (errno != EEXIST && rename(tmp, new) == 0)
		return 0;
	*error = xasprintf("cannot move %s to %s: %s", tmp, new,
	    strerror(errno));
	unlink(tmp);
	return -1;
}

int
maildir_deliver(const char *path, const char *msg, size_t len, char **error)
{
	char *name, *tmp, *new, *newdir;
	int rc = -1;

	if (maildir_prepare(path, error) == -1)
		return -1;
	name = unique_name();
	tmp = xasprintf("%s/tmp/%s", path, name);
	new = xasprintf("%s/new/%s", path, name);
	newdir = xasprintf("%s/new", path);
	if (tmp_write(tmp, msg, len, error) == 0 &&
	    tmp_to_new(tmp, new, error) == 0) {
		/* the message exists only once its directory entry is on disk */
		if (dir_sync(newdir) == -1)
			*error = xasprintf("cannot sync %s: %s", newdir,
			    strerror(errno));
		else
			rc = 0;
	}
	free(newdir);
	free(new);
	free(tmp);
	free(name);
	return rc;
}
