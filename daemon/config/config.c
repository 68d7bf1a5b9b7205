/* config.c — the configuration file, declared as one table of keys.
 *
 * config_keys[] gives every key its type, default, range, reload flag and a
 * line of doc.  The loader takes defaults, type checks and ranges from it,
 * `mediawatchctl check-config --defaults` prints it, and `make
 * check-config-docs` compares it with mediawatch.conf(5) and the example
 * file.  A key missing from the table is an error, so a typo never silently
 * falls back to a default.  What a type and a range cannot say (an address,
 * a time of day, one key against another) is checked by the small functions
 * after the loader. */
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/holidays.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/mailaddr.h"
#include "base/timeutil.h"
#include "config/config.h"

#define DAY (24LL * 3600)
/* No setting needs more than a century; the bound keeps every time
 * computed from a duration far from overflowing. */
#define DURATION_MAX (100 * 366 * DAY)

const char *const config_transport_names[] = {
	"maildir", "smtp", "sendmail", NULL
};

const char *const config_channel_types[] = {
	"wecom", "dingtalk", "feishu", "webhook", NULL
};

/* In the order of the KIND_ bits. */
const char *const config_channel_kinds[] = {
	"warning", "stale", "dormant", "recovery", "gap", "digest", "notice",
	"wording", "reopened", NULL
};

const char *const config_secure_names[] = {
	"auto", "always", "never", NULL
};

_Static_assert(sizeof(enum mail_transport) == sizeof(int),
    "enum keys are stored as int");
_Static_assert(sizeof(enum channel_type) == sizeof(int),
    "enum keys are stored as int");
_Static_assert(sizeof(enum secure_cookie) == sizeof(int),
    "enum keys are stored as int");

/* Where a value lives. */
#define TOP(f)          .name = #f, .offset = offsetof(struct config, f)
#define IN(g, f)        IN_AS(g, #f, f)
#define IN_AS(g, n, f)  .group = #g, .name = n, \
                        .offset = offsetof(struct config, g.f)
#define PLATFORM(n, f)  .group = "platforms", .name = n, \
                        .offset = offsetof(struct platform, f)
#define CHANNEL(n, f)   .group = "channels", .name = n, \
                        .offset = offsetof(struct channel, f)
/* Types, with the bounds every value of the key must keep. */
#define STRING          .type = CONFIG_STRING
#define INT(lo, hi)     .type = CONFIG_INT, .min = (lo), .max = (hi)
#define DURATION(lo)    .type = CONFIG_DURATION, .min = (lo), \
                        .max = DURATION_MAX
#define SIZE            .type = CONFIG_SIZE, .min = 1, .max = LLONG_MAX
#define ENUM(names)     .type = CONFIG_ENUM, .choices = (names)
#define LIST            .type = CONFIG_LIST

