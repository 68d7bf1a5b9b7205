/* poller.c — scheduling fetches and recording their results. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>

#include "base/log.h"
#include "base/strset.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "poll/feed.h"
#include "poll/feed_state.h"
#include "poll/fetch.h"
#include "poll/parse_worker.h"
#include "poll/poller.h"
#include "poll/post.h"
#include "store/db.h"

#define IDLE_TICK_MAX   30     /* seconds: registry changes are seen this soon */
#define BACKOFF_BASE    60     /* first retry after a failure, doubling */
#define RETRY_AFTER_MAX (7 * 86400)
#define BATCH_MAX       256    /* results per transaction: its pages fit in
                                * the page cache (store/db.c), none spill;
                                * fewer commits write fewer pages twice */
#define BATCH_USEC      200000 /* a result is committed at most this late */
#define FILL_PART       8      /* refill when this part of the slots is free */
#define GROUP_MAX       16     /* read feeds stored under one savepoint */

struct cycle_failure {
	long long  account_id;
	bool       permanent;      /* 404 / 410 */
	bool       no_answer;      /* no HTTP response: maybe our network */
};

struct poller {
	sd_event             *event;
	sqlite3              *db;
	const struct config  *cfg;
	struct curlloop      *curl;
	sd_event_source      *timer;
	sd_event_source      *kick;        /* deferred refill */
	cycle_done_fn         on_cycle;
	void                 *on_cycle_data;
	void                (*on_drained)(void *);
	void                 *on_drained_data;
	bool                  stopping;
	bool                  sweep_now;   /* start a sweep even if nothing is due */
	bool                  sweeping;
	double                sweep_started;   /* monotonic seconds */
	double                loop_cpu, reader_cpu;   /* at its start */
	bool                  sweep_exhausted;
	long long             cursor;      /* last account id started */
	size_t                in_flight;
	struct cycle_stats    stats;
	struct strset         hosts, hosts_down;
	struct cycle_failure *failures;
	size_t                n_failures, cap_failures;
	struct post_hooks     hooks;       /* the wording check, when configured */
	struct parse_worker  *reader;      /* reads bodies on the second core */
	sd_event_source      *flush;       /* commits the open batch */
	bool                  in_batch;    /* a write transaction is open */
	unsigned              batch_jobs;  /* results in it */
	struct job           *held[GROUP_MAX]; /* stored under the open group */
	size_t                n_held;
};

struct job {
	struct poller *p;
	long long      account_id;
	char          *url;
	char          *host;
	char          *stored_etag;
	char          *stored_last_modified;
	bool           first_success;
	long           failures;       /* consecutive, before this fetch */
	long long      due_at;         /* next_poll_at before the lease */
	/* a body being read by the worker: */
	struct fetch_result result;    /* a copy of the response */
	time_t         fetched_at;
	struct parse_job parse;
	struct post_summary stored;    /* what storing the feed found */
	bool           moved;          /* a permanent redirect not seen before */
};

static void poller_fill(struct poller *p);
static void arm_timer(struct poller *p, time_t delay);
static void group_close(struct poller *p);

char *
poller_feed_url(const struct config *cfg, const char *platform,
    const char *uid, const char *feed_url)
{
	const struct platform *pl;
	const char *at;
	char *escaped, *url;

	if (!str_empty(feed_url))
		return xstrdup(feed_url);
	if (str_empty(uid) || (pl = config_platform(cfg, platform)) == NULL ||
	    pl->feed_template == NULL)
		return NULL;
	at = strstr(pl->feed_template, "{uid}");
	escaped = curl_easy_escape(NULL, uid, 0);
	url = xasprintf("%.*s%s%s", (int)(at - pl->feed_template),
	    pl->feed_template, escaped, at + strlen("{uid}"));
	curl_free(escaped);
	return url;
}

