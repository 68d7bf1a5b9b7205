/* log.h — one logging path for both programs.
 *
 * mediawatchctl logs plain "mediawatchctl: message" lines to stderr.
 * mediawatchd logs to the journal (with structured fields) when started by
 * systemd, else to stderr with timestamps.  Every function keeps errno. */
#ifndef MW_LOG_H
#define MW_LOG_H

#include <stdarg.h>
#include <syslog.h>

#include "base/util.h"

enum log_target {
	LOG_TARGET_PLAIN,        /* "prog: msg" on stderr (the admin tool) */
	LOG_TARGET_STDERR,       /* timestamped lines on stderr (foreground) */
	LOG_TARGET_JOURNAL,      /* sd_journal_send with fields */
};

void log_init(const char *progname, enum log_target target, int verbosity);
int  log_verbosity(void);

/* A failure that stopped a job (an evaluation rolled back, a template that
 * had to be replaced): priority err, so `journalctl -p err` shows it. */
void log_error(const char *fmt, ...) MW_PRINTF(1, 2);
void log_warn(const char *fmt, ...) MW_PRINTF(1, 2);    /* appends strerror(errno) */
void log_warnx(const char *fmt, ...) MW_PRINTF(1, 2);
void log_notice(const char *fmt, ...) MW_PRINTF(1, 2);
void log_info(const char *fmt, ...) MW_PRINTF(1, 2);
void log_debug(const char *fmt, ...) MW_PRINTF(1, 2);
__attribute__((noreturn)) void fatal(const char *fmt, ...) MW_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *fmt, ...) MW_PRINTF(1, 2);

/* The text of the last message logged at warning or above (whatever the
 * verbosity), "" when none since log_problem_clear(): what a job that
 * failed says about why, in its own words. */
const char *log_last_problem(void);
void        log_problem_clear(void);
/* Also appends every message of this thread at warning or above to sb,
 * one a line, until called with NULL: how the web console shows a ledger
 * file's FILE:LINE errors on the page instead of only in the journal. */
void        log_capture(struct strbuf *sb);
/* A line for the person who asked, about their own input (a ledger
 * file's FILE:LINE errors): with a capture, it goes to the capture only,
 * in the thread's language, and the service's log stays English and free
 * of users' data errors; without one it is logged as a warning (the
 * command line's stderr). */
void        log_user(const char *fmt, ...) MW_PRINTF(1, 2);
void        log_vuser(const char *fmt, va_list ap) MW_PRINTF(1, 0);

/* Between log_hold() and log_release(), this thread's stderr lines are
 * gathered and written a block at a time (the journal is unaffected):
 * for a run of many events, such as an evaluation's state moves. */
void log_hold(void);
void log_release(void);

/* An event about one account, with journal fields MESSAGE_ID,
 * MEDIAWATCH_ACCOUNT and MEDIAWATCH_UNIT (account_id <= 0 and unit NULL omit
 * them).  message_id is a 32-hex-digit sd-id128 string or NULL. */
void log_event(int priority, const char *message_id, long long account_id,
    const char *unit_code, const char *fmt, ...) MW_PRINTF(5, 6);

#endif
