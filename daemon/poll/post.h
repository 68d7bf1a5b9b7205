/* post.h — recording a feed's entries and deciding the last update.
 *
 * The rules are DESIGN.md's "How last update is decided": an entry's date
 * (clamped to the fetch time) counts whether the entry is new or not, so the
 * newest date over all entries wins and a re-keyed old entry adds nothing;
 * an undated entry counts at its first-seen time only when its GUID is new
 * and this is not the account's first successful fetch.
 *
 * Owns table: post. */
#ifndef MW_POST_H
#define MW_POST_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "poll/feed.h"

struct post_summary {
	size_t  entries;          /* entries in the feed */
	size_t  new_posts;        /* GUIDs not seen before */
	bool    has_activity;     /* some entry gave an activity time */
	time_t  newest_activity;  /* valid when has_activity */
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

/* The activity time an entry proves, by the rules above; false when none. */
bool     post_entry_activity(const struct feed_entry *entry, time_t fetch_time,
             bool is_new, bool first_success, time_t *out);

/* Stores the entries of one successful fetch inside the caller's
 * transaction and raises account.last_update_at when they prove newer
 * activity (it never goes back).  Returns -1 on a database error. */
int      post_record(sqlite3 *db, long long account_id, const struct feed *feed,
             time_t fetch_time, bool first_success, struct post_summary *sum,
             const struct post_hooks *hooks);

/* The last update a feed shows when read as a first fetch (what
 * `feed inspect` reports).  False when no entry is dated. */
bool     feed_latest_update(const struct feed *feed, time_t now, time_t *out);

/* Deletes posts first seen before cutoff.  Returns rows deleted or -1. */
long     post_expire(sqlite3 *db, time_t cutoff);

#endif
