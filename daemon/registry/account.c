/* account.c — opening, changing and closing accounts, with their audit. */
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "registry/account.h"
#include "registry/unit.h"
#include "registry/validate.h"
#include "store/audit.h"
#include "store/db.h"

static int
refuse(char **error, const char *field, const char *why)
{
	*error = xasprintf("%s: %s", field, _(why));
	return -1;
}

static const char *
check_duration_text(const char *v, long long *out)
{
	*out = 0;
	if (v == NULL || *v == '\0')
		return NULL;
	if (duration_parse(v, out) == -1 || *out <= 0)
		return N_("must be a duration such as \"5d\" or \"36h\"");
	return NULL;
}

static void today(char *buf, size_t size);

/* A date after today (dates compare as text: YYYY-MM-DD). */
static bool
in_future(const char *date)
{
	char day[32];

	today(day, sizeof(day));
	return strcmp(date, day) > 0;
}

/* Field rules shared by open, change and import; NULL fields are not
 * checked (change leaves them alone). */
static int
check_fields(const struct config *cfg, const struct account_fields *f,
    char **error)
{
	const struct { const char *field, *why; } checks[] = {
		{ "platform", f->platform ? check_platform(cfg, f->platform) : NULL },
		{ "name", f->name ? check_name(f->name) : NULL },
		{ "platform_uid", check_optional_text(f->platform_uid) },
		{ "feed_url", check_feed_url(f->feed_url) },
		{ "operator", check_optional_text(f->operator_name) },
		{ "filing_no", check_optional_text(f->filing_no) },
		{ "opened_on", check_date(f->opened_on) },
		{ "notes", check_optional_text(f->notes) },
	};
	long long d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(checks); i++)
		if (checks[i].why)
			return refuse(error, checks[i].field, checks[i].why);
	if (!str_empty(f->opened_on) && in_future(f->opened_on))
		return refuse(error, "opened_on", N_("is in the future"));
	if (check_duration_text(f->warn_after, &d))
		return refuse(error, "warn", check_duration_text(f->warn_after, &d));
	if (check_duration_text(f->stale_after, &d))
		return refuse(error, "stale", check_duration_text(f->stale_after, &d));
	if (check_duration_text(f->dormant_after, &d))
		return refuse(error, "dormant", check_duration_text(f->dormant_after, &d));
	return 0;
}

/* The effective thresholds must keep warn < stale < dormant. */
static int
check_thresholds(sqlite3 *db, const struct config *cfg, long long id,
    char **error)
{
	const struct platform *p;
	sqlite3_stmt *st;
	long long w, s, d;
	int ok = 1;

	st = db_prepare(db, "SELECT platform, warn_after, stale_after, "
	    "dormant_after FROM account WHERE id = ?", "I", id);
	if (st == NULL)
		return refuse(error, "account", N_("could not be read"));
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (p = config_platform(cfg, db_column_text(st, 0))) != NULL) {
		w = db_column_is_null(st, 1) ? p->warn_after : sqlite3_column_int64(st, 1);
		s = db_column_is_null(st, 2) ? p->stale_after : sqlite3_column_int64(st, 2);
		d = db_column_is_null(st, 3) ? p->dormant_after : sqlite3_column_int64(st, 3);
		ok = w < s && s < d;
	}
	sqlite3_finalize(st);
	return ok ? 0 : refuse(error, "thresholds", N_("must satisfy warn < stale "
	    "< dormant (with the platform's values for those not set)"));
}

static const char *
status_of(sqlite3 *db, long long id)
{
	static char status[16];
	char *s = NULL;

	if (db_query_text(db, &s, "SELECT status FROM account WHERE id = ?",
	    "I", id) != 0 || s == NULL)
		return NULL;
	snprintf(status, sizeof(status), "%s", s);
	free(s);
	return status;
}

static bool
is_open_status(const char *status)
{
	return strcmp(status, "active") == 0 || strcmp(status, "suspended") == 0;
}

