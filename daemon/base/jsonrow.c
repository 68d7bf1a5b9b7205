/* jsonrow.c — rows of JSON built member by member, repeated texts shared. */
#include "base/jsonrow.h"

json_t *
shared_text(json_t *texts, const char *text)
{
	json_t *s;

	if (text == NULL)
		text = "";
	if ((s = json_object_get(texts, text)) != NULL)
		return s;
	if ((s = json_string(text)) == NULL)
		return shared_text(texts, "");
	json_object_set_new_nocheck(texts, text, s);
	return s;
}

void
row_shared(json_t *row, const char *key, json_t *texts, const char *text)
{
	json_object_set_nocheck(row, key, shared_text(texts, text));
}

void
row_text(json_t *row, const char *key, const char *text)
{
	json_t *s = json_string(text ? text : "");

	json_object_set_new_nocheck(row, key, s ? s : json_string(""));
}

void
row_int(json_t *row, const char *key, long long n)
{
	json_object_set_new_nocheck(row, key, json_integer((json_int_t)n));
}
