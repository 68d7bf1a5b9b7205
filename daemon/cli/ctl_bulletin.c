/* ctl_bulletin.c — `mediawatchctl bulletin …`: the monthly bulletin. */
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
#include "paperwork/document.h"

static const char bulletin_usage[] = N_(
"usage: mediawatchctl bulletin preview (--month YYYY-MM | --previous-month)\n"
"              [--format md|html|txt|json|csv|docx] [--out FILE | --out-dir DIR]\n"
"       mediawatchctl bulletin issue (--month YYYY-MM | --previous-month)\n"
"              [--format md|html|txt|json|csv|docx] [--out FILE | --out-dir DIR]\n"
"       mediawatchctl bulletin show ID [--format …] [--out FILE]\n"
"       mediawatchctl bulletin void ID --reason TEXT\n"
"       mediawatchctl bulletin list\n"
"\n"
"The monthly bulletin (月通报): totals by platform and unit, the pass rate\n"
"(合格率) and the units' ranking (排名), unqualified accounts, monitoring\n"
"gaps (监测缺口) apart, posts per account, accounts that came back, problems\n"
"opened, closed and overdue, notices issued, and the units whose same\n"
"problem kind recurred in notice.repeat_months consecutive months.  It\n"
"covers only watched time: a month before monitoring began is refused,\n"
"and the month it began in is covered from that day.  A past month gives\n"
"the same figures whenever they are computed.\n"
"\n"
"preview prints it without a number and stores nothing (`bulletin\n"
"--month …` alone is a preview).  issue, once the month is over, takes\n"
"the next number of the year (bulletin.serial_format) and stores it; a\n"
"month is issued once unless its bulletin is voided.  show prints an\n"
"issued bulletin again; void marks it 作废, its number never given again.\n"
"--previous-month is the month before today; --out-dir writes\n"
"DIR/bulletin-YYYY-MM.FORMAT (default format md).\n");

struct bulletin_args {
	const char          *month, *out, *out_dir, *reason;
	bool                 previous;
	enum render_format   format;
	long long            id;
};

enum { B_MONTH = 1, B_PREVIOUS, B_FORMAT, B_OUT, B_OUT_DIR, B_REASON, B_HELP };

