/* ctl_config.c — `mediawatchctl check-config`. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "monitor/wording.h"
#include "wording/wordcheck.h"

static void
print_platforms(const struct config *cfg)
{
	char w[16], s[16], d[16];
	size_t i;

	printf("platforms:\n");
	for (i = 0; i < cfg->n_platforms; i++) {
		const struct platform *p = &cfg->platforms[i];

		duration_format(p->warn_after, w, sizeof(w));
		duration_format(p->stale_after, s, sizeof(s));
		duration_format(p->dormant_after, d, sizeof(d));
		printf("  %-12s %s  warn %s, stale %s, dormant %s%s%s\n", p->key,
		    p->label, w, s, d, p->feed_template ? ", feed " : "",
		    p->feed_template ? p->feed_template : "");
	}
}

int
cmd_check_config(struct ctl *ctl, int argc, char **argv)
{
	const struct config *cfg = &ctl->cfg;
	struct wordcheck *wc;
	char *error = NULL;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: mediawatchctl [-c CONF] check-config\n\n"
		    "Reads the configuration, reports every error as FILE:LINE:\n"
		    "message and exits 1, or summarises it and exits 0.\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return ctl_usage_error(NULL, "check-config takes no arguments");
	if ((wc = wording_load(cfg, &error)) == NULL && error != NULL) {
		log_warnx("%s", error);
		free(error);
		return EXIT_REFUSED;
	}
	wordcheck_free(wc);
	printf("configuration: %s\n", cfg->path ? cfg->path : "(built-in defaults)");
	printf("database: %s\n", ctl->db_arg ? ctl->db_arg : cfg->database);
	printf("time zone: %s\n", cfg->timezone);
	print_platforms(cfg);
	printf("mail transport: %s\n", cfg->mail.transport);
	printf("configuration OK\n");
	return EXIT_OK;
}
