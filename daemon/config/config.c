/* config.c — the configuration file, declared as tables of known keys.
 *
 * Each group of the file has a table (name, type, offset into its struct);
 * a key missing from its table is an error, so a typo never silently falls
 * back to a default.  mediawatch.conf(5) documents the same keys. */
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mailaddr.h"
#include "base/timeutil.h"
#include "config/config.h"

enum key_type { K_STRING, K_INT, K_BYTES, K_DURATION, K_STRLIST };

struct key {
	const char    *name;
	enum key_type  type;
	size_t         offset;          /* into the group's struct */
	size_t         count_offset;    /* K_STRLIST: where the length goes, or 0 */
};

#define KS(s, f)  { #f, K_STRING, offsetof(s, f), 0 }
#define KI(s, f)  { #f, K_INT, offsetof(s, f), 0 }
#define KD(s, f)  { #f, K_DURATION, offsetof(s, f), 0 }
#define KL(s, f)  { #f, K_STRLIST, offsetof(s, f), 0 }

static const struct key top_keys[] = {
	KS(struct config, database),
	KS(struct config, state_dir),
	KS(struct config, timezone),
	{ NULL, 0, 0, 0 }
};

static const struct key platform_keys[] = {
	KS(struct platform, key),
	KS(struct platform, label),
	{ "warn", K_DURATION, offsetof(struct platform, warn_after), 0 },
	{ "stale", K_DURATION, offsetof(struct platform, stale_after), 0 },
	{ "dormant", K_DURATION, offsetof(struct platform, dormant_after), 0 },
	KS(struct platform, feed_template),
	{ NULL, 0, 0, 0 }
};

static const struct key poll_keys[] = {
	KD(struct poll_config, interval),
	{ "jitter", K_INT, offsetof(struct poll_config, jitter_percent), 0 },
	KI(struct poll_config, concurrency),
	KI(struct poll_config, per_host),
	KD(struct poll_config, timeout),
	KD(struct poll_config, connect_timeout),
	{ "max_size", K_BYTES, offsetof(struct poll_config, max_size), 0 },
	KI(struct poll_config, max_redirects),
	KS(struct poll_config, user_agent),
	KD(struct poll_config, retention),
	KI(struct poll_config, fail_threshold),
	{ NULL, 0, 0, 0 }
};

static const struct key monitor_keys[] = {
	KD(struct monitor_config, verify_window),
	KD(struct monitor_config, problem_due),
	{ NULL, 0, 0, 0 }
};

static const struct key mail_keys[] = {
	KS(struct mail_config, transport),
	KS(struct mail_config, maildir),
	KS(struct mail_config, url),
	KS(struct mail_config, username),
	KS(struct mail_config, password_file),
	KS(struct mail_config, ca_file),
	KS(struct mail_config, sendmail),
	KS(struct mail_config, from),
	{ "admins", K_STRLIST, offsetof(struct mail_config, admins),
	  offsetof(struct mail_config, n_admins) },
	KD(struct mail_config, repeat_warning),
	KD(struct mail_config, repeat_stale),
	KD(struct mail_config, repeat_dormant),
	KI(struct mail_config, max_attempts),
	KD(struct mail_config, retry_base),
	KS(struct mail_config, templates),
	KS(struct mail_config, digest_time),
	{ NULL, 0, 0, 0 }
};

static const struct key notice_keys[] = {
	KS(struct notice_config, serial_format),
	KI(struct notice_config, rectify_days),
	KL(struct notice_config, holidays),
	KL(struct notice_config, workdays),
	KS(struct notice_config, issuer),
	KI(struct notice_config, repeat_months),
	{ NULL, 0, 0, 0 }
};

static const struct key wording_keys[] = {
	KL(struct wording_config, lists),
	KL(struct wording_config, allowlists),
	{ NULL, 0, 0, 0 }
};

struct group {
	const char        *name;
	const struct key  *keys;
	size_t             offset;      /* of the group's struct in struct config */
};

static const struct group groups[] = {
	{ "poll", poll_keys, offsetof(struct config, poll) },
	{ "monitor", monitor_keys, offsetof(struct config, monitor) },
	{ "mail", mail_keys, offsetof(struct config, mail) },
	{ "notice", notice_keys, offsetof(struct config, notice) },
	{ "wording", wording_keys, offsetof(struct config, wording) },
};