const struct config_key config_keys[] = {
	{ TOP(database), STRING, .def = "/var/lib/mediawatch/mediawatch.db",
	  .restart = true,
	  .doc = "SQLite database: the ledger, poll results, problems, mail queue." },
	{ TOP(state_dir), STRING, .def = "/var/lib/mediawatch",
	  .doc = "Folder of the default mail.maildir (state_dir/Maildir)." },
	{ TOP(timezone), STRING, .def = "Asia/Shanghai",
	  .doc = "IANA zone that reads zone-less dates and shows times." },

	{ IN(thresholds, warn), DURATION(0), .def = "7d",
	  .doc = "Warning (预警) after this long without an update." },
	{ IN(thresholds, stale), DURATION(0), .def = "14d",
	  .doc = "Stale (超期未更新, the 2-week veto): a problem is opened." },
	{ IN(thresholds, dormant), DURATION(0), .def = "90d",
	  .doc = "Dormant (长期未更新): closing or merging is recommended." },

	{ TOP(platforms), .type = CONFIG_PLATFORMS,
	  .doc = "Platforms accounts are registered on; replaces the built-in list." },

	{ IN(poll, interval), DURATION(60), .def = "1h",
	  .doc = "Time between two fetches of one feed." },
	{ IN_AS(poll, "jitter", jitter_percent), INT(0, 50), .def = "10",
	  .doc = "Spread of the next poll time, in percent of the interval." },
	{ IN(poll, concurrency), INT(1, 10000), .def = "64", .restart = true,
	  .doc = "Transfers in flight at once." },
	{ IN(poll, per_host), INT(1, 10000), .def = "4", .restart = true,
	  .doc = "Connections to one host at once, at most concurrency." },
	{ IN(poll, timeout), DURATION(1), .def = "30s",
	  .doc = "Limit for a whole transfer." },
	{ IN(poll, connect_timeout), DURATION(1), .def = "10s",
	  .doc = "Limit for connecting." },
	{ IN(poll, max_size), SIZE, .def = "10M",
	  .doc = "Largest feed body accepted." },
	{ IN(poll, max_redirects), INT(0, 20), .def = "5",
	  .doc = "Redirects followed; every hop must stay http or https." },
	{ IN(poll, user_agent), STRING,
	  .def = "mediawatch/1.0 (government new-media monitor)",
	  .doc = "User-Agent header of every request." },
	{ IN(poll, retention), DURATION(0), .def = "400d",
	  .doc = "How long posts are kept; 0 keeps them forever." },
	{ IN(poll, fail_threshold), INT(1, LONG_MAX), .def = "3",
	  .doc = "Consecutive failed fetches that mark a feed failing." },

	{ IN(monitor, verify_window), DURATION(0), .def = "1d",
	  .doc = "A verdict needs a successful fetch or an observation this recent." },

	{ IN(mail, transport), ENUM(config_transport_names), .def = "maildir",
	  .doc = "How mail leaves the machine: maildir, smtp or sendmail." },
	{ IN(mail, maildir), STRING,
	  .doc = "Maildir of the maildir transport; default: state_dir/Maildir." },
	{ IN(mail, url), STRING,
	  .doc = "SMTP server: smtp+starttls:// (587) or smtps:// (465); smtp:// only locally." },
	{ IN(mail, username), STRING,
	  .doc = "SMTP login; needs password_file and TLS." },
	{ IN(mail, password_file), STRING,
	  .doc = "File, or credential name, holding the SMTP password." },
	{ IN(mail, ca_file), STRING,
	  .doc = "The only CA trusted for the SMTP server; default: the system's store." },
	{ IN(mail, sendmail), STRING, .def = "/usr/sbin/sendmail",
	  .doc = "The program of the sendmail transport." },
	{ IN(mail, from), STRING, .def = "mediawatch@localhost",
	  .doc = "Sender of every message; without a name, notice.issuer is shown." },
	{ IN(mail, admins), LIST,
	  .count_offset = offsetof(struct config, mail.n_admins),
	  .doc = "Administrators' addresses; while empty, their mail goes to from." },
	{ IN(mail, repeat_warning), DURATION(0), .def = "0",
	  .doc = "Reminder interval while a warning lasts; 0 never reminds." },
	{ IN(mail, repeat_stale), DURATION(0), .def = "3d",
	  .doc = "Reminder interval while an account is stale; 0 never reminds." },
	{ IN(mail, repeat_dormant), DURATION(0), .def = "7d",
	  .doc = "Reminder interval while an account is dormant; 0 never reminds." },
	{ IN(mail, max_attempts), INT(1, LONG_MAX), .def = "8",
	  .doc = "Delivery attempts before a message is marked failed." },
	{ IN(mail, retry_base), DURATION(0), .def = "1m",
	  .doc = "Delay after the first failure, doubled each attempt up to a day." },
	{ IN(mail, retention), DURATION(0), .def = "400d",
	  .doc = "How long the text of a sent message is kept; 0 keeps it forever." },
	{ IN(mail, templates), STRING,
	  .doc = "Folder whose files override the built-in templates one by one." },
	{ IN(mail, digest_time), STRING, .def = "08:30",
	  .doc = "Time of day (HH:MM) of the administrators' daily digest." },

	{ TOP(console_url), STRING,
	  .doc = "The console's public address; messages and password links "
	  "point to it." },
	{ TOP(channels), .type = CONFIG_CHANNELS,
	  .doc = "Chat robots and webhooks besides email; none by default." },
	{ TOP(admin_channels), LIST,
	  .count_offset = offsetof(struct config, n_admin_channels),
	  .doc = "Channels that get what the administrators get." },

	{ IN(notice, serial_format), STRING, .def = "〔%Y〕%N号",
	  .doc = "发文字号 of notices: %Y year, %N number in the year." },
	{ IN(notice, rectify_days), INT(1, LONG_MAX), .def = "10",
	  .doc = "Working days to rectify a problem or answer a notice." },
	{ IN(notice, holidays), LIST,
	  .doc = "Local days off (YYYY-MM-DD) added to the holiday calendar." },
	{ IN(notice, workdays), LIST,
	  .doc = "Local working days (YYYY-MM-DD) added to the holiday calendar." },
	{ IN(notice, issuer), STRING, .def = "电子政务中心",
	  .doc = "Issuer printed on notices and bulletins." },
	{ IN(notice, repeat_months), INT(2, LONG_MAX), .def = "3",
	  .doc = "Consecutive months of one problem kind for the deduction list." },

	{ IN(bulletin, serial_format), STRING, .def = "%Y年第%N期",
	  .doc = "Number of monthly bulletins: %Y year, %N number in the year." },

	{ IN(document, issuer_mark), STRING,
	  .doc = "发文机关标志 in red; default: notice.issuer followed by 文件." },
	{ IN(document, addressee), STRING, .def = "各责任单位",
	  .doc = "主送机关 of monthly bulletins (a notice's is its unit)." },
	{ IN(document, copy_to), STRING,
	  .doc = "抄送机关 of notices and bulletins; default: none." },
	{ IN(document, printer), STRING,
	  .doc = "印发机关 in the imprint; default: notice.issuer." },
	{ IN(document, unit_order), LIST,
	  .count_offset = offsetof(struct config, document.n_unit_order),
	  .doc = "Unit codes listed first, in this order; the rest by code." },
	{ IN(document, font_title), STRING, .def = "方正小标宋简体",
	  .doc = "Font of the issuer mark and the titles." },
	{ IN(document, font_body), STRING, .def = "仿宋_GB2312",
	  .doc = "Font of the body text and tables." },
	{ IN(document, font_heading1), STRING, .def = "黑体",
	  .doc = "Font of first-level headings (一、) and table heads." },
	{ IN(document, font_heading2), STRING, .def = "楷体_GB2312",
	  .doc = "Font of second-level headings (（一）)." },

	{ IN(calendar, dir), STRING,
	  .doc = "Folder of YYYY.txt holiday calendars replacing or adding built-in years." },

	{ IN(wording, lists), LIST,
	  .doc = "Word lists (wrong<TAB>correct<TAB>serious|typo); none: no check." },
	{ IN(wording, allowlists), LIST,
	  .doc = "Files of correct phrases a word list would match." },

	{ IN(web, listen), STRING, .def = "127.0.0.1:8080",
	  .doc = "Address and port of mediawatch-web without systemd's socket." },
	{ IN(web, remote_user_header), STRING,
	  .doc = "Header naming the user a reverse proxy logged in; unset: off." },
	{ IN(web, session_idle), DURATION(60), .def = "2h",
	  .doc = "A console session ends after this long without a request." },
	{ IN(web, session_max), DURATION(60), .def = "12h",
	  .doc = "A console session ends this long after its login." },
	{ IN(web, tls_cert), STRING,
	  .doc = "PEM certificate (file or credential name): serve HTTPS." },
	{ IN(web, tls_key), STRING,
	  .doc = "PEM private key of tls_cert (file or credential name)." },
	{ IN(web, secure_cookie), ENUM(config_secure_names), .def = "auto",
	  .doc = "Secure cookies: auto (with tls_cert), always (TLS proxy), never." },
	{ IN(web, page_size), INT(10, 1000), .def = "50",
	  .doc = "Rows on one page of a console list." },
	{ IN(web, threads), INT(1, 64), .def = "2",
	  .doc = "Threads serving console connections." },
	{ IN(web, login_attempts), INT(1, 1000), .def = "5",
	  .doc = "Failed logins per name and per address before a pause." },
	{ IN(web, login_window), DURATION(1), .def = "15m",
	  .doc = "The window login_attempts counts in, and the pause." },
	{ IN(web, max_upload), SIZE, .def = "20M",
	  .doc = "Largest ledger file the console accepts." },
	{ IN(web, refresh), DURATION(5), .def = "1m",
	  .doc = "The dashboard reloads itself this often." },
	{ .name = NULL }
};

/* No defaults here: each platform starts from the thresholds group, and
 * its label from its key. */
const struct config_key config_platform_keys[] = {
	{ PLATFORM("key", key), STRING,
	  .doc = "Required: identifier in commands and CSV files (a-z 0-9 _ -)." },
	{ PLATFORM("label", label), STRING,
	  .doc = "Name shown in notices and bulletins; default: the key." },
	{ PLATFORM("aliases", aliases), LIST,
	  .count_offset = offsetof(struct platform, n_aliases),
	  .doc = "Other names of it a ledger may use (an import accepts them)." },
	{ PLATFORM("warn", warn_after), DURATION(0),
	  .doc = "This platform's warning threshold; default: thresholds.warn." },
	{ PLATFORM("stale", stale_after), DURATION(0),
	  .doc = "This platform's stale threshold; default: thresholds.stale." },
	{ PLATFORM("dormant", dormant_after), DURATION(0),
	  .doc = "This platform's dormant threshold; default: thresholds.dormant." },
	{ PLATFORM("feed_template", feed_template), STRING,
	  .doc = "Feed URL of accounts without one of their own; has {uid}." },
	{ .name = NULL }
};