/* JSON list of the platforms whose accounts can be polled by uid alone. */
static char *
templated_platforms(const struct config *cfg)
{
	json_t *a = json_array();
	char *s;
	size_t i;

	for (i = 0; i < cfg->n_platforms; i++)
		if (cfg->platforms[i].feed_template)
			json_array_append_new(a, json_string(cfg->platforms[i].key));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* Closed accounts too: monitor/closed.c spaces their polls a week apart.
 * The unary + keeps SQLite from reading the accounts through an index on
 * status (the console's): poller_fill must walk the ids up from its cursor
 * and stop after LIMIT rows, not sort every pollable account each time it
 * fills a few slots, which makes a cycle's cost grow with the square of
 * the number of accounts. */
#define POLLABLE \
	"+a.status IN ('active', 'closed') AND (a.feed_url IS NOT NULL OR" \
	" (a.platform_uid IS NOT NULL AND a.platform IN (SELECT value FROM" \
	" json_each(?1))))"

time_t
poller_next_due(sqlite3 *db, const struct config *cfg)
{
	char *platforms = templated_platforms(cfg);
	long long next = 0;

	if (db_query_int(db, &next, "SELECT coalesce(min(coalesce(f.next_poll_at,"
	    " 0)), -1) FROM"
	    " account a LEFT JOIN feed_state f ON f.account_id = a.id WHERE "
	    POLLABLE, "s", platforms) != 0)
		next = -1;
	free(platforms);
	return (time_t)next;
}

static char *
url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *copy;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		curl_url_get(u, CURLUPART_HOST, &host, 0);
	copy = xstrdup(host ? host : url);
	curl_free(host);
	curl_url_cleanup(u);
	return copy;
}

static time_t
jittered_interval(const struct config *cfg)
{
	long long interval = cfg->poll.interval;
	long long spread = interval * cfg->poll.jitter_percent / 100;

	if (spread > 0)
		interval += (random() % (2 * spread + 1)) - spread;
	return (time_t)interval;
}

static time_t
failure_delay(const struct config *cfg, const struct fetch_result *r,
    long failures)
{
	long long delay = BACKOFF_BASE;

	if ((r->http_status == 429 || r->http_status == 503) && r->retry_after > 0)
		return (time_t)(r->retry_after < RETRY_AFTER_MAX ?
		    r->retry_after : RETRY_AFTER_MAX);
	while (failures-- > 0 && delay < cfg->poll.interval)
		delay *= 2;
	return (time_t)(delay < cfg->poll.interval ? delay : cfg->poll.interval);
}

static void
job_free(struct job *j)
{
	free(j->url);
	free(j->host);
	free(j->stored_etag);
	free(j->stored_last_modified);
	fetch_result_free(&j->result);
	free(j);
}

static void batch_abandon(struct poller *p);

/* The batch is over, committed or rolled back. */
static void
batch_ended(struct poller *p)
{
	db_foreign_keys(p->db, true);
	p->in_batch = false;
	p->batch_jobs = 0;
	sd_event_source_set_enabled(p->flush, SD_EVENT_OFF);
}

/* Results are committed in batches: one transaction per result would
 * spend most of a cycle writing the same WAL pages again.  Nothing acts on
 * a result before its batch is committed (the evaluation runs after
 * poller_flush), and a crash loses at most BATCH_USEC of results, whose
 * feeds are simply fetched again when their lease expires. */
void
poller_flush(struct poller *p)
{
	group_close(p);
	if (!p->in_batch)
		return;
	if (db_commit(p->db) == -1) {
		log_warnx("poll results could not be committed; they are fetched "
		    "again");
		db_rollback(p->db);
	}
	batch_ended(p);
}

static int
batch_open(struct poller *p)
{
	uint64_t now;

	if (p->in_batch && sqlite3_get_autocommit(p->db))
		/* SQLite rolled the batch back after an I/O error */
		batch_abandon(p);
	if (p->in_batch)
		return 0;
	/*
	 * A batch does not enforce foreign keys (db_foreign_keys()): every
	 * account id it writes was read from account by this poller when it
	 * leased the account.  Nothing else writes inside a batch: the mail
	 * sender commits it before it writes (outbox.c).  Enforced, SQLite
	 * had to be able to undo a statement of several rows halfway, so it
	 * copied every page the statement was to change into a statement
	 * journal first.
	 */
	if (db_foreign_keys(p->db, false) == -1)
		return -1;
	if (db_begin(p->db) == -1) {
		db_foreign_keys(p->db, true);
		return -1;
	}
	p->in_batch = true;
	if (sd_event_now(p->event, CLOCK_MONOTONIC, &now) >= 0) {
		sd_event_source_set_time(p->flush, now + BATCH_USEC);
		sd_event_source_set_enabled(p->flush, SD_EVENT_ONESHOT);
	}
	return 0;
}

/* The batch is lost (SQLite rolled it back after an I/O error) or cannot
 * be trusted to hold what was counted (a savepoint could not be rolled
 * back or released): all of it is rolled back, and its results are
 * fetched again when their leases expire. */
static void
batch_abandon(struct poller *p)
{
	log_warnx("poll results were rolled back by the database");
	db_rollback(p->db);
	batch_ended(p);
}

static int
on_flush(sd_event_source *s, uint64_t usec, void *userdata)
{
	poller_flush(userdata);
	return 0;
}

/* A result is in the batch: the batch is committed once it is full. */
static void
batch_counted(struct poller *p)
{
	if (++p->batch_jobs >= BATCH_MAX)
		poller_flush(p);
}

/* One result's writes: all of them or none. */
static int
result_begin(struct poller *p)
{
	if (batch_open(p) == -1 || db_run(p->db, "SAVEPOINT result", "") == -1)
		return -1;
	return 0;
}

static void
result_end(struct poller *p, bool ok)
{
	if (!ok)
		db_run(p->db, "ROLLBACK TO result", "");
	db_run(p->db, "RELEASE result", "");
	batch_counted(p);
}

static void
log_not_stored(const struct job *j)
{
	log_warnx("account %lld: the fetch result could not be stored",
	    j->account_id);
}

/* A permanent redirect is logged when it first appears; the registered
 * URL stays until an admin changes it.  Asked before the fetch state
 * records the redirect. */
static bool
redirect_is_new(struct job *j, const struct fetch_result *r)
{
	char *old;
	bool is_new;

	if (r->permanent_redirect == NULL)
		return false;
	old = feed_state_redirect(j->p->db, j->account_id);
	is_new = old == NULL || strcmp(old, r->permanent_redirect) != 0;
	free(old);
	return is_new;
}

static void
log_redirect(struct job *j, const struct fetch_result *r)
{
	log_event(LOG_NOTICE, NULL, j->account_id, NULL, "account %lld: %s "
	    "has moved permanently to %s; the registered URL is kept until an "
	    "admin changes it", j->account_id, j->url, r->permanent_redirect);
}

static void
note_redirect(struct job *j, const struct fetch_result *r)
{
	if (redirect_is_new(j, r))
		log_redirect(j, r);
}

static int
record_success(struct job *j, const struct fetch_result *r, const struct feed *feed,
    time_t now)
{
	const struct fetch_outcome o = {
		.url = j->url, .http_status = r->http_status, .etag = r->etag,
		.last_modified = r->last_modified,
		.format = feed ? feed_format_name(feed->format) : NULL,
		.encoding = feed ? feed->encoding : NULL,
		.permanent_redirect = r->permanent_redirect,
		.next_poll_at = now + jittered_interval(j->p->cfg),
	};

	return feed_state_record_success(j->p->db, j->account_id, &o, now);
}

static void
remember_failure(struct poller *p, struct job *j, const struct fetch_result *r)
{
	struct cycle_failure *f;

	if (p->n_failures == p->cap_failures) {
		p->cap_failures = p->cap_failures ? p->cap_failures * 2 : 64;
		p->failures = xrealloc(p->failures,
		    p->cap_failures * sizeof(*p->failures));
	}
	f = &p->failures[p->n_failures++];
	f->account_id = j->account_id;
	f->permanent = r->http_status == 404 || r->http_status == 410;
	f->no_answer = r->http_status == 0;
	if (f->no_answer)
		strset_add(&p->hosts_down, j->host);
	p->stats.failed++;
}

/* The failure is written now; whether it counts against the feed is
 * decided when the cycle ends (see count_failures). */
static void
record_failure(struct job *j, const struct fetch_result *r, const char *error,
    time_t now)
{
	struct poller *p = j->p;

	const struct fetch_outcome o = {
		.url = j->url, .http_status = r->http_status, .error = error,
		.permanent_redirect = r->permanent_redirect,
		.next_poll_at = now + failure_delay(p->cfg, r, j->failures),
	};

	if (result_begin(p) == -1)
		return;
	note_redirect(j, r);
	if (feed_state_record_failure(p->db, j->account_id, &o, now) == -1) {
		result_end(p, false);
		return;
	}
	result_end(p, true);
	log_event(LOG_INFO, NULL, j->account_id, NULL, "account %lld: %s: %s",
	    j->account_id, j->url, error);
	remember_failure(p, j, r);
}

/* A job ends once its result is stored; it is in flight until then. */
static void
job_finish(struct job *j)
{
	struct poller *p = j->p;

	p->in_flight--;
	job_free(j);
	if (p->stopping && p->in_flight == 0 && p->on_drained)
		p->on_drained(p->on_drained_data);
	if (p->kick)
		sd_event_source_set_enabled(p->kick, SD_EVENT_ONESHOT);
}

/* A read feed's writes: its posts and its fetch state. */
static int
body_write(struct job *j)
{
	struct poller *p = j->p;

	if (post_record(p->db, j->account_id, &j->parse.feed, j->fetched_at,
	    j->first_success, &j->stored, p->hooks.on_new ? &p->hooks : NULL) != 0)
		return -1;
	j->moved = redirect_is_new(j, &j->result);
	return record_success(j, &j->result, &j->parse.feed, j->fetched_at) ==
	    0 ? 0 : -1;
}

/* A stored feed counts, and its redirect is told, once its writes are
 * released: a group stored again would tell it twice. */
static void
body_counted(struct job *j)
{
	if (j->moved)
		log_redirect(j, &j->result);
	j->p->stats.new_posts += j->stored.new_posts;
	log_debug("account %lld: %zu entries, %zu new", j->account_id,
	    j->stored.entries, j->stored.new_posts);
}

/* Stores a read feed under a savepoint of its own. */
static void
store_alone(struct job *j)
{
	struct poller *p = j->p;
	bool ok;

	if (result_begin(p) == -1) {
		log_not_stored(j);
		return;
	}
	ok = body_write(j) == 0;
	result_end(p, ok);
	if (ok)
		body_counted(j);
	else
		log_not_stored(j);
}

/* The feed is read and its job done with: the thread frees the feed. */
static void
job_release(struct job *j)
{
	parse_worker_discard(j->p->reader, &j->parse.feed);
	free(j->parse.error);
	j->parse.error = NULL;
	job_finish(j);
}

/*
 * Read feeds are stored under one savepoint for up to GROUP_MAX of them
 * (the group), not one each.  SQLite copies each page a savepoint changes
 * into its journal before the first change, and consecutive feeds change
 * the same pages (the ends of the post table and of its indexes): with a
 * savepoint per feed those copies were a tenth of the loop's time in a
 * first cycle.  Each feed's writes stay all or none: when one fails, the
 * group is rolled back and its other feeds stored again one by one, each
 * under a savepoint of its own (store_alone), so a failing feed costs
 * only itself.  A group lives within one delivery of read feeds from the
 * reading thread (parse_worker.h): nothing else runs on the loop
 * meanwhile (no lease, no 304, no mail sender's write), so a rollback to
 * it undoes only its feeds; a job of the delivery that is not a stored
 * feed closes it first.  Until the group is released its jobs are held,
 * what they counted not yet counted.
 */
static void
group_replay(struct poller *p, struct job *failed)
{
	struct job *jobs[GROUP_MAX];
	size_t i, n = p->n_held;

	memcpy(jobs, p->held, n * sizeof(*jobs));
	p->n_held = 0;
	if (db_run(p->db, "ROLLBACK TO results", "") == -1 ||
	    db_run(p->db, "RELEASE results", "") == -1)
		batch_abandon(p);
	log_not_stored(failed);
	for (i = 0; i < n; i++)
		store_alone(jobs[i]);
	for (i = 0; i < n; i++)
		job_release(jobs[i]);
	job_release(failed);
}

static void
group_close(struct poller *p)
{
	struct job *jobs[GROUP_MAX];
	size_t i, n = p->n_held;

	if (n == 0)
		return;
	memcpy(jobs, p->held, n * sizeof(*jobs));
	p->n_held = 0;
	if (db_run(p->db, "RELEASE results", "") == 0) {
		for (i = 0; i < n; i++)
			body_counted(jobs[i]);
		p->batch_jobs += (unsigned)n;
		if (p->batch_jobs >= BATCH_MAX)
			poller_flush(p);
	} else
		/* its results are lost: fetched again when their leases expire */
		batch_abandon(p);
	for (i = 0; i < n; i++)
		job_release(jobs[i]);
}

static void
group_store(struct poller *p, struct job *j)
{
	if (p->n_held > 0 && sqlite3_get_autocommit(p->db))
		/* SQLite rolled the batch back: the group is gone with it */
		group_close(p);
	if (p->n_held == 0 && (batch_open(p) == -1 ||
	    db_run(p->db, "SAVEPOINT results", "") == -1)) {
		log_not_stored(j);
		job_release(j);
		return;
	}
	if (body_write(j) == -1) {
		group_replay(p, j);
		return;
	}
	p->held[p->n_held++] = j;
	if (p->n_held == GROUP_MAX || j->parse.last)
		group_close(p);
}

static void
handle_unchanged(struct job *j, const struct fetch_result *r, time_t now)
{
	struct poller *p = j->p;

	p->stats.unchanged++;
	/* one statement, atomic by itself: no savepoint around it */
	if (batch_open(p) == -1)
		return;
	note_redirect(j, r);
	if (record_success(j, r, NULL, now) == -1)
		log_not_stored(j);
	batch_counted(p);
}

/* The worker has read the body (see parse_worker.h); back in the loop. */
static void
body_read(struct parse_job *pj)
{
	struct job *j = pj->userdata;
	struct poller *p = j->p;

	if (!pj->cancelled && pj->rc == 0) {
		group_store(p, j);
		return;
	}
	group_close(p);
	if (pj->cancelled)
		/* shutting down: give the lease back, it stays due */
		feed_state_release(p->db, j->account_id, (time_t)j->due_at);
	else
		record_failure(j, &j->result, pj->error ? pj->error :
		    "not a feed", j->fetched_at);
	job_release(j);
}

static void
body_submit(struct job *j, const struct fetch_result *r, time_t now)
{
	fetch_result_copy(&j->result, r);
	j->fetched_at = now;
	j->parse.body = j->result.body;
	j->parse.len = j->result.body_len;
	j->parse.charset = j->result.charset;
	j->parse.userdata = j;
	parse_worker_submit(j->p->reader, &j->parse);
}

static void
job_done(const struct fetch_result *r, void *userdata)
{
	struct job *j = userdata;
	struct poller *p = j->p;
	time_t now = mw_now();

	if (r->aborted)
		/* shutting down: give the lease back, it stays due */
		feed_state_release(p->db, j->account_id, (time_t)j->due_at);
	else {
		p->stats.fetched++;
		if (!r->ok)
			record_failure(j, r, r->error ? r->error : "fetch failed", now);
		else if (r->http_status == 304 || (r->etag && j->stored_etag &&
		    strcmp(r->etag, j->stored_etag) == 0))
			handle_unchanged(j, r, now);
		else {
			body_submit(j, r, now);
			return;         /* in flight until body_read */
		}
	}
	job_finish(j);
}

/* A job for the account in the current row of poller_fill's query. */
static struct job *
job_from_row(struct poller *p, sqlite3_stmt *st)
{
	const char *last_url = (const char *)sqlite3_column_text(st, 7);
	struct job *j = xcalloc(1, sizeof(*j));
	bool same_url;

	j->p = p;
	j->account_id = sqlite3_column_int64(st, 0);
	j->url = poller_feed_url(p->cfg, db_column_text(st, 1),
	    db_column_text(st, 2), (const char *)sqlite3_column_text(st, 3));
	j->host = url_host(j->url);
	j->first_success = sqlite3_column_int64(st, 6) == 0;
	j->failures = sqlite3_column_int(st, 8);
	j->due_at = sqlite3_column_int64(st, 9);
	/* validators belong to a URL: after a change, fetch afresh */
	same_url = last_url && strcmp(last_url, j->url) == 0;
	j->stored_etag = same_url ? db_column_strdup(st, 4) : NULL;
	j->stored_last_modified = same_url ? db_column_strdup(st, 5) : NULL;
	return j;
}

/* Leases the account and starts its transfer; the batch is open. */
static int
start_job(struct poller *p, struct job *j)
{
	const struct fetch_options opts = {
		.timeout = p->cfg->poll.timeout,
		.connect_timeout = p->cfg->poll.connect_timeout,
		.max_size = p->cfg->poll.max_size,
		.max_redirects = p->cfg->poll.max_redirects,
		.user_agent = p->cfg->poll.user_agent,
	};
	const struct fetch_request req = { j->url, j->stored_etag,
	    j->stored_last_modified };

	strset_add(&p->hosts, j->host);
	/* a lease: after a crash mid-transfer the account is due again once
	 * it expires; a `mediawatchctl poll` meanwhile resets it to 0 */
	feed_state_lease(p->db, j->account_id,
	    mw_now() + (time_t)(2 * p->cfg->poll.timeout + 60));
	p->in_flight++;
	if (fetch_start(p->curl, &opts, &req, job_done, j) == -1) {
		p->in_flight--;
		log_warnx("account %lld: cannot start a transfer", j->account_id);
		job_free(j);
		return -1;
	}
	return 0;
}

/*
 * Starts transfers for due accounts past the cursor until the concurrency
 * limit is reached or the sweep has seen every due account.  The write
 * transaction comes first and the rows are read to the end before the
 * leases are written: a write on a connection whose read statement is
 * still open, outside a transaction begun before it, fails at once with
 * SQLITE_BUSY whenever another program holds the lock (SQLite cannot
 * upgrade that read without risking a deadlock, so the busy timeout does
 * not apply), and the leases would be lost.
 */
static void
poller_fill(struct poller *p)
{
	struct job **jobs;
	char *platforms;
	sqlite3_stmt *st;
	long want, n = 0, i;

	if (p->stopping || !p->sweeping || p->sweep_exhausted)
		return;
	/* slots are filled a few at a time: the query costs more than a row */
	want = p->cfg->poll.concurrency - (long)p->in_flight;
	if (want <= 0 || want < p->cfg->poll.concurrency / FILL_PART)
		return;
	if (batch_open(p) == -1) {
		log_warnx("the database stayed busy; due feeds are started at "
		    "the next tick");
		arm_timer(p, 1);
		return;
	}
	jobs = xcalloc((size_t)want, sizeof(*jobs));
	platforms = templated_platforms(p->cfg);
	st = db_prepare_cached(p->db, "SELECT a.id, a.platform, a.platform_uid,"
	    " a.feed_url, f.etag, f.last_modified, coalesce(f.successes, 0),"
	    " f.url, coalesce(f.consecutive_failures, 0),"
	    " coalesce(f.next_poll_at, 0) FROM account a LEFT"
	    " JOIN feed_state f ON f.account_id = a.id WHERE " POLLABLE
	    " AND a.id > ?2 AND coalesce(f.next_poll_at, 0) <= ?3 ORDER BY a.id"
	    " LIMIT ?4", "sIII", platforms, p->cursor, (long long)mw_now(),
	    (long long)want);
	free(platforms);
	while (st && n < want && sqlite3_step(st) == SQLITE_ROW) {
		p->cursor = sqlite3_column_int64(st, 0);
		jobs[n++] = job_from_row(p, st);
	}
	db_release(st);
	for (i = 0; i < n; i++)
		start_job(p, jobs[i]);
	free(jobs);
	if (n < want)
		p->sweep_exhausted = true;
}

/* Counts the cycle's failures against their feeds, unless most hosts gave
 * no answer at all: then the fault is ours and no feed is blamed. */
static void
count_failures(struct poller *p)
{
	size_t i;

	poller_flush(p);
	p->stats.hosts = p->hosts.count;
	p->stats.hosts_down = p->hosts_down.count;
	p->stats.outage = p->hosts.count >= 3 &&
	    p->hosts_down.count * 2 > p->hosts.count;
	if (p->stats.outage)
		log_warnx("%lu of %lu hosts did not answer this cycle: taking it "
		    "for a network problem here, not counted against the feeds",
		    p->stats.hosts_down, p->stats.hosts);
	if (db_begin(p->db) == -1)
		return;
	for (i = 0; i < p->n_failures; i++) {
		const struct cycle_failure *f = &p->failures[i];

		if (p->stats.outage && f->no_answer)
			continue;
		feed_state_count_failure(p->db, f->account_id, f->permanent,
		    p->cfg->poll.fail_threshold);
	}
	if (db_commit(p->db) == -1)
		db_rollback(p->db);
}

static void
expire_posts(struct poller *p)
{
	long n;

	if (p->cfg->poll.retention <= 0)
		return;
	n = post_expire(p->db, mw_now() - (time_t)p->cfg->poll.retention);
	if (n > 0)
		log_info("expired %ld posts older than the retention period", n);
}

/* CPU time of the calling thread, the event loop's. */
static double
thread_cpu_seconds(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == -1)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The most memory the process has held so far, in MB. */
static double
peak_rss_mb(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return (double)ru.ru_maxrss / 1024;
}

/* What a cycle cost, for whoever sizes the machine: the time, the CPU of
 * the event loop and of the feed reading thread, the memory. */
static void
log_cycle(struct poller *p, const struct cycle_stats *s)
{
	log_info("poll cycle: %lu fetched, %lu unchanged, %lu failed, %lu new "
	    "posts in %.2f s, CPU %.2f s in the loop and %.2f s reading feeds, "
	    "peak RSS %.1f MB", s->fetched, s->unchanged, s->failed,
	    s->new_posts, monotonic_seconds() - p->sweep_started,
	    thread_cpu_seconds() - p->loop_cpu,
	    parse_worker_cpu_seconds(p->reader) - p->reader_cpu, peak_rss_mb());
}

static void
end_cycle(struct poller *p)
{
	struct cycle_stats stats;

	count_failures(p);
	expire_posts(p);
	stats = p->stats;
	log_cycle(p, &stats);
	p->sweeping = false;
	memset(&p->stats, 0, sizeof(p->stats));
	strset_clear(&p->hosts);
	strset_clear(&p->hosts_down);
	p->n_failures = 0;
	arm_timer(p, 0);
	if (p->on_cycle)
		p->on_cycle(p, &stats, p->on_cycle_data);
}

static void
begin_sweep(struct poller *p)
{
	p->sweeping = true;
	p->sweep_started = monotonic_seconds();
	p->loop_cpu = thread_cpu_seconds();
	p->reader_cpu = parse_worker_cpu_seconds(p->reader);
	p->sweep_exhausted = false;
	p->cursor = 0;
}

/* One step of the schedule, from the timer or after a transfer ended. */
static void
poller_step(struct poller *p)
{
	time_t next, now;

	if (p->stopping)
		return;
	if (!p->sweeping) {
		now = mw_now();
		next = poller_next_due(p->db, p->cfg);
		if (p->sweep_now)
			next = now;
		p->sweep_now = false;
		if (next == -1 || next > now) {
			arm_timer(p, next == -1 ? IDLE_TICK_MAX : next - now);
			return;
		}
		begin_sweep(p);
	}
	poller_fill(p);
	if (p->sweep_exhausted && p->in_flight == 0)
		end_cycle(p);
}

static int
on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	poller_step(userdata);
	return 0;
}

