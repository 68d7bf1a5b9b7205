/* wording.h — the wording check (issue 7) applied to what accounts publish.
 *
 * Every new post's title and summary are checked against the configured
 * word lists (wordcheck.h).  Each wrong form found opens one `wording`
 * problem on the account: detail "表述错误「WRONG」→「CORRECT」…", the
 * entry's severity, evidence = post link and a snippet.  A post is never
 * reported twice for the same wrong form: a problem row, open or closed,
 * for (post, wrong form) means it was reported.
 *
 * `serious` hits also queue one email per post to the unit with admins in
 * copy (template unit-wording), but only for a post dated within
 * WORDING_MAIL_AGE (publication date, else first seen): an old post seen
 * for the first time (a new account's backlog, a rescan after a list
 * change) goes on the problem list and into the next notice, like `typo`
 * hits always do.
 *
 * When a post's text changes (an edit) or the lists change (rescan), the
 * open wording problems of the post whose wrong form is no longer found
 * close with reason `rectified`; new wrong forms open problems as above.
 *
 * Everything runs inside the caller's transaction under a savepoint, so a
 * failure (a template error, a database error) leaves nothing half-done:
 * the post stays stored unchecked and `mediawatchctl wordcheck --rescan`
 * checks it later.  Nothing here prints; failures are logged once.
 *
 * Ownership: wording_load() returns a checker freed with wordcheck_free();
 * the other functions borrow everything they are given. */
#ifndef MW_WORDING_H
#define MW_WORDING_H

#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#include "base/template.h"
#include "config/config.h"
#include "poll/feed.h"
#include "wording/wordcheck.h"

#define WORDING_MAIL_AGE (2 * 86400)   /* newer posts get an email at once */

/* The checker of cfg's wording.lists and wording.allowlists.  Returns NULL
 * with *error NULL when no list is configured (the check is off), NULL
 * with *error "FILE:LINE: message" (caller frees) when a list is bad. */
struct wordcheck *wording_load(const struct config *cfg, char **error);

/* "…before【wrong】after…": a hit of res with up to WORDCHECK_CONTEXT
 * characters of normalised text on each side, "…" where the text goes on.
 * The caller frees it. */
char *wording_snippet(const struct wordcheck_result *res,
          const struct wordhit *h);

/* A post first stored now: checks title and summary (either may be NULL),
 * opens problems, queues the email for serious hits.  wc NULL does
 * nothing.  Returns the number of problems opened, or -1 (logged; rolled
 * back to where it started). */
int  wording_check_post(sqlite3 *db, const struct config *cfg,
         struct wordcheck *wc, long long account_id, long long post_id,
         const char *title, const char *summary, const char *link,
         time_t now);

/* A stored post whose title or summary changed: the same, and its open
 * wording problems no longer found close as rectified ("帖子已修改").
 * Returns problems opened plus closed, or -1. */
int  wording_recheck_post(sqlite3 *db, const struct config *cfg,
         struct wordcheck *wc, long long account_id, long long post_id,
         const char *title, const char *summary, const char *link,
         time_t now);

/* Adapters with post.h's callback signature (struct post_hooks on_new and
 * on_changed); userdata is a struct wording_hook, whose pointers the
 * daemon updates on a reload.  The time is mw_now(), the fetch time to the
 * second.  The changed-post adapter re-reads the stored row. */
struct wording_hook {
	const struct config *cfg;
	struct wordcheck    *wc;       /* NULL: the check is off */
};

void wording_on_new_post(sqlite3 *db, long long account_id, long long post_id,
         const struct feed_entry *entry, void *hook);
void wording_on_changed_post(sqlite3 *db, long long account_id,
         long long post_id, const struct feed_entry *entry, void *hook);

/* Re-checks the stored posts first seen or published at or after since
 * (0: all) after a list changed.  Posts of accounts that are not active
 * get no new problems; any post can have its problems closed ("词表更新
 * 后复查"). */
struct wording_stats {
	unsigned long posts;           /* posts checked */
	unsigned long hits;            /* wrong forms found (distinct per post) */
	unsigned long opened;          /* problems opened */
	unsigned long closed;          /* problems closed as rectified */
	unsigned long mailed;          /* emails queued */
};

int  wording_rescan(sqlite3 *db, const struct config *cfg,
         struct wordcheck *wc, time_t since, time_t now,
         struct wording_stats *stats);

/* The names of the unit-wording message with invented values, built by the
 * same code as the real ones (for check-config).  Caller frees. */
struct tmpl_vars *wording_sample_vars(const struct config *cfg, time_t now);

#endif
