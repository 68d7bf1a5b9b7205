/* test_chat.c — chat requests, signatures, cuts and answers (mail/chat.h),
 * and the Markdown escaping of template values.  The expected signatures
 * were computed with Python's hmac, hashlib and base64 modules, an
 * implementation independent of ours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/template.h"
#include "base/util.h"
#include "mail/chat.h"

#define NOW_MS 1772416800000LL      /* 2026-03-02 10:00 +08 */

static const struct chat_message sample = {
	.kind = "alert", .title = "【政务新媒体预警】某某县教育局",
	.text = "- 微博「某某教育发布」：已 20 天未更新\n",
	.id = "<1@example.gov.cn>",
};

static json_t *
build(enum channel_type type, const char *url, const char *secret,
    const struct chat_message *m, struct chat_request *r)
{
	char *error = NULL;
	json_t *body;

	assert_int_equal(chat_request_build(type, url, secret, m, NOW_MS, r,
	    &error), 0);
	assert_null(error);
	body = json_loads(r->body, 0, NULL);
	assert_non_null(body);
	return body;
}

static void
dingtalk_signed_mode_signs_the_address(void **state)
{
	struct chat_request r;
	json_t *body = build(CHANNEL_DINGTALK,
	    "https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc",
	    &sample, &r);

	/* Base64(HMAC-SHA256("SECabc", "1772416800000\nSECabc")), URL-encoded */
	assert_string_equal(r.url, "https://oapi.dingtalk.com/robot/send?"
	    "access_token=t&timestamp=1772416800000&sign="
	    "1mCoFuK1BdCWQTcIFLyQQtWUFa9w0PotxCWAjPO9P1s%3D");
	assert_string_equal(json_string_value(json_object_get(body, "msgtype")),
	    "markdown");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    body, "markdown"), "title")), sample.title);
	assert_null(r.signature);
	json_decref(body);
	chat_request_free(&r);
}

static void
feishu_signature_goes_in_the_body(void **state)
{
	struct chat_request r;
	json_t *body = build(CHANNEL_FEISHU,
	    "https://open.feishu.cn/open-apis/bot/v2/hook/t", "SECabc", &sample,
	    &r);

	/* Base64(HMAC-SHA256("1772416800\nSECabc", "")) */
	assert_string_equal(json_string_value(json_object_get(body,
	    "timestamp")), "1772416800");
	assert_string_equal(json_string_value(json_object_get(body, "sign")),
	    "RS9sw1hwAmlOXUDHnTRhq5Q6AMCIY7XFPCovzdW4amg=");
	assert_string_equal(r.url, "https://open.feishu.cn/open-apis/bot/v2/"
	    "hook/t");
	assert_string_equal(json_string_value(json_object_get(body, "msg_type")),
	    "interactive");
	json_decref(body);
	chat_request_free(&r);
}

static void
unsigned_robots_have_no_signature(void **state)
{
	struct chat_request r;
	json_t *body = build(CHANNEL_FEISHU, "https://f/hook/t", NULL, &sample,
	    &r);

	assert_null(json_object_get(body, "sign"));
	assert_null(json_object_get(body, "timestamp"));
	json_decref(body);
	chat_request_free(&r);
}

static void
webhook_carries_its_id_sent_at_and_a_sha256_signature(void **state)
{
	struct chat_message m = sample;
	struct chat_request r;
	json_t *body;

	/* the value itself is checked by the integration tests' webhook
	 * server, with Python's hmac */
	m.data = "{\"kind\":\"alert\",\"accounts\":[]}";
	body = build(CHANNEL_WEBHOOK, "https://oa/hook", "k", &m, &r);
	assert_string_equal(json_string_value(json_object_get(body, "id")),
	    sample.id);
	assert_int_equal(json_integer_value(json_object_get(body, "sent_at")),
	    NOW_MS / 1000);
	assert_non_null(json_object_get(body, "accounts"));
	assert_non_null(r.signature);
	assert_int_equal(strlen(r.signature), 7 + 64);
	assert_true(str_has_prefix(r.signature, "sha256="));
	json_decref(body);
	chat_request_free(&r);
}

