/* console.c — mediawatch-web's main: options, configuration, the database,
 * the server, and waiting for the signal to stop. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "store/db.h"
#include "web/web.h"

static const char usage_text[] =
"usage: mediawatch-web [-c CONF] [-n] [-v]…\n"
"\n"
"The web console of mediawatch: serves the account ledger, the problem\n"
"list, notices and the audit trail to a browser, on the socket systemd\n"
"passes (mediawatch-web.socket) or on web.listen (127.0.0.1:8080).\n"
"\n"
"  -c, --config FILE   configuration file (default: $MEDIAWATCH_CONF, then\n"
"                      " MW_DEFAULT_CONF ", else built-in defaults)\n"
"  -n, --check         check the configuration and exit\n"
"  -v, --verbose       log more (repeat for debug messages)\n"
"  -h, --help          this text\n";

struct options {
	const char *conf;
	bool        check;
	int         verbosity;
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->conf = optarg; break;
		case 'n': o->check = true; break;
		case 'v': o->verbosity++; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: fputs(usage_text, stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mediawatch-web: unexpected argument '%s'\n%s",
		    argv[optind], usage_text);
		return -1;
	}
	return 0;
}

static enum log_target
log_target(const struct options *o)
{
	if (o->check)
		return LOG_TARGET_PLAIN;
	return getenv("JOURNAL_STREAM") || getenv("INVOCATION_ID") ?
	    LOG_TARGET_JOURNAL : LOG_TARGET_STDERR;
}

/* Blocks the stop signals in every thread (the server's threads inherit
 * the mask), then waits for one of them here. */
static void
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int
serve(const struct config *cfg, sqlite3 *db)
{
	struct web *w;
	sigset_t set;
	int sig = 0;

	block_signals(&set);
	if ((w = web_start(cfg, db)) == NULL)
		return 1;
	log_notice("serving on %s, database %s", web_address(w), cfg->database);
	sd_notify(0, "READY=1\nSTATUS=serving the console");
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			break;
		if (sig != SIGHUP)
			break;
		log_notice("SIGHUP: restart mediawatch-web to apply a new "
		    "configuration");
	}
	sd_notify(0, "STOPPING=1");
	log_notice("stopping (signal %d)", sig);
	web_stop(w);
	return 0;
}

int
web_main(int argc, char **argv)
{
	struct options o = { 0 };
	struct config cfg;
	sqlite3 *db;
	int rc;

	if (parse_options(argc, argv, &o) == -1)
		return 2;
	log_init("mediawatch-web", log_target(&o), o.verbosity);
	if (!i18n_init_users("zh_CN"))
		log_warnx("no Chinese message catalog found (MEDIAWATCH_LOCALEDIR, "
		    "or share/locale beside the program): what the library "
		    "refuses is shown in English");
	if (config_load(config_locate(o.conf), &cfg) == -1 || clock_check() == -1)
		return 1;
	if (o.check) {
		printf("%s: configuration OK\n", cfg.path ? cfg.path :
		    "built-in defaults");
		config_free(&cfg);
		return 0;
	}
	if ((db = db_open(cfg.database, true)) == NULL) {
		config_free(&cfg);
		return 1;
	}
	rc = serve(&cfg, db);
	db_close(db);
	config_free(&cfg);
	return rc;
}
