/* test_speak.c — the console's request thread speaks Chinese while the
 * process, and what it logs, stays English (base/i18n.c, base/log.c),
 * with the zh_CN catalog built beside the tests and the C library's own
 * gettext. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/fileio.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/util.h"

static const char *argv0;

static int
catalog_bound(void **state)
{
	char *copy = xstrdup(argv0), *dir;

	dir = xasprintf("%s/../locale", dirname(copy));
	setenv("MEDIAWATCH_LOCALEDIR", dir, 1);
	/* what a server's environment may say is ignored by the process */
	setenv("LANG", "zh_CN.UTF-8", 1);
	if (!i18n_init_users("zh_CN"))
		fail_msg("no zh_CN catalog in %s", dir);
	free(dir);
	free(copy);
	return 0;
}

static void *
other_thread(void *arg)
{
	return (void *)(uintptr_t)(strcmp(_("refused: %s"), "refused: %s") == 0);
}

static void
only_the_speaking_thread_reads_chinese(void **state)
{
	pthread_t t;
	void *english;
	char *named;

	assert_string_equal(_("refused: %s"), "refused: %s");
	assert_false(i18n_translating());
	i18n_speak(true);
	assert_string_equal(_("refused: %s"), "已拒绝：%s");
	assert_true(i18n_translating());
	named = i18n_field_named(xstrdup("feed_url: x"));
	assert_string_equal(named, "订阅地址：x");
	free(named);
	/* the C library's messages too (Debian's locales package has them),
	 * but not those a log line quotes */
	assert_string_equal(i18n_log_strerror(ENOENT),
	    "No such file or directory");
	/* a thread of its own keeps the process's language */
	assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
	assert_int_equal(pthread_join(t, &english), 0);
	assert_true((uintptr_t)english);
	i18n_speak(false);
	assert_string_equal(_("refused: %s"), "refused: %s");
	named = i18n_field_named(xstrdup("feed_url: x"));
	assert_string_equal(named, "feed_url: x");
	free(named);
}

/* Runs log_warnx(), or log_warn() after a failed open when with_errno,
 * with stderr in a file; returns what the file got. */
static char *
logged(struct strbuf *captured, bool with_errno)
{
	char path[] = "/tmp/test_speak.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	struct strbuf text = STRBUF_INIT;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	log_capture(captured);
	if (with_errno) {
		errno = ENOENT;
		log_warn(N_("refused: %s"), "open");
	} else
		log_warnx(N_("refused: %s"), "UNIQUE constraint failed");
	log_capture(NULL);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	assert_int_equal(read_whole_file(path, 4096, &text), 0);
	unlink(path);
	return sb_steal(&text);
}

static void
a_speaking_thread_logs_english_and_shows_chinese(void **state)
{
	struct strbuf shown = STRBUF_INIT;
	char *line;

	log_init("test", LOG_TARGET_PLAIN, 0);
	i18n_speak(true);
	line = logged(&shown, false);
	i18n_speak(false);
	assert_string_equal(line, "test: refused: UNIQUE constraint failed\n");
	assert_string_equal(sb_str(&shown), "已拒绝：UNIQUE constraint failed\n");
	assert_string_equal(log_last_problem(), "已拒绝：UNIQUE constraint failed");
	free(line);
	sb_free(&shown);
	/* the C library's message it quotes is English in the log too */
	i18n_speak(true);
	line = logged(&shown, true);
	i18n_speak(false);
	assert_string_equal(line,
	    "test: refused: open: No such file or directory\n");
	free(line);
	sb_free(&shown);
	/* not speaking, both are English */
	line = logged(&shown, false);
	assert_string_equal(line, "test: refused: UNIQUE constraint failed\n");
	assert_string_equal(sb_str(&shown), "refused: UNIQUE constraint failed\n");
	free(line);
	sb_free(&shown);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_the_speaking_thread_reads_chinese),
		cmocka_unit_test(a_speaking_thread_logs_english_and_shows_chinese),
	};

	argv0 = argv[0];
	return cmocka_run_group_tests(tests, catalog_bound, NULL);
}