struct default_platform {
	const char *key, *label;
};

static const struct default_platform default_platforms[] = {
	{ "wechat", "微信公众号" }, { "weibo", "微博" }, { "douyin", "抖音" },
	{ "toutiao", "今日头条" }, { "kuaishou", "快手" },
	{ "bilibili", "哔哩哔哩" }, { "xiaohongshu", "小红书" },
	{ "website", "网站" }, { "other", "其他" },
};

#define DAY (24LL * 3600)
/* No setting needs more than a century; the bound keeps every time
 * computed from a duration far from overflowing. */
#define DURATION_MAX (100 * 366 * DAY)

static void
set_platform_defaults(struct platform *p, const char *key, const char *label)
{
	memset(p, 0, sizeof(*p));
	p->key = xstrdup(key);
	p->label = xstrdup(label);
	p->warn_after = 7 * DAY;
	p->stale_after = 14 * DAY;
	p->dormant_after = 90 * DAY;
}

static void
set_defaults(struct config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->database = xstrdup("/var/lib/mediawatch/mediawatch.db");
	cfg->state_dir = xstrdup("/var/lib/mediawatch");
	cfg->timezone = xstrdup("Asia/Shanghai");
	cfg->n_platforms = ARRAY_SIZE(default_platforms);
	cfg->platforms = xcalloc(cfg->n_platforms, sizeof(struct platform));
	for (i = 0; i < cfg->n_platforms; i++)
		set_platform_defaults(&cfg->platforms[i],
		    default_platforms[i].key, default_platforms[i].label);

	cfg->poll = (struct poll_config){
		.interval = 3600, .jitter_percent = 10, .concurrency = 64,
		.per_host = 4, .timeout = 30, .connect_timeout = 10,
		.max_size = 10 * 1024 * 1024, .max_redirects = 5,
		.user_agent = xstrdup("mediawatch/1.0 (government new-media monitor)"),
		.retention = 400 * DAY, .fail_threshold = 3,
	};
	cfg->monitor = (struct monitor_config){
		.verify_window = DAY, .problem_due = 10 * DAY,
	};
	cfg->mail = (struct mail_config){
		.transport = xstrdup("maildir"), .sendmail = xstrdup("/usr/sbin/sendmail"),
		.from = xstrdup("mediawatch@localhost"), .admins = strv_dup(NULL),
		.repeat_warning = 0, .repeat_stale = 3 * DAY,
		.repeat_dormant = 7 * DAY, .max_attempts = 8, .retry_base = 60,
		.digest_time = xstrdup("08:30"),
	};
	cfg->notice = (struct notice_config){
		.serial_format = xstrdup("〔%Y〕第%N期"), .rectify_days = 10,
		.holidays = strv_dup(NULL), .workdays = strv_dup(NULL),
		.issuer = xstrdup("电子政务中心"), .repeat_months = 3,
	};
	cfg->wording.lists = strv_dup(NULL);
	cfg->wording.allowlists = strv_dup(NULL);
}

static void
platform_free(struct platform *p)
{
	free(p->key);
	free(p->label);
	free(p->feed_template);
}

void
config_free(struct config *cfg)
{
	size_t i;

	free(cfg->path);
	free(cfg->database);
	free(cfg->state_dir);
	free(cfg->timezone);
	for (i = 0; i < cfg->n_platforms; i++)
		platform_free(&cfg->platforms[i]);
	free(cfg->platforms);
	free(cfg->poll.user_agent);
	free(cfg->mail.transport);
	free(cfg->mail.maildir);
	free(cfg->mail.url);
	free(cfg->mail.username);
	free(cfg->mail.password_file);
	free(cfg->mail.ca_file);
	free(cfg->mail.sendmail);
	free(cfg->mail.from);
	strv_free(cfg->mail.admins);
	free(cfg->mail.templates);
	free(cfg->mail.digest_time);
	free(cfg->notice.serial_format);
	strv_free(cfg->notice.holidays);
	strv_free(cfg->notice.workdays);
	free(cfg->notice.issuer);
	strv_free(cfg->wording.lists);
	strv_free(cfg->wording.allowlists);
	memset(cfg, 0, sizeof(*cfg));
}

