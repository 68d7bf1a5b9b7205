/* unit.h — responsible units (责任单位): the offices that answer for
 * accounts, with their contacts: email addresses, and the chat channels
 * (by name; `channels` in the configuration says what each is) their
 * messages go to besides.
 *
 * Owns table: unit.
 *
 * Every function runs inside the caller's transaction (db_begin … commit),
 * so an import of many rows is all-or-nothing.  Every change writes an audit
 * row.  On refusal a function returns -1 and sets *error to a malloc'd
 * sentence starting with the field it concerns ("platform_uid: …"); the
 * caller frees it and decides where to print it. */
#ifndef MW_UNIT_H
#define MW_UNIT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

struct unit_fields {
	const char   *code;
	const char   *name;
	const char   *contact;
	const char   *phone;
	const char   *parent;          /* parent unit code; "" clears */
	const char  **emails;          /* replaces the list when set_emails */
	size_t        n_emails;
	bool          set_emails;
	const char  **add_channels;    /* channel names to add (the caller
	                                  checks the configuration has them) */
	size_t        n_add_channels;
	const char  **drop_channels;   /* names to take off: the unit has them */
	size_t        n_drop_channels;
};

int     unit_add(sqlite3 *db, const struct unit_fields *f, char **error);
/* Fields left NULL stay as they are. */
int     unit_change(sqlite3 *db, const char *code, const struct unit_fields *f,
            const char *reason, char **error);
/* Refuses while the unit has open (active or suspended) accounts. */
int     unit_remove(sqlite3 *db, const char *code, const char *reason,
            char **error);
/* 0 when there is no current unit with that code. */
long long unit_id(sqlite3 *db, const char *code);
json_t *unit_json(sqlite3 *db, long long id);          /* NULL when absent */
/* The names of the unit's channels (possibly none), NULL-terminated; free
 * with strv_free(). */
char  **unit_channels(sqlite3 *db, long long id, size_t *n);
json_t *unit_list_json(sqlite3 *db, bool include_removed);

#endif