/* The identity rule: one open account per (platform, platform uid). */
static int
check_identity(sqlite3 *db, const char *platform, const char *uid,
    long long self, char **error)
{
	long long other;

	if (str_empty(uid))
		return 0;
	if (db_query_int(db, &other, "SELECT id FROM account WHERE platform = ?"
	    " AND platform_uid = ? AND status IN ('active', 'suspended') AND"
	    " id != ?", "ssI", platform, uid, self) == 0) {
		*error = xasprintf(_("platform_uid: account %lld is already open "
		    "for %s uid '%s'"), other, platform, uid);
		return -1;
	}
	return 0;
}

static long long
duration_or_zero(const char *v)
{
	long long d = 0;

	check_duration_text(v, &d);
	return d;
}

static void
today(char *buf, size_t size)
{
	date_format_local(mw_now(), buf, size);
}

static int
audit_change(sqlite3 *db, const char *action, long long id, json_t *before,
    const char *reason)
{
	json_t *after = account_record_json(db, id);
	int rc = audit_record(db, action, "account", id, before, after, reason);

	json_decref(after);
	return rc;
}

int
account_open(sqlite3 *db, const struct config *cfg,
    const struct account_fields *f, const char *reason, long long *id,
    char **error)
{
	char opened[32];
	long long unit;

	if (str_empty(f->unit_code))
		return refuse(error, "unit_code", N_("is required"));
	if (str_empty(f->platform))
		return refuse(error, "platform", N_("is required"));
	if (f->name == NULL)
		return refuse(error, "name", N_("is required"));
	if (check_fields(cfg, f, error) == -1)
		return -1;
	if ((unit = unit_id(db, f->unit_code)) == 0)
		return refuse(error, "unit_code", N_("no such unit (add it with "
		    "`mediawatchctl unit add`)"));
	if (check_identity(db, f->platform, f->platform_uid, 0, error) == -1)
		return -1;
	if (str_empty(f->opened_on))
		today(opened, sizeof(opened));
	else
		snprintf(opened, sizeof(opened), "%s", f->opened_on);
	if (db_run(db, "INSERT INTO account (unit_id, platform, name, platform_uid,"
	    " feed_url, operator, filing_no, opened_on, notes, warn_after,"
	    " stale_after, dormant_after, created_at) VALUES (?, ?, ?, nullif(?, ''),"
	    " nullif(?, ''), nullif(?, ''), nullif(?, ''), ?, nullif(?, ''),"
	    " nullif(?, 0), nullif(?, 0), nullif(?, 0), ?)", "IssssssssIIII",
	    unit, f->platform, f->name, f->platform_uid, f->feed_url,
	    f->operator_name, f->filing_no, opened, f->notes,
	    duration_or_zero(f->warn_after), duration_or_zero(f->stale_after),
	    duration_or_zero(f->dormant_after), (long long)mw_now()) == -1)
		return refuse(error, "account", N_("could not be stored"));
	*id = sqlite3_last_insert_rowid(db);
	if (check_thresholds(db, cfg, *id, error) == -1)
		return -1;
	return audit_change(db, "account.open", *id, NULL, reason);
}

/* Columns that `account change` may set: option value NULL = unchanged. */
static int
update_text(sqlite3 *db, long long id, const char *column, const char *v,
    bool nullable)
{
	char *sql;
	int rc;

	if (v == NULL)
		return 0;
	sql = xasprintf("UPDATE account SET %s = %s WHERE id = ?", column,
	    nullable ? "nullif(?, '')" : "?");
	rc = db_run(db, sql, "sI", v, id);
	free(sql);
	return rc;
}

static int
update_duration(sqlite3 *db, long long id, const char *column, const char *v)
{
	char *sql;
	int rc;

	if (v == NULL)
		return 0;
	sql = xasprintf("UPDATE account SET %s = nullif(?, 0) WHERE id = ?", column);
	rc = db_run(db, sql, "II", duration_or_zero(v), id);
	free(sql);
	return rc;
}