/* Defaults for the keys that have one; the rest is checked after reading. */
const struct config_key config_channel_keys[] = {
	{ CHANNEL("name", name), STRING,
	  .doc = "Required: what units and the outbox call it (a-z 0-9 _ -)." },
	{ CHANNEL("type", type), ENUM(config_channel_types),
	  .doc = "Required: wecom, dingtalk, feishu or webhook." },
	{ CHANNEL("url", url), STRING,
	  .doc = "The robot's address; it holds its token: prefer url_file." },
	{ CHANNEL("url_file", url_file), STRING,
	  .doc = "File, or credential name, holding the address." },
	{ CHANNEL("secret_file", secret_file), STRING,
	  .doc = "File, or credential name, of the signing secret (加签)." },
	{ CHANNEL("keyword", keyword), STRING,
	  .doc = "The robot's keyword (自定义关键词); added when a message lacks it." },
	{ CHANNEL("kinds", kinds), LIST,
	  .count_offset = offsetof(struct channel, n_kinds),
	  .doc = "The kinds of message it carries; empty: every kind." },
	{ CHANNEL("timeout", timeout), .type = CONFIG_DURATION, .min = 1,
	  .max = 3600, .def = "30s",
	  .doc = "Limit for one delivery, the platform's answer included." },
	{ CHANNEL("max_attempts", max_attempts), INT(1, LONG_MAX), .def = "8",
	  .doc = "Delivery attempts before a message is marked failed." },
	{ CHANNEL("retry_base", retry_base), DURATION(0), .def = "1m",
	  .doc = "Delay after the first failure, doubled each attempt up to a day." },
	{ .name = NULL }
};

#define ALIASES(...) (const char *const[]){ __VA_ARGS__, NULL }
const struct config_default_platform config_default_platforms[] = {
	{ "wechat", "微信公众号", ALIASES("微信", "公众号", "微信公众平台",
	    "微信订阅号", "微信服务号") },
	{ "weibo", "微博", ALIASES("新浪微博", "政务微博") },
	{ "douyin", "抖音", ALIASES("抖音号") },
	{ "toutiao", "今日头条", ALIASES("头条", "头条号") },
	{ "kuaishou", "快手", ALIASES("快手号") },
	{ "bilibili", "哔哩哔哩", ALIASES("B站", "b站") },
	{ "xiaohongshu", "小红书", ALIASES("小红书号") },
	{ "channels", "视频号", ALIASES("微信视频号") },
	{ "website", "网站", ALIASES("门户网站", "政府网站") },
	{ "other", "其他", ALIASES("其它") },
	{ NULL, NULL, NULL }
};

const char *
config_type_name(enum config_type type)
{
	static const char *const names[] = { "string", "int", "duration",
	    "size", "enum", "list", "platforms", "channels" };

	return (size_t)type < ARRAY_SIZE(names) ? names[type] : "?";
}

static void *
field_of(const struct config_key *k, const void *base)
{
	return (char *)base + k->offset;
}

/* "poll.interval", or "database" at the top level. */
static const char *
full_name(const struct config_key *k, char *buf, size_t size)
{
	if (k->group == NULL)
		return k->name;
	snprintf(buf, size, "%s.%s", k->group, k->name);
	return buf;
}

/* A byte count with an optional K, M or G suffix (binary). */
static int
size_parse(const char *text, long long *out)
{
	char *end;
	long long v, unit;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	v = strtoll(text, &end, 10);
	unit = *end == 'K' || *end == 'k' ? 1024 : *end == 'M' ?
	    1024 * 1024 : *end == 'G' ? 1024LL * 1024 * 1024 : 1;
	if (unit > 1)
		end++;
	if (errno != 0 || *end != '\0' || v <= 0 || v > LLONG_MAX / unit)
		return -1;
	*out = v * unit;
	return 0;
}

static int
choice_parse(const struct config_key *k, const char *text, int *out)
{
	int i;

	for (i = 0; k->choices[i]; i++)
		if (strcmp(k->choices[i], text) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

static bool
in_range(const struct config_key *k, long long v)
{
	return v >= k->min && v <= k->max;
}

/* A value written as text, as the table's defaults are, into its field;
 * -1 when it does not parse or is out of range. */
static int
parse_text(const struct config_key *k, const char *text, void *base)
{
	void *field = field_of(k, base);
	long long v;
	char *end;
	int choice;

	switch (k->type) {
	case CONFIG_STRING:
		free(*(char **)field);
		*(char **)field = xstrdup(text);
		return 0;
	case CONFIG_INT:
		errno = 0;
		v = strtoll(text, &end, 10);
		if (errno != 0 || end == text || *end != '\0' || !in_range(k, v))
			return -1;
		*(long *)field = (long)v;
		return 0;
	case CONFIG_DURATION:
		if (duration_parse(text, &v) == -1 || !in_range(k, v))
			return -1;
		*(long long *)field = v;
		return 0;
	case CONFIG_SIZE:
		if (size_parse(text, &v) == -1 || !in_range(k, v))
			return -1;
		*(long long *)field = v;
		return 0;
	case CONFIG_ENUM:
		if (choice_parse(k, text, &choice) == -1)
			return -1;
		*(int *)field = choice;
		return 0;
	case CONFIG_LIST:
	case CONFIG_PLATFORMS:
	case CONFIG_CHANNELS:
		break;
	}
	return -1;
}

/* ---- defaults and freeing, both driven by the table ---- */

static void
set_platform_defaults(struct platform *p,
    const struct config_default_platform *d, const struct threshold_config *th)
{
	memset(p, 0, sizeof(*p));
	p->key = xstrdup(d->key);
	p->label = xstrdup(d->label);
	p->aliases = strv_dup(d->aliases);
	while (p->aliases[p->n_aliases])
		p->n_aliases++;
	p->warn_after = th->warn;
	p->stale_after = th->stale;
	p->dormant_after = th->dormant;
}

static void
set_default_platforms(struct config *cfg)
{
	size_t i, n = 0;

	while (config_default_platforms[n].key)
		n++;
	cfg->n_platforms = n;
	cfg->platforms = xcalloc(n, sizeof(struct platform));
	for (i = 0; i < n; i++)
		set_platform_defaults(&cfg->platforms[i],
		    &config_default_platforms[i], &cfg->thresholds);
}

static void
set_defaults(struct config *cfg)
{
	const struct config_key *k;
	char name[64];

	memset(cfg, 0, sizeof(*cfg));
	for (k = config_keys; k->name; k++) {
		if (k->type == CONFIG_LIST)
			*(char ***)field_of(k, cfg) = strv_dup(NULL);
		else if (k->def && parse_text(k, k->def, cfg) == -1)
			fatalx("the built-in default of %s does not parse",
			    full_name(k, name, sizeof(name)));
	}
	/* after the loop: the platforms take the thresholds' defaults */
	set_default_platforms(cfg);
}

static void
platform_free(struct platform *p)
{
	const struct config_key *k;

	for (k = config_platform_keys; k->name; k++)
		if (k->type == CONFIG_STRING)
			free(*(char **)field_of(k, p));
		else if (k->type == CONFIG_LIST)
			strv_free(*(char ***)field_of(k, p));
}

static void
channel_free(struct channel *c)
{
	const struct config_key *k;

	for (k = config_channel_keys; k->name; k++)
		if (k->type == CONFIG_STRING)
			free(*(char **)field_of(k, c));
		else if (k->type == CONFIG_LIST)
			strv_free(*(char ***)field_of(k, c));
}

static void
channels_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_channels; i++)
		channel_free(&cfg->channels[i]);
	free(cfg->channels);
	cfg->channels = NULL;
	cfg->n_channels = 0;
}

static void
platforms_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_platforms; i++)
		platform_free(&cfg->platforms[i]);
	free(cfg->platforms);
	cfg->platforms = NULL;
	cfg->n_platforms = 0;
}

