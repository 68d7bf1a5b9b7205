/* pages_import.c — 台账导入: upload a ledger file, see what importing it
 * would do (a dry run), then apply it.
 *
 * The uploaded file waits in a private folder under a random name until
 * it is applied or an hour passes; the apply form names it by that token,
 * so what is applied is exactly what was checked. */
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

/* Removes uploads older than UPLOAD_KEEP. */
static void
forget_old_uploads(time_t now)
{
	const char *dir = upload_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char path[1024];

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && now - st.st_mtime > UPLOAD_KEEP)
			unlink(path);
	}
	if (d)
		closedir(d);
}

/* token: 64 hex digits, then ".csv" or ".csv.gbk": nothing else is
 * accepted back from a form. */
static char *
upload_path(const char *token)
{
	size_t n = token ? strspn(token, "0123456789abcdef") : 0;

	if (n != TOKEN_HEX - 1 || (strcmp(token + n, ".csv") &&
	    strcmp(token + n, ".csv.gbk")))
		return NULL;
	return xasprintf("%s/%s", upload_dir(), token);
}

static int
save_upload(struct req *r, const char *token)
{
	char *path = upload_path(token);
	int fd = path ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600) : -1;
	size_t done = 0;
	ssize_t n;

	while (fd != -1 && done < r->upload.len) {
		if ((n = write(fd, r->upload.buf + done, r->upload.len - done)) < 0)
			break;
		done += (size_t)n;
	}
	if (fd == -1 || done < r->upload.len) {
		log_warn("%s", path ? path : "upload");
		if (fd != -1)
			unlink(path);
	}
	if (fd != -1)
		close(fd);
	free(path);
	return fd != -1 && done == r->upload.len ? 0 : -1;
}

/* The import's log lines, with the folder taken out of the file name and
 * the uploaded file's own name put in. */
static char *
readable_errors(const char *text, const char *path, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text, *hit;
	size_t n = strlen(path);

	while ((hit = strstr(p, path)) != NULL) {
		sb_append(&sb, p, (size_t)(hit - p));
		sb_puts(&sb, name);
		p = hit + n;
	}
	sb_puts(&sb, p);
	return sb_steal(&sb);
}

/* Runs the import on a waiting upload; returns the count or -1 with the
 * errors in *errors (caller frees). */
static long
run_import(struct req *r, const char *token, const char *name, bool dry_run,
    char **errors)
{
	char *path = upload_path(token);
	struct strbuf log = STRBUF_INIT;
	struct import_options o = { .path = path, .dry_run = dry_run,
	    .gbk = strstr(token, ".gbk") != NULL };
	long n;

	if (path == NULL || access(path, R_OK) == -1) {
		free(path);
		*errors = xstrdup("上传的文件已过期，请重新上传。");
		return -1;
	}
	log_capture(&log);
	n = import_accounts(r->web->db, r->web->cfg, &o);
	log_capture(NULL);
	*errors = readable_errors(sb_str(&log), path, name);
	sb_free(&log);
	if (!dry_run && n >= 0)
		unlink(path);
	free(path);
	return n;
}

static const char *
safe_name(const char *name)
{
	const char *slash = name ? strrchr(name, '/') : NULL;

	name = slash ? slash + 1 : name;
	if (name == NULL || *name == '\0' || has_control_chars(name) ||
	    !utf8_valid(name, strlen(name)) || strlen(name) > 200)
		return "上传的文件";
	return name;
}

void
page_import(struct req *r, struct resp *resp)
{
	page_render(r, resp, "import.html", "台账导入", "import", tmpl_vars_new());
}

void
page_import_check(struct req *r, struct resp *resp)
{
	struct tmpl_vars *v;
	const char *name = safe_name(r->upload_name), *enc;
	char token[TOKEN_HEX + 8], *errors = NULL;
	long n;

	if (r->upload_name == NULL || r->upload.len == 0)
		return resp_error(r, resp, 400, "请选择要导入的台账文件。");
	forget_old_uploads(r->now);
	enc = param_text(&r->form, "encoding");
	if (token_new(token) == -1)
		return resp_error(r, resp, 500, "无法保存上传的文件。");
	strcat(token, enc && strcmp(enc, "gbk") == 0 ? ".csv.gbk" : ".csv");
	if (save_upload(r, token) == -1)
		return resp_error(r, resp, 500, "无法保存上传的文件。");
	n = run_import(r, token, name, true, &errors);
	v = tmpl_vars_new();
	tmpl_set(v, "file", name);
	tmpl_set(v, "token", token);
	tmpl_setf(v, "count", "%ld", n < 0 ? 0 : n);
	tmpl_set(v, "ok", n >= 0 ? "1" : "");
	tmpl_set(v, "errors", errors);
	free(errors);
	page_render(r, resp, "import_plan.html", "台账导入：检查结果", "import", v);
}

void
page_import_apply(struct req *r, struct resp *resp)
{
	const char *token = param_text(&r->form, "token");
	const char *name = safe_name(param_text(&r->form, "file"));
	char *errors = NULL, *path = upload_path(token);
	long n;

	if (path == NULL)
		return resp_error(r, resp, 400, "没有待导入的文件，请重新上传。");
	free(path);
	n = run_import(r, token, name, false, &errors);
	if (n < 0) {
		page_refused(r, resp, "导入", errors);
		return;
	}
	free(errors);
	r->web->writes++;
	resp_redirect(resp, "/accounts?status=all&done=imported");
}
