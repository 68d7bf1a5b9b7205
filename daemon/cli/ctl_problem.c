/* ctl_problem.c — `mediawatchctl problem …`: the problem list. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "registry/problem.h"

static const char problem_usage[] = N_(
"usage: mediawatchctl problem list [--unit CODE] [--kind K] [--account ID]\n"
"              [--state open|closed|all] [--overdue]\n"
"       mediawatchctl problem show ID\n"
"       mediawatchctl problem add (--account ID | --unit CODE) --detail TEXT\n"
"              [--kind manual|wording] [--evidence URL|TEXT] [--due YYYY-MM-DD]\n"
"       mediawatchctl problem close ID --reason recovered|rectified|waived\n"
"              [--note TEXT]\n"
"       mediawatchctl problem reopen ID --note TEXT\n"
"\n"
"Kinds: stale (超期未更新), dormant (长期未更新), unreachable (feed failing),\n"
"wording (表述错误), reopened-closed-account (已注销账号违规私开), manual.\n"
"The monitor opens and closes the automatic ones (销号 with reason recovered\n"
"when the account posts again); a stale problem becomes dormant in place.\n"
"Deadlines are notice.rectify_days working days.  reopen leaves the closed\n"
"problem as it was and opens a new one that names it; it prints the new\n"
"problem's id.\n");

static const struct column problem_columns[] = {
	{ "id", N_("ID"), COL_TEXT },
	{ "unit", N_("UNIT"), COL_TEXT },
	{ "platform", N_("PLATFORM"), COL_PLATFORM },
	{ "account_name", N_("ACCOUNT"), COL_TEXT },
	{ "kind", N_("KIND"), COL_PROBLEM_KIND },
	{ "state", N_("STATE"), COL_PROBLEM_STATE },
	{ "opened_at", N_("OPENED"), COL_DATE },
	{ "due_at", N_("DUE"), COL_DATE },
	{ "closed_at", N_("CLOSED"), COL_DATE },
	{ "detail", N_("DETAIL"), COL_TEXT },
};

static const struct column problem_detail[] = {
	{ "id", N_("Id"), COL_TEXT },
	{ "unit", N_("Unit"), COL_TEXT },
	{ "unit_name", N_("Unit name"), COL_TEXT },
	{ "account_id", N_("Account"), COL_TEXT },
	{ "platform", N_("Platform"), COL_PLATFORM },
	{ "account_name", N_("Account name"), COL_TEXT },
	{ "kind", N_("Kind"), COL_PROBLEM_KIND },
	{ "severity", N_("Severity"), COL_SEVERITY },
	{ "state", N_("State"), COL_PROBLEM_STATE },
	{ "detail", N_("Detail"), COL_TEXT },
	{ "evidence", N_("Evidence"), COL_TEXT },
	{ "last_update_at", N_("Last update when opened"), COL_TIME },
	{ "opened_at", NC_("opened_at", "Opened"), COL_TIME },
	{ "opened_by", N_("Opened by"), COL_TEXT },
	{ "due_at", N_("Due"), COL_DATE },
	{ "overdue", N_("Overdue"), COL_TEXT },
	{ "closed_at", NC_("closed_at", "Closed"), COL_TIME },
	{ "close_reason", N_("Close reason"), COL_CLOSE_REASON },
	{ "close_note", N_("Close note"), COL_TEXT },
	{ "escalated_at", N_("Escalated to dormant"), COL_TIME },
	{ "reopened_from", N_("Reopens problem"), COL_TEXT },
	{ "reopened_as", N_("Reopened as"), COL_TEXT },
};

struct problem_args {
	struct problem_new     add;
	struct problem_filter  filter;
	const char            *account, *reason, *note;
	long long              id;
};

enum { P_UNIT = 1, P_KIND, P_ACCOUNT, P_STATE, P_OVERDUE, P_DETAIL,
    P_EVIDENCE, P_DUE, P_REASON, P_NOTE, P_HELP };

static const struct option problem_options[] = {
	{ "unit", required_argument, NULL, P_UNIT },
	{ "kind", required_argument, NULL, P_KIND },
	{ "account", required_argument, NULL, P_ACCOUNT },
	{ "state", required_argument, NULL, P_STATE },
	{ "overdue", no_argument, NULL, P_OVERDUE },
	{ "detail", required_argument, NULL, P_DETAIL },
	{ "evidence", required_argument, NULL, P_EVIDENCE },
	{ "due", required_argument, NULL, P_DUE },
	{ "reason", required_argument, NULL, P_REASON },
	{ "note", required_argument, NULL, P_NOTE },
	{ "help", no_argument, NULL, P_HELP },
	{ NULL, 0, NULL, 0 }
};

static int
parse_problem_options(int argc, char **argv, struct problem_args *a)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", problem_options, NULL)) != -1) {
		switch (c) {
		case P_UNIT: a->add.unit_code = a->filter.unit_code = optarg; break;
		case P_KIND: a->add.kind = a->filter.kind = optarg; break;
		case P_ACCOUNT: a->account = optarg; break;
		case P_STATE: a->filter.state = optarg; break;
		case P_OVERDUE: a->filter.overdue = true; break;
		case P_DETAIL: a->add.detail = optarg; break;
		case P_EVIDENCE: a->add.evidence = optarg; break;
		case P_DUE: a->add.due = optarg; break;
		case P_REASON: a->reason = optarg; break;
		case P_NOTE: a->note = optarg; break;
		case P_HELP: fputs(_(problem_usage), stdout); return 1;
		default:
			ctl_usage_error(problem_usage, _("problem: unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
			return -1;
		}
	}
	if (a->account && (a->add.account_id = a->filter.account_id =
	    ctl_parse_id(a->account)) == -1) {
		ctl_usage_error(problem_usage, _("problem: --account needs an id"));
		return -1;
	}
	if (a->filter.state && strcmp(a->filter.state, "open") &&
	    strcmp(a->filter.state, "closed") && strcmp(a->filter.state, "all")) {
		ctl_usage_error(problem_usage, _("problem: --state must be open, "
		    "closed or all"));
		return -1;
	}
	return 0;
}

static int
do_add(struct ctl *ctl, void *arg)
{
	struct problem_args *a = arg;
	char *error = NULL;
	long long id;

	if (problem_add(ctl->db, &a->add, config_deadline(&ctl->cfg, mw_now()),
	    &id, &error) == -1)
		return ctl_refused("problem add", error);
	ctl_done(ctl, "%lld\n", id);
	return EXIT_OK;
}

static int
do_close(struct ctl *ctl, void *arg)
{
	struct problem_args *a = arg;
	char *error = NULL;

	if (problem_close(ctl->db, a->id, a->reason, a->note, &error) == -1)
		return ctl_refused("problem close", error);
	ctl_done(ctl, _("problem %lld closed: %s\n"), a->id,
	    output_word(VOCAB_CLOSE_REASON, a->reason));
	return EXIT_OK;
}

static int
do_reopen(struct ctl *ctl, void *arg)
{
	struct problem_args *a = arg;
	char *error = NULL;
	long long id;

	if (problem_reopen(ctl->db, a->id, a->note, config_deadline(&ctl->cfg,
	    mw_now()), &id, &error) == -1)
		return ctl_refused("problem reopen", error);
	ctl_done(ctl, "%lld\n", id);
	return EXIT_OK;
}

static int
show(struct ctl *ctl, long long id)
{
	json_t *p = problem_json(ctl->db, id, mw_now());

	if (p == NULL) {
		log_warnx(N_("problem show: no problem %lld"), id);
		return EXIT_REFUSED;
	}
	output_record(stdout, ctl->format, problem_detail,
	    ARRAY_SIZE(problem_detail), p);
	json_decref(p);
	return EXIT_OK;
}

static int
list(struct ctl *ctl, struct problem_filter *f)
{
	json_t *rows;

	f->now = mw_now();
	rows = problem_list_json(ctl->db, f);
	output_rows(stdout, ctl->format, problem_columns,
	    ARRAY_SIZE(problem_columns), rows);
	ctl_keep_until_exit(rows);
	return EXIT_OK;
}

int
cmd_problem(struct ctl *ctl, int argc, char **argv)
{
	struct problem_args a = { 0 };
	const char *sub = argc > 1 ? argv[1] : "";
	int npos, rc;
	char **pos;

	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0)
		return fputs(_(problem_usage), stdout), EXIT_OK;
	if (strstr(" list show add close reopen ", sub) == NULL || !*sub ||
	    strchr(sub, ' '))
		return ctl_usage_error(problem_usage, _("problem: unknown subcommand "
		    "'%s'"), sub);
	optind = 0;
	if ((rc = parse_problem_options(argc - 1, argv + 1, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	pos = argv + 1 + optind;
	npos = argc - 1 - optind;
	if (ctl_check_note("--note", a.note) != EXIT_OK)
		return EXIT_REFUSED;
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if (strcmp(sub, "list") == 0 || strcmp(sub, "add") == 0) {
		if (npos)
			return ctl_usage_error(problem_usage, _("problem %s takes "
			    "options only"), sub);
		return *sub == 'l' ? list(ctl, &a.filter) :
		    ctl_in_transaction(ctl, do_add, &a);
	}
	if (npos != 1 || (a.id = ctl_parse_id(pos[0])) == -1)
		return ctl_usage_error(problem_usage, _("problem %s: expected one "
		    "problem id"), sub);
	if (strcmp(sub, "show") == 0)
		return show(ctl, a.id);
	return ctl_in_transaction(ctl, strcmp(sub, "close") == 0 ? do_close :
	    do_reopen, &a);
}
