/* wording.c — wording problems and alerts from the word lists.
 *
 * A problem names its wrong form at the start of its detail ("表述错误「
 * WRONG」…"): the schema has no column for it, and the prefix is what
 * tells whether a post was already reported for a wrong form and whether
 * an open problem is still found. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/template.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/compose.h"
#include "mail/outbox.h"
#include "monitor/alerts.h"
#include "monitor/wording.h"
#include "registry/problem.h"
#include "store/audit.h"
#include "store/db.h"

#define DETAIL_HEAD "表述错误「"

/* One post as the check sees it. */
struct wpost {
	long long   account_id, post_id;
	const char *title, *summary, *link;
	time_t      date;              /* published, else first seen */
};

struct wopts {
	bool        may_open;          /* the account is active */
	bool        close_missing;     /* close open problems not found now */
	const char *opened_by;
	const char *close_note;
};

/* One distinct wrong form found in a post. */
struct found {
	const struct wordentry *entry;
	const char             *field;     /* 标题 or 摘要 */
	char                   *snippet;
	char                   *prefix;    /* DETAIL_HEAD wrong 」 */
	long long               problem_id;  /* opened now, else 0 */
};

struct findings {
	struct found *v;
	size_t        n, cap;
};

struct wordcheck *
wording_load(const struct config *cfg, char **error)
{
	const char *const *lists = (const char *const *)cfg->wording.lists;

	*error = NULL;
	/* an allowlist alone allows nothing: no list means the check is off */
	if (lists == NULL || lists[0] == NULL)
		return NULL;
	return wordcheck_new(lists,
	    (const char *const *)cfg->wording.allowlists, error);
}

char *
wording_snippet(const struct wordcheck_result *res, const struct wordhit *h)
{
	size_t nb = strlen(h->before), na = strlen(h->after);

	return xasprintf("%s%s【%.*s】%s%s", h->offset > nb ? "…" : "",
	    h->before, (int)h->len, res->norm.text + h->offset, h->after,
	    h->offset + h->len + na < res->norm.len ? "…" : "");
}

static const char *
severity_label(enum wl_severity sev)
{
	return sev == WL_SERIOUS ? "严重表述错误" : "错别字或表述不规范";
}

static bool
findings_has(const struct findings *f, const struct wordentry *e)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].entry == e)
			return true;
	return false;
}

static void
findings_add(struct findings *f, const char *field,
    const struct wordcheck_result *res, const struct wordhit *h)
{
	struct found *x;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->entry = h->entry;
	x->field = field;
	x->snippet = wording_snippet(res, h);
	x->prefix = xasprintf(DETAIL_HEAD "%s」", h->entry->wrong);
}

static void
findings_free(struct findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].snippet);
		free(f->v[i].prefix);
	}
	free(f->v);
}

/* The first occurrence of each wrong form, title before summary. */
static void
find_in(const struct wordcheck *wc, const char *field, const char *text,
    struct findings *f)
{
	struct wordcheck_result res;
	size_t i;

	if (str_empty(text))
		return;
	wordcheck_text(wc, text, strlen(text), &res);
	for (i = 0; i < res.nhits; i++)
		if (!findings_has(f, res.hits[i].entry))
			findings_add(f, field, &res, &res.hits[i]);
	wordcheck_result_free(&res);
}

static bool
reported(sqlite3 *db, long long post_id, const char *prefix)
{
	long long n = 0;

	db_query_int(db, &n, "SELECT count(*) FROM problem WHERE post_id = ?"
	    " AND kind = 'wording' AND substr(detail, 1, length(?2)) = ?2",
	    "Is", post_id, prefix);
	return n > 0;
}