static int
apply_fields(sqlite3 *db, long long id, const struct account_fields *f)
{
	int rc = 0;

	rc |= update_text(db, id, "platform", f->platform, false);
	rc |= update_text(db, id, "name", f->name, false);
	rc |= update_text(db, id, "platform_uid", f->platform_uid, true);
	rc |= update_text(db, id, "feed_url", f->feed_url, true);
	rc |= update_text(db, id, "operator", f->operator_name, true);
	rc |= update_text(db, id, "filing_no", f->filing_no, true);
	rc |= update_text(db, id, "opened_on", f->opened_on, false);
	rc |= update_text(db, id, "notes", f->notes, true);
	rc |= update_duration(db, id, "warn_after", f->warn_after);
	rc |= update_duration(db, id, "stale_after", f->stale_after);
	rc |= update_duration(db, id, "dormant_after", f->dormant_after);
	return rc;
}

static int
require_open(sqlite3 *db, long long id, const char *what, char **error)
{
	const char *status = status_of(db, id);

	if (status == NULL) {
		*error = xasprintf(_("id: no account %lld"), id);
		return -1;
	}
	if (!is_open_status(status)) {
		*error = xasprintf(_("status: account %lld is %s; %s"), id,
		    i18n_word(VOCAB_ACCOUNT_STATUS, status), _(what));
		return -1;
	}
	return 0;
}

int
account_change(sqlite3 *db, const struct config *cfg, long long id,
    const struct account_fields *f, const char *reason, char **error)
{
	char *platform = NULL, *uid = NULL;
	json_t *before;
	long long unit = 0;
	int rc;

	if (require_open(db, id, N_("a closed record is kept as it was"), error) == -1 ||
	    check_fields(cfg, f, error) == -1)
		return -1;
	if (f->opened_on && *f->opened_on == '\0')
		return refuse(error, "opened_on", N_("cannot be cleared"));
	if (f->unit_code && (unit = unit_id(db, f->unit_code)) == 0)
		return refuse(error, "unit_code", N_("no such unit"));
	before = account_record_json(db, id);
	platform = xstrdup(f->platform ? f->platform :
	    json_string_value(json_object_get(before, "platform")));
	uid = xstrdup(f->platform_uid ? f->platform_uid :
	    json_string_value(json_object_get(before, "platform_uid")));
	rc = check_identity(db, platform, uid, id, error);
	if (rc == 0 && (apply_fields(db, id, f) != 0 || (unit && db_run(db,
	    "UPDATE account SET unit_id = ? WHERE id = ?", "II", unit, id) != 0)))
		rc = refuse(error, "account", N_("could not be stored"));
	if (rc == 0)
		rc = check_thresholds(db, cfg, id, error);
	if (rc == 0)
		rc = audit_change(db, "account.change", id, before, reason);
	free(platform);
	free(uid);
	json_decref(before);
	return rc;
}

struct transition_rule {
	const char *action;        /* audit action */
	const char *from;          /* required status, NULL = any open one */
	const char *to;
	const char *refusal;       /* said when the status does not fit */
};

static const struct transition_rule transitions[] = {
	[ACCOUNT_SUSPEND] = { "account.suspend", "active", "suspended",
	    N_("only an active account can be suspended") },
	[ACCOUNT_RESUME] = { "account.resume", "suspended", "active",
	    N_("only a suspended account can be resumed") },
	[ACCOUNT_CLOSE] = { "account.close", NULL, "closed",
	    N_("only an active or suspended account can be closed") },
};

/* The closing date: on, or today; never in the future nor before the
 * account was opened. */
static int
closing_day(sqlite3 *db, long long id, const char *on, char *day,
    size_t size, char **error)
{
	char *opened = NULL;
	int rc = 0;

	if (str_empty(on)) {
		today(day, size);
		return 0;
	}
	if (check_date(on))
		return refuse(error, "on", check_date(on));
	if (in_future(on))
		return refuse(error, "on", N_("is in the future"));
	db_query_text(db, &opened, "SELECT opened_on FROM account WHERE id = ?",
	    "I", id);
	if (opened && strcmp(on, opened) < 0) {
		*error = xasprintf(_("on: %s is before the account was opened (%s)"),
		    on, opened);
		rc = -1;
	}
	free(opened);
	snprintf(day, size, "%s", on);
	return rc;
}

