/* mailaddr.c — email addresses as people type them and as SMTP takes them. */
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/mailaddr.h"
#include "base/util.h"

const char *
mail_address_check(const char *v)
{
	const char *at = strchr(v, '@');
	const char *p;

	if (at == NULL || at == v || at[1] == '\0' || strchr(at + 1, '@'))
		return N_("is not an email address (name@domain)");
	for (p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("<>(),;:\"[]\\", *p))
			return N_("is not an email address (it has spaces or "
			    "special characters)");
	if (strlen(v) > 254)
		return N_("is too long for an email address");
	return NULL;
}

bool
mail_address_valid(const char *addr)
{
	const unsigned char *p;

	if (addr == NULL || *addr == '-' || mail_address_check(addr) != NULL)
		return false;
	/* no SMTPUTF8: a non-ASCII address could not go in a header unencoded */
	for (p = (const unsigned char *)addr; *p; p++)
		if (*p > 0x7e)
			return false;
	return true;
}

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The display name between s and end: trimmed, outer quotes and their
 * backslash escapes removed. */
static char *
display_name(const char *s, const char *end)
{
	struct strbuf sb = STRBUF_INIT;

	s = skip_space(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - s >= 2 && *s == '"' && end[-1] == '"') {
		for (s++, end--; s < end; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			sb_putc(&sb, *s);
		}
	} else
		sb_append(&sb, s, (size_t)(end - s));
	if (sb.len == 0) {
		sb_free(&sb);
		return NULL;
	}
	return sb_steal(&sb);
}

int
mail_address_parse(const char *mailbox, char **name, char **addr,
    char **error)
{
	const char *s = skip_space(mailbox), *end = s + strlen(s), *lt;
	char *a, *shown;

	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*name = NULL;
	if (end > s && end[-1] == '>') {
		for (lt = end - 1; lt > s && *lt != '<'; lt--)
			;
		a = *lt == '<' ? xstrndup(lt + 1, (size_t)(end - lt - 2)) :
		    xstrdup("");
		if (*lt == '<')
			*name = display_name(s, lt);
	} else
		a = xstrndup(s, (size_t)(end - s));
	if (!mail_address_valid(a)) {
		shown = utf8_printable_copy(mailbox);
		*error = xasprintf(_("\"%s\" is not a valid email address"), shown);
		free(shown);
		free(a);
		free(*name);
		*name = NULL;
		return -1;
	}
	*addr = a;
	return 0;
}
