/* post.c — posts and the last-update rules. */
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/strset.h"
#include "base/util.h"
#include "poll/post.h"
#include "registry/account.h"
#include "store/db.h"

static const struct {
	const char *key;
	const char *text;
} rules[] = {
	[RULE_PUBLISHED] = { "published", N_("publication date") },
	[RULE_MODIFIED_UNCHANGED] = { "modified-unchanged",
	    N_("modification date, accepted: the same on two fetches") },
	[RULE_MODIFIED_NEW_ENTRY] = { "modified-new-entry",
	    N_("modification date, accepted: the entry appeared since the "
	    "previous fetch") },
	[RULE_FIRST_SEEN] = { "first-seen",
	    N_("first-seen time: the entry appeared between two fetches and has "
	    "no date that counts") },
	[RULE_UNDATED_FIRST_FETCH] = { "undated-first-fetch",
	    N_("no date: an undated entry proves nothing on the first fetch") },
	[RULE_UNDATED_KNOWN] = { "undated-known",
	    N_("no date: an undated entry seen before is not new") },
	[RULE_MODIFIED_FIRST_FETCH] = { "modified-first-fetch",
	    N_("modification date, refused: on a first fetch it cannot be told "
	    "from the time the feed was rendered") },
	[RULE_MODIFIED_CHANGED] = { "modified-changed",
	    N_("modification date, refused: not the one the previous fetch "
	    "showed (a render time moves with every fetch)") },
};

const char *
activity_rule_key(enum activity_rule rule)
{
	return rules[rule].key;
}

const char *
activity_rule_text(const char *key)
{
	size_t i;

	if (key == NULL)
		return NULL;
	if (strcmp(key, "observation") == 0)
		return N_("manual observation (account touch)");
	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (strcmp(key, rules[i].key) == 0)
			return rules[i].text;
	return NULL;
}

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

/* Rule 8: a modification date may be the time the feed was rendered.  It
 * counts when two fetches agree on it, or for an entry that was not there
 * at the previous fetch; else the entry is taken as undated. */
static enum activity_rule
modified_rule(const struct feed_entry *e, const struct entry_history *h)
{
	if (h->first_success)
		return RULE_MODIFIED_FIRST_FETCH;
	if (h->is_new)
		return RULE_MODIFIED_NEW_ENTRY;
	if (h->had_modified && h->prev_modified == e->published)
		return RULE_MODIFIED_UNCHANGED;
	return RULE_MODIFIED_CHANGED;
}

bool
post_entry_activity(const struct feed_entry *e, time_t fetch_time,
    const struct entry_history *h, struct activity *out)
{
	memset(out, 0, sizeof(*out));
	if (e->has_date) {
		out->rule = e->date_modified ? modified_rule(e, h) :
		    RULE_PUBLISHED;
		if (out->rule == RULE_PUBLISHED ||
		    out->rule == RULE_MODIFIED_UNCHANGED ||
		    out->rule == RULE_MODIFIED_NEW_ENTRY) {
			/* rule 3: a date in the future is the fetch time */
			out->clamped = e->published > fetch_time;
			out->at = out->clamped ? fetch_time : e->published;
			out->counts = true;
			return true;
		}
	}
	/* rules 4 and 6: no date is never "now", except for a GUID that
	 * appeared between two fetches we made */
	if (h->is_new && !h->first_success) {
		out->rule = RULE_FIRST_SEEN;
		out->at = fetch_time;
		out->counts = true;
		return true;
	}
	if (!e->has_date)
		out->rule = h->first_success ? RULE_UNDATED_FIRST_FETCH :
		    RULE_UNDATED_KNOWN;
	return false;
}

static void
note_activity(struct post_summary *sum, size_t i, const struct activity *a)
{
	if (sum->has_activity && a->at <= sum->newest_activity)
		return;
	sum->newest_activity = a->at;
	sum->decided_by = i;
	sum->why = *a;
	sum->has_activity = true;
}

bool
feed_latest_update(const struct feed *feed, time_t now, time_t *out,
    size_t *entry, struct activity *why)
{
	const struct entry_history first = { .is_new = true,
	    .first_success = true };
	struct post_summary sum = { 0 };
	struct activity a;
	size_t i;

	for (i = 0; i < feed->n_entries; i++)
		if (post_entry_activity(&feed->entries[i], now, &first, &a))
			note_activity(&sum, i, &a);
	if (!sum.has_activity)
		return false;
	*out = sum.newest_activity;
	*entry = sum.decided_by;
	*why = sum.why;
	return true;
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

/* Inserts one entry under key; *is_new tells whether it was unknown, and
 * *post_id is the new row's id. */
static int
store_entry(sqlite3_stmt *ins, long long account_id, const struct feed_entry *e,
    const char *key, time_t fetch_time, bool *is_new, long long *post_id)
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
	if (e->has_date && e->date_modified)
		sqlite3_bind_int64(ins, 9, (sqlite3_int64)e->published);
	else
		sqlite3_bind_null(ins, 9);
	rc = sqlite3_step(ins);
	if (rc != SQLITE_DONE)
		return -1;
	*is_new = sqlite3_changes(sqlite3_db_handle(ins)) > 0;
	*post_id = *is_new ?
	    sqlite3_last_insert_rowid(sqlite3_db_handle(ins)) : 0;
	return 0;
}