static int
on_kick(sd_event_source *s, void *userdata)
{
	poller_step(userdata);
	return 0;
}

static void
arm_timer(struct poller *p, time_t delay)
{
	uint64_t now_usec;

	if (delay > IDLE_TICK_MAX)
		delay = IDLE_TICK_MAX;
	if (delay < 0)
		delay = 0;
	sd_event_now(p->event, CLOCK_MONOTONIC, &now_usec);
	sd_event_source_set_time(p->timer, now_usec + (uint64_t)delay * 1000000ULL);
	sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
}

struct poller *
poller_new(sd_event *event, sqlite3 *db, const struct config *cfg,
    struct curlloop *curl)
{
	struct poller *p = xcalloc(1, sizeof(*p));

	p->event = sd_event_ref(event);
	p->db = db;
	p->cfg = cfg;
	p->curl = curl;
	if (sd_event_add_time(event, &p->timer, CLOCK_MONOTONIC, 0, 0, on_timer, p) < 0 ||
	    sd_event_add_defer(event, &p->kick, on_kick, p) < 0 ||
	    sd_event_add_time(event, &p->flush, CLOCK_MONOTONIC, 0, 1000,
	    on_flush, p) < 0) {
		log_warnx("cannot set up the poller");
		poller_free(p);
		return NULL;
	}
	if ((p->reader = parse_worker_new(event, body_read)) == NULL) {
		poller_free(p);
		return NULL;
	}
	sd_event_source_set_enabled(p->timer, SD_EVENT_OFF);
	sd_event_source_set_enabled(p->kick, SD_EVENT_OFF);
	sd_event_source_set_enabled(p->flush, SD_EVENT_OFF);
	return p;
}

