/* pages.h — the console's routes and pages.
 *
 * Every route names the roles that may use it.  The router (routes.c)
 * finds the route, the session and the user, refuses a role the route
 * does not name, and refuses a POST whose form lacks the session's CSRF
 * token, all before a page runs; a page only reads arguments, calls the
 * library and renders.  What a user sees is narrowed by scope_sql(): every
 * list and page of units, accounts, problems, notices, replies and files
 * passes through it, so a role bound to one unit sees only that unit's
 * data; reaching another's by its id is refused as if it did not exist,
 * and recorded (scope_refuse()). */
#ifndef MW_PAGES_H
#define MW_PAGES_H

#include <jansson.h>

#include "base/output.h"
#include "base/template.h"
#include "web/http.h"

typedef void page_fn(struct req *, struct resp *);

#define ROLE_BIT(r)  (1u << (r))
#define ANYONE       0u                      /* no login needed */
#define READERS      (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_VIEWER))
#define ADMINS       ROLE_BIT(ROLE_ADMIN)
#define UNITS        ROLE_BIT(ROLE_UNIT)     /* a unit's own staff */
#define USERS        (READERS | UNITS)       /* anyone logged in */

struct route {
	const char  *method;      /* "GET" (HEAD too) or "POST" */
	const char  *pattern;     /* "/accounts/#": # is a positive number */
	page_fn     *fn;
	unsigned     roles;       /* ROLE_BITs, or ANYONE */
	bool         upload;      /* takes a file (multipart) */
	size_t       upload_max;  /* its limit; 0: web.max_upload */
};

/* routes.c */
const struct route *route_find(const char *method, const char *path,
          long long *id, char **tail, bool *wrong_method);
bool  route_accepts_upload(const struct route *rt);
/* The most a request of the route may send (a file and the form). */
size_t route_body_max(const struct route *rt, const struct config *cfg);
/* The routes in order, for the tests of who may use what. */
const struct route *route_table(size_t *n);
/* Login, role and CSRF checks, then the page; with the lock held. */
void  route_dispatch(struct req *r, struct resp *resp);
void  pages_cleanup(struct web_state *w);

/* page.c — layout, lists, exports */
/* The built-in file name ("dashboard.html", "app.css"), or NULL. */
const char *web_file(const char *name);
/* Renders head, tmpl and foot with v (freed here) plus the names every
 * page has (user, role, csrf, nav); on a template error, a 500 page. */
void  page_render(struct req *r, struct resp *resp, const char *tmpl,
          const char *title, const char *nav, struct tmpl_vars *v);
/* The same around a body rendered before (HTML, not escaped again). */
void  page_render_fragment(struct req *r, struct resp *resp,
          const char *fragment, const char *title, const char *nav);
/* Renders tmpl alone into *out (caller frees); -1 logged. */
int   page_fragment(const char *tmpl, struct tmpl_vars *v, char **out);
/* A list's page: sets page, pages, total, prev_url, next_url in v and
 * returns the offset of the first row. */
long long page_paginate(struct req *r, struct tmpl_vars *v, long long total);
/* The total of a list under key (its filters), counted before while the
 * database has not changed since (and not a minute ago), else -1; a total
 * counted is kept with page_count_store().  Counting 100,000 rows on
 * every page of a list would cost more than the page itself. */
long long page_count_cached(struct req *r, const char *key);
void  page_count_store(struct req *r, const char *key, long long n);
void  page_count_free(struct web_state *w);
/* SQLite's data_version: changes when another connection commits. */
long long web_data_version(struct web_state *w);
/* rows as a CSV download (UTF-8 with a byte order mark, which Excel and
 * WPS need to read Chinese). */
void  page_csv(struct resp *resp, const char *filename,
          const struct column *cols, size_t n, json_t *rows);
/* Whether the request asks for the CSV export of a list. */
bool  page_wants_csv(const struct req *r);
/* A plain message page (errors, refusals) with status. */
void  resp_error(struct req *r, struct resp *resp, int status, const char *msg);
/* A refusal of the library ("field: why") as a page, 409. */
void  page_refused(struct req *r, struct resp *resp, const char *what,
          char *error);
/* Sets key to a local time, date, or "—". */
void  set_time(struct tmpl_vars *v, const char *key, const json_t *t);
void  set_date(struct tmpl_vars *v, const char *key, const json_t *t);
/* Sets key to a JSON value's text: strings, numbers, "" for null. */
void  set_json(struct tmpl_vars *v, const char *key, const json_t *j);
/* <option> rows for a select: value, label, selected. */
void  add_option(struct tmpl_vars *v, const char *list, const char *value,
          const char *label, const char *current);
/* "unit_options": the units the user may see (scope_sql()), by code. */
void  add_unit_options(struct req *r, struct tmpl_vars *v,
          const char *current);
