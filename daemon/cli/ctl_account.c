/* ctl_account.c — `mediawatchctl account …`: the account ledger. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unistd.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "poll/post.h"
#include "registry/account.h"
#include "registry/ledger.h"
#include "registry/unit.h"
#include "store/audit.h"
#include "store/db.h"

static const char account_usage[] = N_(
"usage: mediawatchctl account open --unit CODE --platform KEY --name NAME\n"
"              [--uid UID] [--feed URL] [--operator NAME] [--filing NO]\n"
"              [--opened YYYY-MM-DD] [--notes TEXT]\n"
"              [--warn DUR] [--stale DUR] [--dormant DUR]   (prints the new id)\n"
"       mediawatchctl account change ID [--name …] [--feed URL] [--unit CODE]\n"
"              [any option of open] --reason TEXT\n"
"       mediawatchctl account suspend|resume ID --reason TEXT\n"
"       mediawatchctl account close ID [--on YYYY-MM-DD] --reason TEXT\n"
"       mediawatchctl account merge ID --into ID --reason TEXT\n"
"       mediawatchctl account list [--unit CODE] [--platform KEY] [--status S]\n"
"       mediawatchctl account show ID\n"
"       mediawatchctl account history ID\n"
"       mediawatchctl account import FILE [--sheet NAME] [--encoding gbk]\n"
"              [--dry-run] [--close-missing] [--ignore-unknown]\n"
"       mediawatchctl account export [--format csv|xlsx] [--encoding utf-8|gbk]\n"
"              [--headings zh|en] [--out FILE] [--unit CODE] [--platform KEY]\n"
"              [--status S]\n"
"       mediawatchctl account touch ID --at TIME [--evidence URL]\n"
"\n"
"On change, an empty value (--feed '') clears an optional field and a\n"
"threshold override.  Durations: 90s, 15m, 6h, 14d; shown in days.\n"
"TIME for touch: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] in the configured zone.\n"
"A date (--opened, --on, --at) may not lie in the future.  Each change\n"
"prints one line saying what it changed.\n"
"\n"
"import reads an .xlsx workbook (its first sheet) or a CSV file whose first\n"
"row with several headings names the columns, in Chinese or English:\n"
"单位代码 (or 单位名称), 平台, 账号名称, 账号ID, 订阅地址, 运维人员, 备案号,\n"
"开设日期, 状态, 关停日期, 备注; 序号 is ignored.  It updates the accounts the\n"
"file lists (same platform and uid, else same unit, platform and name), opens\n"
"the new ones and, with --close-missing, closes those it no longer lists:\n"
"every change or none.  --dry-run prints the plan and stores nothing.\n"
"export writes every account (or those of --status) in the same columns.\n");

static const struct column account_columns[] = {
	{ "id", N_("ID"), COL_TEXT },
	{ "unit", N_("UNIT"), COL_TEXT },
	{ "platform", N_("PLATFORM"), COL_PLATFORM },
	{ "name", N_("NAME"), COL_TEXT },
	{ "status", N_("STATUS"), COL_ACCOUNT_STATUS },
	{ "state", NC_("monitor state", "STATE"), COL_MONITOR_STATE },
	{ "last_update_at", N_("LAST UPDATE"), COL_TIME },
	{ "last_fetch", N_("LAST FETCH"), COL_FETCH },
	{ "next_poll_at", N_("NEXT POLL"), COL_TIME },
};

static const struct column account_detail[] = {
	{ "id", N_("Id"), COL_TEXT },
	{ "name", N_("Name"), COL_TEXT },
	{ "unit", N_("Unit"), COL_TEXT },
	{ "unit_name", N_("Unit name"), COL_TEXT },
	{ "platform", N_("Platform"), COL_PLATFORM },
	{ "platform_uid", N_("Platform uid"), COL_TEXT },
	{ "feed_url", N_("Feed"), COL_TEXT },
	{ "status", N_("Status"), COL_ACCOUNT_STATUS },
	{ "merged_into", N_("Merged into"), COL_TEXT },
	{ "opened_on", N_("Opened"), COL_TEXT },
	{ "closed_on", N_("Closed"), COL_TEXT },
	{ "operator", N_("Operator"), COL_TEXT },
	{ "filing_no", N_("Filing no."), COL_TEXT },
	{ "warn_after", N_("Warn after"), COL_TEXT },
	{ "stale_after", N_("Stale after"), COL_TEXT },
	{ "dormant_after", N_("Dormant after"), COL_TEXT },
	{ "notes", N_("Notes"), COL_TEXT },
	{ "state", NC_("monitor state", "State"), COL_MONITOR_STATE },
	{ "last_update_at", N_("Last update"), COL_TIME },
	{ "last_update_why", N_("Last update decided by"), COL_STATE },
	{ "last_fetch_at", N_("Last fetch"), COL_TIME },
	{ "last_fetch", N_("Last fetch result"), COL_FETCH },
	{ "permanent_redirect", N_("Moved permanently to"), COL_TEXT },
	{ "next_poll_at", N_("Next poll"), COL_TIME },
};

static const struct column history_columns[] = {
	{ "at", N_("TIME"), COL_TIME },
	{ "actor", N_("ACTOR"), COL_TEXT },
	{ "action", N_("ACTION"), COL_ACTION },
	{ "reason", N_("REASON"), COL_TEXT },
	{ "changes", N_("CHANGES"), COL_TEXT },
};

struct account_args {
	struct account_fields   f;
	struct account_filter   filter;
	struct import_options   import;
	bool                    dry_run;
	const char             *reason;
	const char             *into;
	const char             *at;
	const char             *on;
	const char             *evidence;
	const char             *encoding;
	const char             *format;
	const char             *headings;
	const char             *out;
	long long               id;
};

enum { O_UNIT = 1, O_PLATFORM, O_NAME, O_UID, O_FEED, O_OPERATOR, O_FILING,
    O_OPENED, O_NOTES, O_WARN, O_STALE, O_DORMANT, O_REASON, O_INTO,
    O_STATUS, O_ENCODING, O_DRY_RUN, O_AT, O_EVIDENCE, O_ON, O_SHEET,
    O_CLOSE_MISSING, O_IGNORE_UNKNOWN, O_FORMAT, O_HEADINGS, O_OUT, O_HELP };

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
	{ "on", required_argument, NULL, O_ON },
	{ "sheet", required_argument, NULL, O_SHEET },
	{ "close-missing", no_argument, NULL, O_CLOSE_MISSING },
	{ "ignore-unknown", no_argument, NULL, O_IGNORE_UNKNOWN },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "headings", required_argument, NULL, O_HEADINGS },
	{ "out", required_argument, NULL, O_OUT },
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
	case O_DRY_RUN: a->dry_run = true; break;
	case O_AT: a->at = v; break;
	case O_EVIDENCE: a->evidence = v; break;
	case O_ON: a->on = v; break;
	case O_SHEET: a->import.sheet = v; break;
	case O_CLOSE_MISSING: a->import.close_missing = true; break;
	case O_IGNORE_UNKNOWN: a->import.ignore_unknown = true; break;
	case O_FORMAT: a->format = v; break;
	case O_HEADINGS: a->headings = v; break;
	case O_OUT: a->out = v; break;
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
			fputs(_(account_usage), stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			ctl_usage_error(account_usage, _("account: unknown or "
			    "incomplete option '%s'"), argv[optind - 1]);
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

	if (account_open(ctl->db, &ctl->cfg, &a->f, a->reason, &id, &error) == -1)
		return ctl_refused("account open", error);
	ctl_done(ctl, "%lld\n", id);
	return EXIT_OK;
}

static int
do_change(struct ctl *ctl, void *arg)
{
	struct account_args *a = arg;
	json_t *before = account_record_json(ctl->db, a->id), *after;
	char *error = NULL, *what;

	if (account_change(ctl->db, &ctl->cfg, a->id, &a->f, a->reason,
	    &error) == -1) {
		json_decref(before);
		return ctl_refused("account change", error);
	}
	after = account_record_json(ctl->db, a->id);
	what = ctl_describe_changes(before, after);
	if (*what)
		ctl_done(ctl, _("account %lld changed: %s\n"), a->id, what);
	else
		ctl_done(ctl, _("account %lld unchanged\n"), a->id);
	free(what);
	json_decref(before);
	json_decref(after);
	return EXIT_OK;
}

static int
transition(struct ctl *ctl, struct account_args *a, enum account_transition t)
{
	static const char *const names[] = { "account suspend",
	    "account resume", "account close" };
	char *error = NULL, *day = NULL;

	if (a->on && t != ACCOUNT_CLOSE)
		return ctl_usage_error(account_usage, _("%s: --on is for close"),
		    names[t]);
	if (account_transition(ctl->db, a->id, t, a->on, a->reason, &error) == -1)
		return ctl_refused(names[t], error);
	if (t == ACCOUNT_CLOSE && db_query_text(ctl->db, &day, "SELECT closed_on"
	    " FROM account WHERE id = ?", "I", a->id) == 0 && day)
		ctl_done(ctl, _("account %lld closed on %s\n"), a->id, day);
	else if (t == ACCOUNT_SUSPEND)
		ctl_done(ctl, _("account %lld suspended\n"), a->id);
	else if (t == ACCOUNT_RESUME)
		ctl_done(ctl, _("account %lld resumed\n"), a->id);
	else
		ctl_done(ctl, _("account %lld closed\n"), a->id);
	free(day);
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
		return ctl_usage_error(account_usage, _("account merge: --into "
		    "needs the surviving account's id"));
	if (account_merge(ctl->db, a->id, into, a->reason, &error) == -1)
		return ctl_refused("account merge", error);
	ctl_done(ctl, _("account %lld merged into account %lld\n"), a->id, into);
	return EXIT_OK;
}

static int
do_touch(struct ctl *ctl, void *arg)
{
	struct account_args *a = arg;
	char *error = NULL, when[32];
	time_t at;

	if (a->at == NULL || local_time_parse(a->at, &at) == -1)
		return ctl_usage_error(account_usage, _("account touch: --at needs "
		    "a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])"));
	if (account_touch(ctl->db, a->id, at, a->evidence, &error) == -1)
		return ctl_refused("account touch", error);
	time_format_local(at, when, sizeof(when));
	ctl_done(ctl, _("account %lld observed active at %s\n"), a->id, when);
	return EXIT_OK;
}

static const char *
member_text(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "-";
}

/* The recorded reason of the last update in words: the rule, the entry
 * (or the observation's evidence) and the fetch that proved it; in the
 * user's language for a table (words). */
