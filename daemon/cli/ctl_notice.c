/* ctl_notice.c — `mediawatchctl notice …`: point-to-point notices. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "cli/ctl_document.h"
#include "paperwork/notice.h"

static const char notice_usage[] =
"usage: mediawatchctl notice issue --unit CODE [--format md|html|txt|json]\n"
"              [--out FILE] [--send] [--allow-empty]\n"
"       mediawatchctl notice show ID [--format md|html|txt|json] [--out FILE]\n"
"       mediawatchctl notice list\n"
"\n"
"issue lists the unit's open problems (点对点通报), numbers the notice\n"
"within its year (notice.serial_format), sets the reply deadline in working\n"
"days (notice.rectify_days, holidays, workdays), stores it and prints it\n"
"(default format md).  --send also queues it to the unit's email addresses\n"
"with the admins in copy.  A unit without open problems is refused unless\n"
"--allow-empty.  show prints a stored notice again, byte for byte.\n";

#define NOTICE_FORMATS (FORMAT_BIT(RENDER_MD) | FORMAT_BIT(RENDER_HTML) | \
    FORMAT_BIT(RENDER_TXT) | FORMAT_BIT(RENDER_JSON))

static const struct column notice_columns[] = {
	{ "id", "ID", COL_TEXT },
	{ "serial", "SERIAL", COL_TEXT },
	{ "unit", "UNIT", COL_TEXT },
	{ "unit_name", "NAME", COL_TEXT },
	{ "issued_at", "ISSUED", COL_DATE },
	{ "due", "DUE", COL_TEXT },
	{ "problems", "PROBLEMS", COL_TEXT },
	{ "sent", "SENT", COL_TEXT },
};

struct notice_args {
	const char          *unit, *out;
	enum render_format   format;
	bool                 send, allow_empty;
	long long            id;
};

enum { N_UNIT = 1, N_FORMAT, N_OUT, N_SEND, N_ALLOW_EMPTY, N_HELP };

static const struct option notice_options[] = {
	{ "unit", required_argument, NULL, N_UNIT },
	{ "format", required_argument, NULL, N_FORMAT },
	{ "out", required_argument, NULL, N_OUT },
	{ "send", no_argument, NULL, N_SEND },
	{ "allow-empty", no_argument, NULL, N_ALLOW_EMPTY },
	{ "help", no_argument, NULL, N_HELP },
	{ NULL, 0, NULL, 0 }
};

static int
parse_notice_options(int argc, char **argv, struct notice_args *a)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", notice_options, NULL)) != -1) {
		switch (c) {
		case N_UNIT: a->unit = optarg; break;
		case N_FORMAT:
			if (ctl_parse_format(optarg, NOTICE_FORMATS, notice_usage,
			    &a->format) == -1)
				return -1;
			break;
		case N_OUT: a->out = optarg; break;
		case N_SEND: a->send = true; break;
		case N_ALLOW_EMPTY: a->allow_empty = true; break;
		case N_HELP: fputs(notice_usage, stdout); return 1;
		default:
			ctl_usage_error(notice_usage, "notice: unknown or incomplete "
			    "option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

static int
do_issue(struct ctl *ctl, void *arg)
{
	struct notice_args *a = arg;
	time_t now = mw_now();
	char *error = NULL;

	if (notice_issue(ctl->db, &ctl->cfg, a->unit, a->allow_empty, now, &a->id,
	    &error) == -1)
		return ctl_refused("notice issue", error);
	if (a->send && notice_send(ctl->db, &ctl->cfg, a->id, now, &error) == -1)
		return ctl_refused("notice issue --send", error);
	return EXIT_OK;
}

static int
print(struct ctl *ctl, const struct notice_args *a)
{
	json_t *d = notice_data(ctl->db, a->id);
	int rc;

	if (d == NULL) {
		log_warnx("notice show: no notice %lld", a->id);
		return EXIT_REFUSED;
	}
	rc = ctl_write_document(a->out, render_notice, d, a->format);
	json_decref(d);
	return rc == 0 ? EXIT_OK : EXIT_REFUSED;
}

static int
issue(struct ctl *ctl, struct notice_args *a)
{
	int rc;

	if (a->unit == NULL)
		return ctl_usage_error(notice_usage, "notice issue needs --unit CODE");
	if ((rc = ctl_in_transaction(ctl, do_issue, a)) != EXIT_OK)
		return rc;
	if ((rc = print(ctl, a)) != EXIT_OK)
		log_warnx("notice %lld was issued; print it with `mediawatchctl "
		    "notice show %lld`", a->id, a->id);
	else if (a->out)
		printf("%lld\n", a->id);
	return rc;
}

static int
list(struct ctl *ctl)
{
	json_t *rows = notice_list_json(ctl->db);

	output_rows(stdout, ctl->format, notice_columns,
	    ARRAY_SIZE(notice_columns), rows);
	json_decref(rows);
	return EXIT_OK;
}

int
cmd_notice(struct ctl *ctl, int argc, char **argv)
{
	struct notice_args a = { .format = RENDER_MD };
	const char *sub = argc > 1 ? argv[1] : "";
	int npos, rc;
	char **pos;

	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0)
		return fputs(notice_usage, stdout), EXIT_OK;
	if (strcmp(sub, "issue") && strcmp(sub, "show") && strcmp(sub, "list"))
		return ctl_usage_error(notice_usage, "notice: unknown subcommand "
		    "'%s'", sub);
	optind = 0;
	if ((rc = parse_notice_options(argc - 1, argv + 1, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	pos = argv + 1 + optind;
	npos = argc - 1 - optind;
	if (strcmp(sub, "show") == 0) {
		if (npos != 1 || (a.id = ctl_parse_id(pos[0])) == -1)
			return ctl_usage_error(notice_usage, "notice show: "
			    "expected one notice id");
	} else if (npos != 0)
		return ctl_usage_error(notice_usage, "notice %s takes options "
		    "only", sub);
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if (strcmp(sub, "issue") == 0)
		return issue(ctl, &a);
	return strcmp(sub, "show") == 0 ? print(ctl, &a) : list(ctl);
}
