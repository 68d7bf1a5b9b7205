/* daemon.c — mediawatchd: options, the sd-event loop, signals, systemd
 * notification, reload and shutdown. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "config/config.h"
#include "mail/outbox.h"
#include "monitor/cycle.h"
#include "monitor/stats.h"
#include "monitor/wording.h"
#include "paperwork/bulletin.h"
#include "paperwork/letters.h"
#include "paperwork/messages.h"
#include "poll/poller.h"
#include "service/daemon.h"
#include "store/checkpoint.h"
#include "store/db.h"
#include "wording/wordcheck.h"

#define STOP_GRACE_USEC (10ULL * 1000000)   /* in-flight transfers may finish */

static const char usage_text[] =
"usage: mediawatchd [-c FILE] [-d] [-n] [-v]… [--once]\n"
"\n"
"Polls the feeds of the registered government new-media accounts and keeps\n"
"their last update current.\n"
"\n"
"  -c, --config FILE  configuration (default: $MEDIAWATCH_CONF, then\n"
"                     " MW_DEFAULT_CONF ", else built-in defaults)\n"
"  -d, --foreground   log to stderr with timestamps instead of the journal\n"
"  -n, --check        check the configuration and exit\n"
"  -v, --verbose      more log detail (repeat for debug)\n"
"      --once         poll everything due once, deliver, and exit\n"
"  -h, --help         this text\n";

struct daemon {
	sd_event         *event;
	struct config     cfg;
	const char       *conf_path;
	sqlite3          *db;
	struct checkpointer *checkpoints; /* the WAL copied back off the loop */
	struct curlloop  *curl;
	struct poller    *poller;
	struct outbox_sender *sender;
	bool              once;
	bool              evaluated;     /* --once: the cycle was evaluated */
	bool              evaluation_failed;  /* --once: exit non-zero */
	struct wordcheck *wc;            /* NULL when no word list is configured */
	struct wording_hook hook;        /* what the poller's post hooks see */
	bool              stopping;
	unsigned long     cycles;
};

struct options {
	const char *conf;
	bool        foreground, check, once;
	int         verbosity;
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "once", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:dnvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->conf = optarg; break;
		case 'd': o->foreground = true; break;
		case 'n': o->check = true; break;
		case 'v': o->verbosity++; break;
		case 'O': o->once = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default:
			fprintf(stderr, "mediawatchd: unknown or incomplete option "
			    "'%s'\n%s", argv[optind - 1], usage_text);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mediawatchd: unexpected argument '%s'\n%s",
		    argv[optind], usage_text);
		return -1;
	}
	return 0;
}

static enum log_target
choose_log_target(const struct options *o)
{
	if (o->foreground || o->check)
		return o->check ? LOG_TARGET_PLAIN : LOG_TARGET_STDERR;
	/* started by systemd: its journal takes our structured fields */
	if (getenv("JOURNAL_STREAM") || getenv("INVOCATION_ID"))
		return LOG_TARGET_JOURNAL;
	return LOG_TARGET_STDERR;
}

/* STATUS=: the counts people look at first, or the failure that stops
 * the alerts. */
static void
update_status(struct daemon *d)
{
	time_t now = mw_now(), next;
	struct monitor_counts c;
	char when[32] = "-";

	/* only systemd reads it: without its socket the counts (a pass over
	 * the registry) would be made for no one */
	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	next = poller_next_due(d->db, &d->cfg);
	if (next >= 0 && next <= now)
		snprintf(when, sizeof(when), "now");
	else if (next > 0)
		time_format_local(next, when, sizeof(when));
	if (monitor_counts_load(d->db, &d->cfg, now, &c) == -1)
		sd_notifyf(0, "STATUS=cannot read the database: %s",
		    sqlite3_errmsg(d->db));
	else if (c.evaluation.failing) {
		time_format_local(c.evaluation.failed_at, when, sizeof(when));
		sd_notifyf(0, "STATUS=last evaluation FAILED at %s: %.200s; "
		    "%lld active accounts", when, c.evaluation.error ?
		    c.evaluation.error : "", c.active);
	} else
		sd_notifyf(0, "STATUS=%lld active accounts, %lld stale, %lld "
		    "dormant, %lld failing feeds, next poll %s", c.active,
		    c.states[STATE_STALE], c.states[STATE_DORMANT],
		    c.failing_feeds, when);
	monitor_counts_free(&c);
}

/* Sent messages keep their text for mail.retention, so that the outbox,
 * like the posts, stays bounded; who was told what and when stays. */
