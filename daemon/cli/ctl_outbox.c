/* ctl_outbox.c — `mediawatchctl outbox …`: the queue of email and chat
 * messages. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "cli/ctl.h"
#include "mail/outbox.h"
#include "mail/recipient.h"
#include "store/db.h"

static const char outbox_usage[] = N_(
"usage: mediawatchctl outbox list [--status queued|sent|failed|all]\n"
"       mediawatchctl outbox show ID         (with what became of each address)\n"
"       mediawatchctl outbox retry [ID…]     (failed ones; all when none given)\n"
"       mediawatchctl outbox send [ID…]      (deliver queued messages now)\n"
"\n"
"Each message goes by one channel: email, or a chat channel of the\n"
"configuration (a 企业微信, 钉钉 or 飞书 robot, a webhook).\n"
"mediawatchd delivers the queue by itself; retry puts failed messages back\n"
"in it (their refused addresses too), send delivers at once from this\n"
"command.  An email goes to every address the server accepts; an address\n"
"answered 4xx is tried again, one answered 5xx is refused for good.  A\n"
"channel's rate-limit answer puts its messages off (DEFERRED) without\n"
"counting a try.\n");

static const struct column outbox_columns[] = {
	{ "id", N_("ID"), COL_TEXT },
	{ "kind", N_("KIND"), COL_OUTBOX_KIND },
	{ "channel", N_("CHANNEL"), COL_TEXT },
	{ "status", N_("STATUS"), COL_OUTBOX_STATUS },
	{ "attempts", N_("TRIES"), COL_TEXT },
	{ "created_at", N_("CREATED"), COL_TIME },
	{ "to", N_("TO"), COL_TEXT },
	{ "subject", N_("SUBJECT"), COL_TEXT },
	{ "last_error", N_("LAST ERROR"), COL_TEXT },
};

static const struct column outbox_detail[] = {
	{ "id", N_("Id"), COL_TEXT },
	{ "kind", N_("Kind"), COL_OUTBOX_KIND },
	{ "channel", N_("Channel"), COL_TEXT },
	{ "status", N_("Status"), COL_OUTBOX_STATUS },
	{ "to", N_("To"), COL_TEXT },
	{ "cc", N_("Cc"), COL_TEXT },
	{ "subject", N_("Subject"), COL_TEXT },
	{ "message_id", N_("Message-ID"), COL_TEXT },
	{ "created_at", N_("Created"), COL_TIME },
	{ "attempts", N_("Attempts"), COL_TEXT },
	{ "deferrals", N_("Deferred"), COL_TEXT },
	{ "next_attempt_at", N_("Next attempt"), COL_TIME },
	{ "sent_at", N_("Sent"), COL_TIME },
	{ "last_error", N_("Last error"), COL_TEXT },
	{ "dedup_key", N_("Dedup key"), COL_TEXT },
	{ "body_text", N_("Text"), COL_TEXT },
	{ "body_expired_at", N_("Text cleared"), COL_TIME },
};

/* One row per envelope address: what became of the email there. */
static const struct column recipient_columns[] = {
	{ "address", N_("ADDRESS"), COL_TEXT },
	{ "status", N_("STATUS"), COL_RECIPIENT_STATUS },
	{ "attempts", N_("TRIES"), COL_TEXT },
	{ "updated_at", N_("WHEN"), COL_TIME },
	{ "reply", N_("SERVER ANSWER"), COL_TEXT },
};

static const char outbox_select[] =
	"SELECT id, kind, status, attempts, created_at, json(recipients),"
	" json(cc), subject, last_error, message_id, next_attempt_at, sent_at,"
	" dedup_key, body_text, channel, deferrals, body_expired_at FROM outbox ";

static json_t *
outbox_row(sqlite3_stmt *st, bool full)
{
	json_t *row = json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:s}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "kind", db_column_text(st, 1), "status", db_column_text(st, 2),
	    "attempts", (json_int_t)sqlite3_column_int64(st, 3),
	    "created_at", (json_int_t)sqlite3_column_int64(st, 4),
	    "to", json_loads(db_column_text(st, 5), 0, NULL),
	    "cc", json_loads(db_column_text(st, 6), 0, NULL),
	    "subject", db_column_text(st, 7));

	json_object_set_new(row, "last_error", db_column_is_null(st, 8) ?
	    json_null() : json_string(db_column_text(st, 8)));
	json_object_set_new(row, "channel", json_string(db_column_text(st, 14)));
	json_object_set_new(row, "deferrals", json_integer(
	    sqlite3_column_int64(st, 15)));
	if (!full)
		return row;
	json_object_set_new(row, "message_id", json_string(db_column_text(st, 9)));
	json_object_set_new(row, "next_attempt_at", json_integer(
	    sqlite3_column_int64(st, 10)));
	json_object_set_new(row, "sent_at", db_column_is_null(st, 11) ?
	    json_null() : json_integer(sqlite3_column_int64(st, 11)));
	json_object_set_new(row, "dedup_key", json_string(db_column_text(st, 12)));
	json_object_set_new(row, "body_text", json_string(db_column_text(st, 13)));
	/* mail.retention cleared the text; the rest of the record stays */
	json_object_set_new(row, "body_expired_at", db_column_is_null(st, 16) ?
	    json_null() : json_integer(sqlite3_column_int64(st, 16)));
	return row;
}

