/* ctl_status.c — `mediawatchctl status`: the monitoring at a glance. */
#include <string.h>

#include "base/timeutil.h"
#include "cli/ctl.h"
#include "monitor/evaluate.h"
#include "monitor/stats.h"
#include "poll/poller.h"
#include "store/db.h"

static const char status_usage[] = N_(
"usage: mediawatchctl status\n"
"\n"
"Accounts per state and per unit (as of the daemon's last evaluation),\n"
"failing feeds, the outbox backlog, open problems and the next poll.\n");

static const struct column unit_columns[] = {
	{ "unit", N_("UNIT"), COL_TEXT },
	{ "name", N_("NAME"), COL_TEXT },
	{ "active", N_("ACTIVE"), COL_TEXT },
	{ "fresh", N_("FRESH"), COL_TEXT },
	{ "warning", N_("WARNING"), COL_TEXT },
	{ "stale", N_("STALE"), COL_TEXT },
	{ "dormant", N_("DORMANT"), COL_TEXT },
	{ "unverified", N_("UNVERIFIED"), COL_TEXT },
	{ "open_problems", N_("PROBLEMS"), COL_TEXT },
};

static const struct column failing_columns[] = {
	{ "id", N_("ID"), COL_TEXT },
	{ "unit", N_("UNIT"), COL_TEXT },
	{ "name", N_("ACCOUNT"), COL_TEXT },
	{ "failures", N_("FAILURES"), COL_TEXT },
	{ "last_success_at", N_("LAST SUCCESS"), COL_TIME },
	{ "last_error", N_("LAST ERROR"), COL_TEXT },
	{ "permanent_redirect", N_("MOVED TO"), COL_TEXT },
};

static json_t *
query_rows(sqlite3 *db, const char *sql, const char *const *keys, size_t n,
    long long arg)
{
	json_t *rows = json_array(), *row;
	sqlite3_stmt *st = db_prepare(db, sql, strchr(sql, '?') ? "I" : "", arg);
	size_t i;

	while (st && sqlite3_step(st) == SQLITE_ROW) {
		row = json_object();
		for (i = 0; i < n; i++)
			json_object_set_new(row, keys[i],
			    db_column_json(st, (int)i));
		json_array_append_new(rows, row);
	}
	sqlite3_finalize(st);
	return rows;
}

static json_t *
per_unit(sqlite3 *db)
{
	static const char *const keys[] = { "unit", "name", "active", "fresh",
	    "warning", "stale", "dormant", "unverified", "open_problems" };

	/* counted per unit apart and joined to the units: the active
	 * accounts from their index, their states by reading the states in
	 * account order (each account looked up in order, which reads the
	 * table once), the open problems from their index */
	return query_rows(db, "SELECT u.code, u.name, coalesce(n.active, 0),"
	    " coalesce(c.fresh, 0), coalesce(c.warning, 0), coalesce(c.stale, 0),"
	    " coalesce(c.dormant, 0), coalesce(c.unverified, 0), coalesce(p.n, 0)"
	    " FROM unit u"
	    " LEFT JOIN (SELECT unit_id, count(*) AS active FROM account WHERE"
	    "  status = 'active' GROUP BY unit_id) n ON n.unit_id = u.id"
	    " LEFT JOIN (SELECT a.unit_id,"
	    "  count(CASE s.state WHEN 'fresh' THEN 1 END) AS fresh,"
	    "  count(CASE s.state WHEN 'warning' THEN 1 END) AS warning,"
	    "  count(CASE s.state WHEN 'stale' THEN 1 END) AS stale,"
	    "  count(CASE s.state WHEN 'dormant' THEN 1 END) AS dormant,"
	    "  count(CASE s.state WHEN 'unverified' THEN 1 END) AS unverified"
	    "  FROM account_state s NOT INDEXED CROSS JOIN account a ON a.id ="
	    "  s.account_id WHERE a.status = 'active' GROUP BY a.unit_id) c ON"
	    "  c.unit_id = u.id"
	    " LEFT JOIN (SELECT unit_id, count(*) AS n FROM problem WHERE"
	    "  closed_at IS NULL GROUP BY +unit_id) p ON p.unit_id = u.id"
	    " WHERE u.removed_at IS NULL ORDER BY u.code", keys,
	    ARRAY_SIZE(keys), 0);
}

static json_t *
failing_feeds(sqlite3 *db)
{
	static const char *const keys[] = { "id", "unit", "name", "failures",
	    "last_success_at", "last_error", "permanent_redirect" };

	/* from the index of failing or moved feeds (feed_state_failing) */
	return query_rows(db, "SELECT a.id, u.code, a.name, f.consecutive_failures,"
	    " f.last_success_at, f.last_error, f.permanent_redirect FROM feed_state"
	    " f CROSS JOIN account a ON a.id = f.account_id JOIN unit u ON u.id ="
	    " a.unit_id WHERE a.status = 'active' AND (f.failing OR"
	    " f.permanent_redirect IS NOT NULL) ORDER BY u.code, a.id", keys,
	    ARRAY_SIZE(keys), 0);
}

static json_t *
evaluation_json(const struct health *h)
{
	if (!h->known)
		return json_pack("{s:s}", "state", "never run");
	return json_pack("{s:s, s:I, s:o, s:o, s:o, s:I}",
	    "state", h->failing ? "failed" : "ok",
	    "last_run_at", (json_int_t)h->last_run_at,
	    "last_ok_at", h->has_ok ? json_integer(h->last_ok_at) : json_null(),
	    "failed_at", h->failing ? json_integer(h->failed_at) : json_null(),
	    "error", h->error ? json_string(h->error) : json_null(),
	    "failures", (json_int_t)h->failures);
}

