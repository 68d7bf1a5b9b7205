/* test_fileio.c — writing a whole file all or nothing. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/fileio.h"
#include "base/util.h"

/* A fresh directory of the test's own (caller removes it). */
static char *
scratch_dir(void)
{
	char *dir = xstrdup("/tmp/mw-test-fileio-XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static size_t
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static char *
contents(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(read_whole_file(path, 1 << 20, &sb), 0);
	return sb_steal(&sb);
}

static void
a_file_is_replaced_whole_with_the_mode_less_the_umask(void **state)
{
	char *dir = scratch_dir(), *path = xasprintf("%s/doc.txt", dir);
	char *error = NULL, *text;
	mode_t old = umask(027);
	struct stat st;

	(void)state;
	assert_int_equal(file_write_atomic(path, "first", 5, 0666, &error), 0);
	assert_int_equal(file_write_atomic(path, "second\n", 7, 0666, &error),
	    0);
	umask(old);
	text = contents(path);
	assert_string_equal(text, "second\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* no temporary file is left beside it */
	assert_int_equal(entries(dir), 1);
	free(text);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

static void
a_failure_names_the_file_and_leaves_nothing(void **state)
{
	char *dir = scratch_dir(), *path = xasprintf("%s/no/doc.txt", dir);
	char *error = NULL;

	(void)state;
	assert_int_equal(file_write_atomic(path, "x", 1, 0666, &error), -1);
	assert_non_null(error);
	assert_non_null(strstr(error, path));
	assert_null(strstr(error, "XXXXXX"));
	assert_int_equal(entries(dir), 0);
	free(error);
	rmdir(dir);
	free(path);
	free(dir);
}

static void
a_directory_in_the_way_is_refused_and_stays(void **state)
{
	char *dir = scratch_dir(), *path = xasprintf("%s/doc.txt", dir);
	char *error = NULL;
	struct stat st;

	(void)state;
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(file_write_atomic(path, "x", 1, 0666, &error), -1);
	assert_non_null(strstr(error, path));
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(entries(dir), 1);      /* the temporary file is gone */
	free(error);
	rmdir(path);
	rmdir(dir);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_file_is_replaced_whole_with_the_mode_less_the_umask),
		cmocka_unit_test(a_failure_names_the_file_and_leaves_nothing),
		cmocka_unit_test(a_directory_in_the_way_is_refused_and_stays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
