/* attachment.c — evidence files, checked and kept. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "registry/attachment.h"
#include "store/audit.h"
#include "store/db.h"

#define NAME_MAX_BYTES 80

static int
refuse(char **error, const char *why)
{
	*error = xasprintf("file: %s", why);
	return -1;
}

/* Whether name already ends in an extension of type t. */
static bool
has_extension(const char *name, enum filetype t)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return false;
	if (t == FILETYPE_JPEG && strcasecmp(dot + 1, "jpeg") == 0)
		return true;
	return strcasecmp(dot + 1, filetype_ext(t)) == 0;
}

/* Copies the characters of s that may stay in a file name, whole UTF-8
 * sequences only, up to max bytes. */
static void
copy_name_chars(struct strbuf *sb, const char *s, size_t max)
{
	size_t len = strlen(s), n;
	uint32_t cp;

	while (*s == '.' || *s == ' ')
		s++, len--;
	while (len > 0) {
		if ((n = utf8_decode(s, len, &cp)) == 0) {
			s++, len--;                     /* not UTF-8: dropped */
			continue;
		}
		if (cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
		    !(cp < 0x80 && strchr("\"\\/;%*?<>|:", (int)cp))) {
			if (sb->len + n > max)
				break;
			sb_append(sb, s, n);
		}
		s += n;
		len -= n;
	}
}

char *
attachment_clean_name(const char *name, enum filetype t)
{
	struct strbuf sb = STRBUF_INIT;
	const char *base = name ? name : "", *p;
	char *out;

	for (p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	copy_name_chars(&sb, base, NAME_MAX_BYTES - 5);
	while (sb.len > 0 && (sb.buf[sb.len - 1] == ' ' ||
	    sb.buf[sb.len - 1] == '.'))
		sb.buf[--sb.len] = '\0';
	if (sb.len == 0)
		sb_puts(&sb, "附件");
	out = sb_steal(&sb);
	if (!has_extension(out, t)) {
		char *with = xasprintf("%s.%s", out, filetype_ext(t));

		free(out);
		out = with;
	}
	return out;
}

static int
audit_add(sqlite3 *db, long long id, long long unit_id, const char *name,
    enum filetype t, size_t len)
{
	json_t *after = json_pack("{s:I, s:s, s:s, s:I}", "unit_id",
	    (json_int_t)unit_id, "name", name, "type", filetype_mime(t), "size",
	    (json_int_t)len);
	int rc = audit_record(db, "attachment.add", "attachment", id, NULL,
	    after, NULL);

	json_decref(after);
	return rc;
}

int
attachment_add(sqlite3 *db, long long unit_id, const char *name,
    const void *data, size_t len, time_t now, long long *id, char **error)
{
	const char *why;
	enum filetype t;
	sqlite3_stmt *st;
	char *clean;
	int rc;

	if (len == 0)
		return refuse(error, "the file is empty");
	if (len > ATTACHMENT_MAX)
		return refuse(error, "is larger than 10 MB");
	if ((t = filetype_check(data, len, &why)) == FILETYPE_UNKNOWN)
		return refuse(error, why);
	clean = attachment_clean_name(name, t);
	st = db_prepare(db, "INSERT INTO attachment (unit_id, name, type, size,"
	    " data, uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    "IssI", unit_id, clean, filetype_mime(t), (long long)len);
	rc = st ? sqlite3_bind_blob64(st, 5, data, len, SQLITE_STATIC) : -1;
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, (long long)now);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 7, audit_actor(), -1, SQLITE_TRANSIENT);
	rc = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	if (rc == 0) {
		*id = sqlite3_last_insert_rowid(db);
		rc = audit_add(db, *id, unit_id, clean, t, len);
	}
	free(clean);
	return rc == 0 ? 0 : refuse(error, "could not be stored");
}

int
attachment_get(sqlite3 *db, long long id, bool with_data,
    struct attachment *a)
{
	sqlite3_stmt *st = db_prepare(db, with_data ? "SELECT unit_id, name,"
	    " type, size, uploaded_at, uploaded_by, data FROM attachment WHERE"
	    " id = ?" : "SELECT unit_id, name, type, size, uploaded_at,"
	    " uploaded_by FROM attachment WHERE id = ?", "I", id);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;

	memset(a, 0, sizeof(*a));
	if (rc == SQLITE_ROW) {
		a->id = id;
		a->unit_id = sqlite3_column_int64(st, 0);
		a->name = db_column_strdup(st, 1);
		a->type = filetype_of_mime(db_column_text(st, 2));
		a->size = (size_t)sqlite3_column_int64(st, 3);
		a->uploaded_at = (time_t)sqlite3_column_int64(st, 4);
		a->uploaded_by = db_column_strdup(st, 5);
		if (with_data) {
			a->size = (size_t)sqlite3_column_bytes(st, 6);
			a->data = xmalloc(a->size ? a->size : 1);
			memcpy(a->data, sqlite3_column_blob(st, 6), a->size);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

void
attachment_free(struct attachment *a)
{
	free(a->name);
	free(a->data);
	free(a->uploaded_by);
	memset(a, 0, sizeof(*a));
}
