/* ctl_user.c — `mediawatchctl user …`: the console's logins. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "access/invite.h"
#include "access/user.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"

static const char user_usage[] = N_(
"usage: mediawatchctl user add NAME [--display-name TEXT]\n"
"              [--role admin|viewer|unit] [--unit CODE [--subordinates]]\n"
"              [--email ADDR] [--no-password]\n"
"       mediawatchctl user invite --unit CODE --email ADDR [--name NAME]\n"
"              [--display-name TEXT] [--subordinates]\n"
"       mediawatchctl user reset NAME\n"
"       mediawatchctl user passwd NAME\n"
"       mediawatchctl user email NAME ADDR\n"
"       mediawatchctl user disable NAME [--reason TEXT]\n"
"       mediawatchctl user enable NAME\n"
"       mediawatchctl user list\n"
"\n"
"Logins of the web console (mediawatch-web).  NAME is a-z, 0-9 and . _ - @.\n"
"The password is read from the terminal (asked twice, not shown) or, when\n"
"standard input is not a terminal, as its first line; never from the\n"
"command line, where other users could see it.  At least 8 characters.\n"
"--no-password adds a user who logs in only through web.remote_user_header\n"
"or after a link (reset).  A viewer reads everything and changes nothing; an\n"
"admin may change the registry; a unit login (--unit CODE, role unit) sees\n"
"only its unit's data, and with --subordinates the units under it too, and\n"
"answers its work orders.  invite adds a unit login named by its address\n"
"(or --name) and emails it a link that sets its password, valid 72 hours\n"
"and once (console_url must be set); inviting again sends a new link while\n"
"the login has no password.  reset emails a user such a link to set a new\n"
"password.  disable ends the user's sessions at once.\n");

static const struct column user_columns[] = {
	{ "name", N_("NAME"), COL_TEXT },
	{ "display_name", N_("DISPLAY NAME"), COL_TEXT },
	{ "role", N_("ROLE"), COL_ROLE },
	{ "unit", N_("UNIT"), COL_TEXT },
	{ "email", N_("EMAIL"), COL_TEXT },
	{ "disabled", N_("DISABLED"), COL_TEXT },
	{ "has_password", N_("PASSWORD"), COL_TEXT },
	{ "last_login_at", N_("LAST LOGIN"), COL_TIME },
};

struct user_args {
	struct user_new  u;
	const char      *reason;
	char            *password;
	bool             no_password;
	bool             disable;
	bool             role_given;
};

enum { U_DISPLAY = 1, U_ROLE, U_NO_PASSWORD, U_REASON, U_UNIT, U_EMAIL,
	U_NAME, U_SUBORDINATES, U_HELP };

static const struct option user_options[] = {
	{ "display-name", required_argument, NULL, U_DISPLAY },
	{ "role", required_argument, NULL, U_ROLE },
	{ "unit", required_argument, NULL, U_UNIT },
	{ "email", required_argument, NULL, U_EMAIL },
	{ "name", required_argument, NULL, U_NAME },
	{ "subordinates", no_argument, NULL, U_SUBORDINATES },
	{ "no-password", no_argument, NULL, U_NO_PASSWORD },
	{ "reason", required_argument, NULL, U_REASON },
	{ "help", no_argument, NULL, U_HELP },
	{ NULL, 0, NULL, 0 }
};

static int
parse_user_options(int argc, char **argv, struct user_args *a)
{
	int c, role;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", user_options, NULL)) != -1) {
		switch (c) {
		case U_DISPLAY: a->u.display_name = optarg; break;
		case U_ROLE:
			if ((role = user_role_parse(optarg)) == -1)
				return ctl_usage_error(user_usage, _("user: --role "
				    "must be admin, viewer or unit")), -1;
			a->u.role = (enum user_role)role;
			a->role_given = true;
			break;
		case U_UNIT: a->u.unit_code = optarg; break;
		case U_EMAIL: a->u.email = optarg; break;
		case U_NAME: a->u.name = optarg; break;
		case U_SUBORDINATES: a->u.subordinates = true; break;
		case U_NO_PASSWORD: a->no_password = true; break;
		case U_REASON: a->reason = optarg; break;
		case U_HELP: fputs(_(user_usage), stdout); return 1;
		default:
			ctl_usage_error(user_usage, _("user: unknown or incomplete "
			    "option '%s'"), argv[optind - 1]);
			return -1;
		}
	}
	/* a login bound to a unit is a unit login unless told otherwise */
	if (a->u.unit_code && !a->role_given)
		a->u.role = ROLE_UNIT;
	return 0;
}

