/* ctl_config.c — `mediawatchctl check-config [--defaults]`. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "monitor/wording.h"
#include "paperwork/messages.h"
#include "wording/wordcheck.h"

static const char check_config_usage[] =
"usage: mediawatchctl [-c CONF] check-config\n"
"       mediawatchctl [--json] check-config --defaults\n"
"\n"
"Reads the configuration, the word lists and the holiday calendars\n"
"(built in, and calendar.dir), renders every message template in force\n"
"(mail.templates, else the built-in ones) with sample data, reports every\n"
"error as FILE:LINE: message and exits 1, or summarises the configuration\n"
"(the calendar years in force and where each comes from) and exits 0.  A\n"
"warning says when the current year, or from 1 December the next, has no\n"
"holiday calendar.  With the smtp transport it also checks that\n"
"mail.ca_file and mail.password_file can be read, and so the url_file and\n"
"secret_file of every channel (a bare credential name only when\n"
"$CREDENTIALS_DIRECTORY is set); a channel is shown by its host only, its\n"
"address and secret never.\n"
"\n"
"  --defaults  print every key with its built-in default and a line of doc,\n"
"              in the file's own syntax (compare with `diff`); a key with\n"
"              no default is shown commented out.  With --json, the table\n"
"              of keys as JSON: type, default, range, reload, doc.\n";

/* ---- the table in the file's syntax ---- */

static void
put_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void
put_value(const struct config_key *k)
{
	if (k->type == CONFIG_LIST)
		fputs("[ ]", stdout);
	else if (k->type == CONFIG_INT)
		fputs(k->def, stdout);
	else
		put_string(k->def);
}

static void
put_key(const struct config_key *k, const char *indent)
{
	printf("%s# %s%s\n", indent, k->doc,
	    k->restart ? " (applies at restart, not on reload)" : "");
	if (k->def == NULL && k->type != CONFIG_LIST) {
		printf("%s# %s is not set by default\n", indent, k->name);
		return;
	}
	printf("%s%s = ", indent, k->name);
	put_value(k);
	fputs(";\n", stdout);
}

/* [ "a", "b" ] */
static void
put_strings(const char *const *list)
{
	printf("[");
	for (; *list; list++) {
		printf(" ");
		put_string(*list);
		if (list[1])
			printf(",");
	}
	printf(" ]");
}

static const char *
default_of(const char *group, const char *name)
{
	const struct config_key *k;

	for (k = config_keys; k->name; k++)
		if (k->group && strcmp(k->group, group) == 0 &&
		    strcmp(k->name, name) == 0)
			return k->def;
	return NULL;
}

/* The built-in list, each platform with the thresholds it starts from. */
static void
put_platforms(const struct config_key *k)
{
	const struct config_key *pk;
	size_t i;

	printf("# %s\n", k->doc);
	for (pk = config_platform_keys; pk->name; pk++)
		printf("#   %-14s %s\n", pk->name, pk->doc);
	printf("platforms = (\n");
	for (i = 0; config_default_platforms[i].key; i++) {
		printf("\t{\n\t\tkey = ");
		put_string(config_default_platforms[i].key);
		printf(";\n\t\tlabel = ");
		put_string(config_default_platforms[i].label);
		printf(";\n\t\taliases = ");
		put_strings(config_default_platforms[i].aliases);
		printf(";\n\t\twarn = \"%s\";\n\t\tstale = \"%s\";\n"
		    "\t\tdormant = \"%s\";\n\t}%s\n",
		    default_of("thresholds", "warn"), default_of("thresholds", "stale"),
		    default_of("thresholds", "dormant"),
		    config_default_platforms[i + 1].key ? "," : "");
	}
	printf(");\n");
}

/* No channel is built in: their keys, each with its line of doc. */
static void
put_channels(const struct config_key *k)
{
	const struct config_key *ck;

	printf("# %s\n", k->doc);
	for (ck = config_channel_keys; ck->name; ck++)
		printf("#   %-14s %s%s%s\n", ck->name, ck->doc, ck->def ?
		    " Default: " : "", ck->def ? ck->def : "");
	printf("# channels is not set by default\n");
}

