/* ctl_feed.c — `mediawatchctl feed inspect`: what the parser sees. */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "poll/feed.h"
#include "poll/fetch.h"
#include "poll/post.h"

static const char feed_usage[] = N_(
"usage: mediawatchctl feed inspect FILE|URL [--json]\n"
"\n"
"Fetches (http/https) or reads a feed and shows its format, encoding, every\n"
"entry's id, title, raw date, parsed time and verdict (the rule that makes\n"
"it count or not; and link, with --json), and the last-update time it\n"
"proves when read as a first fetch, with the entry and rule that decide it.\n");

struct fetched {
	char  *body;
	size_t len;
	char  *charset;
	char  *error;
	bool   done;
};

static void
on_fetched(const struct fetch_result *r, void *userdata)
{
	struct fetched *f = userdata;

	f->done = true;
	if (!r->ok || r->body == NULL) {
		f->error = xstrdup(r->error ? r->error : _("no body"));
		return;
	}
	f->body = xstrndup(r->body, r->body_len);
	f->len = r->body_len;
	f->charset = xstrdup(r->charset);
}

static int
fetch_url(const struct config *cfg, const char *url, struct fetched *f)
{
	const struct fetch_options opts = {
		cfg->poll.timeout, cfg->poll.connect_timeout, cfg->poll.max_size,
		cfg->poll.max_redirects, cfg->poll.user_agent,
	};
	const struct fetch_request req = { url, NULL, NULL };
	struct curlloop *loop;
	sd_event *ev = NULL;

	if (sd_event_new(&ev) < 0 || (loop = curlloop_new(ev, 1, 1)) == NULL) {
		sd_event_unref(ev);
		return -1;
	}
	if (fetch_start(loop, &opts, &req, on_fetched, f) == 0)
		while (!f->done && sd_event_run(ev, UINT64_MAX) >= 0)
			;
	curlloop_free(loop);
	sd_event_unref(ev);
	if (f->error)
		log_warnx(N_("feed inspect: %s: %s"), url, f->error);
	return f->body ? 0 : -1;
}

static int
read_file(const char *path, struct fetched *f)
{
	struct strbuf sb = STRBUF_INIT;

	if (read_whole_file(path, SIZE_MAX, &sb) == -1) {
		sb_free(&sb);
		return -1;
	}
	f->len = sb.len;
	f->body = sb_steal(&sb);
	return 0;
}

static json_t *
time_or_null(bool has, time_t t)
{
	return has ? json_integer((json_int_t)t) : json_null();
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* An entry's verdict in words: the rule, a refusal's reason, a clamp
 * (translated for a table only). */
static char *
verdict_text(const struct feed_entry *e, const struct activity *a, bool words)
{
	const char *rule = i18n_if(words, activity_rule_text(
	    activity_rule_key(a->rule)));

	if (!e->has_date && e->date_raw != NULL)
		return xasprintf(i18n_if(words, "date not readable; %s"), rule);
	if (a->clamped)
		return xasprintf(i18n_if(words, "%s, in the future: counted at "
		    "the fetch time"), rule);
	return xstrdup(rule);
}

static json_t *
entry_json(const struct feed_entry *e, time_t now, bool words)
{
	const struct entry_history first = { .is_new = true,
	    .first_success = true };
	struct activity a;
	char *verdict;
	json_t *o;

	post_entry_activity(e, now, &first, &a);
	verdict = verdict_text(e, &a, words);
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:b, s:b, s:o, s:s}",
	    "id", str_or_null(e->id), "title", str_or_null(e->title),
	    "link", str_or_null(e->link), "date_raw", str_or_null(e->date_raw),
	    "published", time_or_null(e->has_date, e->published),
	    "date_kind", !e->date_raw ? "none" : e->date_modified ? "modified" :
	    "published",
	    "rule", activity_rule_key(a.rule), "counts", a.counts,
	    "clamped", a.clamped, "activity", time_or_null(a.counts, a.at),
	    "verdict", verdict);
	free(verdict);
	return o;
}

/* Which entry decided latest, and by which rule. */
static json_t *
decided_json(const struct feed *feed, size_t i, const struct activity *a,
    bool words)
{
	const struct feed_entry *e = &feed->entries[i];
	char *verdict = verdict_text(e, a, words);
	json_t *o;

	o = json_pack("{s:I, s:o, s:o, s:o, s:s, s:b, s:s}",
	    "entry", (json_int_t)(i + 1), "id", str_or_null(e->id),
	    "title", str_or_null(e->title), "date_raw", str_or_null(e->date_raw),
	    "rule", activity_rule_key(a->rule), "clamped", a->clamped,
	    "verdict", verdict);
	free(verdict);
	return o;
}

