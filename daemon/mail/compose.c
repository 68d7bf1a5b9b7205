/* compose.c — messages from templates, with the built-ins as fallback. */
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/chat.h"
#include "mail/compose.h"
#include "registry/unit.h"
#include "store/db.h"

typedef int (*render_fn)(const char *, const char *, const struct tmpl_vars *,
    struct mail_text *, char **);

/* Tells the admins that an override failed; its own text is built in. */
static void
report_template_error(sqlite3 *db, const struct config *cfg,
    const char *name, const char *error, time_t now)
{
	struct tmpl_vars *v = tmpl_vars_new();
	struct mail_text text;
	char when[CN_DATE_SIZE], day[16], *key, *why = NULL, **to;
	size_t n_to;

	datetime_cn(now, when, sizeof(when));
	date_format_local(now, day, sizeof(day));
	tmpl_set(v, "now", when);
	tmpl_set(v, "issuer", cfg->notice.issuer);
	tmpl_set(v, "template", name);
	tmpl_set(v, "error", error);
	if (template_render_mail(NULL, "admin-template-error", v, &text,
	    &why) == -1) {
		log_warnx("%s", why);
		free(why);
		tmpl_vars_free(v);
		return;
	}
	to = outbox_admin_addresses(cfg, &n_to);
	key = xasprintf("template-error:%s:%s:%016llx", name, day,
	    (unsigned long long)str_hash64(error));
	outbox_enqueue(db, cfg, &(struct outgoing){ .kind = "template-error",
	    .to = (const char *const *)to, .n_to = n_to,
	    .subject = text.subject, .text = text.text, .html = text.html,
	    .dedup_key = key }, now);
	free(key);
	strv_free(to);
	mail_text_free(&text);
	tmpl_vars_free(v);
}

static int
render(sqlite3 *db, const struct config *cfg, render_fn fn, const char *name,
    const struct tmpl_vars *v, time_t now, struct mail_text *out)
{
	char *error = NULL;

	if (fn(cfg->mail.templates, name, v, out, &error) == 0)
		return 0;
	if (cfg->mail.templates != NULL) {
		log_error(N_("%s; the built-in template %s is used instead"), error,
		    name);
		report_template_error(db, cfg, name, error, now);
		free(error);
		error = NULL;
		if (fn(NULL, name, v, out, &error) == 0)
			return 0;
	}
	log_error("%s", error);
	free(error);
	return -1;
}

int
compose_message(sqlite3 *db, const struct config *cfg, const char *name,
    const struct tmpl_vars *v, time_t now, struct mail_text *out)
{
	return render(db, cfg, template_render_mail, name, v, now, out);
}

/* console_url and console_link: the console's page of the unit, or its
 * first page for the admins' messages; empty without a console. */
static void
set_console_vars(const struct config *cfg, struct tmpl_vars *v,
    long long unit_id)
{
	const char *url = cfg->console_url;

	tmpl_set(v, "console_url", url);
	if (url && unit_id)
		tmpl_setf(v, "console_link", "%s/units/%lld", url, unit_id);
	else
		tmpl_set(v, "console_link", url ? url : "");
}

/* ---- chat channels ---- */

static unsigned
kind_bits(const char *kind)
{
	if (strcmp(kind, "alert") == 0)
		return KIND_WARNING | KIND_STALE | KIND_DORMANT;
	if (strcmp(kind, "recovery") == 0)
		return KIND_RECOVERY;
	return config_channel_kind(kind);    /* gap, digest, notice, … */
}

/* unit-alert → chat-alert, admin-digest → chat-digest. */
static char *
chat_name(const char *name)
{
	const char *dash = strchr(name, '-');

	return xasprintf("chat-%s", dash ? dash + 1 : name);
}

static void
add_once(const struct channel **list, size_t *n, const struct channel *c)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (list[i] == c)
			return;
	list[(*n)++] = c;
}

/* The unit's channels, and the admins' when they get the message, each
 * once.  A name the configuration lost is skipped, loudly. */
static const struct channel **
chat_targets(sqlite3 *db, const struct config *cfg, const struct outgoing *m,
    size_t *n)
{
	const struct channel **list = xcalloc(cfg->n_channels + 1,
	    sizeof(*list)), *c;
	char **names;
	size_t i, k;

	*n = 0;
	if (m->unit_id) {
		names = unit_channels(db, m->unit_id, &k);
		for (i = 0; i < k; i++)
			if ((c = config_channel(cfg, names[i])) != NULL)
				add_once(list, n, c);
			else
				log_warnx(N_("unit %lld: channel %s is not in the "
				    "configuration; the %s message goes without "
				    "it"), m->unit_id, names[i], m->kind);
		strv_free(names);
	}
	for (i = 0; (m->admins || m->unit_id == 0) &&
	    i < cfg->n_admin_channels; i++)
		if ((c = config_channel(cfg, cfg->admin_channels[i])) != NULL)
			add_once(list, n, c);
	return list;
}

