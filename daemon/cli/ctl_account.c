/* ctl_account.c — `mediawatchctl account …`: the account ledger. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "poll/post.h"
#include "registry/account.h"
#include "registry/ledger.h"
#include "registry/unit.h"
#include "store/audit.h"

static const char account_usage[] =
"usage: mediawatchctl account open --unit CODE --platform KEY --name NAME\n"
"              [--uid UID] [--feed URL] [--operator NAME] [--filing NO]\n"
"              [--opened YYYY-MM-DD] [--notes TEXT]\n"
"              [--warn DUR] [--stale DUR] [--dormant DUR]   (prints the new id)\n"
"       mediawatchctl account change ID [--name …] [--feed URL] [--unit CODE]\n"
"              [any option of open] --reason TEXT\n"
"       mediawatchctl account suspend|resume|close ID --reason TEXT\n"
"       mediawatchctl account merge ID --into ID --reason TEXT\n"
"       mediawatchctl account list [--unit CODE] [--platform KEY] [--status S]\n"
"       mediawatchctl account show ID\n"
"       mediawatchctl account history ID\n"
"       mediawatchctl account import FILE [--encoding gbk] [--dry-run]\n"
"       mediawatchctl account export [--unit CODE] [--platform KEY] [--status S]\n"
"       mediawatchctl account touch ID --at TIME [--evidence URL]\n"
"\n"
"On change, an empty value (--feed '') clears an optional field and a\n"
"threshold override.  Durations: 90s, 15m, 6h, 14d.  TIME for touch:\n"
"YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] in the configured zone.  Import reads CSV\n"
"with a header row: unit_code,platform,name,platform_uid,feed_url,operator,\n"
"filing_no,opened_on (or the Chinese headings 单位代码,平台,账号名称,账号ID,\n"
"订阅地址,运维人员,备案号,开设日期); it stores every row or none.\n";

static const struct column account_columns[] = {
	{ "id", "ID", COL_TEXT },
	{ "unit", "UNIT", COL_TEXT },
	{ "platform", "PLATFORM", COL_TEXT },
	{ "name", "NAME", COL_TEXT },
	{ "status", "STATUS", COL_TEXT },
	{ "state", "STATE", COL_STATE },
	{ "last_update_at", "LAST UPDATE", COL_TIME },
	{ "last_fetch", "LAST FETCH", COL_TEXT },
	{ "next_poll_at", "NEXT POLL", COL_TIME },
};

static const struct column account_detail[] = {
	{ "id", "Id", COL_TEXT },
	{ "name", "Name", COL_TEXT },
	{ "unit", "Unit", COL_TEXT },
	{ "unit_name", "Unit name", COL_TEXT },
	{ "platform", "Platform", COL_TEXT },
	{ "platform_uid", "Platform uid", COL_TEXT },
	{ "feed_url", "Feed", COL_TEXT },
	{ "status", "Status", COL_TEXT },
	{ "merged_into", "Merged into", COL_TEXT },
	{ "opened_on", "Opened", COL_TEXT },
	{ "closed_on", "Closed", COL_TEXT },
	{ "operator", "Operator", COL_TEXT },
	{ "filing_no", "Filing no.", COL_TEXT },
	{ "warn_after", "Warn after (s)", COL_TEXT },
	{ "stale_after", "Stale after (s)", COL_TEXT },
	{ "dormant_after", "Dormant after (s)", COL_TEXT },
	{ "notes", "Notes", COL_TEXT },
	{ "state", "State", COL_STATE },
	{ "last_update_at", "Last update", COL_TIME },
	{ "last_update_why", "Last update decided by", COL_STATE },
	{ "last_fetch_at", "Last fetch", COL_TIME },
	{ "last_fetch", "Last fetch result", COL_TEXT },
	{ "permanent_redirect", "Moved permanently to", COL_TEXT },
	{ "next_poll_at", "Next poll", COL_TIME },
};

static const struct column history_columns[] = {
	{ "at", "TIME", COL_TIME },
	{ "actor", "ACTOR", COL_TEXT },
	{ "action", "ACTION", COL_TEXT },
	{ "reason", "REASON", COL_TEXT },
	{ "changes", "CHANGES", COL_TEXT },
};

struct account_args {
	struct account_fields   f;
	struct account_filter   filter;
	struct import_options   import;
	const char             *reason;
	const char             *into;
	const char             *at;
	const char             *evidence;
	const char             *encoding;
	long long               id;
};

enum { O_UNIT = 1, O_PLATFORM, O_NAME, O_UID, O_FEED, O_OPERATOR, O_FILING,
    O_OPENED, O_NOTES, O_WARN, O_STALE, O_DORMANT, O_REASON, O_INTO,
    O_STATUS, O_ENCODING, O_DRY_RUN, O_AT, O_EVIDENCE, O_HELP };

static const struct option account_options[] = {
	{ "unit", required_argument, NULL, O_UNIT },
	{ "platform", required_argument, NULL, O_PLATFORM },
	{ "name", required_argument, NULL, O_NAME },
	{ "uid", required_argument, NULL, O_UID },
	{ "feed", required_argument, NULL, O_FEED },
	{ "operator", required_argument, NULL, O_OPERATOR },
	{ "filing", required_argument, NULL, O_FILING },
	{ "opened", required_argument, NULL, O_OPENED },
	{ "notes", required_argument, NULL, O_NOTES },
	{ "warn", required_argument, NULL, O_WARN },
	{ "stale", required_argument, NULL, O_STALE },
	{ "dormant", required_argument, NULL, O_DORMANT },
	{ "reason", required_argument, NULL, O_REASON },
	{ "into", required_argument, NULL, O_INTO },
	{ "status", required_argument, NULL, O_STATUS },
	{ "encoding", required_argument, NULL, O_ENCODING },
	{ "dry-run", no_argument, NULL, O_DRY_RUN },
	{ "at", required_argument, NULL, O_AT },
	{ "evidence", required_argument, NULL, O_EVIDENCE },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

static void
set_option(struct account_args *a, int c, const char *v)
{
	switch (c) {
	case O_UNIT: a->f.unit_code = a->filter.unit_code = v; break;
	case O_PLATFORM: a->f.platform = a->filter.platform = v; break;
	case O_NAME: a->f.name = v; break;
	case O_UID: a->f.platform_uid = v; break;
	case O_FEED: a->f.feed_url = v; break;
	case O_OPERATOR: a->f.operator_name = v; break;
	case O_FILING: a->f.filing_no = v; break;
	case O_OPENED: a->f.opened_on = v; break;
	case O_NOTES: a->f.notes = v; break;
	case O_WARN: a->f.warn_after = v; break;
	case O_STALE: a->f.stale_after = v; break;
	case O_DORMANT: a->f.dormant_after = v; break;
	case O_REASON: a->reason = v; break;
	case O_INTO: a->into = v; break;
	case O_STATUS: a->filter.status = v; break;
	case O_ENCODING: a->encoding = v; break;
	case O_DRY_RUN: a->import.dry_run = true; break;
	case O_AT: a->at = v; break;
	case O_EVIDENCE: a->evidence = v; break;
	}
}

/* Returns -1 on a usage error (already reported), 1 for --help. */
static int
parse_account_options(int argc, char **argv, struct account_args *a)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", account_options, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(account_usage, stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			ctl_usage_error(account_usage, "account: unknown or "
			    "incomplete option '%s'", argv[optind - 1]);
			return -1;
		}
		set_option(a, c, optarg);
	}
	return 0;
}

