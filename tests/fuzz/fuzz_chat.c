/* fuzz_chat.c — the chat payload builders with hostile unit and account
 * names, keywords and platform answers.
 *
 * The input is up to five fields separated by NUL bytes: unit name,
 * account name, contact, keyword, a platform's answer.  The names fill an
 * alert as alerts.c fills one (twenty accounts, so long names overflow a
 * robot's limit), rendered from the built-in chat-alert.md, then built
 * into the request of every channel type, signed.  Beyond "no crash" the
 * target checks what chat.h and template.h promise:
 *   - with UTF-8 names every request is built, its body valid JSON;
 *   - the text stays within the platform's limit;
 *   - a name adds no markup: no '<' (an HTML tag, an @mention), no link
 *     but the console's, no line starting with '#' or '>';
 *   - the webhook's body carries every account;
 *   - any answer gets a verdict, and a refusal says why in one line. */
#include "fuzz.h"
#include "base/template.h"
#include "base/util.h"
#include "mail/chat.h"

enum { F_UNIT, F_ACCOUNT, F_CONTACT, F_KEYWORD, F_ANSWER, N_FIELDS };

#define ROWS    20
#define CONSOLE "https://mw.example.gov.cn/console"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

static size_t
split_fields(char *s, size_t size, const char **f, size_t *len)
{
	size_t n = 0;
	char *p = s, *end = s + size;

	while (n < N_FIELDS) {
		f[n] = p;
		len[n] = strlen(p);
		p += len[n++];
		if (p >= end)
			break;
		p++;
	}
	return n;
}

static struct tmpl_vars *
alert_vars(const char *unit, const char *account, const char *contact)
{
	static const char *const lists[] = { "warning", "stale", "dormant" };
	struct tmpl_vars *v = tmpl_vars_new(), *row;
	int i;

	tmpl_set(v, "unit_name", unit);
	tmpl_set(v, "unit_code", "JYJ");
	tmpl_set(v, "contact_name", contact);
	tmpl_set(v, "now", "2026-03-02 10:00");
	tmpl_set(v, "issuer", "电子政务中心");
	tmpl_set(v, "reminder", "");
	tmpl_set(v, "no_address", "");
	tmpl_set(v, "console_url", CONSOLE);
	tmpl_set(v, "console_link", CONSOLE "/units/1");
	for (i = 0; i < 3; i++)
		tmpl_set_list(v, lists[i]);
	for (i = 0; i < ROWS; i++) {
		row = tmpl_add_row(v, lists[i % 3]);
		tmpl_set(row, "unit_name", unit);
		tmpl_set(row, "platform", "微信公众号");
		tmpl_set(row, "name", account);
		tmpl_set(row, "uid", account);
		tmpl_set(row, "known", "1");
		tmpl_set(row, "last_update", "2026-02-10");
		tmpl_setf(row, "days", "%d", 14 + i);
		tmpl_set(row, "days_left", "0");
		tmpl_set(row, "veto_date", "2026-02-24");
		tmpl_set(row, "problem_due", "2026-03-16");
	}
	tmpl_set(v, "n_accounts", "20");
	tmpl_set(v, "n_warning", "7");
	tmpl_set(v, "n_stale", "7");
	tmpl_set(v, "n_dormant", "6");
	return v;
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)) != NULL; s += strlen(what))
		n++;
	return n;
}

/* The rendered text: the names in it are inert. */
static void
check_text(const struct mail_text *t)
{
	const char *p;

	FUZZ_ASSERT(strchr(t->subject, '\n') == NULL, "the title is one line");
	FUZZ_ASSERT(strchr(t->text, '<') == NULL && strchr(t->subject, '<') ==
	    NULL, "no name makes an HTML tag or an @mention");
	FUZZ_ASSERT(count(t->text, "](") == 1 && count(t->text, "[") == 1,
	    "the console's is the only link");
	for (p = t->text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		FUZZ_ASSERT(*p != '#' && *p != '>', "no name starts a heading "
		    "or a quote");
}

/* The text a robot shows, and its title (where it has a place of its
 * own), from the JSON body built for it. */
static const char *
robot_text(enum channel_type type, json_t *body, const char **title)
{
	json_t *card = json_object_get(body, "card");

	*title = "";
	if (type == CHANNEL_WECOM)
		return json_string_value(json_object_get(json_object_get(body,
		    "markdown"), "content"));
	if (type == CHANNEL_DINGTALK) {
		*title = json_string_value(json_object_get(json_object_get(body,
		    "markdown"), "title"));
		return json_string_value(json_object_get(json_object_get(body,
		    "markdown"), "text"));
	}
	*title = json_string_value(json_object_get(json_object_get(
	    json_object_get(card, "header"), "title"), "content"));
	return json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(card, "elements"), 0), "text"), "content"));
}

