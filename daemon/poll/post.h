/* post.h — recording a feed's entries and deciding the last update.
 *
 * Owns table: post.
 *
 * The rules are DESIGN.md's "How last update is decided".  An entry proves
 * activity at:
 *  - its publication date, whether the entry is new or not, so the newest
 *    date over all entries wins and a re-keyed old entry adds nothing;
 *  - its modification date, when that is its date (no publication date),
 *    only once it can be told from the time the feed was rendered (RSSHub
 *    writes the render time into an undated entry's <updated>): for a known
 *    entry, when the previous fetch showed the same modification date; for
 *    an entry that appeared since the previous fetch, as its date.  On the
 *    account's first successful fetch no modification date counts;
 *  - its first-seen time, when it is undated (or its modification date does
 *    not count), its GUID is new and this is not the first successful fetch;
 * and a date in the future counts as the fetch time. */
#ifndef MW_POST_H
#define MW_POST_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "poll/feed.h"

/* Why an entry proves activity, or does not. */
enum activity_rule {
	RULE_PUBLISHED,             /* its publication date */
	RULE_MODIFIED_UNCHANGED,    /* its modification date, as on the
	                             * previous fetch */
	RULE_MODIFIED_NEW_ENTRY,    /* its modification date; the entry
	                             * appeared since the previous fetch */
	RULE_FIRST_SEEN,            /* new since the previous fetch, no date
	                             * that counts: the fetch time */
	RULE_UNDATED_FIRST_FETCH,   /* no activity: the first fetch */
	RULE_UNDATED_KNOWN,         /* no activity: seen before */
	RULE_MODIFIED_FIRST_FETCH,  /* refused: may be the render time */
	RULE_MODIFIED_CHANGED,      /* refused: not as on the previous fetch */
};

struct activity {
	enum activity_rule rule;
	bool    counts;           /* the rule gives a time */
	bool    clamped;          /* a future date: the fetch time */
	time_t  at;               /* valid when counts */
};

/* What was known of an entry before this fetch. */
struct entry_history {
	bool    is_new;           /* its GUID had never been seen */
	bool    first_success;    /* the account's first successful fetch */
	bool    had_modified;     /* the previous fetch showed it with a
	                           * modification date for its date … */
	time_t  prev_modified;    /* … this one */
};

struct post_summary {
	size_t  entries;          /* entries in the feed */
	size_t  new_posts;        /* GUIDs not seen before */
	bool    has_activity;     /* some entry gave an activity time */
	time_t  newest_activity;  /* valid when has_activity */
	size_t  decided_by;       /* the entry that gave it */
	struct activity why;      /* and how */
};

/* Called inside the transaction for each post stored for the first time,
 * and for each known post whose title, summary or link changed (the
 * stored row is updated first): the wording check hooks in here. */
typedef void (*post_new_fn)(sqlite3 *db, long long account_id,
    long long post_id, const struct feed_entry *entry, void *userdata);

struct post_hooks {
	post_new_fn  on_new;
	post_new_fn  on_changed;
	void        *userdata;
};

/* The identity of an entry: its id, else its link, else a hash of its title
 * and link.  Returns a malloc'd string. */
char    *post_entry_key(const struct feed_entry *entry);
uint64_t post_key_hash(const char *key);

/* The activity an entry proves by the rules above; returns out->counts. */
bool     post_entry_activity(const struct feed_entry *entry, time_t fetch_time,
             const struct entry_history *h, struct activity *out);
/* "published", "modified-unchanged", … : the key stored and shown. */
const char *activity_rule_key(enum activity_rule rule);
/* The rule named by a key (also "observation", a manual one) in words for
 * an admin; NULL for an unknown key. */
const char *activity_rule_text(const char *key);

/* Stores the entries of one successful fetch inside the caller's
 * transaction and raises account.last_update_at, with its reason, when
 * they prove newer activity (it never goes back).  Returns -1 on a
 * database error. */
int      post_record(sqlite3 *db, long long account_id, const struct feed *feed,
             time_t fetch_time, bool first_success, struct post_summary *sum,
             const struct post_hooks *hooks);

/* The last update a feed shows when read as a first fetch (what
 * `feed inspect` reports): false when no entry proves one; else the time,
 * the entry (*entry) and the rule (*why). */
bool     feed_latest_update(const struct feed *feed, time_t now, time_t *out,
             size_t *entry, struct activity *why);

/* Deletes posts first seen before cutoff.  Returns rows deleted or -1. */
long     post_expire(sqlite3 *db, time_t cutoff);

#endif
