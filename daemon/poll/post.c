/* post.c — posts and the last-update rules. */
#include <stdlib.h>
#include <string.h>

#include "base/strset.h"
#include "base/util.h"
#include "poll/post.h"
#include "registry/account.h"
#include "store/db.h"

/* 64-bit FNV-1a: stable across versions, so stored hashes stay valid. */
uint64_t
post_key_hash(const char *key)
{
	return str_hash64(key);
}

char *
post_entry_key(const struct feed_entry *e)
{
	if (!str_empty(e->id))
		return xstrdup(e->id);
	if (!str_empty(e->link))
		return xstrdup(e->link);
	/* no id and no link: the title is all that tells entries apart */
	return xasprintf("hash:%016llx", (unsigned long long)post_key_hash(
	    e->title ? e->title : ""));
}

bool
post_entry_activity(const struct feed_entry *e, time_t fetch_time,
    bool is_new, bool first_success, time_t *out)
{
	if (e->has_date) {
		/* rule 3: a date in the future is clamped to the fetch time */
		*out = e->published > fetch_time ? fetch_time : e->published;
		return true;
	}
	/* rules 4 and 6: no date is never "now", except for a GUID that
	 * appeared between two fetches we made */
	if (is_new && !first_success) {
		*out = fetch_time;
		return true;
	}
	return false;
}

bool
feed_latest_update(const struct feed *feed, time_t now, time_t *out)
{
	bool found = false;
	time_t t;
	size_t i;

	for (i = 0; i < feed->n_entries; i++)
		if (post_entry_activity(&feed->entries[i], now, true, true, &t) &&
		    (!found || t > *out)) {
			*out = t;
			found = true;
		}
	return found;
}

static void
note_activity(struct post_summary *sum, time_t t)
{
	if (!sum->has_activity || t > sum->newest_activity)
		sum->newest_activity = t;
	sum->has_activity = true;
}

/* Refreshes the text of a known post; true when it had changed. */
static bool
refresh_entry(sqlite3_stmt *upd, long long account_id, uint64_t hash,
    const struct feed_entry *e, long long *post_id)
{
	bool changed;

	sqlite3_reset(upd);
	sqlite3_bind_text(upd, 1, e->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 2, e->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 3, e->link, -1, SQLITE_STATIC);
	sqlite3_bind_int64(upd, 4, account_id);
	sqlite3_bind_int64(upd, 5, (sqlite3_int64)hash);
	changed = sqlite3_step(upd) == SQLITE_ROW;
	if (changed)
		*post_id = sqlite3_column_int64(upd, 0);
	sqlite3_reset(upd);
	return changed;
}

/* Inserts one entry under key; *is_new tells whether it was unknown. */
static int
store_entry(sqlite3_stmt *ins, long long account_id, const struct feed_entry *e,
    const char *key, time_t fetch_time, bool *is_new)
{
	int rc;

	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, account_id);
	sqlite3_bind_int64(ins, 2, (sqlite3_int64)post_key_hash(key));
	sqlite3_bind_text(ins, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, e->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, e->link, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, e->summary, -1, SQLITE_STATIC);
	if (e->has_date)
		sqlite3_bind_int64(ins, 7, (sqlite3_int64)(e->published > fetch_time ?
		    fetch_time : e->published));
	else
		sqlite3_bind_null(ins, 7);
	sqlite3_bind_int64(ins, 8, (sqlite3_int64)fetch_time);
	rc = sqlite3_step(ins);
	if (rc != SQLITE_DONE)
		return -1;
	*is_new = sqlite3_changes(sqlite3_db_handle(ins)) > 0;
	return 0;
}

int
post_record(sqlite3 *db, long long account_id, const struct feed *feed,
    time_t fetch_time, bool first_success, struct post_summary *sum,
    const struct post_hooks *hooks)
{
	sqlite3_stmt *ins, *upd = NULL;
	struct strset seen = { 0 };
	long long post_id;
	uint64_t hash;
	bool is_new;
	time_t t;
	size_t i;
	int rc = 0;

	memset(sum, 0, sizeof(*sum));
	sum->entries = feed->n_entries;
	ins = db_prepare_cached(db, "INSERT OR IGNORE INTO post (account_id, guid_hash,"
	    " guid, title, link, summary, published_at, first_seen_at) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?)", "");
	if (ins == NULL)
		return -1;
	/* a field the feed leaves out keeps its stored text: only a field
	 * sent with other text is an edit */
	if (hooks && hooks->on_changed)
		upd = db_prepare_cached(db, "UPDATE post SET title = coalesce(?1, title),"
		    " summary = coalesce(?2, summary), link = coalesce(?3, link)"
		    " WHERE account_id = ?4 AND guid_hash = ?5 AND ((?1 IS NOT NULL"
		    " AND title IS NOT ?1) OR (?2 IS NOT NULL AND summary IS NOT ?2))"
		    " RETURNING id", "");
	for (i = 0; i < feed->n_entries && rc == 0; i++) {
		const struct feed_entry *e = &feed->entries[i];
		char *key = post_entry_key(e);
		/* of entries repeating a GUID, the first is the post */
		bool repeated = !strset_add(&seen, key);

		hash = post_key_hash(key);
		rc = store_entry(ins, account_id, e, key, fetch_time, &is_new);
		free(key);
		if (rc == -1)
			break;
		if (is_new) {
			sum->new_posts++;
			if (hooks && hooks->on_new)
				hooks->on_new(db, account_id,
				    sqlite3_last_insert_rowid(db), e, hooks->userdata);
		} else if (upd && !repeated &&
		    refresh_entry(upd, account_id, hash, e, &post_id))
			hooks->on_changed(db, account_id, post_id, e, hooks->userdata);
		if (post_entry_activity(e, fetch_time, is_new, first_success, &t))
			note_activity(sum, t);
	}
	db_release(ins);
	db_release(upd);
	strset_clear(&seen);
	if (rc == 0 && sum->has_activity)
		rc = account_raise_last_update(db, account_id, sum->newest_activity);
	return rc;
}

long
post_expire(sqlite3 *db, time_t cutoff)
{
	if (db_run(db, "DELETE FROM post WHERE first_seen_at < ?", "I",
	    (long long)cutoff) == -1)
		return -1;
	return (long)sqlite3_changes(db);
}
