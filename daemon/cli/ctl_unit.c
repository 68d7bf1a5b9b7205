/* ctl_unit.c — `mediawatchctl unit …`: responsible units. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "mail/recipient.h"
#include "registry/unit.h"

static const char unit_usage[] = N_(
"usage: mediawatchctl unit add CODE NAME [--email ADDR]… [--contact NAME]\n"
"                          [--phone TEL] [--parent CODE] [--channel NAME]…\n"
"       mediawatchctl unit change CODE [--name NAME] [--email ADDR]…\n"
"                          [--contact NAME] [--phone TEL] [--parent CODE]\n"
"                          [--channel NAME]… [--no-channel NAME]…\n"
"                          [--reason TEXT]\n"
"       mediawatchctl unit list [--all]\n"
"       mediawatchctl unit show CODE\n"
"       mediawatchctl unit remove CODE [--reason TEXT]\n"
"\n"
"--email may be repeated; on change it replaces the whole list (give\n"
"--email '' to clear it).  --channel adds a chat channel of the\n"
"configuration (a 企业微信, 钉钉 or 飞书 robot, a webhook: `channels` in\n"
"mediawatch.conf) that gets the unit's messages besides its email;\n"
"--no-channel takes one off.  remove refuses while the unit has open accounts.\n"
"show flags the addresses whose last email the mail server refused for good\n"
"(Bouncing), with its answer.\n");

static const struct column unit_columns[] = {
	{ "code", N_("CODE"), COL_TEXT },
	{ "name", N_("NAME"), COL_TEXT },
	{ "parent", N_("PARENT"), COL_TEXT },
	{ "contact", N_("CONTACT"), COL_TEXT },
	{ "emails", N_("EMAILS"), COL_TEXT },
	{ "channels", N_("CHANNELS"), COL_TEXT },
	{ "phone", N_("PHONE"), COL_TEXT },
	{ "open_accounts", N_("ACCOUNTS"), COL_TEXT },
};

static const struct column unit_detail[] = {
	{ "code", N_("Code"), COL_TEXT },
	{ "name", N_("Name"), COL_TEXT },
	{ "parent", N_("Parent"), COL_TEXT },
	{ "contact", N_("Contact"), COL_TEXT },
	{ "emails", N_("Emails"), COL_TEXT },
	{ "channels", N_("Channels"), COL_TEXT },
	{ "phone", N_("Phone"), COL_TEXT },
	{ "open_accounts", N_("Open accounts"), COL_TEXT },
	{ "bouncing", N_("Bouncing"), COL_TEXT },
	{ "created_at", N_("Created"), COL_TIME },
	{ "removed_at", N_("Removed"), COL_TIME },
};

struct unit_args {
	struct unit_fields  f;
	const char         *reason;
	const char         *code;
	const char         *emails[64];
	const char         *add[64], *drop[64];
	bool                all;
};

enum { OPT_EMAIL = 1, OPT_CONTACT, OPT_PHONE, OPT_PARENT, OPT_NAME,
    OPT_REASON, OPT_ALL, OPT_CHANNEL, OPT_NO_CHANNEL, OPT_HELP };

static const struct option unit_options[] = {
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "contact", required_argument, NULL, OPT_CONTACT },
	{ "phone", required_argument, NULL, OPT_PHONE },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "no-channel", required_argument, NULL, OPT_NO_CHANNEL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static int
add_channel(struct unit_args *a, bool add, const char *name)
{
	if (add) {
		if (a->f.n_add_channels == ARRAY_SIZE(a->add))
			return -1;
		a->add[a->f.n_add_channels++] = name;
	} else {
		if (a->f.n_drop_channels == ARRAY_SIZE(a->drop))
			return -1;
		a->drop[a->f.n_drop_channels++] = name;
	}
	return 0;
}

/* Returns -1 on a usage error (already reported), 1 for --help. */
static int
parse_unit_options(int argc, char **argv, struct unit_args *a)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", unit_options, NULL)) != -1) {
		switch (c) {
		case OPT_EMAIL:
			if (a->f.n_emails == ARRAY_SIZE(a->emails))
				return ctl_usage_error(unit_usage, _("too many --email")), -1;
			a->f.set_emails = true;
			if (*optarg)
				a->emails[a->f.n_emails++] = optarg;
			break;
		case OPT_CONTACT: a->f.contact = optarg; break;
		case OPT_PHONE: a->f.phone = optarg; break;
		case OPT_PARENT: a->f.parent = optarg; break;
		case OPT_NAME: a->f.name = optarg; break;
		case OPT_REASON: a->reason = optarg; break;
		case OPT_ALL: a->all = true; break;
		case OPT_CHANNEL:
		case OPT_NO_CHANNEL:
			if (add_channel(a, c == OPT_CHANNEL, optarg) == -1)
				return ctl_usage_error(unit_usage, _("too many "
				    "--channel or --no-channel")), -1;
			break;
		case OPT_HELP: fputs(_(unit_usage), stdout); return 1;
		default:
			ctl_usage_error(unit_usage, _("unit: unknown or incomplete "
			    "option '%s'"), argv[optind - 1]);
			return -1;
		}
	}
	a->f.emails = a->emails;
	a->f.add_channels = a->add;
	a->f.drop_channels = a->drop;
	return 0;
}

/* Every channel added must be one the configuration defines: a typo would
 * send the unit's messages nowhere. */
static int
check_channels(struct ctl *ctl, const struct unit_args *a)
{
	size_t i;

	for (i = 0; i < a->f.n_add_channels; i++)
		if (config_channel(&ctl->cfg, a->add[i]) == NULL) {
			log_warnx(N_("unit: --channel %s: no channel of that name in "
			    "the configuration (%s)"), a->add[i], ctl->cfg.path ?
			    ctl->cfg.path : _("built-in defaults: none"));
			return EXIT_REFUSED;
		}
	return EXIT_OK;
}

