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

static const char feed_usage[] =
"usage: mediawatchctl feed inspect FILE|URL [--json]\n"
"\n"
"Fetches (http/https) or reads a feed and shows its format, encoding, every\n"
"entry's id, title, raw date and parsed time (and link, with --json), and\n"
"the last-update time it proves when read as a first fetch.\n";

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
		f->error = xstrdup(r->error ? r->error : "no body");
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
		log_warnx("feed inspect: %s: %s", url, f->error);
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

static json_t *
describe(const struct feed *feed)
{
	json_t *entries = json_array();
	time_t latest = 0;
	bool has_latest = feed_latest_update(feed, mw_now(), &latest);
	size_t i;

	for (i = 0; i < feed->n_entries; i++) {
		const struct feed_entry *e = &feed->entries[i];

		json_array_append_new(entries, json_pack("{s:o, s:o, s:o, s:o, s:o}",
		    "id", str_or_null(e->id), "title", str_or_null(e->title),
		    "link", str_or_null(e->link), "date_raw", str_or_null(e->date_raw),
		    "published", time_or_null(e->has_date, e->published)));
	}
	return json_pack("{s:s, s:o, s:o, s:o, s:o}",
	    "format", feed_format_name(feed->format),
	    "encoding", str_or_null(feed->encoding),
	    "title", str_or_null(feed->title),
	    "entries", entries,
	    "latest", time_or_null(has_latest, latest));
}

static const struct column entry_columns[] = {
	{ "published", "PUBLISHED", COL_TIME },
	{ "date_raw", "RAW DATE", COL_TEXT },
	{ "title", "TITLE", COL_TEXT },
	{ "id", "ID", COL_TEXT },
};

static void
print_description(struct ctl *ctl, json_t *d)
{
	char *latest;

	if (ctl->format == OUTPUT_JSON) {
		json_dumpf(d, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		return;
	}
	if (ctl->format == OUTPUT_TABLE) {
		latest = output_cell(json_object_get(d, "latest"), COL_TIME);
		printf("format: %s\nencoding: %s\ntitle: %s\nentries: %zu\n"
		    "last update (as a first fetch): %s\n\n",
		    json_string_value(json_object_get(d, "format")),
		    json_string_value(json_object_get(d, "encoding")),
		    json_string_value(json_object_get(d, "title")) ?
		    json_string_value(json_object_get(d, "title")) : "-",
		    json_array_size(json_object_get(d, "entries")), latest);
		free(latest);
	}
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
		log_warnx("feed inspect: %s: %s", source, error ? error :
		    "not a feed");
		goto out;
	}
	d = describe(&feed);
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
		return fputs(feed_usage, stdout), EXIT_OK;
	if (argc >= 3 && strcmp(argv[2], "--help") == 0)
		return fputs(feed_usage, stdout), EXIT_OK;
	if (argc != 3 || strcmp(argv[1], "inspect") != 0)
		return ctl_usage_error(feed_usage, "feed: expected `feed inspect "
		    "FILE|URL`");
	return inspect(ctl, argv[2]);
}
