/* ctl_ledger.c — `mediawatchctl ledger check`: what the ledger does not
 * account for (国办发〔2018〕123号: one account per unit and platform,
 * every account maintained and filed). */
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "registry/ledger.h"

static const char ledger_usage[] = N_(
"usage: mediawatchctl ledger check\n"
"\n"
"Lists units with more than one active account on one platform, active\n"
"accounts nobody watches (no feed, no manual observation within their\n"
"stale period) and open accounts without an operator (运维人员) or a\n"
"filing number (备案号).  Exits 0 whenever the check ran.\n");

static const struct column duplicate_columns[] = {
	{ "unit", N_("UNIT"), COL_TEXT },
	{ "unit_name", N_("UNIT NAME"), COL_TEXT },
	{ "platform", N_("PLATFORM"), COL_PLATFORM },
	{ "accounts", N_("ACTIVE ACCOUNTS"), COL_TEXT },
};

static const struct column unobserved_columns[] = {
	{ "id", N_("ID"), COL_TEXT },
	{ "unit", N_("UNIT"), COL_TEXT },
	{ "platform", N_("PLATFORM"), COL_PLATFORM },
	{ "name", N_("NAME"), COL_TEXT },
	{ "last_observed_at", N_("LAST OBSERVED"), COL_TIME },
};

static const struct column incomplete_columns[] = {
	{ "id", N_("ID"), COL_TEXT },
	{ "unit", N_("UNIT"), COL_TEXT },
	{ "platform", N_("PLATFORM"), COL_PLATFORM },
	{ "name", N_("NAME"), COL_TEXT },
	{ "status", N_("STATUS"), COL_ACCOUNT_STATUS },
	{ "missing", N_("MISSING"), COL_FIELD },
};

/* For --csv: one table, a row per finding. */
static const struct column finding_columns[] = {
	{ "finding", "finding", COL_TEXT },
	{ "unit", "unit", COL_TEXT },
	{ "platform", "platform", COL_TEXT },
	{ "id", "id", COL_TEXT },
	{ "name", "name", COL_TEXT },
	{ "detail", "detail", COL_TEXT },
};

static void
section(const char *title, json_t *rows, const struct column *cols, size_t n)
{
	printf(_("\n%s: %zu\n"), _(title), json_array_size(rows));
	if (json_array_size(rows))
		output_rows(stdout, OUTPUT_TABLE, cols, n, rows);
}

static void
add_findings(json_t *out, json_t *rows, const char *finding,
    const char *detail_key)
{
	json_t *row, *f;
	size_t i;

	json_array_foreach(rows, i, row) {
		f = json_deep_copy(row);
		json_object_set_new(f, "finding", json_string(finding));
		json_object_set(f, "detail", json_object_get(row, detail_key));
		json_array_append_new(out, f);
	}
}

static void
print_csv(json_t *r)
{
	json_t *all = json_array();

	add_findings(all, json_object_get(r, "duplicates"), "duplicate",
	    "accounts");
	add_findings(all, json_object_get(r, "unobserved"), "unobserved",
	    "last_observed_at");
	add_findings(all, json_object_get(r, "incomplete"), "incomplete",
	    "missing");
	output_rows(stdout, OUTPUT_CSV, finding_columns,
	    ARRAY_SIZE(finding_columns), all);
	json_decref(all);
}

static int
check(struct ctl *ctl)
{
	json_t *r = ledger_check(ctl->db, &ctl->cfg, mw_now());

	if (r == NULL) {
		log_warnx(N_("ledger check: the database could not be read"));
		return EXIT_REFUSED;
	}
	if (ctl->format == OUTPUT_JSON) {
		json_dumpf(r, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else if (ctl->format == OUTPUT_CSV)
		print_csv(r);
	else {
		printf(_("ledger check (国办发〔2018〕123号)\n"));
		section(N_("units with more than one active account on a platform"),
		    json_object_get(r, "duplicates"), duplicate_columns,
		    ARRAY_SIZE(duplicate_columns));
		section(N_("accounts nobody watches (no feed, no recent observation)"),
		    json_object_get(r, "unobserved"), unobserved_columns,
		    ARRAY_SIZE(unobserved_columns));
		section(N_("accounts without operator or filing number"),
		    json_object_get(r, "incomplete"), incomplete_columns,
		    ARRAY_SIZE(incomplete_columns));
	}
	json_decref(r);
	return EXIT_OK;
}

int
cmd_ledger(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage_error(ledger_usage, _("ledger: which subcommand?"));
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
		return fputs(_(ledger_usage), stdout), EXIT_OK;
	if (strcmp(argv[1], "check") != 0)
		return ctl_usage_error(ledger_usage, _("ledger: unknown subcommand "
		    "'%s'"), argv[1]);
	if (argc > 2)
		return strcmp(argv[2], "--help") == 0 ? (fputs(ledger_usage,
		    stdout), EXIT_OK) : ctl_usage_error(ledger_usage, _("ledger "
		    "check takes no arguments"));
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	return check(ctl);
}
