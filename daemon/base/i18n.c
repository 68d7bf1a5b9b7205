/* i18n.c — finding and binding the message catalog. */
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/util.h"

static bool translating;
static const char no_text[] = "";

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The executable's folder, from /proc/self/exe (symlinks resolved), or
 * NULL. */
static char *
exe_dir(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(path);
}

char *
i18n_locale_dir(void)
{
	const char *env = getenv("MEDIAWATCH_LOCALEDIR");
	char *dir, *beside, *shared;

	if (!str_empty(env))
		return xstrdup(env);
	if ((dir = exe_dir()) == NULL)
		return NULL;
	/* a folder, not a file: /usr/bin/locale is the locale(1) program */
	beside = xasprintf("%s/locale", dir);
	shared = xasprintf("%s/../share/locale", dir);
	free(dir);
	if (is_dir(beside)) {
		free(shared);
		return beside;
	}
	free(beside);
	return shared;
}

void
i18n_init(void)
{
	char *dir;

	/* without a locale of that name (not generated), messages stay C */
	if (setlocale(LC_MESSAGES, "") == NULL)
		return;
	if ((dir = i18n_locale_dir()) == NULL)
		return;
	bindtextdomain(MW_TEXTDOMAIN, dir);
	free(dir);
	/* LC_CTYPE stays C, whose charset is ASCII: the catalog's UTF-8 (and
	 * the C library's own messages, strerror) would be cut to '?' */
	bind_textdomain_codeset(MW_TEXTDOMAIN, "UTF-8");
	bind_textdomain_codeset("libc", "UTF-8");
	textdomain(MW_TEXTDOMAIN);
	/* a catalog found has a header, the translation of "" (a variable:
	 * xgettext would take a literal "" for a message) */
	translating = *gettext(no_text) != '\0';
}

bool
i18n_translating(void)
{
	return translating;
}

const char *
i18n_if(bool words, const char *msgid)
{
	return words ? gettext(msgid) : msgid;
}

const char *
i18n_word(const char *ctx, const char *word)
{
	char *key;
	const char *t;

	if (word == NULL || !translating)
		return word;
	key = xasprintf("%s\004%s", ctx, word);
	t = gettext(key);
	/* gettext returns its argument when there is no translation */
	t = t == key ? word : t;
	free(key);
	return t;
}