/* A known entry dated by a modification date: the one the previous fetch
 * showed goes into h, and this one is kept for the next fetch (by the first
 * of entries repeating a GUID).  Only such entries cost these statements. */
static int
swap_modified(sqlite3 *db, long long account_id, uint64_t hash,
    const struct feed_entry *e, bool repeated, struct entry_history *h,
    long long *post_id)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare_cached(db, "SELECT id, modified_at FROM post WHERE"
	    " account_id = ? AND guid_hash = ?", "II", account_id,
	    (long long)hash);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*post_id = sqlite3_column_int64(st, 0);
		h->had_modified = !db_column_is_null(st, 1);
		h->prev_modified = (time_t)sqlite3_column_int64(st, 1);
	}
	db_release(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (repeated || (h->had_modified && h->prev_modified == e->published))
		return 0;
	return db_run(db, "UPDATE post SET modified_at = ? WHERE account_id = ?"
	    " AND guid_hash = ?", "III", (long long)e->published, account_id,
	    (long long)hash);
}

/* The post id of a known entry, for the reason of a last update. */
static long long
known_post_id(sqlite3 *db, long long account_id, const char *key)
{
	long long id = 0;

	db_query_int(db, &id, "SELECT id FROM post WHERE account_id = ? AND"
	    " guid_hash = ?", "II", account_id, (long long)post_key_hash(key));
	return id;
}

/* Raises the last update to what the feed proved, with the entry and the
 * rule that proved it. */
static int
raise_last_update(sqlite3 *db, long long account_id, const struct feed *feed,
    const struct post_summary *sum, long long post_id, time_t fetch_time)
{
	const struct feed_entry *e = &feed->entries[sum->decided_by];
	char *key = post_entry_key(e);
	struct last_update_reason why = {
		.rule = activity_rule_key(sum->why.rule),
		.clamped = sum->why.clamped,
		.post_id = post_id ? post_id : known_post_id(db, account_id, key),
		.guid = key, .title = e->title, .link = e->link,
		.date_raw = e->date_raw, .seen_at = fetch_time,
	};
	int rc;

	rc = account_raise_last_update(db, account_id, sum->newest_activity,
	    &why);
	free(key);
	return rc;
}

int
post_record(sqlite3 *db, long long account_id, const struct feed *feed,
    time_t fetch_time, bool first_success, struct post_summary *sum,
    const struct post_hooks *hooks)
{
	sqlite3_stmt *ins, *upd = NULL;
	struct strset seen = { 0 };
	struct entry_history h;
	struct activity a;
	long long post_id, decided_post = 0;
	uint64_t hash;
	size_t i;
	int rc = 0;

	memset(sum, 0, sizeof(*sum));
	sum->entries = feed->n_entries;
	ins = db_prepare_cached(db, "INSERT OR IGNORE INTO post (account_id, guid_hash,"
	    " guid, title, link, summary, published_at, first_seen_at,"
	    " modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "");
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

		memset(&h, 0, sizeof(h));
		h.first_success = first_success;
		hash = post_key_hash(key);
		rc = store_entry(ins, account_id, e, key, fetch_time, &h.is_new,
		    &post_id);
		free(key);
		if (rc == -1)
			break;
		if (!h.is_new && e->has_date && e->date_modified &&
		    (rc = swap_modified(db, account_id, hash, e, repeated, &h,
		    &post_id)) == -1)
			break;
		if (h.is_new) {
			sum->new_posts++;
			if (hooks && hooks->on_new)
				hooks->on_new(db, account_id, post_id, e,
				    hooks->userdata);
		} else if (upd && !repeated &&
		    refresh_entry(upd, account_id, hash, e, &post_id))
			hooks->on_changed(db, account_id, post_id, e, hooks->userdata);
		if (post_entry_activity(e, fetch_time, &h, &a)) {
			note_activity(sum, i, &a);
			if (sum->decided_by == i)
				decided_post = post_id;
		}
	}
	db_release(ins);
	db_release(upd);
	strset_clear(&seen);
	if (rc == 0 && sum->has_activity)
		rc = raise_last_update(db, account_id, feed, sum, decided_post,
		    fetch_time);
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
