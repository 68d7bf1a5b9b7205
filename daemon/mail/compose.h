/* compose.h — the one way every message's text is made.
 *
 * A message is the template NAME: NAME.txt (subject and text body) and
 * NAME.html (optional HTML body), each taken from the folder
 * mail.templates when it has that file (an override), else built into the
 * binaries.  Its chat form, for the robots and webhooks of the channels
 * list, is chat-KIND.md (unit-alert: chat-alert.md), a title and a
 * Markdown text from the same names (template.h).  An override that cannot be rendered — a syntax error, a name
 * the message does not have — never holds back the bookkeeping the
 * message reports on: the built-in text is used instead, the error is
 * logged with FILE:LINE, and the admins get one email about it per
 * template, error and day (admin-template-error, built-in only).
 *
 * `mediawatchctl check-config` and `mediawatchd -n` render every template
 * in force with sample data (compose_check) to find such errors first. */
#ifndef MW_COMPOSE_H
#define MW_COMPOSE_H

#include <sqlite3.h>
#include <time.h>

#include "base/template.h"
#include "config/config.h"
#include "mail/outbox.h"

/* Renders NAME with v into *out (free with mail_text_free()), inside the
 * caller's transaction (a fallback queues the admins' report there).
 * Returns 0, or -1 when the built-in template itself fails — a bug the
 * tests exclude — after logging it. */
int compose_message(sqlite3 *db, const struct config *cfg, const char *name,
        const struct tmpl_vars *v, time_t now, struct mail_text *out);

/* Renders NAME and queues it: subject and bodies from the template, the
 * rest (kind, unit, recipients, dedup key) from m.  Then, in the same
 * transaction, its chat form once for each channel it goes to: the
 * unit's channels (m->unit_id), and admin_channels when the admins get it
 * (m->admins, or admin mail: unit_id 0), each once, of those the kinds
 * carry (struct outgoing's chat_vars decides for an alert).  A chat row's
 * dedup key is the email's with "@CHANNEL".  v gets console_url and
 * console_link first.  Returns outbox_enqueue()'s 1 (queued) or 0 (queued
 * before) for the email, or -1. */
int compose_queue(sqlite3 *db, const struct config *cfg, const char *name,
        struct tmpl_vars *v, struct outgoing *m, time_t now);

/* A message rendered ahead of its queueing, where no database is at hand
 * (on a thread beside the evaluation's writes): NAME as configured with
 * v, which gets console_url and console_link for unit_id (0: the admins'
 * message).  -1 when it cannot be rendered so: compose_queue() then
 * renders it again, reporting the override's error and using the
 * built-in template. */
int compose_render(const struct config *cfg, const char *name,
        struct tmpl_vars *v, long long unit_id, struct mail_text *out);
/* Queues m with the text compose_render() made, then its chat forms, as
 * compose_queue() does; v may be NULL when m->chat_vars gives each
 * channel its names.  Same returns. */
int compose_queue_text(sqlite3 *db, const struct config *cfg,
        const char *name, struct tmpl_vars *v, struct outgoing *m,
        const struct mail_text *text, time_t now);

/* Renders NAME (chat-*: its .md) as configured (the override when there
 * is one) with v, which gets console_url and console_link.  Returns 0, or
 * -1 with *error "FILE:LINE: message" (caller frees). */
int compose_check(const struct config *cfg, const char *name,
        struct tmpl_vars *v, char **error);

#endif