/* Error reporting, always FILE:LINE so an admin can jump to the spot. */
struct loader {
	const char *path;
	int         errors;
};

static void MW_PRINTF(3, 4)
bad(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	if (s && config_setting_source_line(s) > 0)
		log_warnx("%s:%u: %s", ld->path, config_setting_source_line(s),
		    sb_str(&sb));
	else
		log_warnx("%s: %s", ld->path, sb_str(&sb));
	sb_free(&sb);
	ld->errors++;
}

static int
read_duration(struct loader *ld, const config_setting_t *s, long long *out)
{
	const char *text;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*out = config_setting_get_int64(s);
		if (*out >= 0 && *out <= DURATION_MAX)
			return 0;
		break;
	case CONFIG_TYPE_STRING:
		text = config_setting_get_string(s);
		if (duration_parse(text, out) == 0 && *out <= DURATION_MAX)
			return 0;
		break;
	}
	bad(ld, s, "'%s' must be a duration such as \"90s\", \"15m\", \"6h\" "
	    "or \"14d\" (at most 100 years)", config_setting_name(s));
	return -1;
}

/* A byte count: a number, or a string with a K, M or G suffix (binary). */
static int
read_bytes(struct loader *ld, const config_setting_t *s, long long *out)
{
	const char *text;
	char *end;
	long long v, unit;

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		*out = config_setting_get_int64(s);
		if (*out > 0)
			return 0;
	} else if ((text = config_setting_get_string(s)) != NULL &&
	    isdigit((unsigned char)*text)) {
		errno = 0;
		v = strtoll(text, &end, 10);
		unit = *end == 'K' || *end == 'k' ? 1024 : *end == 'M' ?
		    1024 * 1024 : *end == 'G' ? 1024LL * 1024 * 1024 : 1;
		if (unit > 1)
			end++;
		if (errno == 0 && *end == '\0' && v > 0 && v <= LLONG_MAX / unit) {
			*out = v * unit;
			return 0;
		}
	}
	bad(ld, s, "'%s' must be a size such as 10485760 or \"10M\"",
	    config_setting_name(s));
	return -1;
}

static int
read_strlist(struct loader *ld, const config_setting_t *s, char ***out,
    size_t *count)
{
	int i, n;
	char **list;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		bad(ld, s, "'%s' must be a list of strings, e.g. [ \"a\", \"b\" ]",
		    config_setting_name(s));
		return -1;
	}
	n = config_setting_length(s);
	list = xcalloc((size_t)n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(s, i);

		if (v == NULL) {
			bad(ld, s, "'%s' item %d is not a string",
			    config_setting_name(s), i + 1);
			strv_free(list);
			return -1;
		}
		list[i] = xstrdup(v);
	}
	strv_free(*out);
	*out = list;
	if (count)
		*count = (size_t)n;
	return 0;
}

static int
read_key(struct loader *ld, const config_setting_t *s, const struct key *k,
    void *base)
{
	char *field = (char *)base + k->offset;
	const char *text;

	switch (k->type) {
	case K_STRING:
		if ((text = config_setting_get_string(s)) == NULL) {
			bad(ld, s, "'%s' must be a string", k->name);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(text);
		return 0;
	case K_INT:
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64) {
			bad(ld, s, "'%s' must be a whole number", k->name);
			return -1;
		}
		*(long *)field = (long)config_setting_get_int64(s);
		return 0;
	case K_BYTES:
		return read_bytes(ld, s, (long long *)field);
	case K_DURATION:
		return read_duration(ld, s, (long long *)field);
	case K_STRLIST:
		return read_strlist(ld, s, (char ***)field, k->count_offset ?
		    (size_t *)((char *)base + k->count_offset) : NULL);
	}
	return -1;
}