static int
open_problem(sqlite3 *db, const struct config *cfg, const struct wpost *p,
    const struct wopts *o, struct found *x, time_t now)
{
	const struct wordentry *e = x->entry;
	struct problem_auto pa = {
		.account_id = p->account_id, .kind = "wording",
		.due = config_deadline(cfg, now),
		.post_id = p->post_id, .severity = wl_severity_name(e->severity),
		.opened_by = o->opened_by,
	};
	char *detail, *evidence;
	long long last = 0;
	int rc;

	if (db_query_int(db, &pa.unit_id, "SELECT unit_id FROM account WHERE"
	    " id = ?", "I", p->account_id) != 0 || db_query_int(db, &last,
	    "SELECT coalesce(last_update_at, 0) FROM account WHERE id = ?", "I",
	    p->account_id) != 0)
		return -1;
	pa.has_last_update = last != 0;
	pa.last_update = (time_t)last;
	detail = xasprintf("%s→「%s」（%s%s%s）", x->prefix, e->correct,
	    severity_label(e->severity), *e->note ? "：" : "", e->note);
	evidence = xasprintf("%s%s%s：%s", str_empty(p->link) ? "" : p->link,
	    str_empty(p->link) ? "" : " ", x->field, x->snippet);
	pa.detail = detail;
	pa.evidence = evidence;
	rc = problem_auto_open(db, &pa, now, &x->problem_id, NULL);
	free(detail);
	free(evidence);
	return rc == -1 ? -1 : 0;
}

static int
open_problems(sqlite3 *db, const struct config *cfg, const struct wpost *p,
    const struct wopts *o, struct findings *f, time_t now,
    struct wording_stats *st)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (reported(db, p->post_id, f->v[i].prefix))
			continue;
		if (open_problem(db, cfg, p, o, &f->v[i], now) == -1)
			return -1;
		st->opened += f->v[i].problem_id != 0;
	}
	return 0;
}

static bool
still_found(const struct findings *f, const char *detail)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (str_has_prefix(detail, f->v[i].prefix))
			return true;
	return false;
}

/* Open problems of the post whose wrong form is gone: rectified. */
static int
close_missing(sqlite3 *db, const struct wpost *p, const struct wopts *o,
    const struct findings *f, time_t now, struct wording_stats *st)
{
	sqlite3_stmt *q;
	int rc = 0, step;

	q = db_prepare(db, "SELECT id, detail FROM problem WHERE post_id = ?"
	    " AND kind = 'wording' AND closed_at IS NULL", "I", p->post_id);
	if (q == NULL)
		return -1;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		if (still_found(f, db_column_text(q, 1)))
			continue;
		rc = problem_auto_close(db, sqlite3_column_int64(q, 0), "rectified",
		    o->close_note, now);
		st->closed += rc == 1;
		rc = rc == -1 ? -1 : 0;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(q);
	return rc;
}

/* ---- the email to the unit ---- */

/* Written the Chinese way, as in every message: 2026年12月2日 (10:30). */
static void
set_when(struct tmpl_vars *v, const char *key, time_t t, bool date_only)
{
	char buf[CN_DATE_SIZE];

	if (date_only)
		date_cn(t, buf, sizeof(buf));
	else
		datetime_cn(t, buf, sizeof(buf));
	tmpl_set(v, key, buf);
}

static void
set_account_names(struct tmpl_vars *v, const char *unit_code,
    const char *unit_name, const char *contact, const char *platform,
    const char *account_name, const char *uid)
{
	tmpl_set(v, "unit_code", unit_code);
	tmpl_set(v, "unit_name", unit_name);
	tmpl_set(v, "contact_name", contact);
	tmpl_set(v, "platform", platform);
	tmpl_set(v, "account_name", account_name);
	tmpl_set(v, "uid", uid);
}

/* Unit and account names; returns the unit id, or 0. */
static long long
mail_facts(sqlite3 *db, const struct config *cfg, long long account_id,
    struct tmpl_vars *v)
{
	const struct platform *pl;
	sqlite3_stmt *st;
	long long unit_id = 0;

