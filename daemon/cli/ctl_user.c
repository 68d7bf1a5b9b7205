/* ctl_user.c — `mediawatchctl user …`: the console's logins. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "access/user.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"

static const char user_usage[] =
"usage: mediawatchctl user add NAME [--display-name TEXT] [--role admin|viewer]\n"
"              [--no-password]\n"
"       mediawatchctl user passwd NAME\n"
"       mediawatchctl user disable NAME [--reason TEXT]\n"
"       mediawatchctl user enable NAME\n"
"       mediawatchctl user list\n"
"\n"
"Logins of the web console (mediawatch-web).  NAME is a-z, 0-9 and . _ - @.\n"
"The password is read from the terminal (asked twice, not shown) or, when\n"
"standard input is not a terminal, as its first line; never from the\n"
"command line, where other users could see it.  At least 8 characters.\n"
"--no-password adds a user who logs in only through web.remote_user_header.\n"
"A viewer reads everything and changes nothing; an admin may change the\n"
"registry.  disable ends the user's sessions at once.\n";

static const struct column user_columns[] = {
	{ "name", "NAME", COL_TEXT },
	{ "display_name", "DISPLAY NAME", COL_TEXT },
	{ "role", "ROLE", COL_TEXT },
	{ "disabled", "DISABLED", COL_TEXT },
	{ "has_password", "PASSWORD", COL_TEXT },
	{ "last_login_at", "LAST LOGIN", COL_TIME },
};

struct user_args {
	struct user_new  u;
	const char      *reason;
	char            *password;
	bool             no_password;
	bool             disable;
};

enum { U_DISPLAY = 1, U_ROLE, U_NO_PASSWORD, U_REASON, U_HELP };

static const struct option user_options[] = {
	{ "display-name", required_argument, NULL, U_DISPLAY },
	{ "role", required_argument, NULL, U_ROLE },
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
			/* unit logins come with the units' side of the console */
			if ((role = user_role_parse(optarg)) == -1 ||
			    role == ROLE_UNIT)
				return ctl_usage_error(user_usage, "user: --role "
				    "must be admin or viewer"), -1;
			a->u.role = (enum user_role)role;
			break;
		case U_NO_PASSWORD: a->no_password = true; break;
		case U_REASON: a->reason = optarg; break;
		case U_HELP: fputs(user_usage, stdout); return 1;
		default:
			ctl_usage_error(user_usage, "user: unknown or incomplete "
			    "option '%s'", argv[optind - 1]);
			return -1;
		}
	}
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
	a = ask_hidden(tty, "新密码: ");
	b = a ? ask_hidden(tty, "再次输入: ") : NULL;
	fclose(tty);
	if (a && b && strcmp(a, b) == 0) {
		free(b);
		return a;
	}
	if (a && b)
		log_warnx("user: the two passwords differ");
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
	printf("%lld\n", id);
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
	return EXIT_OK;
}

static int
user_list(struct ctl *ctl)
{
	json_t *rows = user_list_json(ctl->db);

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
		log_warnx("user: no password given");
		return EXIT_REFUSED;
	}
	rc = ctl_in_transaction(ctl, fn, a);
	if (a->password)
		explicit_bzero(a->password, strlen(a->password));
	free(a->password);
	return rc;
}

int
cmd_user(struct ctl *ctl, int argc, char **argv)
{
	struct user_args a = { .u.role = ROLE_VIEWER };
	const char *sub;
	int npos, rc;

	if (argc < 2)
		return ctl_usage_error(user_usage, "user: which subcommand?");
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0)
		return fputs(user_usage, stdout), EXIT_OK;
	optind = 0;
	if ((rc = parse_user_options(argc - 1, argv + 1, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	npos = argc - 1 - optind;
	if (ctl_check_note("--reason", a.reason) != EXIT_OK)
		return EXIT_REFUSED;
	if (strcmp(sub, "list") == 0 && npos == 0)
		return ctl_db(ctl) ? user_list(ctl) : EXIT_REFUSED;
	if (strcmp(sub, "list") == 0 || npos != 1)
		return ctl_usage_error(user_usage, "user %s: expected %s", sub,
		    strcmp(sub, "list") == 0 ? "no argument" : "one NAME");
	a.u.name = argv[1 + optind];
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if (strcmp(sub, "add") == 0)
		return with_password(ctl, &a, do_add);
	if (strcmp(sub, "passwd") == 0)
		return with_password(ctl, &a, do_passwd);
	if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
		a.disable = strcmp(sub, "disable") == 0;
		return ctl_in_transaction(ctl, do_disable, &a);
	}
	return ctl_usage_error(user_usage, "user: unknown subcommand '%s'", sub);
}