static json_t *
last_update_why(json_t *acc, bool words)
{
	json_t *r = json_object_get(acc, "last_update_reason");
	const char *rule, *text;
	struct strbuf sb = STRBUF_INIT;
	char seen[32];

	if (json_is_null(json_object_get(acc, "last_update_at")))
		return json_null();
	if (!json_is_object(r))
		return json_string(i18n_if(words, "not recorded (raised before "
		    "reasons were kept)"));
	rule = member_text(r, "rule");
	text = activity_rule_text(rule);
	time_format_local((time_t)json_integer_value(json_object_get(r,
	    "seen_at")), seen, sizeof(seen));
	sb_puts(&sb, text ? i18n_if(words, text) : rule);
	if (json_is_true(json_object_get(r, "clamped")))
		sb_puts(&sb, i18n_if(words, ", in the future: counted at the "
		    "fetch time"));
	if (strcmp(rule, "observation") == 0)
		sb_printf(&sb, i18n_if(words, "; evidence %s; recorded %s"),
		    member_text(r, "link"), seen);
	else
		sb_printf(&sb, i18n_if(words, "; entry %s, %s (date \"%s\"); "
		    "fetch of %s"),
		    member_text(r, "guid"), member_text(r, "title"),
		    member_text(r, "date_raw"), seen);
	r = json_string(sb_str(&sb));
	sb_free(&sb);
	return r;
}