	st = db_prepare(db, "SELECT u.id, u.code, u.name, coalesce(u.contact,"
	    " ''), a.platform, a.name, coalesce(a.platform_uid, '') FROM account"
	    " a JOIN unit u ON u.id = a.unit_id WHERE a.id = ?", "I", account_id);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		unit_id = sqlite3_column_int64(st, 0);
		pl = config_platform(cfg, db_column_text(st, 4));
		set_account_names(v, db_column_text(st, 1), db_column_text(st, 2),
		    db_column_text(st, 3), pl ? pl->label : db_column_text(st, 4),
		    db_column_text(st, 5), db_column_text(st, 6));
	}
	sqlite3_finalize(st);
	return unit_id;
}

static void
add_hit_rows(struct tmpl_vars *v, const struct findings *f,
    struct strbuf *key)
{
	struct tmpl_vars *row;
	size_t i, n = 0;

	tmpl_set_list(v, "hits");
	for (i = 0; i < f->n; i++) {
		const struct found *x = &f->v[i];

		if (x->problem_id == 0 || x->entry->severity != WL_SERIOUS)
			continue;
		row = tmpl_add_row(v, "hits");
		tmpl_set(row, "wrong", x->entry->wrong);
		tmpl_set(row, "correct", x->entry->correct);
		tmpl_set(row, "note", x->entry->note);
		tmpl_set(row, "field", x->field);
		tmpl_set(row, "snippet", x->snippet);
		tmpl_setf(row, "problem_id", "%lld", x->problem_id);
		sb_printf(key, ":%lld", x->problem_id);
		n++;
	}
	tmpl_setf(v, "n_hits", "%zu", n);
}

static void
set_post_vars(struct tmpl_vars *v, const struct config *cfg,
    const struct wpost *p, const struct findings *f, time_t now,
    struct strbuf *key)
{
	set_when(v, "now", now, false);
	tmpl_set(v, "issuer", cfg->notice.issuer);
	tmpl_set(v, "title", p->title);
	tmpl_set(v, "link", p->link);
	set_when(v, "published", p->date, false);
	set_when(v, "problem_due", config_deadline(cfg, now), true);
	add_hit_rows(v, f, key);
}

static struct tmpl_vars *
mail_vars(sqlite3 *db, const struct config *cfg, const struct wpost *p,
    const struct findings *f, time_t now, long long *unit_id,
    struct strbuf *key)
{
	struct tmpl_vars *v = tmpl_vars_new();

	*unit_id = mail_facts(db, cfg, p->account_id, v);
	set_post_vars(v, cfg, p, f, now, key);
	return v;
}

/* One email for the serious problems just opened on the post. */
static int
queue_mail(sqlite3 *db, const struct config *cfg, const struct wpost *p,
    const struct findings *f, time_t now, struct wording_stats *st)
{
	struct strbuf key = STRBUF_INIT;
	struct tmpl_vars *v;
	long long unit_id;
	char **to = NULL;
	size_t n_to;
	bool fallback;
	int rc = -1;

	sb_printf(&key, "wording:%lld", p->post_id);
	v = mail_vars(db, cfg, p, f, now, &unit_id, &key);
	if (unit_id == 0)
		log_warnx(N_("account %lld: no such account"), p->account_id);
	else {
		/* with no address of the unit's, the admins, as for the
		 * stale alerts: a serious error is never left unreported */
		to = unit_mail_recipients(db, cfg, unit_id, &n_to, &fallback, v);
		rc = compose_queue(db, cfg, "unit-wording", v, &(struct outgoing){
		    .kind = "wording", .unit_id = unit_id,
		    .to = (const char *const *)to, .n_to = n_to,
		    /* admins already in To need no copy */
		    .cc = fallback ? NULL : (const char *const *)cfg->mail.admins,
		    .n_cc = fallback ? 0 : cfg->mail.n_admins,
		    .dedup_key = sb_str(&key), .admins = true }, now);
		st->mailed += rc > 0;
	}
	strv_free(to);
	tmpl_vars_free(v);
	sb_free(&key);
	return rc == -1 ? -1 : 0;
}