static void
wecom_text_starts_with_the_title_and_keeps_to_4096_bytes(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct chat_message m = sample;
	struct chat_request r;
	const char *content;
	json_t *body;
	int i;

	for (i = 0; i < 300; i++)
		sb_printf(&sb, "- 微博「某某县某某乡镇政务发布%03d」：已 20 天未更新\n", i);
	m.text = sb_str(&sb);
	m.console_url = "https://mw.example.gov.cn";
	body = build(CHANNEL_WECOM, "https://q/send?key=k", NULL, &m, &r);
	content = json_string_value(json_object_get(json_object_get(body,
	    "markdown"), "content"));
	assert_true(str_has_prefix(content, "**【政务新媒体预警】某某县教育局**\n"));
	assert_true(strlen(content) <= CHAT_WECOM_MAX);
	assert_non_null(strstr(content, "行从略，请到监测系统查看："
	    "https://mw.example.gov.cn）"));
	assert_true(utf8_valid(content, strlen(content)));
	json_decref(body);
	chat_request_free(&r);
	sb_free(&sb);
}

static void
a_missing_keyword_is_added_and_a_present_one_is_not(void **state)
{
	struct chat_message m = sample;
	struct chat_request r;
	const char *text;
	json_t *body;

	m.keyword = "监测提醒";
	body = build(CHANNEL_DINGTALK, "https://d/send?access_token=t", NULL,
	    &m, &r);
	text = json_string_value(json_object_get(json_object_get(body,
	    "markdown"), "text"));
	assert_true(strlen(text) > strlen("\n\n监测提醒"));
	assert_string_equal(text + strlen(text) - strlen("\n\n监测提醒"),
	    "\n\n监测提醒");
	json_decref(body);
	chat_request_free(&r);

	m.keyword = "政务新媒体";               /* in the title already */
	body = build(CHANNEL_DINGTALK, "https://d/send?access_token=t", NULL,
	    &m, &r);
	text = json_string_value(json_object_get(json_object_get(body,
	    "markdown"), "text"));
	assert_null(strstr(text, "\n\n政务新媒体"));
	json_decref(body);
	chat_request_free(&r);
}

static void
fit_cuts_at_a_line_end_and_counts_the_lines_left_out(void **state)
{
	const char *text = "第一行\n第二行\n第三行\n\n第四行\n";
	char *out = chat_fit(text, strlen(text), NULL);

	assert_string_equal(out, text);              /* fits: as it is */
	free(out);
	out = chat_fit(text, 120, NULL);
	assert_true(strlen(out) <= 120);
	assert_true(utf8_valid(out, strlen(out)));
	free(out);
}

static void
fit_keeps_whole_lines_of_a_long_list(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t shown = 0, left;
	const char *p;
	char *out;
	int i;

	for (i = 0; i < 100; i++)
		sb_printf(&sb, "- 账号%02d：已 20 天未更新\n", i);
	out = chat_fit(sb_str(&sb), 1000, "https://mw.example.gov.cn");
	assert_true(strlen(out) <= 1000);
	for (p = out; (p = strstr(p, "- 账号")) != NULL; p++)
		shown++;
	p = strstr(out, "以下 ");
	assert_non_null(p);
	left = strtoul(p + strlen("以下 "), NULL, 10);
	assert_int_equal(shown + left, 100);
	assert_non_null(strstr(out, "：已 20 天未更新\n\n……（以下"));
	free(out);
	sb_free(&sb);
}

