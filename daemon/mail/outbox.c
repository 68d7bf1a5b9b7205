/* outbox.c — queueing and delivering email and chat messages. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/mailaddr.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/chat.h"
#include "mail/chatpost.h"
#include "mail/maildir.h"
#include "mail/mime.h"
#include "mail/outbox.h"
#include "mail/recipient.h"
#include "mail/secret.h"
#include "mail/sendmail.h"
#include "mail/smtp.h"
#include "mail/smtp_workers.h"
#include "store/db.h"

#define LEASE_SECONDS   (SMTP_TIMEOUT + 60)
#define SENDER_IDLE_MAX 60       /* seconds between looks at the queue */
#define SMTP_PARALLEL   4
#define SYNC_BATCH      50       /* local deliveries per turn of the loop */
#define SYNC_BYTES      (8 << 20) /* … and the most mail they hold: a unit's
                                   * alert lists all its accounts to act on,
                                   * megabytes at 500,000 accounts */
#define DB_RETRY_SECONDS 30      /* after the database refused a write */
#define RETRY_MAX       86400    /* the doubling delay stops at a day */
#define RATE_DELAY_MAX  3600     /* the longest a Retry-After is obeyed */

static char *
json_list(const char *const *items, size_t n)
{
	json_t *a = json_array();
	char *s;
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static const char *
from_domain(const char *from)
{
	const char *at = strrchr(from, '@');
	static char domain[256];
	size_t n;

	if (at == NULL)
		return "localhost";
	n = strcspn(at + 1, ">\" ");
	snprintf(domain, sizeof(domain), "%.*s", (int)n, at + 1);
	return domain;
}

char **
outbox_unit_addresses(sqlite3 *db, long long unit_id, size_t *n)
{
	char *emails = NULL, **list;

	db_query_text(db, &emails, "SELECT emails FROM unit WHERE id = ?", "I",
	    unit_id);
	list = strv_from_json(emails, n);
	free(emails);
	return list;
}

char **
outbox_admin_addresses(const struct config *cfg, size_t *n)
{
	const char *const from[] = { cfg->mail.from, NULL };

	*n = cfg->mail.n_admins ? cfg->mail.n_admins : 1;
	return strv_dup(cfg->mail.n_admins ? (const char *const *)cfg->mail.admins :
	    from);
}

bool
outbox_queued_before(sqlite3 *db, const char *dedup_key)
{
	long long n = 0;

	return db_query_int(db, &n, "SELECT 1 FROM outbox WHERE dedup_key = ?",
	    "s", dedup_key) == 0;
}

int
outbox_pending(sqlite3 *db, long long *queued, long long *failed)
{
	if (db_query_int(db, queued, "SELECT count(*) FROM outbox WHERE"
	    " status = 'queued'", "") == -1 || db_query_int(db, failed,
	    "SELECT count(*) FROM outbox WHERE status = 'failed'", "") == -1)
		return -1;
	return 0;
}

long
outbox_expire_bodies(sqlite3 *db, time_t cutoff, time_t now)
{
	if (db_run(db, "UPDATE outbox SET body_text = '', body_html = NULL,"
	    " payload = NULL, body_expired_at = ?2 WHERE status = 'sent' AND"
	    " body_expired_at IS NULL AND sent_at < ?1", "II", (long long)cutoff,
	    (long long)now) == -1)
		return -1;
	return (long)sqlite3_changes(db);
}

int
outbox_enqueue(sqlite3 *db, const struct config *cfg, const struct outgoing *m,
    time_t now)
{
	char *to = json_list(m->to, m->n_to), *cc = json_list(m->cc, m->n_cc);
	char *mid = mime_message_id_new(from_domain(cfg->mail.from));
	int rc;

	rc = db_run(db, "INSERT INTO outbox (dedup_key, kind, unit_id, recipients,"
	    " cc, subject, body_text, body_html, message_id, created_at,"
	    " next_attempt_at, channel, payload) VALUES (?, ?, nullif(?, 0), ?,"
	    " ?, ?, ?, ?, ?, ?, ?, coalesce(?, 'email'), ?) ON CONFLICT"
	    " (dedup_key) DO NOTHING", "ssIssssssIIss", m->dedup_key, m->kind,
	    m->unit_id, to, cc, m->subject, m->text, m->html, mid,
	    (long long)now, (long long)now, m->channel, m->payload);
	free(to);
	free(cc);
	free(mid);
	if (rc == -1)
		return -1;
	return sqlite3_changes(db) > 0 ? 1 : 0;
}

/* ---- one message ---- */

struct letter {
	long long   id;
	char      **to, **cc;            /* mailboxes, NULL-terminated */
	size_t      n_to, n_cc;
	char       *subject, *text, *html, *message_id;
	time_t      created;
	long        attempts;
	char       *wire;                /* the built message */
	size_t      wire_len;
	char      **rcpts;               /* envelope addresses still to reach */
	size_t      n_rcpts;
};

static void
letter_free(struct letter *l)
{
	strv_free(l->to);
	strv_free(l->cc);
	strv_free(l->rcpts);
	free(l->subject);
	free(l->text);
	free(l->html);
	free(l->message_id);
	free(l->wire);
	free(l);
}

static struct letter *
letter_load(sqlite3 *db, long long id)
{
	struct letter *l = NULL;
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT recipients, cc, subject, body_text, body_html,"
	    " message_id, created_at, attempts FROM outbox WHERE id = ?", "I", id);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		l = xcalloc(1, sizeof(*l));
		l->id = id;
		l->to = strv_from_json(db_column_text(st, 0), &l->n_to);
		l->cc = strv_from_json(db_column_text(st, 1), &l->n_cc);
		l->subject = db_column_strdup(st, 2);
		l->text = db_column_strdup(st, 3);
		l->html = db_column_strdup(st, 4);
		l->message_id = db_column_strdup(st, 5);
		l->created = (time_t)sqlite3_column_int64(st, 6);
		l->attempts = sqlite3_column_int(st, 7);
	}
	sqlite3_finalize(st);
	return l;
}