static const struct key *
find_key(const struct key *keys, const char *name)
{
	for (; keys->name; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

/* Reads every child of group s through its key table. */
static void
read_group(struct loader *ld, const config_setting_t *s, const char *what,
    const struct key *keys, void *base)
{
	int i, n = config_setting_length(s);

	if (!config_setting_is_group(s)) {
		bad(ld, s, "'%s' must be a group { … }", what);
		return;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *child = config_setting_get_elem(s, (unsigned)i);
		const struct key *k = find_key(keys, config_setting_name(child));

		if (k == NULL)
			bad(ld, child, "unknown key '%.64s' in %s",
			    config_setting_name(child), what);
		else
			read_key(ld, child, k, base);
	}
}

struct thresholds {
	long long warn, stale, dormant;
};

static const struct key threshold_keys[] = {
	{ "warn", K_DURATION, offsetof(struct thresholds, warn), 0 },
	{ "stale", K_DURATION, offsetof(struct thresholds, stale), 0 },
	{ "dormant", K_DURATION, offsetof(struct thresholds, dormant), 0 },
	{ NULL, 0, 0, 0 }
};

static bool
platform_key_valid(const char *key)
{
	if (str_empty(key) || strlen(key) > 32)
		return false;
	for (; *key; key++)
		if (!islower((unsigned char)*key) && !isdigit((unsigned char)*key) &&
		    *key != '_' && *key != '-')
			return false;
	return true;
}

static void
platform_check(struct loader *ld, const config_setting_t *s,
    struct config *cfg, size_t idx)
{
	struct platform *p = &cfg->platforms[idx];
	size_t j;

	if (!platform_key_valid(p->key)) {
		bad(ld, s, "platform key must be 1-32 characters of a-z, 0-9, "
		    "'_' or '-'");
		return;
	}
	for (j = 0; j < idx; j++)
		if (strcmp(cfg->platforms[j].key, p->key) == 0)
			bad(ld, s, "platform '%s' is defined twice", p->key);
	if (str_empty(p->label))
		p->label = (free(p->label), xstrdup(p->key));
	if (!(p->warn_after < p->stale_after && p->stale_after < p->dormant_after))
		bad(ld, s, "platform '%s': thresholds must satisfy warn < stale "
		    "< dormant", p->key);
	if (p->feed_template && strstr(p->feed_template, "{uid}") == NULL)
		bad(ld, s, "platform '%s': feed_template must contain {uid}",
		    p->key);
}

/* platforms = ( { key = "wechat"; label = "微信公众号"; … }, … ); each
 * platform starts from the global thresholds. */
static void
read_platforms(struct loader *ld, const config_setting_t *list,
    struct config *cfg, const struct thresholds *th)
{
	int i, n;

	if (!config_setting_is_list(list)) {
		bad(ld, list, "'platforms' must be a list ( { … }, … )");
		return;
	}
	n = config_setting_length(list);
	if (n == 0) {
		bad(ld, list, "'platforms' must name at least one platform");
		return;
	}
	for (size_t k = 0; k < cfg->n_platforms; k++)
		platform_free(&cfg->platforms[k]);
	free(cfg->platforms);
	cfg->platforms = xcalloc((size_t)n, sizeof(struct platform));
	cfg->n_platforms = (size_t)n;
	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
		struct platform *p = &cfg->platforms[i];

		p->warn_after = th->warn;
		p->stale_after = th->stale;
		p->dormant_after = th->dormant;
		read_group(ld, s, "a platform", platform_keys, p);
		if (ld->errors == 0)
			platform_check(ld, s, cfg, (size_t)i);
	}
}

static void
apply_thresholds(struct loader *ld, const config_setting_t *s,
    struct config *cfg, const struct thresholds *th)
{
	size_t i;

	if (!(th->warn < th->stale && th->stale < th->dormant)) {
		bad(ld, s, "thresholds must satisfy warn < stale < dormant");
		return;
	}

	for (i = 0; i < cfg->n_platforms; i++) {
		cfg->platforms[i].warn_after = th->warn;
		cfg->platforms[i].stale_after = th->stale;
		cfg->platforms[i].dormant_after = th->dormant;
	}
}

static const struct group *
find_group(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(groups); i++)
		if (strcmp(groups[i].name, name) == 0)
			return &groups[i];
	return NULL;
}

