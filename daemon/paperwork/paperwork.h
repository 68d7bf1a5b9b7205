/* paperwork.h — facts shared by notices, bulletins and the status report:
 * labels, serial numbers, months, and what an account looked like at a
 * past check time.
 *
 * "At T" functions read only rows whose times are at or before T (and
 * audit rows, which never change), so a past month's figures are the same
 * whenever they are computed. */
#ifndef MW_PAPERWORK_H
#define MW_PAPERWORK_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "base/jsonrow.h"
#include "base/timeutil.h"
#include "config/config.h"

#define NEVER_UPDATED "从未更新"

/* 超期未更新, 长期未更新, 表述错误, …; the kind itself when unknown. */
const char *problem_kind_label(const char *kind);
/* The configured label of a platform key, else the key. */
const char *platform_label(const struct config *cfg, const char *key);

/* The serial as printed: pattern with %Y the year, %N the number, %% a
 * percent sign.  Caller frees. */
char *serial_format(const char *pattern, int year, long number);

/* A calendar month in the configured zone: [start, end). */
struct month {
	int     year, mon;           /* mon 1–12 */
	time_t  start, end;
};

/* Parses YYYY-MM; -1 when malformed. */
int  month_parse(const char *s, struct month *m);
void month_of(time_t t, struct month *m);
/* The month delta months away (negative: earlier). */
void month_shift(const struct month *m, int delta, struct month *out);
/* "2026-03" into buf (8 bytes). */
void month_format(const struct month *m, char *buf, size_t size);

/* Documents are for people: up to this many accounts the status report
 * lists every account and the bulletin each one's month; beyond, they
 * summarise by unit and list the accounts to act on (the data keeps every
 * account where a format needs it: the bulletin's CSV and JSON). */
#define LIST_ALL_ACCOUNTS 500

/* The account's status at a time, rebuilt from the audit trail
 * ("active", "suspended", …; the current status when no audit exists),
 * as an SQL expression for the account ID at the time T (SQL expressions,
 * such as a column and a bound parameter).  The last change
 * up to T says what it was; failing that, the state before the first
 * later change (an account registered afterwards with a past opening
 * date was open since then). */
#define ACCOUNT_STATUS_AT(ID, T) \
	"coalesce((SELECT json_extract(x.after, '$.status') FROM audit x" \
	" WHERE x.entity = 'account' AND x.entity_id = " ID " AND x.at <= " T \
	" AND x.after IS NOT NULL ORDER BY x.at DESC, x.id DESC LIMIT 1)," \
	" (SELECT json_extract(coalesce(x.before, x.after), '$.status') FROM" \
	" audit x WHERE x.entity = 'account' AND x.entity_id = " ID " AND" \
	" x.at > " T " ORDER BY x.at, x.id LIMIT 1), (SELECT y.status FROM" \
	" account y WHERE y.id = " ID "))"

/* The stale threshold (seconds) of an account: its own override, else its
 * platform's. */
long long account_stale_after(const struct config *cfg, const char *platform,
          sqlite3_stmt *st, int override_col);

/* The warning threshold (seconds), the same way. */
long long account_warn_after(const struct config *cfg, const char *platform,
              sqlite3_stmt *st, int override_col);
/* Sets a row's "warn_days" and "stale_days", which the days chart marks. */
void set_threshold_days(json_t *row, long long warn_after,
         long long stale_after);

/* "87.5%" from passed/total (caller frees); "—" when total is 0. */
char *pass_rate_text(long passed, long total);

/* An ISO date (YYYY-MM-DD) as documents write it (date_cn(), timeutil.h);
 * "—" when iso is NULL or not a date. */
json_t *iso_date_cn(const char *iso);

/* A date of t as documents write it, or NEVER_UPDATED when has is false. */
json_t *json_date(bool has, time_t t);

/* ---- rows of the long lists (base/jsonrow.h) ---- */

/* The shared string of the date of t (date_cn()), NEVER_UPDATED if !has. */
json_t *shared_date(json_t *texts, bool has, time_t t);

/* ---- what every document does the same way ---- */

/* The members every 公文 carries, from the configuration at issue:
 * "issuer" (发文机关署名), "issuer_mark" (发文机关标志), "copy_to" (抄送,
 * may be ""), "printer" (印发机关), and the date it bears (成文日期):
 * "issued" as written (2026年12月2日) and "issued_on" (2026-12-02). */
void set_document_frame(json_t *d, const struct config *cfg, time_t now);

/* The reply deadline of a document issued at now: notice.rectify_days
 * working days after the issue date, as "due" (2026年12月16日) and
 * "due_on" (2026-12-16); both null when there is none (!any). */
void set_due(json_t *d, const struct config *cfg, time_t now, bool any);

/* Sorts rows (an array of objects) stably by the unit each names in its
 * member code_key: the codes of document.unit_order first, in that
 * order, then the others by code. */
void sort_by_unit(const struct config *cfg, json_t *rows, const char *code_key);
/* Counts per unit read from st, whose rows are (unit code, unit name,
 * then one count for each of the n keys): rows {unit, unit_name, keys…}
 * by unit as sort_by_unit() puts them.  Finalizes st (NULL: a statement
 * that could not be prepared); NULL on a database error. */
json_t *unit_counts_read(const struct config *cfg, sqlite3_stmt *st,
            const char *const *keys, size_t n);
/* Account rows ("unit", "platform_key", "account_id") the same way, and
 * within a unit by platform and id, as the ledger lists them. */
void sort_accounts_by_unit(const struct config *cfg, json_t *rows);

/* Accounts are named by platform and name; where one platform and name
 * stand for more than one account in a document, the name gets the
 * account's uid (or its ledger number) in brackets.  Each list in lists is
 * an array of rows with "account_id", "platform" (the label), "account"
 * (the name, rewritten) and "uid". */
void label_accounts(json_t *const *lists, size_t n);
/* The hash an account's platform (its label) and name are told apart by:
 * equal names, equal hashes. */
uint64_t name_hash(const char *platform, const char *name);

/* Which name hashes more than one account has: only those accounts can
 * share a name with another (equal names, equal hashes).  Made for n
 * (hash, account id) pairs at most, given by shared_names_add(); an
 * account given twice (its row in two lists) counts once. */
struct shared_names;
struct shared_names *shared_names_new(size_t n);
void shared_names_add(struct shared_names *s, uint64_t hash, long long id);
bool shared_names_several(const struct shared_names *s, uint64_t hash);
void shared_names_free(struct shared_names *s);

#endif
