/* pages_users.c — 用户: the console's logins, an invitation for a unit's
 * staff, and a new link for someone who lost their password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/invite.h"
#include "access/user.h"
#include "store/db.h"
#include "web/pages.h"

static void
add_user_row(struct tmpl_vars *v, const json_t *u)
{
	struct tmpl_vars *row = tmpl_add_row(v, "users");
	const char *role = json_string_value(json_object_get(u, "role"));
	int r = user_role_parse(role);

	set_json(row, "id", json_object_get(u, "id"));
	set_json(row, "name", json_object_get(u, "name"));
	set_json(row, "display_name", json_object_get(u, "display_name"));
	tmpl_set(row, "role", r < 0 ? role : user_role_label((enum user_role)r));
	set_json(row, "unit_name", json_object_get(u, "unit_name"));
	tmpl_set(row, "subordinates", json_is_true(json_object_get(u,
	    "subordinates")) ? "1" : "");
	set_json(row, "email", json_object_get(u, "email"));
	tmpl_set(row, "disabled", json_is_true(json_object_get(u, "disabled")) ?
	    "1" : "");
	tmpl_set(row, "has_password", json_is_true(json_object_get(u,
	    "has_password")) ? "1" : "");
	set_time(row, "last_login", json_object_get(u, "last_login_at"));
	set_time(row, "link_expires", json_object_get(u, "link_expires_at"));
	tmpl_set(row, "link_pending", json_is_integer(json_object_get(u,
	    "link_expires_at")) ? "1" : "");
}

void
page_users(struct req *r, struct resp *resp)
{
	struct tmpl_vars *v = tmpl_vars_new();
	json_t *users = user_list_json(r->web->db, r->now), *u;
	size_t i;

	tmpl_set_list(v, "users");
	json_array_foreach(users, i, u)
		add_user_row(v, u);
	json_decref(users);
	add_unit_options(r, v, NULL);
	tmpl_set(v, "console_url", r->web->cfg->console_url);
	page_render(r, resp, "users.html", "用户", "users", v);
}

static int
do_invite(struct req *r, void *arg, char **error)
{
	const struct user_new *u = arg;
	long long id;
	time_t expires;

	return invite_unit_user(r->web->db, r->web->cfg, u, r->now, &id,
	    &expires, error);
}

void
page_user_invite(struct req *r, struct resp *resp)
{
	struct user_new u = { .role = ROLE_UNIT };

	u.unit_code = param_text(&r->form, "unit");
	u.email = param_text(&r->form, "email");
	u.name = param_text(&r->form, "name");
	u.display_name = param_text(&r->form, "display_name");
	u.subordinates = param_text(&r->form, "subordinates") != NULL;
	if (u.unit_code == NULL || u.email == NULL)
		return resp_error(r, resp, 400, "请选择单位并填写邮箱。");
	if (page_change(r, resp, "邀请", do_invite, &u) == 0)
		resp_redirect(resp, "/users?done=invited");
}

static int
do_reset(struct req *r, void *arg, char **error)
{
	time_t expires;

	return invite_send(r->web->db, r->web->cfg, r->id, r->now, &expires,
	    error);
}

void
page_user_reset(struct req *r, struct resp *resp)
{
	struct user u;

	if (user_by_id(r->web->db, r->id, &u) != 0)
		return resp_error(r, resp, 404, "没有这个用户。");
	if (page_change(r, resp, u.has_password ? "发送重设密码链接" :
	    "重新发送邀请", do_reset, NULL) == 0)
		resp_redirect(resp, "/users?done=%s", u.has_password ? "reset" :
		    "invited");
	user_free(&u);
}
