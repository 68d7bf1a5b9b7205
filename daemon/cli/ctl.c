/* ctl.c — mediawatchctl: global options, configuration, dispatch. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "cli/ctl.h"
#include "registry/validate.h"
#include "store/db.h"

/* A literal here, so the compiler checks the translation's format. */
static void
put_usage(FILE *f)
{
	fprintf(f, _(
"usage: mediawatchctl [-c CONF] [--db FILE] [--json | --csv] COMMAND …\n"
"\n"
"Registry of government new-media accounts and their monitoring.\n"
"\n"
"commands:\n"
"  unit add|change|list|show|remove       responsible units (责任单位)\n"
"  account open|change|suspend|resume|close|merge|list|show|history|\n"
"          import|export|touch            the account ledger (台账)\n"
"  ledger check                           accounts the ledger does not\n"
"                                         account for (国办发〔2018〕123号)\n"
"  status                                 states, failing feeds, backlog\n"
"  problem list|show|add|close|reopen     the problem list (问题清单)\n"
"  outbox list|show|retry|send            the email queue\n"
"  notice preview|issue|show|void|list    point-to-point notices (点对点通报)\n"
"  bulletin preview|issue|show|void|list  the monthly bulletin (月通报)\n"
"  report [--out FILE]                    status page (HTML, printable)\n"
"  poll [ACCOUNT_ID…]                     make accounts due for polling now\n"
"  feed inspect FILE|URL                  show what the feed parser sees\n"
"  wordcheck [--list FILE]… [FILE|-]      find wrong forms (错别字) in a text\n"
"  wordcheck --rescan [--since DATE]      re-check stored posts after a list change\n"
"  user add|passwd|disable|enable|list    logins of the web console\n"
"  check-config [--defaults]              validate the configuration, or\n"
"                                         print the built-in defaults\n"
"\n"
"global options (before or after the command):\n"
"  -c, --config FILE   configuration file (default: $MEDIAWATCH_CONF, then\n"
"                      %s, else built-in defaults)\n"
"  --db FILE           database file, overriding the configuration\n"
"  --json, --csv       machine-readable output\n"
"\n"
"Messages follow the locale (LANG=zh_CN.UTF-8: Chinese; --json and --csv\n"
"keep their keys).  `mediawatchctl COMMAND --help` describes each command.\n"
"Exit status: 0 success, 1 refused input or failed operation, 2 usage\n"
"error.\n"), MW_DEFAULT_CONF);
}

struct command {
	const char *name;
	int       (*run)(struct ctl *, int, char **);
	bool        needs_db;
};

static const struct command commands[] = {
	{ "unit", cmd_unit, true },
	{ "account", cmd_account, true },
	{ "ledger", cmd_ledger, true },
	{ "check-config", cmd_check_config, false },
	{ "poll", cmd_poll, true },
	{ "feed", cmd_feed, false },
	{ "problem", cmd_problem, true },
	{ "outbox", cmd_outbox, true },
	{ "status", cmd_status, true },
	{ "notice", cmd_notice, true },
	{ "bulletin", cmd_bulletin, true },
	{ "report", cmd_report, true },
	{ "wordcheck", cmd_wordcheck, false },
	{ "user", cmd_user, true },
};

int
ctl_usage_error(const char *usage, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	fprintf(stderr, "mediawatchctl: %s\n", sb_str(&sb));
	if (usage)
		fprintf(stderr, "%s", _(usage));
	sb_free(&sb);
	return EXIT_USAGE;
}

/* What ctl_keep_until_exit() took: reachable, so no leak checker counts
 * it lost. */
static json_t *kept_until_exit;

void
ctl_keep_until_exit(json_t *v)
{
	if (v == NULL)
		return;
	if (kept_until_exit == NULL)
		kept_until_exit = json_array();
	json_array_append_new(kept_until_exit, v);
}

int
ctl_refused(const char *what, char *error)
{
	if (error)
		error = i18n_field_named(error);
	log_warnx("%s: %s", what, error ? error : _("failed"));
	free(error);
	return EXIT_REFUSED;
}

int
ctl_check_note(const char *option, const char *value)
{
	const char *why = check_note(value);

	if (why == NULL)
		return EXIT_OK;
	log_warnx("%s %s", option, _(why));
	return EXIT_REFUSED;
}

