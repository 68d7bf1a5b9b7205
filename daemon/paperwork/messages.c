/* messages.c — every message, rendered with sample data. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/template.h"
#include "base/util.h"
#include "mail/compose.h"
#include "monitor/alerts.h"
#include "monitor/closed.h"
#include "monitor/wording.h"
#include "paperwork/letters.h"
#include "paperwork/messages.h"
#include "paperwork/notice.h"

/* The messages an admin may override, and those always built in (their
 * job is to report a failure, so they must not be able to fail). */
static const char *const overridable[] = {
	"unit-alert", "unit-recovery", "unit-wording", "unit-notice",
	"unit-review", "unit-reminder", "user-invite", "user-reset",
	"admin-gap", "admin-digest", "admin-reopened",
	"chat-alert", "chat-recovery", "chat-wording", "chat-notice",
	"chat-gap", "chat-digest", "chat-reopened", NULL,
};

/* A chat message has the names of its email (compose.h). */
static const char *const chat_of[][2] = {
	{ "chat-alert", "unit-alert" }, { "chat-recovery", "unit-recovery" },
	{ "chat-wording", "unit-wording" }, { "chat-notice", "unit-notice" },
	{ "chat-gap", "admin-gap" }, { "chat-digest", "admin-digest" },
	{ "chat-reopened", "admin-reopened" },
};
static const char *const built_in_only[] = {
	"admin-evaluation-failed", "admin-template-error", NULL,
};

static struct tmpl_vars *
sample_vars(const struct config *cfg, const char *name, time_t now)
{
	struct tmpl_vars *v;
	json_t *notice;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(chat_of); i++)
		if (strcmp(name, chat_of[i][0]) == 0)
			name = chat_of[i][1];
	if (strcmp(name, "unit-wording") == 0)
		return wording_sample_vars(cfg, now);
	if ((v = letters_sample_vars(cfg, name, now)) != NULL)
		return v;
	if (strcmp(name, "admin-reopened") == 0)
		return closed_sample_vars(cfg, now);
	if (strcmp(name, "unit-notice") == 0) {
		if ((notice = notice_sample_data(cfg, now)) == NULL)
			return NULL;
		v = tmpl_vars_from_json(notice);
		json_decref(notice);
		return v;
	}
	return alerts_sample_vars(cfg, name, now);
}

static bool
listed(const char *const *names, const char *file)
{
	size_t n;

	for (; *names; names++) {
		n = strlen(*names);
		if (strncmp(file, *names, n) != 0)
			continue;
		if (str_has_prefix(*names, "chat-") ? strcmp(file + n, ".md") == 0 :
		    strcmp(file + n, ".txt") == 0 || strcmp(file + n, ".html") == 0)
			return true;
	}
	return false;
}

/* A file in the folder that no message reads is an edit that would never
 * show: name it. */
static int
check_folder(const char *dir)
{
	struct dirent *e;
	const char *ext;
	int errors = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		log_warn(N_("mail.templates: %s"), dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		ext = strrchr(e->d_name, '.');
		/* README.md is the folder's documentation, copied with it */
		if (ext == NULL || (strcmp(ext, ".txt") && strcmp(ext, ".html") &&
		    strcmp(ext, ".md")) || strcmp(e->d_name, "README.md") == 0)
			continue;
		if (listed(built_in_only, e->d_name)) {
			log_warnx(N_("%s/%s: this message is always built in (it "
			    "reports failures); the file is not read"), dir,
			    e->d_name);
			errors++;
		} else if (!listed(overridable, e->d_name)) {
			log_warnx(N_("%s/%s: no message of this name; the messages "
			    "are unit-alert, unit-recovery, unit-wording, "
			    "unit-notice, unit-review, unit-reminder, "
			    "user-invite, user-reset, admin-gap, admin-digest "
			    "and admin-reopened (.txt, .html), and chat-alert, "
			    "chat-recovery, chat-wording, chat-notice, chat-gap, "
			    "chat-digest and chat-reopened (.md)"), dir,
			    e->d_name);
			errors++;
		}
	}
	closedir(d);
	return errors;
}

int
messages_check(const struct config *cfg, time_t now)
{
	struct tmpl_vars *v;
	char *error = NULL;
	int errors = 0;
	size_t i;

	if (cfg->mail.templates != NULL)
		errors += check_folder(cfg->mail.templates);
	for (i = 0; overridable[i]; i++) {
		if ((v = sample_vars(cfg, overridable[i], now)) == NULL) {
			log_warnx(N_("%s: no sample data to check it with"),
			    overridable[i]);
			errors++;
			continue;
		}
		if (compose_check(cfg, overridable[i], v, &error) == -1) {
			log_warnx("%s", error);
			free(error);
			errors++;
		}
		tmpl_vars_free(v);
	}
	return errors;
}
