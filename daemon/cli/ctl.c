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

static const char usage_text[] =
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
"                      " MW_DEFAULT_CONF ", else built-in defaults)\n"
"  --db FILE           database file, overriding the configuration\n"
"  --json, --csv       machine-readable output\n"
"\n"
"`mediawatchctl COMMAND --help` describes each command.  Exit status: 0\n"
"success, 1 refused input or failed operation, 2 usage error.\n";

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
		fprintf(stderr, "%s", usage);
	sb_free(&sb);
	return EXIT_USAGE;
}

int
ctl_refused(const char *what, char *error)
{
	log_warnx("%s: %s", what, error ? error : "failed");
	free(error);
	return EXIT_REFUSED;
}

int
ctl_check_note(const char *option, const char *value)
{
	const char *why = check_note(value);

	if (why == NULL)
		return EXIT_OK;
	log_warnx("%s %s", option, why);
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
	rc = fn(ctl, arg);
	if (rc == EXIT_OK && db_commit(db) == -1)
		rc = EXIT_REFUSED;
	db_rollback(db);
	return rc;
}

char *
ctl_describe_changes(json_t *before, json_t *after)
{
	struct strbuf sb = STRBUF_INIT;
	const char *key;
	json_t *v;

	if (!json_is_object(before))
		return xstrdup(json_is_object(after) ? "created" : "");
	if (!json_is_object(after))
		return xstrdup("removed");
	json_object_foreach(after, key, v) {
		json_t *old = json_object_get(before, key);
		char *o, *n;

		if (json_equal(old, v))
			continue;
		o = output_cell(old, COL_TEXT);
		n = output_cell(v, COL_TEXT);
		sb_printf(&sb, "%s%s: %s → %s", sb.len ? "; " : "", key,
		    *o ? o : "(none)", *n ? n : "(none)");
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

	log_init("mediawatchctl", LOG_TARGET_PLAIN, 0);
	if ((n = split_globals(&ctl, argc, argv, rest)) == -1) {
		free(rest);
		return ctl_usage_error(usage_text, "an option needs a value");
	}
	if (n == 0 || strcmp(rest[0], "--help") == 0 || strcmp(rest[0], "-h") == 0 ||
	    strcmp(rest[0], "help") == 0) {
		fputs(usage_text, n == 0 ? stderr : stdout);
		free(rest);
		return n == 0 ? EXIT_USAGE : EXIT_OK;
	}
	if ((cmd = find_command(rest[0])) == NULL) {
		rc = ctl_usage_error(usage_text, "unknown command '%s'", rest[0]);
		free(rest);
		return rc;
	}
	if (config_load(config_locate(ctl.conf_arg), &ctl.cfg) == -1 ||
	    clock_check() == -1) {
		free(rest);
		return EXIT_REFUSED;
	}
	optind = 0;
	rc = cmd->run(&ctl, n, rest);
	fflush(stdout);
	if (ferror(stdout)) {
		log_warnx("cannot write the output");
		rc = EXIT_REFUSED;
	}
	db_close(ctl.db);
	config_free(&ctl.cfg);
	free(rest);
	return rc;
}
