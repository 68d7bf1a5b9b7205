/* ctl_bulletin.c — `mediawatchctl bulletin`: the monthly bulletin. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "cli/ctl_document.h"
#include "paperwork/bulletin.h"

static const char bulletin_usage[] =
"usage: mediawatchctl bulletin (--month YYYY-MM | --previous-month)\n"
"              [--format md|html|txt|json|csv] [--out FILE | --out-dir DIR]\n"
"\n"
"The monthly bulletin (月通报): totals by platform and unit, the pass rate\n"
"(合格率), unqualified accounts, posts per account, accounts that came back,\n"
"problems opened, closed and overdue, notices issued, and the units whose\n"
"same problem kind recurred in notice.repeat_months consecutive months.\n"
"It is computed from history: a past month gives the same bulletin\n"
"whenever it is generated.  --previous-month is the month before today;\n"
"--out-dir writes DIR/bulletin-YYYY-MM.FORMAT (default format md).\n";

struct bulletin_args {
	const char          *month, *out, *out_dir;
	bool                 previous;
	enum render_format   format;
};

enum { B_MONTH = 1, B_PREVIOUS, B_FORMAT, B_OUT, B_OUT_DIR, B_HELP };

static const struct option bulletin_options[] = {
	{ "month", required_argument, NULL, B_MONTH },
	{ "previous-month", no_argument, NULL, B_PREVIOUS },
	{ "format", required_argument, NULL, B_FORMAT },
	{ "out", required_argument, NULL, B_OUT },
	{ "out-dir", required_argument, NULL, B_OUT_DIR },
	{ "help", no_argument, NULL, B_HELP },
	{ NULL, 0, NULL, 0 }
};

static int
parse_bulletin_options(int argc, char **argv, struct bulletin_args *a)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", bulletin_options, NULL)) != -1) {
		switch (c) {
		case B_MONTH: a->month = optarg; break;
		case B_PREVIOUS: a->previous = true; break;
		case B_FORMAT:
			if (ctl_parse_format(optarg, ~0u, bulletin_usage,
			    &a->format) == -1)
				return -1;
			break;
		case B_OUT: a->out = optarg; break;
		case B_OUT_DIR: a->out_dir = optarg; break;
		case B_HELP: fputs(bulletin_usage, stdout); return 1;
		default:
			ctl_usage_error(bulletin_usage, "bulletin: unknown or "
			    "incomplete option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc) {
		ctl_usage_error(bulletin_usage, "bulletin takes options only");
		return -1;
	}
	return 0;
}

static int
check_args(const struct bulletin_args *a, struct month *m)
{
	struct month now;

	if ((a->month != NULL) == a->previous)
		return ctl_usage_error(bulletin_usage, "bulletin needs one of "
		    "--month YYYY-MM and --previous-month");
	if (a->out && a->out_dir)
		return ctl_usage_error(bulletin_usage, "bulletin: --out and "
		    "--out-dir exclude each other");
	if (a->month && month_parse(a->month, m) == -1)
		return ctl_usage_error(bulletin_usage, "bulletin: --month must be "
		    "YYYY-MM, not '%s'", a->month);
	if (a->previous) {
		month_of(mw_now(), &now);
		month_shift(&now, -1, m);
	}
	return EXIT_OK;
}

/* The timer's target folder may not exist on a fresh installation. */
static char *
out_dir_path(const struct bulletin_args *a, const struct month *m)
{
	char month[16];

	if (mkdir(a->out_dir, 0777) == -1 && errno != EEXIST) {
		log_warn("%s", a->out_dir);
		return NULL;
	}
	month_format(m, month, sizeof(month));
	return xasprintf("%s/bulletin-%s.%s", a->out_dir, month,
	    render_format_ext(a->format));
}

int
cmd_bulletin(struct ctl *ctl, int argc, char **argv)
{
	struct bulletin_args a = { .format = RENDER_MD };
	struct month m;
	char *error = NULL, *path = NULL;
	json_t *d;
	int rc;

	optind = 0;
	if ((rc = parse_bulletin_options(argc, argv, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	if ((rc = check_args(&a, &m)) != EXIT_OK)
		return rc;
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if ((d = bulletin_build(ctl->db, &ctl->cfg, &m, mw_now(), &error)) == NULL)
		return ctl_refused("bulletin", error);
	if (a.out_dir && (path = out_dir_path(&a, &m)) == NULL)
		rc = EXIT_REFUSED;
	else if (ctl_write_document(path ? path : a.out, render_bulletin, d,
	    a.format) == -1)
		rc = EXIT_REFUSED;
	else if (path)
		printf("%s\n", path);
	free(path);
	json_decref(d);
	return rc;
}