static json_t *
describe(const struct feed *feed, bool words)
{
	json_t *entries = json_array();
	time_t now = mw_now(), latest = 0;
	struct activity why;
	size_t i, decided = 0;
	bool has_latest = feed_latest_update(feed, now, &latest, &decided, &why);

	for (i = 0; i < feed->n_entries; i++)
		json_array_append_new(entries,
		    entry_json(&feed->entries[i], now, words));
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
	    "format", feed_format_name(feed->format),
	    "encoding", str_or_null(feed->encoding),
	    "title", str_or_null(feed->title),
	    "entries", entries,
	    "latest", time_or_null(has_latest, latest),
	    "decided_by", has_latest ? decided_json(feed, decided, &why, words) :
	    json_null());
}

static const struct column entry_columns[] = {
	{ "published", N_("PUBLISHED"), COL_TIME },
	{ "date_raw", N_("RAW DATE"), COL_TEXT },
	{ "title", N_("TITLE"), COL_TEXT },
	{ "id", N_("ID"), COL_TEXT },
	{ "verdict", N_("VERDICT"), COL_TEXT },
};

static const char *
str_or_dash(json_t *v)
{
	return json_string_value(v) ? json_string_value(v) : "-";
}

static void
print_summary(json_t *d)
{
	json_t *by = json_object_get(d, "decided_by");
	char *latest = output_cell(json_object_get(d, "latest"), COL_TIME);

	printf(_("format: %s\nencoding: %s\ntitle: %s\nentries: %zu\n"
	    "last update (as a first fetch): %s\n"),
	    json_string_value(json_object_get(d, "format")),
	    json_string_value(json_object_get(d, "encoding")),
	    str_or_dash(json_object_get(d, "title")),
	    json_array_size(json_object_get(d, "entries")), latest);
	if (json_is_object(by))
		printf(_("decided by: entry %lld, %s (id %s, date \"%s\"): %s\n"),
		    (long long)json_integer_value(json_object_get(by, "entry")),
		    str_or_dash(json_object_get(by, "title")),
		    str_or_dash(json_object_get(by, "id")),
		    str_or_dash(json_object_get(by, "date_raw")),
		    json_string_value(json_object_get(by, "verdict")));
	else
		printf(_("decided by: no entry proves activity on a first fetch\n"));
	putchar('\n');
	free(latest);
}

static void
print_description(struct ctl *ctl, json_t *d)
{
	if (ctl->format == OUTPUT_JSON) {
		json_dumpf(d, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		return;
	}
	if (ctl->format == OUTPUT_TABLE)
		print_summary(d);
	output_rows(stdout, ctl->format, entry_columns, ARRAY_SIZE(entry_columns),
	    json_object_get(d, "entries"));
}

static int
inspect(struct ctl *ctl, const char *source)
{
	struct fetched f = { 0 };
	struct feed feed;
	char *error = NULL;
	json_t *d;
	int rc = EXIT_REFUSED;

	if ((str_case_prefix(source, "http://") || str_case_prefix(source, "https://")) ?
	    fetch_url(&ctl->cfg, source, &f) : read_file(source, &f))
		goto out;
	if (feed_parse(f.body, f.len, f.charset, &feed, &error) == -1) {
		log_warnx(N_("feed inspect: %s: %s"), source, error ? error :
		    _("not a feed"));
		goto out;
	}
	d = describe(&feed, ctl->format == OUTPUT_TABLE);
	print_description(ctl, d);
	json_decref(d);
	feed_free(&feed);
	rc = EXIT_OK;
out:
	free(error);
	free(f.body);
	free(f.charset);
	free(f.error);
	return rc;
}

int
cmd_feed(struct ctl *ctl, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--help") == 0)
		return fputs(_(feed_usage), stdout), EXIT_OK;
	if (argc >= 3 && strcmp(argv[2], "--help") == 0)
		return fputs(_(feed_usage), stdout), EXIT_OK;
	if (argc != 3 || strcmp(argv[1], "inspect") != 0)
		return ctl_usage_error(feed_usage, _("feed: expected `feed inspect "
		    "FILE|URL`"));
	return inspect(ctl, argv[2]);
}
