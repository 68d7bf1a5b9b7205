/* log.c — stderr and journal logging. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "base/i18n.h"
#include "base/log.h"

static const char      *log_progname = "mediawatch";
static enum log_target  log_target = LOG_TARGET_PLAIN;
static int              log_level = LOG_NOTICE;

void
log_init(const char *progname, enum log_target target, int verbosity)
{
	log_progname = progname;
	log_target = target;
	log_level = LOG_NOTICE + verbosity;
	if (log_level > LOG_DEBUG)
		log_level = LOG_DEBUG;
}

int
log_verbosity(void)
{
	return log_level - LOG_NOTICE;
}

/* Only the fields that carry a value are sent, so journalctl filters such
 * as MEDIAWATCH_UNIT=X match exactly the events about that unit. */
static void
log_journal(int pri, const char *message_id, long long account_id,
    const char *unit_code, const char *msg)
{
	struct iovec iov[6];
	char *fields[6];
	int n = 0, i;

	fields[n++] = xasprintf("MESSAGE=%s", msg);
	fields[n++] = xasprintf("PRIORITY=%d", pri);
	fields[n++] = xasprintf("SYSLOG_IDENTIFIER=%s", log_progname);
	if (message_id)
		fields[n++] = xasprintf("MESSAGE_ID=%s", message_id);
	if (account_id > 0)
		fields[n++] = xasprintf("MEDIAWATCH_ACCOUNT=%lld", account_id);
	if (unit_code)
		fields[n++] = xasprintf("MEDIAWATCH_UNIT=%s", unit_code);
	for (i = 0; i < n; i++) {
		iov[i].iov_base = fields[i];
		iov[i].iov_len = strlen(fields[i]);
	}
	sd_journal_sendv(iov, n);
	for (i = 0; i < n; i++)
		free(fields[i]);
}

static const char *
priority_label(int pri)
{
	switch (pri) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: return "fatal: ";
	case LOG_ERR: return "error: ";
	case LOG_WARNING: return "warning: ";
	case LOG_DEBUG: return "debug: ";
	default: return "";
	}
}

/* Lines of this thread held back by log_hold(): a run of events (an
 * evaluation's 100,000 state moves) goes to stderr in a few writes, not
 * one a line.  The journal takes each event as it comes. */
#define HELD_MAX (64 * 1024)
static _Thread_local struct strbuf held = STRBUF_INIT;
static _Thread_local bool holding;

static void
held_flush(void)
{
	if (held.len > 0)
		fwrite(held.buf, 1, held.len, stderr);
	sb_reset(&held);
}

void
log_hold(void)
{
	holding = true;
}

void
log_release(void)
{
	held_flush();
	sb_free(&held);
	holding = false;
}

/* The time stamp of a line, formatted once a second. */
static const char *
stamp_now(void)
{
	static _Thread_local char stamp[32];
	static _Thread_local time_t at = -1;
	time_t now = time(NULL);
	struct tm tm;

	if (now != at) {
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		at = now;
	}
	return stamp;
}

static void
log_emit(int pri, const char *message_id, long long account_id,
    const char *unit_code, const char *msg)
{
	/* a warning, an error or a fatal message is never held back */
	bool hold = holding && pri > LOG_WARNING;

	if (pri > log_level)
		return;
	if (log_target == LOG_TARGET_JOURNAL) {
		log_journal(pri, message_id, account_id, unit_code, msg);
		return;
	}
	if (!hold)
		held_flush();
	if (log_target == LOG_TARGET_STDERR) {
		if (hold)
			sb_printf(&held, "%s %s: %s%s\n", stamp_now(),
			    log_progname, priority_label(pri), msg);
		else
			fprintf(stderr, "%s %s: %s%s\n", stamp_now(),
			    log_progname, priority_label(pri), msg);
	} else if (hold)
		sb_printf(&held, "%s: %s\n", log_progname, msg);
	else
		fprintf(stderr, "%s: %s\n", log_progname, msg);
	if (held.len >= HELD_MAX)
		held_flush();
}

static char last_problem[512];
static _Thread_local struct strbuf *captured;

void
log_capture(struct strbuf *sb)
{
	captured = sb;
}

const char *
log_last_problem(void)
{
	return last_problem;
}

void
log_problem_clear(void)
{
	last_problem[0] = '\0';
}

/* Keeps msg, cut on a character boundary when it is too long. */
static void
remember_problem(const char *msg)
{
	size_t n = strlen(msg);

	if (n >= sizeof(last_problem)) {
		n = sizeof(last_problem) - 1;
		while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(last_problem, msg, n);
	last_problem[n] = '\0';
}

static void
format_message(struct strbuf *sb, const char *fmt, va_list ap,
    const char *suffix)
{
	sb_vprintf(sb, fmt, ap);
	if (suffix)
		sb_printf(sb, ": %s", suffix);
}

/* A message is marked N_() where it is logged and translated here: the
 * line logged is in the process's language, the copy a user is shown (the
 * last problem, a captured report) in the thread's (see base/i18n.h). */
static void
log_vemit(int pri, const char *message_id, long long account_id,
    const char *unit_code, const char *suffix, const char *fmt, va_list ap)
{
	struct strbuf line = STRBUF_INIT, shown = STRBUF_INIT;
	/* a warning is also the last problem, and captured */
	bool to_user = pri <= LOG_WARNING;
	const char *log_fmt, *user_fmt, *user;
	int saved = errno;
	va_list aq;

	if (pri <= log_level || to_user) {
		log_fmt = i18n_log_text(fmt);
		user_fmt = to_user ? gettext(fmt) : log_fmt;
		va_copy(aq, ap);
		format_message(&line, log_fmt, ap, suffix);
		user = sb_str(&line);
		if (user_fmt != log_fmt) {
			format_message(&shown, user_fmt, aq, suffix);
			user = sb_str(&shown);
		}
		va_end(aq);
		if (to_user)
			remember_problem(user);
		if (to_user && captured)
			sb_printf(captured, "%s\n", user);
		log_emit(pri, message_id, account_id, unit_code, sb_str(&line));
		sb_free(&line);
		sb_free(&shown);
	}
	errno = saved;
}

void
log_vuser(const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	int saved = errno;

	if (captured == NULL) {
		log_vemit(LOG_WARNING, NULL, 0, NULL, NULL, fmt, ap);
		return;
	}
	format_message(&sb, gettext(fmt), ap, NULL);
	remember_problem(sb_str(&sb));
	sb_printf(captured, "%s\n", sb_str(&sb));
	sb_free(&sb);
	errno = saved;
}

void
log_user(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vuser(fmt, ap);
	va_end(ap);
}

#define LOG_FN(name, pri)                                         \
void                                                              \
name(const char *fmt, ...)                                        \
{                                                                 \
	va_list ap;                                               \
	va_start(ap, fmt);                                        \
	log_vemit(pri, NULL, 0, NULL, NULL, fmt, ap);             \
	va_end(ap);                                               \
}
LOG_FN(log_error, LOG_ERR)
LOG_FN(log_warnx, LOG_WARNING)
LOG_FN(log_notice, LOG_NOTICE)
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_debug, LOG_DEBUG)

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, NULL, 0, NULL, i18n_log_strerror(errno), fmt, ap);
	va_end(ap);
}

void
log_event(int priority, const char *message_id, long long account_id,
    const char *unit_code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(priority, message_id, account_id, unit_code, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, NULL, 0, NULL, i18n_log_strerror(errno), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, NULL, 0, NULL, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