void
config_free(struct config *cfg)
{
	const struct config_key *k;

	free(cfg->path);
	for (k = config_keys; k->name; k++) {
		if (k->type == CONFIG_STRING)
			free(*(char **)field_of(k, cfg));
		else if (k->type == CONFIG_LIST)
			strv_free(*(char ***)field_of(k, cfg));
	}
	platforms_free(cfg);
	channels_free(cfg);
	free(cfg->mail.sender);
	workday_calendar_free(&cfg->calendar.days);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- reading the file ---- */

/* Error reporting, always FILE:LINE so an admin can jump to the spot. */
struct loader {
	const char *path;
	int         errors;
};

static int MW_PRINTF(3, 4)
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
	return -1;
}

static bool
is_number(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64;
}

/* "poll.interval must be at least 1m", "poll.jitter must be 0-50". */
static int
bad_range(struct loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	char name[64], min[32], max[32];

	if (k->type == CONFIG_DURATION && k->max < DURATION_MAX) {
		duration_format(k->min, min, sizeof(min));
		duration_format(k->max, max, sizeof(max));
		return bad(ld, s, _("%s must be %s-%s"),
		    full_name(k, name, sizeof(name)), min, max);
	}
	if (k->type == CONFIG_DURATION) {
		duration_format(k->min, min, sizeof(min));
		return bad(ld, s, _("%s must be at least %s"),
		    full_name(k, name, sizeof(name)), min);
	}
	if (k->max >= LONG_MAX)
		return bad(ld, s, _("%s must be at least %lld"),
		    full_name(k, name, sizeof(name)), k->min);
	return bad(ld, s, _("%s must be %lld-%lld"),
	    full_name(k, name, sizeof(name)), k->min, k->max);
}

static int
bad_choice(struct loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	struct strbuf sb = STRBUF_INIT;
	char name[64];
	int i;

	for (i = 0; k->choices[i]; i++)
		sb_printf(&sb, "%s\"%s\"", i == 0 ? "" : k->choices[i + 1] ?
		    ", " : " or ", k->choices[i]);
	bad(ld, s, _("%s must be %s"), full_name(k, name, sizeof(name)), sb_str(&sb));
	sb_free(&sb);
	return -1;
}

static int
read_int(struct loader *ld, const config_setting_t *s,
    const struct config_key *k, void *base)
{
	long long v;

	if (!is_number(s))
		return bad(ld, s, _("'%s' must be a whole number"), k->name);
	v = config_setting_get_int64(s);
	if (!in_range(k, v))
		return bad_range(ld, s, k);
	*(long *)field_of(k, base) = (long)v;
	return 0;
}

/* A number of seconds, or a string such as "90s" or "14d". */
static int
read_duration(struct loader *ld, const config_setting_t *s,
    const struct config_key *k, void *base)
{
	const char *text = config_setting_get_string(s);
	long long v = -1;

	if (is_number(s))
		v = config_setting_get_int64(s);
	else if (text == NULL || duration_parse(text, &v) == -1)
		v = -1;
	if (v < 0 || v > DURATION_MAX)
		return bad(ld, s, _("'%s' must be a duration such as \"90s\", "
		    "\"15m\", \"6h\" or \"14d\" (at most 100 years)"), k->name);
	if (!in_range(k, v))
		return bad_range(ld, s, k);
	*(long long *)field_of(k, base) = v;
	return 0;
}

/* A number of bytes, or a string with a K, M or G suffix (binary). */
static int
read_size(struct loader *ld, const config_setting_t *s,
    const struct config_key *k, void *base)
{
	const char *text = config_setting_get_string(s);
	long long v = -1;

	if (is_number(s))
		v = config_setting_get_int64(s);
	else if (text == NULL || size_parse(text, &v) == -1)
		v = -1;
	if (v <= 0)
		return bad(ld, s, _("'%s' must be a size such as 10485760 or \"10M\""),
		    k->name);
	if (!in_range(k, v))
		return bad_range(ld, s, k);
	*(long long *)field_of(k, base) = v;
	return 0;
}

static int
read_list(struct loader *ld, const config_setting_t *s,
    const struct config_key *k, void *base)
{
	char ***field = field_of(k, base);
	char **list;
	int i, n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return bad(ld, s, _("'%s' must be a list of strings, e.g. "
		    "[ \"a\", \"b\" ]"), k->name);
	n = config_setting_length(s);
	list = xcalloc((size_t)n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		const char *v = config_setting_get_string_elem(s, i);

		if (v == NULL) {
			strv_free(list);
			return bad(ld, s, _("'%s' item %d is not a string"),
			    k->name, i + 1);
		}
		list[i] = xstrdup(v);
	}
	strv_free(*field);
	*field = list;
	if (k->count_offset)
		*(size_t *)((char *)base + k->count_offset) = (size_t)n;
	return 0;
}

static int
read_value(struct loader *ld, const config_setting_t *s,
    const struct config_key *k, void *base)
{
	const char *text = config_setting_get_string(s);

	switch (k->type) {
	case CONFIG_STRING:
		if (text == NULL)
			return bad(ld, s, _("'%s' must be a string"), k->name);
		return parse_text(k, text, base);
	case CONFIG_INT:
		return read_int(ld, s, k, base);
	case CONFIG_DURATION:
		return read_duration(ld, s, k, base);
	case CONFIG_SIZE:
		return read_size(ld, s, k, base);
	case CONFIG_ENUM:
		if (text == NULL || parse_text(k, text, base) == -1)
			return bad_choice(ld, s, k);
		return 0;
	case CONFIG_LIST:
		return read_list(ld, s, k, base);
	case CONFIG_PLATFORMS:
	case CONFIG_CHANNELS:
		break;
	}
	return -1;
}