static int
do_open(struct ctl *ctl, void *arg)
{
	struct account_args *a = arg;
	char *error = NULL;
	long long id;

	if (account_open(ctl->db, &ctl->cfg, &a->f, &id, &error) == -1)
		return ctl_refused("account open", error);
	printf("%lld\n", id);
	return EXIT_OK;
}

static int
do_change(struct ctl *ctl, void *arg)
{
	struct account_args *a = arg;
	char *error = NULL;

	if (account_change(ctl->db, &ctl->cfg, a->id, &a->f, a->reason, &error) == -1)
		return ctl_refused("account change", error);
	return EXIT_OK;
}

static int
transition(struct ctl *ctl, struct account_args *a, enum account_transition t)
{
	static const char *const names[] = { "account suspend",
	    "account resume", "account close" };
	char *error = NULL;

	if (account_transition(ctl->db, a->id, t, a->reason, &error) == -1)
		return ctl_refused(names[t], error);
	return EXIT_OK;
}

static int do_suspend(struct ctl *c, void *a) { return transition(c, a, ACCOUNT_SUSPEND); }
static int do_resume(struct ctl *c, void *a) { return transition(c, a, ACCOUNT_RESUME); }
static int do_close(struct ctl *c, void *a) { return transition(c, a, ACCOUNT_CLOSE); }

static int
do_merge(struct ctl *ctl, void *arg)
{
	struct account_args *a = arg;
	char *error = NULL;
	long long into = ctl_parse_id(a->into);

	if (into == -1)
		return ctl_usage_error(account_usage, "account merge: --into "
		    "needs the surviving account's id");
	if (account_merge(ctl->db, a->id, into, a->reason, &error) == -1)
		return ctl_refused("account merge", error);
	return EXIT_OK;
}