/* One line from f without its line end; NULL at end of file. */
static char *
read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);

	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static char *
ask_hidden(FILE *tty, const char *prompt)
{
	struct termios old, quiet;
	char *line;

	fputs(prompt, tty);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) == -1)
		return read_line(tty);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	line = read_line(tty);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	return line;
}

/* The new password: asked twice on the terminal, else stdin's first line. */
static char *
read_password(void)
{
	FILE *tty;
	char *a, *b;

	if (!isatty(STDIN_FILENO))
		return read_line(stdin);
	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return read_line(stdin);
	a = ask_hidden(tty, _("New password: "));
	b = a ? ask_hidden(tty, _("Again: ")) : NULL;
	fclose(tty);
	if (a && b && strcmp(a, b) == 0) {
		free(b);
		return a;
	}
	if (a && b)
		log_warnx(N_("user: the two passwords differ"));
	free(a);
	free(b);
	return NULL;
}

static int
do_add(struct ctl *ctl, void *arg)
{
	struct user_args *a = arg;
	char *error = NULL;
	long long id;

	if (user_add(ctl->db, &a->u, a->password, mw_now(), &id, &error) == -1)
		return ctl_refused("user add", error);
	ctl_done(ctl, "%lld\n", id);
	return EXIT_OK;
}

static int
do_invite(struct ctl *ctl, void *arg)
{
	struct user_args *a = arg;
	char *error = NULL, when[32];
	time_t expires;
	long long id;

	if (invite_unit_user(ctl->db, &ctl->cfg, &a->u, mw_now(), &id, &expires,
	    &error) == -1)
		return ctl_refused("user invite", error);
	time_format_local(expires, when, sizeof(when));
	ctl_done(ctl, _("user %lld invited: a link to set the password was "
	    "queued to %s, valid until %s\n"), id, a->u.email, when);
	return EXIT_OK;
}

static int
do_reset(struct ctl *ctl, void *arg)
{
	struct user_args *a = arg;
	char *error = NULL, when[32];
	struct user u;
	time_t expires;
	int rc;

	if (user_by_name(ctl->db, a->u.name, &u) != 0)
		return ctl_refused("user reset", xasprintf("name: %s",
		    _("no such user")));
	rc = invite_send(ctl->db, &ctl->cfg, u.id, mw_now(), &expires, &error);
	if (rc == 0) {
		time_format_local(expires, when, sizeof(when));
		ctl_done(ctl, _("user %s: a link to set the password was queued "
		    "to %s, valid until %s\n"), u.name, u.email, when);
	}
	user_free(&u);
	return rc == -1 ? ctl_refused("user reset", error) : EXIT_OK;
}

static int
do_email(struct ctl *ctl, void *arg)
{
	struct user_args *a = arg;
	char *error = NULL;

	if (user_set_email(ctl->db, a->u.name, a->u.email, &error) == -1)
		return ctl_refused("user email", error);
	ctl_done(ctl, _("email of user %s changed to %s\n"), a->u.name,
	    a->u.email);
	return EXIT_OK;
}

static int
do_passwd(struct ctl *ctl, void *arg)
{
	struct user_args *a = arg;
	char *error = NULL;

	if (user_set_password(ctl->db, a->u.name, a->password, mw_now(),
	    &error) == -1)
		return ctl_refused("user passwd", error);
	ctl_done(ctl, _("password of user %s changed\n"), a->u.name);
	return EXIT_OK;
}

