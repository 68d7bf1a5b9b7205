/* maildir.c — Maildir delivery (tmp/, fsync, link into new/). */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* The messages' tmp/ files are written and synced on up to WRITERS
 * threads at once: each fsync waits for the disk, and concurrent ones
 * share its journal commits, so an alert run of hundreds of messages
 * takes a few syncs' time instead of one per message. */
#define WRITERS 4

struct written {
	struct maildir_message *m;
	char                  **tmp;
	size_t                  n;
	atomic_size_t           next;    /* the next message to write */
};

static void *
writer_main(void *arg)
{
	struct written *w = arg;
	size_t i;

	while ((i = atomic_fetch_add(&w->next, 1)) < w->n)
		w->m[i].rc = tmp_write(w->tmp[i], w->m[i].data, w->m[i].len,
		    &w->m[i].error);
	return NULL;
}

/* Writes every message's tmp/ file; the caller's thread writes too, and
 * alone when no thread can be started. */
static void
write_all_tmp(struct maildir_message *m, char **tmp, size_t n)
{
	struct written w = { m, tmp, n, 0 };
	pthread_t t[WRITERS - 1];
	size_t k, started = 0;

	for (k = 0; k + 1 < WRITERS && k + 1 < n; k++)
		if (pthread_create(&t[started], NULL, writer_main, &w) == 0)
			started++;
	writer_main(&w);
	for (k = 0; k < started; k++)
		pthread_join(t[k], NULL);
}

static void
fail_all(struct maildir_message *m, size_t n, const char *error)
{
	size_t i;

	for (i = 0; i < n; i++) {
		m[i].rc = -1;
		m[i].error = xstrdup(error);
	}
}

void
maildir_deliver_all(const char *path, struct maildir_message *m, size_t n)
{
	char **tmp = xcalloc(n + 1, sizeof(*tmp));
	char **new = xcalloc(n + 1, sizeof(*new));
	char *newdir = xasprintf("%s/new", path), *error = NULL, *name;
	size_t i, linked = 0;

	for (i = 0; i < n; i++) {
		m[i].rc = -1;
		m[i].error = NULL;
	}
	if (maildir_prepare(path, &error) == -1) {
		fail_all(m, n, error);
		goto out;
	}
	for (i = 0; i < n; i++) {
		name = unique_name();
		tmp[i] = xasprintf("%s/tmp/%s", path, name);
		new[i] = xasprintf("%s/new/%s", path, name);
		free(name);
	}
	write_all_tmp(m, tmp, n);
	for (i = 0; i < n; i++)
		if (m[i].rc == 0 && (m[i].rc = tmp_to_new(tmp[i], new[i],
		    &m[i].error)) == 0)
			linked++;
	/* a message exists only once its directory entry is on disk: one
	 * sync of new/ makes every link of the batch durable */
	if (linked > 0 && dir_sync(newdir) == -1) {
		error = xasprintf("cannot sync %s: %s", newdir, strerror(errno));
		for (i = 0; i < n; i++)
			if (m[i].rc == 0) {
				m[i].rc = -1;
				m[i].error = xstrdup(error);
			}
	}
out:
	for (i = 0; i < n; i++) {
		free(tmp[i]);
		free(new[i]);
	}
	free(tmp);
	free(new);
	free(newdir);
	free(error);
}

int
maildir_deliver(const char *path, const char *msg, size_t len, char **error)
{
	struct maildir_message m = { .data = msg, .len = len };

	maildir_deliver_all(path, &m, 1);
	*error = m.error;
	return m.rc;
}
