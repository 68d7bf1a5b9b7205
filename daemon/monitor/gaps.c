/* gaps.c — monitoring gaps in words. */
#define _GNU_SOURCE             /* strcasestr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "monitor/gaps.h"

/* What the fetcher and the feed reader say (poll/fetch.c, poll/feed.c),
 * matched without case, first match wins. */
static const struct {
	const char *says, *sentence;
} known_errors[] = {
	{ "the document is <html", "该地址是网页，不是订阅源（HTML）" },
	{ "not a feed", "该地址返回的内容不是订阅源（格式无法识别）" },
	{ "empty body", "信息源返回空内容" },
	{ "larger than", "信息源内容超过大小上限" },
	{ "too large", "信息源内容超过大小上限" },
	{ "redirect refused", "信息源跳转到不支持的地址（仅支持 HTTP/HTTPS）" },
	{ "resolve", "信息源域名无法解析（DNS）" },
	{ "timed out", "连接信息源超时" },
	{ "timeout", "连接信息源超时" },
	{ "ssl", "与信息源的安全连接失败（TLS）" },
	{ "certificate", "信息源的安全证书无法验证（TLS）" },
	{ "connect", "无法连接信息源服务器" },
	{ "no http response", "信息源服务器没有响应" },
	{ "aborted", "抓取被中断（系统停止）" },
};

static const char *
http_sentence(long status)
{
	if (status == 404 || status == 410)
		return "信息源地址不存在";
	if (status == 401 || status == 403)
		return "信息源拒绝访问";
	if (status == 429)
		return "信息源限制访问频率";
	if (status >= 500)
		return "信息源服务器出错";
	return "信息源返回错误";
}

char *
fetch_error_text(long http_status, const char *error)
{
	long status = http_status;
	size_t i;

	if (error && sscanf(error, "HTTP %ld", &status) != 1 && status < 400)
		status = 0;
	if (status >= 400)
		return xasprintf("%s（HTTP %ld）", http_sentence(status), status);
	for (i = 0; error && i < ARRAY_SIZE(known_errors); i++)
		if (strcasestr(error, known_errors[i].says))
			return xstrdup(known_errors[i].sentence);
	return xstrdup("无法访问信息源（网络错误）");
}

char *
gap_reason(const struct sight *s)
{
	if (!s->polled)
		return xstrdup(s->has_observation ?
		    "未登记信息源，最近一次人工核查已超过核实时限" :
		    "未登记信息源，也没有人工核查记录");
	if (!s->fetched)
		return xstrdup("信息源尚未抓取");
	if (!str_empty(s->last_error))
		return fetch_error_text(s->last_status, s->last_error);
	return xstrdup("核实时限内没有成功抓取信息源");
}

bool
sight_last(const struct sight *s, time_t *when)
{
	if (!s->has_success && !s->has_observation)
		return false;
	*when = !s->has_observation ? s->last_success : !s->has_success ?
	    s->last_observation : s->last_success > s->last_observation ?
	    s->last_success : s->last_observation;
	return true;
}