/* The webhook's JSON: the message's facts and names (chat.h). */
static char *
webhook_payload(sqlite3 *db, const struct outgoing *m,
    const struct tmpl_vars *v, const char *link)
{
	char *code = NULL, *name = NULL, *s;
	json_t *data;

	if (m->unit_id) {
		db_query_text(db, &code, "SELECT code FROM unit WHERE id = ?",
		    "I", m->unit_id);
		db_query_text(db, &name, "SELECT name FROM unit WHERE id = ?",
		    "I", m->unit_id);
	}
	data = chat_webhook_data(m->kind, code, name, link,
	    tmpl_vars_to_json(v));
	s = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(data);
	free(code);
	free(name);
	return s;
}

/* One row for channel c: the chat template of the message, rendered. */
static int
queue_chat(sqlite3 *db, const struct config *cfg, const char *name,
    struct tmpl_vars *v, const struct outgoing *m, const struct channel *c,
    time_t now)
{
	struct mail_text text;
	char *template = chat_name(name), *key, *payload = NULL, *link = NULL;
	int rc;

	set_console_vars(cfg, v, m->unit_id);
	if (render(db, cfg, template_render_chat, template, v, now,
	    &text) == -1) {
		free(template);
		return -1;
	}
	if (c->type == CHANNEL_WEBHOOK && cfg->console_url)
		link = m->unit_id ? xasprintf("%s/units/%lld", cfg->console_url,
		    m->unit_id) : xstrdup(cfg->console_url);
	if (c->type == CHANNEL_WEBHOOK)
		payload = webhook_payload(db, m, v, link);
	key = xasprintf("%s@%s", m->dedup_key, c->name);
	rc = outbox_enqueue(db, cfg, &(struct outgoing){ .kind = m->kind,
	    .channel = c->name, .payload = payload, .unit_id = m->unit_id,
	    .subject = text.subject, .text = text.text, .dedup_key = key }, now);
	free(key);
	free(payload);
	free(link);
	free(template);
	mail_text_free(&text);
	return rc;
}

static int
queue_chats(sqlite3 *db, const struct config *cfg, const char *name,
    struct tmpl_vars *v, const struct outgoing *m, time_t now)
{
	const struct channel **to;
	struct tmpl_vars *cv;
	size_t n, i;
	int rc = 0;

	to = chat_targets(db, cfg, m, &n);
	for (i = 0; i < n && rc != -1; i++) {
		if (m->chat_vars) {
			if ((cv = m->chat_vars(to[i], m->chat_arg)) == NULL)
				continue;
			rc = queue_chat(db, cfg, name, cv, m, to[i], now);
			tmpl_vars_free(cv);
		} else if (to[i]->kind_mask & kind_bits(m->kind))
			rc = queue_chat(db, cfg, name, v, m, to[i], now);
	}
	free(to);
	return rc == -1 ? -1 : 0;
}

int
compose_render(const struct config *cfg, const char *name,
    struct tmpl_vars *v, long long unit_id, struct mail_text *out)
{
	char *error = NULL;
	int rc;

	set_console_vars(cfg, v, unit_id);
	rc = template_render_mail(cfg->mail.templates, name, v, out, &error);
	free(error);
	return rc;
}

int
compose_queue_text(sqlite3 *db, const struct config *cfg, const char *name,
    struct tmpl_vars *v, struct outgoing *m, const struct mail_text *text,
    time_t now)
{
	int rc;

	m->subject = text->subject;
	m->text = text->text;
	m->html = text->html;
	rc = outbox_enqueue(db, cfg, m, now);
	m->subject = m->text = m->html = NULL;
	/* queued before: so were its chat messages, in the same transaction */
	if (rc == 1 && queue_chats(db, cfg, name, v, m, now) == -1)
		return -1;
	return rc;
}

int
compose_queue(sqlite3 *db, const struct config *cfg, const char *name,
    struct tmpl_vars *v, struct outgoing *m, time_t now)
{
	struct mail_text text;
	int rc;

	set_console_vars(cfg, v, m->unit_id);
	if (compose_message(db, cfg, name, v, now, &text) == -1)
		return -1;
	rc = compose_queue_text(db, cfg, name, v, m, &text, now);
	mail_text_free(&text);
	return rc;
}

int
compose_check(const struct config *cfg, const char *name,
    struct tmpl_vars *v, char **error)
{
	struct mail_text text;
	render_fn fn = str_has_prefix(name, "chat-") ? template_render_chat :
	    template_render_mail;

	set_console_vars(cfg, v, 1);
	if (fn(cfg->mail.templates, name, v, &text, error) == -1)
		return -1;
	mail_text_free(&text);
	return 0;
}
