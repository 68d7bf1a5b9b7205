/* sendmail.c — fork and exec a sendmail program, the message on stdin. */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "base/util.h"
#include "mail/sendmail.h"

static bool
envelope_ok(const char *addr)
{
	return !str_empty(addr) && addr[0] != '-' && !has_control_chars(addr);
}

static int
args_check(const char *program, const char *from, const char *const *rcpts,
    size_t n, char **error)
{
	size_t i;

	if (program == NULL || program[0] != '/') {
		*error = xasprintf("the sendmail program must be an absolute "
		    "path (not \"%s\")", program ? program : "");
		return -1;
	}
	if (!envelope_ok(from)) {
		*error = xstrdup("the envelope sender is not a usable address");
		return -1;
	}
	if (n == 0) {
		*error = xstrdup("a message needs at least one recipient");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!envelope_ok(rcpts[i])) {
			*error = xstrdup("a recipient is empty, starts with '-' "
			    "or holds control characters");
			return -1;
		}
	return 0;
}

/* In the child: stdin from the socket, stdout to stderr, the exec error
 * channel on 3 (closed by a successful exec), nothing else.  The daemon
 * blocks signals for sd-event and ignores SIGPIPE; both would be inherited
 * through exec, so they are reset. */
static void
child_exec(char *const argv[], int in, int errfd)
{
	sigset_t none;
	int e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) == -1 || dup2(2, 1) == -1 || dup2(errfd, 3) == -1 ||
	    fcntl(3, F_SETFD, FD_CLOEXEC) == -1)
		_exit(127);
	closefrom(4);
	execv(argv[0], argv);
	e = errno;
	if (write(3, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static char **
argv_build(const char *program, const char *from, const char *const *rcpts,
    size_t n)
{
	char **argv = xcalloc(n + 6, sizeof(*argv));
	size_t i, k = 0;

	argv[k++] = (char *)program;
	argv[k++] = (char *)"-i";       /* a line "." is not the end */
	argv[k++] = (char *)"-f";
	argv[k++] = (char *)from;
	argv[k++] = (char *)"--";
	for (i = 0; i < n; i++)
		argv[k++] = (char *)rcpts[i];
	argv[k] = NULL;
	return argv;
}

/* The errno of a failed exec, or 0 once exec succeeded (EOF). */
static int
exec_result(int fd)
{
	int e = 0;
	ssize_t r;

	while ((r = read(fd, &e, sizeof(e))) == -1 && errno == EINTR)
		;
	return r == (ssize_t)sizeof(e) ? e : 0;
}

/* Writes the message without blocking past the deadline; MSG_NOSIGNAL
 * turns a program that exits early into EPIPE instead of SIGPIPE. */
static int
feed_input(int fd, const char *msg, size_t len, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	long long left;
	ssize_t w;

	while (len > 0) {
		if ((left = deadline - monotonic_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			return -1;
		w = send(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		msg += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Waits for pid until the deadline (a pidfd makes the wait pollable), then
 * kills it.  Returns the wait status. */
static int
child_wait(pid_t pid, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int status, fd;

	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd != -1) {
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		do
			left = deadline - monotonic_ms();
		while (left > 0 && poll(&pfd, 1, (int)left) == -1 &&
		    errno == EINTR);
		if (left <= 0 || !(pfd.revents & POLLIN))
			kill(pid, SIGKILL);
		close(fd);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return status;
}

static int
status_check(const char *program, int status, int write_errno, char **error)
{
	if (status == -1)
		*error = xasprintf("%s: cannot wait: %s", program,
		    strerror(errno));
	else if (WIFSIGNALED(status))
		*error = xasprintf("%s was killed by signal %d%s", program,
		    WTERMSIG(status), write_errno == ETIMEDOUT ||
		    WTERMSIG(status) == SIGKILL ? " (timed out?)" : "");
	else if (WEXITSTATUS(status) != 0)
		*error = xasprintf("%s exited with status %d", program,
		    WEXITSTATUS(status));
	else if (write_errno != 0)
		*error = xasprintf("%s did not read the message: %s", program,
		    strerror(write_errno));
	else
		return 0;
	return -1;
}

/* sv: the message socket; ep: the pipe that reports a failed exec. */
static int
channels_open(int sv[2], int ep[2], char **error)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		*error = xasprintf("socketpair: %s", strerror(errno));
		return -1;
	}
	if (pipe(ep) == -1) {
		*error = xasprintf("pipe: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	fcntl(ep[0], F_SETFD, FD_CLOEXEC);
	fcntl(ep[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

int
sendmail_deliver(const char *program, const char *from,
    const char *const *rcpts, size_t n, const char *msg, size_t len,
    char **error)
{
	long long deadline = monotonic_ms() + SENDMAIL_TIMEOUT * 1000LL;
	int sv[2], ep[2], e, write_errno = 0;
	char **argv;
	pid_t pid;

	if (args_check(program, from, rcpts, n, error) == -1)
		return -1;
	if (channels_open(sv, ep, error) == -1)
		return -1;
	argv = argv_build(program, from, rcpts, n);
	if ((pid = fork()) == 0)
		child_exec(argv, sv[1], ep[1]);
	e = errno;
	free(argv);
	close(sv[1]);
	close(ep[1]);
	if (pid == -1) {
		close(sv[0]);
		close(ep[0]);
		*error = xasprintf("fork: %s", strerror(e));
		return -1;
	}
	if ((e = exec_result(ep[0])) != 0)
		*error = xasprintf("cannot run %s: %s", program, strerror(e));
	else if (feed_input(sv[0], msg, len, deadline) == -1)
		write_errno = errno;
	close(ep[0]);
	close(sv[0]);
	if (e != 0) {
		waitpid(pid, NULL, 0);
		return -1;
	}
	return status_check(program, child_wait(pid, deadline), write_errno,
	    error);
}
