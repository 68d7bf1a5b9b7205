/* fileio.c — reading whole files for the programs' inputs. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
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
			log_warnx("%s: larger than %zu MiB", path, max >> 20);
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