static void
answers_get_their_verdicts(void **state)
{
	char *why;

#define ANSWER(t, st, body) chat_answer((t), (st), (body), strlen(body), &why)
	assert_int_equal(ANSWER(CHANNEL_WECOM, 200,
	    "{\"errcode\":0,\"errmsg\":\"ok\"}"), CHAT_SENT);
	assert_null(why);
	assert_int_equal(ANSWER(CHANNEL_WECOM, 200,
	    "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}"),
	    CHAT_FAILED);
	assert_string_equal(why, "errcode 93000: invalid webhook url");
	free(why);
	assert_int_equal(ANSWER(CHANNEL_WECOM, 200,
	    "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}"),
	    CHAT_RATE_LIMITED);
	free(why);
	assert_int_equal(ANSWER(CHANNEL_DINGTALK, 200,
	    "{\"errcode\":130101,\"errmsg\":\"send too fast\"}"),
	    CHAT_RATE_LIMITED);
	free(why);
	assert_int_equal(ANSWER(CHANNEL_DINGTALK, 200,
	    "{\"errcode\":310000,\"errmsg\":\"sign not match\"}"), CHAT_FAILED);
	free(why);
	assert_int_equal(ANSWER(CHANNEL_FEISHU, 200,
	    "{\"code\":0,\"msg\":\"success\",\"data\":{}}"), CHAT_SENT);
	assert_int_equal(ANSWER(CHANNEL_FEISHU, 200,
	    "{\"StatusCode\":0,\"StatusMessage\":\"success\"}"), CHAT_SENT);
	assert_int_equal(ANSWER(CHANNEL_FEISHU, 200,
	    "{\"code\":11232,\"msg\":\"frequency limited\"}"),
	    CHAT_RATE_LIMITED);
	free(why);
	assert_int_equal(ANSWER(CHANNEL_FEISHU, 200,
	    "{\"code\":19021,\"msg\":\"sign match fail\"}"), CHAT_FAILED);
	assert_string_equal(why, "code 19021: sign match fail");
	free(why);
	/* HTTP 200 without the platform's answer is no success */
	assert_int_equal(ANSWER(CHANNEL_WECOM, 200, "<html>ok</html>"),
	    CHAT_FAILED);
	free(why);
	assert_int_equal(ANSWER(CHANNEL_WEBHOOK, 204, ""), CHAT_SENT);
	assert_int_equal(ANSWER(CHANNEL_WEBHOOK, 429, ""), CHAT_RATE_LIMITED);
	assert_string_equal(why, "HTTP 429");
	free(why);
	assert_int_equal(ANSWER(CHANNEL_DINGTALK, 502, "bad\r\ngateway"),
	    CHAT_FAILED);
	assert_string_equal(why, "HTTP 502: bad  gateway");
	free(why);
#undef ANSWER
}

static void
markdown_values_are_inert(void **state)
{
	struct tmpl_vars *v = tmpl_vars_new();
	char *out = NULL, *error = NULL;

	tmpl_set(v, "name", "a](http://x)\n# h <at id=all> *b* _c_ `d` ~e~ "
	    "f|g \\ & ok-1.2");
	assert_int_equal(template_render("[{{name}}](https://mw/u)", v,
	    TMPL_MARKDOWN, &out, &error), 0);
	assert_string_equal(out, "[a］(http://x) ＃ h ＜at id=all＞ ＊b＊ "
	    "＿c＿ ｀d｀ ～e～ f｜g ＼ ＆ ok-1.2](https://mw/u)");
	free(out);
	tmpl_vars_free(v);
}

static void
vars_become_json_and_back(void **state)
{
	struct tmpl_vars *v = tmpl_vars_new(), *row;
	json_t *o;

	tmpl_set(v, "unit_name", "某某县教育局");
	row = tmpl_add_row(v, "stale");
	tmpl_set(row, "name", "某某教育发布");
	tmpl_set(row, "days", "20");
	tmpl_set_list(v, "warning");
	o = tmpl_vars_to_json(v);
	assert_string_equal(json_string_value(json_object_get(o, "unit_name")),
	    "某某县教育局");
	assert_int_equal(json_array_size(json_object_get(o, "warning")), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "stale"), 0), "days")), "20");
	json_decref(o);
	tmpl_vars_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dingtalk_signed_mode_signs_the_address),
		cmocka_unit_test(feishu_signature_goes_in_the_body),
		cmocka_unit_test(unsigned_robots_have_no_signature),
		cmocka_unit_test(webhook_carries_its_id_sent_at_and_a_sha256_signature),
		cmocka_unit_test(wecom_text_starts_with_the_title_and_keeps_to_4096_bytes),
		cmocka_unit_test(a_missing_keyword_is_added_and_a_present_one_is_not),
		cmocka_unit_test(fit_cuts_at_a_line_end_and_counts_the_lines_left_out),
		cmocka_unit_test(fit_keeps_whole_lines_of_a_long_list),
		cmocka_unit_test(answers_get_their_verdicts),
		cmocka_unit_test(markdown_values_are_inert),
		cmocka_unit_test(vars_become_json_and_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