static int
do_disable(struct ctl *ctl, void *arg)
{
	struct user_args *a = arg;
	char *error = NULL;

	if (user_set_disabled(ctl->db, a->u.name, a->disable, a->reason,
	    mw_now(), &error) == -1)
		return ctl_refused(a->disable ? "user disable" : "user enable", error);
	ctl_done(ctl, a->disable ? _("user %s disabled\n") :
	    _("user %s enabled\n"), a->u.name);
	return EXIT_OK;
}

static int
user_list(struct ctl *ctl)
{
	json_t *rows = user_list_json(ctl->db, mw_now());

	output_rows(stdout, ctl->format, user_columns, ARRAY_SIZE(user_columns),
	    rows);
	json_decref(rows);
	return EXIT_OK;
}

/* add and passwd: the password first, then one transaction. */
static int
with_password(struct ctl *ctl, struct user_args *a,
    int (*fn)(struct ctl *, void *))
{
	int rc;

	if (!a->no_password && (a->password = read_password()) == NULL) {
		log_warnx(N_("user: no password given"));
		return EXIT_REFUSED;
	}
	rc = ctl_in_transaction(ctl, fn, a);
	if (a->password)
		explicit_bzero(a->password, strlen(a->password));
	free(a->password);
	return rc;
}

/* The subcommands and the arguments they take besides options. */
static int
positional(const char *sub)
{
	static const struct { const char *name; int n; } subs[] = {
		{ "list", 0 }, { "invite", 0 }, { "add", 1 }, { "passwd", 1 },
		{ "reset", 1 }, { "disable", 1 }, { "enable", 1 }, { "email", 2 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(subs); i++)
		if (strcmp(subs[i].name, sub) == 0)
			return subs[i].n;
	return -1;
}

static int
run_user(struct ctl *ctl, const char *sub, struct user_args *a)
{
	if (strcmp(sub, "list") == 0)
		return user_list(ctl);
	if (strcmp(sub, "invite") == 0)
		return ctl_in_transaction(ctl, do_invite, a);
	if (strcmp(sub, "reset") == 0)
		return ctl_in_transaction(ctl, do_reset, a);
	if (strcmp(sub, "email") == 0)
		return ctl_in_transaction(ctl, do_email, a);
	if (strcmp(sub, "add") == 0)
		return with_password(ctl, a, do_add);
	if (strcmp(sub, "passwd") == 0)
		return with_password(ctl, a, do_passwd);
	a->disable = strcmp(sub, "disable") == 0;
	return ctl_in_transaction(ctl, do_disable, a);
}

int
cmd_user(struct ctl *ctl, int argc, char **argv)
{
	struct user_args a = { .u.role = ROLE_VIEWER };
	const char *sub;
	int npos, rc, want;

	if (argc < 2)
		return ctl_usage_error(user_usage, _("user: which subcommand?"));
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0)
		return fputs(_(user_usage), stdout), EXIT_OK;
	if ((want = positional(sub)) == -1)
		return ctl_usage_error(user_usage, _("user: unknown subcommand '%s'"),
		    sub);
	optind = 0;
	if ((rc = parse_user_options(argc - 1, argv + 1, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	npos = argc - 1 - optind;
	if (ctl_check_note("--reason", a.reason) != EXIT_OK)
		return EXIT_REFUSED;
	if (npos != want)
		return ctl_usage_error(user_usage, want == 0 ?
		    _("user %s: expected no argument") : want == 1 ?
		    _("user %s: expected one NAME") :
		    _("user %s: expected NAME and ADDR"), sub);
	if (strcmp(sub, "invite") == 0 && (a.u.unit_code == NULL ||
	    a.u.email == NULL))
		return ctl_usage_error(user_usage, _("user invite: give --unit CODE "
		    "and --email ADDR"));
	if (want >= 1)
		a.u.name = argv[1 + optind];
	if (want == 2)
		a.u.email = argv[2 + optind];
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	return run_user(ctl, sub, &a);
}
