/* post.c — posts and the last-update rules. */
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
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

/*
 * A fetch's entries are stored in a few statements, not one per entry: a
 * statement's own cost (its cursors on the table and three indexes) is
 * more than that of the row it inserts.  One SELECT finds which of the
 * feed's GUID hashes are stored already, with what the rules need of them;
 * the others are inserted GROUP rows at a time.  Inside the caller's
 * transaction nothing else writes, so the inserted rows take consecutive
 * ids.  What happens to each entry is then decided in the feed's order,
 * as if the entries had been inserted one by one (INSERT OR IGNORE): of
 * entries sharing a GUID hash the first is the post.
 *
 * The INSERTs themselves say OR IGNORE although no row can conflict: a
 * statement of several rows that could stop halfway on a conflict makes
 * SQLite copy every page it is to change into a statement journal first,
 * to undo the rows before; one that ignores conflicts has nothing to undo.
 * (A foreign key checked at once would do the same: the poll's batches do
 * not enforce them, see poller.c.)  The rows inserted are counted instead.
 */
#define GROUP     16      /* hashes per SELECT; INSERTs take 16, 4 or 1 rows */
#define ROW       "(?,?,?,?,?,?,?,?,?)"
#define ROWS4     ROW "," ROW "," ROW "," ROW
#define HASH      "?,"
#define HASHES4   HASH HASH HASH HASH
#define INSERT_POST "INSERT OR IGNORE INTO post (account_id, guid_hash, guid," \
                  " title, link, summary, published_at, first_seen_at," \
                  " modified_at) VALUES "

static const char insert_1[] = INSERT_POST ROW;
static const char insert_4[] = INSERT_POST ROWS4;
static const char insert_16[] = INSERT_POST ROWS4 "," ROWS4 "," ROWS4 "," ROWS4;
static const char select_group[] = "SELECT guid_hash, id, modified_at FROM"
    " post WHERE account_id = ? AND guid_hash IN (" HASHES4 HASHES4 HASHES4
    HASH HASH HASH "?)";

/* The stored post of a GUID hash, as this fetch leaves it. */
struct stored {
	long long  id;            /* 0 until found or inserted */
	bool       is_new;        /* inserted by this fetch */
	bool       has_modified;  /* modified_at is set … */
	time_t     modified_at;   /* … to this */
};

/* An entry's place in the order by hash. */
struct hash_ref {
	uint64_t   hash;
	size_t     index;         /* in the feed */
};

/* The entries of one fetch, with what storing them needs. */
struct batch {
	const struct feed *feed;
	long long          account_id;
	time_t             fetch_time;
	size_t             n;
	char             **keys;
	uint64_t          *hashes;
	struct hash_ref   *by_hash;   /* sorted by hash, then index */
	size_t            *owner;     /* the first entry with the same hash */
	bool              *repeated;  /* the same key came earlier */
	struct stored     *stored;    /* by owner */
};

static int
cmp_hash_ref(const void *a, const void *b)
{
	const struct hash_ref *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Owners and repeats, from the runs of equal hashes. */
static void
batch_group(struct batch *b)
{
	size_t k, m, first = 0;

	qsort(b->by_hash, b->n, sizeof(*b->by_hash), cmp_hash_ref);
	for (k = 0; k < b->n; k++) {
		size_t i = b->by_hash[k].index;

		if (k == 0 || b->by_hash[k].hash != b->by_hash[k - 1].hash)
			first = k;
		b->owner[i] = b->by_hash[first].index;
		for (m = first; m < k && !b->repeated[i]; m++)
			b->repeated[i] = strcmp(b->keys[b->by_hash[m].index],
			    b->keys[i]) == 0;
	}
}

static void
batch_init(struct batch *b, long long account_id, const struct feed *feed,
    time_t fetch_time)
{
	size_t i, n = feed->n_entries;

	memset(b, 0, sizeof(*b));
	b->feed = feed;
	b->account_id = account_id;
	b->fetch_time = fetch_time;
	b->n = n;
	b->keys = xcalloc(n + 1, sizeof(*b->keys));
	b->hashes = xcalloc(n + 1, sizeof(*b->hashes));
	b->by_hash = xcalloc(n + 1, sizeof(*b->by_hash));
	b->owner = xcalloc(n + 1, sizeof(*b->owner));
	b->repeated = xcalloc(n + 1, sizeof(*b->repeated));
	b->stored = xcalloc(n + 1, sizeof(*b->stored));
	for (i = 0; i < n; i++) {
		b->keys[i] = post_entry_key(&feed->entries[i]);
		b->hashes[i] = post_key_hash(b->keys[i]);
		b->by_hash[i] = (struct hash_ref){ b->hashes[i], i };
	}
	batch_group(b);
}

static void
batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->keys[i]);
	free(b->keys);
	free(b->hashes);
	free(b->by_hash);
	free(b->owner);
	free(b->repeated);
	free(b->stored);
}

