/* pages_import.c — 台账导入: upload a ledger (.xlsx or CSV), see the plan
 * of the sync it makes — new accounts, changes field by field, accounts
 * to close — then apply it.
 *
 * The uploaded file waits in a folder of its own under a random name until
 * it is applied or an hour passes; the apply form names it by that token,
 * so what is applied is exactly what was checked, planned again on the
 * registry as it is then. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/secret.h"
#include "base/log.h"
#include "registry/ledger.h"
#include "store/db.h"
#include "web/pages.h"

#define UPLOAD_KEEP 3600

/* The folder of waiting uploads: $RUNTIME_DIRECTORY (systemd), else a
 * folder of our own in the temporary directory. */
static const char *
upload_dir(void)
{
	static char dir[512];
	const char *base = getenv("RUNTIME_DIRECTORY");

	if (dir[0] == '\0') {
		if (base && *base && !strchr(base, ':'))
			snprintf(dir, sizeof(dir), "%s/uploads", base);
		else
			snprintf(dir, sizeof(dir), "%s/mediawatch-web-%u",
			    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			    (unsigned)getuid());
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		log_warn("%s", dir);
	return dir;
}

/* The folder of one upload: the token is 64 hex digits, nothing else is
 * taken back from a form.  NULL for anything else. */
static char *
upload_folder(const char *token)
{
	if (token == NULL || strlen(token) != TOKEN_HEX - 1 ||
	    strspn(token, "0123456789abcdef") != TOKEN_HEX - 1)
		return NULL;
	return xasprintf("%s/%s", upload_dir(), token);
}

static void
remove_folder(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	char *path;

	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", folder, e->d_name);
		unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
	rmdir(folder);
}

static void
forget_old_uploads(time_t now)
{
	const char *dir = upload_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char *path;

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && now - st.st_mtime > UPLOAD_KEEP)
			remove_folder(path);
		free(path);
	}
	if (d)
		closedir(d);
}

/* The file's own name, fit for a message and for a file name: no folder,
 * no control character, valid UTF-8, not too long. */
static const char *
safe_name(const char *name)
{
	const char *slash = name ? strrchr(name, '/') : NULL;
	const char *back = slash ? NULL : name ? strrchr(name, '\\') : NULL;

	name = slash ? slash + 1 : back ? back + 1 : name;
	if (name == NULL || *name == '\0' || *name == '.' ||
	    has_control_chars(name) || !utf8_valid(name, strlen(name)) ||
	    strlen(name) > 200)
		return "台账文件";
	return name;
}

static int
save_upload(struct req *r, const char *folder, const char *name)
{
	char *path = xasprintf("%s/%s", folder, name);
	int fd = -1;
	size_t done = 0;
	ssize_t n;

	if (mkdir(folder, 0700) == 0)
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	while (fd != -1 && done < r->upload.len) {
		if ((n = write(fd, r->upload.buf + done, r->upload.len - done)) < 0)
			break;
		done += (size_t)n;
	}
	if (fd == -1 || done < r->upload.len)
		log_warn("%s", path);
	if (fd != -1)
		close(fd);
	free(path);
	return fd != -1 && done == r->upload.len ? 0 : -1;
}

/* The one file in an upload's folder (caller frees), or NULL. */
static char *
upload_file(const char *folder, char **name)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	char *path = NULL;

	while (d && (e = readdir(d)) != NULL && path == NULL)
		if (e->d_name[0] != '.') {
			*name = xstrdup(e->d_name);
			path = xasprintf("%s/%s", folder, e->d_name);
		}
	if (d)
		closedir(d);
	return path;
}

/* The import's choices, from the upload form and again from the apply
 * form (which carries them as hidden fields). */
static void
read_options(struct req *r, struct import_options *o)
{
	const char *enc = param_text(&r->form, "encoding");

	memset(o, 0, sizeof(*o));
	o->encoding_given = enc && strcmp(enc, "auto") != 0;
	o->gbk = enc && strcmp(enc, "gbk") == 0;
	o->close_missing = param_text(&r->form, "close_missing") != NULL;
	o->sheet = param_text(&r->form, "sheet");
}

/* Log lines with the upload's folder taken out of the file names. */
static char *
readable(const char *text, const char *folder)
{
	struct strbuf sb = STRBUF_INIT;
	char *prefix = xasprintf("%s/", folder);
	const char *p = text, *hit;

	while ((hit = strstr(p, prefix)) != NULL) {
		sb_append(&sb, p, (size_t)(hit - p));
		p = hit + strlen(prefix);
	}
	sb_puts(&sb, p);
	free(prefix);
	return sb_steal(&sb);
}

static const char *const action_labels[N_LEDGER_ACTIONS] = {
	[LEDGER_NEW] = "新增", [LEDGER_CHANGE] = "变更",
	[LEDGER_UNCHANGED] = "无变化", [LEDGER_CLOSE] = "关停",
};