/* Builds the wire form and the envelope; -1 with *error when an address
 * or the message is unusable (retrying will not help, but the row says
 * why and an admin can fix the unit's addresses and retry). */
static int
letter_prepare(const struct config *cfg, struct letter *l, char **error)
{
	const struct mail_message m = {
		.from = cfg->mail.sender,   /* with its display name */
		.to = (const char *const *)l->to, .n_to = l->n_to,
		.cc = (const char *const *)l->cc, .n_cc = l->n_cc,
		.subject = l->subject, .text = l->text, .html = l->html,
		.message_id = l->message_id, .date = l->created,
	};
	char *name, *addr;
	size_t i;

	if (mime_build(&m, &l->wire, &l->wire_len, error) == -1)
		return -1;
	/* the wire form is what is sent: the bodies need not be held too */
	free(l->text);
	free(l->html);
	l->text = l->html = NULL;
	l->rcpts = xcalloc(l->n_to + l->n_cc + 1, sizeof(char *));
	for (i = 0; i < l->n_to + l->n_cc; i++) {
		const char *box = i < l->n_to ? l->to[i] : l->cc[i - l->n_to];

		if (mail_address_parse(box, &name, &addr, error) == -1)
			return -1;
		free(name);
		l->rcpts[l->n_rcpts++] = addr;
	}
	return 0;
}

/* Narrows the envelope to the addresses not reached yet (all of them at
 * the first attempt).  Returns -1 when the database cannot be written. */
static int
letter_claim(sqlite3 *db, struct letter *l)
{
	char **pending;
	size_t n;

	if (db_begin(db) == -1)
		return -1;
	pending = recipient_pending(db, l->id, l->rcpts, l->n_rcpts, mw_now(), &n);
	if (pending == NULL || db_commit(db) == -1) {
		strv_free(pending);
		db_rollback(db);
		return -1;
	}
	strv_free(l->rcpts);
	l->rcpts = pending;
	l->n_rcpts = n;
	return 0;
}

static char *
envelope_from(const struct config *cfg)
{
	char *name = NULL, *addr = NULL, *error = NULL;

	if (mail_address_parse(cfg->mail.from, &name, &addr, &error) == -1) {
		free(error);
		return xstrdup("mediawatch@localhost");
	}
	free(name);
	return addr;
}

/* Local transports: maildir (default) and sendmail. */
static int
deliver_local(const struct config *cfg, struct letter *l, char **error)
{
	char *from;
	int rc;

	if (cfg->mail.transport != MAIL_SENDMAIL)
		return maildir_deliver(cfg->mail.maildir, l->wire, l->wire_len, error);
	from = envelope_from(cfg);
	rc = sendmail_deliver(cfg->mail.sendmail, from,
	    (const char *const *)l->rcpts, l->n_rcpts, l->wire, l->wire_len, error);
	free(from);
	return rc;
}

/* How a transport retries: mail.max_attempts and mail.retry_base for
 * email, the channel's own for a chat channel. */
struct retry_policy {
	long       max_attempts;
	long long  retry_base;
};

static struct retry_policy
mail_policy(const struct config *cfg)
{
	return (struct retry_policy){ cfg->mail.max_attempts, cfg->mail.retry_base };
}

static int
mark_failed_attempt(sqlite3 *db, struct retry_policy p, long long id,
    long attempts_before, const char *error)
{
	long long delay = p.retry_base;
	long attempts = attempts_before + 1, i;
	bool give_up = attempts >= p.max_attempts;

	for (i = 1; i < attempts && delay < RETRY_MAX; i++)
		delay *= 2;
	if (db_run(db, "UPDATE outbox SET attempts = ?, last_error = ?, status = ?,"
	    " next_attempt_at = ?, leased_until = 0 WHERE id = ?", "IssII",
	    (long long)attempts, error, give_up ? "failed" : "queued",
	    (long long)(mw_now() + delay), id) == -1)
		return -1;
	if (give_up)
		log_event(LOG_ERR, "8c5f0e2d9a7b4c61b3e2f1a0d9c8b7a6", 0, NULL,
		    "outbox %lld: giving up after %ld attempts: %s", id, attempts,
		    error);
	else
		log_warnx(N_("outbox %lld: attempt %ld failed, retrying later: %s"),
		    id, attempts, error);
	return 0;
}

/* Every address is settled: sent to some (the refused ones noted in
 * last_error), or refused by all, which no retry can change. */