/* The owner of a hash, by binary search; n when the feed has none. */
static size_t
batch_owner_of(const struct batch *b, uint64_t hash)
{
	size_t lo = 0, hi = b->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (b->by_hash[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->n && b->by_hash[lo].hash == hash ?
	    b->by_hash[lo].index : b->n;
}

static void
note_stored(struct batch *b, sqlite3_stmt *st)
{
	size_t o = batch_owner_of(b, (uint64_t)sqlite3_column_int64(st, 0));

	if (o == b->n)
		return;
	b->stored[o].id = sqlite3_column_int64(st, 1);
	b->stored[o].has_modified = !db_column_is_null(st, 2);
	b->stored[o].modified_at = (time_t)sqlite3_column_int64(st, 2);
}

/* Which owners have a stored post, GROUP hashes per query (the unused
 * places bind NULL, which matches nothing).  An account without posts, as
 * on its first fetch, costs one look. */
static int
batch_find_stored(sqlite3 *db, struct batch *b)
{
	sqlite3_stmt *st;
	size_t k = 0, bound;
	long long any = 0;
	int rc = SQLITE_DONE;

	if (b->n > 0 && db_query_int(db, &any, "SELECT EXISTS (SELECT 1 FROM"
	    " post WHERE account_id = ?)", "I", b->account_id) == -1)
		return -1;
	while (any && k < b->n && rc == SQLITE_DONE) {
		if ((st = db_prepare_cached(db, select_group, "I",
		    b->account_id)) == NULL)
			return -1;
		for (bound = 0; k < b->n && bound < GROUP; k++)
			if (b->owner[b->by_hash[k].index] == b->by_hash[k].index)
				sqlite3_bind_int64(st, (int)(2 + bound++),
				    (sqlite3_int64)b->by_hash[k].hash);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			note_stored(b, st);
		if (rc != SQLITE_DONE)
			log_warnx("database: %s", sqlite3_errmsg(db));
		db_release(st);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
bind_entry(sqlite3_stmt *st, int row, const struct batch *b, size_t i)
{
	const struct feed_entry *e = &b->feed->entries[i];
	int c = row * 9;
	time_t t = b->fetch_time;

	sqlite3_bind_int64(st, c + 1, b->account_id);
	sqlite3_bind_int64(st, c + 2, (sqlite3_int64)b->hashes[i]);
	sqlite3_bind_text(st, c + 3, b->keys[i], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, c + 4, e->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, c + 5, e->link, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, c + 6, e->summary, -1, SQLITE_STATIC);
	if (e->has_date)
		sqlite3_bind_int64(st, c + 7, e->published > t ? t : e->published);
	else
		sqlite3_bind_null(st, c + 7);
	sqlite3_bind_int64(st, c + 8, t);
	if (e->has_date && e->date_modified)
		sqlite3_bind_int64(st, c + 9, e->published);
	else
		sqlite3_bind_null(st, c + 9);
}

/* Inserts the entries rows[0..n) (n is 1, 4 or 16) and records their
 * posts. */
static int
insert_rows(sqlite3 *db, struct batch *b, const size_t *rows, size_t n)
{
	sqlite3_stmt *st;
	long long last;
	size_t r;
	int rc;

	if ((st = db_prepare_cached(db, n == 16 ? insert_16 : n == 4 ?
	    insert_4 : insert_1, "")) == NULL)
		return -1;
	for (r = 0; r < n; r++)
		bind_entry(st, (int)r, b, rows[r]);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		log_warnx("database: %s", sqlite3_errmsg(db));
	else if ((size_t)sqlite3_changes(db) != n) {
		/* the look-up said none of them was stored: a row left out
		 * would shift the ids counted below */
		log_warnx("account %lld: %zu of %zu posts were already stored",
		    b->account_id, n - (size_t)sqlite3_changes(db), n);
		rc = SQLITE_CONSTRAINT;
	}
	last = sqlite3_last_insert_rowid(db);
	db_release(st);
	if (rc != SQLITE_DONE)
		return -1;
	for (r = 0; r < n; r++) {
		const struct feed_entry *e = &b->feed->entries[rows[r]];
		struct stored *s = &b->stored[rows[r]];

		s->id = last - (long long)(n - 1 - r);
		s->is_new = true;
		s->has_modified = e->has_date && e->date_modified;
		s->modified_at = e->published;
	}
	return 0;
}

/* Inserts every owner not stored yet, in the feed's order. */
static int
batch_insert_new(sqlite3 *db, struct batch *b)
{
	size_t *rows = xcalloc(b->n + 1, sizeof(*rows));
	size_t i, n = 0, done = 0;
	int rc = 0;

	for (i = 0; i < b->n; i++)
		if (b->owner[i] == i && b->stored[i].id == 0)
			rows[n++] = i;
	while (rc == 0 && done < n) {
		size_t group = n - done >= 16 ? 16 : n - done >= 4 ? 4 : 1;

		rc = insert_rows(db, b, rows + done, group);
		done += group;
	}
	free(rows);
	return rc;
}

/* Refreshes the text of a known post; true when it had changed. */
static bool
refresh_entry(sqlite3_stmt *upd, long long account_id, uint64_t hash,
    const struct feed_entry *e)
{
	bool changed;

	sqlite3_reset(upd);
	sqlite3_bind_text(upd, 1, e->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 2, e->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 3, e->link, -1, SQLITE_STATIC);
	sqlite3_bind_int64(upd, 4, account_id);
	sqlite3_bind_int64(upd, 5, (sqlite3_int64)hash);
	changed = sqlite3_step(upd) == SQLITE_ROW;
	sqlite3_reset(upd);
	return changed;
}

/* A known entry dated by a modification date: the one the previous fetch
 * showed goes into h, and this one is kept for the next fetch (by the first
 * of entries repeating a GUID). */
static int
swap_modified(sqlite3 *db, const struct batch *b, size_t i,
    struct stored *s, struct entry_history *h)
{
	const struct feed_entry *e = &b->feed->entries[i];

	h->had_modified = s->has_modified;
	h->prev_modified = s->modified_at;
	if (b->repeated[i] || (s->has_modified && s->modified_at == e->published))
		return 0;
	s->has_modified = true;
	s->modified_at = e->published;
	return db_run(db, "UPDATE post SET modified_at = ? WHERE id = ?", "II",
	    (long long)e->published, s->id);
}

/* Raises the last update to what the feed proved, with the entry and the
 * rule that proved it. */
static int
raise_last_update(sqlite3 *db, const struct batch *b,
    const struct post_summary *sum)
{
	const struct feed_entry *e = &b->feed->entries[sum->decided_by];
	struct last_update_reason why = {
		.rule = activity_rule_key(sum->why.rule),
		.clamped = sum->why.clamped,
		.post_id = b->stored[b->owner[sum->decided_by]].id,
		.guid = b->keys[sum->decided_by], .title = e->title,
		.link = e->link, .date_raw = e->date_raw,
		.seen_at = b->fetch_time,
	};

	return account_raise_last_update(db, b->account_id,
	    sum->newest_activity, &why);
}

/* What entry i is: new or known, and the activity it proves. */
static int
record_entry(sqlite3 *db, struct batch *b, size_t i, bool first_success,
    sqlite3_stmt *upd, const struct post_hooks *hooks,
    struct post_summary *sum)
{
	const struct feed_entry *e = &b->feed->entries[i];
	struct stored *s = &b->stored[b->owner[i]];
	struct entry_history h = { .first_success = first_success };
	struct activity a;

	/* of entries sharing a hash, only the owner can be the new post */
	h.is_new = s->is_new && b->owner[i] == i;
	if (!h.is_new && e->has_date && e->date_modified &&
	    swap_modified(db, b, i, s, &h) == -1)
		return -1;
	if (h.is_new) {
		sum->new_posts++;
		if (hooks && hooks->on_new)
			hooks->on_new(db, b->account_id, s->id, e,
			    hooks->userdata);
	} else if (upd && !b->repeated[i] &&
	    refresh_entry(upd, b->account_id, b->hashes[i], e))
		hooks->on_changed(db, b->account_id, s->id, e, hooks->userdata);
	if (post_entry_activity(e, b->fetch_time, &h, &a))
		note_activity(sum, i, &a);
	return 0;
}

int
post_record(sqlite3 *db, long long account_id, const struct feed *feed,
    time_t fetch_time, bool first_success, struct post_summary *sum,
    const struct post_hooks *hooks)
{
	sqlite3_stmt *upd = NULL;
	struct batch b;
	size_t i;
	int rc;

	memset(sum, 0, sizeof(*sum));
	sum->entries = feed->n_entries;
	batch_init(&b, account_id, feed, fetch_time);
	rc = batch_find_stored(db, &b);
	if (rc == 0)
		rc = batch_insert_new(db, &b);
	/* a field the feed leaves out keeps its stored text: only a field
	 * sent with other text is an edit */
	if (rc == 0 && hooks && hooks->on_changed &&
	    (upd = db_prepare_cached(db, "UPDATE post SET title = coalesce(?1,"
	    " title), summary = coalesce(?2, summary), link = coalesce(?3, link)"
	    " WHERE account_id = ?4 AND guid_hash = ?5 AND ((?1 IS NOT NULL"
	    " AND title IS NOT ?1) OR (?2 IS NOT NULL AND summary IS NOT ?2))"
	    " RETURNING id", "")) == NULL)
		rc = -1;
	for (i = 0; i < b.n && rc == 0; i++)
		rc = record_entry(db, &b, i, first_success, upd, hooks, sum);
	db_release(upd);
	if (rc == 0 && sum->has_activity)
		rc = raise_last_update(db, &b, sum);
	batch_free(&b);
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