static void
expire_sent_mail(struct daemon *d)
{
	time_t now = mw_now();
	long n;

	if (d->cfg.mail.retention <= 0)
		return;
	n = outbox_expire_bodies(d->db, now - (time_t)d->cfg.mail.retention, now);
	if (n > 0)
		log_info("cleared the text of %ld messages sent before the mail "
		    "retention period", n);
}

/* Once a month is over, its figures are kept for its bulletin
 * (paperwork/bulletin_figures.h).  Without them the bulletin computes
 * them again, slower but the same: a failure is logged, not fatal. */
static void
keep_bulletin_figures(struct daemon *d)
{
	double started = monotonic_seconds();
	long long n;

	if (bulletin_keep_last_month(d->db, mw_now(), &n) == -1)
		log_warnx("last month's bulletin figures could not be kept; its "
		    "bulletin computes them each time");
	else if (n > 0)
		log_info("kept last month's bulletin figures of %lld accounts in "
		    "%.2f s", n, monotonic_seconds() - started);
}

static void
on_cycle(struct poller *p, const struct cycle_stats *s, void *userdata)
{
	struct daemon *d = userdata;

	d->cycles++;
	poller_flush(d->poller);
	/* a failed run is logged, recorded and reported by monitor_evaluate;
	 * --once then exits non-zero.  The poll's log is copied after it
	 * (checkpointer_hold()). */
	checkpointer_hold(d->checkpoints, true);
	if (monitor_evaluate(d->db, &d->cfg, mw_now()) == -1)
		d->evaluation_failed = true;
	checkpointer_hold(d->checkpoints, false);
	/* notices past their reply deadline: the unit is reminded */
	if (letters_reminders_run(d->db, &d->cfg, mw_now()) == -1)
		d->evaluation_failed = true;
	d->evaluated = true;
	expire_sent_mail(d);
	keep_bulletin_figures(d);
	update_status(d);
	outbox_sender_kick(d->sender);
}

static void
flush_poll_results(void *poller)
{
	poller_flush(poller);
}

/* --once ends when the cycle is evaluated and its mail delivered (or
 * given its retry time). */
static void
on_outbox_idle(void *userdata)
{
	struct daemon *d = userdata;

	if (d->once && d->evaluated)
		sd_event_exit(d->event, 0);
}

static void
on_drained(void *userdata)
{
	struct daemon *d = userdata;

	sd_event_exit(d->event, 0);
}

static int
on_stop_grace(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	log_warnx("transfers still running after the grace period; abandoning them");
	return sd_event_exit(d->event, 0);
}

static int
on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now;

	if (d->stopping)
		return 0;
	d->stopping = true;
	sd_notify(0, "STOPPING=1");
	log_notice("stopping (signal %u)", si->ssi_signo);
	poller_stop(d->poller);
	if (poller_in_flight(d->poller) == 0)
		return sd_event_exit(d->event, 0);
	sd_event_now(d->event, CLOCK_MONOTONIC, &now);
	return sd_event_add_time(d->event, NULL, CLOCK_MONOTONIC,
	    now + STOP_GRACE_USEC, 0, on_stop_grace, d);
}

/* A reload applies every key but those the table marks for a restart
 * (the open database, the connection limits): they keep their running
 * values until then. */
static void
keep_restart_values(const struct config *running, struct config *fresh)
{
	char **changed = config_restart_changes(running, fresh);
	size_t i;

	for (i = 0; changed[i]; i++)
		log_warnx("reload: the change of %s takes effect at the "
		    "next restart", changed[i]);
	strv_free(changed);
	config_keep_restart_values(running, fresh);
}

static void
reload(struct daemon *d)
{
	struct wordcheck *wc = NULL;
	struct config fresh;
	char *error = NULL;

	if (config_load(d->conf_path, &fresh) == -1 ||
	    ((wc = wording_load(&fresh, &error)) == NULL && error != NULL)) {
		if (error) {
			log_warnx("%s", error);
			free(error);
			config_free(&fresh);
		}
		tz_set(d->cfg.timezone);
		log_warnx("reload: the new configuration has errors; keeping the "
		    "one in force");
	} else {
		keep_restart_values(&d->cfg, &fresh);
		poller_set_config(d->poller, &fresh);
		outbox_sender_set_config(d->sender, &fresh);
		config_free(&d->cfg);
		d->cfg = fresh;
		poller_set_config(d->poller, &d->cfg);
		outbox_sender_set_config(d->sender, &d->cfg);
		wordcheck_free(d->wc);
		d->wc = wc;
		d->hook = (struct wording_hook){ &d->cfg, d->wc };
		log_notice("configuration reloaded from %s", d->conf_path ?
		    d->conf_path : "built-in defaults");
	}
}