static const struct config_key *
find_key(const struct config_key *keys, const char *group, const char *name)
{
	for (; keys->name; keys++)
		if ((keys->group == NULL ? group == NULL :
		    group != NULL && strcmp(keys->group, group) == 0) &&
		    strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

static bool
is_group(const char *name)
{
	const struct config_key *k;

	for (k = config_keys; k->name; k++)
		if (k->group && strcmp(k->group, name) == 0)
			return true;
	return false;
}

/* Keys that were removed, and what took their place, so that an older
 * file gets an error that says what to write instead. */
static const struct {
	const char *group, *name, *instead;
} retired_keys[] = {
	{ "monitor", "problem_due", "every deadline is notice.rectify_days "
	  "working days" },
};

static void
unknown_key(struct loader *ld, const config_setting_t *s, const char *group,
    const char *what)
{
	const char *name = config_setting_name(s);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(retired_keys); i++)
		if (group && strcmp(retired_keys[i].group, group) == 0 &&
		    strcmp(retired_keys[i].name, name) == 0) {
			bad(ld, s, _("%s.%s is no longer used: %s"), group, name,
			    retired_keys[i].instead);
			return;
		}
	bad(ld, s, _("unknown key '%.64s' in %s"), name, what);
}

/* Reads every child of group s through the keys of that group. */
static void
read_group(struct loader *ld, const config_setting_t *s, const char *group,
    const char *what, const struct config_key *keys, void *base)
{
	int i, n = config_setting_length(s);

	if (!config_setting_is_group(s)) {
		bad(ld, s, _("'%s' must be a group { … }"), what);
		return;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *child = config_setting_get_elem(s, (unsigned)i);
		const struct config_key *k = find_key(keys, group,
		    config_setting_name(child));

		if (k == NULL)
			unknown_key(ld, child, group, what);
		else
			read_value(ld, child, k, base);
	}
}

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

static bool
platform_has_name(const struct platform *p, const char *name)
{
	size_t i;

	if (strcasecmp(p->key, name) == 0 || strcmp(p->label, name) == 0)
		return true;
	for (i = 0; i < p->n_aliases; i++)
		if (strcmp(p->aliases[i], name) == 0)
			return true;
	return false;
}

/* A name read from a ledger must mean one platform only. */
static void
platform_names_check(struct loader *ld, const config_setting_t *s,
    const struct config *cfg, size_t idx)
{
	const struct platform *p = &cfg->platforms[idx];
	size_t i, j;

	for (i = 0; i < p->n_aliases; i++)
		if (str_empty(p->aliases[i]) || has_control_chars(p->aliases[i]))
			bad(ld, s, _("platform '%s': an alias must be a name"), p->key);
	for (j = 0; j < idx; j++) {
		const struct platform *q = &cfg->platforms[j];

		if (platform_has_name(q, p->label))
			bad(ld, s, _("platform '%s': label '%.64s' names platform "
			    "'%s' already"), p->key, p->label, q->key);
		for (i = 0; i < p->n_aliases; i++)
			if (platform_has_name(q, p->aliases[i]))
				bad(ld, s, _("platform '%s': alias '%.64s' names "
				    "platform '%s' already"), p->key, p->aliases[i],
				    q->key);
	}
}

static void
platform_check(struct loader *ld, const config_setting_t *s,
    struct config *cfg, size_t idx)
{
	struct platform *p = &cfg->platforms[idx];
	size_t j;

	if (!platform_key_valid(p->key)) {
		bad(ld, s, _("platform key must be 1-32 characters of a-z, 0-9, "
		    "'_' or '-'"));
		return;
	}
	for (j = 0; j < idx; j++)
		if (strcmp(cfg->platforms[j].key, p->key) == 0)
			bad(ld, s, _("platform '%s' is defined twice"), p->key);
	if (str_empty(p->label))
		p->label = (free(p->label), xstrdup(p->key));
	if (!(p->warn_after < p->stale_after && p->stale_after < p->dormant_after))
		bad(ld, s, _("platform '%s': thresholds must satisfy warn < stale "
		    "< dormant"), p->key);
	if (p->feed_template && strstr(p->feed_template, "{uid}") == NULL)
		bad(ld, s, _("platform '%s': feed_template must contain {uid}"),
		    p->key);
	platform_names_check(ld, s, cfg, idx);
}

/* platforms = ( { key = "wechat"; label = "微信公众号"; … }, … ); each
 * platform starts from the thresholds group. */
static void
read_platforms(struct loader *ld, const config_setting_t *list,
    struct config *cfg)
{
	const struct threshold_config *th = &cfg->thresholds;
	int i, n;

	if (!config_setting_is_list(list)) {
		bad(ld, list, _("'platforms' must be a list ( { … }, … )"));
		return;
	}
	if ((n = config_setting_length(list)) == 0) {
		bad(ld, list, _("'platforms' must name at least one platform"));
		return;
	}
	platforms_free(cfg);
	cfg->platforms = xcalloc((size_t)n, sizeof(struct platform));
	cfg->n_platforms = (size_t)n;
	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
		struct platform *p = &cfg->platforms[i];

		p->warn_after = th->warn;
		p->stale_after = th->stale;
		p->dormant_after = th->dormant;
		p->aliases = strv_dup(NULL);
		read_group(ld, s, "platforms", "a platform", config_platform_keys, p);
		if (ld->errors == 0)
			platform_check(ld, s, cfg, (size_t)i);
	}
}

/* Without a platform list, the thresholds group sets the built-in
 * platforms' thresholds. */
/* An address to POST to: http or https, printable, of a sane length. */
static bool
http_url_valid(const char *url)
{
	return (str_case_prefix(url, "http://") || str_case_prefix(url, "https://")) &&
	    strlen(url) <= 2048 && !has_control_chars(url) &&
	    strchr(url, ' ') == NULL && utf8_valid(url, strlen(url));
}

/* The setting of one key of a group, for its line; else the group. */
static const config_setting_t *
member_or(const config_setting_t *s, const char *name)
{
	const config_setting_t *m = config_setting_get_member(s, name);

	return m ? m : s;
}

static void
channel_kinds_check(struct loader *ld, const config_setting_t *s,
    struct channel *c)
{
	unsigned mask = 0, bit;
	size_t i;

	for (i = 0; i < c->n_kinds; i++) {
		if ((bit = config_channel_kind(c->kinds[i])) == 0)
			bad(ld, member_or(s, "kinds"), _("channel '%s': unknown kind "
			    "'%.32s' (the kinds: warning, stale, dormant, recovery, "
			    "gap, digest, notice, wording, reopened)"), c->name,
			    c->kinds[i]);
		mask |= bit;
	}
	c->kind_mask = c->n_kinds ? mask : KIND_ALL;
}

/* Where a channel's messages go, and what may go with them. */
static void
channel_address_check(struct loader *ld, const config_setting_t *s,
    const struct channel *c)
{
	if ((c->url == NULL) == (c->url_file == NULL))
		bad(ld, s, _("channel '%s': set url or url_file, one of them"),
		    c->name);
	if (c->url && !http_url_valid(c->url))
		bad(ld, member_or(s, "url"), _("channel '%s': url must be an "
		    "http:// or https:// address"), c->name);
	if (c->type == CHANNEL_WECOM && c->secret_file)
		bad(ld, member_or(s, "secret_file"), _("channel '%s': a wecom "
		    "robot signs nothing (its key is part of its address: put "
		    "the address in url_file)"), c->name);
	if (c->keyword && c->type == CHANNEL_WEBHOOK)
		bad(ld, member_or(s, "keyword"), _("channel '%s': keyword is for "
		    "robots; a webhook gets the JSON as it is"), c->name);
	if (c->keyword && (str_empty(c->keyword) || strlen(c->keyword) > 64 ||
	    has_control_chars(c->keyword) ||
	    !utf8_valid(c->keyword, strlen(c->keyword))))
		bad(ld, member_or(s, "keyword"), _("channel '%s': keyword must be "
		    "one line of text, at most 64 bytes"), c->name);
}

static void
channel_check(struct loader *ld, const config_setting_t *s,
    struct config *cfg, size_t idx)
{
	struct channel *c = &cfg->channels[idx];
	size_t j;

	if (!platform_key_valid(c->name)) {
		bad(ld, member_or(s, "name"), _("channel name must be 1-32 "
		    "characters of a-z, 0-9, '_' or '-'"));
		return;
	}
	if (strcmp(c->name, "email") == 0)
		bad(ld, member_or(s, "name"), _("channel name 'email' is taken: "
		    "the outbox calls its email so"));
	for (j = 0; j < idx; j++)
		if (strcmp(cfg->channels[j].name, c->name) == 0)
			bad(ld, s, _("channel '%s' is defined twice"), c->name);
	if (config_setting_get_member(s, "type") == NULL)
		bad(ld, s, _("channel '%s': type is required: \"wecom\", "
		    "\"dingtalk\", \"feishu\" or \"webhook\""), c->name);
	channel_address_check(ld, s, c);
	channel_kinds_check(ld, s, c);
}