int
account_transition(sqlite3 *db, long long id, enum account_transition t,
    const char *on, const char *reason, char **error)
{
	const struct transition_rule *r = &transitions[t];
	const char *status = status_of(db, id);
	char day[32];
	json_t *before;
	int rc;

	if (status == NULL) {
		*error = xasprintf(_("id: no account %lld"), id);
		return -1;
	}
	if (r->from ? strcmp(status, r->from) != 0 : !is_open_status(status)) {
		*error = xasprintf(_("status: account %lld is %s; %s"), id,
		    i18n_word(VOCAB_ACCOUNT_STATUS, status), _(r->refusal));
		return -1;
	}
	if (str_empty(reason))
		return refuse(error, "reason", N_("is required"));
	if (on && t != ACCOUNT_CLOSE)
		return refuse(error, "on", N_("only a closing takes a date"));
	if (closing_day(db, id, on, day, sizeof(day), error) == -1)
		return -1;
	before = account_record_json(db, id);
	rc = db_run(db, "UPDATE account SET status = ?, closed_on = CASE WHEN ? ="
	    " 'closed' THEN ? ELSE closed_on END WHERE id = ?", "sssI", r->to,
	    r->to, day, id);
	if (rc == 0)
		rc = audit_change(db, r->action, id, before, reason);
	json_decref(before);
	return rc == 0 ? 0 : refuse(error, "account", N_("could not be stored"));
}

/* The surviving account's history shows what was merged into it: its
 * record before and after are the same, with "merged_from" naming the
 * other account. */
static int
audit_merge_in(sqlite3 *db, long long into, long long from, json_t *from_record,
    const char *reason)
{
	json_t *before = account_record_json(db, into), *after;
	int rc;

	if (before == NULL)
		return -1;
	after = json_deep_copy(before);
	json_object_set_new(after, "merged_from", json_pack("{s:I, s:O, s:O}",
	    "id", (json_int_t)from, "platform", json_object_get(from_record,
	    "platform"), "name", json_object_get(from_record, "name")));
	rc = audit_record(db, "account.merge_in", "account", into, before, after,
	    reason);
	json_decref(before);
	json_decref(after);
	return rc;
}

int
account_merge(sqlite3 *db, long long id, long long into, const char *reason,
    char **error)
{
	const char *status;
	json_t *before;
	char day[32];
	int rc;

	if (id == into)
		return refuse(error, "into", N_("an account cannot be merged into itself"));
	if (require_open(db, id, N_("only an open account can be merged"), error) == -1)
		return -1;
	if ((status = status_of(db, into)) == NULL || !is_open_status(status)) {
		*error = xasprintf(status ? _("into: account %lld is not open; "
		    "merge into an active or suspended account") :
		    _("into: account %lld does not exist"), into);
		return -1;
	}
	if (str_empty(reason))
		return refuse(error, "reason", N_("is required"));
	today(day, sizeof(day));
	before = account_record_json(db, id);
	rc = db_run(db, "UPDATE account SET status = 'merged', merged_into = ?,"
	    " closed_on = ? WHERE id = ?", "IsI", into, day, id);
	if (rc == 0)
		rc = audit_change(db, "account.merge", id, before, reason);
	if (rc == 0)
		rc = audit_merge_in(db, into, id, before, reason);
	json_decref(before);
	return rc == 0 ? 0 : refuse(error, "account", N_("could not be stored"));
}