void
poller_free(struct poller *p)
{
	if (p == NULL)
		return;
	p->stopping = true;
	/* the bodies it holds are stored (or their leases given back) */
	parse_worker_free(p->reader);
	sd_event_source_disable_unref(p->kick);
	p->kick = NULL;
	if (p->flush) {
		poller_flush(p);
		sd_event_source_disable_unref(p->flush);
	}
	sd_event_source_disable_unref(p->timer);
	strset_clear(&p->hosts);
	strset_clear(&p->hosts_down);
	free(p->failures);
	sd_event_unref(p->event);
	free(p);
}

void
poller_on_cycle(struct poller *p, cycle_done_fn fn, void *userdata)
{
	p->on_cycle = fn;
	p->on_cycle_data = userdata;
}

void
poller_set_post_hooks(struct poller *p, const struct post_hooks *hooks)
{
	p->hooks = *hooks;
}

void
poller_on_drained(struct poller *p, void (*fn)(void *), void *userdata)
{
	p->on_drained = fn;
	p->on_drained_data = userdata;
}

int
poller_start(struct poller *p)
{
	p->stopping = false;
	p->sweep_now = true;
	return sd_event_source_set_enabled(p->kick, SD_EVENT_ONESHOT) < 0 ? -1 : 0;
}

void
poller_stop(struct poller *p)
{
	p->stopping = true;
	sd_event_source_set_enabled(p->timer, SD_EVENT_OFF);
}

void
poller_set_config(struct poller *p, const struct config *cfg)
{
	p->cfg = cfg;
	/* a new schedule or feed template applies from the next step */
	if (!p->stopping && !p->sweeping)
		sd_event_source_set_enabled(p->kick, SD_EVENT_ONESHOT);
}

void
poller_pause_reader(struct poller *p)
{
	parse_worker_pause(p->reader);
}

void
poller_resume_reader(struct poller *p)
{
	parse_worker_resume(p->reader);
}

size_t
poller_in_flight(const struct poller *p)
{
	return p->in_flight;
}
