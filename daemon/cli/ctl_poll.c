/* ctl_poll.c — `mediawatchctl poll`: make accounts due now. */
#include <string.h>

#include "base/log.h"
#include "cli/ctl.h"
#include "poll/feed_state.h"
#include "store/db.h"

static const char poll_usage[] = N_(
"usage: mediawatchctl poll [ACCOUNT_ID…]\n"
"\n"
"Marks the given accounts (all active ones when none is given) due now;\n"
"a running mediawatchd fetches them at its next tick, `mediawatchd --once`\n"
"at once.\n");

struct poll_args {
	char **ids;
	int    n;
};

static int
do_poll(struct ctl *ctl, void *arg)
{
	struct poll_args *a = arg;
	long long id, active;
	int i;

	if (a->n == 0) {
		if (feed_state_make_due(ctl->db, 0) == -1)
			return EXIT_REFUSED;
		ctl_done(ctl, _("every active account is due for polling now\n"));
		return EXIT_OK;
	}
	for (i = 0; i < a->n; i++) {
		id = ctl_parse_id(a->ids[i]);
		if (db_query_int(ctl->db, &active, "SELECT status = 'active' FROM"
		    " account WHERE id = ?", "I", id) != 0) {
			log_warnx(N_("poll: no account %lld"), id);
			return EXIT_REFUSED;
		}
		if (!active) {
			log_warnx(N_("poll: account %lld is not active"), id);
			return EXIT_REFUSED;
		}
		if (feed_state_make_due(ctl->db, id) == -1)
			return EXIT_REFUSED;
		ctl_done(ctl, _("account %lld is due for polling now\n"), id);
	}
	return EXIT_OK;
}

int
cmd_poll(struct ctl *ctl, int argc, char **argv)
{
	struct poll_args a = { argv + 1, argc - 1 };
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0)
			return fputs(_(poll_usage), stdout), EXIT_OK;
		if (ctl_parse_id(argv[i]) == -1)
			return ctl_usage_error(poll_usage, _("poll: '%s' is not an "
			    "account id"), argv[i]);
	}
	return ctl_in_transaction(ctl, do_poll, &a);
}
