/* config.h — the configuration file (libconfig syntax), see mediawatch.conf(5).
 *
 * config_load() fills a struct config from a file or from built-in defaults;
 * config_free() releases everything it owns.  Every key is declared in the
 * table in config.c: unknown keys are errors, reported as FILE:LINE. */
#ifndef MW_CONFIG_H
#define MW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define MW_DEFAULT_CONF "/etc/mediawatch/mediawatch.conf"

struct platform {
	char      *key;              /* "wechat", "weibo", … */
	char      *label;            /* 微信公众号 */
	long long  warn_after;       /* seconds without update before a warning */
	long long  stale_after;      /* … before the veto (超期未更新) */
	long long  dormant_after;    /* … before dormant (长期未更新) */
	char      *feed_template;    /* URL with {uid}, or NULL */
};

struct poll_config {
	long long  interval;         /* seconds between polls of one feed */
	long       jitter_percent;   /* spread of next-poll times, 0–50 */
	long       concurrency;      /* transfers in flight at once */
	long       per_host;         /* connections to one host at once */
	long long  timeout;          /* whole-transfer limit, seconds */
	long long  connect_timeout;  /* seconds */
	long long  max_size;         /* body limit, bytes */
	long       max_redirects;
	char      *user_agent;
	long long  retention;        /* keep posts this long; 0 = forever */
	long       fail_threshold;   /* consecutive failures that mark a feed failing */
};

struct mail_config {
	char      *transport;        /* "maildir" | "smtp" | "sendmail" */
	char      *maildir;          /* Maildir path for the maildir transport */
	char      *url;              /* smtp://host:587 or smtps://host:465 */
	char      *username;
	char      *password_file;    /* or a credential name in $CREDENTIALS_DIRECTORY */
	char      *ca_file;
	char      *sendmail;         /* path of the sendmail program */
	char      *from;
	char     **admins;           /* NULL-terminated list of addresses */
	size_t     n_admins;
	long long  repeat_warning;
	long long  repeat_stale;
	long long  repeat_dormant;
	long       max_attempts;
	long long  retry_base;       /* first retry delay, doubles each attempt */
	char      *templates;        /* folder of message templates */
	char      *digest_time;      /* HH:MM in the configured zone */
};

struct monitor_config {
	long long  verify_window;    /* a stale verdict needs a fetch this recent */
	long long  problem_due;      /* rectification period for new problems */
};

struct notice_config {
	char      *serial_format;    /* "〔%Y〕第%N期" */
	long       rectify_days;     /* working days to rectify */
	char     **holidays;         /* YYYY-MM-DD, NULL-terminated */
	char     **workdays;         /* make-up working days */
	char      *issuer;           /* name printed on notices */
	long       repeat_months;    /* consecutive months for the deduction list */
};

struct wording_config {
	char     **lists;            /* TSV word lists, NULL-terminated */
	char     **allowlists;
};

struct config {
	char                *path;       /* file read, or NULL for built-in defaults */
	char                *database;
	char                *state_dir;
	char                *timezone;
	struct platform     *platforms;
	size_t               n_platforms;
	struct poll_config   poll;
	struct monitor_config monitor;
	struct mail_config   mail;
	struct notice_config notice;
	struct wording_config wording;
};

/* Loads path (NULL: built-in defaults only).  On error logs "FILE:LINE:
 * message" lines and returns -1 with *cfg untouched. */
int  config_load(const char *path, struct config *cfg);
void config_free(struct config *cfg);
/* The file to read: the -c argument, else $MEDIAWATCH_CONF, else the
 * default path when it exists, else NULL (built-in defaults). */
const char *config_locate(const char *given);
const struct platform *config_platform(const struct config *cfg, const char *key);

#endif