static int
mark_settled(sqlite3 *db, struct letter *l, const struct recipient_counts *c)
{
	char *refusals = recipient_refusals(db, l->id), *error = NULL;
	int rc;

	if (c->sent == 0 && refusals == NULL)
		error = xstrdup("the email has no recipient");
	else if (c->sent == 0)
		error = xasprintf("every recipient was refused: %s", refusals);
	else if (refusals)
		error = xasprintf("refused: %s", refusals);
	rc = db_run(db, "UPDATE outbox SET status = ?, sent_at = CASE WHEN ? THEN"
	    " ? ELSE sent_at END, attempts = attempts + 1, last_error = ?,"
	    " leased_until = 0 WHERE id = ?", "sIIsI",
	    c->sent ? "sent" : "failed", (long long)(c->sent > 0),
	    (long long)mw_now(), error, l->id);
	if (rc == 0 && c->sent == 0)
		log_event(LOG_ERR, "8c5f0e2d9a7b4c61b3e2f1a0d9c8b7a6", 0, NULL,
		    "outbox %lld: not sent: %s", l->id, error);
	free(refusals);
	free(error);
	return rc;
}

/* What one attempt did, for the log: who got it, who refused it. */
static void
log_attempt(const struct letter *l, const struct recipient_result *r)
{
	struct strbuf sent = STRBUF_INIT;
	size_t i;

	for (i = 0; i < l->n_rcpts; i++) {
		if (r[i].delivered)
			sb_printf(&sent, "%s%s", sent.len ? ", " : "", r[i].address);
		else if (r[i].code >= 500)
			log_warnx(N_("outbox %lld: %s refused for good: %s"), l->id,
			    r[i].address, r[i].reply ? r[i].reply : "");
		else if (r[i].code >= 400)
			log_notice(N_("outbox %lld: %s deferred, tried again later: %s"),
			    l->id, r[i].address, r[i].reply ? r[i].reply : "");
	}
	if (sent.len)
		log_info("outbox %lld: sent %s to %s", l->id, l->message_id,
		    sb_str(&sent));
	sb_free(&sent);
}

/* The error of an attempt that left addresses pending without failing as
 * a whole: the 4xx answers. */
static char *
deferrals(const struct letter *l, const struct recipient_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < l->n_rcpts; i++)
		if (!r[i].delivered && r[i].code < 500)
			sb_printf(&sb, "%s%s (%s)", sb.len ? "; " : "", r[i].address,
			    r[i].reply ? r[i].reply : "no answer");
	return sb_steal(&sb);
}

/* Returns 1 when the email is now sent, 0 when not (yet), -1 on error. */
static int
attempt_write(sqlite3 *db, const struct config *cfg, struct letter *l,
    const struct recipient_result *r, const char *error)
{
	struct recipient_counts c;
	char *deferred = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->n_rcpts && rc == 0; i++)
		rc = recipient_record(db, l->id, &r[i], mw_now());
	if (rc == -1 || recipient_count(db, l->id, &c) == -1)
		return -1;
	if (c.pending == 0)
		return mark_settled(db, l, &c) == -1 ? -1 : c.sent > 0;
	if (error == NULL)
		error = deferred = deferrals(l, r);
	rc = mark_failed_attempt(db, mail_policy(cfg), l->id, l->attempts,
	    error ? error : "addresses still to reach");
	free(deferred);
	return rc;
}

/*
 * Records one attempt in one transaction: each address's outcome, then
 * the email's (settled, or retried later for the addresses still
 * pending).  r has one entry per pending address; error is the attempt's
 * own failure, or NULL.  When the database cannot take it, the lease
 * still holds the email, which is tried again once it expires.  Returns 0
 * when the email is now sent, -1 when it is not (yet).
 */
static int
attempt_record(sqlite3 *db, const struct config *cfg, struct letter *l,
    const struct recipient_result *r, const char *error)
{
	int sent;

	if (db_begin(db) == -1 ||
	    (sent = attempt_write(db, cfg, l, r, error)) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		log_warnx(N_("outbox %lld: the outcome of its delivery could not be "
		    "recorded; it is tried again after its lease"), l->id);
		return -1;
	}
	log_attempt(l, r);
	return sent ? 0 : -1;
}

/* One outcome for every pending address: the local transports take a
 * message for all of its recipients or for none. */
static int
attempt_record_all(sqlite3 *db, const struct config *cfg, struct letter *l,
    bool delivered, const char *error)
{
	struct recipient_result *r = xcalloc(l->n_rcpts + 1, sizeof(*r));
	size_t i;
	int rc;

	for (i = 0; i < l->n_rcpts; i++)
		r[i] = (struct recipient_result){ .address = l->rcpts[i],
		    .delivered = delivered };
	rc = attempt_record(db, cfg, l, r, error);
	free(r);
	return rc;
}

static int
attempt_record_smtp(sqlite3 *db, const struct config *cfg, struct letter *l,
    const struct smtp_outcome *o, const char *error)
{
	struct recipient_result *r = xcalloc(l->n_rcpts + 1, sizeof(*r));
	size_t i;
	int rc;

	for (i = 0; i < l->n_rcpts; i++) {
		r[i].address = l->rcpts[i];
		if (i < o->n) {
			r[i].code = o->rcpts[i].code;
			r[i].reply = o->rcpts[i].reply;
			r[i].delivered = o->rcpts[i].delivered;
		}
	}
	rc = attempt_record(db, cfg, l, r, error);
	free(r);
	return rc;
}

/* Marks a delivery under way for the longest it can take, so that neither
 * a second sender nor a restart after a crash sends the message meanwhile
 * (after a crash the lease simply expires).  When due_only, a message
 * waiting for its retry time is left alone too.  Returns 1 when leased, 0
 * when not available, -1 on error. */
