/* cycle.c — an evaluation run and what happens when it fails. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/template.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/outbox.h"
#include "monitor/alerts.h"
#include "monitor/closed.h"
#include "monitor/cycle.h"
#include "monitor/evaluate.h"
#include "monitor/health.h"
#include "store/db.h"

static void
log_evaluation(const struct evaluation *ev, int queued, double seconds)
{
	log_info("evaluation: %lu accounts (%lu fresh, %lu warning, %lu "
	    "stale, %lu dormant, %lu unverified), %lu problems opened, "
	    "%lu escalated, %lu closed, %d emails queued in %.2f s",
	    ev->evaluated, ev->counts[STATE_FRESH], ev->counts[STATE_WARNING],
	    ev->counts[STATE_STALE], ev->counts[STATE_DORMANT],
	    ev->counts[STATE_UNVERIFIED], ev->problems_opened,
	    ev->problems_escalated, ev->problems_closed, queued, seconds);
}

/* The admins' email about a failed run.  Its template is built in and
 * takes only plain values, so it cannot fail the way an edited one can. */
static int
queue_failure_mail(sqlite3 *db, const struct config *cfg, time_t now,
    const struct health *h)
{
	struct tmpl_vars *v = tmpl_vars_new();
	struct mail_text text;
	char when[CN_DATE_SIZE], day[16], *key, *error = NULL, **to;
	size_t n_to;
	int rc;

	datetime_cn(now, when, sizeof(when));
	tmpl_set(v, "issuer", cfg->notice.issuer);
	tmpl_set(v, "failed_at", when);
	tmpl_set(v, "error", h->error);
	tmpl_setf(v, "failures", "%ld", h->failures);
	if (h->has_ok)
		datetime_cn(h->last_ok_at, when, sizeof(when));
	tmpl_set(v, "last_ok", h->has_ok ? when : "从未成功");
	rc = template_render_mail(NULL, "admin-evaluation-failed", v, &text,
	    &error);
	tmpl_vars_free(v);
	if (rc == -1) {
		log_error("%s", error);
		free(error);
		return -1;
	}
	date_format_local(now, day, sizeof(day));
	key = xasprintf("evaluation-failed:%s:%016llx", day,
	    (unsigned long long)str_hash64(h->error ? h->error : ""));
	to = outbox_admin_addresses(cfg, &n_to);
	rc = outbox_enqueue(db, cfg, &(struct outgoing){ .kind = "failure",
	    .to = (const char *const *)to, .n_to = n_to,
	    .subject = text.subject, .text = text.text, .html = text.html,
	    .dedup_key = key }, now);
	strv_free(to);
	free(key);
	mail_text_free(&text);
	return rc == -1 ? -1 : 0;
}

/* Records the failure and tells the admins, in a transaction of its own
 * (the run's was rolled back). */
static void
report_failure(sqlite3 *db, const struct config *cfg, time_t now,
    const char *reason)
{
	struct health h;

	log_error("evaluation failed and was rolled back: %s; it is tried "
	    "again after the next poll cycle", reason);
	if (db_begin(db) == -1)
		return;
	if (health_record(db, HEALTH_EVALUATION, now, reason) == -1 ||
	    health_get(db, HEALTH_EVALUATION, &h) == -1) {
		db_rollback(db);
		return;
	}
	if (queue_failure_mail(db, cfg, now, &h) == -1 || db_commit(db) == -1)
		db_rollback(db);
	health_free(&h);
}

/* The units' letters, made on the evaluation's reading thread. */
struct letters_ahead {
	const struct config  *cfg;
	struct alert_letters *letters;
};

static void
make_letters(const struct evaluation *ev, void *arg)
{
	struct letters_ahead *la = arg;

	la->letters = alerts_make_letters(la->cfg, ev);
}

int
monitor_evaluate(sqlite3 *db, const struct config *cfg, time_t now)
{
	double started = monotonic_seconds();
	struct letters_ahead ahead = { cfg, NULL };
	struct evaluation ev;
	char *reason;
	int queued = -1;

	log_problem_clear();
	/* every account, unit and problem id it writes it reads first
	 * (db_foreign_keys()); enforced, each state, change and problem
	 * written looked its account and unit up again: 7 % of a first
	 * evaluation's instructions */
	if (db_foreign_keys(db, false) == -1)
		log_warnx("evaluation: foreign keys stay enforced");
	if (db_begin(db) == 0) {
		if (evaluate(db, cfg, now, alerts_digest_due(db, cfg, now),
		    &ev, make_letters, &ahead) == -1 ||
		    closed_accounts_check(db, cfg, now) == -1 ||
		    (queued = alerts_queue(db, cfg, &ev, ahead.letters)) == -1 ||
		    health_record(db, HEALTH_EVALUATION, now, NULL) == -1 ||
		    db_commit(db) == -1)
			queued = -1;
		else {
			evaluation_log_moves(&ev);
			log_evaluation(&ev, queued, monotonic_seconds() - started);
		}
		alerts_letters_free(ahead.letters);
		evaluation_free(&ev);
	}
	if (queued >= 0) {
		db_foreign_keys(db, true);
		return queued;
	}
	reason = xstrdup(*log_last_problem() ? log_last_problem() :
	    sqlite3_errmsg(db));
	db_rollback(db);
	db_foreign_keys(db, true);
	report_failure(db, cfg, now, reason);
	free(reason);
	return -1;
}