long long
ctl_parse_id(const char *s)
{
	long long v;
	char *end;

	if (s == NULL || *s < '1' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end ? -1 : v;
}

sqlite3 *
ctl_db(struct ctl *ctl)
{
	if (ctl->db == NULL)
		ctl->db = db_open(ctl->db_arg ? ctl->db_arg : ctl->cfg.database, true);
	return ctl->db;
}

int
ctl_in_transaction(struct ctl *ctl, int (*fn)(struct ctl *, void *), void *arg)
{
	sqlite3 *db = ctl_db(ctl);
	int rc;

	if (db == NULL || db_begin(db) == -1)
		return EXIT_REFUSED;
	ctl->in_tx = true;
	rc = fn(ctl, arg);
	ctl->in_tx = false;
	if (rc == EXIT_OK && db_commit(db) == -1)
		rc = EXIT_REFUSED;
	db_rollback(db);
	if (rc == EXIT_OK)
		fputs(sb_str(&ctl->done), stdout);
	sb_reset(&ctl->done);
	return rc;
}

void
ctl_done(struct ctl *ctl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (ctl->in_tx)
		sb_vprintf(&ctl->done, fmt, ap);
	else
		vprintf(fmt, ap);
	va_end(ap);
}

char *
ctl_days(long long seconds, bool words)
{
	long long whole = seconds / 86400;

	if (seconds % 86400 == 0 && words)
		return xasprintf(ngettext("%lld day", "%lld days",
		    (unsigned long)whole), whole);
	if (seconds % 86400 == 0)
		return xasprintf("%lld day%s", whole, whole == 1 ? "" : "s");
	return xasprintf(i18n_if(words, "%.1f days"), (double)seconds / 86400);
}

/* A value of a change in the user's language: a status or platform key
 * as a table shows it; a threshold (stored in seconds) in days. */
static char *
change_value(const char *key, const json_t *v, bool words)
{
	const char *vocab = strcmp(key, "status") == 0 ? VOCAB_ACCOUNT_STATUS :
	    strcmp(key, "platform") == 0 ? VOCAB_PLATFORM : NULL;
	size_t n = strlen(key);

	if (n > 6 && strcmp(key + n - 6, "_after") == 0 && json_is_integer(v))
		return ctl_days(json_integer_value(v), words);
	if (words && vocab && json_is_string(v))
		return xstrdup(output_word(vocab, json_string_value(v)));
	return output_cell(v, COL_TEXT);
}

char *
ctl_describe_changes(json_t *before, json_t *after)
{
	return ctl_describe_changes_in(before, after, true);
}

char *
ctl_describe_changes_in(json_t *before, json_t *after, bool words)
{
	struct strbuf sb = STRBUF_INIT;
	const char *key;
	json_t *v;

	if (!json_is_object(before))
		return xstrdup(json_is_object(after) ? i18n_if(words, "created") :
		    "");
	if (!json_is_object(after))
		return xstrdup(i18n_if(words, "removed"));
	json_object_foreach(after, key, v) {
		json_t *old = json_object_get(before, key);
		char *o, *n;

		if (json_equal(old, v))
			continue;
		o = change_value(key, old, words);
		n = change_value(key, v, words);
		sb_printf(&sb, i18n_if(words, "%s%s: %s → %s"), sb.len ?
		    i18n_if(words, "; ") : "", words ? output_word(VOCAB_FIELD,
		    key) : key, *o ? o : i18n_if(words, "(none)"),
		    *n ? n : i18n_if(words, "(none)"));
		free(o);
		free(n);
	}
	return sb_steal(&sb);
}

static bool
take_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) == 0 && a[n] == '=') {
		*out = a + n + 1;
		return true;
	}
	if (strcmp(a, name) != 0)
		return false;
	if (*i + 1 >= argc) {
		*out = NULL;
		return true;
	}
	*out = argv[++*i];
	return true;
}

/* Takes the global options out of argv wherever they stand, so they work
 * before and after the command.  Returns the remaining argc, or -1. */
static int
split_globals(struct ctl *ctl, int argc, char **argv, char **rest)
{
	int i, n = 0;
	bool past_dashes = false;
	const char *v;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (past_dashes || a[0] != '-') {
			rest[n++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			past_dashes = true;
			rest[n++] = argv[i];
		} else if (take_value(argc, argv, &i, "-c", &v) ||
		    take_value(argc, argv, &i, "--config", &v)) {
			if ((ctl->conf_arg = v) == NULL)
				return -1;
		} else if (take_value(argc, argv, &i, "--db", &v)) {
			if ((ctl->db_arg = v) == NULL)
				return -1;
		} else if (strcmp(a, "--json") == 0)
			ctl->format = OUTPUT_JSON;
		else if (strcmp(a, "--csv") == 0)
			ctl->format = OUTPUT_CSV;
		else
			rest[n++] = argv[i];
	}
	rest[n] = NULL;
	return n;
}

/* Platform names in tables: the configured labels (微信公众号, …). */
static const struct config *platforms_of;

static const char *
platform_label(const char *key)
{
	const struct platform *p = config_platform(platforms_of, key);

	return p ? p->label : NULL;
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
ctl_main(int argc, char **argv)
{
	struct ctl ctl = { .format = OUTPUT_TABLE };
	const struct command *cmd;
	char **rest = xcalloc((size_t)argc + 1, sizeof(char *));
	int n, rc;

	i18n_init();
	log_init("mediawatchctl", LOG_TARGET_PLAIN, 0);
	if ((n = split_globals(&ctl, argc, argv, rest)) == -1) {
		free(rest);
		rc = ctl_usage_error(NULL, _("an option needs a value"));
		put_usage(stderr);
		return rc;
	}
	if (n == 0 || strcmp(rest[0], "--help") == 0 || strcmp(rest[0], "-h") == 0 ||
	    strcmp(rest[0], "help") == 0) {
		put_usage(n == 0 ? stderr : stdout);
		free(rest);
		return n == 0 ? EXIT_USAGE : EXIT_OK;
	}
	if ((cmd = find_command(rest[0])) == NULL) {
		rc = ctl_usage_error(NULL, _("unknown command '%s'"), rest[0]);
		put_usage(stderr);
		free(rest);
		return rc;
	}
	if (config_load(config_locate(ctl.conf_arg), &ctl.cfg) == -1 ||
	    clock_check() == -1) {
		free(rest);
		return EXIT_REFUSED;
	}
	platforms_of = &ctl.cfg;
	output_set_platforms(platform_label);
	optind = 0;
	rc = cmd->run(&ctl, n, rest);
	fflush(stdout);
	if (ferror(stdout)) {
		log_warnx(N_("cannot write the output"));
		rc = EXIT_REFUSED;
	}
	db_close(ctl.db);
	config_free(&ctl.cfg);
	sb_free(&ctl.done);
	free(rest);
	return rc;
}