static int
lease(sqlite3 *db, long long id, bool due_only, long seconds)
{
	time_t now = mw_now();

	if (db_run(db, "UPDATE outbox SET leased_until = ? WHERE id = ? AND"
	    " status = 'queued' AND leased_until <= ? AND (? = 0 OR"
	    " next_attempt_at <= ?)", "IIIII", (long long)(now + seconds),
	    id, (long long)now, (long long)due_only, (long long)now) == -1)
		return -1;
	return sqlite3_changes(db) > 0;
}

/*
 * Leases an email and gets it ready: its wire form and the addresses it
 * has still to reach.  Returns 1 with *out when there is something to
 * send; 0 when the email is not available (not queued, not due, or in
 * another delivery); 2 when it was done with here (unusable, or every
 * address settled: recorded as such); -1 when the database cannot be
 * written.
 */
static int
letter_take(sqlite3 *db, const struct config *cfg, long long id,
    bool due_only, struct letter **out)
{
	struct letter *l;
	char *error = NULL;
	int rc = lease(db, id, due_only, LEASE_SECONDS);

	if (rc != 1)
		return rc;
	if ((l = letter_load(db, id)) == NULL) {
		log_warnx(N_("outbox %lld: cannot be read"), id);
		return -1;
	}
	if (letter_prepare(cfg, l, &error) == -1) {
		rc = mark_failed_attempt(db, mail_policy(cfg), id, l->attempts,
		    error);
		free(error);
		letter_free(l);
		return rc == -1 ? -1 : 2;
	}
	if (letter_claim(db, l) == -1) {
		letter_free(l);
		return -1;
	}
	if (l->n_rcpts == 0) {          /* settled before: `outbox retry` */
		attempt_record_all(db, cfg, l, false, NULL);
		letter_free(l);
		return 2;
	}
	*out = l;
	return 1;
}

static int
mail_deliver_blocking(sqlite3 *db, const struct config *cfg, long long id)
{
	struct smtp_outcome o = { 0 };
	struct letter *l = NULL;
	char *error = NULL, *from;
	int rc;

	if ((rc = letter_take(db, cfg, id, false, &l)) != 1) {
		if (rc == 0)
			log_warnx(N_("outbox %lld: not queued, or being delivered by "
			    "mediawatchd"), id);
		return -1;
	}
	if (cfg->mail.transport == MAIL_SMTP) {
		from = envelope_from(cfg);
		rc = smtp_send(&cfg->mail, from, (const char *const *)l->rcpts,
		    l->n_rcpts, l->wire, l->wire_len, &o, &error);
		free(from);
		rc = attempt_record_smtp(db, cfg, l, &o, rc == 0 ? NULL :
		    error ? error : "SMTP failed");
		smtp_outcome_free(&o);
	} else {
		rc = deliver_local(cfg, l, &error);
		rc = attempt_record_all(db, cfg, l, rc == 0, rc == 0 ? NULL :
		    error ? error : "failed");
	}
	free(error);
	letter_free(l);
	return rc;
}

/* ---- one chat message ---- */

struct chat_row {
	long long            id;
	char                *channel, *kind, *title, *text, *payload;
	char                *message_id;
	long                 attempts;
	/* the channel as configured when the delivery began: a reload may
	 * change or drop it meanwhile */
	enum channel_type    type;
	struct retry_policy  policy;
	long                 timeout;
};

static void
chat_row_free(struct chat_row *r)
{
	if (r == NULL)
		return;
	free(r->channel);
	free(r->kind);
	free(r->title);
	free(r->text);
	free(r->payload);
	free(r->message_id);
	free(r);
}

static struct chat_row *
chat_row_load(sqlite3 *db, long long id, const struct channel *c)
{
	struct chat_row *r = NULL;
	sqlite3_stmt *st;

	st = db_prepare(db, "SELECT channel, kind, subject, body_text, payload,"
	    " message_id, attempts FROM outbox WHERE id = ?", "I", id);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		r = xcalloc(1, sizeof(*r));
		r->id = id;
		r->channel = db_column_strdup(st, 0);
		r->kind = db_column_strdup(st, 1);
		r->title = db_column_strdup(st, 2);
		r->text = db_column_strdup(st, 3);
		r->payload = db_column_strdup(st, 4);
		r->message_id = db_column_strdup(st, 5);
		r->attempts = sqlite3_column_int(st, 6);
		r->type = c->type;
		r->policy = (struct retry_policy){ c->max_attempts, c->retry_base };
		r->timeout = (long)c->timeout;
	}
	sqlite3_finalize(st);
	return r;
}

/* The request, with the channel's address and secret read now (they may
 * have been replaced since the message was queued). */
static int
chat_request(const struct config *cfg, const struct channel *c,
    const struct chat_row *r, struct chat_request *req, char **error)
{
	const struct chat_message m = { .kind = r->kind, .title = r->title,
	    .text = r->text, .data = r->payload, .id = r->message_id,
	    .console_url = cfg->console_url, .keyword = c->keyword };
	char *url = NULL, *secret = NULL;
	int rc = -1;

	if (c->url)
		url = xstrdup(c->url);
	else if (secret_read(c->url_file, "the channel's address", &url,
	    error) == -1)
		return -1;
	if (!str_case_prefix(url, "http://") && !str_case_prefix(url, "https://"))
		*error = xasprintf("the address in %s is not an http:// or "
		    "https:// address", c->url_file);
	else if (c->secret_file == NULL || secret_read(c->secret_file,
	    "the channel's secret", &secret, error) == 0)
		rc = chat_request_build(c->type, url, secret, &m,
		    (long long)mw_now() * 1000, req, error);
	secret_free(url);
	secret_free(secret);
	return rc;
}