static bool
wants_mail(const struct findings *f, const struct wpost *p, time_t now)
{
	size_t i;

	if (p->date < now - WORDING_MAIL_AGE)
		return false;
	for (i = 0; i < f->n; i++)
		if (f->v[i].problem_id != 0 &&
		    f->v[i].entry->severity == WL_SERIOUS)
			return true;
	return false;
}

/* ---- one post ---- */

static int
apply_steps(sqlite3 *db, const struct config *cfg, const struct wpost *p,
    const struct wopts *o, struct findings *f, time_t now,
    struct wording_stats *st)
{
	if (o->may_open && open_problems(db, cfg, p, o, f, now, st) == -1)
		return -1;
	if (o->close_missing && close_missing(db, p, o, f, now, st) == -1)
		return -1;
	if (wants_mail(f, p, now) && queue_mail(db, cfg, p, f, now, st) == -1)
		return -1;
	return 0;
}

/* Whether the post has open wording problems (few rows: the closed_at
 * index finds them, so a rescan of many clean posts stays fast). */
static bool
has_open(sqlite3 *db, long long post_id)
{
	long long n = 1;

	db_query_int(db, &n, "SELECT count(*) FROM problem WHERE closed_at IS"
	    " NULL AND post_id = ? AND kind = 'wording'", "I", post_id);
	return n > 0;
}

static int
apply(sqlite3 *db, const struct config *cfg, const struct wordcheck *wc,
    const struct wpost *p, const struct wopts *o, time_t now,
    struct wording_stats *st)
{
	struct wording_stats mine = { 0 };
	struct findings f = { 0 };
	int rc;

	find_in(wc, "标题", p->title, &f);
	find_in(wc, "摘要", p->summary, &f);
	if (f.n == 0 && (!o->close_missing || !has_open(db, p->post_id))) {
		st->posts++;
		return 0;
	}
	if (db_exec(db, "SAVEPOINT wording") == -1) {
		findings_free(&f);
		return -1;
	}
	if ((rc = apply_steps(db, cfg, p, o, &f, now, &mine)) == -1)
		db_exec(db, "ROLLBACK TO wording");
	db_exec(db, "RELEASE wording");
	if (rc == 0) {
		st->opened += mine.opened;
		st->closed += mine.closed;
		st->mailed += mine.mailed;
		st->hits += f.n;
	}
	st->posts++;
	findings_free(&f);
	return rc;
}

static time_t
post_date(sqlite3 *db, long long post_id, time_t now)
{
	long long t = now;

	db_query_int(db, &t, "SELECT coalesce(published_at, first_seen_at) FROM"
	    " post WHERE id = ?", "I", post_id);
	return (time_t)t;
}

static int
check_one(sqlite3 *db, const struct config *cfg, struct wordcheck *wc,
    struct wpost *p, bool recheck, time_t now)
{
	struct wopts o = { .may_open = true, .close_missing = recheck,
	    .opened_by = "mediawatchd", .close_note = "帖子已修改，不再包含该表述" };
	struct wording_stats st = { 0 };

	if (wc == NULL)
		return 0;
	p->date = post_date(db, p->post_id, now);
	if (apply(db, cfg, wc, p, &o, now, &st) == -1) {
		log_warnx(N_("account %lld: post %lld: the wording check failed; "
		    "`mediawatchctl wordcheck --rescan` checks it again"),
		    p->account_id, p->post_id);
		return -1;
	}
	return (int)(st.opened + st.closed);
}

int
wording_check_post(sqlite3 *db, const struct config *cfg, struct wordcheck *wc,
    long long account_id, long long post_id, const char *title,
    const char *summary, const char *link, time_t now)
{
	struct wpost p = { account_id, post_id, title, summary, link, 0 };

	return check_one(db, cfg, wc, &p, false, now);
}