static void
read_root(struct loader *ld, const config_setting_t *root, struct config *cfg)
{
	struct thresholds th = { 7 * DAY, 14 * DAY, 90 * DAY };
	const config_setting_t *s, *th_setting, *platforms = NULL;
	const struct group *g;
	int i, n = config_setting_length(root);

	if ((th_setting = config_setting_get_member(root, "thresholds")) != NULL)
		read_group(ld, th_setting, "thresholds", threshold_keys, &th);
	for (i = 0; i < n; i++) {
		const char *name;

		s = config_setting_get_elem(root, (unsigned)i);
		name = config_setting_name(s);

		if (strcmp(name, "thresholds") == 0)
			continue;
		if (strcmp(name, "platforms") == 0)
			platforms = s;
		else if ((g = find_group(name)) != NULL)
			read_group(ld, s, name, g->keys, (char *)cfg + g->offset);
		else if (find_key(top_keys, name))
			read_key(ld, s, find_key(top_keys, name), cfg);
		else
			bad(ld, s, "unknown key '%.64s'", name);
	}
	if (platforms)
		read_platforms(ld, platforms, cfg, &th);
	else
		apply_thresholds(ld, th_setting, cfg, &th);
}

static bool
one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return true;
	return false;
}

static const config_setting_t *
lookup(const config_t *lc, const char *path)
{
	return lc ? config_lookup(lc, path) : NULL;
}

static int
check_mailbox(const char *mailbox)
{
	char *name = NULL, *addr = NULL, *error = NULL;
	int rc;

	if (has_control_chars(mailbox) || strlen(mailbox) > 512 ||
	    !utf8_valid(mailbox, strlen(mailbox)))
		return -1;
	rc = mail_address_parse(mailbox, &name, &addr, &error);
	free(name);
	free(addr);
	free(error);
	return rc;
}

/* "8:30" or "08:30" → "08:30"; the digest compares times as text. */
static int
normalise_hhmm(char **value)
{
	int h, m, n = 0;

	if (sscanf(*value, "%2d:%2d%n", &h, &m, &n) != 2 || (*value)[n] != '\0' ||
	    h < 0 || h > 23 || m < 0 || m > 59 || !isdigit((unsigned char)**value))
		return -1;
	free(*value);
	*value = xasprintf("%02d:%02d", h, m);
	return 0;
}