int
account_touch(sqlite3 *db, long long id, time_t at, const char *evidence,
    char **error)
{
	json_t *before;
	int rc;

	if (require_open(db, id, N_("observations are for open accounts"), error) == -1)
		return -1;
	if (at > mw_now())
		return refuse(error, "at", N_("is in the future"));
	if (evidence && check_optional_text(evidence))
		return refuse(error, "evidence", check_optional_text(evidence));
	before = account_record_json(db, id);
	rc = db_run(db, "INSERT INTO observation (account_id, at, evidence, actor,"
	    " recorded_at) VALUES (?, ?, nullif(?, ''), ?, ?)", "IIssI", id,
	    (long long)at, evidence, audit_actor(), (long long)mw_now());
	if (rc == 0)
		rc = account_raise_last_update(db, id, at,
		    &(struct last_update_reason){ .rule = "observation",
		    .link = str_empty(evidence) ? NULL : evidence,
		    .seen_at = mw_now() });
	if (rc == 0)
		rc = audit_change(db, "account.touch", id, before, evidence);
	json_decref(before);
	return rc == 0 ? 0 : refuse(error, "account", N_("could not be stored"));
}

int
account_raise_last_update(sqlite3 *db, long long id, time_t at,
    const struct last_update_reason *why)
{
	if (db_run(db, "UPDATE account SET last_update_at = ?1"
	    " WHERE id = ?2 AND coalesce(last_update_at, 0) < ?1",
	    "II", (long long)at, id) == -1)
		return -1;
	if (sqlite3_changes(db) == 0)
		return 0;
	if (db_run(db, "INSERT INTO last_update_history (account_id,"
	    " last_update_at, recorded_at) VALUES (?, ?, ?)", "III", id,
	    (long long)at, (long long)why->seen_at) == -1)
		return -1;
	/* the first proof of a time stays: an equal one raises nothing */
	return db_run(db, "INSERT OR REPLACE INTO last_update_reason (account_id,"
	    " at, rule, clamped, post_id, guid, title, link, date_raw, seen_at)"
	    " VALUES (?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?)", "IIsIIssssI", id,
	    (long long)at, why->rule, (long long)why->clamped, why->post_id,
	    why->guid, why->title, why->link, why->date_raw,
	    (long long)why->seen_at);
}

bool
account_last_update_at(sqlite3 *db, long long id, time_t t, time_t *out)
{
	long long v = 0;

	if (db_query_int(db, &v, "SELECT coalesce("
	    ACCOUNT_LAST_UPDATE_AT("?1", "?2") ", 0)", "II", id,
	    (long long)t) != 0 || v == 0)
		return false;
	*out = (time_t)v;
	return true;
}

int
account_id_range(sqlite3 *db, long long *lo, long long *hi)
{
	/* each its own query: SQLite reads min() or max() alone off the end
	 * of the table, both together by reading the whole of it */
	sqlite3_stmt *st = db_prepare(db, "SELECT coalesce((SELECT min(id) FROM"
	    " account), 0), coalesce((SELECT max(id) FROM account), 0)", "");
	int rc = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW) {
		*lo = sqlite3_column_int64(st, 0);
		*hi = sqlite3_column_int64(st, 1) + 1;
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
account_count_over(sqlite3 *db, long long n, bool open_only, bool *over)
{
	long long counted = 0;

	if (db_query_int(db, &counted, "SELECT count(*) FROM (SELECT 1 FROM"
	    " account WHERE ?1 = 0 OR status IN ('active', 'suspended') LIMIT"
	    " ?2)", "iI", (int)open_only, n + 1) == -1)
		return -1;
	*over = counted > n;
	return 0;
}

/* The recorded reason of the last update, when it still explains it. */
static json_t *
last_update_reason_json(sqlite3 *db, long long id)
{
	static const char *const keys[] = { "rule", "clamped", "post_id",
	    "guid", "title", "link", "date_raw", "seen_at" };
	sqlite3_stmt *st;
	json_t *o = NULL;
	size_t i;

	st = db_prepare(db, "SELECT r.rule, r.clamped, r.post_id, r.guid,"
	    " r.title, r.link, r.date_raw, r.seen_at FROM last_update_reason r"
	    " JOIN account a ON a.id = r.account_id WHERE r.account_id = ? AND"
	    " r.at = a.last_update_at", "I", id);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		o = json_object();
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			json_object_set_new(o, keys[i],
			    db_column_json(st, (int)i));
		json_object_set_new(o, "clamped",
		    json_boolean(sqlite3_column_int(st, 1)));
	}
	sqlite3_finalize(st);
	return o ? o : json_null();
}