static void
plan_vars(const struct ledger_plan *p, struct tmpl_vars *v)
{
	struct tmpl_vars *row, *ch;
	size_t i, j;

	tmpl_setf(v, "n_new", "%zu", p->count[LEDGER_NEW]);
	tmpl_setf(v, "n_change", "%zu", p->count[LEDGER_CHANGE]);
	tmpl_setf(v, "n_unchanged", "%zu", p->count[LEDGER_UNCHANGED]);
	tmpl_setf(v, "n_close", "%zu", p->count[LEDGER_CLOSE]);
	tmpl_set_list(v, "ignored");
	for (i = 0; p->ignored && p->ignored[i]; i++)
		tmpl_set(tmpl_add_row(v, "ignored"), "text", p->ignored[i]);
	tmpl_set_list(v, "items");
	for (i = 0; i < p->n_items; i++) {
		const struct ledger_item *it = &p->items[i];

		if (it->action == LEDGER_UNCHANGED)
			continue;
		row = tmpl_add_row(v, "items");
		tmpl_set(row, "action", action_labels[it->action]);
		tmpl_set(row, "kind", it->action == LEDGER_CLOSE ? "close" :
		    it->action == LEDGER_NEW ? "new" : "change");
		if (it->line)
			tmpl_setf(row, "line", "第%zu行", it->line);
		else
			tmpl_set(row, "line", "文件中没有");
		tmpl_set(row, "label", it->label);
		if (it->account_id)
			tmpl_setf(row, "account_id", "%lld", it->account_id);
		else
			tmpl_set(row, "account_id", "");
		tmpl_set_list(row, "changes");
		for (j = 0; j < it->n_changes; j++) {
			ch = tmpl_add_row(row, "changes");
			tmpl_set(ch, "field", field_label(it->changes[j].field));
			tmpl_set(ch, "before", *it->changes[j].before ?
			    it->changes[j].before : "（空）");
			tmpl_set(ch, "after", *it->changes[j].after ?
			    it->changes[j].after : "（空）");
		}
	}
}

/* Plans (and applies) the upload in one transaction, committed only when
 * apply is true; *errors gets what the import reported (caller frees). */
static int
run_import(struct req *r, const char *folder, const struct import_options *opt,
    bool apply, struct ledger_plan *plan, char **errors)
{
	struct import_options o = *opt;
	struct strbuf log = STRBUF_INIT;
	sqlite3 *db = r->web->db;
	char *name = NULL, *path = upload_file(folder, &name);
	int rc = -1;

	memset(plan, 0, sizeof(*plan));
	*errors = NULL;
	if (path == NULL) {
		*errors = xstrdup("上传的文件已过期，请重新上传。");
		return -1;
	}
	o.path = path;
	log_capture(&log);
	if (db_begin(db) == 0) {
		/* a check applies the plan too, then rolls it back: it finds
		 * what the registry would refuse */
		if (ledger_plan(db, r->web->cfg, &o, plan) == 0 &&
		    ledger_apply(db, r->web->cfg, plan) == 0)
			rc = apply ? db_commit(db) : 0;
		db_rollback(db);
	}
	log_capture(NULL);
	if (plan->errors > 50)
		sb_printf(&log, "%s: 另有 %d 处错误未列出\n", name, plan->errors - 50);
	*errors = readable(sb_str(&log), folder);
	sb_free(&log);
	free(path);
	free(name);
	return rc;
}

static void
set_options(struct req *r, struct tmpl_vars *v)
{
	const char *enc = param_text(&r->form, "encoding");

	tmpl_set(v, "encoding", enc ? enc : "auto");
	tmpl_set(v, "close_missing", param_text(&r->form, "close_missing") ?
	    "1" : "");
	tmpl_set(v, "sheet", param_text(&r->form, "sheet"));
}

void
page_import(struct req *r, struct resp *resp)
{
	page_render(r, resp, "import.html", "台账导入", "import", tmpl_vars_new());
}

void
page_import_check(struct req *r, struct resp *resp)
{
	const char *name = safe_name(r->upload_name);
	struct import_options o;
	struct ledger_plan plan;
	struct tmpl_vars *v;
	char token[TOKEN_HEX], *folder, *errors;
	int rc;

	if (r->upload_name == NULL || r->upload.len == 0)
		return resp_error(r, resp, 400, "请选择要导入的台账文件。");
	forget_old_uploads(r->now);
	if (token_new(token) == -1 || (folder = upload_folder(token)) == NULL)
		return resp_error(r, resp, 500, "无法保存上传的文件。");
	if (save_upload(r, folder, name) == -1) {
		remove_folder(folder);
		free(folder);
		return resp_error(r, resp, 500, "无法保存上传的文件。");
	}
	read_options(r, &o);
	rc = run_import(r, folder, &o, false, &plan, &errors);
	if (rc == -1)
		remove_folder(folder);
	v = tmpl_vars_new();
	tmpl_set(v, "file", name);
	tmpl_set(v, "token", token);
	tmpl_set(v, "ok", rc == 0 ? "1" : "");
	tmpl_set(v, "errors", errors);
	set_options(r, v);
	plan_vars(&plan, v);
	ledger_plan_free(&plan);
	free(errors);
	free(folder);
	page_render(r, resp, "import_plan.html", "台账导入：检查结果", "import", v);
}

void
page_import_apply(struct req *r, struct resp *resp)
{
	char *folder = upload_folder(param_text(&r->form, "token")), *errors;
	struct import_options o;
	struct ledger_plan plan;
	int rc;

	if (folder == NULL)
		return resp_error(r, resp, 400, "没有待导入的文件，请重新上传。");
	read_options(r, &o);
	rc = run_import(r, folder, &o, true, &plan, &errors);
	ledger_plan_free(&plan);
	if (rc == -1) {
		free(folder);
		return page_refused(r, resp, "导入", errors);
	}
	remove_folder(folder);
	free(folder);
	free(errors);
	r->web->writes++;
	resp_redirect(resp, "/accounts?status=all&done=imported");
}