static int
do_unit_add(struct ctl *ctl, void *arg)
{
	struct unit_args *a = arg;
	char *error = NULL;

	if (unit_add(ctl->db, &a->f, &error) == -1)
		return ctl_refused("unit add", error);
	ctl_done(ctl, _("unit %s added\n"), a->f.code);
	return EXIT_OK;
}

static int
do_unit_change(struct ctl *ctl, void *arg)
{
	struct unit_args *a = arg;
	long long id = unit_id(ctl->db, a->code);
	json_t *before = id ? unit_json(ctl->db, id) : NULL, *after;
	char *error = NULL, *what;

	if (unit_change(ctl->db, a->code, &a->f, a->reason, &error) == -1) {
		json_decref(before);
		return ctl_refused("unit change", error);
	}
	after = unit_json(ctl->db, id);
	what = ctl_describe_changes(before, after);
	if (*what)
		ctl_done(ctl, _("unit %s changed: %s\n"), a->code, what);
	else
		ctl_done(ctl, _("unit %s unchanged\n"), a->code);
	free(what);
	json_decref(before);
	json_decref(after);
	return EXIT_OK;
}

static int
do_unit_remove(struct ctl *ctl, void *arg)
{
	struct unit_args *a = arg;
	char *error = NULL;

	if (unit_remove(ctl->db, a->code, a->reason, &error) == -1)
		return ctl_refused("unit remove", error);
	ctl_done(ctl, _("unit %s removed\n"), a->code);
	return EXIT_OK;
}

/* The unit's addresses whose last email bounced (the server refused them
 * for good): objects for JSON, "address (answer, time)" for a table. */
static json_t *
bouncing_json(struct ctl *ctl, long long id)
{
	json_t *a = json_array();
	struct bounce *b;
	char when[32];
	size_t i, n;

	b = recipient_bounces(ctl->db, id, &n);
	for (i = 0; i < n; i++) {
		time_format_local(b[i].at, when, sizeof(when));
		json_array_append_new(a, ctl->format == OUTPUT_JSON ?
		    json_pack("{s:s, s:s, s:I}", "address", b[i].address,
		    "reply", b[i].reply ? b[i].reply : "", "refused_at",
		    (json_int_t)b[i].at) :
		    json_sprintf(i18n_if(ctl->format == OUTPUT_TABLE,
		    "%s (%s, %s)"), b[i].address,
		    b[i].reply ? b[i].reply : "", when));
	}
	bounces_free(b, n);
	return a;
}

static int
unit_show(struct ctl *ctl, const char *code)
{
	long long id = unit_id(ctl->db, code);
	json_t *u;

	if (id == 0) {
		log_warnx(N_("unit show: no unit '%s'"), code);
		return EXIT_REFUSED;
	}
	u = unit_json(ctl->db, id);
	json_object_set_new(u, "bouncing", bouncing_json(ctl, id));
	output_record(stdout, ctl->format, unit_detail, ARRAY_SIZE(unit_detail), u);
	json_decref(u);
	return EXIT_OK;
}

static int
unit_list(struct ctl *ctl, bool all)
{
	json_t *rows = unit_list_json(ctl->db, all);

	output_rows(stdout, ctl->format, unit_columns, ARRAY_SIZE(unit_columns), rows);
	json_decref(rows);
	return EXIT_OK;
}

static int
expect_args(int have, int want, const char *sub)
{
	if (have == want)
		return 0;
	return ctl_usage_error(unit_usage, ngettext("unit %s: expected %d "
	    "argument, got %d", "unit %s: expected %d arguments, got %d",
	    (unsigned long)want), sub, want, have);
}

int
cmd_unit(struct ctl *ctl, int argc, char **argv)
{
	struct unit_args a = { 0 };
	const char *sub;
	char **pos;
	int npos, rc;

	if (argc < 2)
		return ctl_usage_error(unit_usage, _("unit: which subcommand?"));
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0)
		return fputs(_(unit_usage), stdout), EXIT_OK;
	optind = 0;
	if ((rc = parse_unit_options(argc - 1, argv + 1, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	pos = argv + 1 + optind;
	npos = argc - 1 - optind;
	if (strstr(" add change list show remove ", sub) == NULL || strchr(sub, ' '))
		return ctl_usage_error(unit_usage, _("unit: unknown subcommand '%s'"), sub);
	if (ctl_check_note("--reason", a.reason) != EXIT_OK ||
	    check_channels(ctl, &a) != EXIT_OK)
		return EXIT_REFUSED;
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if (strcmp(sub, "add") == 0) {
		if (expect_args(npos, 2, sub))
			return EXIT_USAGE;
		a.f.code = pos[0];
		a.f.name = pos[1];
		return ctl_in_transaction(ctl, do_unit_add, &a);
	}
	if (strcmp(sub, "list") == 0)
		return expect_args(npos, 0, sub) ? EXIT_USAGE : unit_list(ctl, a.all);
	if (expect_args(npos, 1, sub))
		return EXIT_USAGE;
	a.code = pos[0];
	if (strcmp(sub, "show") == 0)
		return unit_show(ctl, a.code);
	if (strcmp(sub, "change") == 0)
		return ctl_in_transaction(ctl, do_unit_change, &a);
	if (strcmp(sub, "remove") == 0)
		return ctl_in_transaction(ctl, do_unit_remove, &a);
	return ctl_usage_error(unit_usage, _("unit: unknown subcommand '%s'"), sub);
}