static void
check_request(enum channel_type type, const struct chat_request *r,
    const char *keyword)
{
	json_t *body = json_loads(r->body, 0, NULL);
	const char *text, *title;

	FUZZ_ASSERT(body != NULL, "the body is JSON");
	if (type == CHANNEL_WEBHOOK) {
		FUZZ_ASSERT(json_array_size(json_object_get(body, "accounts")) ==
		    ROWS, "the webhook carries every account");
		FUZZ_ASSERT(r->signature && strlen(r->signature) == 7 + 64,
		    "the webhook is signed");
	} else {
		text = robot_text(type, body, &title);
		FUZZ_ASSERT(text != NULL && title != NULL, "the robot's text "
		    "and title are where it looks");
		FUZZ_ASSERT(strlen(text) <= chat_text_max(type),
		    "the text keeps to the platform's limit");
		/* config.c allows one line of 64 bytes */
		FUZZ_ASSERT(!keyword || strlen(keyword) > 64 ||
		    has_control_chars(keyword) || strstr(text, keyword) ||
		    strstr(title, keyword), "the keyword is in the message");
	}
	if (type == CHANNEL_DINGTALK)
		FUZZ_ASSERT(strstr(r->url, "&timestamp=") && strstr(r->url,
		    "&sign="), "the address is signed");
	json_decref(body);
}

static void
build_all(const struct mail_text *t, struct tmpl_vars *v,
    const char *keyword, bool utf8)
{
	static const char *const urls[] = {
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
		"https://oapi.dingtalk.com/robot/send?access_token=t",
		"https://open.feishu.cn/open-apis/bot/v2/hook/t",
		"https://office.example.gov.cn/hook",
	};
	json_t *data;
	char *payload, *error = NULL;
	struct chat_request r;
	int type;

	data = chat_webhook_data("alert", "JYJ", "单位", CONSOLE,
	    tmpl_vars_to_json(v));
	payload = json_dumps(data, JSON_COMPACT);
	FUZZ_ASSERT(payload || !utf8, "the webhook's data is JSON");
	for (type = CHANNEL_WECOM; type <= CHANNEL_WEBHOOK; type++) {
		struct chat_message m = { .kind = "alert", .title = t->subject,
		    .text = t->text, .data = payload, .id = "<1@x>",
		    .console_url = CONSOLE,
		    .keyword = type == CHANNEL_WEBHOOK ? NULL : keyword };

		if (chat_request_build(type, urls[type], "SECsecret", &m,
		    1772416800000LL, &r, &error) == -1) {
			FUZZ_ASSERT(!utf8, "a UTF-8 message is always built");
			free(error);
			continue;
		}
		if (utf8)
			check_request(type, &r, keyword);
		chat_request_free(&r);
	}
	free(payload);
	json_decref(data);
}

static void
judge(const char *body, size_t len)
{
	static const long statuses[] = { 200, 429, 500 };
	char *why;
	size_t i;
	int type;

	for (type = CHANNEL_WECOM; type <= CHANNEL_WEBHOOK; type++)
		for (i = 0; i < ARRAY_SIZE(statuses); i++) {
			if (chat_answer(type, statuses[i], body, len, &why) ==
			    CHAT_SENT) {
				FUZZ_ASSERT(why == NULL, "success has no error");
				continue;
			}
			FUZZ_ASSERT(why && !has_control_chars(why) &&
			    utf8_valid(why, strlen(why)), "a refusal says why "
			    "in one printable line");
			free(why);
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), *error = NULL;
	const char *f[N_FIELDS] = { "", "", "", NULL, "" };
	size_t len[N_FIELDS] = { 0 };
	struct tmpl_vars *v;
	struct mail_text t;
	bool utf8;

	split_fields(s, size, f, len);
	utf8 = utf8_valid(f[F_UNIT], len[F_UNIT]) &&
	    utf8_valid(f[F_ACCOUNT], len[F_ACCOUNT]) &&
	    utf8_valid(f[F_CONTACT], len[F_CONTACT]) &&
	    (!f[F_KEYWORD] || utf8_valid(f[F_KEYWORD], len[F_KEYWORD]));
	v = alert_vars(f[F_UNIT], f[F_ACCOUNT], f[F_CONTACT]);
	FUZZ_ASSERT(template_render_chat(NULL, "chat-alert", v, &t, &error) == 0,
	    "the built-in chat-alert renders any names");
	check_text(&t);
	build_all(&t, v, f[F_KEYWORD], utf8);
	mail_text_free(&t);
	tmpl_vars_free(v);
	judge(f[F_ANSWER], len[F_ANSWER]);
	free(s);
	return 0;
}