static void
channel_defaults(struct channel *c)
{
	const struct config_key *k;

	memset(c, 0, sizeof(*c));
	for (k = config_channel_keys; k->name; k++)
		if (k->type == CONFIG_LIST)
			*(char ***)field_of(k, c) = strv_dup(NULL);
		else if (k->def && parse_text(k, k->def, c) == -1)
			fatalx("the built-in default of channels.%s does not "
			    "parse", k->name);
}

/* channels = ( { name = "…"; type = "wecom"; … }, … ); */
static void
read_channels(struct loader *ld, const config_setting_t *list,
    struct config *cfg)
{
	int i, n;

	if (!config_setting_is_list(list)) {
		bad(ld, list, _("'channels' must be a list ( { … }, … )"));
		return;
	}
	n = config_setting_length(list);
	channels_free(cfg);
	cfg->channels = xcalloc((size_t)n + 1, sizeof(struct channel));
	cfg->n_channels = (size_t)n;
	for (i = 0; i < n; i++)
		channel_defaults(&cfg->channels[i]);
	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
		int before = ld->errors;

		read_group(ld, s, "channels", "a channel", config_channel_keys,
		    &cfg->channels[i]);
		if (ld->errors == before)
			channel_check(ld, s, cfg, (size_t)i);
	}
}

static void
apply_thresholds(struct loader *ld, const config_setting_t *s,
    struct config *cfg)
{
	const struct threshold_config *th = &cfg->thresholds;
	size_t i;

	if (!(th->warn < th->stale && th->stale < th->dormant)) {
		bad(ld, s, _("thresholds must satisfy warn < stale < dormant"));
		return;
	}
	for (i = 0; i < cfg->n_platforms; i++) {
		cfg->platforms[i].warn_after = th->warn;
		cfg->platforms[i].stale_after = th->stale;
		cfg->platforms[i].dormant_after = th->dormant;
	}
}

static void
read_root(struct loader *ld, const config_setting_t *root, struct config *cfg)
{
	const config_setting_t *s, *platforms = NULL;
	const struct config_key *k;
	int i, n = config_setting_length(root);

	for (i = 0; i < n; i++) {
		const char *name;

		s = config_setting_get_elem(root, (unsigned)i);
		name = config_setting_name(s);
		if ((k = find_key(config_keys, NULL, name)) != NULL) {
			/* read last: a platform starts from the thresholds */
			if (k->type == CONFIG_PLATFORMS)
				platforms = s;
			else if (k->type == CONFIG_CHANNELS)
				read_channels(ld, s, cfg);
			else
				read_value(ld, s, k, cfg);
		} else if (is_group(name))
			read_group(ld, s, name, name, config_keys, cfg);
		else
			bad(ld, s, _("unknown key '%.64s'"), name);
	}
	if (platforms)
		read_platforms(ld, platforms, cfg);
	else
		apply_thresholds(ld, config_setting_get_member(root,
		    "thresholds"), cfg);
}

/* ---- checks beyond a type and a range ---- */

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

static void
check_storage(struct loader *ld, const config_t *lc, struct config *cfg)
{
	if (tz_set(cfg->timezone) == -1)
		bad(ld, lookup(lc, "timezone"), _("unknown time zone '%.64s' (expected "
		    "an IANA name such as \"Asia/Shanghai\")"), cfg->timezone);
	if (str_empty(cfg->database))
		bad(ld, lookup(lc, "database"), _("'database' must not be empty"));
}

static void
check_poll(struct loader *ld, const config_t *lc, const struct config *cfg)
{
	if (cfg->poll.per_host > cfg->poll.concurrency)
		bad(ld, lookup(lc, "poll.per_host"),
		    _("poll.per_host must be between 1 and poll.concurrency"));
}

/* A login is a user name and a password together, and only over TLS:
 * smtp:// falls back to plain text when the server (or whoever strips
 * its STARTTLS) offers none, and the password would go out in clear. */
static void
check_login(struct loader *ld, const config_t *lc, const struct config *cfg)
{
	const struct mail_config *m = &cfg->mail;

	if (!str_empty(m->password_file) && str_empty(m->username))
		bad(ld, lookup(lc, "mail.password_file"), _("mail.password_file is "
		    "set but mail.username is not: a login needs both"));
	if (!str_empty(m->username) && str_empty(m->password_file))
		bad(ld, lookup(lc, "mail.username"), _("mail.username needs "
		    "mail.password_file (the file or credential holding the "
		    "password)"));
	if (!str_empty(m->username) && !str_empty(m->url) &&
	    str_case_prefix(m->url, "smtp://"))
		bad(ld, lookup(lc, "mail.url"), _("mail.url: with a login "
		    "(mail.username) TLS is required, and smtp:// may fall back "
		    "to plain text: use smtp+starttls://%s (STARTTLS, port 587) "
		    "or smtps:// (port 465)"), m->url + strlen("smtp://"));
}

static void
check_mail(struct loader *ld, const config_t *lc, struct config *cfg)
{
	size_t i;

	if (cfg->mail.transport == MAIL_SMTP && str_empty(cfg->mail.url))
		bad(ld, lookup(lc, "mail.transport"), _("mail.url is required for "
		    "the smtp transport"));
	if (!str_empty(cfg->mail.url) && !str_case_prefix(cfg->mail.url, "smtp://") &&
	    !str_case_prefix(cfg->mail.url, "smtps://") &&
	    !str_case_prefix(cfg->mail.url, "smtp+starttls://"))
		bad(ld, lookup(lc, "mail.url"), _("mail.url must start with smtp://, "
		    "smtp+starttls:// or smtps://"));
	check_login(ld, lc, cfg);
	if (normalise_hhmm(&cfg->mail.digest_time) == -1)
		bad(ld, lookup(lc, "mail.digest_time"), _("mail.digest_time must be a "
		    "time of day HH:MM, e.g. \"08:30\""));
	if (check_mailbox(cfg->mail.from) == -1)
		bad(ld, lookup(lc, "mail.from"), _("mail.from must be an address, "
		    "\"name@domain\" or \"Name <name@domain>\""));
	for (i = 0; i < cfg->mail.n_admins; i++)
		if (strchr(cfg->mail.admins[i], '@') == NULL ||
		    has_control_chars(cfg->mail.admins[i]))
			bad(ld, lookup(lc, "mail.admins"), _("mail.admins: '%.64s' is "
			    "not an email address"), cfg->mail.admins[i]);
}

/* HOST:PORT or [IPV6]:PORT with a port 1–65535. */
static bool
listen_valid(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || colon == s || has_control_chars(s))
		return false;
	if (s[0] == '[' && colon[-1] != ']')
		return false;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && colon[1] != '\0' && port >= 1 && port <= 65535;
}