/* ---- reading ---- */

static const char account_select[] =
	"SELECT a.id, u.code, u.name, a.platform, a.name, a.platform_uid,"
	" a.feed_url, a.status, a.merged_into, a.opened_on, a.closed_on,"
	" a.operator, a.filing_no, a.warn_after, a.stale_after, a.dormant_after,"
	" a.notes, a.created_at, a.last_update_at, f.last_fetch_at,"
	" f.last_status, f.last_error, nullif(f.next_poll_at, 0), f.failing,"
	" f.permanent_redirect, f.last_success_at, s.state"
	" FROM account a JOIN unit u ON u.id = a.unit_id"
	" LEFT JOIN feed_state f ON f.account_id = a.id"
	" LEFT JOIN account_state s ON s.account_id = a.id ";

static const char *const record_keys[] = {
	"id", "unit", "unit_name", "platform", "name", "platform_uid",
	"feed_url", "status", "merged_into", "opened_on", "closed_on",
	"operator", "filing_no", "warn_after", "stale_after", "dormant_after",
	"notes",
};

static const char *const state_keys[] = {
	"created_at", "last_update_at", "last_fetch_at", "last_status",
	"last_error", "next_poll_at", "feed_failing", "permanent_redirect",
	"last_success_at", "state",
};

/* The fetch result in words, for tables: "ok", "HTTP 404", "never". */
static json_t *
fetch_summary(sqlite3_stmt *st)
{
	if (db_column_is_null(st, 19))
		return json_string("never");
	if (!db_column_is_null(st, 21))
		return json_string(db_column_text(st, 21));
	if (sqlite3_column_int(st, 20) == 304)
		return json_string("not modified");
	return json_string("ok");
}

static json_t *
account_row(sqlite3_stmt *st, bool with_state)
{
	json_t *row = json_object();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(record_keys); i++)
		json_object_set_new(row, record_keys[i], db_column_json(st, (int)i));
	if (!with_state)
		return row;
	for (i = 0; i < ARRAY_SIZE(state_keys); i++)
		json_object_set_new(row, state_keys[i],
		    db_column_json(st, (int)(i + ARRAY_SIZE(record_keys))));
	json_object_set_new(row, "feed_failing", json_boolean(
	    sqlite3_column_int(st, 23) != 0));
	json_object_set_new(row, "last_fetch", fetch_summary(st));
	return row;
}

static json_t *
account_by_id(sqlite3 *db, long long id, bool with_state)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	json_t *row = NULL;

	sb_printf(&sql, "%sWHERE a.id = ?", account_select);
	if ((st = db_prepare(db, sb_str(&sql), "I", id)) != NULL) {
		if (sqlite3_step(st) == SQLITE_ROW)
			row = account_row(st, with_state);
		sqlite3_finalize(st);
	}
	sb_free(&sql);
	return row;
}

json_t *
account_record_json(sqlite3 *db, long long id)
{
	return account_by_id(db, id, false);
}

json_t *
account_json(sqlite3 *db, long long id)
{
	json_t *row = account_by_id(db, id, true);

	if (row != NULL)
		json_object_set_new(row, "last_update_reason",
		    last_update_reason_json(db, id));
	return row;
}

json_t *
account_list_json(sqlite3 *db, const struct account_filter *f)
{
	struct strbuf sql = STRBUF_INIT;
	json_t *rows = json_array();
	sqlite3_stmt *st;

	sb_printf(&sql, "%sWHERE (?1 IS NULL OR u.code = ?1) AND (?2 IS NULL OR"
	    " a.platform = ?2) AND (?3 IS NULL OR a.status = ?3) ORDER BY u.code,"
	    " a.platform, a.id", account_select);
	st = db_prepare(db, sb_str(&sql), "sss", f->unit_code, f->platform,
	    f->status);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, account_row(st, true));
	sqlite3_finalize(st);
	sb_free(&sql);
	return rows;
}