/* The totals, from the one function every status display uses. */
static json_t *
totals(struct ctl *ctl)
{
	sqlite3 *db = ctl->db;
	time_t now = mw_now(), next = poller_next_due(db, &ctl->cfg);
	json_t *states = json_object(), *t;
	struct monitor_counts c;
	int i;

	if (monitor_counts_load(db, &ctl->cfg, now, &c) == -1 ||
	    monitor_outbox_sent(db, &c) == -1) {
		monitor_counts_free(&c);
		json_decref(states);
		return NULL;
	}
	for (i = 0; i < N_STATES; i++)
		json_object_set_new(states, state_name(i),
		    json_integer(c.states[i]));
	json_object_set_new(states, "not_evaluated", json_integer(c.not_evaluated));
	t = json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:{s:I, s:I, s:I},"
	    " s:o, s:o, s:{s:I, s:I, s:I}}",
	    "active", (json_int_t)c.active,
	    "suspended", (json_int_t)c.suspended,
	    "failing_feeds", (json_int_t)c.failing_feeds,
	    "states", states,
	    "open_problems", (json_int_t)c.open_problems,
	    "problem_accounts", (json_int_t)c.problem_accounts,
	    "overdue_problems", (json_int_t)c.overdue_problems,
	    "outbox", "queued", (json_int_t)c.outbox_queued,
	    "failed", (json_int_t)c.outbox_failed,
	    "sent", (json_int_t)c.outbox_sent,
	    "next_poll_at", next < 0 ? json_null() : json_integer(next),
	    "evaluation", evaluation_json(&c.evaluation),
	    "ledger", "duplicates", (json_int_t)c.ledger.duplicates,
	    "unobserved", (json_int_t)c.ledger.unobserved,
	    "incomplete", (json_int_t)c.ledger.incomplete);
	monitor_counts_free(&c);
	return t;
}

static void
print_evaluation(const json_t *e)
{
	char when[32];

	if (strcmp(json_string_value(json_object_get(e, "state")), "failed") != 0)
		return;
	time_format_local((time_t)json_integer_value(json_object_get(e,
	    "failed_at")), when, sizeof(when));
	printf(_("LAST EVALUATION FAILED at %s: %s\n"), when,
	    json_string_value(json_object_get(e, "error")));
	printf(_("  (%lld failed runs in a row; states, problems and alerts are "
	    "not being updated)\n"), (long long)json_integer_value(
	    json_object_get(e, "failures")));
}

static void
print_summary(json_t *t)
{
	json_t *s = json_object_get(t, "states"), *o = json_object_get(t, "outbox");
	json_t *l = json_object_get(t, "ledger");
	json_t *next = json_object_get(t, "next_poll_at");
	char when[32];

#define N(obj, key) (long long)json_integer_value(json_object_get(obj, key))
	snprintf(when, sizeof(when), "%s", _("none"));
	if (json_is_integer(next))
		time_format_local((time_t)json_integer_value(next), when, sizeof(when));
	printf(_("accounts: %lld active (%lld fresh, %lld warning, %lld stale, "
	    "%lld dormant, %lld unverified, %lld not yet evaluated), %lld "
	    "suspended\n"), N(t, "active"), N(s, "fresh"), N(s, "warning"),
	    N(s, "stale"), N(s, "dormant"), N(s, "unverified"),
	    N(s, "not_evaluated"), N(t, "suspended"));
	printf(_("failing feeds: %lld\n"), N(t, "failing_feeds"));
	printf(_("open problems: %lld on %lld accounts (%lld overdue)\n"),
	    N(t, "open_problems"), N(t, "problem_accounts"),
	    N(t, "overdue_problems"));
	printf(_("outbox: %lld queued, %lld failed, %lld sent\n"), N(o, "queued"),
	    N(o, "failed"), N(o, "sent"));
	printf(_("next poll: %s\n"), N(t, "next_poll_at") == 0 &&
	    json_is_integer(next) ? _("now") : when);
	printf(_("ledger: %lld units with two active accounts on a platform, %lld "
	    "accounts nobody watches, %lld without operator or filing number%s\n"),
	    N(l, "duplicates"), N(l, "unobserved"), N(l, "incomplete"),
	    N(l, "duplicates") + N(l, "unobserved") + N(l, "incomplete") ?
	    _(" (mediawatchctl ledger check)") : "");
	print_evaluation(json_object_get(t, "evaluation"));
	putchar('\n');
#undef N
}

int
cmd_status(struct ctl *ctl, int argc, char **argv)
{
	json_t *t, *units, *failing;

	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return fputs(_(status_usage), stdout), EXIT_OK;
	if (argc > 1)
		return ctl_usage_error(status_usage, _("status takes no arguments"));
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if ((t = totals(ctl)) == NULL)
		return EXIT_REFUSED;
	units = per_unit(ctl->db);
	failing = failing_feeds(ctl->db);
	if (ctl->format == OUTPUT_JSON) {
		json_object_set(t, "units", units);
		json_object_set(t, "failing", failing);
		json_dumpf(t, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else if (ctl->format == OUTPUT_CSV) {
		output_rows(stdout, ctl->format, unit_columns,
		    ARRAY_SIZE(unit_columns), units);
	} else {
		print_summary(t);
		output_rows(stdout, ctl->format, unit_columns,
		    ARRAY_SIZE(unit_columns), units);
		if (json_array_size(failing)) {
			printf(_("\nfailing or moved feeds:\n"));
			output_rows(stdout, ctl->format, failing_columns,
			    ARRAY_SIZE(failing_columns), failing);
		}
	}
	json_decref(t);
	json_decref(units);
	json_decref(failing);
	return EXIT_OK;
}