static void
check_web(struct loader *ld, const config_t *lc, const struct config *cfg)
{
	const struct web_config *w = &cfg->web;

	if (!listen_valid(w->listen))
		bad(ld, lookup(lc, "web.listen"), _("web.listen must be ADDRESS:PORT, "
		    "e.g. \"127.0.0.1:8080\" or \"[::1]:8080\""));
	if ((w->tls_cert == NULL) != (w->tls_key == NULL))
		bad(ld, lookup(lc, w->tls_cert ? "web.tls_cert" : "web.tls_key"),
		    _("web.tls_cert and web.tls_key go together"));
	if (w->session_idle > w->session_max)
		bad(ld, lookup(lc, "web.session_idle"), _("web.session_idle must not "
		    "be longer than web.session_max"));
	if (w->remote_user_header && (strspn(w->remote_user_header,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(w->remote_user_header) || *w->remote_user_header == '\0'))
		bad(ld, lookup(lc, "web.remote_user_header"), _("web.remote_user_header "
		    "must be a header name (letters, digits, '-')"));
}

static void
check_dates(struct loader *ld, const config_t *lc, const char *key,
    char **dates)
{
	for (; *dates; dates++)
		if (iso_date_valid(*dates) == -1)
			bad(ld, lookup(lc, key), _("%s: '%.64s' is not a YYYY-MM-DD "
			    "date"), key, *dates);
}

/* The days deadlines are counted on: the built-in years, calendar.dir's
 * files, then the local days of notice.holidays and notice.workdays (a
 * day in both is worked). */
static void
load_calendar(struct loader *ld, const config_t *lc, struct config *cfg)
{
	struct workday_calendar *cal = &cfg->calendar.days;
	char **d;

	if (holidays_load(cal, cfg->calendar.dir) == -1)
		bad(ld, lookup(lc, "calendar.dir"), _("calendar.dir: the holiday "
		    "calendars cannot be read (see above)"));
	for (d = cfg->notice.holidays; *d; d++)
		workday_calendar_mark(cal, *d, false);
	for (d = cfg->notice.workdays; *d; d++)
		workday_calendar_mark(cal, *d, true);
}

/* "电子政务中心 <mediawatch@example.gov.cn>": mail.from, named after the
 * issuer when it carries no name of its own, so that a unit head sees
 * who writes. */
static void
derive_sender(struct config *cfg)
{
	char *name = NULL, *addr = NULL, *error = NULL;
	struct strbuf sb = STRBUF_INIT;
	const char *s;

	if (mail_address_parse(cfg->mail.from, &name, &addr, &error) == -1 ||
	    name != NULL || str_empty(cfg->notice.issuer)) {
		cfg->mail.sender = xstrdup(cfg->mail.from);
	} else {
		sb_putc(&sb, '"');
		for (s = cfg->notice.issuer; *s; s++) {
			if (*s == '"' || *s == '\\')
				sb_putc(&sb, '\\');
			sb_putc(&sb, *s);
		}
		sb_printf(&sb, "\" <%s>", addr);
		cfg->mail.sender = sb_steal(&sb);
	}
	free(name);
	free(addr);
	free(error);
}

/* Text that goes into a document as a line of its own: one line, no
 * control characters. */
static void
check_line(struct loader *ld, const config_t *lc, const char *key,
    const char *value, bool required)
{
	if (value == NULL)
		return;
	if (required && str_empty(value))
		bad(ld, lookup(lc, key), _("%s must not be empty"), key);
	else if (!utf8_valid(value, strlen(value)) || has_control_chars(value))
		bad(ld, lookup(lc, key), _("%s must be one line of UTF-8 text"), key);
}

static void
check_document(struct loader *ld, const config_t *lc, const struct config *cfg)
{
	const struct document_config *d = &cfg->document;
	const struct { const char *key, *value; bool required; } lines[] = {
		{ "notice.serial_format", cfg->notice.serial_format, true },
		{ "bulletin.serial_format", cfg->bulletin.serial_format, true },
		{ "document.issuer_mark", d->issuer_mark, true },
		{ "document.addressee", d->addressee, false },
		{ "document.copy_to", d->copy_to, false },
		{ "document.printer", d->printer, true },
		{ "document.font_title", d->font_title, true },
		{ "document.font_body", d->font_body, true },
		{ "document.font_heading1", d->font_heading1, true },
		{ "document.font_heading2", d->font_heading2, true },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++)
		check_line(ld, lc, lines[i].key, lines[i].value, lines[i].required);
}

/* The channels the admins' messages go to must exist. */
static void
check_admin_channels(struct loader *ld, const config_t *lc,
    const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_admin_channels; i++)
		if (config_channel(cfg, cfg->admin_channels[i]) == NULL)
			bad(ld, lookup(lc, "admin_channels"), _("admin_channels: "
			    "'%.64s' is not a channel of the channels list"),
			    cfg->admin_channels[i]);
}

/* Messages put links to the console in Markdown, whose special characters
 * a value loses (template.h): the address keeps to those that survive. */
static void
check_console_url(struct loader *ld, const config_t *lc, struct config *cfg)
{
	char *u = cfg->console_url;
	const char *p;
	size_t n;

	if (u == NULL)
		return;
	for (p = u; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr(":/.-%", *p) == NULL)
			break;
	if (!http_url_valid(u) || *p != '\0' || strlen(u) > 512) {
		bad(ld, lookup(lc, "console_url"), _("console_url must be an "
		    "http:// or https:// address of letters, digits and : / . - "
		    "%% only (no query or fragment; write _ as %%5F)"));
		return;
	}
	n = strlen(u);
	while (n > 0 && u[n - 1] == '/')      /* links add their own '/' */
		u[--n] = '\0';
}

/* Checks across keys, after everything was read. */
static void
validate(struct loader *ld, const config_t *lc, struct config *cfg)
{
	check_storage(ld, lc, cfg);
	check_poll(ld, lc, cfg);
	check_mail(ld, lc, cfg);
	check_web(ld, lc, cfg);
	check_dates(ld, lc, "notice.holidays", cfg->notice.holidays);
	check_dates(ld, lc, "notice.workdays", cfg->notice.workdays);
	check_document(ld, lc, cfg);
	check_admin_channels(ld, lc, cfg);
	check_console_url(ld, lc, cfg);
	if (has_control_chars(cfg->notice.issuer))
		bad(ld, lookup(lc, "notice.issuer"), _("notice.issuer must be one "
		    "line of text"));
	if (ld->errors == 0) {
		load_calendar(ld, lc, cfg);
		derive_sender(cfg);
	}
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

const struct platform *
config_platform_named(const struct config *cfg, const char *name)
{
	char *copy = xstrdup(name), *trimmed = str_trim(copy);
	const struct platform *found = NULL;
	size_t i;

	for (i = 0; i < cfg->n_platforms && found == NULL; i++)
		if (platform_has_name(&cfg->platforms[i], trimmed))
			found = &cfg->platforms[i];
	free(copy);
	return found;
}

const struct channel *
config_channel(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_channels; i++)
		if (strcmp(cfg->channels[i].name, name) == 0)
			return &cfg->channels[i];
	return NULL;
}

unsigned
config_channel_kind(const char *name)
{
	size_t i;

	for (i = 0; config_channel_kinds[i]; i++)
		if (strcmp(config_channel_kinds[i], name) == 0)
			return 1u << i;
	return 0;
}

time_t
config_deadline(const struct config *cfg, time_t t)
{
	return workdays_deadline(&cfg->calendar.days, t, cfg->notice.rectify_days);
}

int
config_calendar_check(const struct config *cfg, time_t now)
{
	int years[2], n = holidays_missing(&cfg->calendar.days, now, years), i;

	for (i = 0; i < n; i++)
		log_warnx(N_("warning: the holiday calendar has no %d: deadlines in "
		    "it count Monday to Friday only; once the State Council "
		    "publishes its holidays, add %d.txt to calendar.dir (format: "
		    "holidays/README.md)"), years[i], years[i]);
	return n;
}