static void
print_defaults_text(void)
{
	const struct config_key *k;
	const char *group = NULL;

	printf("# mediawatch.conf: the built-in defaults, every key with a line "
	    "of doc.\n# mediawatch.conf(5) describes each key.\n");
	for (k = config_keys; k->name; k++) {
		bool same = k != config_keys && (group == k->group ||
		    (group && k->group && strcmp(group, k->group) == 0));

		if (!same && group)
			printf("};\n");
		if (!same)
			putchar('\n');
		if (!same && k->group)
			printf("%s = {\n", k->group);
		group = k->group;
		if (k->type == CONFIG_PLATFORMS)
			put_platforms(k);
		else if (k->type == CONFIG_CHANNELS)
			put_channels(k);
		else
			put_key(k, k->group ? "\t" : "");
	}
	if (group)
		printf("};\n");
}

/* ---- the table as JSON ---- */

static json_t *
key_json(const struct config_key *k)
{
	json_t *o = json_object(), *choices;
	char *name = k->group ? xasprintf("%s.%s", k->group, k->name) :
	    xstrdup(k->name);
	size_t i;

	json_object_set_new(o, "key", json_string(name));
	json_object_set_new(o, "type", json_string(config_type_name(k->type)));
	json_object_set_new(o, "default", k->type == CONFIG_LIST ?
	    json_string("[ ]") : k->def ? json_string(k->def) : json_null());
	if (k->type == CONFIG_INT || k->type == CONFIG_DURATION ||
	    k->type == CONFIG_SIZE) {
		json_object_set_new(o, "min", json_integer(k->min));
		if (k->max < LONG_MAX)
			json_object_set_new(o, "max", json_integer(k->max));
	}
	if (k->type == CONFIG_ENUM) {
		choices = json_array();
		for (i = 0; k->choices[i]; i++)
			json_array_append_new(choices, json_string(k->choices[i]));
		json_object_set_new(o, "choices", choices);
	}
	json_object_set_new(o, "reload", json_boolean(!k->restart));
	json_object_set_new(o, "doc", json_string(k->doc));
	free(name);
	return o;
}

static json_t *
strings_json(const char *const *list)
{
	json_t *a = json_array();

	for (; *list; list++)
		json_array_append_new(a, json_string(*list));
	return a;
}

static json_t *
platforms_json(void)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; config_default_platforms[i].key; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s?, s:s?, s:s?}",
		    "key", config_default_platforms[i].key,
		    "label", config_default_platforms[i].label,
		    "aliases", strings_json(config_default_platforms[i].aliases),
		    "warn", default_of("thresholds", "warn"),
		    "stale", default_of("thresholds", "stale"),
		    "dormant", default_of("thresholds", "dormant")));
	return a;
}

static void
print_defaults_json(void)
{
	const struct config_key *k;
	json_t *keys = json_array(), *doc;

	for (k = config_keys; k->name; k++)
		json_array_append_new(keys, key_json(k));
	for (k = config_platform_keys; k->name; k++)
		json_array_append_new(keys, key_json(k));
	for (k = config_channel_keys; k->name; k++)
		json_array_append_new(keys, key_json(k));
	doc = json_pack("{s:o, s:o}", "keys", keys, "platforms", platforms_json());
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
}

/* ---- the summary of the configuration in force ---- */

static void
print_platforms(const struct config *cfg)
{
	char w[16], s[16], d[16];
	size_t i;

	printf("platforms:\n");
	for (i = 0; i < cfg->n_platforms; i++) {
		const struct platform *p = &cfg->platforms[i];

		duration_format(p->warn_after, w, sizeof(w));
		duration_format(p->stale_after, s, sizeof(s));
		duration_format(p->dormant_after, d, sizeof(d));
		printf("  %-12s %s  warn %s, stale %s, dormant %s%s%s\n", p->key,
		    p->label, w, s, d, p->feed_template ? ", feed " : "",
		    p->feed_template ? p->feed_template : "");
	}
}

/* "https://qyapi.weixin.qq.com": the scheme and host of an address, which
 * may hold a token in its path or query. */
