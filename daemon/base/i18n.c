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

/* The console's: a locale whose messages follow LANGUAGE (zh_CN), taken
 * by the threads that answer users (i18n_speak()). */
static locale_t users_locale = (locale_t)0;
static _Thread_local bool speaking;

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

static bool
bind_catalog(void)
{
	char *dir;

	if ((dir = i18n_locale_dir()) == NULL)
		return false;
	bindtextdomain(MW_TEXTDOMAIN, dir);
	free(dir);
	/* LC_CTYPE stays C, whose charset is ASCII: the catalog's UTF-8 (and
	 * the C library's own messages, strerror) would be cut to '?' */
	bind_textdomain_codeset(MW_TEXTDOMAIN, "UTF-8");
	bind_textdomain_codeset("libc", "UTF-8");
	textdomain(MW_TEXTDOMAIN);
	return true;
}

/* A catalog found has a header, the translation of "" (a variable:
 * xgettext would take a literal "" for a message). */
static bool
catalog_found(void)
{
	return *gettext(no_text) != '\0';
}

void
i18n_init(void)
{
	/* without a locale of that name (not generated), messages stay C */
	if (setlocale(LC_MESSAGES, "") == NULL || !bind_catalog())
		return;
	translating = catalog_found();
}

/*
 * gettext() reads LANGUAGE unless the messages locale is "C": the process
 * stays in "C", so what it logs is English, and a thread that speaks to
 * users takes "C.UTF-8", built into the C library, so that no Chinese
 * locale has to be generated on the server.
 */
bool
i18n_init_users(const char *language)
{
	bool found;

	if (!bind_catalog() || setenv("LANGUAGE", language, 1) == -1 ||
	    (users_locale = newlocale(LC_MESSAGES_MASK, "C.UTF-8",
	    (locale_t)0)) == (locale_t)0)
		return false;
	i18n_speak(true);
	found = catalog_found();
	i18n_speak(false);
	if (!found) {
		freelocale(users_locale);
		users_locale = (locale_t)0;
	}
	return found;
}

void
i18n_speak(bool users)
{
	if (users_locale == (locale_t)0)
		return;
	uselocale(users ? users_locale : LC_GLOBAL_LOCALE);
	speaking = users;
}

/* Around one lookup of a thread that speaks to users: the process's
 * language (to), then the users' again. */
static void
process_language(bool to)
{
	if (speaking)
		uselocale(to ? LC_GLOBAL_LOCALE : users_locale);
}

const char *
i18n_log_text(const char *msgid)
{
	const char *t;

	process_language(true);
	t = gettext(msgid);
	process_language(false);
	return t;
}

const char *
i18n_log_strerror(int e)
{
	const char *t;

	process_language(true);
	t = strerror(e);
	process_language(false);
	return t;
}

bool
i18n_translating(void)
{
	return translating || speaking;
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

	if (word == NULL || !i18n_translating())
		return word;
	key = xasprintf("%s\004%s", ctx, word);
	t = gettext(key);
	/* gettext returns its argument when there is no translation */
	t = t == key ? word : t;
	free(key);
	return t;
}

/* A refusal of the library starts with the field it concerns, by its key
 * ("opened_on: is in the future"): the ledger import reads the key to put
 * the error in that column.  On a translated command line and in the
 * console the field is given its name (开设日期). */
char *
i18n_field_named(char *error)
{
	size_t n = strspn(error, "abcdefghijklmnopqrstuvwxyz_");
	struct strbuf sb = STRBUF_INIT;
	const char *word;
	char *key;

	if (!i18n_translating() || n == 0 || strncmp(error + n, ": ", 2) != 0)
		return error;
	key = xstrndup(error, n);
	word = i18n_word(VOCAB_FIELD, key);
	if (word == key) {
		free(key);
		return error;
	}
	sb_puts(&sb, word);
	/* TRANSLATORS: between a field's name and what is wrong with it */
	sb_puts(&sb, i18n_word("refused field", NC_("refused field", ": ")));
	sb_puts(&sb, error + n + 2);
	free(key);
	free(error);
	return sb_steal(&sb);
}