/* Checks across keys, after everything was read. */
static void
validate(struct loader *ld, const config_t *lc, struct config *cfg)
{
	static const char *const transports[] = { "maildir", "smtp", "sendmail", NULL };
	size_t i;

	if (tz_set(cfg->timezone) == -1)
		bad(ld, lookup(lc, "timezone"), "unknown time zone '%.64s' (expected "
		    "an IANA name such as \"Asia/Shanghai\")", cfg->timezone);
	if (str_empty(cfg->database))
		bad(ld, lookup(lc, "database"), "'database' must not be empty");
	if (cfg->poll.interval < 60)
		bad(ld, lookup(lc, "poll.interval"), "poll.interval must be at least 1m");
	if (cfg->poll.jitter_percent < 0 || cfg->poll.jitter_percent > 50)
		bad(ld, lookup(lc, "poll.jitter"), "poll.jitter must be 0-50 (percent)");
	if (cfg->poll.concurrency < 1 || cfg->poll.concurrency > 10000)
		bad(ld, lookup(lc, "poll.concurrency"), "poll.concurrency must be 1-10000");
	if (cfg->poll.per_host < 1 || cfg->poll.per_host > cfg->poll.concurrency)
		bad(ld, lookup(lc, "poll.per_host"),
		    "poll.per_host must be between 1 and poll.concurrency");
	if (cfg->poll.timeout < 1 || cfg->poll.connect_timeout < 1)
		bad(ld, lookup(lc, "poll.timeout"), "poll timeouts must be at least 1s");
	if (cfg->poll.max_redirects < 0 || cfg->poll.max_redirects > 20)
		bad(ld, lookup(lc, "poll.max_redirects"), "poll.max_redirects must be 0-20");
	if (cfg->poll.fail_threshold < 1)
		bad(ld, lookup(lc, "poll.fail_threshold"), "poll.fail_threshold must be at least 1");
	if (!one_of(cfg->mail.transport, transports))
		bad(ld, lookup(lc, "mail.transport"), "mail.transport must be "
		    "\"maildir\", \"smtp\" or \"sendmail\"");
	if (strcmp(cfg->mail.transport, "smtp") == 0 && str_empty(cfg->mail.url))
		bad(ld, lookup(lc, "mail.transport"), "mail.url is required for "
		    "the smtp transport");
	if (!str_empty(cfg->mail.url) && !str_case_prefix(cfg->mail.url, "smtp://") &&
	    !str_case_prefix(cfg->mail.url, "smtps://") &&
	    !str_case_prefix(cfg->mail.url, "smtp+starttls://"))
		bad(ld, lookup(lc, "mail.url"), "mail.url must start with smtp://, "
		    "smtp+starttls:// or smtps://");
	if (normalise_hhmm(&cfg->mail.digest_time) == -1)
		bad(ld, lookup(lc, "mail.digest_time"), "mail.digest_time must be a "
		    "time of day HH:MM, e.g. \"08:30\"");
	if (cfg->mail.max_attempts < 1)
		bad(ld, lookup(lc, "mail.max_attempts"), "mail.max_attempts must be at least 1");
	if (check_mailbox(cfg->mail.from) == -1)
		bad(ld, lookup(lc, "mail.from"), "mail.from must be an address, "
		    "\"name@domain\" or \"Name <name@domain>\"");
	for (i = 0; i < cfg->mail.n_admins; i++)
		if (strchr(cfg->mail.admins[i], '@') == NULL ||
		    has_control_chars(cfg->mail.admins[i]))
			bad(ld, lookup(lc, "mail.admins"), "mail.admins: '%.64s' is "
			    "not an email address", cfg->mail.admins[i]);
	for (i = 0; cfg->notice.holidays[i]; i++)
		if (iso_date_valid(cfg->notice.holidays[i]) == -1)
			bad(ld, lookup(lc, "notice.holidays"), "notice.holidays: "
			    "'%.64s' is not a YYYY-MM-DD date", cfg->notice.holidays[i]);
	for (i = 0; cfg->notice.workdays[i]; i++)
		if (iso_date_valid(cfg->notice.workdays[i]) == -1)
			bad(ld, lookup(lc, "notice.workdays"), "notice.workdays: "
			    "'%.64s' is not a YYYY-MM-DD date", cfg->notice.workdays[i]);
	if (cfg->notice.rectify_days < 1 || cfg->notice.repeat_months < 2)
		bad(ld, lookup(lc, "notice"), "notice.rectify_days must be at "
		    "least 1 and notice.repeat_months at least 2");
}

static void
derive_paths(struct config *cfg)
{
	if (cfg->mail.maildir == NULL)
		cfg->mail.maildir = xasprintf("%s/Maildir", cfg->state_dir);
}

int
config_load(const char *path, struct config *out)
{
	struct loader ld = { path ? path : "(built-in defaults)", 0 };
	struct config cfg;
	config_t lc;
	bool have_file = path != NULL;

	set_defaults(&cfg);
	if (have_file) {
		config_init(&lc);
		if (config_read_file(&lc, path) != CONFIG_TRUE) {
			if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
				log_warn("%s", path);
			else
				log_warnx("%s:%d: %s", config_error_file(&lc) ?
				    config_error_file(&lc) : path,
				    config_error_line(&lc), config_error_text(&lc));
			config_destroy(&lc);
			config_free(&cfg);
			return -1;
		}
		read_root(&ld, config_root_setting(&lc), &cfg);
	}
	derive_paths(&cfg);
	if (ld.errors == 0)
		validate(&ld, have_file ? &lc : NULL, &cfg);
	if (have_file)
		config_destroy(&lc);
	if (ld.errors > 0) {
		config_free(&cfg);
		return -1;
	}
	cfg.path = xstrdup(path);
	*out = cfg;
	return 0;
}

const char *
config_locate(const char *given)
{
	const char *env;

	if (given)
		return given;
	if ((env = getenv("MEDIAWATCH_CONF")) != NULL && *env)
		return env;
	if (access(MW_DEFAULT_CONF, F_OK) == 0)
		return MW_DEFAULT_CONF;
	return NULL;
}

const struct platform *
config_platform(const struct config *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->n_platforms; i++)
		if (strcmp(cfg->platforms[i].key, key) == 0)
			return &cfg->platforms[i];
	return NULL;
}