/* The reason field of an action form: required, checked text. */
const char *form_reason(struct req *r, struct resp *resp);
/* Runs fn(r, arg, &error) in one transaction; 0 when committed, else the
 * refusal page was rendered. */
int   page_change(struct req *r, struct resp *resp, const char *what,
          int (*fn)(struct req *, void *, char **), void *arg);

/* The SQL condition limiting unit rows (alias u) to what the user may
 * see: "1" for admins and viewers; for a unit login, its unit (and with
 * subordinates those under it).  No parameters; caller frees. */
char *scope_sql(const struct req *r);
/* The same on another column holding a unit id ("p.unit_id"). */
char *scope_sql_on(const struct req *r, const char *column);
/* Whether the user may see unit_id. */
bool  scope_allows(struct req *r, long long unit_id);
/* A unit code in a filter or form (NULL: none): false when it names a
 * unit the user may not see, after scope_refuse(); an unknown code is
 * left to the page (it finds nothing). */
bool  scope_code(struct req *r, struct resp *resp, const char *code);
/* The answer to a unit login reaching another unit's thing (what: its
 * kind, "problem"; id: which): the journal and the audit trail record the
 * user, the route and the thing, and the page is a 404 that says no more
 * than for a thing that does not exist (msg). */
void  scope_refuse(struct req *r, struct resp *resp, const char *what,
          long long id, const char *msg);
/* The thing of kind what whose unit is unit_id, as a page may show it:
 * true when the user sees it; false after a 404 (unit_id 0: no such
 * thing; another unit's: scope_refuse()). */
bool  scope_check(struct req *r, struct resp *resp, const char *what,
          long long id, long long unit_id, const char *msg);
/* Whether the user is a unit's own staff. */
bool  is_unit_user(const struct req *r);
/* A unit login on a route that is not for units (answered 403): the
 * journal and the audit trail (access.forbidden) record the user and the
 * route, as scope_refuse() does for another unit's thing.  Other roles:
 * nothing. */
void  role_refuse(struct req *r);
/* A file sent (action "attachment.download", entity "attachment", id) in
 * the audit trail under the user, in a transaction of its own: reading
 * pages is not recorded, taking a file away is. */
void  audit_download(struct req *r, const char *action, const char *entity,
          long long id);
/* A textarea's value with its CRLF line ends as LF (caller frees), NULL
 * when blank. */
char *form_paragraphs(struct req *r, const char *key);

/* labels shared by pages */
const char *state_text(const char *state);        /* 正常, …; 未评估 for NULL */
const char *status_text(const char *status);      /* 在用, 暂停, … */
const char *field_label(const char *field);       /* operator → 运维人员 */

/* auth.c */
void page_login(struct req *r, struct resp *resp);
void page_password(struct req *r, struct resp *resp);
void page_password_post(struct req *r, struct resp *resp);
void page_forgot(struct req *r, struct resp *resp);
void page_forgot_post(struct req *r, struct resp *resp);
void page_login_post(struct req *r, struct resp *resp);
void page_logout(struct req *r, struct resp *resp);
/* Finds the session of the request (cookie, or the proxy's header) and
 * its user; false when there is none. */
bool auth_load(struct req *r, struct resp *resp);

/* the pages */
void page_static(struct req *r, struct resp *resp);
void page_dashboard(struct req *r, struct resp *resp);
void page_accounts(struct req *r, struct resp *resp);
void page_account(struct req *r, struct resp *resp);
void page_account_new(struct req *r, struct resp *resp);
void page_account_open(struct req *r, struct resp *resp);
void page_account_action(struct req *r, struct resp *resp);
void page_units(struct req *r, struct resp *resp);
void page_unit(struct req *r, struct resp *resp);
void page_problems(struct req *r, struct resp *resp);
void page_problem_close(struct req *r, struct resp *resp);
void page_order(struct req *r, struct resp *resp);
void page_order_reply(struct req *r, struct resp *resp);
void page_order_review(struct req *r, struct resp *resp);
void page_attachment(struct req *r, struct resp *resp);
void page_notice(struct req *r, struct resp *resp);
void page_notice_reply(struct req *r, struct resp *resp);
void page_users(struct req *r, struct resp *resp);
void page_user_invite(struct req *r, struct resp *resp);
void page_user_reset(struct req *r, struct resp *resp);
void page_outbox(struct req *r, struct resp *resp);
void page_audit(struct req *r, struct resp *resp);
void page_documents(struct req *r, struct resp *resp);
void page_document_preview(struct req *r, struct resp *resp);
void page_document_issue(struct req *r, struct resp *resp);
void page_document_download(struct req *r, struct resp *resp);
void page_document_void(struct req *r, struct resp *resp);
void page_import(struct req *r, struct resp *resp);
void page_import_check(struct req *r, struct resp *resp);
void page_import_apply(struct req *r, struct resp *resp);

void dashboard_cache_free(struct web_state *w);

#endif
