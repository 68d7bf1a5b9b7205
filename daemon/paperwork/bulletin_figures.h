/* bulletin_figures.h — a past month's figures per account, kept.
 *
 * A bulletin judges each account at the month's check time: its state
 * and last update then, and its posts dated in the watched time.  Live,
 * that is two searches of the histories per account, most of a large
 * registry's bulletin.  Once the month is over, the first ones cannot
 * change (only rows dated by the check time are read, and those are
 * never rewritten), so the daemon keeps them, one row an account, at its
 * first cycle after the month ends.  Posts can still arrive dated in the
 * month (a feed that was down, a late item); those stored after the
 * figures (a larger post id) are counted apart at each reading, so the
 * bulletin is the same as one computed live.
 *
 * Owns tables: bulletin_month, bulletin_figures. */
#ifndef MW_BULLETIN_FIGURES_H
#define MW_BULLETIN_FIGURES_H

#include <sqlite3.h>
#include <stdbool.h>

#include "paperwork/bulletin_text.h"
#include "registry/account.h"

/* The figures of account a at the check time ?1 over the watched time
 * from ?2, as SQL expressions; the state needs account_state s joined. */
#define FIGURE_STATE \
	"CASE WHEN s.since <= ?1 THEN s.state ELSE (SELECT sc.to_state FROM" \
	" state_change sc WHERE sc.account_id = a.id AND sc.at <= ?1 ORDER BY" \
	" sc.at DESC, sc.id DESC LIMIT 1) END"
#define FIGURE_LAST_UPDATE ACCOUNT_LAST_UPDATE_AT("a.id", "?1")
#define FIGURE_POSTS \
	"(SELECT count(*) FROM post q WHERE q.account_id = a.id AND" \
	" q.published_at >= ?2 AND q.published_at <= ?1)"

/* Keeps the figures of period p (a month over by now) under its name
 * month, unless kept already; *accounts gets the rows written (0 when
 * they were kept before).  Runs in a transaction of its own.  -1 on a
 * database error (logged). */
int  bulletin_figures_keep(sqlite3 *db, const struct period *p,
         const char *month, time_t now, long long *accounts);

/* Whether the figures of period p are kept under month; *last_post then
 * gets the newest post they count. */
bool bulletin_figures_kept(sqlite3 *db, const struct period *p,
         const char *month, long long *last_post);

#endif