static int
chat_mark_sent(sqlite3 *db, const struct chat_row *r)
{
	if (db_run(db, "UPDATE outbox SET status = 'sent', sent_at = ?,"
	    " attempts = attempts + 1, last_error = NULL, leased_until = 0"
	    " WHERE id = ?", "II", (long long)mw_now(), r->id) == -1)
		return -1;
	log_info("outbox %lld: sent %s to channel %s", r->id, r->message_id,
	    r->channel);
	return 0;
}

/* A rate limit is no attempt: the message waits, and so does every other
 * message queued for the channel, which would only be refused too. */
static int
chat_defer(sqlite3 *db, const struct chat_row *r, long delay, const char *why)
{
	long long until = (long long)mw_now() + delay;

	if (db_run(db, "UPDATE outbox SET deferrals = deferrals + 1,"
	    " last_error = ?, next_attempt_at = ?, leased_until = 0 WHERE id = ?",
	    "sII", why, until, r->id) == -1 ||
	    db_run(db, "UPDATE outbox SET next_attempt_at = max(next_attempt_at,"
	    " ?) WHERE channel = ? AND status = 'queued' AND id != ?", "IsI",
	    until, r->channel, r->id) == -1)
		return -1;
	log_notice(N_("outbox %lld: channel %s is rate limited (%s); its messages "
	    "wait %ld s"), r->id, r->channel, why, delay);
	return 0;
}

/* Returns 1 when the message is now sent, 0 when not (yet), -1 on error. */
static int
chat_write(sqlite3 *db, const struct chat_row *r,
    const struct chatpost_outcome *o)
{
	enum chat_verdict v = CHAT_FAILED;
	char *why = NULL;
	long delay;
	int rc;

	if (o->error)
		why = xstrdup(o->error);
	else
		v = chat_answer(r->type, o->status, o->body, o->len, &why);
	if (v == CHAT_SENT)
		rc = chat_mark_sent(db, r) == -1 ? -1 : 1;
	else if (v == CHAT_RATE_LIMITED) {
		delay = o->retry_after ? o->retry_after :
		    chat_rate_limit_delay(r->type);
		rc = chat_defer(db, r, delay < RATE_DELAY_MAX ? delay :
		    RATE_DELAY_MAX, why);
	} else
		rc = mark_failed_attempt(db, r->policy, r->id, r->attempts, why);
	free(why);
	return rc;
}

/* Records one delivery in one transaction; when the database cannot take
 * it, the lease holds the message until it is tried again.  Returns 0
 * when the message is now sent, -1 when it is not (yet). */
static int
chat_record(sqlite3 *db, const struct chat_row *r,
    const struct chatpost_outcome *o)
{
	int sent;

	if (db_begin(db) == -1 || (sent = chat_write(db, r, o)) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		log_warnx(N_("outbox %lld: the outcome of its delivery could not be "
		    "recorded; it is tried again after its lease"), r->id);
		return -1;
	}
	return sent ? 0 : -1;
}

/* A message for a channel the configuration no longer has: nothing can
 * send it until the channel is back and `outbox retry` is run. */
static int
chat_orphan(sqlite3 *db, long long id, const char *name)
{
	char *error = xasprintf("channel %s is not in the configuration", name);
	int rc;

	rc = db_run(db, "UPDATE outbox SET status = 'failed', last_error = ?,"
	    " leased_until = 0 WHERE id = ?", "sI", error, id);
	if (rc == 0)
		log_event(LOG_ERR, "8c5f0e2d9a7b4c61b3e2f1a0d9c8b7a6", 0, NULL,
		    "outbox %lld: not sent: %s", id, error);
	free(error);
	return rc;
}

/*
 * Leases a chat message and builds its request, as letter_take() does for
 * an email: 1 with *out and *req when there is something to send; 0 when
 * not available; 2 when done with here (its channel is gone, or its
 * request cannot be made: recorded); -1 when the database cannot be
 * written.
 */
static int
chat_take(sqlite3 *db, const struct config *cfg, long long id, bool due_only,
    struct chat_row **out, struct chat_request *req)
{
	const struct channel *c;
	struct chat_row *r;
	char *name = NULL, *error = NULL;
	int rc;

	if ((rc = db_query_text(db, &name, "SELECT channel FROM outbox WHERE"
	    " id = ?", "I", id)) != 0)
		return rc == 1 ? 0 : -1;
	c = config_channel(cfg, name);
	rc = lease(db, id, due_only, c ? c->timeout + 60 : 60);
	if (rc == 1 && c == NULL)
		rc = chat_orphan(db, id, name) == -1 ? -1 : 2;
	free(name);
	if (rc != 1)
		return rc;
	if ((r = chat_row_load(db, id, c)) == NULL) {
		log_warnx(N_("outbox %lld: cannot be read"), id);
		return -1;
	}
	if (chat_request(cfg, c, r, req, &error) == -1) {
		rc = mark_failed_attempt(db, r->policy, id, r->attempts, error);
		free(error);
		chat_row_free(r);
		return rc == -1 ? -1 : 2;
	}
	*out = r;
	return 1;
}

static int
chat_deliver_blocking(sqlite3 *db, const struct config *cfg, long long id)
{
	struct chatpost_outcome o;
	struct chat_request req;
	struct chat_row *r = NULL;
	int rc;

	if ((rc = chat_take(db, cfg, id, false, &r, &req)) != 1) {
		if (rc == 0)
			log_warnx(N_("outbox %lld: not queued, or being delivered by "
			    "mediawatchd"), id);
		return -1;
	}
	chatpost_send(&req, r->timeout, &o);
	chat_request_free(&req);
	rc = chat_record(db, r, &o);
	chatpost_outcome_free(&o);
	chat_row_free(r);
	return rc;
}

