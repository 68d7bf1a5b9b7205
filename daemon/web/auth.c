/* auth.c — logging in and out, sessions, a proxy's single sign-on. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "access/secret.h"
#include "access/session.h"
#include "access/user.h"
#include "base/log.h"
#include "base/template.h"
#include "store/audit.h"
#include "store/db.h"
#include "web/pages.h"

/* Only a local path: never another site (an open redirect). */
static const char *
safe_next(const char *next)
{
	if (next && next[0] == '/' && next[1] != '/' && next[1] != '\\' &&
	    !has_control_chars(next) && strncmp(next, "/login", 6) != 0)
		return next;
	return "/";
}

static void
login_form(struct req *r, struct resp *resp, const char *error)
{
	struct tmpl_vars *v = tmpl_vars_new();
	char token[TOKEN_HEX];

	/* a login form has no session yet: its CSRF token is a cookie of its
	 * own, which only this site can set and read (double submit) */
	if (token_new(token) == -1)
		return resp_error(r, resp, 500, "系统暂时无法生成登录表单。");
	resp_set_cookie(resp, r, "mw_login", token, "/login");
	tmpl_set(v, "login_csrf", token);
	tmpl_set(v, "next", safe_next(req_arg(r, "next")));
	tmpl_set(v, "error", error);
	tmpl_set(v, "name", error ? req_arg(r, "name") : "");
	page_render(r, resp, "login.html", "登录", NULL, v);
}

void
page_login(struct req *r, struct resp *resp)
{
	login_form(r, resp, NULL);
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Too many failures for this name or from this address lately. */
static bool
throttled(struct req *r, const char *name)
{
	const struct web_config *wc = &r->web->cfg->web;
	long long by_name = 0, by_address = 0;

	if (login_failures(r->web->db, name, r->address, r->now - wc->login_window,
	    &by_name, &by_address) == -1)
		return true;
	return by_name >= wc->login_attempts || by_address >= wc->login_attempts;
}

static int
start_session(struct req *r, struct resp *resp, const struct user *u)
{
	sqlite3 *db = r->web->db;
	char token[TOKEN_HEX], actor[96];

	if (db_begin(db) == -1)
		return -1;
	snprintf(actor, sizeof(actor), "web:%s", u->name);
	audit_set_actor(actor);
	if (session_open(db, u->id, r->address, r->now, token, &r->session) == -1 ||
	    user_record_login(db, u, true, r->now) == -1 || db_commit(db) == -1) {
		db_rollback(db);
		audit_set_actor(NULL);
		return -1;
	}
	audit_set_actor(NULL);
	r->web->writes++;
	resp_set_cookie(resp, r, "mw_session", token, "/");
	log_notice("web: %s logged in from %s", u->name, r->address);
	return 0;
}

static void
login_failed(struct req *r, struct resp *resp, const char *name)
{
	sqlite3 *db = r->web->db;

	if (db_begin(db) == 0 && login_failure_record(db, name, r->address, r->now,
	    r->now - r->web->cfg->web.login_window) == 0)
		db_commit(db);
	db_rollback(db);
	log_notice("web: failed login for '%s' from %s", name, r->address);
	login_form(r, resp, "用户名或密码不正确。");
}

void
page_login_post(struct req *r, struct resp *resp)
{
	const char *sent = param_get(&r->form, "csrf");
	char *name = xstrdup(param_text(&r->form, "name")), *hash = NULL;
	const char *pw = param_get(&r->form, "password");
	struct user u = { 0 };
	bool ok;

	if (sent == NULL || r->cookie_login == NULL ||
	    !token_equal(sent, r->cookie_login)) {
		free(name);
		return resp_error(r, resp, 403, "登录表单已失效，请刷新页面后重新登录。");
	}
	if (name == NULL || pw == NULL) {
		free(name);
		return login_form(r, resp, "请填写用户名和密码。");
	}
	lower(name);
	/* a name no user can have is a failed login, kept in words fit for
	 * a log line */
	if (strlen(name) > 64 || has_control_chars(name) ||
	    !utf8_valid(name, strlen(name))) {
		free(name);
		name = xstrdup("(invalid name)");
	}
	if (throttled(r, name)) {
		resp->status = 429;
		login_form(r, resp, "登录失败次数过多，请稍后再试。");
		resp->status = 429;
		free(name);
		return;
	}
	if (user_password_hash(r->web->db, name, &hash) == -1) {
		free(name);
		return resp_error(r, resp, 500, "数据库暂时无法读取。");
	}
	web_unlock(r);                  /* argon2 takes its time alone */
	ok = password_verify(hash, pw);
	web_relock(r);
	free(hash);
	if (!ok || user_by_name(r->web->db, name, &u) != 0 || u.disabled) {
		login_failed(r, resp, name);
	} else if (start_session(r, resp, &u) == -1) {
		resp_error(r, resp, 500, "无法建立会话，请稍后再试。");
	} else {
		resp_set_cookie(resp, r, "mw_login", "", "/login");
		resp_redirect(resp, "%s", safe_next(param_get(&r->form, "next")));
	}
	user_free(&u);
	free(name);
}

void
page_logout(struct req *r, struct resp *resp)
{
	sqlite3 *db = r->web->db;

	if (db_begin(db) == 0 && session_close(db, r->session.id, r->now) == 0 &&
	    user_record_login(db, &r->user, false, r->now) == 0)
		db_commit(db);
	db_rollback(db);
	r->web->writes++;
	log_notice("web: %s logged out", r->user.name);
	resp_set_cookie(resp, r, "mw_session", "", "/");
	resp_redirect(resp, "/login");
}

/* With web.remote_user_header, the proxy in front has logged the person
 * in; the header names them, and they must be an enabled user here.  A
 * session is opened for them so that their forms carry a CSRF token. */
static bool
remote_login(struct req *r, struct resp *resp)
{
	char *name = xstrdup(r->remote_user);
	bool ok = false;

	lower(name);
	if (r->logged_in && strcmp(r->user.name, name) == 0) {
		free(name);
		return true;
	}
	user_free(&r->user);
	r->logged_in = false;
	if (user_by_name(r->web->db, name, &r->user) != 0 || r->user.disabled)
		resp_error(r, resp, 403, "您的统一身份认证账号尚未开通本系统的使用权限，"
		    "请联系系统管理员。");
	else if (start_session(r, resp, &r->user) == -1)
		resp_error(r, resp, 500, "无法建立会话，请稍后再试。");
	else
		ok = r->logged_in = true;
	free(name);
	return ok;
}

bool
auth_load(struct req *r, struct resp *resp)
{
	const struct web_config *wc = &r->web->cfg->web;
	int rc = 1;

	if (r->cookie_session)
		rc = session_find(r->web->db, r->cookie_session, r->now,
		    wc->session_idle, wc->session_max, &r->session);
	if (rc == 0 && user_by_id(r->web->db, r->session.user_id, &r->user) == 0 &&
	    !r->user.disabled)
		r->logged_in = true;
	if (r->remote_user && *r->remote_user)
		return remote_login(r, resp);
	return r->logged_in;
}