static int
on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	sd_notify(0, "RELOADING=1");
	/* the feed reading thread reads dates in TZ, which a reload sets */
	poller_pause_reader(d->poller);
	reload(d);
	poller_resume_reader(d->poller);
	sd_notify(0, "READY=1");
	update_status(d);
	return 0;
}

static int
setup_event_loop(struct daemon *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sd_event_default(&d->event) < 0 ||
	    sd_event_add_signal(d->event, NULL, SIGTERM, on_terminate, d) < 0 ||
	    sd_event_add_signal(d->event, NULL, SIGINT, on_terminate, d) < 0 ||
	    sd_event_add_signal(d->event, NULL, SIGHUP, on_reload, d) < 0) {
		log_warnx("cannot set up the event loop");
		return -1;
	}
	/* WATCHDOG=1 comes from the loop itself, so a stuck loop stops it */
	sd_event_set_watchdog(d->event, true);
	return 0;
}

static int
run(struct daemon *d)
{
	int rc;

	d->curl = curlloop_new(d->event, d->cfg.poll.concurrency,
	    d->cfg.poll.per_host);
	if (d->curl == NULL ||
	    (d->poller = poller_new(d->event, d->db, &d->cfg, d->curl)) == NULL ||
	    (d->sender = outbox_sender_new(d->event, d->db, &d->cfg, d->curl)) == NULL)
		return 1;
	outbox_sender_on_idle(d->sender, on_outbox_idle, d);
	d->hook = (struct wording_hook){ &d->cfg, d->wc };
	poller_set_post_hooks(d->poller, &(struct post_hooks){
	    wording_on_new_post, wording_on_changed_post, &d->hook });
	outbox_sender_set_flush(d->sender, flush_poll_results, d->poller);
	poller_on_cycle(d->poller, on_cycle, d);
	poller_on_drained(d->poller, on_drained, d);
	if (poller_start(d->poller) == -1)
		return 1;
	sd_notify(0, "READY=1");
	update_status(d);
	log_notice("started: database %s, %s", d->cfg.database,
	    d->once ? "one cycle" : "polling");
	rc = sd_event_loop(d->event);
	/* aborted transfers report to the poller and sender: free them last */
	curlloop_free(d->curl);
	poller_free(d->poller);
	outbox_sender_free(d->sender);
	if (d->once && d->evaluation_failed) {
		log_error("the cycle's evaluation failed; see the messages above");
		return 1;
	}
	return rc < 0 ? 1 : 0;
}

/* The word lists belong to the configuration: a bad line is an error of
 * the configuration, reported as FILE:LINE. */
static int
load_word_lists(struct daemon *d)
{
	char *error = NULL;

	d->wc = wording_load(&d->cfg, &error);
	if (d->wc == NULL && error != NULL) {
		log_warnx("%s", error);
		free(error);
		config_free(&d->cfg);
		return -1;
	}
	return 0;
}

int
daemon_main(int argc, char **argv)
{
	struct options o = { 0 };
	struct daemon d = { 0 };
	int rc;

	if (parse_options(argc, argv, &o) == -1)
		return 2;
	log_init("mediawatchd", choose_log_target(&o), o.verbosity);
	d.conf_path = config_locate(o.conf);
	d.once = o.once;
	if (config_load(d.conf_path, &d.cfg) == -1 || clock_check() == -1 ||
	    load_word_lists(&d) == -1)
		return 1;
	if (o.check && messages_check(&d.cfg, mw_now()) > 0) {
		wordcheck_free(d.wc);
		config_free(&d.cfg);
		return 1;
	}
	if (o.check) {
		config_calendar_check(&d.cfg, mw_now());
		if (config_check_mail_files(&d.cfg) == -1) {
			wordcheck_free(d.wc);
			config_free(&d.cfg);
			return 1;
		}
		printf("%s: configuration OK\n", d.conf_path ? d.conf_path :
		    "built-in defaults");
		wordcheck_free(d.wc);
		config_free(&d.cfg);
		return 0;
	}
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	if ((d.db = db_open(d.cfg.database, true)) == NULL ||
	    setup_event_loop(&d) == -1) {
		db_close(d.db);
		config_free(&d.cfg);
		return 1;
	}
	d.checkpoints = checkpointer_start(d.db, d.cfg.database);
	rc = run(&d);
	sd_notify(0, "STOPPING=1");
	sd_event_unref(d.event);
	checkpointer_stop(d.checkpoints);
	db_close(d.db);
	wordcheck_free(d.wc);
	config_free(&d.cfg);
	return rc;
}
