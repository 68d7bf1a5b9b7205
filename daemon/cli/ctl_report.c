/* ctl_report.c — `mediawatchctl report`: the status page. */
#include <getopt.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "cli/ctl_document.h"
#include "paperwork/report.h"

static const char report_usage[] = N_(
"usage: mediawatchctl report [--format html|json] [--out FILE]\n"
"\n"
"A self-contained page (no external assets, printable on A4) with every\n"
"unit and account, its state as a colour, the days since its last update\n"
"as a bar chart with the 7- and 14-day lines, and the open problems.\n"
"States are those of the daemon's last evaluation.  Beyond 500 accounts\n"
"it lists only the accounts to act on and counts the open problems per\n"
"unit (problem list lists them).\n");

enum { R_FORMAT = 1, R_OUT, R_HELP };

static const struct option report_options[] = {
	{ "format", required_argument, NULL, R_FORMAT },
	{ "out", required_argument, NULL, R_OUT },
	{ "help", no_argument, NULL, R_HELP },
	{ NULL, 0, NULL, 0 }
};

int
cmd_report(struct ctl *ctl, int argc, char **argv)
{
	enum render_format format = RENDER_HTML;
	const char *out = NULL;
	json_t *d;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", report_options, NULL)) != -1) {
		switch (c) {
		case R_FORMAT:
			if (ctl_parse_format(optarg, FORMAT_BIT(RENDER_HTML) |
			    FORMAT_BIT(RENDER_JSON), report_usage, &format) == -1)
				return EXIT_USAGE;
			break;
		case R_OUT: out = optarg; break;
		case R_HELP: fputs(_(report_usage), stdout); return EXIT_OK;
		default:
			return ctl_usage_error(report_usage, _("report: unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc)
		return ctl_usage_error(report_usage, _("report takes options only"));
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if ((d = report_build(ctl->db, &ctl->cfg, mw_now())) == NULL) {
		log_warnx(N_("report: the database cannot be read"));
		return EXIT_REFUSED;
	}
	rc = ctl_write_document(out, render_report, d, format, &ctl->cfg);
	ctl_keep_until_exit(d);
	return rc == 0 ? EXIT_OK : EXIT_REFUSED;
}