static int
do_touch(struct ctl *ctl, void *arg)
{
	struct account_args *a = arg;
	char *error = NULL;
	time_t at;

	if (a->at == NULL || local_time_parse(a->at, &at) == -1)
		return ctl_usage_error(account_usage, "account touch: --at needs "
		    "a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])");
	if (account_touch(ctl->db, a->id, at, a->evidence, &error) == -1)
		return ctl_refused("account touch", error);
	return EXIT_OK;
}

static const char *
member_text(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "-";
}

/* The recorded reason of the last update in words: the rule, the entry
 * (or the observation's evidence) and the fetch that proved it. */
static json_t *
last_update_why(json_t *acc)
{
	json_t *r = json_object_get(acc, "last_update_reason");
	const char *rule, *text;
	struct strbuf sb = STRBUF_INIT;
	char seen[32];

	if (json_is_null(json_object_get(acc, "last_update_at")))
		return json_null();
	if (!json_is_object(r))
		return json_string("not recorded (raised before reasons were "
		    "kept)");
	rule = member_text(r, "rule");
	text = activity_rule_text(rule);
	time_format_local((time_t)json_integer_value(json_object_get(r,
	    "seen_at")), seen, sizeof(seen));
	sb_puts(&sb, text ? text : rule);
	if (json_is_true(json_object_get(r, "clamped")))
		sb_puts(&sb, ", in the future: counted at the fetch time");
	if (strcmp(rule, "observation") == 0)
		sb_printf(&sb, "; evidence %s; recorded %s",
		    member_text(r, "link"), seen);
	else
		sb_printf(&sb, "; entry %s, %s (date \"%s\"); fetch of %s",
		    member_text(r, "guid"), member_text(r, "title"),
		    member_text(r, "date_raw"), seen);
	r = json_string(sb_str(&sb));
	sb_free(&sb);
	return r;
}

static int
show(struct ctl *ctl, long long id)
{
	json_t *acc = account_json(ctl->db, id);

	if (acc == NULL) {
		log_warnx("account show: no account %lld", id);
		return EXIT_REFUSED;
	}
	json_object_set_new(acc, "last_update_why", last_update_why(acc));
	output_record(stdout, ctl->format, account_detail,
	    ARRAY_SIZE(account_detail), acc);
	json_decref(acc);
	return EXIT_OK;
}

static int
list(struct ctl *ctl, const struct account_filter *filter)
{
	json_t *rows = account_list_json(ctl->db, filter);

	output_rows(stdout, ctl->format, account_columns,
	    ARRAY_SIZE(account_columns), rows);
	json_decref(rows);
	return EXIT_OK;
}

/* "name: A → B; feed_url: (none) → http://…" for the table view. */
static char *
describe_changes(json_t *before, json_t *after)
{
	struct strbuf sb = STRBUF_INIT;
	const char *key;
	json_t *v;

	if (!json_is_object(before))
		return xstrdup(json_is_object(after) ? "created" : "");
	if (!json_is_object(after))
		return xstrdup("removed");
	json_object_foreach(after, key, v) {
		json_t *old = json_object_get(before, key);
		char *o, *n;

		if (json_equal(old, v))
			continue;
		o = output_cell(old, COL_TEXT);
		n = output_cell(v, COL_TEXT);
		sb_printf(&sb, "%s%s: %s → %s", sb.len ? "; " : "", key,
		    *o ? o : "(none)", *n ? n : "(none)");
		free(o);
		free(n);
	}
	return sb_steal(&sb);
}

static int
history(struct ctl *ctl, long long id)
{
	json_t *rows, *row, *acc = account_record_json(ctl->db, id);
	size_t i;

	if (acc == NULL) {
		log_warnx("account history: no account %lld", id);
		return EXIT_REFUSED;
	}
	json_decref(acc);
	rows = audit_history(ctl->db, "account", id);
	if (ctl->format != OUTPUT_JSON)
		json_array_foreach(rows, i, row) {
			char *c = describe_changes(json_object_get(row, "before"),
			    json_object_get(row, "after"));

			json_object_set_new(row, "changes", json_string(c));
			free(c);
		}
	output_rows(stdout, ctl->format, history_columns,
	    ARRAY_SIZE(history_columns), rows);
	json_decref(rows);
	return EXIT_OK;
}

static bool
name_in(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (strcasecmp(name, *names) == 0)
			return true;
	return false;
}

