/* i18n.h — the admin tool's messages in the user's language (gettext).
 *
 * Messages are written in English and marked: _("…") where a text is
 * used, N_("…") where it is only stored (a usage text, a table heading)
 * and translated where it is printed.  The catalog is po/zh_CN.po, built
 * into LOCALE/zh_CN/LC_MESSAGES/mediawatch.mo.
 *
 * Only mediawatchctl calls i18n_init().  The service and the console never
 * do, so their processes stay in the C locale and every message they log
 * is the English msgid, whatever LANG says: logs are for the operators and
 * for searching, one language everywhere.  The library marks its messages
 * all the same; a mark costs the daemon one lookup that finds nothing.
 *
 * The console's users read Chinese: its request thread speaks it
 * (i18n_init_users(), i18n_speak()), so a refusal of the library reads
 * "订阅地址：须为 http:// 或 https:// 网址", while the process stays in the C
 * locale.  A log message is therefore marked N_() and translated by the
 * log itself (i18n_log_text()): the line logged is English, the copy a
 * user is shown (the command line's stderr, a console report) is in the
 * user's language. */
#ifndef MW_I18N_H
#define MW_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define MW_TEXTDOMAIN "mediawatch"

#define _(s)          gettext(s)
#define N_(s)         s
/* A word of a vocabulary, marked for the catalog with the vocabulary as
 * its context ("account status", "problem kind", …): one English word may
 * need several translations ("closed": 关停 for an account, 已销号 for a
 * problem; the heading "STATE" of the monitor's states).  Translated at
 * run time by i18n_word(). */
#define NC_(ctx, s)   s

/* The message contexts of the vocabularies: the words a table shows
 * translated (base/output.h) and messages quote (cli/ctl_words.c lists
 * them).  Each has two words: a table heading may also have its key
 * (one word) as context, and the two must never meet. */
#define VOCAB_ACCOUNT_STATUS  "account status"
#define VOCAB_STATE           "monitor state"
#define VOCAB_FETCH           "fetch result"
#define VOCAB_PROBLEM_KIND    "problem kind"
#define VOCAB_PROBLEM_STATE   "problem state"
#define VOCAB_CLOSE_REASON    "close reason"
#define VOCAB_SEVERITY        "wording severity"
#define VOCAB_OUTBOX_STATUS   "outbox status"
#define VOCAB_OUTBOX_KIND     "outbox kind"
#define VOCAB_RECIPIENT_STATUS "recipient status"
#define VOCAB_DOCUMENT_STATE  "document state"
#define VOCAB_DOCUMENT_KIND   "document kind"
#define VOCAB_ROLE            "user role"
#define VOCAB_ACTION          "audit action"
#define VOCAB_FIELD           "record field"
#define VOCAB_PLATFORM        "platform label"

/* Binds the catalog found next to the executable (see i18n_locale_dir())
 * and follows LC_ALL / LC_MESSAGES / LANG (and LANGUAGE) for messages
 * only: numbers, times and character classes stay those of the C locale,
 * so no output but the words changes with the language. */
void i18n_init(void);

/* Where the catalogs are: $MEDIAWATCH_LOCALEDIR, else the folder `locale`
 * beside the executable (the build tree), else ../share/locale from it
 * (an installed program: /usr/bin → /usr/share/locale), so that nothing
 * depends on the prefix the program was built for.  Caller frees. */
char *i18n_locale_dir(void);

/* The console's: binds the catalog found as i18n_init() does, for
 * threads that speak language (a LANGUAGE value such as "zh_CN").  False
 * when there is no catalog; the console then speaks English. */
bool i18n_init_users(const char *language);

/* Makes this thread speak the users' language (true) or the process's
 * (false).  Without i18n_init_users() it does nothing. */
void i18n_speak(bool users);

/* msgid in the process's language, whatever the thread speaks: the text of
 * a log line. */
const char *i18n_log_text(const char *msgid) __attribute__((format_arg(1)));
/* strerror(e) in the process's language: the C library's messages are
 * translated too. */
const char *i18n_log_strerror(int e);

/* True once i18n_init() found a catalog for the language in force, or
 * while this thread speaks to the console's users: the output is not
 * English, and words such as platform names may take their configured
 * Chinese labels. */
bool i18n_translating(void);

/* msgid translated when words is true (text for a table or a message),
 * else msgid itself: a text that also goes into --json or --csv output
 * stays English there, byte for byte whatever the locale. */
const char *i18n_if(bool words, const char *msgid)
        __attribute__((format_arg(2)));

/* word translated in vocabulary ctx (a msgctxt), or word itself when the
 * catalog has none.  NULL in, NULL out. */
const char *i18n_word(const char *ctx, const char *word);

/* error (a refusal of the library: "opened_on: is in the future") with the
 * field's key given its name ("开设日期：…") while translating; error
 * itself otherwise.  Takes error, returns what the caller frees. */
char *i18n_field_named(char *error);

#endif