int
outbox_deliver_blocking(sqlite3 *db, const struct config *cfg, long long id)
{
	char *channel = NULL;
	int rc;

	if (db_query_text(db, &channel, "SELECT channel FROM outbox WHERE id = ?",
	    "I", id) != 0) {
		log_warnx(N_("outbox %lld: no such message"), id);
		return -1;
	}
	rc = strcmp(channel, "email") == 0 ? mail_deliver_blocking(db, cfg, id) :
	    chat_deliver_blocking(db, cfg, id);
	free(channel);
	return rc;
}

/* ---- the sender in the event loop ---- */

struct outbox_sender {
	sd_event             *event;
	sqlite3              *db;
	const struct config  *cfg;
	struct curlloop      *curl;          /* chat deliveries */
	struct smtp_workers  *smtp;          /* email, made at its first use */
	sd_event_source      *timer;
	sd_event_source      *kick;
	size_t                in_flight;     /* transfers of any kind */
	size_t                smtp_flights;
	char                **busy;          /* channels with a delivery in flight */
	size_t                n_busy;
	void                (*on_idle)(void *);
	void                 *on_idle_data;
	void                (*flush)(void *);    /* commit others' open batch */
	void                 *flush_data;
};

struct smtp_flight {
	struct outbox_sender *s;
	struct letter        *letter;
	struct smtp_job      *job;
};

struct chat_flight {
	struct outbox_sender *s;
	struct chat_row      *row;
	struct chatpost_job  *job;
};