/* ---- reload ---- */

static bool
strv_equal(char **a, char **b)
{
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b) != 0)
			return false;
	return *a == *b;
}

static bool
value_equal(const struct config_key *k, const struct config *a,
    const struct config *b)
{
	const void *fa = field_of(k, a), *fb = field_of(k, b);
	const char *sa, *sb;

	switch (k->type) {
	case CONFIG_STRING:
		sa = *(char *const *)fa;
		sb = *(char *const *)fb;
		return sa == sb || (sa && sb && strcmp(sa, sb) == 0);
	case CONFIG_INT:
		return *(const long *)fa == *(const long *)fb;
	case CONFIG_DURATION:
	case CONFIG_SIZE:
		return *(const long long *)fa == *(const long long *)fb;
	case CONFIG_ENUM:
		return *(const int *)fa == *(const int *)fb;
	case CONFIG_LIST:
		return strv_equal(*(char **const *)fa, *(char **const *)fb);
	case CONFIG_PLATFORMS:
	case CONFIG_CHANNELS:
		break;
	}
	return true;
}

char **
config_restart_changes(const struct config *running,
    const struct config *fresh)
{
	const struct config_key *k;
	char **changed, name[64];
	size_t n = 0;

	changed = xcalloc(ARRAY_SIZE(config_keys), sizeof(char *));
	for (k = config_keys; k->name; k++)
		if (k->restart && !value_equal(k, running, fresh))
			changed[n++] = xstrdup(full_name(k, name, sizeof(name)));
	return changed;
}

/* Copies the value of key k from src into dst, dst's old value freed. */
static void
copy_value(const struct config_key *k, const struct config *src,
    struct config *dst)
{
	void *to = field_of(k, dst);
	const void *from = field_of(k, src);

	switch (k->type) {
	case CONFIG_STRING:
		free(*(char **)to);
		*(char **)to = xstrdup(*(char *const *)from);
		break;
	case CONFIG_INT:
		*(long *)to = *(const long *)from;
		break;
	case CONFIG_DURATION:
	case CONFIG_SIZE:
		*(long long *)to = *(const long long *)from;
		break;
	case CONFIG_ENUM:
		*(int *)to = *(const int *)from;
		break;
	case CONFIG_LIST:
		strv_free(*(char ***)to);
		*(char ***)to = strv_dup(*(const char *const *const *)from);
		if (k->count_offset)
			*(size_t *)((char *)dst + k->count_offset) =
			    *(const size_t *)((const char *)src + k->count_offset);
		break;
	case CONFIG_PLATFORMS:
	case CONFIG_CHANNELS:
		break;
	}
}

void
config_keep_restart_values(const struct config *running, struct config *fresh)
{
	const struct config_key *k;

	for (k = config_keys; k->name; k++)
		if (k->restart)
			copy_value(k, running, fresh);
}

/* ---- files the mail transport reads at each delivery ---- */

char *
config_password_path(const char *password_file)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");

	if (strchr(password_file, '/') == NULL && !str_empty(dir))
		return xasprintf("%s/%s", dir, password_file);
	return xstrdup(password_file);
}

/* "channels.NAME.KEY": KEY in the channel of that name, for its line. */
static const config_setting_t *
channel_setting(const config_t *lc, const char *key)
{
	const config_setting_t *list = config_lookup(lc, "channels"), *c, *n;
	const char *name = key + strlen("channels."), *member;
	int i;

	if ((member = strrchr(name, '.')) == NULL || list == NULL)
		return NULL;
	for (i = 0; (c = config_setting_get_elem(list, (unsigned)i)); i++)
		if ((n = config_setting_get_member(c, "name")) != NULL &&
		    config_setting_get_string(n) != NULL &&
		    strlen(config_setting_get_string(n)) == (size_t)(member - name) &&
		    strncmp(config_setting_get_string(n), name,
		    (size_t)(member - name)) == 0)
			return member_or(c, member + 1);
	return NULL;
}

bool
config_password_not_handed_over(const char *password_file)
{
	return strchr(password_file, '/') == NULL &&
	    str_empty(getenv("CREDENTIALS_DIRECTORY"));
}

/* FILE:LINE of a key in the file read, for a message about its value. */
static void
file_problem(const struct config *cfg, const char *key, const char *fmt, ...)
    MW_PRINTF(3, 4);

static void
file_problem(const struct config *cfg, const char *key, const char *fmt, ...)
{
	struct loader ld = { cfg->path ? cfg->path : "(built-in defaults)", 0 };
	const config_setting_t *s = NULL;
	struct strbuf sb = STRBUF_INIT;
	config_t lc;
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	config_init(&lc);
	if (cfg->path && config_read_file(&lc, cfg->path) == CONFIG_TRUE)
		s = str_has_prefix(key, "channels.") ? channel_setting(&lc, key) :
		    config_lookup(&lc, key);
	bad(&ld, s, "%s", sb_str(&sb));
	config_destroy(&lc);
	sb_free(&sb);
}

static int
check_readable(const struct config *cfg, const char *key, const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		file_problem(cfg, key, "%s: cannot read %s: %s", key, path,
		    strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* A file read at each delivery: a path, or a credential name that only
 * the service's environment resolves. */
static int
check_secret_file(const struct config *cfg, const char *key, const char *file)
{
	char *path;
	int rc;

	if (config_password_not_handed_over(file)) {
		log_notice(N_("%s: \"%s\" is a credential name: mediawatchd reads "
		    "it from $CREDENTIALS_DIRECTORY/%s, which the service gets "
		    "only with a LoadCredential= drop-in (for the SMTP password: "
		    "contrib/systemd/smtp-password.conf); it is not set here, so "
		    "it was not checked"), key, file, file);
		return 0;
	}
	path = config_password_path(file);
	rc = check_readable(cfg, key, path);
	free(path);
	return rc;
}

static int
check_smtp_files(const struct config *cfg)
{
	const struct mail_config *m = &cfg->mail;
	int rc = 0;

	if (m->transport != MAIL_SMTP)
		return 0;
	if (!str_empty(m->ca_file) &&
	    check_readable(cfg, "mail.ca_file", m->ca_file) == -1)
		rc = -1;
	if (!str_empty(m->password_file) && check_secret_file(cfg,
	    "mail.password_file", m->password_file) == -1)
		rc = -1;
	return rc;
}

static int
check_channel_files(const struct config *cfg)
{
	const struct channel *c;
	char key[64];
	size_t i;
	int rc = 0;

	for (i = 0; i < cfg->n_channels; i++) {
		c = &cfg->channels[i];
		snprintf(key, sizeof(key), "channels.%s.url_file", c->name);
		if (c->url_file && check_secret_file(cfg, key, c->url_file) == -1)
			rc = -1;
		snprintf(key, sizeof(key), "channels.%s.secret_file", c->name);
		if (c->secret_file &&
		    check_secret_file(cfg, key, c->secret_file) == -1)
			rc = -1;
	}
	return rc;
}

int
config_check_mail_files(const struct config *cfg)
{
	int rc = check_smtp_files(cfg);

	return check_channel_files(cfg) == -1 ? -1 : rc;
}