static int
import(struct ctl *ctl, struct account_args *a, const char *path)
{
	static const char *const gb[] = { "gbk", "gb18030", "gb2312", "cp936", NULL };
	static const char *const utf8[] = { "utf-8", "utf8", NULL };
	long n;

	a->import.path = path;
	a->import.gbk = a->encoding && name_in(a->encoding, gb);
	if (a->encoding && !a->import.gbk && !name_in(a->encoding, utf8))
		return ctl_usage_error(account_usage, "account import: "
		    "--encoding must be utf-8 or gbk (gb18030, gb2312)");
	if ((n = import_accounts(ctl->db, &ctl->cfg, &a->import)) == -1)
		return EXIT_REFUSED;
	printf("%s %ld account%s from %s\n", a->import.dry_run ?
	    "would import" : "imported", n, n == 1 ? "" : "s", path);
	return EXIT_OK;
}

/* Subcommands taking one account id, run in a transaction. */
static const struct {
	const char *name;
	int       (*run)(struct ctl *, void *);
	bool        needs_reason;
} id_commands[] = {
	{ "change", do_change, true },
	{ "suspend", do_suspend, true },
	{ "resume", do_resume, true },
	{ "close", do_close, true },
	{ "merge", do_merge, true },
	{ "touch", do_touch, false },
};

static int
run_id_command(struct ctl *ctl, const char *sub, char **pos, int npos,
    struct account_args *a)
{
	size_t i;

	if (npos != 1 || (a->id = ctl_parse_id(pos[0])) == -1)
		return ctl_usage_error(account_usage, "account %s: expected one "
		    "account id", sub);
	if (ctl_check_note("--reason", a->reason) != EXIT_OK ||
	    ctl_check_note("--evidence", a->evidence) != EXIT_OK)
		return EXIT_REFUSED;
	if (strcmp(sub, "show") == 0)
		return show(ctl, a->id);
	if (strcmp(sub, "history") == 0)
		return history(ctl, a->id);
	for (i = 0; i < ARRAY_SIZE(id_commands); i++) {
		if (strcmp(sub, id_commands[i].name) != 0)
			continue;
		if (id_commands[i].needs_reason && (a->reason == NULL ||
		    *str_trim((char *)a->reason) == '\0'))
			return ctl_usage_error(account_usage, "account %s: "
			    "--reason is required (it is kept in the audit "
			    "trail)", sub);
		return ctl_in_transaction(ctl, id_commands[i].run, a);
	}
	return ctl_usage_error(account_usage, "account: unknown subcommand '%s'", sub);
}

static bool
known_subcommand(const char *sub)
{
	static const char *const names[] = { "open", "list", "export", "import",
	    "show", "history" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(sub, names[i]) == 0)
			return true;
	for (i = 0; i < ARRAY_SIZE(id_commands); i++)
		if (strcmp(sub, id_commands[i].name) == 0)
			return true;
	return false;
}

static bool
valid_status(const char *s)
{
	return strcmp(s, "active") == 0 || strcmp(s, "suspended") == 0 ||
	    strcmp(s, "closed") == 0 || strcmp(s, "merged") == 0;
}

int
cmd_account(struct ctl *ctl, int argc, char **argv)
{
	struct account_args a = { 0 };
	const char *sub;
	char **pos;
	int npos, rc;

	if (argc < 2)
		return ctl_usage_error(account_usage, "account: which subcommand?");
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0)
		return fputs(account_usage, stdout), EXIT_OK;
	optind = 0;
	if ((rc = parse_account_options(argc - 1, argv + 1, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	pos = argv + 1 + optind;
	npos = argc - 1 - optind;
	if (!known_subcommand(sub))
		return ctl_usage_error(account_usage, "account: unknown "
		    "subcommand '%s'", sub);
	if (a.filter.status && !valid_status(a.filter.status))
		return ctl_usage_error(account_usage, "account %s: --status must "
		    "be active, suspended, closed or merged", sub);
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if (strcmp(sub, "open") == 0)
		return npos ? ctl_usage_error(account_usage, "account open takes "
		    "options only") : ctl_in_transaction(ctl, do_open, &a);
	if (strcmp(sub, "list") == 0)
		return npos ? ctl_usage_error(account_usage, "account list takes "
		    "options only") : list(ctl, &a.filter);
	if (strcmp(sub, "export") == 0)
		return export_accounts(ctl->db, &a.filter, stdout) ? EXIT_REFUSED : EXIT_OK;
	if (strcmp(sub, "import") == 0)
		return npos != 1 ? ctl_usage_error(account_usage, "account import: "
		    "expected one FILE (or - for standard input)") :
		    import(ctl, &a, pos[0]);
	return run_id_command(ctl, sub, pos, npos, &a);
}