int
wording_recheck_post(sqlite3 *db, const struct config *cfg,
    struct wordcheck *wc, long long account_id, long long post_id,
    const char *title, const char *summary, const char *link, time_t now)
{
	struct wpost p = { account_id, post_id, title, summary, link, 0 };

	return check_one(db, cfg, wc, &p, true, now);
}

void
wording_on_new_post(sqlite3 *db, long long account_id, long long post_id,
    const struct feed_entry *e, void *hook)
{
	const struct wording_hook *h = hook;

	if (h && h->wc)
		wording_check_post(db, h->cfg, h->wc, account_id, post_id,
		    e->title, e->summary, e->link, mw_now());
}

void
wording_on_changed_post(sqlite3 *db, long long account_id, long long post_id,
    const struct feed_entry *e, void *hook)
{
	const struct wording_hook *h = hook;
	sqlite3_stmt *st;

	if (h == NULL || h->wc == NULL)
		return;
	st = db_prepare(db, "SELECT title, summary, link FROM post WHERE id = ?",
	    "I", post_id);
	if (st && sqlite3_step(st) == SQLITE_ROW)
		wording_recheck_post(db, h->cfg, h->wc, account_id, post_id,
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2), mw_now());
	sqlite3_finalize(st);
}

/* ---- rescan ---- */

int
wording_rescan(sqlite3 *db, const struct config *cfg, struct wordcheck *wc,
    time_t since, time_t now, struct wording_stats *stats)
{
	struct wopts o = { .close_missing = true, .opened_by = audit_actor(),
	    .close_note = "词表更新后复查，不再包含该表述" };
	struct wpost p;
	sqlite3_stmt *q;
	int rc = 0, step;

	memset(stats, 0, sizeof(*stats));
	q = db_prepare(db, "SELECT p.id, p.account_id, p.title, p.summary, p.link,"
	    " coalesce(p.published_at, p.first_seen_at), a.status = 'active'"
	    " FROM post p JOIN account a ON a.id = p.account_id WHERE ?1 = 0 OR"
	    " p.first_seen_at >= ?1 OR p.published_at >= ?1 ORDER BY p.id", "I",
	    (long long)since);
	if (q == NULL)
		return -1;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		p.post_id = sqlite3_column_int64(q, 0);
		p.account_id = sqlite3_column_int64(q, 1);
		p.title = (const char *)sqlite3_column_text(q, 2);
		p.summary = (const char *)sqlite3_column_text(q, 3);
		p.link = (const char *)sqlite3_column_text(q, 4);
		p.date = (time_t)sqlite3_column_int64(q, 5);
		o.may_open = sqlite3_column_int(q, 6) != 0;
		rc = apply(db, cfg, wc, &p, &o, now, stats);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(q);
	return rc;
}

struct tmpl_vars *
wording_sample_vars(const struct config *cfg, time_t now)
{
	struct wordentry e = { .wrong = "中华人名共和国",
	    .correct = "中华人民共和国", .note = "国名错误",
	    .severity = WL_SERIOUS };
	struct found x = { .entry = &e, .field = "标题",
	    .snippet = "热烈庆祝【中华人名共和国】成立", .problem_id = 1 };
	struct findings f = { &x, 1, 1 };
	struct wpost p = { .account_id = 1, .post_id = 1,
	    .title = "热烈庆祝中华人名共和国成立",
	    .link = "https://mp.weixin.qq.com/s/example", .date = now };
	struct tmpl_vars *v = tmpl_vars_new();
	struct strbuf key = STRBUF_INIT;

	set_account_names(v, "JYJ", "某某县教育局", "王某某",
	    cfg->n_platforms ? cfg->platforms[0].label : "微信公众号",
	    "某某教育发布", "gh_0123456789ab");
	set_post_vars(v, cfg, &p, &f, now, &key);
	tmpl_set(v, "no_address", "1");
	sb_free(&key);
	return v;
}
