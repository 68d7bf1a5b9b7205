/* config.h — the configuration file (libconfig syntax), see mediawatch.conf(5).
 *
 * config_load() fills a struct config from a file or from built-in defaults;
 * config_free() releases everything it owns.  Every key is declared once, in
 * the table in config.c (type, default, range, reload flag, a line of doc):
 * unknown keys are errors, reported as FILE:LINE, and `mediawatchctl
 * check-config --defaults` prints the same table. */
#ifndef MW_CONFIG_H
#define MW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/workdays.h"

#define MW_DEFAULT_CONF "/etc/mediawatch/mediawatch.conf"

struct platform {
	char      *key;              /* "wechat", "weibo", … */
	char      *label;            /* 微信公众号 */
	char     **aliases;          /* other names ledgers use: 微信, 公众号 */
	size_t     n_aliases;
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

/* The values of mail.transport, in the order of config_transport_names. */
enum mail_transport {
	MAIL_MAILDIR,                /* write into a Maildir */
	MAIL_SMTP,                   /* SMTP or SMTPS through libcurl */
	MAIL_SENDMAIL,               /* pipe to the sendmail program */
};

struct mail_config {
	enum mail_transport transport;
	char      *maildir;          /* Maildir path for the maildir transport */
	char      *url;              /* smtp://host:587 or smtps://host:465 */
	char      *username;
	char      *password_file;    /* or a credential name in $CREDENTIALS_DIRECTORY */
	char      *ca_file;
	char      *sendmail;         /* path of the sendmail program */
	char      *from;
	char      *sender;           /* derived: the From: mailbox, mail.from
	                                with notice.issuer as display name when
	                                it has none */
	char     **admins;           /* NULL-terminated list of addresses */
	size_t     n_admins;
	long long  repeat_warning;
	long long  repeat_stale;
	long long  repeat_dormant;
	long       max_attempts;
	long long  retry_base;       /* first retry delay, doubles each attempt */
	long long  retention;        /* sent messages' text kept; 0 = forever */
	char      *templates;        /* folder of template overrides, or NULL */
	char      *digest_time;      /* HH:MM in the configured zone */
};

/* The values of a channel's type, in the order of config_channel_types. */
enum channel_type {
	CHANNEL_WECOM,               /* 企业微信 group robot */
	CHANNEL_DINGTALK,            /* 钉钉 custom robot */
	CHANNEL_FEISHU,              /* 飞书 custom bot */
	CHANNEL_WEBHOOK,             /* the office's own system: JSON, signed */
};

/* The kinds of message a channel carries, as bits in the order of
 * config_channel_kinds: the three states an alert lists, then one bit
 * per kind of message. */
enum channel_kind {
	KIND_WARNING  = 1 << 0,
	KIND_STALE    = 1 << 1,
	KIND_DORMANT  = 1 << 2,
	KIND_RECOVERY = 1 << 3,
	KIND_GAP      = 1 << 4,
	KIND_DIGEST   = 1 << 5,
	KIND_NOTICE   = 1 << 6,
	KIND_WORDING  = 1 << 7,
	KIND_REOPENED = 1 << 8,
};
#define KIND_ALL  ((1u << 9) - 1)

/* One chat channel of the channels list.  Its address and secret are read
 * from files at each delivery and never kept here: url_file, secret_file
 * (see config_password_path()). */
struct channel {
	char      *name;             /* what units and the outbox call it */
	enum channel_type type;
	char      *url;              /* the address, or NULL: url_file */
	char      *url_file;         /* file or credential holding the address */
	char      *secret_file;      /* file or credential of the signing secret */
	char      *keyword;          /* 钉钉/飞书 keyword mode: every message has it */
	char     **kinds;            /* names of the kinds it carries */
	size_t     n_kinds;
	unsigned   kind_mask;        /* derived: KIND_ bits, every kind when
	                                kinds is empty */
	long long  timeout;          /* limit of one delivery, seconds */
	long       max_attempts;
	long long  retry_base;       /* first retry delay, doubles each attempt */
};

struct threshold_config {
	long long  warn;             /* defaults of every platform's thresholds */
	long long  stale;
	long long  dormant;
};

struct monitor_config {
	long long  verify_window;    /* a verdict needs a fetch or an observation this recent */
};

struct calendar_config {
	char      *dir;              /* YYYY.txt files replacing or adding years */
	/* derived: the built-in years, dir's files, then notice.holidays and
	 * notice.workdays; every deadline is counted on it */
	struct workday_calendar days;
};

struct notice_config {
	char      *serial_format;    /* "〔%Y〕%N号" */
	long       rectify_days;     /* working days to rectify: every deadline */
	char     **holidays;         /* local days off, YYYY-MM-DD, NULL-terminated */
	char     **workdays;         /* local working days */
	char      *issuer;           /* name printed on notices */
	long       repeat_months;    /* consecutive months for the deduction list */
};

struct bulletin_config {
	char      *serial_format;    /* "%Y年第%N期" */
};

/* How notices and bulletins look as 公文 (GB/T 9704-2012). */
struct document_config {
	char      *issuer_mark;      /* 发文机关标志; NULL: notice.issuer + 文件 */
	char      *addressee;        /* 主送机关 of bulletins */
	char      *copy_to;          /* 抄送机关, or NULL */
	char      *printer;          /* 印发机关; NULL: notice.issuer */
	char     **unit_order;       /* unit codes listed first, in this order */
	size_t     n_unit_order;
	char      *font_title;       /* 方正小标宋简体: the mark and titles */
	char      *font_body;        /* 仿宋_GB2312 */
	char      *font_heading1;    /* 黑体: 一、 */
	char      *font_heading2;    /* 楷体_GB2312: （一） */
};

struct wording_config {
	char     **lists;            /* TSV word lists, NULL-terminated */
	char     **allowlists;
};

/* The values of web.secure_cookie, in the order of config_secure_names. */
enum secure_cookie {
	SECURE_AUTO,                 /* Secure when mediawatch-web serves TLS */
	SECURE_ALWAYS,               /* TLS ends at a reverse proxy in front */
	SECURE_NEVER,
};

struct web_config {
	char      *listen;           /* "127.0.0.1:8080", "[::1]:8080" */
	char      *remote_user_header;  /* a proxy's single sign-on; NULL: off */
	long long  session_idle;     /* a session ends this long unused */
	long long  session_max;      /* … and this long after the login */
	char      *tls_cert;         /* PEM file or credential name; NULL: no TLS */
	char      *tls_key;
	enum secure_cookie secure_cookie;
	long       page_size;        /* rows of a list page */
	long       threads;          /* connections served at once */
	long       login_attempts;   /* failures per name or address … */
	long long  login_window;     /* … within this long before a pause */
	long long  max_upload;       /* largest ledger file accepted */
	long long  refresh;          /* the dashboard reloads itself this often */
};

struct config {
	char                *path;       /* file read, or NULL for built-in defaults */
	char                *database;
	char                *state_dir;
	char                *timezone;
	struct threshold_config thresholds;
	struct platform     *platforms;
	size_t               n_platforms;
	struct poll_config   poll;
	struct monitor_config monitor;
	struct mail_config   mail;
	struct calendar_config calendar;
	struct notice_config notice;
	struct bulletin_config bulletin;
	struct document_config document;
	struct wording_config wording;
	char                *console_url;    /* the console's public address, or NULL */
	struct channel      *channels;
	size_t               n_channels;
	char               **admin_channels; /* names: the admins' channels */
	size_t               n_admin_channels;
	struct web_config    web;
};

/* Loads path (NULL: built-in defaults only).  On error logs "FILE:LINE:
 * message" lines and returns -1 with *cfg untouched. */
int  config_load(const char *path, struct config *cfg);
void config_free(struct config *cfg);
/* The file to read: the -c argument, else $MEDIAWATCH_CONF, else the
 * default path when it exists, else NULL (built-in defaults). */
const char *config_locate(const char *given);
const struct platform *config_platform(const struct config *cfg, const char *key);
/* The channel of that name, or NULL. */
const struct channel *config_channel(const struct config *cfg, const char *name);
/* The KIND_ bit of a kind's name ("stale"), or 0 when there is none. */
unsigned config_channel_kind(const char *name);
/* The platform a person means by name: its key (in any case), its label
 * or one of its aliases, spaces around ignored; NULL when none. */
const struct platform *config_platform_named(const struct config *cfg,
        const char *name);
/* The one deadline rule: the deadline of a problem or a notice opened at
 * t, notice.rectify_days working days later on the holiday calendar (the
 * last second of that day, see workdays_deadline()). */
time_t config_deadline(const struct config *cfg, time_t t);
/* Warns (log_warnx) of each year a deadline set at now may need that the
 * holiday calendar does not cover (holidays_missing()); returns how many.
 * A warning, not an error: those years count Monday to Friday. */
int    config_calendar_check(const struct config *cfg, time_t now);

/* The file mail.password_file names: a name without a slash is a systemd
 * credential (LoadCredential=), $CREDENTIALS_DIRECTORY/NAME, when that
 * variable is set; anything else is a path.  Caller frees. */
char *config_password_path(const char *password_file);
/* Whether password_file is a credential name that was not handed over: a
 * bare name while $CREDENTIALS_DIRECTORY is not set (the service runs
 * without the LoadCredential= drop-in, or the program outside systemd). */
bool  config_password_not_handed_over(const char *password_file);
/* For check-config and mediawatchd -n: whether the files the smtp
 * transport reads at each delivery (mail.ca_file, mail.password_file) and
 * those of the channels (url_file, secret_file) can be read now, each that
 * cannot logged as FILE:LINE: message (never their contents).  A bare
 * credential name without $CREDENTIALS_DIRECTORY is only noted: the
 * service receives it when it starts.  Returns 0, or -1. */
int  config_check_mail_files(const struct config *cfg);

/* The full names ("poll.concurrency") of the keys that a reload does not
 * apply and whose value differs from running to fresh, as a NULL-terminated
 * list the caller frees with strv_free(). */
char **config_restart_changes(const struct config *running,
         const struct config *fresh);
/* Puts the running values of those keys into fresh, so that a reloaded
 * configuration shows what is in force until the restart. */
void config_keep_restart_values(const struct config *running,
         struct config *fresh);

/* ---- the table of keys, for check-config --defaults ---- */

enum config_type {
	CONFIG_STRING,               /* char * */
	CONFIG_INT,                  /* long, within [min, max] */
	CONFIG_DURATION,             /* long long seconds, within [min, max] */
	CONFIG_SIZE,                 /* long long bytes, within [min, max] */
	CONFIG_ENUM,                 /* an enum, one of choices */
	CONFIG_LIST,                 /* char **, NULL-terminated; default empty */
	CONFIG_PLATFORMS,            /* the platform list */
	CONFIG_CHANNELS,             /* the channel list */
};

struct config_key {
	const char        *group;    /* "poll", …; NULL at the top level */
	const char        *name;
	enum config_type   type;
	size_t             offset;   /* into struct config, or struct platform */
	size_t             count_offset;  /* CONFIG_LIST: its length, or 0 */
	const char        *def;      /* default as written in the file; NULL: none */
	long long          min, max; /* CONFIG_INT, CONFIG_DURATION, CONFIG_SIZE */
	const char *const *choices;  /* CONFIG_ENUM: names in enum order, NULL-ended */
	bool               restart;  /* a reload does not apply it */
	const char        *doc;      /* one line */
};

/* The keys in the order of the example file; NULL-name terminated. */
extern const struct config_key config_keys[];
/* The keys of one group of the platform list; NULL-name terminated. */
extern const struct config_key config_platform_keys[];
struct config_default_platform {
	const char *key, *label;
	const char *const *aliases;  /* NULL-terminated */
};

/* The keys of one channel of the channel list; NULL-name terminated. */
extern const struct config_key config_channel_keys[];
extern const char *const config_channel_types[];
extern const char *const config_channel_kinds[];

/* The built-in platform list, NULL-key terminated. */
extern const struct config_default_platform config_default_platforms[];
extern const char *const config_transport_names[];
extern const char *const config_secure_names[];

const char *config_type_name(enum config_type type);

#endif
