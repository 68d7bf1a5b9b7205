/* routes.c — which page answers which URL, for whom; the checks every
 * page relies on. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "store/audit.h"
#include "web/pages.h"

static const struct route routes[] = {
	{ "GET",  "/login", page_login, ANYONE, false },
	{ "POST", "/login", page_login_post, ANYONE, false },
	{ "POST", "/logout", page_logout, READERS, false },
	{ "GET",  "/static/*", page_static, ANYONE, false },
	{ "GET",  "/", page_dashboard, READERS, false },
	{ "GET",  "/accounts", page_accounts, READERS, false },
	{ "GET",  "/accounts/new", page_account_new, ADMINS, false },
	{ "POST", "/accounts/new", page_account_open, ADMINS, false },
	{ "GET",  "/accounts/#", page_account, READERS, false },
	{ "POST", "/accounts/#/*", page_account_action, ADMINS, false },
	{ "GET",  "/units", page_units, READERS, false },
	{ "GET",  "/units/#", page_unit, READERS, false },
	{ "GET",  "/problems", page_problems, READERS, false },
	{ "POST", "/problems/#/close", page_problem_close, ADMINS, false },
	{ "GET",  "/outbox", page_outbox, READERS, false },
	{ "GET",  "/audit", page_audit, READERS, false },
	{ "GET",  "/documents", page_documents, READERS, false },
	{ "GET",  "/documents/preview", page_document_preview, READERS, false },
	{ "POST", "/documents/issue", page_document_issue, ADMINS, false },
	{ "GET",  "/documents/#/*", page_document_download, READERS, false },
	{ "POST", "/documents/#/void", page_document_void, ADMINS, false },
	{ "GET",  "/import", page_import, ADMINS, false },
	{ "POST", "/import", page_import_check, ADMINS, true },
	{ "POST", "/import/apply", page_import_apply, ADMINS, false },
};

/* Matches path against pattern: '#' takes a positive number (into *id),
 * a final '*' takes the rest (one segment, into *tail). */
static bool
match(const char *pattern, const char *path, long long *id, char **tail)
{
	const char *p = pattern, *s = path, *start;

	while (*p) {
		if (*p == '#') {
			if (*s < '1' || *s > '9')
				return false;
			start = s;
			while (*s >= '0' && *s <= '9')
				s++;
			if (s - start > 15)
				return false;
			*id = strtoll(start, NULL, 10);
			p++;
		} else if (*p == '*' && p[1] == '\0') {
			if (*s == '\0' || strchr(s, '/'))
				return false;
			*tail = xstrdup(s);
			return true;
		} else if (*p++ != *s++)
			return false;
	}
	return *s == '\0';
}

const struct route *
route_find(const char *method, const char *path, long long *id, char **tail,
    bool *wrong_method)
{
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	size_t i;

	*wrong_method = false;
	for (i = 0; i < ARRAY_SIZE(routes); i++) {
		*id = 0;
		free(*tail);
		*tail = NULL;
		if (!match(routes[i].pattern, path, id, tail))
			continue;
		if (strcmp(routes[i].method, m) == 0)
			return &routes[i];
		*wrong_method = true;
	}
	free(*tail);
	*tail = NULL;
	return NULL;
}

bool
route_accepts_upload(const struct route *rt)
{
	return rt->upload;
}

/* The form's CSRF token against the session's: a page on another site can
 * make a browser post, but cannot read the token it would need. */
static bool
csrf_ok(const struct req *r)
{
	const char *sent = param_get(&r->form, "csrf");

	return sent && r->logged_in && token_equal(sent, r->session.csrf);
}

void
route_dispatch(struct req *r, struct resp *resp)
{
	const struct route *rt = r->route;
	char actor[96];

	audit_set_actor(NULL);
	if (rt->roles == ANYONE) {
		rt->fn(r, resp);
		return;
	}
	if (!auth_load(r, resp)) {
		struct strbuf next = STRBUF_INIT;

		if (resp->status != 200)
			return;
		if (strcmp(r->method, "POST") == 0)
			return resp_error(r, resp, 403, "请先登录。");
		url_encode_append(&next, r->path);
		resp_redirect(resp, "/login?next=%s", sb_str(&next));
		sb_free(&next);
		return;
	}
	if (!(rt->roles & ROLE_BIT(r->user.role)))
		return resp_error(r, resp, 403, "您的账号没有这项权限。");
	if (strcmp(r->method, "POST") == 0 && !csrf_ok(r)) {
		log_notice("web: %s %s from %s refused: missing or wrong CSRF "
		    "token", r->method, r->path, r->address);
		return resp_error(r, resp, 403, "表单已失效或来源不明，未作任何"
		    "更改。请刷新页面后重新提交。");
	}
	snprintf(actor, sizeof(actor), "web:%s", r->user.name);
	audit_set_actor(actor);
	rt->fn(r, resp);
	audit_set_actor(NULL);
}

void
pages_cleanup(struct web_state *w)
{
	dashboard_cache_free(w);
	page_count_free(w);
}
