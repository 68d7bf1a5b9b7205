/* secret.c — secrets from files and credentials. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "config/config.h"
#include "mail/secret.h"

static ssize_t
read_some(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t r;

	while (got < size) {
		if ((r = read(fd, buf + got, size - got)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
secret_read(const char *file, const char *what, char **secret, char **error)
{
	char buf[SECRET_MAX + 1], *path = config_password_path(file);
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 &&
	    config_password_not_handed_over(file))
		/* what is missing is the drop-in, not the file */
		*error = xasprintf("the %s credential \"%s\" was not handed "
		    "over ($CREDENTIALS_DIRECTORY is not set): the service needs "
		    "a LoadCredential= drop-in (for the SMTP password, the one of "
		    "the README's install section: "
		    "contrib/systemd/smtp-password.conf); or give a path", what,
		    file);
	else if (fd == -1)
		*error = xasprintf("cannot open %s file %s: %s", what, path,
		    strerror(errno));
	if (fd == -1) {
		free(path);
		return -1;
	}
	n = read_some(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > SECRET_MAX) {
		*error = xasprintf("cannot read %s file %s: %s", what, path,
		    n < 0 ? strerror(errno) : "too long");
		explicit_bzero(buf, sizeof(buf));
		free(path);
		return -1;
	}
	free(path);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	*secret = xstrndup(buf, (size_t)n);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