static int
list(struct ctl *ctl, const char *status)
{
	struct strbuf sql = STRBUF_INIT;
	json_t *rows = json_array();
	sqlite3_stmt *st;

	sb_printf(&sql, "%sWHERE ?1 = 'all' OR status = ?1 ORDER BY id", outbox_select);
	st = db_prepare(ctl->db, sb_str(&sql), "s", status);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rows, outbox_row(st, false));
	sqlite3_finalize(st);
	sb_free(&sql);
	output_rows(stdout, ctl->format, outbox_columns, ARRAY_SIZE(outbox_columns),
	    rows);
	json_decref(rows);
	return EXIT_OK;
}

static int
show(struct ctl *ctl, long long id)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	json_t *row = NULL, *rcpts;

	sb_printf(&sql, "%sWHERE id = ?", outbox_select);
	st = db_prepare(ctl->db, sb_str(&sql), "I", id);
	if (st && sqlite3_step(st) == SQLITE_ROW)
		row = outbox_row(st, true);
	sqlite3_finalize(st);
	sb_free(&sql);
	if (row == NULL) {
		log_warnx(N_("outbox show: no message %lld"), id);
		return EXIT_REFUSED;
	}
	rcpts = recipient_list_json(ctl->db, id);
	json_object_set(row, "recipients", rcpts);
	output_record(stdout, ctl->format, outbox_detail, ARRAY_SIZE(outbox_detail), row);
	/* pending: not reached yet (a 4xx answer is tried again); refused:
	 * a 5xx answer, never tried again */
	if (ctl->format == OUTPUT_TABLE && json_array_size(rcpts) > 0) {
		printf(_("\nRecipients:\n"));
		output_rows(stdout, OUTPUT_TABLE, recipient_columns,
		    ARRAY_SIZE(recipient_columns), rcpts);
	}
	json_decref(rcpts);
	json_decref(row);
	return EXIT_OK;
}

struct id_list {
	char **ids;
	int    n;
};

static int
do_retry(struct ctl *ctl, void *arg)
{
	struct id_list *l = arg;
	long long id;
	long n, total = 0;
	int i;

	if (l->n == 0) {
		if ((total = outbox_retry_failed(ctl->db, 0)) == -1)
			return EXIT_REFUSED;
	}
	for (i = 0; i < l->n; i++) {
		id = ctl_parse_id(l->ids[i]);
		if ((n = outbox_retry_failed(ctl->db, id)) == -1)
			return EXIT_REFUSED;
		if (n == 0) {
			log_warnx(N_("outbox retry: message %lld has not failed "
			    "(queued messages are retried by mediawatchd by "
			    "itself)"), id);
			return EXIT_REFUSED;
		}
		total += n;
	}
	ctl_done(ctl, ngettext("%ld failed message queued again\n",
	    "%ld failed messages queued again\n", (unsigned long)total), total);
	return EXIT_OK;
}

static int
send_now(struct ctl *ctl, struct id_list *l)
{
	sqlite3_stmt *st;
	json_t *rows, *v;
	size_t idx;
	long long id;
	int i, failed = 0, sent = 0;

	if (l->n > 0) {
		for (i = 0; i < l->n; i++) {
			id = ctl_parse_id(l->ids[i]);
			if (outbox_deliver_blocking(ctl->db, &ctl->cfg, id) == 0)
				sent++;
			else
				failed++;
		}
	} else {
		/* the ids first: delivering writes to the table being read */
		rows = json_array();
		st = db_prepare(ctl->db, "SELECT id FROM outbox WHERE status ="
		    " 'queued' AND leased_until <= ? ORDER BY id", "I",
		    (long long)mw_now());
		while (st && sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(rows, json_integer(
			    sqlite3_column_int64(st, 0)));
		sqlite3_finalize(st);
		json_array_foreach(rows, idx, v) {
			if (outbox_deliver_blocking(ctl->db, &ctl->cfg,
			    json_integer_value(v)) == 0)
				sent++;
			else
				failed++;
		}
		json_decref(rows);
	}
	printf(_("%d sent, %d failed\n"), sent, failed);
	return failed ? EXIT_REFUSED : EXIT_OK;
}

int
cmd_outbox(struct ctl *ctl, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	struct id_list ids = { argv + 2, argc - 2 };
	const char *status = "all";
	int i;

	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0)
		return fputs(_(outbox_usage), stdout), EXIT_OK;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0)
			return fputs(_(outbox_usage), stdout), EXIT_OK;
		if (strcmp(sub, "list") == 0 && strcmp(argv[i], "--status") == 0 &&
		    i + 1 < argc) {
			status = argv[++i];
			continue;
		}
		if (ctl_parse_id(argv[i]) == -1)
			return ctl_usage_error(outbox_usage, _("outbox %s: unexpected "
			    "'%s'"), sub, argv[i]);
	}
	if (strcmp(status, "all") && strcmp(status, "queued") &&
	    strcmp(status, "sent") && strcmp(status, "failed"))
		return ctl_usage_error(outbox_usage, _("outbox list: --status must "
		    "be queued, sent, failed or all"));
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "retry") &&
	    strcmp(sub, "send"))
		return ctl_usage_error(outbox_usage, _("outbox: unknown subcommand "
		    "'%s'"), sub);
	if (ctl_db(ctl) == NULL)
		return EXIT_REFUSED;
	if (strcmp(sub, "list") == 0)
		return list(ctl, status);
	if (strcmp(sub, "show") == 0)
		return argc == 3 ? show(ctl, ctl_parse_id(argv[2])) :
		    ctl_usage_error(outbox_usage, _("outbox show: expected one id"));
	if (strcmp(sub, "retry") == 0)
		return ctl_in_transaction(ctl, do_retry, &ids);
	return send_now(ctl, &ids);
}