static const struct option bulletin_options[] = {
	{ "month", required_argument, NULL, B_MONTH },
	{ "previous-month", no_argument, NULL, B_PREVIOUS },
	{ "format", required_argument, NULL, B_FORMAT },
	{ "out", required_argument, NULL, B_OUT },
	{ "out-dir", required_argument, NULL, B_OUT_DIR },
	{ "reason", required_argument, NULL, B_REASON },
	{ "help", no_argument, NULL, B_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct column bulletin_columns[] = {
	{ "id", N_("ID"), COL_TEXT },
	{ "serial", N_("SERIAL"), COL_TEXT },
	{ "state", N_("STATE"), COL_DOCUMENT_STATE },
	{ "period", N_("MONTH"), COL_TEXT },
	{ "issued_at", N_("ISSUED"), COL_DATE },
	{ "issued_by", N_("BY"), COL_TEXT },
	{ "void_reason", N_("VOID REASON"), COL_TEXT },
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
		case B_REASON: a->reason = optarg; break;
		case B_HELP: fputs(_(bulletin_usage), stdout); return 1;
		default:
			ctl_usage_error(bulletin_usage, _("bulletin: unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

static int
check_month(const struct bulletin_args *a, struct month *m)
{
	struct month now;

	if ((a->month != NULL) == a->previous)
		return ctl_usage_error(bulletin_usage, _("bulletin needs one of "
		    "--month YYYY-MM and --previous-month"));
	if (a->out && a->out_dir)
		return ctl_usage_error(bulletin_usage, _("bulletin: --out and "
		    "--out-dir exclude each other"));
	if (a->month && month_parse(a->month, m) == -1)
		return ctl_usage_error(bulletin_usage, _("bulletin: --month must be "
		    "YYYY-MM, not '%s'"), a->month);
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

/* Writes d where the arguments say; prints the path of --out-dir. */
static int
write_bulletin(struct ctl *ctl, const struct bulletin_args *a,
    const struct month *m, const json_t *d)
{
	char *path = NULL;
	int rc = EXIT_OK;

	if (a->out_dir && (path = out_dir_path(a, m)) == NULL)
		return EXIT_REFUSED;
	if (ctl_write_document(path ? path : a->out, render_bulletin, d,
	    a->format, &ctl->cfg) == -1)
		rc = EXIT_REFUSED;
	else if (path)
		printf("%s\n", path);
	free(path);
	return rc;
}

static int
preview(struct ctl *ctl, const struct bulletin_args *a, const struct month *m)
{
	char *error = NULL;
	json_t *d;
	int rc;

	/* the JSON and the CSV list every account; the documents, for a
	 * large registry, only those to act on */
	if ((d = bulletin_build_listing(ctl->db, &ctl->cfg, m, mw_now(),
	    a->format == RENDER_JSON || a->format == RENDER_CSV, &error)) == NULL)
		return ctl_refused("bulletin", error);
	rc = write_bulletin(ctl, a, m, d);
	ctl_keep_until_exit(d);
	return rc;
}

struct issuing {
	struct month  m;
	long long     id;
};

static int
do_issue(struct ctl *ctl, void *arg)
{
	struct issuing *is = arg;
	char *error = NULL;

	if (bulletin_issue(ctl->db, &ctl->cfg, &is->m, mw_now(), &is->id,
	    &error) == -1)
		return ctl_refused("bulletin issue", error);
	return EXIT_OK;
}

static int
issue(struct ctl *ctl, const struct bulletin_args *a, const struct month *m)
{
	struct issuing is = { *m, 0 };
	char *error = NULL;
	json_t *d;
	int rc;

	if ((rc = ctl_in_transaction(ctl, do_issue, &is)) != EXIT_OK)
		return rc;
	if ((d = document_data(ctl->db, "bulletin", is.id, &error)) == NULL)
		return ctl_refused("bulletin issue", error);
	if ((rc = write_bulletin(ctl, a, m, d)) != EXIT_OK)
		log_warnx(N_("bulletin %lld was issued; print it with `mediawatchctl "
		    "bulletin show %lld`"), is.id, is.id);
	else if (a->out)
		printf("%lld\n", is.id);
	ctl_keep_until_exit(d);
	return rc;
}

static int
show(struct ctl *ctl, const struct bulletin_args *a)
{
	char *error = NULL;
	json_t *d = document_data(ctl->db, "bulletin", a->id, &error);
	int rc;

	if (d == NULL)
		return ctl_refused("bulletin show", error);
	rc = ctl_write_document(a->out, render_bulletin, d, a->format, &ctl->cfg);
	ctl_keep_until_exit(d);
	return rc == 0 ? EXIT_OK : EXIT_REFUSED;
}

static int
do_void(struct ctl *ctl, void *arg)
{
	struct bulletin_args *a = arg;
	char *error = NULL;

	if (document_void(ctl->db, "bulletin", a->id, a->reason, mw_now(),
	    &error) == -1)
		return ctl_refused("bulletin void", error);
	ctl_done(ctl, _("bulletin %lld voided\n"), a->id);
	return EXIT_OK;
}

static int
list(struct ctl *ctl)
{
	json_t *rows = document_list_json(ctl->db, "bulletin");

	output_rows(stdout, ctl->format, bulletin_columns,
	    ARRAY_SIZE(bulletin_columns), rows);
	json_decref(rows);
	return EXIT_OK;
}

/* show, void: one id; list: nothing. */
static int
by_id(struct ctl *ctl, const char *sub, struct bulletin_args *a, char **pos,
    int npos)
{
	int rc;

	if (npos != 1 || (a->id = ctl_parse_id(pos[0])) == -1)
		return ctl_usage_error(bulletin_usage, _("bulletin %s: expected one "
		    "bulletin id"), sub);
	if (a->month || a->previous || a->out_dir)
		return ctl_usage_error(bulletin_usage, _("bulletin %s: the month is "
		    "the bulletin's own"), sub);
	if (strcmp(sub, "void") == 0) {
		if (a->reason == NULL)
			return ctl_usage_error(bulletin_usage, _("bulletin void needs "
			    "--reason TEXT"));
		if ((rc = ctl_check_note("--reason", a->reason)) != EXIT_OK)
			return rc;
	}
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if (strcmp(sub, "void") == 0)
		return ctl_in_transaction(ctl, do_void, a);
	return show(ctl, a);
}

static int
by_month(struct ctl *ctl, const char *sub, struct bulletin_args *a, int npos)
{
	struct month m;
	int rc;

	if (npos != 0)
		return ctl_usage_error(bulletin_usage, _("bulletin %s takes options "
		    "only"), sub);
	if ((rc = check_month(a, &m)) != EXIT_OK)
		return rc;
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	return strcmp(sub, "issue") == 0 ? issue(ctl, a, &m) :
	    preview(ctl, a, &m);
}

int
cmd_bulletin(struct ctl *ctl, int argc, char **argv)
{
	struct bulletin_args a = { .format = RENDER_MD };
	const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : "preview";
	int skip = argc > 1 && argv[1][0] != '-' ? 1 : 0, rc;
	char **pos;
	int npos;

	optind = 0;
	if ((rc = parse_bulletin_options(argc - skip, argv + skip, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	pos = argv + skip + optind;
	npos = argc - skip - optind;
	if (strcmp(sub, "preview") == 0 || strcmp(sub, "issue") == 0)
		return by_month(ctl, sub, &a, npos);
	if (strcmp(sub, "show") == 0 || strcmp(sub, "void") == 0)
		return by_id(ctl, sub, &a, pos, npos);
	if (strcmp(sub, "list") == 0) {
		if (npos != 0)
			return ctl_usage_error(bulletin_usage, _("bulletin list takes "
			    "no arguments"));
		return ctl_db(ctl) == NULL ? EXIT_REFUSED : list(ctl);
	}
	if (strcmp(sub, "help") == 0)
		return fputs(_(bulletin_usage), stdout), EXIT_OK;
	return ctl_usage_error(bulletin_usage, _("bulletin: unknown subcommand "
	    "'%s'"), sub);
}