static void
sender_arm(struct outbox_sender *s, time_t delay)
{
	uint64_t now;

	if (delay > SENDER_IDLE_MAX)
		delay = SENDER_IDLE_MAX;
	sd_event_now(s->event, CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(s->timer, now + (uint64_t)(delay < 0 ? 0 : delay) *
	    1000000ULL);
	sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

void
outbox_sender_kick(struct outbox_sender *s)
{
	sd_event_source_set_enabled(s->kick, SD_EVENT_ONESHOT);
}

static void
smtp_done(CURL *easy, CURLcode result, void *userdata)
{
	struct smtp_flight *f = userdata;
	struct outbox_sender *s = f->s;
	struct smtp_outcome o = { 0 };
	char *error = NULL;
	int rc;

	if (s->flush)
		s->flush(s->flush_data);
	rc = smtp_job_result(f->job, easy, result, &o, &error);
	/* an aborted transfer keeps its lease and is retried after it */
	if (!o.aborted)
		attempt_record_smtp(s->db, s->cfg, f->letter, &o, rc == 0 ? NULL :
		    error ? error : "SMTP failed");
	smtp_outcome_free(&o);
	free(error);
	smtp_job_free(f->job);
	letter_free(f->letter);
	free(f);
	s->in_flight--;
	s->smtp_flights--;
	outbox_sender_kick(s);
}

/* Submissions at once: SMTP_PARALLEL, but no more connections to the
 * server than poll.per_host allows to any one host. */
static size_t
smtp_parallel(const struct config *cfg)
{
	long n = cfg->poll.per_host;

	return n > 0 && n < SMTP_PARALLEL ? (size_t)n : SMTP_PARALLEL;
}

/* Submissions run on worker threads: libcurl blocks its caller while it
 * waits for the server to take a message (smtp_workers.h). */
static void
start_smtp(struct outbox_sender *s, struct letter *l)
{
	struct smtp_flight *f;
	char *error = NULL, *from;
	CURL *easy;

	if (s->smtp == NULL && (s->smtp = smtp_workers_new(s->event,
	    smtp_parallel(s->cfg), smtp_done)) == NULL) {
		/* logged; the lease holds the message until it is tried again */
		letter_free(l);
		return;
	}
	f = xcalloc(1, sizeof(*f));
	from = envelope_from(s->cfg);
	f->s = s;
	f->letter = l;
	easy = smtp_easy_new(&s->cfg->mail, from, (const char *const *)l->rcpts,
	    l->n_rcpts, l->wire, l->wire_len, &f->job, &error);
	free(from);
	if (easy == NULL) {
		attempt_record_all(s->db, s->cfg, l, false,
		    error ? error : "cannot start an SMTP transfer");
		free(error);
		smtp_job_free(f->job);
		letter_free(l);
		free(f);
		return;
	}
	smtp_workers_add(s->smtp, easy, f);
	s->in_flight++;
	s->smtp_flights++;
}

/* ---- chat deliveries: one per channel at a time, which keeps a
 * channel's messages in order and its rate low ---- */

static bool
busy(const struct outbox_sender *s, const char *channel)
{
	size_t i;

	for (i = 0; i < s->n_busy; i++)
		if (strcmp(s->busy[i], channel) == 0)
			return true;
	return false;
}

static void
busy_set(struct outbox_sender *s, const char *channel, bool on)
{
	size_t i;

	if (on) {
		s->busy = xrealloc(s->busy, (s->n_busy + 1) * sizeof(char *));
		s->busy[s->n_busy++] = xstrdup(channel);
		return;
	}
	for (i = 0; i < s->n_busy; i++)
		if (strcmp(s->busy[i], channel) == 0) {
			free(s->busy[i]);
			s->busy[i] = s->busy[--s->n_busy];
			return;
		}
}

static void
chat_done(CURL *easy, CURLcode result, void *userdata)
{
	struct chat_flight *f = userdata;
	struct outbox_sender *s = f->s;
	struct chatpost_outcome o;

	if (s->flush)
		s->flush(s->flush_data);
	chatpost_job_result(f->job, easy, result, &o);
	/* an aborted transfer keeps its lease and is retried after it */
	if (!o.aborted)
		chat_record(s->db, f->row, &o);
	chatpost_outcome_free(&o);
	chatpost_job_free(f->job);
	busy_set(s, f->row->channel, false);
	chat_row_free(f->row);
	free(f);
	s->in_flight--;
	outbox_sender_kick(s);
}

/* Returns -1 when the database cannot be written. */
static int
start_chat(struct outbox_sender *s, long long id)
{
	struct chatpost_outcome o = { 0 };
	struct chat_flight *f;
	struct chat_request req;
	struct chat_row *r = NULL;
	char *error = NULL;
	CURL *easy;
	int rc;

	if ((rc = chat_take(s->db, s->cfg, id, true, &r, &req)) != 1)
		return rc == -1 ? -1 : 0;
	f = xcalloc(1, sizeof(*f));
	f->s = s;
	f->row = r;
	easy = chatpost_easy_new(&req, r->timeout, &f->job, &error);
	chat_request_free(&req);
	if (easy == NULL || curlloop_add(s->curl, easy, chat_done, f) == -1) {
		o.error = error ? error : xstrdup("cannot start an HTTP transfer");
		chat_record(s->db, r, &o);
		chatpost_outcome_free(&o);
		chatpost_job_free(f->job);
		chat_row_free(r);
		free(f);
		return 0;
	}
	busy_set(s, r->channel, true);
	s->in_flight++;
	return 0;
}

/* The first due message of each channel, at most max: (id, channel). */
static size_t
chat_heads(struct outbox_sender *s, long long *ids, char **names, size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;

	st = db_prepare(s->db, "SELECT id, channel FROM (SELECT id, channel,"
	    " row_number() OVER (PARTITION BY channel ORDER BY next_attempt_at,"
	    " id) AS place FROM outbox WHERE status = 'queued' AND channel !="
	    " 'email' AND next_attempt_at <= ?1 AND leased_until <= ?1) WHERE"
	    " place = 1 ORDER BY id LIMIT ?2", "II", (long long)mw_now(),
	    (long long)max);
	while (st && sqlite3_step(st) == SQLITE_ROW && n < max) {
		ids[n] = sqlite3_column_int64(st, 0);
		names[n++] = db_column_strdup(st, 1);
	}
	sqlite3_finalize(st);
	return n;
}

/* Starts the due head of every channel without a delivery in flight.
 * Returns -1 when the database cannot be written. */
static int
send_chats(struct outbox_sender *s)
{
	size_t max = s->cfg->n_channels + s->n_busy + 8, n, i;
	long long *ids = xcalloc(max, sizeof(long long));
	char **names = xcalloc(max, sizeof(char *));
	int rc = 0;

	n = chat_heads(s, ids, names, max);
	for (i = 0; i < n; i++) {
		if (rc == 0 && !busy(s, names[i]))
			rc = start_chat(s, ids[i]);
		free(names[i]);
	}
	free(ids);
	free(names);
	return rc;
}

/* Takes one due email and starts its SMTP submission.  Returns -1 when
 * the database cannot be written (full disk, lock). */
static int
send_one_smtp(struct outbox_sender *s, long long id)
{
	struct letter *l = NULL;
	int rc;

	if ((rc = letter_take(s->db, s->cfg, id, true, &l)) != 1)
		return rc == -1 ? -1 : 0;
	start_smtp(s, l);
	return 0;
}

/* Hands n letters to the local transport, each outcome into m: a Maildir
 * takes them all at once, sendmail one process after another. */
static void
deliver_local_all(const struct config *cfg, struct letter **l,
    struct maildir_message *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		m[i] = (struct maildir_message){ .data = l[i]->wire,
		    .len = l[i]->wire_len };
	if (cfg->mail.transport != MAIL_SENDMAIL) {
		maildir_deliver_all(cfg->mail.maildir, m, n);
		return;
	}
	for (i = 0; i < n; i++)
		m[i].rc = deliver_local(cfg, l[i], &m[i].error);
}

/* The due emails of one turn by a local transport: taken until they hold
 * SYNC_BYTES (*more: some were left for the next turn), delivered
 * together, then each outcome recorded.  Returns -1 when the database
 * cannot be written; what was taken before is still delivered. */
static int
send_local(struct outbox_sender *s, const long long *ids, size_t n,
    bool *more)
{
	struct letter *l[SYNC_BATCH];
	struct maildir_message m[SYNC_BATCH];
	size_t taken = 0, held = 0, i;
	int rc = 0;

	for (i = 0; i < n && i < SYNC_BATCH && rc != -1 && held < SYNC_BYTES;
	    i++)
		if ((rc = letter_take(s->db, s->cfg, ids[i], true,
		    &l[taken])) == 1)
			held += l[taken++]->wire_len;
	*more |= i < n;
	deliver_local_all(s->cfg, l, m, taken);
	for (i = 0; i < taken; i++) {
		attempt_record_all(s->db, s->cfg, l[i], m[i].rc == 0,
		    m[i].rc == 0 ? NULL : m[i].error ? m[i].error : "failed");
		free(m[i].error);
		letter_free(l[i]);
	}
	return rc == -1 ? -1 : 0;
}

static size_t
due_ids(struct outbox_sender *s, long long *ids, size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;

	st = db_prepare(s->db, "SELECT id FROM outbox WHERE status = 'queued' AND"
	    " channel = 'email' AND next_attempt_at <= ?1 AND leased_until <= ?1"
	    " ORDER BY next_attempt_at, id LIMIT ?2", "II", (long long)mw_now(),
	    (long long)max);
	while (st && sqlite3_step(st) == SQLITE_ROW && n < max)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static time_t
next_due_delay(struct outbox_sender *s)
{
	long long next;

	if (db_query_int(s->db, &next, "SELECT min(max(next_attempt_at,"
	    " leased_until)) FROM outbox WHERE status = 'queued'", "") != 0 ||
	    next == 0)
		return SENDER_IDLE_MAX;
	return (time_t)(next - mw_now());
}

/* Email: smtp_parallel() submissions at once, or SYNC_BATCH local deliveries
 * of SYNC_BYTES at most per turn of the loop (*more: more are due).  Returns -1 when the
 * database cannot be written. */
static int
send_mail(struct outbox_sender *s, bool *more)
{
	bool smtp = s->cfg->mail.transport == MAIL_SMTP;
	size_t most = smtp_parallel(s->cfg);
	size_t room = smtp ? (s->smtp_flights < most ?
	    most - s->smtp_flights : 0) : SYNC_BATCH;
	long long ids[SYNC_BATCH];
	size_t n = room ? due_ids(s, ids, room) : 0, i;

	*more = n == room && room > 0 && !smtp;
	if (!smtp)
		return send_local(s, ids, n, more);
	for (i = 0; i < n; i++)
		if (send_one_smtp(s, ids[i]) == -1)
			return -1;
	return 0;
}

static bool
anything_due(struct outbox_sender *s)
{
	long long id, n = 0;

	if (due_ids(s, &id, 1) > 0)
		return true;
	db_query_int(s->db, &n, "SELECT count(*) FROM outbox WHERE status ="
	    " 'queued' AND channel != 'email' AND next_attempt_at <= ?1 AND"
	    " leased_until <= ?1", "I", (long long)mw_now());
	return n > 0;
}

static void
sender_step(struct outbox_sender *s)
{
	bool more = false;

	if (s->flush)
		s->flush(s->flush_data);
	if (send_mail(s, &more) == -1 || send_chats(s) == -1) {
		/* the queue cannot be written: wait, and let --once end */
		log_warnx(N_("outbox: the database cannot be written; messages "
		    "stay queued, retrying in %d s"), DB_RETRY_SECONDS);
		sender_arm(s, DB_RETRY_SECONDS);
		if (s->in_flight == 0 && s->on_idle)
			s->on_idle(s->on_idle_data);
		return;
	}
	if (more) {
		outbox_sender_kick(s);      /* more due: continue next turn */
		return;
	}
	sender_arm(s, next_due_delay(s));
	if (s->in_flight == 0 && s->on_idle && !anything_due(s))
		s->on_idle(s->on_idle_data);
}

static int
on_sender_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	sender_step(userdata);
	return 0;
}

static int
on_sender_kick(sd_event_source *src, void *userdata)
{
	sender_step(userdata);
	return 0;
}

struct outbox_sender *
outbox_sender_new(sd_event *event, sqlite3 *db, const struct config *cfg,
    struct curlloop *curl)
{
	struct outbox_sender *s = xcalloc(1, sizeof(*s));

	s->event = sd_event_ref(event);
	s->db = db;
	s->cfg = cfg;
	s->curl = curl;
	if (sd_event_add_time(event, &s->timer, CLOCK_MONOTONIC, 0, 0,
	    on_sender_timer, s) < 0 ||
	    sd_event_add_defer(event, &s->kick, on_sender_kick, s) < 0) {
		log_warnx(N_("cannot set up the mail sender"));
		outbox_sender_free(s);
		return NULL;
	}
	sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
	sd_event_source_set_enabled(s->kick, SD_EVENT_OFF);
	return s;
}

void
outbox_sender_free(struct outbox_sender *s)
{
	if (s == NULL)
		return;
	/* the poller may be gone: outcomes reported now flush nothing */
	s->flush = NULL;
	smtp_workers_free(s->smtp);
	sd_event_source_disable_unref(s->timer);
	sd_event_source_disable_unref(s->kick);
	while (s->n_busy > 0)
		free(s->busy[--s->n_busy]);
	free(s->busy);
	sd_event_unref(s->event);
	free(s);
}

void
outbox_sender_set_config(struct outbox_sender *s, const struct config *cfg)
{
	s->cfg = cfg;
}

void
outbox_sender_set_flush(struct outbox_sender *s, void (*fn)(void *),
    void *userdata)
{
	s->flush = fn;
	s->flush_data = userdata;
}

void
outbox_sender_on_idle(struct outbox_sender *s, void (*fn)(void *), void *userdata)
{
	s->on_idle = fn;
	s->on_idle_data = userdata;
}

long
outbox_retry_failed(sqlite3 *db, long long id)
{
	/* a refused address is tried again too: it may have been fixed */
	if (recipient_retry_refused(db, id) == -1)
		return -1;
	if (db_run(db, "UPDATE outbox SET status = 'queued', attempts = 0,"
	    " next_attempt_at = 0 WHERE status = 'failed' AND (?1 = 0 OR"
	    " id = ?1)", "I", id) == -1)
		return -1;
	return sqlite3_changes(db);
}
