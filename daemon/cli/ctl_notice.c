/* ctl_notice.c — `mediawatchctl notice …`: point-to-point notices. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "cli/ctl_document.h"
#include "paperwork/document.h"
#include "paperwork/notice.h"

static const char notice_usage[] = N_(
"usage: mediawatchctl notice preview --unit CODE [--allow-empty]\n"
"              [--format md|html|txt|json|docx] [--out FILE]\n"
"       mediawatchctl notice issue --unit CODE [--allow-empty] [--send]\n"
"              [--format md|html|txt|json|docx] [--out FILE]\n"
"       mediawatchctl notice show ID [--format md|html|txt|json|docx]\n"
"              [--out FILE]\n"
"       mediawatchctl notice void ID --reason TEXT\n"
"       mediawatchctl notice list\n"
"\n"
"A notice (点对点通报) lists the unit's open problems, each account once,\n"
"with a reply deadline in working days (notice.rectify_days, holidays,\n"
"workdays).  preview prints it without a number and stores nothing.\n"
"issue takes the next number of the year (notice.serial_format), stores\n"
"it and prints it (default format md); --send also queues it to the\n"
"unit's email addresses with the admins in copy (to the admins, saying\n"
"so, when the unit has none).  A unit without open problems is refused\n"
"unless --allow-empty.  show prints an issued notice again from the\n"
"data it was issued with.  void marks a notice 作废: its number stays\n"
"used and is never given again.  docx is the 公文 after GB/T 9704\n"
"(document.* keys); it needs --out FILE on a terminal.\n");

#define NOTICE_FORMATS (FORMAT_BIT(RENDER_MD) | FORMAT_BIT(RENDER_HTML) | \
    FORMAT_BIT(RENDER_TXT) | FORMAT_BIT(RENDER_JSON) | FORMAT_BIT(RENDER_DOCX))

static const struct column notice_columns[] = {
	{ "id", N_("ID"), COL_TEXT },
	{ "serial", N_("SERIAL"), COL_TEXT },
	{ "state", N_("STATE"), COL_DOCUMENT_STATE },
	{ "unit", N_("UNIT"), COL_TEXT },
	{ "unit_name", N_("NAME"), COL_TEXT },
	{ "issued_at", N_("ISSUED"), COL_DATE },
	{ "due", N_("DUE"), COL_TEXT },
	{ "problems", N_("PROBLEMS"), COL_TEXT },
	{ "sent", N_("SENT"), COL_TEXT },
	{ "void_reason", N_("VOID REASON"), COL_TEXT },
};

struct notice_args {
	const char          *unit, *out, *reason;
	enum render_format   format;
	bool                 send, allow_empty;
	long long            id;
};

enum { N_UNIT = 1, N_FORMAT, N_OUT, N_SEND, N_ALLOW_EMPTY, N_REASON, N_HELP };

static const struct option notice_options[] = {
	{ "unit", required_argument, NULL, N_UNIT },
	{ "format", required_argument, NULL, N_FORMAT },
	{ "out", required_argument, NULL, N_OUT },
	{ "send", no_argument, NULL, N_SEND },
	{ "allow-empty", no_argument, NULL, N_ALLOW_EMPTY },
	{ "reason", required_argument, NULL, N_REASON },
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
		case N_REASON: a->reason = optarg; break;
		case N_HELP: fputs(_(notice_usage), stdout); return 1;
		default:
			ctl_usage_error(notice_usage, _("notice: unknown or incomplete "
			    "option '%s'"), argv[optind - 1]);
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
	char *error = NULL;
	json_t *d = document_data(ctl->db, "notice", a->id, &error);
	int rc;

	if (d == NULL)
		return ctl_refused("notice show", error);
	rc = ctl_write_document(a->out, render_notice, d, a->format, &ctl->cfg);
	json_decref(d);
	return rc == 0 ? EXIT_OK : EXIT_REFUSED;
}

static int
issue(struct ctl *ctl, struct notice_args *a)
{
	int rc;

	if ((rc = ctl_in_transaction(ctl, do_issue, a)) != EXIT_OK)
		return rc;
	if ((rc = print(ctl, a)) != EXIT_OK)
		log_warnx(N_("notice %lld was issued; print it with `mediawatchctl "
		    "notice show %lld`"), a->id, a->id);
	else if (a->out)
		printf("%lld\n", a->id);
	return rc;
}

static int
preview(struct ctl *ctl, const struct notice_args *a)
{
	char *error = NULL;
	json_t *d = notice_preview(ctl->db, &ctl->cfg, a->unit, a->allow_empty,
	    mw_now(), &error);
	int rc;

	if (d == NULL)
		return ctl_refused("notice preview", error);
	rc = ctl_write_document(a->out, render_notice, d, a->format, &ctl->cfg);
	json_decref(d);
	return rc == 0 ? EXIT_OK : EXIT_REFUSED;
}

static int
do_void(struct ctl *ctl, void *arg)
{
	struct notice_args *a = arg;
	char *error = NULL;

	if (document_void(ctl->db, "notice", a->id, a->reason, mw_now(),
	    &error) == -1)
		return ctl_refused("notice void", error);
	ctl_done(ctl, _("notice %lld voided\n"), a->id);
	return EXIT_OK;
}

static int
void_notice(struct ctl *ctl, struct notice_args *a)
{
	int rc;

	if (a->reason == NULL)
		return ctl_usage_error(notice_usage, _("notice void needs --reason "
		    "TEXT"));
	if ((rc = ctl_check_note("--reason", a->reason)) != EXIT_OK)
		return rc;
	return ctl_in_transaction(ctl, do_void, a);
}

static int
list(struct ctl *ctl)
{
	json_t *rows = document_list_json(ctl->db, "notice");

	output_rows(stdout, ctl->format, notice_columns,
	    ARRAY_SIZE(notice_columns), rows);
	json_decref(rows);
	return EXIT_OK;
}

/* Which subcommands take an id, which a unit. */
static int
check_args(const char *sub, struct notice_args *a, char **pos, int npos)
{
	bool by_id = strcmp(sub, "show") == 0 || strcmp(sub, "void") == 0;

	if (by_id) {
		if (npos != 1 || (a->id = ctl_parse_id(pos[0])) == -1)
			return ctl_usage_error(notice_usage, _("notice %s: expected "
			    "one notice id"), sub);
	} else if (npos != 0)
		return ctl_usage_error(notice_usage, _("notice %s takes options "
		    "only"), sub);
	if ((strcmp(sub, "issue") == 0 || strcmp(sub, "preview") == 0) &&
	    a->unit == NULL)
		return ctl_usage_error(notice_usage, _("notice %s needs --unit CODE"),
		    sub);
	if (a->send && strcmp(sub, "issue") != 0)
		return ctl_usage_error(notice_usage, _("notice %s: --send goes with "
		    "issue only"), sub);
	return EXIT_OK;
}

static bool
known_subcommand(const char *sub)
{
	static const char *const subs[] = { "preview", "issue", "show", "void",
	    "list" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(subs); i++)
		if (strcmp(sub, subs[i]) == 0)
			return true;
	return false;
}

int
cmd_notice(struct ctl *ctl, int argc, char **argv)
{
	struct notice_args a = { .format = RENDER_MD };
	const char *sub = argc > 1 ? argv[1] : "";
	int rc;

	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0)
		return fputs(_(notice_usage), stdout), EXIT_OK;
	if (!known_subcommand(sub))
		return ctl_usage_error(notice_usage, _("notice: unknown subcommand "
		    "'%s'"), sub);
	optind = 0;
	if ((rc = parse_notice_options(argc - 1, argv + 1, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	if ((rc = check_args(sub, &a, argv + 1 + optind, argc - 1 - optind)) !=
	    EXIT_OK)
		return rc;
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if (strcmp(sub, "issue") == 0)
		return issue(ctl, &a);
	if (strcmp(sub, "preview") == 0)
		return preview(ctl, &a);
	if (strcmp(sub, "void") == 0)
		return void_notice(ctl, &a);
	return strcmp(sub, "show") == 0 ? print(ctl, &a) : list(ctl);
}
