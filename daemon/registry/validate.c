/* validate.c — the rules every registry value obeys, wherever it comes from
 * (an option, an import file, a later change). */
#include <ctype.h>
#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "base/i18n.h"
#include "base/mailaddr.h"
#include "base/timeutil.h"
#include "base/util.h"
#include "registry/validate.h"

static const char *
check_text(const char *v)
{
	if (!utf8_valid(v, strlen(v)))
		return N_("is not valid UTF-8");
	if (has_control_chars(v))
		return N_("contains control characters (line breaks, tabs, …)");
	if (utf8_display_width(v) > 2 * MW_NAME_MAX || strlen(v) > 4 * MW_NAME_MAX)
		return N_("is too long (at most 200 characters)");
	return NULL;
}

const char *
check_name(const char *v)
{
	const char *p;

	if (v == NULL)
		return N_("is required");
	for (p = v; *p == ' '; p++)
		;
	if (*p == '\0')
		return N_("must not be empty");
	return check_text(v);
}

const char *
check_optional_text(const char *v)
{
	return str_empty(v) ? NULL : check_text(v);
}

/* Only http and https are ever fetched; parse with libcurl so the registry
 * and the fetcher agree on what a URL means. */
#define MW_NOTE_MAX 2000         /* characters of a reason or note */

const char *
check_note(const char *v)
{
	if (str_empty(v))
		return NULL;
	if (!utf8_valid(v, strlen(v)))
		return N_("is not valid UTF-8");
	if (has_control_chars(v))
		return N_("contains control characters (line breaks, tabs, …)");
	if (strlen(v) > 4 * MW_NOTE_MAX)
		return N_("is too long (at most 2000 characters)");
	return NULL;
}

const char *
check_feed_url(const char *v)
{
	const char *why = NULL;
	char *scheme = NULL, *host = NULL;
	CURLU *u;

	if (str_empty(v))
		return NULL;
	if (check_text(v) || strchr(v, ' '))
		return N_("is not a URL (spaces or control characters)");
	if ((u = curl_url()) == NULL)
		return N_("cannot be checked (out of memory)");
	if (curl_url_set(u, CURLUPART_URL, v, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		why = N_("is not a valid URL");
	else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		why = N_("must be an http:// or https:// URL");
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    str_empty(host))
		why = N_("has no host");
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return why;
}

const char *
check_date(const char *v)
{
	if (str_empty(v))
		return NULL;
	return iso_date_valid(v) == 0 ? NULL :
	    N_("must be a real calendar date written YYYY-MM-DD");
}

const char *
check_email(const char *v)
{
	return mail_address_check(v);
}

const char *
check_unit_code(const char *v)
{
	const unsigned char *p;

	if (str_empty(v))
		return N_("must not be empty");
	if (strlen(v) > 64)
		return N_("is too long (at most 64 bytes)");
	if (!utf8_valid(v, strlen(v)))
		return N_("is not valid UTF-8");
	for (p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return N_("must not contain spaces or control characters");
	return NULL;
}

const char *
check_platform(const struct config *cfg, const char *v)
{
	if (str_empty(v))
		return N_("is required");
	return config_platform(cfg, v) ? NULL :
	    N_("is not a configured platform (see `mediawatchctl check-config`)");
}