static char *
url_host(const char *url)
{
	const char *start = strstr(url, "://"), *at;
	size_t n;

	if (start == NULL)
		return xstrdup("?");
	start += 3;
	n = strcspn(start, "/?#");
	if ((at = memchr(start, '@', n)) != NULL) {      /* no user:password */
		n -= (size_t)(at + 1 - start);
		start = at + 1;
	}
	return xasprintf("%.*s%.*s", (int)(start - url), url, (int)n, start);
}

static void
print_channels(const struct config *cfg)
{
	const struct channel *c;
	char *host;
	size_t i, j;

	for (i = 0; i < cfg->n_channels; i++) {
		c = &cfg->channels[i];
		host = c->url ? url_host(c->url) : NULL;
		printf("channel %s: %s, %s%s%s", c->name,
		    config_channel_types[c->type], host ? host : "address from ",
		    host ? "" : c->url_file, c->secret_file ? ", signed" : "");
		if (c->keyword)
			printf(", keyword %s", c->keyword);
		printf(", kinds:");
		for (j = 0; config_channel_kinds[j]; j++)
			if (c->kind_mask & (1u << j) && c->kind_mask != KIND_ALL)
				printf(" %s", config_channel_kinds[j]);
		if (c->kind_mask == KIND_ALL)
			printf(" all");
		for (j = 0; j < cfg->n_admin_channels; j++)
			if (strcmp(cfg->admin_channels[j], c->name) == 0)
				printf("; the admins' channel");
		putchar('\n');
		free(host);
	}
}

static void
print_calendar(const struct config *cfg)
{
	const struct workday_calendar *cal = &cfg->calendar.days;
	size_t i;

	printf("holiday calendar:");
	for (i = 0; i < cal->n_years; i++)
		printf("%s %d (%s)", i ? "," : "", cal->years[i].year,
		    cal->years[i].source);
	printf("%s\n", cal->n_years ? "" : " none, Monday to Friday only");
}

/* How the mail leaves: what the URL protects, the login, the trust. */
static void
print_smtp(const struct mail_config *m)
{
	const char *tls = str_case_prefix(m->url, "smtps://") ?
	    "TLS from the start" : str_case_prefix(m->url, "smtp+starttls://") ?
	    "STARTTLS required" : "STARTTLS if offered, else plain text";

	printf("mail server: %s (%s)\n", m->url, tls);
	if (!str_empty(m->username))
		printf("mail login: %s, over TLS only\n", m->username);
	if (str_empty(m->ca_file))
		printf("mail server certificate: checked against the system's "
		    "CA store\n");
	else
		printf("mail server certificate: checked against %s only\n",
		    m->ca_file);
}

static int
print_summary(struct ctl *ctl)
{
	const struct config *cfg = &ctl->cfg;
	struct wordcheck *wc;
	char *error = NULL;

	if ((wc = wording_load(cfg, &error)) == NULL && error != NULL) {
		log_warnx("%s", error);
		free(error);
		return EXIT_REFUSED;
	}
	wordcheck_free(wc);
	if (config_check_mail_files(cfg) == -1 ||
	    messages_check(cfg, mw_now()) > 0)
		return EXIT_REFUSED;
	printf("configuration: %s\n", cfg->path ? cfg->path : "(built-in defaults)");
	printf("database: %s\n", ctl->db_arg ? ctl->db_arg : cfg->database);
	printf("time zone: %s\n", cfg->timezone);
	print_platforms(cfg);
	printf("mail transport: %s\n",
	    config_transport_names[cfg->mail.transport]);
	print_calendar(cfg);
	config_calendar_check(cfg, mw_now());
	if (cfg->mail.transport == MAIL_SMTP)
		print_smtp(&cfg->mail);
	print_channels(cfg);
	if (cfg->console_url)
		printf("console: %s\n", cfg->console_url);
	printf("configuration OK\n");
	return EXIT_OK;
}

int
cmd_check_config(struct ctl *ctl, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		fputs(check_config_usage, stdout);
		return EXIT_OK;
	}
	if (argc == 2 && strcmp(argv[1], "--defaults") == 0) {
		if (ctl->format == OUTPUT_JSON)
			print_defaults_json();
		else
			print_defaults_text();
		return EXIT_OK;
	}
	if (argc > 1)
		return ctl_usage_error(check_config_usage,
		    "check-config takes no arguments besides --defaults");
	return print_summary(ctl);
}
