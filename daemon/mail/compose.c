/* compose.c — messages from templates, with the built-ins as fallback. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "mail/compose.h"

/* Tells the admins that an override failed; its own text is built in. */
static void
report_template_error(sqlite3 *db, const struct config *cfg,
    const char *name, const char *error, time_t now)
{
	struct tmpl_vars *v = tmpl_vars_new();
	struct mail_text text;
	char when[32], day[16], *key, *why = NULL, **to;
	size_t n_to;

	time_format_local(now, when, sizeof(when));
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

int
compose_message(sqlite3 *db, const struct config *cfg, const char *name,
    const struct tmpl_vars *v, time_t now, struct mail_text *out)
{
	char *error = NULL;

	if (template_render_mail(cfg->mail.templates, name, v, out,
	    &error) == 0)
		return 0;
	if (cfg->mail.templates != NULL) {
		log_error("%s; the built-in template %s is used instead", error,
		    name);
		report_template_error(db, cfg, name, error, now);
		free(error);
		error = NULL;
		if (template_render_mail(NULL, name, v, out, &error) == 0)
			return 0;
	}
	log_error("%s", error);
	free(error);
	return -1;
}

int
compose_queue(sqlite3 *db, const struct config *cfg, const char *name,
    const struct tmpl_vars *v, struct outgoing *m, time_t now)
{
	struct mail_text text;
	int rc;

	if (compose_message(db, cfg, name, v, now, &text) == -1)
		return -1;
	m->subject = text.subject;
	m->text = text.text;
	m->html = text.html;
	rc = outbox_enqueue(db, cfg, m, now);
	m->subject = m->text = m->html = NULL;
	mail_text_free(&text);
	return rc;
}

int
compose_check(const struct config *cfg, const char *name,
    const struct tmpl_vars *v, char **error)
{
	struct mail_text text;

	if (template_render_mail(cfg->mail.templates, name, v, &text,
	    error) == -1)
		return -1;
	mail_text_free(&text);
	return 0;
}