/* "14 days", "1.5 days": thresholds as people count them (in the user's
 * language for a table). */
static json_t *
days_text(long long seconds, bool own, bool words)
{
	char *days = ctl_days(seconds, words), *text;
	json_t *r;

	text = own ? days : xasprintf("%s%s", days, i18n_if(words,
	    " (platform)"));
	r = json_string(text);
	if (text != days)
		free(text);
	free(days);
	return r;
}

/* The table shows each threshold in force, in days: the account's own,
 * else its platform's.  --json keeps the stored seconds (null: none). */
static void
thresholds_in_days(const struct config *cfg, json_t *acc, bool words)
{
	static const char *const keys[] = { "warn_after", "stale_after",
	    "dormant_after" };
	const struct platform *p = config_platform(cfg,
	    json_string_value(json_object_get(acc, "platform")));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		json_t *own = json_object_get(acc, keys[i]);
		long long v = json_is_integer(own) ? json_integer_value(own) :
		    p == NULL ? -1 : i == 0 ? p->warn_after : i == 1 ?
		    p->stale_after : p->dormant_after;

		if (v >= 0)
			json_object_set_new(acc, keys[i], days_text(v,
			    json_is_integer(own), words));
	}
}

static int
show(struct ctl *ctl, long long id)
{
	json_t *acc = account_json(ctl->db, id);

	if (acc == NULL) {
		log_warnx(N_("account show: no account %lld"), id);
		return EXIT_REFUSED;
	}
	json_object_set_new(acc, "last_update_why", last_update_why(acc,
	    ctl->format == OUTPUT_TABLE));
	if (ctl->format != OUTPUT_JSON)
		thresholds_in_days(&ctl->cfg, acc, ctl->format == OUTPUT_TABLE);
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

/* What a history row says: the fields changed, or, on the surviving
 * account of a merge, which account was merged into it. */
static char *
history_changes(json_t *row, bool words)
{
	json_t *after = json_object_get(row, "after");
	json_t *from = json_object_get(after, "merged_from");

	if (strcmp(json_string_value(json_object_get(row, "action")),
	    "account.merge_in") == 0 && json_is_object(from))
		return xasprintf(i18n_if(words, "account %lld (%s %s) merged "
		    "into this one"),
		    (long long)json_integer_value(json_object_get(from, "id")),
		    words ? output_word(VOCAB_PLATFORM, json_string_value(
		    json_object_get(from, "platform"))) : json_string_value(
		    json_object_get(from, "platform")),
		    json_string_value(json_object_get(from, "name")));
	return ctl_describe_changes_in(json_object_get(row, "before"), after,
	    words);
}

static int
history(struct ctl *ctl, long long id)
{
	json_t *rows, *row, *acc = account_record_json(ctl->db, id);
	size_t i;

	if (acc == NULL) {
		log_warnx(N_("account history: no account %lld"), id);
		return EXIT_REFUSED;
	}
	json_decref(acc);
	rows = audit_history(ctl->db, "account", id);
	if (ctl->format != OUTPUT_JSON)
		json_array_foreach(rows, i, row) {
			char *c = history_changes(row, ctl->format ==
			    OUTPUT_TABLE);

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

/* --encoding: utf-8 or gbk (its names); *gbk tells which.  -1 when it is
 * neither. */
static int
parse_encoding(const char *encoding, bool *gbk)
{
	static const char *const gb[] = { "gbk", "gb18030", "gb2312", "cp936",
	    NULL };
	static const char *const utf8[] = { "utf-8", "utf8", NULL };

	*gbk = encoding && name_in(encoding, gb);
	return encoding && !*gbk && !name_in(encoding, utf8) ? -1 : 0;
}

/* ---- import ---- */

static const char *const action_names[N_LEDGER_ACTIONS] = {
	[LEDGER_NEW] = "new", [LEDGER_CHANGE] = "change",
	[LEDGER_UNCHANGED] = "unchanged", [LEDGER_CLOSE] = "close",
};

static json_t *
plan_json(const struct ledger_plan *p)
{
	json_t *items = json_array(), *changes;
	size_t i, j;

	for (i = 0; i < p->n_items; i++) {
		const struct ledger_item *it = &p->items[i];

		changes = json_array();
		for (j = 0; j < it->n_changes; j++)
			json_array_append_new(changes, json_pack("{s:s, s:s, s:s}",
			    "field", it->changes[j].field,
			    "before", it->changes[j].before,
			    "after", it->changes[j].after));
		json_array_append_new(items, json_pack("{s:s, s:o, s:o, s:s, s:o}",
		    "action", action_names[it->action],
		    "line", it->line ? json_integer((json_int_t)it->line) : json_null(),
		    "account", it->account_id ? json_integer(it->account_id) :
		    json_null(), "label", it->label, "changes", changes));
	}
	return json_pack("{s:s, s:{s:I, s:I, s:I, s:I}, s:o}", "file", p->source,
	    "counts", "new", (json_int_t)p->count[LEDGER_NEW],
	    "changed", (json_int_t)p->count[LEDGER_CHANGE],
	    "unchanged", (json_int_t)p->count[LEDGER_UNCHANGED],
	    "close", (json_int_t)p->count[LEDGER_CLOSE], "items", items);
}

/* "field: old → new", a status in words */
static void
print_change(const struct ledger_change *c)
{
	const char *vocab = strcmp(c->field, "status") == 0 ?
	    VOCAB_ACCOUNT_STATUS : NULL;
	const char *before = vocab ? output_word(vocab, c->before) : c->before;
	const char *after = vocab ? output_word(vocab, c->after) : c->after;

	printf(_("          %s: %s → %s\n"), output_word(VOCAB_FIELD, c->field),
	    *before ? before : _("(none)"), *after ? after : _("(none)"));
}

static void
print_item(const struct ledger_plan *p, const struct ledger_item *it)
{
	size_t j;

	switch (it->action) {
	case LEDGER_NEW:
		printf(p->rows ? _("new     row %zu: %s\n") :
		    _("new     line %zu: %s\n"), it->line, it->label);
		break;
	case LEDGER_CHANGE:
		printf(p->rows ? _("change  account %lld, row %zu: %s\n") :
		    _("change  account %lld, line %zu: %s\n"), it->account_id,
		    it->line, it->label);
		break;
	case LEDGER_CLOSE:
		printf(_("close   account %lld: %s (not in the file)\n"),
		    it->account_id, it->label);
		break;
	case LEDGER_UNCHANGED:
	case N_LEDGER_ACTIONS:
		return;
	}
	for (j = 0; j < it->n_changes; j++)
		print_change(&it->changes[j]);
}

static void
print_plan(const struct ctl *ctl, const struct ledger_plan *p)
{
	size_t i;
	json_t *j;

	if (ctl->format == OUTPUT_JSON) {
		j = plan_json(p);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	for (i = 0; p->ignored && p->ignored[i]; i++)
		printf("%s%s", i ? _(", ") : _("ignored columns: "), p->ignored[i]);
	if (i)
		putchar('\n');
	for (i = 0; i < p->n_items; i++)
		print_item(p, &p->items[i]);
}

struct import_run {
	struct account_args *a;
	struct ledger_plan   plan;
	bool                 applied;    /* (a dry run: and rolled back) */
};

/* A dry run applies the plan too, and rolls it back: it finds what a
 * real run would be refused. */
static int
do_import(struct ctl *ctl, void *arg)
{
	struct import_run *run = arg;
	struct ledger_plan *p = &run->plan;

	if (ledger_plan(ctl->db, &ctl->cfg, &run->a->import, p) == -1 ||
	    ledger_apply(ctl->db, &ctl->cfg, p) == -1)
		return EXIT_REFUSED;
	run->applied = true;
	return run->a->dry_run ? EXIT_REFUSED : EXIT_OK;
}

/* The plan is printed once it is committed (or, for a dry run, once it
 * was tried): a refused import prints only its errors. */
static int
import(struct ctl *ctl, struct account_args *a, const char *path)
{
	struct import_run run = { .a = a };
	const struct ledger_plan *p = &run.plan;
	bool ok;
	int rc;

	a->import.path = path;
	a->import.encoding_given = a->encoding != NULL;
	if (parse_encoding(a->encoding, &a->import.gbk) == -1)
		return ctl_usage_error(account_usage, _("account import: "
		    "--encoding must be utf-8 or gbk (gb18030, gb2312)"));
	rc = ctl_in_transaction(ctl, do_import, &run);
	ok = run.applied && (rc == EXIT_OK || a->dry_run);
	if (p->errors > 50)
		log_warnx(N_("%s: %d more errors not shown"), path, p->errors - 50);
	if (!ok && p->errors)
		log_warnx(ngettext("%s: nothing imported (%d error)",
		    "%s: nothing imported (%d errors)", (unsigned long)p->errors),
		    path, p->errors);
	else if (!ok)
		log_warnx(N_("%s: nothing imported"), path);
	if (ok) {
		print_plan(ctl, p);
		if (ctl->format != OUTPUT_JSON)
			printf(a->dry_run ? _("dry run of %s: %zu new, %zu "
			    "changed, %zu unchanged, %zu to close; nothing was "
			    "stored\n") : _("imported %s: %zu new, %zu changed, "
			    "%zu unchanged, %zu closed\n"), path,
			    p->count[LEDGER_NEW], p->count[LEDGER_CHANGE],
			    p->count[LEDGER_UNCHANGED], p->count[LEDGER_CLOSE]);
	}
	ledger_plan_free(&run.plan);
	return ok ? EXIT_OK : EXIT_REFUSED;
}

/* ---- export ---- */

static int
export(struct ctl *ctl, struct account_args *a)
{
	struct export_options o = { .out = a->out };
	char *error = NULL;
	int n;

	if (a->format && strcmp(a->format, "xlsx") == 0)
		o.format = LEDGER_XLSX;
	else if (a->format && strcmp(a->format, "csv") != 0)
		return ctl_usage_error(account_usage, _("account export: --format "
		    "must be csv or xlsx"));
	if (parse_encoding(a->encoding, &o.gbk) == -1)
		return ctl_usage_error(account_usage, _("account export: "
		    "--encoding must be utf-8 or gbk"));
	if (a->encoding && o.format == LEDGER_XLSX)
		return ctl_usage_error(account_usage, _("account export: "
		    "--encoding is for CSV (an .xlsx workbook is always Unicode)"));
	if (a->headings && strcmp(a->headings, "en") != 0 &&
	    strcmp(a->headings, "zh") != 0)
		return ctl_usage_error(account_usage, _("account export: "
		    "--headings must be zh or en"));
	o.english = a->headings && strcmp(a->headings, "en") == 0;
	if (o.format == LEDGER_XLSX && (a->out == NULL || strcmp(a->out, "-") ==
	    0) && isatty(STDOUT_FILENO))
		return ctl_usage_error(account_usage, _("account export: an .xlsx "
		    "workbook is not for a terminal; give --out FILE"));
	if ((n = ledger_export(ctl->db, &ctl->cfg, &a->filter, &o, &error)) == -1)
		return ctl_refused("account export", error);
	if (a->out && strcmp(a->out, "-") != 0)
		printf(ngettext("wrote %d account to %s\n",
		    "wrote %d accounts to %s\n", (unsigned long)n), n, a->out);
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
		return ctl_usage_error(account_usage, _("account %s: expected one "
		    "account id"), sub);
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
			return ctl_usage_error(account_usage, _("account %s: "
			    "--reason is required (it is kept in the audit "
			    "trail)"), sub);
		return ctl_in_transaction(ctl, id_commands[i].run, a);
	}
	return ctl_usage_error(account_usage, _("account: unknown subcommand '%s'"), sub);
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
		return ctl_usage_error(account_usage, _("account: which subcommand?"));
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0)
		return fputs(_(account_usage), stdout), EXIT_OK;
	optind = 0;
	if ((rc = parse_account_options(argc - 1, argv + 1, &a)) != 0)
		return rc == 1 ? EXIT_OK : EXIT_USAGE;
	pos = argv + 1 + optind;
	npos = argc - 1 - optind;
	if (!known_subcommand(sub))
		return ctl_usage_error(account_usage, _("account: unknown "
		    "subcommand '%s'"), sub);
	if (a.filter.status && !valid_status(a.filter.status))
		return ctl_usage_error(account_usage, _("account %s: --status must "
		    "be active, suspended, closed or merged"), sub);
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if (strcmp(sub, "open") == 0)
		return npos ? ctl_usage_error(account_usage, _("account open takes "
		    "options only")) : ctl_in_transaction(ctl, do_open, &a);
	if (strcmp(sub, "list") == 0)
		return npos ? ctl_usage_error(account_usage, _("account list takes "
		    "options only")) : list(ctl, &a.filter);
	if (strcmp(sub, "export") == 0)
		return npos ? ctl_usage_error(account_usage, _("account export "
		    "takes options only")) : export(ctl, &a);
	if (strcmp(sub, "import") == 0)
		return npos != 1 ? ctl_usage_error(account_usage, _("account import: "
		    "expected one FILE (or - for standard input)")) :
		    import(ctl, &a, pos[0]);
	return run_id_command(ctl, sub, pos, npos, &a);
}
